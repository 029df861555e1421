package compose

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestComposeRegions checks hand-made cases: the regions after each pass.
func TestComposeRegions(t *testing.T) {
	tests := []struct {
		name   string
		passes [][]Edit
		want   []Region
	}{
		{"none", nil, nil},
		{"one replacement", [][]Edit{{{2, 4, "xyz"}}}, []Region{{Span{2, 4}, Span{2, 5}}}},
		{"insert and delete shift later regions", [][]Edit{{{1, 1, "ab"}, {5, 7, ""}}},
			[]Region{{Span{1, 1}, Span{1, 3}}, {Span{5, 7}, Span{7, 7}}}},
		{"identical edits count once", [][]Edit{{{3, 3, "x"}, {3, 3, "x"}}}, []Region{{Span{3, 3}, Span{3, 4}}}},
		{"touching edits merge", [][]Edit{{{1, 2, "a"}, {2, 3, "bb"}}}, []Region{{Span{1, 3}, Span{1, 4}}}},
		// The second pass edits inside the first pass's insertion: one
		// region, still the original's [1,1).
		{"edit inside an earlier insertion", [][]Edit{{{1, 1, "abcd"}}, {{2, 3, "XY"}}},
			[]Region{{Span{1, 1}, Span{1, 6}}}},
		// The second pass's edit straddles the end of a grown region: the
		// region's Old end stays exact, the edit's tail maps outside it.
		{"edit straddling a grown region", [][]Edit{{{2, 3, "abc"}}, {{4, 7, ""}}},
			[]Region{{Span{2, 5}, Span{2, 4}}}},
		{"edit after a shrunk region", [][]Edit{{{0, 4, ""}}, {{2, 3, "z"}}},
			[]Region{{Span{0, 4}, Span{0, 0}}, {Span{6, 7}, Span{2, 3}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []Region
			for _, p := range tt.passes {
				got = ComposeRegions(got, p)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("ComposeRegions = %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("ComposeRegions = %v, want %v", got, tt.want)
				}
			}
		})
	}
}

// TestComposeRegionsRandom applies random passes of edits and checks the
// regions' promise: outside them the output has the original's bytes, in
// order, and the regions are sorted and separated.
func TestComposeRegionsRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for iter := range 3000 {
		orig := randomText(r, r.IntN(40))
		cur := orig
		var regions []Region
		for range 1 + r.IntN(4) {
			edits := randomEdits(r, len(cur))
			out, err := Apply([]byte(cur), edits)
			if err != nil {
				t.Fatal(err)
			}
			regions = ComposeRegions(regions, edits)
			cur = string(out)
		}
		oldAt, newAt := 0, 0
		for k, g := range regions {
			if g.Old.Start < oldAt || g.New.Start < newAt || (k > 0 && (g.New.Start == newAt || g.Old.Start == oldAt)) ||
				g.Old.End < g.Old.Start || g.New.End < g.New.Start {
				t.Fatalf("iteration %d: regions not sorted and separated: %v", iter, regions)
			}
			if orig[oldAt:g.Old.Start] != cur[newAt:g.New.Start] {
				t.Fatalf("iteration %d: bytes before region %d differ: %q vs %q (regions %v)", iter, k, orig[oldAt:g.Old.Start], cur[newAt:g.New.Start], regions)
			}
			oldAt, newAt = g.Old.End, g.New.End
		}
		if orig[oldAt:] != cur[newAt:] {
			t.Fatalf("iteration %d: tails differ: %q vs %q (regions %v, orig %q, out %q)", iter, orig[oldAt:], cur[newAt:], regions, orig, cur)
		}
	}
}

func randomText(r *rand.Rand, n int) string {
	var b strings.Builder
	for range n {
		b.WriteByte("ab\n"[r.IntN(3)])
	}
	return b.String()
}

// randomEdits returns sorted, non-overlapping edits of a source of size n,
// with the occasional duplicate.
func randomEdits(r *rand.Rand, n int) []Edit {
	var edits []Edit
	at := 0
	for at <= n && r.IntN(3) > 0 {
		s := at + r.IntN(n-at+1)
		e := s + r.IntN(min(3, n-s)+1)
		ed := Edit{s, e, randomText(r, r.IntN(4))}
		edits = append(edits, ed)
		if r.IntN(6) == 0 {
			edits = append(edits, ed)
		}
		at = e + 1
	}
	return edits
}
