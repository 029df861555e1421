package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// TestPathErrorsReachTheReports: a path named on the command line that
// does not exist, or a directory holding no compose file, failed the run
// (exit 2) with the error on stderr only: JSON listed no file and counted
// none failed, SARIF said the run succeeded, GitHub printed no error
// annotation, so a reviewer reading the report saw no reason for the
// failure. Each such path is reported as a file that failed, as given,
// counted in the files and the failed ones, and the other paths are still
// processed.
func TestPathErrorsReachTheReports(t *testing.T) {
	// Each path's whole error, as stderr prints it.
	errs := map[string]string{
		"missing.yaml": "missing.yaml: cannot read: no such file or directory",
		"docs":         "docs: no compose files found (searched for compose.y(a)ml, docker-compose.y(a)ml and their .<name>.y(a)ml variants)",
	}
	for _, c := range []struct {
		name   string
		args   []string
		failed []string // the paths that fail, in the order given
		good   bool     // compose.yaml, which changes, is among the paths
	}{
		{"missing file", []string{"missing.yaml"}, []string{"missing.yaml"}, false},
		{"directory without compose file", []string{"docs"}, []string{"docs"}, false},
		{"mix", []string{"missing.yaml", "compose.yaml", "docs"}, []string{"missing.yaml", "docs"}, true},
		// A path given twice, in any spelling that cleans to the same
		// path, is one file, as an existing file given twice is: listed
		// once, under its first spelling, and counted once (it was
		// listed and counted twice).
		{"missing file twice", []string{"missing.yaml", "missing.yaml"}, []string{"missing.yaml"}, false},
		{"missing file twice, spelt apart", []string{"missing.yaml", "compose.yaml", "./missing.yaml", "./compose.yaml"}, []string{"missing.yaml"}, true},
		{"directory without compose file twice", []string{"docs", "./docs/", "docs/../docs"}, []string{"docs"}, false},
	} {
		files := len(c.failed)
		if c.good {
			files++
		}
		for _, format := range formats() {
			t.Run(c.name+"/"+format, func(t *testing.T) {
				dir := writeFiles(t, map[string]string{"compose.yaml": needsFix, "docs/readme.md": "x"})
				out, errOut, code := runCLI(t, dir, "", append([]string{"--offline", "--format", format}, c.args...)...)
				if code != exitError {
					t.Errorf("exit %d, want %d", code, exitError)
				}
				for _, p := range c.failed {
					// stderr carries each error once, whatever the format.
					if n := strings.Count(errOut, errs[p]); n != 1 {
						t.Errorf("stderr holds %q %d times, want once:\n%s", errs[p], n, errOut)
					}
				}
				switch format {
				case "text":
					sum := fmt.Sprintf("composefix: %s scanned, %d would change, %d not processed;", count(files, "file"), b2i(c.good), len(c.failed))
					if !strings.Contains(errOut, sum) {
						t.Errorf("stderr lacks the summary %q:\n%s", sum, errOut)
					}
					if c.good != strings.Contains(out, "+++ b/compose.yaml") {
						t.Errorf("diff of compose.yaml shown: %v, want %v:\n%s", !c.good, c.good, out)
					}
				case "json":
					checkJSONPathErrors(t, out, errs, c.failed, c.good, files)
				case "sarif":
					checkSARIFPathErrors(t, out, errs, c.failed)
				case "github":
					checkGitHubPathErrors(t, out, errs, c.failed)
				}
			})
		}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func count(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func checkJSONPathErrors(t *testing.T, out string, errs map[string]string, failed []string, good bool, files int) {
	t.Helper()
	var doc struct {
		Files []struct {
			Path, Status, Error string
			Findings            []any
		}
		Summary struct{ Files, Failed, Changed int }
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	var gotFailed, gotGood []string
	for _, f := range doc.Files {
		switch {
		case f.Status == "error":
			gotFailed = append(gotFailed, f.Path)
			if f.Error != errs[f.Path] {
				t.Errorf("%s: error %q, want %q", f.Path, f.Error, errs[f.Path])
			}
			if f.Findings == nil {
				t.Errorf("%s: findings null, want []", f.Path)
			}
		case f.Status == "changed":
			gotGood = append(gotGood, f.Path)
		}
	}
	if !slices.Equal(gotFailed, failed) {
		t.Errorf("files with status error %q, want %q:\n%s", gotFailed, failed, out)
	}
	if good != slices.Equal(gotGood, []string{"compose.yaml"}) {
		t.Errorf("changed files %q, want compose.yaml: %v", gotGood, good)
	}
	if s := doc.Summary; s.Files != files || s.Failed != len(failed) || s.Changed != b2i(good) {
		t.Errorf("summary files %d, failed %d, changed %d; want %d, %d, %d", s.Files, s.Failed, s.Changed, files, len(failed), b2i(good))
	}
}

func checkSARIFPathErrors(t *testing.T, out string, errs map[string]string, failed []string) {
	t.Helper()
	var log struct {
		Runs []struct {
			Invocations []struct {
				ExecutionSuccessful bool
				Notifications       []struct {
					Level     string
					Message   struct{ Text string }
					Locations []struct {
						PhysicalLocation struct {
							ArtifactLocation struct{ URI string }
						}
					}
				} `json:"toolExecutionNotifications"`
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil || len(log.Runs) != 1 || len(log.Runs[0].Invocations) != 1 {
		t.Fatalf("want one run with one invocation (%v):\n%s", err, out)
	}
	inv := log.Runs[0].Invocations[0]
	if inv.ExecutionSuccessful {
		t.Errorf("executionSuccessful true for a run that exits 2:\n%s", out)
	}
	var got []string
	for _, n := range inv.Notifications {
		if len(n.Locations) != 1 {
			t.Errorf("notification %q has %d locations, want 1 (the path)", n.Message.Text, len(n.Locations))
			continue
		}
		p := n.Locations[0].PhysicalLocation.ArtifactLocation.URI
		got = append(got, p)
		if want := strings.TrimPrefix(errs[p], p+": "); n.Level != "error" || n.Message.Text != want {
			t.Errorf("%s: notification %s %q, want error %q", p, n.Level, n.Message.Text, want)
		}
	}
	if !slices.Equal(got, failed) {
		t.Errorf("notifications at %q, want %q:\n%s", got, failed, out)
	}
	// Last: without the shared schema, sarifSchema skips the test.
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
	if err != nil {
		t.Fatalf("SARIF output is not JSON: %v", err)
	}
	if err := sarifSchema(t).Validate(inst); err != nil {
		t.Errorf("SARIF output does not validate: %v", err)
	}
}

func checkGitHubPathErrors(t *testing.T, out string, errs map[string]string, failed []string) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	notice := fmt.Sprintf("; %s not processed (", count(len(failed), "file"))
	if !strings.HasPrefix(lines[0], "::notice ") || !strings.Contains(lines[0], notice) {
		t.Errorf("the notice does not count %q:\n%s", notice, out)
	}
	var got []string
	for _, l := range lines {
		cmd, ok := strings.CutPrefix(l, "::error ")
		if !ok {
			continue
		}
		props, msg, _ := strings.Cut(cmd, "::")
		for p, e := range errs {
			if msg == escapeData(e) {
				got = append(got, p)
				// GitHub refuses an annotation on a file the commit does
				// not have: a missing path or a directory gets none.
				if props != "title=composefix" {
					t.Errorf("%s: annotation properties %q, want title=composefix alone", p, props)
				}
			}
		}
	}
	if !slices.Equal(got, failed) {
		t.Errorf("error annotations for %q, want %q:\n%s", got, failed, out)
	}
}

// escapeData is a GitHub workflow command's message escaping.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}
