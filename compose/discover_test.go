package compose_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/composefix/composefix/compose"
)

// TestDiscoverWith checks what discovery leaves out: Ignored only inside a
// directory search (a path given is read), Excluded everywhere (a path
// given too, silently), and a directory holding no compose file is an
// error naming it.
func TestDiscoverWith(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"compose.yaml", "ignored/compose.yaml", "excluded/compose.yaml", "empty/readme.md", "x/compose.ignored.yaml"} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("services: {}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	opts := compose.DiscoverOptions{
		Ignored: func(path string, isDir bool) bool {
			return filepath.Base(path) == "ignored" || strings.HasSuffix(path, ".ignored.yaml")
		},
		Excluded: func(path string, isDir bool) bool { return strings.Contains(path, "excluded") },
	}
	in := func(p string) string { return filepath.Join(dir, p) }
	files, errs := compose.DiscoverWith([]string{dir, in("x/compose.ignored.yaml"), in("excluded/compose.yaml"), in("empty")}, opts)
	// x/compose.ignored.yaml is skipped in the search, read as given.
	want := []string{in("compose.yaml"), in("x/compose.ignored.yaml")}
	if strings.Join(files, " ") != strings.Join(want, " ") {
		t.Errorf("files %v, want %v", files, want)
	}
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), in("empty")+": no compose files found") {
		t.Errorf("errors %v, want one naming the empty directory", errs)
	}
}
