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
//
// A quote opens such a scalar when nothing after it closes it (an
// unescaped double quote, or a single quote not doubled) and it stands
// where a scalar can start, outside a comment; of those, the first on the
// line named (or on line 1) is the one: a quote further on is inside the
// scalar, and one before it on another line is inside a block scalar, a
// plain scalar or a comment this scan does not parse. ok is false when
// none fits, and when msg says something else.
func unterminatedQuote(msg string, src []byte, lined bool, line int) (pos Pos, ok bool) {
	if !strings.Contains(msg, "found unexpected end of stream") {
		return Pos{}, false
	}
	if !lined {
		line = 0
	}
	n := 1 // the line of src[i]
	for i, c := range src {
		if c == '\n' {
			if n++; n > max(line, 1) {
				break // past the lines the quote can be on
			}
			continue
		}
		if c != '"' && c != '\'' || n != 1 && n != line {
			continue
		}
		start := bytes.LastIndexByte(src[:i], '\n') + 1
		if start == 0 && bytes.HasPrefix(src, bom) {
			start = len(bom) // not text of the line
		}
		if scalarStart(src[start:i]) && !closed(src[i+1:], c) {
			return positionOf(src, i), true
		}
	}
	return Pos{}, false
}

// closed reports whether rest, what follows a quote q, holds the quote
// that closes it.
func closed(rest []byte, q byte) bool {
	for i := 0; i < len(rest); i++ {
		switch {
		case q == '"' && rest[i] == '\\':
			i++ // an escaped character, '"' included
		case rest[i] != q:
		case q == '\'' && i+1 < len(rest) && rest[i+1] == '\'':
			i++ // '' is a quote inside the scalar
		default:
			return true
		}
	}
	return false
}

// scalarStart reports whether a quote after before, the text on its line
// up to it, opens a scalar: at the start of the line or after an
// indicator that a node follows (":", "- " or "? ", "[", "{", ","), or
// after an anchor or tag that does, and not in a comment.
func scalarStart(before []byte) bool {
	if inComment(before) {
		return false
	}
	text := bytes.TrimRight(before, " \t")
	if len(text) == 0 {
		return true
	}
	spaced := len(text) < len(before)
	switch last := text[len(text)-1]; last {
	case ':', '[', '{', ',':
		return true
	case '-', '?':
		return spaced && scalarStart(text[:len(text)-1])
	}
	// An anchor or a tag: "&a " or "!!str " before the quote.
	word := text[bytes.LastIndexAny(text, " \t")+1:]
	if !spaced || word[0] != '&' && word[0] != '!' {
		return false
	}
	return scalarStart(text[:len(text)-len(word)])
}

// inComment reports whether line, the start of a line, ends inside a
// comment: a '#' at its start or after a blank, outside quotes.
func inComment(line []byte) bool {
	var q byte // the quote the scan is inside of, 0 outside
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case q == '"' && c == '\\':
			i++
		case q != 0 && c == q:
			q = 0
		case q != 0:
		case c == '"' || c == '\'':
			q = c
		case c == '#' && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t'):
			return true
		}
	}
	return false
}
