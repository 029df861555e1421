package compose

import (
	"bytes"
	"strings"
)

// unterminatedQuote returns, when yaml.v3's error message msg about src
// is "found unexpected end of stream", the position of the opening quote
// of the quoted scalar that runs to the end of src: only yaml.v3's
// quoted-scalar scanner says so ("while scanning a quoted scalar", the
// quote its context mark). The message names the quote's line when that
// is not line 1, and otherwise the line where the stream ends (or none,
// when that is line 1 too): lined says whether it names one, line which.
// So the quote is on line 1 or on that line.
//
// It is found by reading src as yaml.v3 scans quotes (openingIn) from the
// start of the file up to that line, which knows the quoted scalars that
// span lines; and, when that finds none there (text this scan does not
// parse, such as a block scalar holding a quote, misled it), by reading
// line 1, then that line, alone. ok is false when neither finds it, and
// when msg says something else.
func unterminatedQuote(msg string, src []byte, lined bool, line int) (pos Pos, ok bool) {
	if !strings.Contains(msg, "found unexpected end of stream") {
		return Pos{}, false
	}
	if !lined {
		line = 1
	}
	first := 0
	if bytes.HasPrefix(src, bom) {
		first = len(bom) // not text of the line
	}
	onLine := func(p Pos, ok bool) bool { return ok && (p.Line == 1 || p.Line == line) }
	if pos, ok = openingIn(src, first, line); onLine(pos, ok) {
		return pos, true
	}
	if pos, ok = openingIn(src, first, 1); onLine(pos, ok) {
		return pos, true
	}
	if start, found := lineStart(src, line); found && line > 1 {
		if pos, ok = openingIn(src, start, line); onLine(pos, ok) {
			return pos, true
		}
	}
	return Pos{}, false
}

// lineStart returns the offset where line n of src (1-based) starts.
func lineStart(src []byte, n int) (int, bool) {
	start := 0
	for ; n > 1; n-- {
		i := bytes.IndexByte(src[start:], '\n')
		if i < 0 {
			return 0, false
		}
		start += i + 1
	}
	return start, true
}

// openingIn returns the position of the first quote that opens a quoted
// scalar nothing after it closes, reading src from offset from (the start
// of a line) to the end of line last as yaml.v3 scans quotes: a quote
// where a scalar can start (scalarStart, or right after a quoted scalar)
// opens one, whose text up to its closing quote is skipped (escaped and
// doubled quotes are text, line breaks too); a '#' at the start of a line
// or after a blank, outside such a scalar, starts a comment, which runs to
// the end of its line.
func openingIn(src []byte, from, last int) (Pos, bool) {
	end := len(src) // of line last
	if start, ok := lineStart(src, last+1); ok {
		end = start - 1
	}
	lineAt := from // the start of the line of src[i]
	closed := -1   // the offset of the last closing quote read
	for i := from; i < end; i++ {
		switch c := src[i]; {
		case c == '\n':
			lineAt = i + 1
		case c == '#' && (i == lineAt || src[i-1] == ' ' || src[i-1] == '\t'):
			if j := bytes.IndexByte(src[i:], '\n'); j >= 0 {
				i += j - 1 // the line break is read next
			} else {
				i = end
			}
		case (c == '"' || c == '\'') && (scalarStart(src[lineAt:i]) || closed >= lineAt && len(bytes.Trim(src[closed+1:i], " \t")) == 0):
			j := closing(src[i+1:], c)
			if j < 0 {
				return positionOf(src, i), true
			}
			i += 1 + j // at the closing quote
			closed = i
			lineAt = bytes.LastIndexByte(src[:i], '\n') + 1
		}
	}
	return Pos{}, false
}

// closing returns the index in rest, what follows a quote q, of the quote
// that closes it, or -1 when none does.
func closing(rest []byte, q byte) int {
	for i := 0; i < len(rest); i++ {
		switch {
		case q == '"' && rest[i] == '\\':
			i++ // an escaped character, '"' included
		case rest[i] != q:
		case q == '\'' && i+1 < len(rest) && rest[i+1] == '\'':
			i++ // '' is a quote inside the scalar
		default:
			return i
		}
	}
	return -1
}

// scalarStart reports whether a quote after before, the text on its line
// up to it, opens a scalar: at the start of the line or after an
// indicator that a node follows (":", "- " or "? ", "[", "{", ","), or an
// anchor or tag that does, or after the end of a flow collection ("]",
// "}"), where yaml.v3 scans the next token: in a flow sequence it also
// ends a plain scalar, as "}" does in ["-U, "${USER}"], whose last quote
// opens the scalar that runs on.
func scalarStart(before []byte) bool {
	text := bytes.TrimRight(before, " \t")
	if len(text) == 0 {
		return true
	}
	spaced := len(text) < len(before)
	switch last := text[len(text)-1]; last {
	case ':', '[', '{', ',', ']', '}':
		return true
	case '-', '?':
		return spaced && scalarStart(text[:len(text)-1])
	}
	// An anchor or a tag: "&a " or "!!str " before the quote.
	word := text[bytes.LastIndexAny(text, " \t[{,")+1:]
	if !spaced || word[0] != '&' && word[0] != '!' {
		return false
	}
	return scalarStart(text[:len(text)-len(word)])
}
