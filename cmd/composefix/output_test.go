package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/internal/golden"
	"github.com/composefix/composefix/internal/sariftest"
	"github.com/composefix/composefix/report"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// reportInputs is one project directory used for every format: a file to
// fix, a clean one and a broken one.
func reportInputs() map[string]string {
	return map[string]string{
		"compose.yaml":           "version: \"3.8\"\nservices:\n  web:\n    image: nginx:1.27.3 # 100%, \"pinned\"\n    ports:\n      - \"8080:80\"\n",
		"svc/docker-compose.yml": "services:\n  db:\n    image: postgres:16.4\n    restart: unless-stopped\n    logging:\n      driver: local\n",
		"bad/compose.yaml":       "services:\n  x: [\n",
	}
}

// reportRules keeps the golden files to rules that need no registry, so
// that they change only when these rules or the renderers do.
const reportRules = "--select=restart-policy,logging-anchor,obsolete-version"

// offline keeps a run away from any registry and from the user's cache.
func offline(t *testing.T) []string {
	return []string{"--offline", "--cache-dir", t.TempDir()}
}

var elapsedRE = regexp.MustCompile(`\(\d+(\.\d+)?(ns|µs|ms|s)\)\n$`)

// TestFormatsGolden runs the CLI on the same inputs in every format. stdout
// is the product; stderr is checked too, with the elapsed time normalised.
func TestFormatsGolden(t *testing.T) {
	for _, format := range formats() {
		t.Run(format, func(t *testing.T) {
			base, err := filepath.Abs(filepath.Join("testdata", "report", format))
			if err != nil {
				t.Fatal(err)
			}
			dir := writeFiles(t, reportInputs())
			out, errOut, code := runCLI(t, dir, "", append(offline(t), "--format", format, reportRules, ".")...)
			if code != exitError {
				t.Errorf("exit %d, want %d (one file is broken); stderr:\n%s", code, exitError, errOut)
			}
			errOut = elapsedRE.ReplaceAllString(errOut, "(ELAPSED)\n")
			golden.Check(t, base+".stdout", []byte(out))
			golden.Check(t, base+".stderr", []byte(errOut))
			if got := readFile(t, filepath.Join(dir, "compose.yaml")); got != reportInputs()["compose.yaml"] {
				t.Errorf("a dry run in --format %s changed the file:\n%s", format, got)
			}
		})
	}
}

// TestMachineFormatsCarryOnlyTheDocument checks that json, sarif and github
// put nothing but their document on stdout (no diff, no findings, no
// summary), in a dry run and with --write.
func TestMachineFormatsCarryOnlyTheDocument(t *testing.T) {
	for _, format := range []string{"json", "sarif", "github"} {
		for _, write := range []bool{false, true} {
			name := format
			if write {
				name += "/write"
			}
			t.Run(name, func(t *testing.T) {
				dir := writeFiles(t, reportInputs())
				args := append(offline(t), "--format", format, reportRules)
				if write {
					args = append(args, "--write")
				}
				out, errOut, _ := runCLI(t, dir, "", append(args, ".")...)
				if strings.Contains(out, "--- a/") || strings.Contains(out, "@@ ") {
					t.Errorf("stdout carries a diff:\n%s", out)
				}
				if strings.Contains(out, "composefix: ") {
					t.Errorf("stdout carries the summary line:\n%s", out)
				}
				switch format {
				case "json", "sarif":
					dec := json.NewDecoder(strings.NewReader(out))
					var v map[string]any
					if err := dec.Decode(&v); err != nil {
						t.Fatalf("stdout is not one JSON document: %v\n%s", err, out)
					}
					if dec.More() {
						t.Errorf("stdout holds more than one JSON document")
					}
				case "github":
					for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
						if !strings.HasPrefix(l, "::") {
							t.Errorf("stdout line is not a workflow command: %q", l)
						}
					}
				}
				fixed := readFile(t, filepath.Join(dir, "compose.yaml"))
				if changed := fixed != reportInputs()["compose.yaml"]; changed != write {
					t.Errorf("--format %s (write=%v) changed the file: %v", format, write, changed)
				}
				if !strings.Contains(errOut, "bad/compose.yaml:2:7: invalid YAML") {
					t.Errorf("stderr lacks the broken file's error:\n%s", errOut)
				}
			})
		}
	}
}

func TestJSONReportParsesBack(t *testing.T) {
	dir := writeFiles(t, reportInputs())
	out, _, _ := runCLI(t, dir, "", append(offline(t), "--format=json", reportRules, ".")...)
	var doc struct {
		Version int
		Files   []struct {
			Path, Status string
			Findings     []struct {
				Rule string
				Fix  *struct {
					Applied bool
					Edits   []struct {
						Start, End int
						NewText    string `json:"new_text"`
					}
				}
			}
		}
		Summary struct {
			Files, Changed, Failed int
			FixesApplied           int `json:"fixes_applied"`
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("parsing --format json output: %v\n%s", err, out)
	}
	if doc.Version != report.JSONVersion {
		t.Errorf("version = %d, want %d", doc.Version, report.JSONVersion)
	}
	status := map[string]string{}
	for _, f := range doc.Files {
		status[f.Path] = f.Status
	}
	want := map[string]string{"bad/compose.yaml": "error", "compose.yaml": "changed", "svc/docker-compose.yml": "unchanged"}
	for p, s := range want {
		if status[p] != s {
			t.Errorf("status of %q = %q, want %q (all: %v)", p, status[p], s, status)
		}
	}
	if doc.Summary.Files != 3 || doc.Summary.Changed != 1 || doc.Summary.Failed != 1 || doc.Summary.FixesApplied == 0 {
		t.Errorf("summary = %+v, want 3 files, 1 changed, 1 failed, some fixes applied", doc.Summary)
	}
	// The applied edits, replayed on the input, give what --write writes.
	var edits []compose.Edit
	for _, f := range doc.Files {
		if f.Path != "compose.yaml" {
			continue
		}
		for _, fd := range f.Findings {
			if fd.Fix != nil && fd.Fix.Applied {
				for _, e := range fd.Fix.Edits {
					edits = append(edits, compose.Edit{Start: e.Start, End: e.End, New: e.NewText})
				}
			}
		}
	}
	replayed, err := compose.Apply([]byte(reportInputs()["compose.yaml"]), edits)
	if err != nil {
		t.Fatalf("replaying the JSON edits: %v", err)
	}
	wdir := writeFiles(t, reportInputs())
	runCLI(t, wdir, "", append(offline(t), "--write", reportRules, ".")...)
	if written := readFile(t, filepath.Join(wdir, "compose.yaml")); string(replayed) != written {
		t.Errorf("JSON edits give\n%s\nwant what --write wrote\n%s", replayed, written)
	}
}

// TestSARIFOutputValidates validates the CLI's SARIF against the SARIF
// 2.1.0 schema in ../shared, for a failing and a clean run.
func TestSARIFOutputValidates(t *testing.T) {
	sch := sarifSchema(t)
	for name, files := range map[string]map[string]string{
		"mixed": reportInputs(),
		"clean": {"compose.yaml": clean},
	} {
		t.Run(name, func(t *testing.T) {
			dir := writeFiles(t, files)
			out, errOut, _ := runCLI(t, dir, "", append(offline(t), "--format", "sarif", ".")...)
			validateSARIFOutput(t, sch, out, errOut)
		})
	}
}

// validateSARIFOutput fails t unless out, a run's stdout, is a SARIF log
// the schema accepts; errOut is the run's stderr, shown when it is not JSON.
func validateSARIFOutput(t *testing.T, sch *jsonschema.Schema, out, errOut string) {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
	if err != nil {
		t.Fatalf("SARIF output is not JSON: %v\nstderr:\n%s", err, errOut)
	}
	if err := sch.Validate(inst); err != nil {
		t.Errorf("SARIF output does not validate: %v\n%s", err, out)
	}
}

func sarifSchema(t *testing.T) *jsonschema.Schema { return sariftest.Schema(t, report.SARIFSchema) }

// TestNoTerminalBytesWhenNotATerminal runs every format with stdout and
// stderr that are not terminals: no colour codes, no carriage returns
// (progress redraws), on either.
func TestNoTerminalBytesWhenNotATerminal(t *testing.T) {
	for _, format := range formats() {
		t.Run(format, func(t *testing.T) {
			dir := writeFiles(t, reportInputs())
			out, errOut, _ := runCLI(t, dir, "", append(offline(t), "--format", format, ".")...)
			for name, s := range map[string]string{"stdout": out, "stderr": errOut} {
				if strings.ContainsAny(s, "\x1b\r") {
					t.Errorf("%s carries terminal control bytes: %q", name, s)
				}
			}
		})
	}
}

func TestUnknownFormatIsAUsageError(t *testing.T) {
	dir := writeFiles(t, map[string]string{"compose.yaml": clean})
	out, errOut, code := runCLI(t, dir, "", "--format", "xml", ".")
	if code != exitError || out != "" || !strings.Contains(errOut, `unknown --format "xml"`) {
		t.Errorf("--format xml: exit %d, stdout %q, stderr %q; want exit 2 naming the format", code, out, errOut)
	}
	var b bytes.Buffer
	if err := writeReport(&b, "text", nil, report.Summary{}); err == nil {
		t.Errorf("writeReport(text) = nil, want an error: text is not a machine format")
	}
}
