package registry

import "github.com/composefix/composefix/internal/interp"

// LiteralImage returns the part of a compose image value that can be
// resolved without the environment, and its byte offset inside s so that an
// edit can target it:
//
//	"redis:7"                     → "redis:7", 0
//	"${REDIS_IMAGE:-redis:7}"     → "redis:7", 15 (also ${VAR-default})
//	"${REDIS_IMAGE}", "$IMAGE"    → *InterpolationError
//	"${REGISTRY:-docker.io}/redis" → *InterpolationError (only partly literal)
//
// "$$" (an escaped dollar) cannot occur in a valid image and is rejected in
// the same way. The error wraps ErrInterpolated.
func LiteralImage(s string) (text string, offset int, err error) {
	text, offset, ok := interp.Literal(s)
	if !ok {
		return "", 0, &InterpolationError{Value: s}
	}
	return text, offset, nil
}
