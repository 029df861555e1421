package pipeline

import (
	"os"
	"path/filepath"
	"testing"
)

// TestNewWorkDir: a working directory the caller read (Options.WorkDir)
// is the run's, not read again; without one the run reads it, and abs
// answers as filepath.Abs does.
func TestNewWorkDir(t *testing.T) {
	given := filepath.Join(t.TempDir(), "elsewhere")
	if got := newWorkDir(given); string(got) != given {
		t.Errorf("newWorkDir(%q) = %q, want it unchanged", given, got)
	}
	if got, _ := newWorkDir(given).abs("compose.yaml"); got != filepath.Join(given, "compose.yaml") {
		t.Errorf("abs against %q = %q, want the file under it", given, got)
	}
	cwd, err := os.Getwd()
	if err != nil {
		t.Skip(err)
	}
	if got := newWorkDir(""); string(got) != cwd {
		t.Errorf("newWorkDir(\"\") = %q, want the working directory %q", got, cwd)
	}
	want, _ := filepath.Abs("a/../b.yaml")
	if got, _ := newWorkDir("").abs("a/../b.yaml"); got != want {
		t.Errorf("abs(%q) = %q, want filepath.Abs's %q", "a/../b.yaml", got, want)
	}
}
