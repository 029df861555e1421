package ignore

import (
	"strings"
	"unicode/utf8"
)

// class returns the POSIX character class git's wildmatch calls name as
// the ASCII ranges it tests (git's own ctype, not the locale's), each range
// two bytes, first and last, or false for a class git does not know:
// path.Match has no classes.
func class(name string) ([]string, bool) {
	switch name {
	case "alnum":
		return []string{"09", "AZ", "az"}, true
	case "alpha":
		return []string{"AZ", "az"}, true
	case "blank":
		return []string{"\t\t", "  "}, true
	case "cntrl":
		return []string{"\x00\x1f", "\x7f\x7f"}, true
	case "digit":
		return []string{"09"}, true
	case "graph":
		return []string{"!~"}, true
	case "lower":
		return []string{"az"}, true
	case "print":
		return []string{" ~"}, true
	case "punct":
		return []string{"!.", ":@", "[`", "{~"}, true // "/" is never in a name, and would cut the pattern
	case "space":
		return []string{"\t\n", "\r\r", "  "}, true
	case "upper":
		return []string{"AZ"}, true
	case "xdigit":
		return []string{"09", "AF", "af"}, true
	}
	return nil, false
}

// wildmatch rewrites a gitignore pattern line's bracket expressions from
// git's wildmatch dialect into the path.Match dialect go-git's matcher
// uses, so a pattern selects the files git selects: "[!...]" negates in
// git but is a set holding "!" for path.Match (which negates with "^");
// a "]" first in the set, a "-" first or last, and "[:class:]" are
// members for git but malformed or literal for path.Match. Everything
// outside brackets (escapes, "*", "?", "/", a leading "!") is kept byte
// for byte, so go-git cuts the line as before. A bracket git cannot close,
// or naming an unknown class, matches nothing in git; it becomes "[]",
// which path.Match refuses (go-git then matches nothing) and Check
// reports. So does one holding a "/", which go-git would cut apart (git
// reads such a "/" as a member that never matches: left as a difference).
// Bytes at or above 0x80 are spelled as bytewise spells them.
func wildmatch(line string) string {
	if !strings.Contains(line, "[") {
		return bytewise(line)
	}
	var b strings.Builder
	for i := 0; i < len(line); i++ {
		switch c := line[i]; c {
		case '\\':
			b.WriteByte(c)
			if i+1 < len(line) {
				i++
				writeByte(&b, line[i])
			}
		case '[':
			set, n, ok := bracket(line[i+1:])
			if !ok {
				b.WriteString("[]")
				continue
			}
			b.WriteString(set)
			i += n
		default:
			writeByte(&b, c)
		}
	}
	return b.String()
}

// bracket translates the bracket expression whose "[" precedes s, following
// git's wildmatch.c: it returns the path.Match form and how many bytes of s
// it used, or !ok when git would give up (no "]", an unknown class, a
// trailing backslash) or the bracket holds a "/".
func bracket(s string) (set string, n int, ok bool) {
	var b strings.Builder
	b.WriteByte('[')
	i := 0
	negated := i < len(s) && (s[i] == '!' || s[i] == '^')
	if negated {
		b.WriteByte('^')
		i++
	}
	var prev byte // the last member if one character, which a "-" can start a range from; else 0
	for first := true; ; first = false {
		if i >= len(s) || s[i] == '/' {
			return "", 0, false
		}
		c := s[i]
		switch {
		case c == ']' && !first:
			if negated {
				// path.Match's "*" steps bytes, so it can try the set
				// on a byte inside a spelled rune, which reads as
				// utf8.RuneError: a member of every negated set, so
				// "*[!é]" does not match "é" (git: it does not).
				b.WriteRune(utf8.RuneError)
			}
			b.WriteByte(']')
			return b.String(), i + 1, true
		case c == '\\':
			if i+1 >= len(s) {
				return "", 0, false
			}
			i++
			member(&b, s[i])
			prev = s[i]
		case c == '-' && prev != 0 && i+1 < len(s) && s[i+1] != ']':
			i++
			hi := s[i]
			if hi == '\\' {
				if i+1 >= len(s) {
					return "", 0, false
				}
				i++
				hi = s[i]
			}
			if hi >= prev { // git tests the first end alone too: "[z-a]" holds "z"
				b.WriteByte('-')
				member(&b, hi)
			}
			prev = 0
		case c == '[' && i+1 < len(s) && s[i+1] == ':':
			end := strings.IndexByte(s[i+2:], ']')
			if end < 0 {
				return "", 0, false
			}
			name := s[i+2 : i+2+end]
			if !strings.HasSuffix(name, ":") {
				member(&b, '[') // no ":]": git takes the "[" as a member
				prev = '['
				break
			}
			ranges, known := class(strings.TrimSuffix(name, ":"))
			if !known {
				return "", 0, false
			}
			for _, r := range ranges {
				member(&b, r[0])
				b.WriteByte('-')
				member(&b, r[1])
			}
			i += 2 + end
			prev = 0
		default:
			member(&b, c)
			prev = c
		}
		i++
	}
}

// member writes one literal member of a set, escaped when path.Match would
// read it as syntax.
func member(b *strings.Builder, c byte) {
	if strings.IndexByte(`\]-^[`, c) >= 0 {
		b.WriteByte('\\')
	}
	writeByte(b, c)
}

// writeByte writes c, spelled as bytewise spells it.
func writeByte(b *strings.Builder, c byte) {
	if c < utf8.RuneSelf {
		b.WriteByte(c)
	} else {
		b.WriteRune(rune(c))
	}
}

// bytewise spells each byte of s at or above 0x80 as the rune of the same
// number, so that path.Match, which steps through runes, steps through
// bytes as git's wildmatch does: for git "?" is one byte of "é", and "[é]"
// a set of two bytes. Patterns and paths are both spelled so (wildmatch,
// split), so equal bytes stay equal.
func bytewise(s string) string {
	i := 0
	for i < len(s) && s[i] < utf8.RuneSelf {
		i++
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + len(s) - i)
	b.WriteString(s[:i])
	for ; i < len(s); i++ {
		b.WriteRune(rune(s[i]))
	}
	return b.String()
}
