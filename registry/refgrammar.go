package registry

import "strings"

// The reference grammar of the distribution spec, matched by hand: the
// regular expressions it is written in (kept in refgrammar_test.go, which
// checks these against them) cost the run about 90 µs to compile at its
// first reference and 0.5 µs a reference to match, on the serial stretch
// where Resolve parses every reference before the lookups start (issue 14).

// isPathComponent matches ^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$: runs
// of lowercase letters and digits joined by ".", "_", "__" or dashes.
func isPathComponent(s string) bool {
	return joinedRuns(s, func(i int) int {
		switch s[i] {
		case '.':
			return i + 1
		case '_':
			if i+1 < len(s) && s[i+1] == '_' {
				return i + 2
			}
			return i + 1
		case '-':
			for i < len(s) && s[i] == '-' {
				i++
			}
			return i
		}
		return -1
	})
}

// joinedRuns reports whether s is runs of lowercase letters and digits
// joined by separators: sep returns the end of the separator at s[i], or
// -1 where none starts.
func joinedRuns(s string, sep func(i int) int) bool {
	i := 0
	for {
		start := i
		for i < len(s) && isLowerAlnum(s[i]) {
			i++
		}
		if i == start {
			return false
		}
		if i == len(s) {
			return true
		}
		if i = sep(i); i < 0 {
			return false
		}
	}
}

// isTag matches ^[A-Za-z0-9_][A-Za-z0-9_.-]*$ (the tag grammar but its
// length, which ParseReference checks).
func isTag(s string) bool {
	return s != "" && s[0] != '.' && s[0] != '-' && alnumOr(s, "_.-")
}

// isDigest matches ^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$:
// an algorithm (runs of lowercase letters and digits joined by single
// separators), a colon, and at least 32 characters of encoded hash.
func isDigest(s string) bool {
	algo, hash, ok := strings.Cut(s, ":")
	if !ok || len(hash) < 32 {
		return false
	}
	single := func(i int) int {
		if strings.IndexByte(".+_-", algo[i]) < 0 {
			return -1
		}
		return i + 1
	}
	if !joinedRuns(algo, single) {
		return false
	}
	return alnumOr(hash, "=_-")
}

// isHost matches the registry host grammar: dot-separated labels of
// letters, digits and inner dashes, or an IPv6 address in brackets, and
// an optional port:
// ^(?:label(?:\.label)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]+)?$ with label
// [A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?.
func isHost(s string) bool {
	i := 0
	if strings.HasPrefix(s, "[") {
		j := strings.IndexByte(s, ']')
		if j < 2 {
			return false
		}
		for k := 1; k < j; k++ {
			if c := s[k]; !isHexDigit(c) && c != ':' && c != '.' {
				return false
			}
		}
		i = j + 1
	} else {
		for {
			start := i
			for i < len(s) && (isAlnum(s[i]) || s[i] == '-') {
				i++
			}
			if i == start || s[start] == '-' || s[i-1] == '-' {
				return false
			}
			if i < len(s) && s[i] == '.' {
				i++
				continue
			}
			break
		}
	}
	port := s[i:]
	if port == "" {
		return true
	}
	if port[0] != ':' || len(port) == 1 {
		return false
	}
	for k := 1; k < len(port); k++ {
		if port[k] < '0' || port[k] > '9' {
			return false
		}
	}
	return true
}

// alnumOr reports whether every byte of s is an ASCII letter, a digit or
// one of extra.
func alnumOr(s, extra string) bool {
	for i := 0; i < len(s); i++ {
		if !isAlnum(s[i]) && strings.IndexByte(extra, s[i]) < 0 {
			return false
		}
	}
	return true
}

func isLowerAlnum(c byte) bool { return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' }

func isAlnum(c byte) bool { return isLowerAlnum(c) || 'A' <= c && c <= 'Z' }

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
