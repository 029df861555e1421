// Package runsort sorts slices that are made of a few sorted
// subsequences, interleaved: a pass's findings (each rule reports in
// document order, one rule after another), its fixes by first edit, its
// edits grouped by rule (where a fix that also adds a shared anchor at the
// top of the file interleaves that edit with the service's own).
//
// A general sort (slices.SortFunc) ignores that order and makes
// O(n log n) comparisons: over a file of 10,000 services, whose passes
// sort tens of thousands of findings, fixes and edits several times, that
// was 4-5% of the run's instructions, the part of them that grows faster
// than the file. Patience sorting deals the elements onto piles, each
// sorted, and merges the piles: O(n log p) for p piles, a few
// comparisons per element when a handful of rules made them.
package runsort

import "slices"

// maxPileShare bounds the piles, as a share of the elements: input that
// needs more than len/maxPileShare piles has little order to exploit, and
// slices.SortFunc sorts it without the piles' buffers.
const maxPileShare = 8

// minMerge is the fewest elements dealt: slices.SortFunc sorts fewer by
// insertion, without buffers.
const minMerge = 16

// Sort sorts s by cmp, which must be a strict total order (no two
// elements compare equal, such as keys that end with their index), so
// that every algorithm gives one result.
func Sort[T any](s []T, cmp func(a, b T) int) {
	if len(s) < minMerge {
		slices.SortFunc(s, cmp)
		return
	}
	descents := 0
	for i := 1; i < len(s); i++ {
		if cmp(s[i-1], s[i]) > 0 {
			descents++
		}
	}
	if descents == 0 {
		return // sorted already: the usual case for a small file
	}
	maxPiles := len(s) / maxPileShare
	// Deal: each element goes on the first pile whose last element is not
	// greater than it, or on a new pile. The piles' last elements then
	// decrease from the first pile on, so the pile is found by binary
	// search, after a look at the first pile, which takes most elements.
	pile := make([]int32, len(s))
	var few [16]int // the piles' last elements, as indexes into s
	last := few[:0]
	for i := range s {
		p := 0
		if len(last) > 0 && cmp(s[last[0]], s[i]) > 0 {
			lo, hi := 1, len(last) // the first pile p with s[last[p]] <= s[i] is in [lo, hi]
			for lo < hi {
				mid := int(uint(lo+hi) >> 1)
				if cmp(s[last[mid]], s[i]) <= 0 {
					hi = mid
				} else {
					lo = mid + 1
				}
			}
			p = lo
		}
		if p == len(last) {
			if len(last) == maxPiles {
				slices.SortFunc(s, cmp)
				return
			}
			last = append(last, i)
		} else {
			last[p] = i
		}
		pile[i] = int32(p)
	}
	// Lay the piles out one after another in buf, each in its order in s
	// (sorted), then merge neighbouring piles, level by level, between buf
	// and s.
	var fewBounds, fewNext [len(few) + 1]int
	bounds, next := fewBounds[:0], fewNext[:0]
	bounds = append(bounds, make([]int, len(last)+1)...)
	for _, p := range pile {
		bounds[p+1]++
	}
	for p := range last {
		bounds[p+1] += bounds[p]
	}
	next = append(next, bounds[:len(last)]...)
	buf := make([]T, len(s))
	for i, p := range pile {
		buf[next[p]] = s[i]
		next[p]++
	}
	src, dst := buf, s
	for len(bounds) > 2 {
		// Merge piles 2k and 2k+1; an odd last pile is copied as it is.
		for k := 0; k+1 < len(bounds); k += 2 {
			lo, mid := bounds[k], bounds[k+1]
			if k+2 < len(bounds) {
				merge(dst[lo:bounds[k+2]], src[lo:mid], src[mid:bounds[k+2]], cmp)
			} else {
				copy(dst[lo:mid], src[lo:mid])
			}
		}
		// The merged piles start at every other bound; writes trail
		// reads, so the bounds shrink in place.
		merged := bounds[:0]
		for k := 0; k < len(bounds); k += 2 {
			merged = append(merged, bounds[k])
		}
		if merged[len(merged)-1] != len(s) {
			merged = append(merged, len(s))
		}
		bounds = merged
		src, dst = dst, src
	}
	if &src[0] != &s[0] {
		copy(s, src)
	}
}

// merge writes the merge of the sorted a and b to out (len(a)+len(b)),
// taking from a on ties.
func merge[T any](out, a, b []T, cmp func(a, b T) int) {
	i, j, k := 0, 0, 0
	for i < len(a) && j < len(b) {
		if cmp(a[i], b[j]) <= 0 {
			out[k] = a[i]
			i++
		} else {
			out[k] = b[j]
			j++
		}
		k++
	}
	k += copy(out[k:], a[i:])
	copy(out[k:], b[j:])
}
