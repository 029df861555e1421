package pipeline

import (
	"crypto/sha256"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/composefix/composefix/compose"
)

// TestChangedFileErrorsSayTheSame: each place that finds a file changed
// while composefix ran (writing it, reading it again to fix it, reading it
// as another file's context) says so in the same words, naming the file
// and what to do. They used to say it three ways.
func TestChangedFileErrorsSayTheSame(t *testing.T) {
	const want = "the file changed while composefix was running; run composefix again"
	dir := t.TempDir()
	path := filepath.Join(dir, "compose.yaml")
	now := []byte("services:\n  web:\n    image: nginx:1.27.3\n")
	if err := os.WriteFile(path, now, 0o644); err != nil {
		t.Fatal(err)
	}
	read := []byte("services:\n  web:\n    image: nginx:1.27\n") // what was read before it changed
	first := newFirstRead(workDir(""))
	abs := first.abs(path)
	first.digests[abs] = sha256.Sum256(read)
	for _, tc := range []struct {
		name string
		err  func() error
	}{
		{"write", func() error {
			return writeFile(path, []byte("services: {}\n"), read, sha256.Sum256(read), newTempSweep(time.Now()))
		}},
		{"reload", func() error {
			_, _, err := reload(input{path: path, digest: sha256.Sum256(read)})
			return err
		}},
		{"context", func() error {
			_, err := first.asRead(abs, path, now)
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.err()
			pe, ok := err.(*compose.PosError)
			if !ok {
				t.Fatalf("err = %#v, want a *compose.PosError", err)
			}
			if pe.Path != path || pe.Text() != want {
				t.Errorf("err = %v, want %s: %s", err, path, want)
			}
		})
	}
	if got, err := os.ReadFile(path); err != nil || string(got) != string(now) {
		t.Errorf("file now %q (%v), want it untouched", got, err)
	}
}
