package registry

import "strings"

// LiteralImage returns the part of a compose image value that can be
// resolved without the environment, and its byte offset inside s so that an
// edit can target it:
//
//	"redis:7"                     → "redis:7", 0
//	"${REDIS_IMAGE:-redis:7}"     → "redis:7", 16 (also ${VAR-default})
//	"${REDIS_IMAGE}", "$IMAGE"    → *InterpolationError
//	"${REGISTRY:-docker.io}/redis" → *InterpolationError (only partly literal)
//
// "$$" (an escaped dollar) cannot occur in a valid image and is rejected in
// the same way. The error wraps ErrInterpolated.
func LiteralImage(s string) (text string, offset int, err error) {
	if !strings.Contains(s, "$") {
		return s, 0, nil
	}
	fail := &InterpolationError{Value: s}
	if !strings.HasPrefix(s, "${") || !strings.HasSuffix(s, "}") {
		return "", 0, fail
	}
	body := s[2 : len(s)-1]
	i := strings.IndexAny(body, ":-?+}{$")
	if i <= 0 || !validVarName(body[:i]) {
		return "", 0, fail
	}
	op := body[i:]
	var skip int
	switch {
	case strings.HasPrefix(op, ":-"):
		skip = 2
	case strings.HasPrefix(op, "-"):
		skip = 1
	default: // ${VAR}, ${VAR:?err}, ${VAR:+alt}: nothing literal to resolve
		return "", 0, fail
	}
	def := op[skip:]
	if def == "" || strings.ContainsAny(def, "${}") {
		return "", 0, fail
	}
	return def, 2 + i + skip, nil
}

// validVarName reports whether s is a shell-style variable name.
func validVarName(s string) bool {
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
