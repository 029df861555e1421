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

// TestWorkDirDiffPath: a diff names a file under the run's working
// directory relative to it, as DiffPath does against the process's, and
// any other file as given; without a working directory it is DiffPath.
func TestWorkDirDiffPath(t *testing.T) {
	wd := filepath.Join(t.TempDir(), "project")
	cwd, err := os.Getwd()
	if err != nil {
		t.Skip(err)
	}
	tests := []struct {
		wd   workDir
		path string
		want string
	}{
		{workDir(wd), filepath.Join(wd, "compose.yaml"), "compose.yaml"},
		{workDir(wd), filepath.Join(wd, "sub", "compose.yaml"), filepath.Join("sub", "compose.yaml")},
		{workDir(wd), filepath.Join(wd+"2", "compose.yaml"), filepath.Join(wd+"2", "compose.yaml")},
		{workDir(wd), filepath.Dir(wd), filepath.Dir(wd)},
		{workDir(wd), "compose.yaml", "compose.yaml"},
		{"", filepath.Join(cwd, "x", "compose.yaml"), DiffPath(filepath.Join(cwd, "x", "compose.yaml"))},
	}
	for _, tt := range tests {
		if got := tt.wd.diffPath(tt.path); got != tt.want {
			t.Errorf("workDir(%q).diffPath(%q) = %q, want %q", tt.wd, tt.path, got, tt.want)
		}
	}
}
