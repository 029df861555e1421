package pipeline

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/fixers"
	"github.com/composefix/composefix/registry"
)

// TestWriteFixesWithContextAsFirstRead: a file's project (its override, a
// named overlay, an included file) is read again from disk when the file's
// turn to be fixed comes. With --write, an input given earlier in the run
// may have been rewritten by then; the file must still be analysed with
// the project as it was, so that --write writes what the dry run's diff
// shows. Here the override is fixed (and written) first; the base's web
// then must not see the healthcheck the override gained in this run
// (CF102 would change its depends_on). The filler files put more than a
// window of files between the two, so that the override is written before
// the base's fixing starts.
func TestWriteFixesWithContextAsFirstRead(t *testing.T) {
	first := map[string]string{"compose.override.yaml": "services:\n  worker:\n    image: redis:7.2.4\n"}
	last := map[string]string{"compose.yaml": "services:\n  web:\n    image: nginx:1.25.3\n    depends_on:\n      - worker\n"}
	dry, _ := runFirstAndLast(t, false, first, last)
	written, err := runFirstAndLast(t, true, first, last)
	if err != nil {
		t.Fatalf("with --write: %v", err)
	}
	if dry != written {
		t.Errorf("the base fixed with --write:\n%s\nwant as in the dry run:\n%s", written, dry)
	}
}

// TestWriteRefusesContextRewrittenUnforeseen: an input reached only
// through a file that is not an input (z includes y, which includes x) is
// not known, before fixing, to be read by another input, so its bytes are
// not kept when it is rewritten. The file that reads it must then not be
// analysed without it, or with its new bytes: it gets an error saying to
// run composefix again, or is fixed as in the dry run.
func TestWriteRefusesContextRewrittenUnforeseen(t *testing.T) {
	first := map[string]string{"x/compose.yaml": "services:\n  worker:\n    image: redis:7.2.4\n"}
	last := map[string]string{
		"y/common.yaml":  "include:\n  - ../x/compose.yaml\n",
		"z/compose.yaml": "include:\n  - ../y/common.yaml\nservices:\n  web:\n    image: nginx:1.25.3\n    depends_on:\n      - worker\n",
	}
	dry, err := runFirstAndLast(t, false, first, last)
	if err != nil {
		t.Fatalf("dry run: %v", err)
	}
	written, err := runFirstAndLast(t, true, first, last)
	if err != nil {
		if !strings.Contains(err.Error(), "changed while composefix was running; run composefix again") {
			t.Errorf("with --write: %v, want an error saying x/compose.yaml changed", err)
		}
		t.Logf("with --write: %v", err)
		return
	}
	if dry != written {
		t.Errorf("z fixed with --write:\n%s\nwant as in the dry run:\n%s", written, dry)
	}
}

// runFirstAndLast runs over the compose files of first, 20 files of their
// own, then the compose files of last (each map: path -> content; a name
// that is no compose file's is written, not given), and returns the last
// file's output and findings, or its error. The files between put more
// than a window of files between first and last, so that with write the
// first are rewritten before the last are fixed.
func runFirstAndLast(t *testing.T, write bool, first, last map[string]string) (string, error) {
	t.Helper()
	cfg := fullConfig(t)
	dir := t.TempDir()
	put := func(files map[string]string) []string {
		var paths []string
		for _, name := range slices.Sorted(maps.Keys(files)) {
			path := filepath.Join(dir, name)
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(files[name]), 0o644); err != nil {
				t.Fatal(err)
			}
			if compose.IsComposeName(filepath.Base(name)) {
				paths = append(paths, path)
			}
		}
		return paths
	}
	paths := put(first)
	fillers := map[string]string{}
	for i := range 20 {
		fillers[fmt.Sprintf("f%02d/compose.yaml", i)] = "services:\n  a:\n    image: busybox:1.36.1\n"
	}
	paths = append(paths, put(fillers)...)
	lastPaths := put(last)
	paths = append(paths, lastPaths...)
	o := Options{
		Paths: paths, Rules: fixers.Rules(), Fixers: cfg, Write: write,
		Registry: []registry.Option{registry.WithOffline(true), registry.WithCacheDir(t.TempDir())},
	}
	var out string
	var lastErr error
	Run(context.Background(), o, func(f *File) {
		if f.Path != lastPaths[len(lastPaths)-1] {
			if f.Err != nil {
				t.Errorf("%s: %v", f.Path, f.Err)
			}
			return
		}
		lastErr = f.Err
		var b strings.Builder
		b.Write(f.Output)
		for _, fd := range f.Findings {
			fmt.Fprintf(&b, "%s %s\n", fd.RuleID, fd.Message)
		}
		out = b.String()
	})
	return out, lastErr
}
