package diff

import (
	"bytes"
	"sort"
)

// Region says where b differs from a: a[AStart:AEnd] became b[BStart:BEnd].
// Outside a call's regions, a and b hold the same bytes in the same order.
type Region struct {
	AStart, AEnd, BStart, BEnd int
}

// Edited is Unified for a b made from a by known edits: the caller passes
// the regions the edits cover (sorted, separated by unchanged bytes), and
// only the lines they touch are compared. The work is linear in the size
// of the files plus, per region, the square of its line count, where
// Unified compares whole files. The hunks are minimal: within each region
// the lines are diffed, so a line an edit leaves as it was (a comment next
// to a deleted key) shows as context, not as removed and added again.
// Regions that do not fit a and b (a bug in the caller) fall back to
// Unified.
func Edited(path string, a, b []byte, regions []Region, opts ...Option) string {
	if bytes.Equal(a, b) {
		return ""
	}
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	linesA, linesB := linesOf(a, o.startsA), linesOf(b, o.startsB)
	return render(path, &o, editedChanges(linesA, linesB, regions), linesA, linesB)
}

// editedChanges is regionChanges, or the whole files' line changes (what
// Unified prints) when the regions do not describe a and b.
func editedChanges(linesA, linesB lines, regions []Region) []change {
	if changes, ok := regionChanges(linesA, linesB, regions); ok {
		return changes
	}
	return lineChanges(linesA, linesB)
}

// lineSpan is a range of whole lines of a and the matching lines of b.
type lineSpan struct{ a0, a1, b0, b1 int }

// regionChanges turns byte regions into line changes: each region widens
// to the lines it touches in both files, spans that touch merge, and the
// lines inside each span are diffed. ok is false when the regions do not
// describe a and b.
func regionChanges(linesA, linesB lines, regions []Region) ([]change, bool) {
	a, b := linesA.text, linesB.text
	nA, nB := linesA.n(), linesB.n()
	// Sized for the most there can be, once: in a large file there are
	// tens of thousands, and growing the slices copied them again and again.
	spans := make([]lineSpan, 0, len(regions))
	for _, r := range regions {
		if r.AStart < 0 || r.AEnd < r.AStart || r.AEnd > len(a) || r.BStart < 0 || r.BEnd < r.BStart || r.BEnd > len(b) {
			return nil, false
		}
		sp := lineSpan{a0: lineOf(linesA, r.AStart), b0: lineOf(linesB, r.BStart)}
		// The line holding the end stays outside only when the region ends
		// at a line start in both files: then what follows is whole lines
		// that are the same on both sides.
		if isLineStart(a, r.AEnd) && isLineStart(b, r.BEnd) {
			sp.a1, sp.b1 = lineOf(linesA, r.AEnd), lineOf(linesB, r.BEnd)
		} else {
			sp.a1, sp.b1 = lineOf(linesA, r.AEnd)+1, lineOf(linesB, r.BEnd)+1
		}
		sp.a1, sp.b1 = min(max(sp.a1, sp.a0), nA), min(max(sp.b1, sp.b0), nB)
		if n := len(spans); n > 0 && sp.a0 <= spans[n-1].a1 {
			spans[n-1].a1, spans[n-1].b1 = max(spans[n-1].a1, sp.a1), max(spans[n-1].b1, sp.b1)
			continue
		}
		spans = append(spans, sp)
	}
	changes := make([]change, 0, len(spans)) // a span is usually one change
	prevA, prevB := 0, 0
	for _, sp := range spans {
		// Between spans the files have the same lines. Checking them keeps
		// a wrong region from producing a wrong patch; as many lines
		// written the same are the same lines.
		if sp.a0-prevA != sp.b0-prevB || sp.a0 < prevA || sp.b0 < prevB {
			return nil, false
		}
		if !bytes.Equal(linesA.span(prevA, sp.a0), linesB.span(prevB, sp.b0)) {
			return nil, false
		}
		for _, c := range lineChanges(linesA.sub(sp.a0, sp.a1), linesB.sub(sp.b0, sp.b1)) {
			c.A += sp.a0
			c.B += sp.b0
			changes = append(changes, c)
		}
		prevA, prevB = sp.a1, sp.b1
	}
	if nA-prevA != nB-prevB || !bytes.Equal(linesA.span(prevA, nA), linesB.span(prevB, nB)) {
		return nil, false
	}
	return changes, true
}

// lineOf returns the index of the line an edit at byte off of the text
// changes: the line holding off, or one past the last line when off is
// the end of a text that ends with a newline (or is empty).
func lineOf(l lines, off int) int {
	text, n := l.text, l.n()
	if off >= len(text) && (len(text) == 0 || text[len(text)-1] == '\n') {
		return n
	}
	return sort.Search(n, func(i int) bool { return l.starts[i] > off }) - 1
}

// isLineStart reports whether off begins a line of text (or ends a text
// whose last line has its newline).
func isLineStart(text []byte, off int) bool {
	return off == 0 || text[off-1] == '\n'
}
