// Package interp reads compose's ${VAR} interpolation in image values. Both
// registry (to resolve a literal default) and fixers (to edit inside one)
// need the same answer, and fixers may not import registry.
package interp

import "strings"

// Literal returns the part of a compose value that can be known without the
// environment, and its byte offset inside s:
//
//	"redis:7"                      → "redis:7", 0, true
//	"${REDIS_IMAGE:-redis:7}"      → "redis:7", 15, true (also ${VAR-default})
//	"${REDIS_IMAGE}", "$IMAGE"     → false
//	"${REGISTRY:-docker.io}/redis" → false (only partly literal)
//
// "$$" (an escaped dollar) cannot occur in an image and gives false too.
func Literal(s string) (text string, offset int, ok bool) {
	if !strings.Contains(s, "$") {
		return s, 0, true
	}
	if !strings.HasPrefix(s, "${") || !strings.HasSuffix(s, "}") {
		return "", 0, false
	}
	body := s[2 : len(s)-1]
	i := strings.IndexAny(body, ":-?+}{$")
	if i <= 0 || !ValidName(body[:i]) {
		return "", 0, false
	}
	op := body[i:]
	var skip int
	switch {
	case strings.HasPrefix(op, ":-"):
		skip = 2
	case strings.HasPrefix(op, "-"):
		skip = 1
	default: // ${VAR}, ${VAR:?err}, ${VAR:+alt}: nothing literal
		return "", 0, false
	}
	def := op[skip:]
	if def == "" || strings.ContainsAny(def, "${}") {
		return "", 0, false
	}
	return def, 2 + i + skip, true
}

// ValidName reports whether s is a shell-style variable name.
func ValidName(s string) bool {
	for i, c := range s {
		switch {
		case c == '_', c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return s != ""
}
