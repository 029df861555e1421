package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestMainStackGrowsFirst checks that internal/mainstack, which grows the
// main goroutine's stack while it is shallow (issue 14: startup), is
// initialised before any package whose initialisation allocates: grown
// after the libraries' initialisation, the stack would already have been
// copied as it deepened. The process's initialisation order is the
// runtime's inittrace of this test binary, which links what the CLI does.
func TestMainStackGrowsFirst(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	const pkg = "github.com/composefix/composefix/internal/mainstack"
	var before []string // packages initialised earlier that allocate
	for line := range strings.Lines(string(out)) {
		// init PACKAGE @T ms, T ms clock, B bytes, N allocs
		f := strings.Fields(line)
		if len(f) < 11 || f[0] != "init" {
			continue
		}
		if f[1] == pkg {
			if len(before) > 0 {
				t.Errorf("%s is initialised after packages that allocate as they initialise: %s", pkg, strings.Join(before, ", "))
			}
			return
		}
		if f[9] != "0" {
			before = append(before, f[1])
		}
	}
	t.Fatalf("no init of %s in the initialisation trace:\n%s", pkg, out)
}
