package kb

import (
	"errors"
	"strings"
	"unicode/utf8"
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
	// Every character the splitting looks at is ASCII, which no byte of a
	// multi-byte UTF-8 rune equals, so bytes are read rather than runes and
	// a word with no quote or backslash is a substring of s, not a copy:
	// several rules split every service's command. Invalid UTF-8 is first
	// read as runes read it, each bad byte as U+FFFD.
	if !utf8.ValidString(s) {
		s = string([]rune(s))
	}
	var (
		words []string
		cur   []byte
	)
	for i := 0; i < len(s); {
		if isBlank(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && !isBlank(s[j]) && s[j] != '\\' && s[j] != '\'' && s[j] != '"' {
			j++
		}
		if j == len(s) || isBlank(s[j]) {
			words = append(words, s[i:j])
			i = j
			continue
		}
		cur = append(cur[:0], s[i:j]...)
		var err error
		if cur, i, err = quotedWord(s, j, cur); err != nil {
			return nil, err
		}
		words = append(words, string(cur))
	}
	return words, nil
}

// quotedWord appends to cur the rest of the word that goes on at s[i],
// with its quotes and escapes undone, and returns where the word ends.
func quotedWord(s string, i int, cur []byte) ([]byte, int, error) {
	for i < len(s) && !isBlank(s[i]) {
		switch s[i] {
		case '\\':
			if i+1 == len(s) {
				return nil, 0, ErrUnterminatedQuote
			}
			if s[i+1] != '\n' { // backslash-newline continues the line
				cur = append(cur, s[i+1])
			}
			i += 2
		case '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				return nil, 0, ErrUnterminatedQuote
			}
			cur = append(cur, s[i+1:i+1+end]...)
			i += end + 2
		case '"':
			closed := false
			for i++; i < len(s); i++ {
				c := s[i]
				if c == '"' {
					closed = true
					break
				}
				if c == '\\' && i+1 < len(s) && strings.IndexByte("$`\"\\\n", s[i+1]) >= 0 {
					i++
					if s[i] != '\n' {
						cur = append(cur, s[i])
					}
					continue
				}
				cur = append(cur, c)
			}
			if !closed {
				return nil, 0, ErrUnterminatedQuote
			}
			i++
		default:
			cur = append(cur, s[i])
			i++
		}
	}
	return cur, i, nil
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

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
