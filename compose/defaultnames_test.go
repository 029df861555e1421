package compose

import (
	"slices"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
)

// TestDefaultNamesAreComposeGos holds the copies of docker compose's
// default file names to compose-go's own lists: ProjectFiles pairs an
// override with its base by them, and a compose-go upgrade that changed
// them would otherwise go unnoticed. (The copies keep compose-go's cli
// package, and the loader it imports, out of the binary.)
func TestDefaultNamesAreComposeGos(t *testing.T) {
	if !slices.Equal(defaultBases[:], cli.DefaultFileNames) {
		t.Errorf("defaultBases = %q, compose-go's cli.DefaultFileNames = %q", defaultBases, cli.DefaultFileNames)
	}
	if !slices.Equal(defaultOverrides[:], cli.DefaultOverrideFileNames) {
		t.Errorf("defaultOverrides = %q, compose-go's cli.DefaultOverrideFileNames = %q", defaultOverrides, cli.DefaultOverrideFileNames)
	}
}
