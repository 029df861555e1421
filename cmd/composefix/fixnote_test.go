package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFixNoteSaysWhatHappened: a finding whose fix is made says "(fixed)"
// only when the fix reached the file (--write) or the product is the fixed
// document (stdin); a dry run, --check and `update` without --write show
// the fix in a diff and wrote nothing, so their findings say the fix is
// to apply, as the summary line's "N fixes to apply" does, and the GitHub
// annotations and the step summary word it alike.
func TestFixNoteSaysWhatHappened(t *testing.T) {
	mirror, _, _ := updateRegistry(t)
	const updatable = "services:\n  cache:\n    image: redis:7.4.1-alpine\n"
	for _, tc := range []struct {
		name    string
		file    string   // compose.yaml
		stdin   string   // when args end in "-"
		args    []string // after the command
		note    string   // every applied finding's suffix on stderr ("" for no text findings)
		summary string   // in the summary line ("" for none)
		github  string   // the fix line of the first annotation ("" for no annotations)
		step    string   // the step summary's column of fixes ("" for no step summary)
	}{
		{name: "dry run", file: needsFix, args: []string{"--offline", "--select", "CF201"},
			note: " (fix to apply)", summary: "1 fix to apply"},
		{name: "--check", file: needsFix, args: []string{"--offline", "--select", "CF201", "--check"},
			note: " (fix to apply)", summary: "1 fix to apply"},
		{name: "--write", file: needsFix, args: []string{"--offline", "--select", "CF201", "--write"},
			note: " (fixed)", summary: "1 fix applied"},
		{name: "stdin", stdin: needsFix, args: []string{"--offline", "--select", "CF201", "-"},
			note: " (fixed)"},
		{name: "stdin --check", stdin: needsFix, args: []string{"--offline", "--select", "CF201", "--check", "-"},
			note: " (fixed)"},
		{name: "github dry run", file: needsFix, args: []string{"--offline", "--select", "CF201", "--format", "github"},
			github: "\nfix to apply: Add restart: unless-stopped to web", step: "to apply"},
		{name: "github --write", file: needsFix, args: []string{"--offline", "--select", "CF201", "--format", "github", "--write"},
			github: "\nfixed: Add restart: unless-stopped to web", step: "fixed"},
		{name: "github stdin", stdin: needsFix, args: []string{"--offline", "--select", "CF201", "--format", "github", "-"},
			github: "\nfix to apply: Add restart: unless-stopped to web"},
		{name: "update", file: updatable, args: append([]string{"update"}, mirror...),
			note: " (fix to apply)", summary: "1 fix to apply"},
		{name: "update --write", file: updatable, args: append([]string{"update", "--write"}, mirror...),
			note: " (fixed)", summary: "1 fix applied"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{}
			if tc.file != "" {
				files["compose.yaml"] = tc.file
			}
			dir := writeFiles(t, files)
			step := filepath.Join(t.TempDir(), "step.md")
			// runCLI's environment, with a step summary.
			t.Chdir(dir)
			t.Setenv("XDG_CACHE_HOME", t.TempDir())
			t.Setenv("GITHUB_STEP_SUMMARY", step)
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append([]string{"composefix"}, tc.args...), strings.NewReader(tc.stdin), &stdout, &stderr)
			out, errOut := stdout.String(), stderr.String()
			if code == exitError {
				t.Fatalf("exit %d; stderr:\n%s", code, errOut)
			}
			applied := 0
			for _, l := range strings.SplitAfter(errOut, "\n") {
				if !strings.Contains(l, "] (") || strings.Contains(l, "--unsafe-fixes)") {
					continue
				}
				applied++
				if !strings.HasSuffix(l, tc.note+"\n") {
					t.Errorf("finding %q, want it to end in %q", l, tc.note)
				}
			}
			if tc.note != "" && applied == 0 {
				t.Errorf("no applied finding on stderr:\n%s", errOut)
			}
			if tc.summary != "" && !strings.Contains(errOut, "; "+tc.summary+";") {
				t.Errorf("summary line does not say %q:\n%s", tc.summary, errOut)
			}
			dry := !strings.Contains(strings.Join(tc.args, " "), "--write") && tc.stdin == "" ||
				tc.stdin != "" && tc.github != "" // a machine format on stdin prints no document
			if dry && strings.Contains(out+errOut, "(fixed)") {
				t.Errorf("a run that wrote nothing says (fixed):\nstdout:\n%s\nstderr:\n%s", out, errOut)
			}
			if tc.github != "" {
				if got := strings.ReplaceAll(out, "%0A", "\n"); !strings.Contains(got, tc.github+"\n") {
					t.Errorf("annotations lack %q:\n%s", tc.github, got)
				}
				if dry && strings.Contains(out, "%0Afixed:") {
					t.Errorf("an annotation of a run that wrote nothing says fixed:\n%s", out)
				}
			}
			if tc.step != "" {
				b, err := os.ReadFile(step)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(string(b), "| findings | "+tc.step+" |") {
					t.Errorf("step summary's column is not %q:\n%s", tc.step, b)
				}
			}
		})
	}
}
