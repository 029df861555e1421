package fixers

import "github.com/composefix/composefix/compose"

// findingBuf collects a pass's findings in chunks rather than one growing
// slice. A large file has hundreds of thousands of findings: a slice grown
// by append allocated three to four times their size in copies, every one
// full of pointers for the collector, and kept up to half of it unused.
// The chunks are copied once, into a slice of the exact size, by keep.
type findingBuf struct {
	full [][]Finding // filled chunks, in order
	cur  []Finding
	n    int
	// first is the first chunk's size when it is less than 64 (0: 64),
	// from what a document is likely to have (see firstChunk).
	first int
}

func (b *findingBuf) add(f Finding) {
	if len(b.cur) == cap(b.cur) {
		if b.cur != nil {
			b.full = append(b.full, b.cur)
		}
		// Chunks grow with what is found so far: few for a large file,
		// small ones for a small file.
		size := max(64, b.n/2)
		if b.n == 0 && b.first > 0 {
			size = min(b.first, size)
		}
		b.cur = make([]Finding, 0, size)
	}
	b.cur = append(b.cur, f)
	b.n++
}

// keep returns the findings for which ok holds, in order, in a slice of
// its own. The buffer is spent.
func (b *findingBuf) keep(ok func(*Finding) bool) []Finding {
	if len(b.full) == 0 {
		// One chunk, the first (at most 64 findings: a small file's):
		// filtered where it is rather than copied, which was 3% of the
		// bytes the rules allocate over the corpus.
		out := b.cur[:0:cap(b.cur)]
		if b.cur == nil {
			out = make([]Finding, 0) // not nil, as below
		}
		for i := range b.cur {
			if ok(&b.cur[i]) {
				out = append(out, b.cur[i])
			}
		}
		clear(b.cur[len(out):]) // what was dropped holds no pointers
		b.cur = nil
		return out
	}
	out := make([]Finding, 0, b.n)
	for _, c := range append(b.full, b.cur) {
		for i := range c {
			if ok(&c[i]) {
				out = append(out, c[i])
			}
		}
	}
	return out
}

// firstChunk is the size of the first chunk of d's findings: a first
// pass over the corpus finds 2 to 7.2 findings per service, file-wide
// ones included, and a small file's chunk of 64 was mostly empty (over
// the corpus, more than half of the bytes the findings took).
func firstChunk(d *compose.Document) int {
	_, m := compose.MapGet(d.Root, "services")
	if m == nil {
		return 8
	}
	return min(64, 8*(len(m.Content)/2+1))
}
