package fixers

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/composefix/composefix/internal/e2e"
)

// TestNoNetworkDependencies keeps the registry, net/http and
// go-containerregistry out of fixers (STYLE.md §2): rules are pure functions
// of the document, the resolutions and the config.
func TestNoNetworkDependencies(t *testing.T) {
	goTool := e2e.Tool(t, "go", "install Go from https://go.dev/dl")
	out, err := exec.Command(goTool, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	forbidden := []string{
		"github.com/composefix/composefix/registry",
		"net/http",
		"github.com/google/go-containerregistry",
	}
	sawCompose := false
	for _, dep := range deps {
		if dep == "github.com/composefix/composefix/compose" {
			sawCompose = true
		}
		for _, f := range forbidden {
			if dep == f || strings.HasPrefix(dep, f+"/") {
				t.Errorf("fixers depends on %s (forbidden prefix %s)", dep, f)
			}
		}
	}
	if !sawCompose { // the list is not what the test thinks it is
		t.Errorf("go list -deps . = %d packages without compose; want compose among them", len(deps))
	}
}
