package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/composefix/composefix/internal/golden"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// corpusInputs copies every corpus file, golden input and example into its
// own directory under a fresh temporary directory (so that no two form a
// project) and returns that directory and the copies' relative paths.
func corpusInputs(t *testing.T) (string, []string) {
	t.Helper()
	srcs := golden.CorpusFiles(t)
	goldens, err := filepath.Glob(filepath.Join(golden.RepoRoot(t), "testdata", "golden", "*", "*.input.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	examples, err := filepath.Glob(filepath.Join(golden.RepoRoot(t), "examples", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	srcs = append(append(srcs, goldens...), examples...)
	dir := t.TempDir()
	var rel []string
	for i, src := range srcs {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(fmt.Sprintf("%03d", i), filepath.Base(src))
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), b, 0o644); err != nil {
			t.Fatal(err)
		}
		rel = append(rel, p)
	}
	return dir, rel
}

type replayEdit struct {
	Start   int    `json:"start"`
	End     int    `json:"end"`
	NewText string `json:"new_text"`
}

type replayDoc struct {
	Files []struct {
		Path     string `json:"path"`
		Status   string `json:"status"`
		Findings []struct {
			Rule string `json:"rule"`
			Fix  *struct {
				Applied bool         `json:"applied"`
				Edits   []replayEdit `json:"edits"`
			} `json:"fix"`
		} `json:"findings"`
	} `json:"files"`
}

// replay applies the distinct edits of the applied fixes to src by offset,
// at one offset in the order the report lists them, as a tool reading the
// JSON report would.
func replay(t *testing.T, path string, src []byte, edits []replayEdit) []byte {
	t.Helper()
	sort.SliceStable(edits, func(i, j int) bool { return edits[i].Start < edits[j].Start })
	var b strings.Builder
	at := 0
	for _, e := range edits {
		if e.Start < at || e.End < e.Start || e.End > len(src) {
			t.Errorf("%s: edit %d-%d overlaps the previous one or leaves the file", path, e.Start, e.End)
			return nil
		}
		b.Write(src[at:e.Start])
		b.WriteString(e.NewText)
		at = e.End
	}
	b.Write(src[at:])
	return []byte(b.String())
}

// TestReportedFixesReplayToTheWrittenFiles checks, over the corpus and the
// golden inputs, that the JSON report's applied fixes are whole: their
// distinct edits, applied to the input, give what --write writes byte for
// byte; that no applied fix is empty; and that every SARIF log validates.
func TestReportedFixesReplayToTheWrittenFiles(t *testing.T) {
	sch := sarifSchema(t)
	for _, mode := range [][]string{nil, {"--unsafe-fixes"}} {
		t.Run(fmt.Sprint("flags", mode), func(t *testing.T) {
			dir, files := corpusInputs(t)
			args := append(append(offline(t), mode...), files...)
			out, errOut, _ := runCLI(t, dir, "", append([]string{"--format", "json"}, args...)...)
			var doc replayDoc
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatalf("JSON report: %v\nstderr:\n%s", err, errOut)
			}
			if len(doc.Files) != len(files) {
				t.Errorf("JSON report lists %d files, want all %d inputs: the others are never replayed", len(doc.Files), len(files))
			}
			sarif, _, _ := runCLI(t, dir, "", append([]string{"--format", "sarif"}, args...)...)
			inst, err := jsonschema.UnmarshalJSON(strings.NewReader(sarif))
			if err != nil {
				t.Fatalf("SARIF output is not JSON: %v", err)
			}
			if err := sch.Validate(inst); err != nil {
				t.Errorf("SARIF output does not validate: %v", err)
			}
			// Issue 12's schema errors were in fixes' replacements: a log
			// without any would validate without testing them.
			if !strings.Contains(sarif, `"replacements"`) {
				t.Error("SARIF output carries no fix replacements: the validation checked none")
			}
			inputs := map[string][]byte{}
			for _, p := range files {
				inputs[p] = []byte(readFile(t, filepath.Join(dir, p)))
			}
			// Exit 2: some golden inputs are meant not to parse.
			runCLI(t, dir, "", append([]string{"--write"}, args...)...)
			applied, changed := 0, 0
			for _, f := range doc.Files {
				if f.Status == "error" {
					continue
				}
				var edits []replayEdit
				seen := map[replayEdit]bool{}
				for _, fd := range f.Findings {
					if fd.Fix == nil || !fd.Fix.Applied {
						continue
					}
					applied++
					if len(fd.Fix.Edits) == 0 {
						t.Errorf("%s: applied %s fix has no edits", f.Path, fd.Rule)
					}
					for _, e := range fd.Fix.Edits {
						if !seen[e] {
							seen[e] = true
							edits = append(edits, e)
						}
					}
				}
				got := replay(t, f.Path, inputs[f.Path], edits)
				want := readFile(t, filepath.Join(dir, f.Path))
				if want != string(inputs[f.Path]) {
					changed++
				}
				if got != nil && string(got) != want {
					t.Errorf("%s: replaying the reported edits differs from --write", f.Path)
				}
			}
			t.Logf("%d files, %d changed, %d applied fixes replayed", len(doc.Files), changed, applied)
			if applied == 0 {
				t.Error("no applied fix: the test checks nothing")
			}
		})
	}
}
