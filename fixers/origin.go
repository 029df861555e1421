package fixers

import (
	"bytes"
	"errors"
	"slices"
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

// passEdit is an edit of one pass, in that pass's coordinates: a
// tracked edit once recorded, so that the first pass's edits, whose
// coordinates are the original's, are recorded as they are.
type passEdit = tracked

// add records one pass: edits in the pass's coordinates, in the order
// compose.Apply applied them, identical edits already coalesced. It sweeps
// the recorded edits and the pass's once, in order (the pass's edits do not
// overlap each other, so those meeting one recorded edit, or a chain of
// them, are neighbours): linear in the number of edits.
func (h *lineage) add(edits []passEdit) {
	if len(edits) == 0 {
		return
	}
	old := h.edits
	if len(old) == 0 {
		h.edits = edits // on the original bytes: a copy would change nothing
		return
	}
	cs, ce := h.layout()
	out := make([]tracked, 0, len(old)+len(edits))
	i, delta := 0, 0 // next recorded edit; length change of those before it
	for xi := 0; xi < len(edits); {
		x := edits[xi]
		for i < len(old) && ce[i] <= x.Start {
			out = append(out, old[i])
			delta += len(old[i].New) - (old[i].End - old[i].Start)
			i++
		}
		j := i
		for j < len(old) && touchesInside(x.Start, x.End, cs[j], ce[j]) {
			j++
		}
		if j == i { // on bytes of the original only
			out = append(out, tracked{Edit: compose.Edit{Start: x.Start - delta, End: x.End - delta, New: x.New}, owners: x.owners})
			xi++
			continue
		}
		// x and the pass's next edits that meet the same recorded edits
		// merge with them into one edit on the original bytes.
		a, b := i, j-1
		group := []passEdit{x}
		for xi++; xi < len(edits); xi++ {
			y := edits[xi]
			if !touchesInside(y.Start, y.End, cs[b], ce[b]) {
				break
			}
			for b+1 < len(old) && touchesInside(y.Start, y.End, cs[b+1], ce[b+1]) {
				b++
			}
			group = append(group, y)
		}
		start, end := old[a].Start, old[b].End
		ms, me := cs[a], ce[b]
		if s := group[0].Start; s < ms {
			start -= ms - s
			ms = s
		}
		if e := group[len(group)-1].End; e > me {
			end += e - me
			me = e
		}
		cur := h.text(a, b, start, end)
		var sb strings.Builder
		at := ms
		merged := tracked{Edit: compose.Edit{Start: start, End: end}}
		for _, y := range group {
			sb.WriteString(cur[at-ms : y.Start-ms])
			sb.WriteString(y.New)
			at = y.End
			merged.owners = append(merged.owners, y.owners...)
		}
		sb.WriteString(cur[at-ms:])
		merged.New = sb.String()
		for k := a; k <= b; k++ {
			merged.owners = append(merged.owners, old[k].owners...)
			delta += len(old[k].New) - (old[k].End - old[k].Start)
		}
		merged.owners = sortedOwners(merged.owners)
		out = append(out, merged)
		i = b + 1
	}
	h.edits = append(out, old[i:]...)
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

// gives reports whether the edits applied to src give out: apply()
// compared with out, without building it.
func (h *lineage) gives(out []byte) bool {
	at, o := 0, 0
	for _, t := range h.edits {
		n := t.Start - at
		if o+n+len(t.New) > len(out) || !bytes.Equal(out[o:o+n], h.src[at:t.Start]) || string(out[o+n:o+n+len(t.New)]) != t.New {
			return false
		}
		o, at = o+n+len(t.New), t.End
	}
	return bytes.Equal(out[o:], h.src[at:])
}

// sortedOwners sorts owners and drops repeats, in place: owners are
// gathered first and sorted once, since an edit many findings share (the
// logging anchor every service's fix refers to) can have as many owners
// as the file has services.
func sortedOwners(owners []int) []int {
	slices.Sort(owners)
	return slices.Compact(owners)
}

// settle makes the edits readable from the findings alone: a tool that
// takes the distinct edits of the applied fixes in the findings' order and
// applies them by offset (at one offset in that order) must get the
// output. Edits at one offset whose order in the findings differs from the
// order they were applied in are merged into one. order lists finding
// indexes in output order.
func (h *lineage) settle(order []int) {
	for {
		// Each finding's edits, in edit order (see ownedEdits). Findings
		// and edits are numbered densely: slices, not maps, which a large
		// file fills with a hundred thousand entries each.
		ends, byFinding := h.ownedEdits(len(order))
		// rank: edit index -> order of first mention (0 when never
		// mentioned), from first: 1 + that order, 0 while unseen.
		first := make([]int, len(h.edits))
		seen := 0
		for _, fi := range order {
			for _, i := range byFinding[ends[fi]:ends[fi+1]] {
				if first[i] == 0 {
					seen++
					first[i] = seen
				}
			}
		}
		rank := func(i int) int { return max(first[i]-1, 0) }
		bad := -1
		for i := 1; i < len(h.edits) && bad < 0; i++ {
			if h.edits[i].Start == h.edits[i-1].Start && rank(i) < rank(i-1) {
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
			merged.owners = append(merged.owners, h.edits[i].owners...)
			merged.End = max(merged.End, h.edits[i].End)
		}
		merged.owners = sortedOwners(merged.owners)
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

// origin maps an offset in the current bytes to the original bytes: a
// position inside text an earlier pass wrote maps to where that text goes,
// with added set.
func (h *lineage) origin(p int) (off int, added bool) {
	cs, ce := h.layout()
	delta := 0
	for i, t := range h.edits {
		switch {
		case ce[i] <= p:
			delta += len(t.New) - (t.End - t.Start)
		case cs[i] <= p:
			return t.Start, true
		default:
			return p - delta, false
		}
	}
	return p - delta, false
}

// relocate moves the position of the first *compose.PosError in err's
// chain from cur, the document of the passes recorded so far, to orig, the
// file as read: a message names the file, so its line must be one of the
// file's.
func (h *lineage) relocate(orig, cur *compose.Document, err error) error {
	var pe *compose.PosError
	if len(h.edits) == 0 || !errors.As(err, &pe) || pe.Path != orig.Path || pe.Line == 0 {
		return err
	}
	off, added := h.origin(cur.Offset(pe.Line, pe.Col))
	p := orig.Pos(off)
	pe.Line, pe.Col = p.Line, p.Col
	if added {
		pe.Msg += " (in text that an earlier fix adds here)"
	}
	return err
}

// record adds one pass's accepted fixes, as applyFixes applied them.
func (h *lineage) record(a *appliedPass) {
	h.add(passEdits(a.owners, a.edits, a.order))
}

// editOwners lists, for each edit of fixes in order, the index in
// res.Findings of the finding whose fix it is, which owner gives (asked
// about each fix once, in order, with its index in fixes).
func editOwners(fixes []*Finding, owner func(j int, f *Finding) int) []int {
	n, _ := fixSizes(fixes)
	owners := make([]int, 0, n)
	for j, f := range fixes {
		o := owner(j, f)
		for range f.Fix.Change.Edits {
			owners = append(owners, o)
		}
	}
	return owners
}

// passEdits lists the distinct edits of a pass's accepted fixes as
// compose.Apply applies them, each with the owners of its identical
// copies: all the edits in the order they were given to
// compose.ApplyOrdered (the fixes by rule ID, see applyFixes), the owner
// of each (editOwners), and order, the order it wrote them in, which
// passEdits uses up.
func passEdits(owners []int, all []compose.Edit, order []int) []passEdit {
	// Every edit is listed with its owner and the list put in that order
	// (an index of the edits by value was a map of megabytes in a large
	// file's pass, its keys the edits' texts, hashed and each access a
	// cache miss): identical edits then fall in one run of edits with the
	// same span, where the first of them stands where the coalesced edit
	// does.
	n := len(all)
	// Each distinct edit's owners are a run of one array, gathered from
	// the run of its span.
	owned := make([]int, 0, n)
	pass := make([]passEdit, 0, n)
	for i := 0; i < len(order); {
		first := all[order[i]]
		j := i + 1
		for j < len(order) && all[order[j]].Start == first.Start && all[order[j]].End == first.End {
			j++
		}
		if j-i > smallRun {
			pass = appendLongRun(pass, all, owners, order[i:j])
			i = j
			continue
		}
		for k := i; k < j; k++ {
			if order[k] < 0 {
				continue // coalesced with an earlier one
			}
			e := all[order[k]]
			from := len(owned)
			for m := k; m < j; m++ {
				if order[m] >= 0 && all[order[m]] == e {
					owned = append(owned, owners[order[m]])
					if m > k {
						order[m] = -1
					}
				}
			}
			pass = append(pass, passEdit{Edit: e, owners: sortedOwners(owned[from:len(owned):len(owned)])})
		}
		i = j
	}
	return pass
}

// smallRun is the longest run of edits with one span that passEdits
// scans for each edit's copies; a longer one (many items appended to one
// sequence) is indexed by text, which tells its edits apart, so that k
// insertions at one offset cost O(k), as they cost compose.Apply.
const smallRun = 8

// appendLongRun appends to pass the distinct edits of run (indexes into
// all of edits with one span, in SortEdits order), each with the sorted
// owners of its copies.
func appendLongRun(pass []passEdit, all []compose.Edit, owners, run []int) []passEdit {
	at := make(map[string]int, len(run)) // an edit's text: its index in pass
	base := len(pass)
	for _, o := range run {
		e := all[o]
		if p, ok := at[e.New]; ok {
			pass[p].owners = append(pass[p].owners, owners[o])
			continue
		}
		at[e.New] = len(pass)
		pass = append(pass, passEdit{Edit: e, owners: []int{owners[o]}})
	}
	for p := base; p < len(pass); p++ {
		pass[p].owners = sortedOwners(pass[p].owners)
	}
	return pass
}

// appliedRules returns the sorted IDs of the rules whose findings finish
// marks applied: the owners of the edits the output contains.
func (h *lineage) appliedRules(ruleOf func(finding int) string) []string {
	var ids []string
	for _, t := range h.edits {
		for _, o := range t.owners {
			if id := ruleOf(o); !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	slices.Sort(ids)
	return ids
}

// ownedEdits lists the edits each of n findings owns, in edit order:
// finding o's are the indexes into h.edits idx[ends[o]:ends[o+1]]. They
// are placed by counting in one array: a slice grown per finding was an
// allocation per applied fix, tens of thousands in a large file.
func (h *lineage) ownedEdits(n int) (ends, idx []int32) {
	ends = make([]int32, n+1) // ends[o+1]: the edits of findings up to o
	for _, t := range h.edits {
		for _, o := range t.owners {
			ends[o+1]++
		}
	}
	for i := 1; i < len(ends); i++ {
		ends[i] += ends[i-1]
	}
	idx = make([]int32, ends[n])
	next := slices.Clone(ends[:n])
	for i, t := range h.edits {
		for _, o := range t.owners {
			idx[next[o]] = int32(i)
			next[o]++
		}
	}
	return ends, idx
}

// finish gives every finding whose fix the output contains its edits on
// the original bytes and marks it applied, then sorts the findings.
func (h *lineage) finish(res *Result) {
	order := findingOrder(res.Findings)
	h.settle(order)
	if !h.gives(res.Output) {
		// Not expected; if composing ever goes wrong, one edit over the
		// whole changed region, owned by every applied fix, is still true.
		h.collapse(res.Output)
	}
	ends, owned := h.ownedEdits(len(res.Findings))
	// A fix whose edits are the ones it owns, in that order (applied in
	// one pass, its edits no other pass touched: most fixes), is kept as
	// it is, capped so that an append copies. The others get a copy with
	// the edits they own (findings of one rule may share a fix, whose
	// edits each now owns apart), the copies in one array and their edits
	// in another, each edit list a capped run of it. A copy of every
	// applied fix and of all their edits was 2.5% of the allocations of the
	// 10,000-service benchmark file.
	kept := func(i int) bool {
		own, e := owned[ends[i]:ends[i+1]], res.Findings[i].Fix.Change.Edits
		if len(own) != len(e) {
			return false
		}
		for k, j := range own {
			if h.edits[j].Edit != e[k] {
				return false
			}
		}
		return true
	}
	copies, copied := 0, 0
	for i := range res.Findings {
		if ends[i] < ends[i+1] && res.Findings[i].Fix != nil && !kept(i) {
			copies++
			copied += int(ends[i+1] - ends[i])
		}
	}
	fixes := make([]Fix, 0, copies)
	all := make([]compose.Edit, 0, copied)
	for i := range res.Findings {
		f := &res.Findings[i]
		switch {
		case ends[i] < ends[i+1] && f.Fix != nil && kept(i):
			f.Fix.Change.Edits = slices.Clip(f.Fix.Change.Edits)
			f.Applied = true
		case ends[i] < ends[i+1] && f.Fix != nil:
			from := len(all)
			for _, j := range owned[ends[i]:ends[i+1]] {
				all = append(all, h.edits[j].Edit)
			}
			fixes = append(fixes, *f.Fix)
			fix := &fixes[len(fixes)-1]
			fix.Change = compose.Change{Edits: all[from:len(all):len(all)], Ops: f.Fix.Change.Ops}
			f.Fix, f.Applied = fix, true
		case f.Fix != nil && (len(f.Fix.Change.Edits) == 0 || len(f.Fix.Needs) > 0):
			// A fix that waited for another pass that never came, or for
			// fixes that did not land (such as a dependency condition whose
			// healthcheck was suppressed), has nothing to offer alone.
			f.Fix = nil
		}
	}
	permute(res.Findings, order)
}

// permute rearranges fs in place so that fs[i] becomes what fs[order[i]]
// was, following each cycle of the permutation (order is used up): no
// second slice of findings, the largest allocation of a run's last step.
func permute(fs []Finding, order []int) {
	for i := range order {
		if order[i] < 0 {
			continue // placed with an earlier cycle
		}
		first := fs[i]
		for j := i; ; {
			k := order[j]
			order[j] = -1 - k
			if k == i {
				fs[j] = first
				break
			}
			fs[j] = fs[k]
			j = k
		}
	}
}

// collapse replaces the edits by one edit from the first to the last byte
// that differ between src and out.
func (h *lineage) collapse(out []byte) {
	var owners []int
	for _, t := range h.edits {
		owners = append(owners, t.owners...)
	}
	owners = sortedOwners(owners)
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
