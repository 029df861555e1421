package e2e

import (
	"os"
	"os/exec"
	"testing"
)

// Required reports whether COMPOSEFIX_E2E=1 asks every end-to-end check to
// run, so that a missing program fails the test instead of skipping it.
func Required() bool { return os.Getenv("COMPOSEFIX_E2E") == "1" }

// Tool returns the path of the program name. Without it, the test fails
// when Required, and skips otherwise; install says how to get it
// ("apt-get install -y git").
func Tool(t testing.TB, name, install string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if Required() {
		t.Fatalf("COMPOSEFIX_E2E=1 but %s is not installed (%s): %v", name, install, err)
	}
	t.Skipf("%s is not installed (%s); set COMPOSEFIX_E2E=1 to make this a failure: %v", name, install, err)
	return ""
}
