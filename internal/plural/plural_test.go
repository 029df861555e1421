package plural

import (
	"testing"

	_ "github.com/composefix/composefix/internal/golden" // defines -update for go test ./... -update
)

func TestNoun(t *testing.T) {
	tests := []struct {
		n    int
		word string
		want string
	}{
		{1, "file", "file"},
		{0, "file", "files"},
		{2, "image", "images"},
		{1, "fix", "fix"},
		{3, "fix", "fixes"},
		{-1, "error", "errors"},
	}
	for _, tt := range tests {
		if got := Noun(tt.n, tt.word); got != tt.want {
			t.Errorf("Noun(%d, %q) = %q, want %q", tt.n, tt.word, got, tt.want)
		}
	}
}
