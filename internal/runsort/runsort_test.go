package runsort

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
)

type key struct{ v, i int }

func compareKeys(a, b key) int {
	if c := cmp.Compare(a.v, b.v); c != 0 {
		return c
	}
	return cmp.Compare(a.i, b.i)
}

// TestSort compares Sort with slices.SortFunc over inputs of every shape
// it takes a different path for: small, sorted, a few runs (odd and even
// counts, of unequal lengths, with ties broken by index), runs
// interleaved, and reversed and random (which fall back to
// slices.SortFunc).
func TestSort(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	runs := func(n, k int) []int {
		var v []int
		for range k {
			start := r.IntN(100)
			for j := range n/k + r.IntN(5) {
				v = append(v, start+j*r.IntN(3))
			}
		}
		return v
	}
	cases := map[string][]int{
		"empty":    nil,
		"one":      {7},
		"sorted":   {1, 2, 2, 3, 9},
		"two runs": {1, 4, 9, 2, 3, 10},
		"3 runs":   runs(300, 3),
		"10 runs":  runs(1000, 10),
		"17 runs":  runs(1000, 17),
		"reversed": {9, 8, 7, 6, 5, 4, 3, 2, 1, 0},
	}
	// A shared insertion at the top between each service's own edits,
	// and a few rules' groups of those one after another.
	var interleaved []int
	for rule := range 4 {
		for svc := range 200 {
			interleaved = append(interleaved, rule, 1000+10*svc+rule)
		}
	}
	cases["interleaved"] = interleaved
	descending := make([]int, 300)
	for i := range descending {
		descending[i] = -i
	}
	cases["descending"] = descending
	random := make([]int, 500)
	for i := range random {
		random[i] = r.IntN(50)
	}
	cases["random"] = random
	for name, vs := range cases {
		t.Run(name, func(t *testing.T) {
			keys := make([]key, len(vs))
			for i, v := range vs {
				keys[i] = key{v, i}
			}
			want := slices.Clone(keys)
			slices.SortFunc(want, compareKeys)
			Sort(keys, compareKeys)
			if !slices.Equal(keys, want) {
				t.Errorf("Sort gave %v, want %v", keys, want)
			}
		})
	}
}
