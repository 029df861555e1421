package interp

import (
	"testing"

	_ "github.com/composefix/composefix/internal/golden"
)

func TestLiteral(t *testing.T) {
	tests := []struct {
		in     string
		text   string
		offset int
		ok     bool
	}{
		{"redis:7", "redis:7", 0, true},
		{"${REDIS_IMAGE:-redis:7}", "redis:7", 15, true},
		{"${REDIS_IMAGE-redis:7}", "redis:7", 14, true},
		{"${REDIS_IMAGE}", "", 0, false},
		{"$IMAGE", "", 0, false},
		{"${REGISTRY:-docker.io}/redis", "", 0, false},
		{"${IMAGE:?must be set}", "", 0, false},
		{"${IMAGE:-}", "", 0, false},
		{"${IMAGE:-${OTHER}}", "", 0, false},
		{"${1BAD:-redis}", "", 0, false},
		{"$${IMAGE:-redis}", "", 0, false},
	}
	for _, tt := range tests {
		text, offset, ok := Literal(tt.in)
		if text != tt.text || offset != tt.offset || ok != tt.ok {
			t.Errorf("Literal(%q) = %q, %d, %v, want %q, %d, %v", tt.in, text, offset, ok, tt.text, tt.offset, tt.ok)
		}
		if ok && tt.in[offset:offset+len(text)] != text {
			t.Errorf("Literal(%q): offset %d does not locate %q", tt.in, offset, text)
		}
	}
}
