package fixers

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/composefix/composefix/compose"
	"github.com/google/go-cmp/cmp"
)

func pe(start, end int, text string, owners ...int) passEdit {
	return passEdit{Edit: compose.Edit{Start: start, End: end, New: text}, owners: owners}
}

func tr(start, end int, text string, owners ...int) tracked {
	return tracked{Edit: compose.Edit{Start: start, End: end, New: text}, owners: owners}
}

// TestLineageComposesPasses checks that edits of later passes land on the
// original bytes: beside earlier edits when they touch only original
// bytes, merged with an earlier edit whose text they change.
func TestLineageComposesPasses(t *testing.T) {
	const src = "abcdef"
	for _, tt := range []struct {
		name   string
		passes [][]passEdit
		want   []tracked
	}{{
		name:   "later edit in original bytes after an insertion",
		passes: [][]passEdit{{pe(1, 1, "XY", 0)}, {pe(5, 6, "D", 1)}}, // "aXYbcdef": "d" is at 5
		want:   []tracked{tr(1, 1, "XY", 0), tr(3, 4, "D", 1)},
	}, {
		name:   "later edit inside inserted text merges",
		passes: [][]passEdit{{pe(1, 1, "XY", 0)}, {pe(2, 3, "Z", 1)}}, // "aXYb...": "Y" is at 2
		want:   []tracked{tr(1, 1, "XZ", 0, 1)},
	}, {
		name:   "later edit spanning inserted text and original bytes merges",
		passes: [][]passEdit{{pe(1, 1, "XY", 0)}, {pe(2, 4, "Q", 1)}}, // replaces "Yb"
		want:   []tracked{tr(1, 2, "XQ", 0, 1)},
	}, {
		name:   "insertion right after inserted text stays apart",
		passes: [][]passEdit{{pe(1, 1, "XY", 0)}, {pe(3, 3, "Z", 1)}},
		want:   []tracked{tr(1, 1, "XY", 0), tr(1, 1, "Z", 1)},
	}, {
		name:   "insertion right before inserted text stays apart, first",
		passes: [][]passEdit{{pe(1, 1, "XY", 0)}, {pe(1, 1, "Z", 1)}},
		want:   []tracked{tr(1, 1, "Z", 1), tr(1, 1, "XY", 0)},
	}, {
		name:   "one pass, several edits",
		passes: [][]passEdit{{pe(0, 1, "A", 0), pe(2, 2, "-", 1), pe(4, 6, "", 0)}},
		want:   []tracked{tr(0, 1, "A", 0), tr(2, 2, "-", 1), tr(4, 6, "", 0)},
	}, {
		name:   "an edit across a deletion merges",
		passes: [][]passEdit{{pe(2, 4, "", 0)}, {pe(1, 3, "Q", 1)}}, // "abef": replaces "be"
		want:   []tracked{tr(1, 5, "Q", 0, 1)},
	}} {
		t.Run(tt.name, func(t *testing.T) {
			h := &lineage{src: []byte(src)}
			cur := src
			for _, p := range tt.passes {
				var edits []compose.Edit
				for _, e := range p {
					edits = append(edits, e.Edit)
				}
				out, err := compose.Apply([]byte(cur), edits)
				if err != nil {
					t.Fatal(err)
				}
				cur = string(out)
				h.add(p)
			}
			if d := cmp.Diff(tt.want, h.edits, cmp.AllowUnexported(tracked{})); d != "" {
				t.Errorf("edits (-want +got):\n%s", d)
			}
			if got := h.apply(); got != cur {
				t.Errorf("composed edits give %q, the passes %q", got, cur)
			}
		})
	}
}

// TestLineageOrigin maps offsets of the current bytes to the original.
func TestLineageOrigin(t *testing.T) {
	h := &lineage{src: []byte("abcdef"), edits: []tracked{tr(1, 1, "XY", 0), tr(3, 5, "", 1)}} // "aXYbcf"
	type origin struct {
		off   int
		added bool
	}
	// "X" and "Y" are text a pass added at 1; the deletion of "de" left no
	// text of its own, so 5 ("f") is original.
	for cur, want := range map[int]origin{0: {0, false}, 1: {1, true}, 2: {1, true}, 3: {1, false}, 4: {2, false}, 5: {5, false}, 6: {6, false}} {
		if off, added := h.origin(cur); off != want.off || added != want.added {
			t.Errorf("origin(%d) = %d, %v, want %d, %v", cur, off, added, want.off, want.added)
		}
	}
}

// TestLineageSettle checks that edits sharing an offset are listed, by the
// findings' order, in the order they were applied: a line continuation
// applied first but listed last takes the character before it; a group
// that cannot be reordered that way is merged.
func TestLineageSettle(t *testing.T) {
	for _, tt := range []struct {
		name  string
		src   string
		edits []tracked
		order []int
		want  []tracked
	}{{
		name:  "in order",
		src:   "ab",
		edits: []tracked{tr(1, 1, "X", 0), tr(1, 1, "Y", 1)},
		order: []int{0, 1},
		want:  []tracked{tr(1, 1, "X", 0), tr(1, 1, "Y", 1)},
	}, {
		name:  "first applied, listed last",
		src:   "ab",
		edits: []tracked{tr(1, 1, ":ro", 1), tr(1, 1, "\nY", 0)},
		order: []int{0, 1},
		want:  []tracked{tr(0, 1, "a:ro", 1), tr(1, 1, "\nY", 0)},
	}, {
		name:  "at the start of the file: merged",
		src:   "ab",
		edits: []tracked{tr(0, 0, "X", 1), tr(0, 0, "Y", 0)},
		order: []int{0, 1},
		want:  []tracked{tr(0, 0, "XY", 0, 1)},
	}, {
		name:  "a multi-byte character is taken whole",
		src:   "é",
		edits: []tracked{tr(2, 2, "X", 1), tr(2, 2, "Y", 0)},
		order: []int{0, 1},
		want:  []tracked{tr(0, 2, "éX", 1), tr(2, 2, "Y", 0)},
	}} {
		t.Run(tt.name, func(t *testing.T) {
			h := &lineage{src: []byte(tt.src), edits: tt.edits}
			before := h.apply()
			h.settle(tt.order)
			if d := cmp.Diff(tt.want, h.edits, cmp.AllowUnexported(tracked{})); d != "" {
				t.Errorf("edits (-want +got):\n%s", d)
			}
			if got := h.apply(); got != before {
				t.Errorf("settled edits give %q, want %q", got, before)
			}
		})
	}
}

// TestLineageFinish checks what finish makes of the findings: an applied
// fix gets its edits, and a fix that never got edits (one that waited for
// a pass that did not come) is dropped rather than shown as empty.
func TestLineageFinish(t *testing.T) {
	src := []byte("ab")
	lin := &lineage{src: src, edits: []tracked{tr(1, 1, "X", 1)}}
	res := &Result{Original: src, Output: []byte("aXb"), Findings: []Finding{
		{RuleID: "CF102", Span: compose.Span{Start: 0}, Fix: &Fix{Title: "waits"}},
		{RuleID: "CF201", Span: compose.Span{Start: 1}, Fix: &Fix{Title: "applied"}},
	}}
	lin.finish(res)
	if f := res.Findings[0]; f.Fix != nil || f.Applied {
		t.Errorf("empty fix: Fix = %+v, Applied = %v; want no fix", f.Fix, f.Applied)
	}
	f := res.Findings[1]
	if !f.Applied || f.Fix == nil || len(f.Fix.Change.Edits) != 1 || f.Fix.Change.Edits[0] != (compose.Edit{Start: 1, End: 1, New: "X"}) {
		t.Errorf("applied fix: %+v, Applied = %v; want the edit 1-1 \"X\"", f.Fix, f.Applied)
	}
}

// TestLineageRelocate checks that an error about a later pass's document
// names the line of the file as read, and says when the place is text an
// earlier fix adds: the user's file has no such line.
func TestLineageRelocate(t *testing.T) {
	const src = "services:\n  a:\n    image: x\n"
	orig, err := compose.Load("d.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	ins := "    restart: always\n"
	h := &lineage{src: []byte(src)}
	h.add([]passEdit{pe(len("services:\n"), len("services:\n"), "# c\n", 0), pe(len(src), len(src), ins, 0)})
	cur, err := compose.Load("d.yaml", []byte(h.apply()))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		line, col int // in cur
		want      string
	}{
		{3, 3, "d.yaml:2:3: bad"},   // "a:" moved down a line by the comment
		{4, 12, "d.yaml:3:12: bad"}, // "x"
		{5, 14, "d.yaml:4:1: bad (in text that an earlier fix adds here)"},
	} {
		err := h.relocate(orig, cur, fmt.Errorf("rule: %w", &compose.PosError{Path: "d.yaml", Line: tt.line, Col: tt.col, Msg: "bad"}))
		var pe *compose.PosError
		if !errors.As(err, &pe) {
			t.Fatalf("relocate lost the PosError: %v", err)
		}
		if got := pe.Error(); got != tt.want {
			t.Errorf("relocate(%d:%d) = %q, want %q", tt.line, tt.col, got, tt.want)
		}
	}
}

// TestLineageGives checks the comparison of the edits' result with an
// output, which finish makes instead of building the result.
func TestLineageGives(t *testing.T) {
	lin := &lineage{src: []byte("abcd"), edits: []tracked{tr(1, 1, "X", 0), tr(2, 3, "YZ", 0)}}
	for _, tc := range []struct {
		out  string
		want bool
	}{
		{"aXbYZd", true},
		{"aXbYZ", false},
		{"aXbYZdd", false},
		{"aXbYzd", false},
		{"aXcYZd", false},
		{"abcd", false},
		{"", false},
	} {
		if got := lin.gives([]byte(tc.out)); got != tc.want || got != (lin.apply() == tc.out) {
			t.Errorf("gives(%q) = %v, want %v", tc.out, got, tc.want)
		}
	}
	if !(&lineage{src: []byte("ab")}).gives([]byte("ab")) {
		t.Errorf("no edits: gives(src) = false, want true")
	}
}

// TestPermute: permute gives what a copy in the new order gives, for
// every order of a few findings.
func TestPermute(t *testing.T) {
	var orders func(prefix []int, rest []int)
	n := 0
	orders = func(prefix, rest []int) {
		if len(rest) == 0 {
			n++
			fs := make([]Finding, len(prefix))
			for i := range fs {
				fs[i].Message = string(rune('a' + i))
			}
			want := make([]Finding, len(prefix))
			for i, o := range prefix {
				want[i] = fs[o]
			}
			permute(fs, slices.Clone(prefix))
			if !slices.Equal(fs, want) {
				t.Fatalf("permute by %v = %v, want %v", prefix, fs, want)
			}
			return
		}
		for i := range rest {
			next := slices.Concat(rest[:i:i], rest[i+1:])
			orders(append(slices.Clone(prefix), rest[i]), next)
		}
	}
	for size := range 6 {
		all := make([]int, size)
		for i := range all {
			all[i] = i
		}
		orders(nil, all)
	}
	if n != 1+1+2+6+24+120 {
		t.Errorf("%d orders tried", n)
	}
}

// TestPassEditsCoalescesLikeTheDefinition: passEdits lists a pass's
// distinct edits in SortEdits order, each once where its first copy sorts
// (as compose.Apply writes them), with the sorted owners of all its
// copies; on runs of insertions at one offset long and short, identical
// ones interleaved with distinct ones, and a replacement beside them.
func TestPassEditsCoalescesLikeTheDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 3))
	for round := 0; round < 200; round++ {
		var fixes []*Finding
		owner := map[*Finding]int{}
		for i, n := 0, 1+rng.IntN(60); i < n; i++ {
			var e compose.Edit
			switch off := 10 * rng.IntN(3); rng.IntN(5) {
			case 0:
				e = compose.Edit{Start: off + 1, End: off + 3, New: fmt.Sprint("r", rng.IntN(2))}
			default:
				e = compose.Edit{Start: off, End: off, New: fmt.Sprint("\n- i", rng.IntN(25))}
			}
			f := &Finding{RuleID: "CF101", Fix: &Fix{Change: compose.Change{Edits: []compose.Edit{e}}}}
			owner[f] = rng.IntN(8)
			fixes = append(fixes, f)
		}
		// The definition: sort, keep the first of identical edits, give
		// it the owners of every copy.
		var all []compose.Edit
		owners := map[compose.Edit][]int{}
		for _, f := range fixes {
			e := f.Fix.Change.Edits[0]
			all = append(all, e)
			owners[e] = append(owners[e], owner[f])
		}
		compose.SortEdits(all)
		var want []passEdit
		seen := map[compose.Edit]bool{}
		for _, e := range all {
			if !seen[e] {
				seen[e] = true
				want = append(want, passEdit{Edit: e, owners: sortedOwners(owners[e])})
			}
		}
		edits := make([]compose.Edit, len(fixes))
		for i, f := range fixes {
			edits[i] = f.Fix.Change.Edits[0]
		}
		got := passEdits(editOwners(fixes, func(_ int, f *Finding) int { return owner[f] }), edits, compose.EditOrder(edits))
		if diff := cmp.Diff(want, got, cmp.AllowUnexported(passEdit{})); diff != "" {
			t.Fatalf("round %d: passEdits differs from its definition (-want +got):\n%s", round, diff)
		}
	}
}

// BenchmarkPassEditsAtOneOffset: k distinct insertions at one offset (many
// items appended to one sequence) cost passEdits O(k), as they cost Apply.
func BenchmarkPassEditsAtOneOffset(b *testing.B) {
	for _, k := range []int{1000, 10000} {
		fixes := make([]*Finding, k)
		for i := range fixes {
			fixes[i] = &Finding{RuleID: "CF101", Fix: &Fix{Change: compose.Change{Edits: []compose.Edit{{Start: 10, End: 10, New: fmt.Sprintf("\n- item%d", i)}}}}}
		}
		b.Run(fmt.Sprint(k), func(b *testing.B) {
			edits := make([]compose.Edit, len(fixes))
			for i, f := range fixes {
				edits[i] = f.Fix.Change.Edits[0]
			}
			owners := editOwners(fixes, func(int, *Finding) int { return 0 })
			for b.Loop() {
				passEdits(owners, edits, compose.EditOrder(edits))
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*k), "ns/insertion")
		})
	}
}
