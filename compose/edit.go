package compose

import (
	"fmt"
	"math"
	"sort"
	"strings"
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
	sort.SliceStable(edits, func(i, j int) bool {
		a, b := edits[i], edits[j]
		if a.Start != b.Start {
			return a.Start < b.Start
		}
		if a.End != b.End {
			return a.End < b.End
		}
		if a.Start == a.End {
			return insertRank(a.New) > insertRank(b.New)
		}
		return false
	})
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
// allowed (callers coalesce them).
func CheckEdits(n int, edits []Edit) error {
	for _, e := range edits {
		if e.Start < 0 || e.End < e.Start || e.End > n {
			return fmt.Errorf("edit %d-%d outside the file (size %d)", e.Start, e.End, n)
		}
	}
	sorted := append([]Edit(nil), edits...)
	SortEdits(sorted)
	for i := 1; i < len(sorted); i++ {
		for j := i - 1; j >= 0; j-- { // edits per file are few: pairwise is fine
			if sorted[j] != sorted[i] && Overlaps(sorted[j], sorted[i]) {
				return &ConflictError{A: sorted[j], B: sorted[i]}
			}
		}
	}
	return nil
}

// Apply applies edits to src in one pass and returns the new bytes. Identical
// edits coalesce; overlapping ones are a *ConflictError, never merged.
func Apply(src []byte, edits []Edit) ([]byte, error) {
	if err := CheckEdits(len(src), edits); err != nil {
		return nil, err
	}
	sorted := append([]Edit(nil), edits...)
	SortEdits(sorted)
	var b strings.Builder
	b.Grow(len(src) + 256)
	at := 0
	var prev *Edit
	for i := range sorted {
		e := sorted[i]
		if prev != nil && *prev == e {
			continue
		}
		b.Write(src[at:e.Start])
		b.WriteString(e.New)
		at = e.End
		prev = &sorted[i]
	}
	b.Write(src[at:])
	return []byte(b.String()), nil
}
