package fixers

import (
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/composefix/composefix/compose"
)

// This file turns the edits of every pass into edits on the original bytes,
// so that each applied fix is reported whole: a later pass edits bytes an
// earlier pass wrote, and its offsets mean nothing to a tool reading the
// input file.

// tracked is an edit on the original bytes that the output contains, with
// the findings (indexes into Result.Findings) whose fixes needed it.
type tracked struct {
	compose.Edit
	owners []int
}

// lineage composes the edits of successive passes. Applying edits in order
// to src gives the current bytes; their Starts never decrease.
type lineage struct {
	src   []byte
	edits []tracked
}

// passEdit is an edit of one pass, in that pass's coordinates.
type passEdit struct {
	compose.Edit
	owners []int
}

// add records one pass: edits in the pass's coordinates, in the order
// compose.Apply applied them, identical edits already coalesced.
func (h *lineage) add(edits []passEdit) {
	// Last first: an edit never moves the bytes before it, so the earlier
	// edits' coordinates stay valid.
	for i := len(edits) - 1; i >= 0; i-- {
		h.addOne(edits[i])
	}
}

func (h *lineage) addOne(x passEdit) {
	cs, ce := h.layout()
	s, e := x.Start, x.End
	var hit []int
	for i := range h.edits {
		if touchesInside(s, e, cs[i], ce[i]) {
			hit = append(hit, i)
		}
	}
	if len(hit) == 0 {
		at, delta := 0, 0
		for at < len(h.edits) && ce[at] <= s {
			delta += len(h.edits[at].New) - (h.edits[at].End - h.edits[at].Start)
			at++
		}
		t := tracked{Edit: compose.Edit{Start: s - delta, End: e - delta, New: x.New}, owners: x.owners}
		h.edits = append(h.edits[:at], append([]tracked{t}, h.edits[at:]...)...)
		return
	}
	a, b := hit[0], hit[len(hit)-1]
	first, last := h.edits[a], h.edits[b]
	start, end := first.Start, last.End
	ms, me := cs[a], ce[b]
	if s < ms {
		start -= ms - s
		ms = s
	}
	if e > me {
		end += e - me
		me = e
	}
	cur := h.text(a, b, start, end)
	merged := tracked{Edit: compose.Edit{Start: start, End: end, New: cur[:s-ms] + x.New + cur[e-ms:]}}
	for i := a; i <= b; i++ {
		merged.owners = union(merged.owners, h.edits[i].owners)
	}
	merged.owners = union(merged.owners, x.owners)
	h.edits = append(h.edits[:a], append([]tracked{merged}, h.edits[b+1:]...)...)
}

// touchesInside reports whether [s,e) in current coordinates meets the
// interior of the text an edit wrote at [cs,ce): an edit there cannot be
// expressed on the original bytes without merging the two.
func touchesInside(s, e, cs, ce int) bool {
	switch {
	case cs == ce: // a deletion: only an edit spanning its point meets it
		return s < cs && cs < e
	case s == e:
		return cs < s && s < ce
	}
	return s < ce && cs < e
}

// layout returns where each edit's new text lies in the current bytes.
func (h *lineage) layout() (cs, ce []int) {
	cs, ce = make([]int, len(h.edits)), make([]int, len(h.edits))
	delta := 0
	for i, t := range h.edits {
		cs[i] = t.Start + delta
		ce[i] = cs[i] + len(t.New)
		delta += len(t.New) - (t.End - t.Start)
	}
	return cs, ce
}

// text is the current text that replaces src[start:end], which covers
// edits a through b.
func (h *lineage) text(a, b, start, end int) string {
	var sb strings.Builder
	at := start
	for i := a; i <= b; i++ {
		t := h.edits[i]
		sb.Write(h.src[at:t.Start])
		sb.WriteString(t.New)
		at = t.End
	}
	sb.Write(h.src[at:end])
	return sb.String()
}

func (h *lineage) apply() string {
	if len(h.edits) == 0 {
		return string(h.src)
	}
	return h.text(0, len(h.edits)-1, 0, len(h.src))
}

func union(a, b []int) []int {
	out := append([]int(nil), a...)
	for _, x := range b {
		found := false
		for _, y := range out {
			found = found || x == y
		}
		if !found {
			out = append(out, x)
		}
	}
	sort.Ints(out)
	return out
}

// settle makes the edits readable from the findings alone: a tool that
// takes the distinct edits of the applied fixes in the findings' order and
// applies them by offset (at one offset in that order) must get the
// output. Edits at one offset whose order in the findings differs from the
// order they were applied in are merged into one. order lists finding
// indexes in output order.
func (h *lineage) settle(order []int) {
	for {
		seen := map[int]bool{}
		var listed []int // edit indexes in order of first mention
		for _, fi := range order {
			for i, t := range h.edits {
				if !seen[i] && owns(t.owners, fi) {
					seen[i] = true
					listed = append(listed, i)
				}
			}
		}
		rank := make(map[int]int, len(listed))
		for r, i := range listed {
			rank[i] = r
		}
		bad := -1
		for i := 1; i < len(h.edits) && bad < 0; i++ {
			if h.edits[i].Start == h.edits[i-1].Start && rank[i] < rank[i-1] {
				bad = h.edits[i].Start
			}
		}
		if bad < 0 {
			return
		}
		a := 0
		for h.edits[a].Start != bad {
			a++
		}
		if h.extendBack(a) {
			continue
		}
		b := a
		for b+1 < len(h.edits) && h.edits[b+1].Start == bad {
			b++
		}
		merged := tracked{Edit: compose.Edit{Start: bad, End: h.edits[b].End}}
		var sb strings.Builder
		for i := a; i <= b; i++ {
			sb.WriteString(h.edits[i].New)
			merged.owners = union(merged.owners, h.edits[i].owners)
			merged.End = max(merged.End, h.edits[i].End)
		}
		merged.New = sb.String()
		h.edits = append(h.edits[:a], append([]tracked{merged}, h.edits[b+1:]...)...)
	}
}

// extendBack takes the character before edit a into it, when no other edit
// touches that character, so that the edit applied first at its offset no
// longer shares the offset. Text that continues a line (":ro" after a
// volume) must come before new lines inserted at the same offset, while its
// finding may be listed after theirs.
func (h *lineage) extendBack(a int) bool {
	t := &h.edits[a]
	_, n := utf8.DecodeLastRune(h.src[:t.Start])
	if n == 0 {
		return false
	}
	if a > 0 && (h.edits[a-1].End > t.Start-n || h.edits[a-1].Start == t.Start-n) {
		return false
	}
	t.New = string(h.src[t.Start-n:t.Start]) + t.New
	t.Start -= n
	return true
}

func owns(owners []int, fi int) bool {
	for _, o := range owners {
		if o == fi {
			return true
		}
	}
	return false
}

// editsOf returns the edits finding fi needs, by offset.
func (h *lineage) editsOf(fi int) []compose.Edit {
	var out []compose.Edit
	for _, t := range h.edits {
		if owns(t.owners, fi) {
			out = append(out, t.Edit)
		}
	}
	return out
}

// origin maps an offset in the current bytes to the original bytes: a
// position inside text an earlier pass wrote maps to where that text went.
func (h *lineage) origin(p int) int {
	cs, ce := h.layout()
	delta := 0
	for i, t := range h.edits {
		switch {
		case ce[i] <= p:
			delta += len(t.New) - (t.End - t.Start)
		case cs[i] < p:
			return t.Start
		default:
			return p - delta
		}
	}
	return p - delta
}

// record adds one pass's accepted fixes. owner gives the index in
// res.Findings of the finding an accepted fix stands for.
func (h *lineage) record(accepted []*Finding, owner func(*Finding) int) {
	// The order compose.Apply uses: fixes by rule ID (see applyFixes), then
	// edits sorted stably by offset, identical ones coalesced.
	fixes := append([]*Finding(nil), accepted...)
	sort.SliceStable(fixes, func(i, j int) bool { return fixes[i].RuleID < fixes[j].RuleID })
	owners := map[compose.Edit][]int{}
	var edits []compose.Edit
	for _, f := range fixes {
		o := owner(f)
		for _, e := range f.Fix.Change.Edits {
			if _, ok := owners[e]; !ok {
				edits = append(edits, e)
			}
			owners[e] = union(owners[e], []int{o})
		}
	}
	compose.SortEdits(edits)
	pass := make([]passEdit, len(edits))
	for i, e := range edits {
		pass[i] = passEdit{Edit: e, owners: owners[e]}
	}
	h.add(pass)
}

// finish gives every finding whose fix the output contains its edits on
// the original bytes and marks it applied, then sorts the findings.
func (h *lineage) finish(res *Result) {
	order := make([]int, len(res.Findings))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		return findingLess(&res.Findings[order[a]], &res.Findings[order[b]])
	})
	h.settle(order)
	if h.apply() != string(res.Output) {
		// Not expected; if composing ever goes wrong, one edit over the
		// whole changed region, owned by every applied fix, is still true.
		h.collapse(res.Output)
	}
	for i := range res.Findings {
		f := &res.Findings[i]
		if edits := h.editsOf(i); len(edits) > 0 && f.Fix != nil {
			fix := *f.Fix
			fix.Change = compose.Change{Edits: edits, Ops: f.Fix.Change.Ops}
			f.Fix, f.Applied = &fix, true
		} else if f.Fix != nil && len(f.Fix.Change.Edits) == 0 {
			// A fix that waited for another pass that never came (such as
			// a dependency condition whose healthcheck rule is not
			// selected) has nothing to offer.
			f.Fix = nil
		}
	}
	sorted := make([]Finding, len(order))
	for i, o := range order {
		sorted[i] = res.Findings[o]
	}
	res.Findings = sorted
}

// collapse replaces the edits by one edit from the first to the last byte
// that differ between src and out.
func (h *lineage) collapse(out []byte) {
	var owners []int
	for _, t := range h.edits {
		owners = union(owners, t.owners)
	}
	p := 0
	for p < len(h.src) && p < len(out) && h.src[p] == out[p] {
		p++
	}
	q := 0
	for q < len(h.src)-p && q < len(out)-p && h.src[len(h.src)-1-q] == out[len(out)-1-q] {
		q++
	}
	h.edits = []tracked{{Edit: compose.Edit{Start: p, End: len(h.src) - q, New: string(out[p : len(out)-q])}, owners: owners}}
}
