package report

import (
	"sort"
	"unicode/utf8"

	"github.com/composefix/composefix/compose"
)

// lineIndex turns byte offsets of one source into 1-based line and
// character-column positions, the way compose.Document does.
type lineIndex struct {
	src    []byte
	starts []int // byte offset of the start of each line
}

func newLineIndex(src []byte) *lineIndex {
	starts := []int{0}
	for i, c := range src {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return &lineIndex{src: src, starts: starts}
}

// pos returns the position of byte offset off, clamped to the source.
func (x *lineIndex) pos(off int) compose.Pos {
	off = max(0, min(off, len(x.src)))
	line := sort.Search(len(x.starts), func(i int) bool { return x.starts[i] > off }) - 1
	return compose.Pos{Line: line + 1, Col: utf8.RuneCount(x.src[x.starts[line]:off]) + 1}
}

// span returns a finding's start and end, the end defaulting to the start
// when the rule gave none. Line 0 means the finding is about the whole file.
func span(start, end compose.Pos) (compose.Pos, compose.Pos) {
	if end.Line < start.Line || (end.Line == start.Line && end.Col < start.Col) {
		end = start
	}
	return start, end
}
