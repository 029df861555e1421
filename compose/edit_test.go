package compose

import (
	"math/rand/v2"
	"testing"
)

// TestInputOffset maps each byte of edited texts back to the source: a byte
// the edits kept is the same byte of the source, a byte of an edit's new
// text (all '#', which no source holds) is at the start of an edit whose
// new text is not empty. Random edits, repeats and insertions at one
// offset included.
func TestInputOffset(t *testing.T) {
	const src = "abcdefghijklmnop"
	r := rand.New(rand.NewPCG(7, 8))
	for iter := range 5000 {
		var edits []Edit
		for range r.IntN(5) {
			s := r.IntN(len(src) + 1)
			e := min(s+r.IntN(4)*r.IntN(2), len(src))
			edits = append(edits, Edit{s, e, []string{"", "#", "##\n#"}[r.IntN(3)]})
			if r.IntN(4) == 0 {
				edits = append(edits, edits[len(edits)-1])
			}
		}
		out, err := Apply([]byte(src), edits)
		if err != nil {
			continue // overlapping: Apply refuses them, InputOffset never sees them
		}
		for off := range out {
			in := InputOffset(edits, off)
			if out[off] != '#' && out[off] != '\n' {
				if in < 0 || in >= len(src) || src[in] != out[off] {
					t.Fatalf("iteration %d: edits %v: InputOffset(%d) = %d; out[%d] = %q is src[%d]", iter, edits, off, in, off, out[off], in)
				}
				continue
			}
			found := false
			for _, e := range edits {
				found = found || e.Start == in && e.New != ""
			}
			if !found {
				t.Fatalf("iteration %d: edits %v: InputOffset(%d) = %d, in new text %q: want an edit's start", iter, edits, off, in, out)
			}
		}
	}
}
