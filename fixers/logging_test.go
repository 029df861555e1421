package fixers

import (
	"testing"

	"github.com/composefix/composefix/compose"
)

// TestCanAddAnchor: the logging anchor can be added unless the top-level
// key or the anchor name is taken, wherever the anchor is; text that is
// no anchor (a comment, a value) does not take it.
func TestCanAddAnchor(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want bool
	}{
		{"services:\n  web:\n    image: nginx:1.27.3\n", true},
		{"x-logging: &other\n  driver: local\nservices:\n  web:\n    image: nginx:1.27.3\n", false},
		{"x-base: &" + loggingAnchor + "\n  driver: none\nservices:\n  web:\n    image: nginx:1.27.3\n", false},
		{"services:\n  web:\n    image: nginx:1.27.3\n    labels: &" + loggingAnchor + "\n      a: b\n", false},
		{"# &" + loggingAnchor + "\nservices:\n  web:\n    image: nginx:1.27.3\n    command: echo &" + loggingAnchor + "x\n", true},
	} {
		d, err := compose.Load("compose.yaml", []byte(tc.src))
		if err != nil {
			t.Fatal(err)
		}
		if got := canAddAnchor(d, loggingKey, loggingAnchor); got != tc.want {
			t.Errorf("canAddAnchor(%q) = %v, want %v", tc.src, got, tc.want)
		}
	}
}
