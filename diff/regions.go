package diff

import (
	"bytes"
	"sort"
	"strings"
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
	linesA, linesB := splitLines(string(a)), splitLines(string(b))
	changes, ok := regionChanges(a, b, linesA, linesB, regions)
	if !ok {
		return Unified(path, a, b, opts...)
	}
	return render(path, &o, changes, linesA, linesB, len(a)+len(b))
}

// lineSpan is a range of whole lines of a and the matching lines of b.
type lineSpan struct{ a0, a1, b0, b1 int }

// regionChanges turns byte regions into line changes: each region widens
// to the lines it touches in both files, spans that touch merge, and the
// lines inside each span are diffed. ok is false when the regions do not
// describe a and b.
func regionChanges(a, b []byte, linesA, linesB []string, regions []Region) ([]change, bool) {
	startsA, startsB := lineStarts(linesA), lineStarts(linesB)
	var spans []lineSpan
	for _, r := range regions {
		if r.AStart < 0 || r.AEnd < r.AStart || r.AEnd > len(a) || r.BStart < 0 || r.BEnd < r.BStart || r.BEnd > len(b) {
			return nil, false
		}
		sp := lineSpan{a0: lineOf(startsA, a, r.AStart), b0: lineOf(startsB, b, r.BStart)}
		// The line holding the end stays outside only when the region ends
		// at a line start in both files: then what follows is whole lines
		// that are the same on both sides.
		if isLineStart(a, r.AEnd) && isLineStart(b, r.BEnd) {
			sp.a1, sp.b1 = lineOf(startsA, a, r.AEnd), lineOf(startsB, b, r.BEnd)
		} else {
			sp.a1, sp.b1 = lineOf(startsA, a, r.AEnd)+1, lineOf(startsB, b, r.BEnd)+1
		}
		sp.a1, sp.b1 = min(max(sp.a1, sp.a0), len(linesA)), min(max(sp.b1, sp.b0), len(linesB))
		if n := len(spans); n > 0 && sp.a0 <= spans[n-1].a1 {
			spans[n-1].a1, spans[n-1].b1 = max(spans[n-1].a1, sp.a1), max(spans[n-1].b1, sp.b1)
			continue
		}
		spans = append(spans, sp)
	}
	var changes []change
	prevA, prevB := 0, 0
	for _, sp := range spans {
		// Between spans the files have the same lines.
		if sp.a0-prevA != sp.b0-prevB || sp.a0 < prevA || sp.b0 < prevB {
			return nil, false
		}
		if !equalLines(linesA[prevA:sp.a0], linesB[prevB:sp.b0]) {
			return nil, false
		}
		textA := strings.Join(linesA[sp.a0:sp.a1], "")
		textB := strings.Join(linesB[sp.b0:sp.b1], "")
		for _, c := range lineChanges(textA, textB, sp.a1-sp.a0, sp.b1-sp.b0) {
			c.A += sp.a0
			c.B += sp.b0
			changes = append(changes, c)
		}
		prevA, prevB = sp.a1, sp.b1
	}
	if len(linesA)-prevA != len(linesB)-prevB || !equalLines(linesA[prevA:], linesB[prevB:]) {
		return nil, false
	}
	return changes, true
}

// equalLines reports whether two runs of lines are the same. Checking the
// unchanged lines keeps a wrong region from producing a wrong patch; it is
// one linear comparison.
func equalLines(x, y []string) bool {
	if len(x) != len(y) {
		return false
	}
	for i := range x {
		if x[i] != y[i] {
			return false
		}
	}
	return true
}

// lineStarts returns the byte offset of each line.
func lineStarts(lines []string) []int {
	starts := make([]int, len(lines))
	at := 0
	for i, l := range lines {
		starts[i] = at
		at += len(l)
	}
	return starts
}

// lineOf returns the index of the line an edit at byte off of text
// changes: the line holding off, or one past the last line when off is
// the end of a text that ends with a newline (or is empty).
func lineOf(starts []int, text []byte, off int) int {
	if off >= len(text) && (len(text) == 0 || text[len(text)-1] == '\n') {
		return len(starts)
	}
	return sort.Search(len(starts), func(i int) bool { return starts[i] > off }) - 1
}

// isLineStart reports whether off begins a line of text (or ends a text
// whose last line has its newline).
func isLineStart(text []byte, off int) bool {
	return off == 0 || text[off-1] == '\n'
}
