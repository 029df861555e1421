package lazyre

import (
	"testing"

	_ "github.com/composefix/composefix/internal/golden" // defines -update for go test ./... -update
)

func TestNewCompilesOnceOnFirstUse(t *testing.T) {
	re := New(`^a+$`)
	first := re()
	if !first.MatchString("aaa") || first.MatchString("b") {
		t.Fatalf("New(%q) matches wrongly", `^a+$`)
	}
	if re() != first {
		t.Error("New returned a different *regexp.Regexp on the second call; want the one compiled first")
	}
}

func TestNewPanicsOnFirstUseOfABadPattern(t *testing.T) {
	re := New(`(`) // must not panic here
	defer func() {
		if recover() == nil {
			t.Error("New(`(`)() did not panic")
		}
	}()
	re()
}
