package compose

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestCheckEditsSweep compares the sweep in CheckEdits with the pairwise
// definition (Overlaps over every pair) on random edits, duplicates and
// insertions at replacement boundaries included.
func TestCheckEditsSweep(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for iter := range 20000 {
		var edits []Edit
		for range r.IntN(6) {
			s := r.IntN(12)
			e := s + r.IntN(4)*r.IntN(2)
			edits = append(edits, Edit{s, e, []string{"", "x", "\n  y"}[r.IntN(3)]})
			if r.IntN(5) == 0 {
				edits = append(edits, edits[len(edits)-1])
			}
		}
		want := false
		for i := range edits {
			for j := range i {
				if edits[i] != edits[j] && Overlaps(edits[i], edits[j]) {
					want = true
				}
			}
		}
		err := CheckEdits(20, edits)
		if got := err != nil; got != want {
			t.Fatalf("iteration %d: CheckEdits(%v) = %v, pairwise overlap %v", iter, edits, err, want)
		}
		var ce *ConflictError
		if err != nil && (!errors.As(err, &ce) || !Overlaps(ce.A, ce.B) || ce.A == ce.B) {
			t.Fatalf("iteration %d: CheckEdits(%v) names %v, which is not an overlapping pair", iter, edits, err)
		}
		// Edits that come sorted are checked where they are, with the
		// same answer as their sorted copy.
		sorted := slices.Clone(edits)
		SortEdits(sorted)
		if got := CheckEdits(20, sorted); !reflect.DeepEqual(got, err) {
			t.Fatalf("iteration %d: CheckEdits(%v) = %v, but of them sorted, %v: %v", iter, edits, err, sorted, got)
		}
	}
}

// TestEditSet compares EditSet with the pairwise definition while fixes
// are claimed one after another, as the driver does. The larger sets,
// claimed mostly in order with a fix out of order now and then, fill
// EditSet's second runs and merge them (see addSorted).
func TestEditSet(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for iter := range 5200 {
		claims, span := 12, 30
		if iter >= 5000 {
			claims, span = 600, 3000
		}
		var set EditSet
		var claimed []Edit
		for c := range claims {
			var fix []Edit
			for range 1 + r.IntN(3) {
				s := r.IntN(span)
				if claims > 12 && r.IntN(4) > 0 {
					s = c*span/claims + r.IntN(8) // in order, as sorted fixes claim
				}
				fix = append(fix, Edit{s, s + r.IntN(4)*r.IntN(2), []string{"", "x"}[r.IntN(2)]})
			}
			slices.SortFunc(fix, func(a, b Edit) int { return cmp.Compare(a.Start, b.Start) })
			if CheckEdits(span+10, fix) != nil {
				continue // a fix's own edits never overlap (the driver validates them)
			}
			want := false
			for _, n := range fix {
				for _, a := range claimed {
					if n != a && Overlaps(n, a) {
						want = true
					}
				}
			}
			if got := set.Conflicts(fix); got != want {
				t.Fatalf("iteration %d: Conflicts(%v) = %v with %v claimed, want %v", iter, fix, got, claimed, want)
			}
			if !want {
				set.Add(fix...)
				claimed = append(claimed, fix...)
			}
		}
	}
}

// TestSortEditsLarge compares SortEdits on more edits than it sorts in
// place with the stable sort by compareEdits that defines its order: ties
// (identical edits, replacements of one span, insertions of one rank at
// one offset) keep their order, which the distinct texts make visible.
func TestSortEditsLarge(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	texts := []string{"x", "y", "\n  a: 1", "\n  b: 2", "\n    c: 3", "\n  - d", "\n\n  e: 5"}
	for iter := range 300 {
		edits := make([]Edit, smallEditSort+1+r.IntN(200))
		for i := range edits {
			s := r.IntN(40)
			edits[i] = Edit{s, s + r.IntN(3)*r.IntN(2), texts[r.IntN(len(texts))]}
			if i > 0 && r.IntN(6) == 0 {
				edits[i] = edits[r.IntN(i)]
			}
		}
		if iter%10 == 0 { // sorted already but for its last two
			slices.SortStableFunc(edits, compareEdits)
			n := len(edits)
			edits[n-1], edits[n-2] = edits[n-2], edits[n-1]
		}
		if iter%10 == 5 && math.MaxInt > math.MaxInt32 { // offsets past the keys' 32 bits
			far := math.MaxInt32
			for i := range edits {
				edits[i].Start += far
				edits[i].End += far
			}
		}
		want := slices.Clone(edits)
		slices.SortStableFunc(want, compareEdits)
		order := EditOrder(edits)
		for j, i := range order {
			if edits[i] != want[j] {
				t.Fatalf("iteration %d: EditOrder puts %v at %d, want %v", iter, edits[i], j, want[j])
			}
		}
		SortEdits(edits)
		if !slices.Equal(edits, want) {
			t.Fatalf("iteration %d: SortEdits gives\n%v\nwant\n%v", iter, edits, want)
		}
	}
}

// TestApplyCoalescesLikeTheDefinition compares Apply (and ApplyOrdered) with its definition:
// the edits in SortEdits order, each written unless an identical edit came
// before it. Long runs of insertions at a few offsets, identical ones
// interleaved with distinct ones, are where Apply stops scanning back.
func TestApplyCoalescesLikeTheDefinition(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	src := []byte("0123456789abcdefghij")
	texts := []string{"x", "y", "z", "\n  a: 1", "\n  b: 2", "\n    c: 3", "\n  - d"}
	for iter := range 2000 {
		n := r.IntN(3 + iter%120)
		var edits []Edit
		for range n {
			s := 4 * r.IntN(3) // three offsets, far enough apart for a replacement between them
			e := Edit{s, s, texts[r.IntN(len(texts))]}
			if r.IntN(8) == 0 {
				e = Edit{s + 1, s + 3, texts[r.IntN(3)]}
			}
			if len(edits) > 0 && r.IntN(3) == 0 {
				e = edits[r.IntN(len(edits))]
			}
			edits = append(edits, e)
		}
		got, err := Apply(src, edits)
		// ApplyOrdered (a fixers pass) writes the same bytes and returns
		// the order and the distinct edits it wrote them in, which Written
		// makes again.
		out, order, written, oerr := ApplyOrdered(src, edits)
		if !reflect.DeepEqual(oerr, err) || string(out) != string(got) {
			t.Fatalf("iteration %d: ApplyOrdered(%v) = %q, %v; Apply: %q, %v", iter, edits, out, oerr, got, err)
		}
		if err != nil {
			continue // two replacements of one span with different texts conflict
		}
		sorted := slices.Clone(edits)
		slices.SortStableFunc(sorted, compareEdits)
		var want []byte
		var distinct []Edit
		at := 0
		for i, e := range sorted {
			if slices.Contains(sorted[:i], e) {
				continue
			}
			distinct = append(distinct, e)
			want = append(append(want, src[at:e.Start]...), e.New...)
			at = e.End
		}
		want = append(want, src[at:]...)
		if string(got) != string(want) {
			t.Fatalf("iteration %d: Apply(%v) = %q, want %q", iter, edits, got, want)
		}
		if !slices.Equal(order, EditOrder(edits)) || !slices.Equal(written, distinct) || !slices.Equal(Written(edits, order), distinct) {
			t.Fatalf("iteration %d: ApplyOrdered(%v): order %v (EditOrder %v), written %v, Written %v; want the distinct edits %v",
				iter, edits, order, EditOrder(edits), written, Written(edits, order), distinct)
		}
	}
	// Many identical insertions at one offset, far beyond the run Apply
	// scans: 5,000 insertions cycling through 50 texts write each text
	// once, in the order first given.
	var edits []Edit
	var want strings.Builder
	for i := range 5000 {
		text := fmt.Sprintf("\n  - %d", (i*7)%50)
		if i < 50 {
			want.WriteString(text)
		}
		edits = append(edits, Edit{4, 4, text})
	}
	got, err := Apply(src, edits)
	if err != nil {
		t.Fatal(err)
	}
	if w := string(src[:4]) + want.String() + string(src[4:]); string(got) != w {
		t.Errorf("Apply of 5,000 insertions of 50 texts = %q, want %q", got, w)
	}
}
