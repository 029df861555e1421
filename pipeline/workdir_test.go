package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/composefix/composefix/fixers"
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

// TestRunNamesFilesFromItsWorkDir: what a run prints names a file under
// its working directory (Options.WorkDir, which the CLI reads once)
// relative to it: the update summary's paths and a .env finding's
// compose file, as the diff does. The test's process runs elsewhere, so
// a path worked out against the process's directory stays absolute.
func TestRunNamesFilesFromItsWorkDir(t *testing.T) {
	dir := t.TempDir()
	for name, src := range map[string]string{
		"compose.yaml": "services:\n  cache:\n    image: redis:7.2.1\n  db:\n    image: postgres:${PG}\n",
		".env":         "PG=16.1\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const old, next = "sha256:" + "1111111111111111111111111111111111111111111111111111111111111111", "sha256:" + "2222222222222222222222222222222222222222222222222222222222222222"
	cfg := fullConfig(t)
	cfg.Images.Update = true
	o := Options{
		Paths:   []string{filepath.Join(dir, "compose.yaml")},
		WorkDir: dir,
		Rules:   fixers.Rules(),
		Fixers:  cfg,
		Reuse: fixers.Resolutions{
			"redis:7.2.1":   {Digest: old, Tag: "7.2.1", Newer: []fixers.TagDigest{{Tag: "7.2.4", Digest: next}}},
			"postgres:16.1": {Digest: old, Tag: "16.1", Newer: []fixers.TagDigest{{Tag: "16.4", Digest: next}}},
		},
	}
	var paths, messages []string
	Run(context.Background(), o, func(f *File) {
		if f.Err != nil {
			t.Errorf("%s: %v", f.Path, f.Err)
		}
		for _, u := range f.Updates {
			paths = append(paths, u.Path)
		}
		for _, fd := range f.Findings {
			if fd.RuleID == "CF004" {
				messages = append(messages, fd.Message)
			}
		}
	})
	slices.Sort(paths)
	if want := []string{".env", "compose.yaml"}; !slices.Equal(paths, want) {
		t.Errorf("updates name %q, want %q: relative to the run's working directory", paths, want)
	}
	found := false
	for _, m := range messages {
		if strings.Contains(m, "(PG in ") {
			found = true
			if !strings.Contains(m, "(PG in compose.yaml)") {
				t.Errorf(".env finding %q, want it to name compose.yaml relative to the run's working directory", m)
			}
		}
	}
	if !found {
		t.Errorf("no CF004 finding names the .env variable PG: %q", messages)
	}
}
