package compose

import "slices"

// A Region pairs a byte range of an original source (Old) with the range of
// an edited version that replaced it (New). Outside its regions an edited
// version has the original's bytes in the original's order, so a diff needs
// to look only inside them.
type Region struct {
	Old, New Span
}

// ComposeRegions returns the regions that take an original source to the
// result of applying edits to the version regions describe (nil regions: the
// original itself). edits must be valid for that version (CheckEdits);
// identical edits count once. Regions that overlap or touch merge, so the
// result is sorted and its regions are separated by unchanged bytes. The
// work is linear in len(regions)+len(edits) after sorting the edits.
func ComposeRegions(regions []Region, edits []Edit) []Region {
	if len(edits) == 0 {
		return regions
	}
	// Edits in SortEdits order are read where they are; others through a
	// sorted copy.
	sorted := edits
	if !slices.IsSortedFunc(edits, compareEdits) {
		sorted = append([]Edit(nil), edits...)
		SortEdits(sorted)
	}
	out := make([]Region, 0, len(regions)+len(sorted))
	var (
		i, j   int
		delta  int // New minus Old length of the regions consumed so far
		shift  int // new minus old length of the edits consumed so far
		prevE  *Edit
		inside bool   // a cluster is open
		cur    Region // the open cluster; New in the version's coordinates
		grow   int    // length change of the edits in the open cluster
	)
	// Outside the regions' interiors a position p of the version is
	// p-delta in the original, delta counting the regions ending at or
	// before p: every region consumed while a cluster is open ends inside
	// it, so its ends map exactly when it opens and closes.
	closeCluster := func() {
		if inside {
			cur.Old.End = cur.New.End - delta
			cur.New.Start += shift - grow
			cur.New.End += shift
			out = append(out, cur)
			inside = false
		}
	}
	add := func(s, e int) {
		if inside && s > cur.New.End {
			closeCluster()
		}
		if !inside {
			inside, grow = true, 0
			cur = Region{Old: Span{Start: s - delta}, New: Span{s, e}}
			return
		}
		cur.New.End = max(cur.New.End, e)
	}
	for i < len(regions) || j < len(sorted) {
		if j < len(sorted) && prevE != nil && sorted[j] == *prevE {
			j++
			continue
		}
		if j == len(sorted) || i < len(regions) && regions[i].New.Start <= sorted[j].Start {
			r := regions[i]
			i++
			add(r.New.Start, r.New.End)
			delta += (r.New.End - r.New.Start) - (r.Old.End - r.Old.Start)
			continue
		}
		e := sorted[j]
		prevE = &sorted[j]
		j++
		add(e.Start, e.End)
		d := len(e.New) - (e.End - e.Start)
		grow += d
		shift += d
	}
	closeCluster()
	return out
}
