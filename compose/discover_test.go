package compose_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/composefix/composefix/compose"
)

// makeComposeFiles writes an empty compose file at each name under dir,
// making the directories it needs.
func makeComposeFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	for _, name := range names {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("services: {}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDiscoverWith checks what discovery leaves out: Ignored only inside a
// directory search (a path given is read), Excluded everywhere (a path
// given too, silently), and a directory holding no compose file is an
// error naming it.
func TestDiscoverWith(t *testing.T) {
	dir := t.TempDir()
	makeComposeFiles(t, dir, "compose.yaml", "ignored/compose.yaml", "excluded/compose.yaml", "empty/readme.md", "x/compose.ignored.yaml")
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

// TestDiscoverOncePerFile: a file reached by several spellings (a
// symlinked directory, a symlink to it, ".." after a symlinked directory,
// which goes up from the link's target, not lexically, a directory search
// and a relative path) is listed once, under its first spelling, and
// files that only look alike stay apart.
func TestDiscoverOncePerFile(t *testing.T) {
	dir := t.TempDir()
	makeComposeFiles(t, dir, "compose.yaml", "real/compose.yaml", "real/sub/compose.yaml", "real/sub/docker-compose.yml")
	in := func(p string) string { return filepath.Join(dir, p) }
	for link, target := range map[string]string{"linkdir": "real/sub", "link.yaml": "real/compose.yaml", "real/up": "."} {
		if err := os.Symlink(in(target), in(link)); err != nil {
			t.Skip(err)
		}
	}
	t.Chdir(dir)
	tests := []struct {
		paths, want []string
	}{
		{
			[]string{in("real/compose.yaml"), in("link.yaml"), dir + "/linkdir/../compose.yaml", "real/compose.yaml", in("real/up/real/compose.yaml")},
			[]string{in("real/compose.yaml")},
		},
		{
			// Lexically linkdir/.. is dir; through the link it is real.
			[]string{in("compose.yaml"), dir + "/linkdir/../compose.yaml", "linkdir/../../compose.yaml"},
			[]string{in("compose.yaml"), dir + "/linkdir/../compose.yaml"},
		},
		{
			[]string{in("linkdir/compose.yaml"), in("real/sub"), "./real/sub/compose.yaml", "linkdir//docker-compose.yml"},
			[]string{in("linkdir/compose.yaml"), in("real/sub/docker-compose.yml")},
		},
		{
			[]string{"compose.yaml", in("real"), in("compose.yaml")},
			[]string{"compose.yaml", in("real/compose.yaml"), in("real/sub/compose.yaml"), in("real/sub/docker-compose.yml")},
		},
	}
	for _, tt := range tests {
		files, errs := compose.Discover(tt.paths)
		if len(errs) > 0 || strings.Join(files, " ") != strings.Join(tt.want, " ") {
			t.Errorf("Discover(%q) = %q, %v; want %q", tt.paths, files, errs, tt.want)
		}
	}
}
