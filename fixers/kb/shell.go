package kb

import (
	"errors"
	"strings"
)

// ErrUnterminatedQuote is returned by SplitShell for a string whose quote is
// never closed or that ends in a lone backslash.
var ErrUnterminatedQuote = errors.New("unterminated quote")

// SplitShell splits a command written as one string into words the way a
// POSIX shell would, without expanding anything: blanks separate words,
// single quotes keep everything literally, double quotes keep everything but
// a backslash before one of $ ` " \ or a newline, and a backslash outside
// quotes keeps the next character. `$`, `${...}` and `$$` stay as written.
// It is meant for compose's string form of `command:`.
func SplitShell(s string) ([]string, error) {
	var (
		words  []string
		cur    strings.Builder
		inWord bool
	)
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch r {
		case ' ', '\t', '\n', '\r':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case '\\':
			inWord = true
			if i+1 == len(rs) {
				return nil, ErrUnterminatedQuote
			}
			i++
			if rs[i] != '\n' { // backslash-newline continues the line
				cur.WriteRune(rs[i])
			}
		case '\'':
			inWord = true
			end := indexRune(rs, i+1, '\'')
			if end < 0 {
				return nil, ErrUnterminatedQuote
			}
			cur.WriteString(string(rs[i+1 : end]))
			i = end
		case '"':
			inWord = true
			closed := false
			for i++; i < len(rs); i++ {
				c := rs[i]
				if c == '"' {
					closed = true
					break
				}
				if c == '\\' && i+1 < len(rs) && strings.ContainsRune("$`\"\\\n", rs[i+1]) {
					i++
					if rs[i] != '\n' {
						cur.WriteRune(rs[i])
					}
					continue
				}
				cur.WriteRune(c)
			}
			if !closed {
				return nil, ErrUnterminatedQuote
			}
		default:
			inWord = true
			cur.WriteRune(r)
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

func indexRune(rs []rune, from int, r rune) int {
	for i := from; i < len(rs); i++ {
		if rs[i] == r {
			return i
		}
	}
	return -1
}

// shellSafe reports whether s needs no quoting in a POSIX shell.
func shellSafe(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case strings.ContainsRune("@%+=:,./-_", r):
		default:
			return false
		}
	}
	return true
}

// shellQuote quotes s for a CMD-SHELL command. Values that need quoting go in
// double quotes so that `$` keeps working: a value copied from the compose
// file such as `${REDIS_PASSWORD}` is interpolated by compose first, and a
// `$$VAR` becomes `$VAR`, which the container's shell expands. Backslashes,
// double quotes and backquotes are escaped.
func shellQuote(s string) string {
	if shellSafe(s) {
		return s
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		if r == '\\' || r == '"' || r == '`' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	return b.String()
}
