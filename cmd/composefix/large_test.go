package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/composefix/composefix/pipeline"
)

// The large-file path (findings parked, the input's tree let go during
// verification and not parsed again) is taken by itself only by files of
// at least 150,000 findings; largePath's hook takes every file down it
// (pipeline.Options.LargeFrom).
// Whatever the command, format or mode, composefix must print, write and
// exit the same either way.

// largePath takes every file of a run down the large path; the test fails
// unless some pipeline run was told to.
func largePath(t *testing.T) hooks {
	t.Helper()
	runs := 0
	t.Cleanup(func() {
		if runs == 0 {
			t.Error("no pipeline run was taken down the large path: the test compares the usual path with itself")
		}
	})
	return hooks{pipeline: func(o *pipeline.Options) { o.LargeFrom = 1; runs++ }}
}

// cliProduct is what a run of the CLI gives: stdout, stderr (its elapsed
// time normalised), the exit status and, with --write, the files.
type cliProduct struct {
	Stdout, Stderr string
	Code           int
	Files          map[string]string
}

// runBothWays runs args, with stdin, in a directory setup makes afresh,
// the usual way and down the large path, and compares what they give and
// the files setup lists afterwards.
func runBothWays(t *testing.T, name string, setup func(t *testing.T) (dir string, files []string), stdin string, args ...string) {
	t.Helper()
	run := func(h hooks) cliProduct {
		dir, files := setup(t)
		out, errOut, code := runCLIHooked(t, dir, stdin, h, args...)
		p := cliProduct{Stdout: out, Stderr: elapsedRE.ReplaceAllString(errOut, "(ELAPSED)\n"), Code: code, Files: map[string]string{}}
		for _, f := range files {
			p.Files[f] = readFile(t, filepath.Join(dir, f))
		}
		return p
	}
	want, got := run(hooks{}), run(largePath(t))
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("%s: down the large path, composefix %s differs (-usual +large):\n%s", name, strings.Join(args, " "), d)
	}
}

// TestCLILargePathSameProduct runs the CLI over every corpus file, golden
// input and example (each alone in its directory), in each format, with
// and without unsafe fixes, --check and --write, and over each file on
// standard input, both ways.
func TestCLILargePathSameProduct(t *testing.T) {
	for _, mode := range [][]string{
		{"--format", "text"},
		{"--format", "json"},
		{"--format", "sarif", "--unsafe-fixes"},
		{"--format", "github"},
		{"--format", "json", "--unsafe-fixes"},
		{"--check"},
		{"--write", "--unsafe-fixes"},
	} {
		runBothWays(t, strings.Join(mode, " "), corpusInputs, "", append(append(offline(t), mode...), ".")...)
	}
	dir, files := corpusInputs(t)
	for _, f := range files {
		src := readFile(t, filepath.Join(dir, f))
		for _, mode := range [][]string{{"-"}, {"--format", "json", "--unsafe-fixes", "-"}} {
			runBothWays(t, "stdin "+f, emptyDir, src, append(offline(t), mode...)...)
		}
	}
}

// emptyDir is a directory without files, for a run on standard input.
func emptyDir(t *testing.T) (string, []string) { return t.TempDir(), nil }

// TestCLIUpdateLargePathSameProduct: update's summary and diff read the
// file's tree after its run, which the large path let go.
func TestCLIUpdateLargePathSameProduct(t *testing.T) {
	const src = "x-db: &db\n  restart: always\nservices:\n  cache:\n    image: redis:7.4.1-alpine\n  db:\n    <<: *db\n    image: postgres:16.4\n"
	for _, write := range []bool{false, true} {
		run := func(h hooks) cliProduct {
			mirror, _, _ := updateRegistry(t)
			dir := writeFiles(t, map[string]string{"compose.yaml": src})
			summary := filepath.Join(t.TempDir(), "summary.md")
			args := append([]string{"update", "--policy", "major", "--summary", summary}, mirror...)
			if write {
				args = append(args, "--write")
			}
			out, errOut, code := runCLIHooked(t, dir, "", h, args...)
			return cliProduct{Stdout: out, Stderr: elapsedRE.ReplaceAllString(errOut, "(ELAPSED)\n"), Code: code,
				Files: map[string]string{"compose.yaml": readFile(t, filepath.Join(dir, "compose.yaml")), "summary.md": readFile(t, summary)}}
		}
		want, got := run(hooks{}), run(largePath(t))
		if want.Code != exitOK || !strings.Contains(want.Files["summary.md"], "| redis | major |") {
			t.Fatalf("write=%v: the usual update exits %d with the summary\n%s\nstderr:\n%s", write, want.Code, want.Files["summary.md"], want.Stderr)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("write=%v: down the large path, update differs (-usual +large):\n%s", write, d)
		}
	}
}
