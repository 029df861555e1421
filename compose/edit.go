package compose

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/composefix/composefix/internal/runsort"
)

// Edit replaces Src[Start:End] with New. Offsets are bytes into the original
// source; Start == End is an insertion.
type Edit struct {
	Start, End int
	New        string // already written with the document's line ending
}

// ConflictError reports two edits that touch the same bytes.
type ConflictError struct {
	A, B Edit
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("overlapping edits at %d-%d and %d-%d", e.A.Start, e.A.End, e.B.Start, e.B.End)
}

// Overlaps reports whether two edits touch the same bytes. Two insertions at
// one offset do not overlap (they keep their order); an insertion at the
// boundary of a replacement does not overlap it either.
func Overlaps(a, b Edit) bool {
	if a.Start == a.End && b.Start == b.End {
		return false
	}
	if a.Start == a.End { // insertion strictly inside b
		return b.Start < a.Start && a.Start < b.End
	}
	if b.Start == b.End {
		return a.Start < b.Start && b.Start < a.End
	}
	return a.Start < b.End && b.Start < a.End
}

// SortEdits orders edits by (Start, End). Insertions at one offset that
// continue the current line (a value set on an empty scalar) come first,
// then insertions of new lines, deepest indentation first: at the end of a
// line, an entry that belongs to a nested collection must come before a
// sibling of an outer one. Other insertions at one offset keep their given
// order.
func SortEdits(edits []Edit) {
	// Edits usually arrive sorted (a pass sorts them several times): a
	// stable sort would leave them as they are, at the cost of comparing
	// each pair of neighbours twice per merge step.
	if slices.IsSortedFunc(edits, compareEdits) {
		return
	}
	if len(edits) <= smallEditSort {
		slices.SortStableFunc(edits, compareEdits)
		return
	}
	// A pass of a large file sorts a hundred thousand edits: sort small
	// keys (see editOrder), then move each edit once.
	keys, ok := editOrder(edits)
	if !ok {
		slices.SortStableFunc(edits, compareEdits)
		return
	}
	// Move each edit once, in place, following each cycle of the
	// permutation (keys[j].i is marked -1 once edits[j] holds its edit):
	// a sorted copy was as large as the edits, pointers for the
	// collector, allocated on every pass of a large file.
	for i := range keys {
		if keys[i].i < 0 {
			continue // placed with an earlier cycle
		}
		first := edits[i]
		for j := i; ; {
			k := int(keys[j].i)
			keys[j].i = -1
			if k == i {
				edits[j] = first
				break
			}
			edits[j] = edits[k]
			j = k
		}
	}
}

// EditOrder returns the indexes of edits in SortEdits's order, leaving
// edits as they are: for a caller that sorts something else along with
// them.
func EditOrder(edits []Edit) []int {
	keys, ok := editOrder(edits)
	if !ok {
		order := make([]int, len(edits))
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(a, b int) int { return compareEdits(edits[a], edits[b]) })
		return order
	}
	order := make([]int, len(keys))
	for j, k := range keys {
		order[j] = int(k.i)
	}
	return order
}

// editOrder returns the edits' keys in SortEdits's order: each
// insertion's rank computed once, with the index breaking ties (as stable
// as SortStableFunc, in O(n log n) moves of 16 bytes rather than
// O(n log² n) of whole edits ranked at every comparison). ok is false
// when an edit's offsets, rank or place do not fit the keys' 32 bits,
// which no document's edits reach (a document is at most MaxOutputSize
// bytes).
func editOrder(edits []Edit) (keys []editKey, ok bool) {
	if len(edits) > math.MaxInt32 {
		return nil, false
	}
	keys = make([]editKey, len(edits))
	for i, e := range edits {
		if e.Start < 0 || e.End > math.MaxInt32 {
			return nil, false
		}
		keys[i] = editKey{int32(e.Start), int32(e.End), 0, int32(i)}
		if e.Start == e.End {
			switch r := insertRank(e.New); {
			case r == math.MaxInt:
				keys[i].rank = math.MinInt32 // text that continues the line: first
			case r >= math.MaxInt32:
				return nil, false
			default:
				keys[i].rank = -int32(r)
			}
		}
	}
	// Edits arrive as runs in document order (a pass's are grouped by
	// rule): merging them is O(n log runs), not O(n log n).
	runsort.Sort(keys, compareEditKeys)
	return keys, true
}

// compareEditKeys orders keys by start, end and rank, then by index: a
// strict total order.
func compareEditKeys(a, b editKey) int {
	if c := cmp.Compare(a.start, b.start); c != 0 {
		return c
	}
	if c := cmp.Compare(a.end, b.end); c != 0 {
		return c
	}
	if c := cmp.Compare(a.rank, b.rank); c != 0 {
		return c
	}
	return cmp.Compare(a.i, b.i)
}

// smallEditSort is the most edits SortEdits sorts in place, where making
// keys would cost more than it saves.
const smallEditSort = 64

// editKey is what SortEdits orders an edit by: compareEdits's order, with
// rank the negated insertRank of an insertion (math.MinInt32 for text
// that continues the line, 0 for a replacement, which ties with any
// replacement of the same span), and i its place before sorting.
type editKey struct {
	start, end, rank, i int32
}

// compareEdits orders edits by start, then end; insertions at one offset
// by insertRank, highest first; other ties keep their order (0).
func compareEdits(a, b Edit) int {
	if c := cmp.Compare(a.Start, b.Start); c != 0 {
		return c
	}
	if c := cmp.Compare(a.End, b.End); c != 0 {
		return c
	}
	if a.Start == a.End {
		return cmp.Compare(insertRank(b.New), insertRank(a.New))
	}
	return 0
}

// insertRank orders insertions at one offset, highest first: text that
// continues the current line, then new lines by indentation and, at one
// indentation, sequence items before keys: a flush sequence item ("key:"
// then "- x" at the key's column) belongs to the key above, a key to the
// mapping around it.
func insertRank(text string) int {
	i := lineIndent(text)
	if i < 0 {
		return math.MaxInt
	}
	rest := strings.TrimLeft(strings.TrimLeft(text, "\r\n"), " ")
	if rest == "-" || strings.HasPrefix(rest, "- ") || strings.HasPrefix(rest, "-\r") || strings.HasPrefix(rest, "-\n") {
		return 2*i + 1
	}
	return 2 * i
}

// lineIndent is the indentation of inserted text that starts a new line, or
// -1 for text that continues the current one.
func lineIndent(text string) int {
	switch {
	case strings.HasPrefix(text, "\r\n"):
		text = text[2:]
	case strings.HasPrefix(text, "\n"):
		text = text[1:]
	default:
		return -1
	}
	return len(text) - len(strings.TrimLeft(text, " "))
}

// CheckEdits validates edits against a source of size n: each inside the
// source with End >= Start, and no two overlapping. Identical edits are
// allowed (callers coalesce them). It sweeps the edits once in SortEdits
// order: as they are when they come sorted (a fix's do, and the driver
// checks every fix of a pass), else a sorted copy.
func CheckEdits(n int, edits []Edit) error {
	if !slices.IsSortedFunc(edits, compareEdits) {
		_, err := checkedSorted(n, edits)
		return err
	}
	if err := outsideError(n, edits); err != nil {
		return err
	}
	return overlapError(edits)
}

// outsideError returns the error of the first edit that is not inside a
// source of size n (or ends before it starts), or nil.
func outsideError(n int, edits []Edit) error {
	for _, e := range edits {
		if e.Start < 0 || e.End < e.Start || e.End > n {
			return fmt.Errorf("edit %d-%d outside the file (size %d)", e.Start, e.End, n)
		}
	}
	return nil
}

// checkedSorted is CheckEdits that returns the sorted copy it checked,
// for Apply, which writes the edits in that order: a pass of a large file
// sorts a hundred thousand edits, once rather than twice.
func checkedSorted(n int, edits []Edit) ([]Edit, error) {
	if err := outsideError(n, edits); err != nil {
		return nil, err
	}
	sorted := append([]Edit(nil), edits...)
	SortEdits(sorted)
	if err := overlapError(sorted); err != nil {
		return nil, err
	}
	return sorted, nil
}

// overlapError returns the *ConflictError of the first edit of sorted
// (SortEdits order) that overlaps an earlier one, with the nearest edit
// it overlaps, or nil.
func overlapError(sorted []Edit) error {
	if i := firstOverlap(sorted); i >= 0 {
		for j := i - 1; j >= 0; j-- { // name the nearest edit it overlaps
			if sorted[j] != sorted[i] && Overlaps(sorted[j], sorted[i]) {
				return &ConflictError{A: sorted[j], B: sorted[i]}
			}
		}
	}
	return nil
}

// firstOverlap returns the index of the first edit of sorted (SortEdits
// order) that overlaps an earlier one, or -1. In that order an edit can
// only overlap an earlier replacement that ends after it starts (an
// insertion at a replacement's start sorts before it), so the furthest
// end of the earlier replacements decides. Identical edits do not count.
func firstOverlap(sorted []Edit) int {
	far := -1 // furthest End of the replacements so far
	for i, e := range sorted {
		if i > 0 && sorted[i-1] == e {
			continue
		}
		if far > e.Start {
			return i
		}
		if e.End > e.Start {
			far = max(far, e.End)
		}
	}
	return -1
}

// Apply applies edits to src in one pass and returns the new bytes. Identical
// edits coalesce; overlapping ones are a *ConflictError, never merged.
func Apply(src []byte, edits []Edit) ([]byte, error) {
	sorted, err := checkedSorted(len(src), edits)
	if err != nil {
		return nil, err
	}
	// Identical edits are written once.
	return write(src, withoutRepeats(sorted)), nil
}

// ApplyOrdered is Apply for a caller that goes on with the edits as
// Apply ordered them: order lists the indexes of edits in SortEdits order
// (EditOrder's), and written the distinct edits, in that order, that the
// new bytes are src with (for ComposeRegions, which then sorts nothing).
// A fixers pass needs both, and sorting its edits once rather than three
// times saved the 10,000-service benchmark file 3% of its allocations.
func ApplyOrdered(src []byte, edits []Edit) (out []byte, order []int, written []Edit, err error) {
	if err := outsideError(len(src), edits); err != nil {
		return nil, nil, nil, err
	}
	order = EditOrder(edits)
	sorted := inOrder(edits, order)
	if err := overlapError(sorted); err != nil {
		return nil, nil, nil, err
	}
	written = withoutRepeats(sorted)
	return write(src, written), order, written, nil
}

// Written returns again the distinct edits ApplyOrdered wrote, from the
// edits and the order it returned, for a caller that let them go
// meanwhile: without sorting, in linear time.
func Written(edits []Edit, order []int) []Edit {
	return withoutRepeats(inOrder(edits, order))
}

// inOrder returns a new slice of edits in order.
func inOrder(edits []Edit, order []int) []Edit {
	sorted := make([]Edit, len(order))
	for i, k := range order {
		sorted[i] = edits[k]
	}
	return sorted
}

// write returns src with the distinct edits of sorted (SortEdits order)
// applied, sized exactly first.
func write(src []byte, sorted []Edit) []byte {
	size := len(src)
	for _, e := range sorted {
		size += len(e.New) - (e.End - e.Start)
	}
	out := make([]byte, 0, size)
	at := 0
	for _, e := range sorted {
		out = append(out, src[at:e.Start]...)
		out = append(out, e.New...)
		at = e.End
	}
	return append(out, src[at:]...)
}

// InputOffset maps off, a byte offset in the text Apply made of a source
// with edits, back to that source: a byte outside every edit's new text to
// the same byte of the source, a byte of an edit's new text to the edit's
// start. Errors about an edited text use it to point at
// the file as read: the edited text is never written. The edits are those
// Apply accepted.
func InputOffset(edits []Edit, off int) int {
	sorted := append([]Edit(nil), edits...)
	SortEdits(sorted)
	delta := 0 // the edited text's length minus the source's, so far
	for _, e := range withoutRepeats(sorted) {
		start := e.Start + delta
		if off < start {
			break
		}
		if off < start+len(e.New) {
			return e.Start
		}
		delta += len(e.New) - (e.End - e.Start)
	}
	return off - delta
}

// withoutRepeats drops, in place, each edit of sorted (SortEdits order)
// identical to an earlier one, which Apply writes once. Identical
// replacements sort next to each other (any other edit between them would
// overlap them), but identical insertions at one offset need not: three
// appends to one value, "b", "c", "b", sort in their given order, and the
// second "b" is still the first one's duplicate, as Verify counts it (one
// operation made twice, by two rules, is made once). A long run of
// insertions at one offset is checked with a set of its texts, so that k
// insertions cost O(k), not O(k²) comparisons with the run so far.
func withoutRepeats(sorted []Edit) []Edit {
	kept := sorted[:0] // reads stay ahead of writes
	run := 0           // index in kept of the first insertion at the current offset
	var texts map[string]bool
	for _, e := range sorted {
		if n := len(kept); n > 0 {
			last := kept[n-1]
			if last == e {
				continue
			}
			if e.Start == e.End && last.Start == e.Start && last.End == e.End {
				if repeatedIn(kept[run:], &texts, e.New) {
					continue
				}
				kept = append(kept, e)
				continue
			}
		}
		run, texts = len(kept), nil
		kept = append(kept, e)
	}
	return kept
}

// smallRun is the longest run of insertions at one offset that
// repeatedIn scans rather than indexes.
const smallRun = 8

// repeatedIn reports whether run, insertions at one offset, has one of
// text, and notes text as the run's next. *texts indexes the run once it
// is longer than smallRun.
func repeatedIn(run []Edit, texts *map[string]bool, text string) bool {
	if len(run) <= smallRun {
		for _, r := range run {
			if r.New == text {
				return true
			}
		}
		return false
	}
	if *texts == nil {
		*texts = make(map[string]bool, 2*len(run))
		for _, r := range run {
			(*texts)[r.New] = true
		}
	}
	if (*texts)[text] {
		return true
	}
	(*texts)[text] = true
	return false
}

// EditSet holds edits already claimed by accepted fixes and answers
// whether new edits touch them, in logarithmic time per edit: replacements
// that do not overlap each other are sorted by their start and by their
// end alike, so one binary search finds the only candidates. Identical
// edits never conflict (Apply writes them once). The zero value is empty.
//
// Each kind is kept in two sorted runs: what is claimed in order is
// appended to the first; an edit before the end of it goes to a second,
// short run, merged into the first once it holds a few times the square
// root of its length. Fixes are claimed by their first edit, and a fix
// whose first edit is shared (the logging anchor every service's fix
// inserts) claims an edit in every service before the others do:
// inserting each later edit into the middle of one sorted run moved half
// the run each time, quadratic in the services (50 million moves for
// 10,000 of them).
type EditSet struct {
	repl, laterRepl []Edit // replacements (Start < End), each sorted by (Start, End)
	ins, laterIns   []int  // insertion offsets, each sorted
}

// Add claims edits. They must not conflict with the set (Conflicts) nor
// overlap each other.
func (s *EditSet) Add(edits ...Edit) {
	for _, e := range edits {
		// An edit claimed already is not added again: many fixes share one
		// (the logging anchor every service's fix inserts), and inserting
		// each copy near the front of a long set would be quadratic.
		if e.Start == e.End {
			s.ins, s.laterIns = addSorted(s.ins, s.laterIns, e.Start, func(a, b int) bool { return a < b })
			continue
		}
		s.repl, s.laterRepl = addSorted(s.repl, s.laterRepl, e, func(a, b Edit) bool {
			return a.Start < b.Start || a.Start == b.Start && a.End < b.End
		})
	}
}

// addSorted adds v to the sorted runs first and later (see EditSet),
// ordered by less, unless one of them holds an element equal to it.
func addSorted[T comparable](first, later []T, v T, less func(a, b T) bool) ([]T, []T) {
	if len(later) == 0 && (len(first) == 0 || less(first[len(first)-1], v)) {
		return append(first, v), later // in order: most edits
	}
	lowerBound := func(run []T) int { return sort.Search(len(run), func(i int) bool { return !less(run[i], v) }) }
	if i := lowerBound(first); i < len(first) && first[i] == v {
		return first, later
	}
	j := lowerBound(later)
	if j < len(later) && later[j] == v {
		return first, later
	}
	later = slices.Insert(later, j, v)
	if len(later) < 64 || len(later)*len(later) < 16*len(first) {
		return first, later
	}
	// Merge from the back, in place, into first grown by later's length.
	n, m := len(first), len(later)
	first = slices.Grow(first, m)[:n+m]
	for o := n + m - 1; m > 0; o-- {
		if n > 0 && less(later[m-1], first[n-1]) {
			first[o] = first[n-1]
			n--
		} else {
			first[o] = later[m-1]
			m--
		}
	}
	return first, later[:0]
}

// Conflicts reports whether any of edits overlaps a claimed edit that is
// not identical to it.
func (s *EditSet) Conflicts(edits []Edit) bool {
	for _, e := range edits {
		if replConflicts(s.repl, e) || replConflicts(s.laterRepl, e) {
			return true
		}
		if e.Start < e.End && (insInside(s.ins, e) || insInside(s.laterIns, e)) {
			return true
		}
	}
	return false
}

// replConflicts reports whether e overlaps a replacement of the sorted
// run repl that is not identical to it.
func replConflicts(repl []Edit, e Edit) bool {
	// Replacements ending after e starts (after e's offset, for an
	// insertion), in order, until one starts at or after e's end.
	for i := sort.Search(len(repl), func(i int) bool { return repl[i].End > e.Start }); i < len(repl); i++ {
		r := repl[i]
		if r.Start >= max(e.End, e.Start+1) {
			break
		}
		if r != e && Overlaps(r, e) {
			return true
		}
	}
	return false
}

// insInside reports whether an insertion of the sorted run ins is
// strictly inside replacement e.
func insInside(ins []int, e Edit) bool {
	i := sort.SearchInts(ins, e.Start+1)
	return i < len(ins) && ins[i] < e.End
}
