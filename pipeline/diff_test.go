package pipeline

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/composefix/composefix/fixers"
	"github.com/composefix/composefix/internal/e2e"
	"github.com/composefix/composefix/internal/golden"
	"github.com/composefix/composefix/registry"
)

// TestDiffMatchesGit runs every rule (unsafe fixes too) over the corpus
// and compares each file's diff, built from the edits, with what
// `git diff --no-index` finds between the same input and output: the
// patch applies with `git apply`, and it removes and adds no more lines
// than git's (the Budibase case: a deleted version key next to a comment
// once showed the comment removed and added again).
func TestDiffMatchesGit(t *testing.T) {
	for _, unsafe := range []bool{false, true} {
		t.Run(fmt.Sprintf("unsafe=%v", unsafe), func(t *testing.T) { diffMatchesGit(t, unsafe) })
	}
}

func diffMatchesGit(t *testing.T, unsafe bool) {
	files := golden.CorpusFiles(t)
	git := e2e.Tool(t, "git", "apt-get install -y git")
	var got []*File
	run(t, files, unsafe, func(f *File) {
		if f.Err != nil {
			t.Errorf("%s: %v", f.Path, f.Err)
		}
		if f.Changed() {
			c := *f
			got = append(got, &c)
		}
	})
	if len(got) == 0 {
		t.Fatal("no corpus file changed: the test compares nothing")
	}
	dir := t.TempDir()
	for i, f := range got {
		name := fmt.Sprintf("f%d.yaml", i)
		a, b := filepath.Join(dir, "a", name), filepath.Join(dir, "b", name)
		for p, data := range map[string][]byte{a: f.Original, b: f.Output} {
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		src := filepath.Base(f.Path) // named in messages: got holds only the changed files
		f.Path = name                // the diff names the file git apply patches
		patch := Diff(f)
		ours := numstat(patch)
		cmd := exec.Command(git, "diff", "--no-index", "--numstat", "a/"+name, "b/"+name)
		cmd.Dir = dir
		out, _ := cmd.Output() // exit status 1: the files differ
		var theirs [2]int
		if _, err := fmt.Sscanf(string(out), "%d\t%d", &theirs[0], &theirs[1]); err != nil {
			t.Fatalf("%s: git diff --numstat printed %q: %v", src, out, err)
		}
		if ours[0] > theirs[0] || ours[1] > theirs[1] {
			t.Errorf("%s: our diff adds %d and removes %d lines; git's adds %d and removes %d\n%s", src, ours[0], ours[1], theirs[0], theirs[1], patch)
		}
		cmd = exec.Command(git, "diff", "--no-index", "--no-color", "a/"+name, "b/"+name)
		cmd.Dir = dir
		gitPatch, _ := cmd.Output()
		if h, g := hunkBodies(patch), hunkBodies(string(gitPatch)); h != g {
			t.Errorf("%s: hunks differ from git diff --no-index:\n--- ours\n%s\n--- git\n%s", src, h, g)
		}
		apply := exec.Command(git, "apply", "--check", "-p1", "--directory=a", "-")
		apply.Dir = dir
		apply.Stdin = strings.NewReader(patch)
		if out, err := apply.CombinedOutput(); err != nil {
			t.Errorf("%s: git apply --check refuses our diff: %v\n%s\n%s", src, err, out, patch)
		}
	}
}

// hunkBodies returns a diff from its first hunk header on, without the
// function context git prints after a header ("@@ -1,2 +1,3 @@ services:").
func hunkBodies(patch string) string {
	if i := strings.Index(patch, "\n@@ "); i >= 0 {
		patch = patch[i+1:]
	}
	return hunkContext.ReplaceAllString(patch, "$1")
}

var hunkContext = regexp.MustCompile(`(?m)^(@@ [^@]* @@).*$`)

// numstat counts the added and removed lines of a unified diff.
func numstat(patch string) [2]int {
	var n [2]int
	for _, l := range strings.Split(patch, "\n") {
		switch {
		case strings.HasPrefix(l, "+++ "), strings.HasPrefix(l, "--- "):
		case strings.HasPrefix(l, "+"):
			n[0]++
		case strings.HasPrefix(l, "-"):
			n[1]++
		}
	}
	return n
}

// run runs the pipeline offline with every rule (and unsafe fixes when
// asked) over files, with an empty cache.
func run(t *testing.T, files []string, unsafe bool, each func(*File)) Result {
	t.Helper()
	cfg := fullConfig(t)
	o := Options{
		Paths:       files,
		Rules:       fixers.Rules(),
		Fixers:      cfg,
		UnsafeFixes: unsafe,
		Registry:    []registry.Option{registry.WithOffline(true), registry.WithCacheDir(t.TempDir())},
	}
	return Run(context.Background(), o, each)
}
