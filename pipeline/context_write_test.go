package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

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
	k, err := fixers.LoadKnowledge()
	if err != nil {
		t.Fatal(err)
	}
	cfg := fixers.DefaultConfig()
	cfg.Knowledge = k
	run := func(write bool) string {
		dir := t.TempDir()
		put := func(name, src string) string {
			path := filepath.Join(dir, name)
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			return path
		}
		paths := []string{put("compose.override.yaml", "services:\n  worker:\n    image: redis:7.2.4\n")}
		for i := range 20 {
			paths = append(paths, put(fmt.Sprintf("f%02d/compose.yaml", i), "services:\n  a:\n    image: busybox:1.36.1\n"))
		}
		base := put("compose.yaml", "services:\n  web:\n    image: nginx:1.25.3\n    depends_on:\n      - worker\n")
		paths = append(paths, base)
		o := Options{
			Paths: paths, Rules: fixers.Rules(), Fixers: cfg, Write: write,
			Registry: []registry.Option{registry.WithOffline(true), registry.WithCacheDir(t.TempDir())},
		}
		var out string
		r := Run(context.Background(), o, func(f *File) {
			if f.Err != nil {
				t.Errorf("%s: %v", f.Path, f.Err)
			}
			if f.Path == base {
				out = string(f.Output)
			}
		})
		if r.Failed() {
			t.Fatalf("write=%v: the run failed", write)
		}
		return out
	}
	if dry, written := run(false), run(true); dry != written {
		t.Errorf("the base fixed with --write:\n%s\nwant as in the dry run:\n%s", written, dry)
	}
}
