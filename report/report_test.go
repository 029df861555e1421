package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/fixers"
	"github.com/composefix/composefix/internal/golden"
	"github.com/composefix/composefix/internal/sariftest"
	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// TestGolden renders the same fixture in every format.
func TestGolden(t *testing.T) {
	files, sum := fixture()
	opts := []Option{WithRules(testRules()), WithToolVersion("v0.0.0-test")}
	for _, tc := range []struct {
		name   string
		render func(*bytes.Buffer) error
	}{
		{"fixture.txt", func(b *bytes.Buffer) error {
			for _, f := range files {
				Findings(b, &f)
			}
			SummaryLine(b, sum)
			return nil
		}},
		{"fixture.json", func(b *bytes.Buffer) error { return JSON(b, files, sum, opts...) }},
		{"fixture.sarif", func(b *bytes.Buffer) error { return SARIF(b, files, opts...) }},
		{"fixture.github", func(b *bytes.Buffer) error { return GitHub(b, files, opts...) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.render(&b); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", tc.name), b.Bytes())
		})
	}
}

func TestRenderersAreDeterministic(t *testing.T) {
	files, sum := fixture()
	render := func() string {
		var b bytes.Buffer
		if err := JSON(&b, files, sum); err != nil {
			t.Fatal(err)
		}
		if err := SARIF(&b, files); err != nil {
			t.Fatal(err)
		}
		if err := GitHub(&b, files); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	first := render()
	for range 5 {
		if got := render(); got != first {
			t.Fatalf("second rendering differs:\n%s", cmp.Diff(first, got))
		}
	}
}

func TestLineIndexPos(t *testing.T) {
	for _, tc := range []struct {
		src  string
		off  int
		want compose.Pos
	}{
		{"", 0, compose.Pos{Line: 1, Col: 1}},
		{"ab\ncd", 0, compose.Pos{Line: 1, Col: 1}},
		{"ab\ncd", 2, compose.Pos{Line: 1, Col: 3}},
		{"ab\ncd", 3, compose.Pos{Line: 2, Col: 1}},
		{"ab\ncd", 5, compose.Pos{Line: 2, Col: 3}},
		{"ab\n", 3, compose.Pos{Line: 2, Col: 1}},
		{"ab\r\ncd", 4, compose.Pos{Line: 2, Col: 1}},
		{"ab\r\ncd", 3, compose.Pos{Line: 1, Col: 4}},
		{"é€x", 5, compose.Pos{Line: 1, Col: 3}},   // é is 2 bytes, € is 3
		{"a\n😀b", 6, compose.Pos{Line: 2, Col: 2}}, // 😀 is 4 bytes, one code point
		{"ab", 99, compose.Pos{Line: 1, Col: 3}},   // clamped
		{"ab", -1, compose.Pos{Line: 1, Col: 1}},
	} {
		if got := newLineIndex([]byte(tc.src)).pos(tc.off); got != tc.want {
			t.Errorf("newLineIndex(%q).pos(%d) = %v, want %v", tc.src, tc.off, got, tc.want)
		}
	}
}

// TestJSONParsesBack decodes the JSON document without the package's types
// and checks that it says what the files say: statuses, positions, and
// edits that, applied to the original bytes, give the output.
func TestJSONParsesBack(t *testing.T) {
	files, sum := fixture()
	var b bytes.Buffer
	if err := JSON(&b, files, sum, WithRules(testRules())); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Version int `json:"version"`
		Files   []struct {
			Path     string `json:"path"`
			Status   string `json:"status"`
			Written  bool   `json:"written"`
			Error    string `json:"error"`
			Findings []struct {
				Rule, Name, Severity, Safety, Path, Message string
				Line, Column                                int
				EndLine                                     int `json:"end_line"`
				EndColumn                                   int `json:"end_column"`
				Fix                                         *struct {
					Title, Safety string
					Applied       bool
					Edits         []struct {
						Start, End  int
						StartLine   int    `json:"start_line"`
						StartColumn int    `json:"start_column"`
						EndLine     int    `json:"end_line"`
						EndColumn   int    `json:"end_column"`
						NewText     string `json:"new_text"`
					}
				}
			}
		}
		Summary map[string]any `json:"summary"`
	}
	dec := json.NewDecoder(&b)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("decoding the JSON report: %v", err)
	}
	if dec.More() {
		t.Errorf("the JSON report holds more than one document")
	}
	if doc.Version != JSONVersion {
		t.Errorf("version = %d, want %d", doc.Version, JSONVersion)
	}
	var statuses []string
	for _, f := range doc.Files {
		statuses = append(statuses, f.Status)
	}
	if want := []string{"changed", "error", "unchanged", "changed"}; !slices.Equal(statuses, want) {
		t.Errorf("statuses = %q, want %q", statuses, want)
	}
	if got := doc.Files[1].Error; !strings.Contains(got, "did not find expected node content") {
		t.Errorf("files[1].error = %q, want the parse error", got)
	}
	if !doc.Files[3].Written || doc.Files[0].Written {
		t.Errorf("written = %v, %v; want false, true", doc.Files[0].Written, doc.Files[3].Written)
	}
	for i, f := range doc.Files {
		src := files[i].Original
		var applied []compose.Edit
		for j, fd := range f.Findings {
			orig := files[i].Findings[j]
			if fd.Rule != orig.RuleID || fd.Path != orig.Path || fd.Message != orig.Message || fd.Severity != orig.Severity.String() {
				t.Errorf("%s finding %d = %+v, want the fixture's %+v", f.Path, j, fd, orig)
			}
			if fd.Line != orig.Pos.Line || fd.Column != orig.Pos.Col {
				t.Errorf("%s finding %d at %d:%d, want %v", f.Path, j, fd.Line, fd.Column, orig.Pos)
			}
			if fd.Fix == nil {
				continue
			}
			for _, e := range fd.Fix.Edits {
				if got := posOf(src, e.Start); got != (compose.Pos{Line: e.StartLine, Col: e.StartColumn}) {
					t.Errorf("%s edit at byte %d says %d:%d, the bytes say %v", f.Path, e.Start, e.StartLine, e.StartColumn, got)
				}
				if got := posOf(src, e.End); got != (compose.Pos{Line: e.EndLine, Col: e.EndColumn}) {
					t.Errorf("%s edit ending at byte %d says %d:%d, the bytes say %v", f.Path, e.End, e.EndLine, e.EndColumn, got)
				}
				if fd.Fix.Applied {
					applied = append(applied, compose.Edit{Start: e.Start, End: e.End, New: e.NewText})
				}
			}
		}
		if f.Status == "error" {
			continue
		}
		got, err := compose.Apply(src, applied)
		if err != nil {
			t.Fatalf("%s: applying the JSON edits: %v", f.Path, err)
		}
		if string(got) != string(files[i].Output) {
			t.Errorf("%s: applied JSON edits give %q, want the output %q", f.Path, got, files[i].Output)
		}
	}
	if _, ok := doc.Summary["elapsed"]; ok {
		t.Errorf("summary carries the elapsed time, which makes stdout nondeterministic")
	}
	if got := doc.Summary["fixes_applied"]; got != float64(sum.Applied) {
		t.Errorf("summary.fixes_applied = %v, want %d", got, sum.Applied)
	}
}

// posOf computes a position independently of lineIndex.
func posOf(src []byte, off int) compose.Pos {
	p := compose.Pos{Line: 1, Col: 1}
	for _, r := range string(src[:off]) {
		if r == '\n' {
			p.Line, p.Col = p.Line+1, 1
			continue
		}
		p.Col++
	}
	return p
}

// sarifSchema compiles the SARIF 2.1.0 schema from ../shared, or skips.
func sarifSchema(t *testing.T) *jsonschema.Schema { return sariftest.Schema(t, SARIFSchema) }

func validateSARIF(t *testing.T, sch *jsonschema.Schema, out []byte) {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("SARIF output is not JSON: %v", err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Errorf("SARIF output does not validate: %v", err)
	}
}

func TestSARIFValidates(t *testing.T) {
	sch := sarifSchema(t)
	files, _ := fixture()
	for _, tc := range []struct {
		name  string
		files []File
		opts  []Option
	}{
		{"fixture", files, []Option{WithRules(testRules())}},
		{"real rule table", files, nil},
		{"no files", nil, nil},
		{"no rules", files, []Option{WithRules(nil)}},
		// A document on stdin without --stdin-filename: locations with no uri.
		{"stdin", []File{
			{Path: "<stdin>", NoFile: true, Stdin: true, Original: files[0].Original, Findings: onStdin(files[0].Findings)},
			{Path: "<stdin>", NoFile: true, Stdin: true, Err: &compose.PosError{Path: "<stdin>", Line: 2, Col: 1, Msg: "invalid YAML"}},
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := SARIF(&b, tc.files, tc.opts...); err != nil {
				t.Fatal(err)
			}
			validateSARIF(t, sch, b.Bytes())
		})
	}
}

// onStdin is a copy of fs read from stdin without --stdin-filename.
func onStdin(fs []fixers.Finding) []fixers.Finding {
	out := slices.Clone(fs)
	for i := range out {
		out[i].Path = "<stdin>"
	}
	return out
}

// TestSARIFSchemaRejects makes sure the validation above can fail.
func TestSARIFSchemaRejects(t *testing.T) {
	sch := sarifSchema(t)
	for _, doc := range []string{
		`{"version": "2.0.0", "runs": []}`,
		`{"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]}`,
		`{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"message": {"text": "m"}, "level": "fatal"}]}]}`,
	} {
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(doc))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(inst); err == nil {
			t.Errorf("schema accepts %s", doc)
		}
	}
}

// TestSARIFContent checks levels, regions and fixes against the fixture.
func TestSARIFContent(t *testing.T) {
	files, _ := fixture()
	var b bytes.Buffer
	if err := SARIF(&b, files, WithRules(testRules())); err != nil {
		t.Fatal(err)
	}
	var log sarifLog[[]sarifResult]
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	var levels []string
	for _, r := range run.Tool.Driver.Rules {
		levels = append(levels, r.ID+"="+r.DefaultConfiguration.Level)
	}
	if want := []string{"CF001=warning", "CF002=error", "CF003=note"}; !slices.Equal(levels, want) {
		t.Errorf("rule levels = %q, want %q", levels, want)
	}
	if got := run.Tool.Driver.Rules[2].Help.Text; got != "a hint without a doc" {
		t.Errorf("help of a rule without a doc = %q, want its summary", got)
	}
	if run.ColumnKind != "unicodeCodePoints" {
		t.Errorf("columnKind = %q, want unicodeCodePoints", run.ColumnKind)
	}
	if run.Invocations[0].ExecutionSuccessful || len(run.Invocations[0].Notifications) != 1 {
		t.Errorf("invocation = %+v, want one failure notification", run.Invocations[0])
	}
	var got []string
	for _, r := range run.Results {
		s := r.RuleID + " " + r.Level + " " + r.Locations[0].PhysicalLocation.ArtifactLocation.URI
		if reg := r.Locations[0].PhysicalLocation.Region; reg != nil {
			s += " " + compose.Pos{Line: reg.StartLine, Col: reg.StartColumn}.String() + "-" + compose.Pos{Line: reg.EndLine, Col: reg.EndColumn}.String()
		}
		s += " fixes=" + strings.Repeat("*", len(r.Fixes))
		got = append(got, s)
	}
	want := []string{
		"CF001 warning app%2Cv2/compose.yaml 3:12-3:17 fixes=*",
		"CF002 error app%2Cv2/compose.yaml 2:3-2:6 fixes=*",
		"CF003 note app%2Cv2/compose.yaml fixes=",
		"CF001 warning crlf/docker-compose.yml 3:12-3:20 fixes=", // the file was rewritten
		"CF999 warning crlf/docker-compose.yml 2:3-3:20 fixes=",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("results (-want +got):\n%s", d)
	}
	// Each replacement's text region and byte range name the same bytes.
	src := files[0].Original
	for _, r := range run.Results {
		for _, fx := range r.Fixes {
			for _, rep := range fx.ArtifactChanges[0].Replacements {
				d := rep.DeletedRegion
				start, end := *d.ByteOffset, *d.ByteOffset+*d.ByteLength
				if p := posOf(src, start); p != (compose.Pos{Line: d.StartLine, Col: d.StartColumn}) {
					t.Errorf("%s: byteOffset %d is at %v, region starts at %d:%d", r.RuleID, start, p, d.StartLine, d.StartColumn)
				}
				if p := posOf(src, end); p != (compose.Pos{Line: d.EndLine, Col: d.EndColumn}) {
					t.Errorf("%s: byte %d is at %v, region ends at %d:%d", r.RuleID, end, p, d.EndLine, d.EndColumn)
				}
			}
		}
	}
}

func TestSARIFURI(t *testing.T) {
	for _, tc := range []struct{ path, want string }{
		{"compose.yaml", "compose.yaml"},
		{"./a/compose.yaml", "a/compose.yaml"},
		{"a b/compose.yaml", "a%20b/compose.yaml"},
		// A colon in the first segment of a relative reference would make
		// it a scheme ("x:" here): RFC 3986 4.2 puts a "./" before it.
		{"x:y/compose.yaml", "./x:y/compose.yaml"},
		{"./x:y.yaml", "./x:y.yaml"},
		{"a/x:y.yaml", "a/x:y.yaml"},
		{"100%/compose.yaml", "100%25/compose.yaml"},
		{"../up/compose.yaml", "../up/compose.yaml"},
		{"/abs/compose.yaml", "file:///abs/compose.yaml"},
		{"/a#b/c?.yaml", "file:///a%23b/c%3F.yaml"},
	} {
		if got := sarifURI(tc.path); got != tc.want {
			t.Errorf("sarifURI(%q) = %q, want %q", tc.path, got, tc.want)
		}
	}
}

func TestEscapeData(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain", "plain"},
		{"100%", "100%25"},
		{"%0A is literal", "%250A is literal"},
		{"a\nb", "a%0Ab"},
		{"a\r\nb", "a%0D%0Ab"},
		{"a:b,c", "a:b,c"}, // only properties escape ':' and ','
		{"::error::x", "::error::x"},
		{"é", "é"},
	} {
		if got := escapeData(tc.in); got != tc.want {
			t.Errorf("escapeData(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestEscapeProperty(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"compose.yaml", "compose.yaml"},
		{"100%", "100%25"},
		{"a\nb\rc", "a%0Ab%0Dc"},
		{"C:\\x", "C%3A\\x"},
		{"a,b", "a%2Cb"},
		{"k=v", "k=v"},
		{"%3A", "%253A"}, // '%' first, so escapes are not double-applied
		{"::", "%3A%3A"},
	} {
		if got := escapeProperty(tc.in); got != tc.want {
			t.Errorf("escapeProperty(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestGitHubCommandsParse reads the commands back the way the runner does
// and checks that every property and message survives escaping.
func TestGitHubCommandsParse(t *testing.T) {
	files, _ := fixture()
	var b bytes.Buffer
	if err := GitHub(&b, files, WithRules(testRules())); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	type cmdLine struct {
		cmd   string
		props map[string]string
		msg   string
	}
	var got []cmdLine
	for _, l := range lines {
		if !utf8.ValidString(l) || !strings.HasPrefix(l, "::") {
			t.Fatalf("not a workflow command: %q", l)
		}
		head, msg, ok := strings.Cut(l[2:], "::")
		if !ok {
			t.Fatalf("no message separator in %q", l)
		}
		cmd, rawProps, _ := strings.Cut(head, " ")
		c := cmdLine{cmd: cmd, props: map[string]string{}, msg: unescape(msg)}
		for _, kv := range strings.Split(rawProps, ",") {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				t.Fatalf("property %q in %q has no '='", kv, l)
			}
			c.props[k] = unescape(v)
		}
		got = append(got, c)
	}
	// The counts first, then files not processed, then errors, warnings and
	// notices, each in file order.
	want := []cmdLine{
		{"notice", map[string]string{"title": "composefix"}, "1 error, 3 warnings, 1 notice; 1 file not processed (6 annotations, by rule and file)"},
		{"error", map[string]string{"file": "/abs/broken/compose.yaml", "line": "3", "col": "1", "title": "composefix"},
			"cannot parse: did not find expected node content"},
		{"error", map[string]string{"file": "app,v2/compose.yaml", "line": "2", "col": "3", "endLine": "2", "endColumn": "5", "title": "CF002 bind-localhost"},
			files[0].Findings[1].Message + "\nfix with --unsafe-fixes: Bind wéb's ports to 127.0.0.1"},
		{"warning", map[string]string{"file": "app,v2/compose.yaml", "line": "3", "col": "12", "endLine": "3", "endColumn": "16", "title": "CF001 pin-image"},
			files[0].Findings[0].Message + "\nfix to apply: Pin nginx to 1.27.3"}, // not written

		{"warning", map[string]string{"file": "crlf/docker-compose.yml", "line": "3", "col": "12", "endLine": "3", "endColumn": "19", "title": "CF001 pin-image"},
			files[3].Findings[0].Message + "\nfixed: Pin postgres to 16.4"}, // written

		{"warning", map[string]string{"file": "crlf/docker-compose.yml", "line": "2", "endLine": "3", "title": "CF999"},
			"a rule missing from the table"},
		{"notice", map[string]string{"file": "app,v2/compose.yaml", "title": "CF003 hint"}, "consider splitting: frontend, backend"},
	}
	if d := cmp.Diff(want, got, cmp.AllowUnexported(cmdLine{})); d != "" {
		t.Errorf("commands (-want +got):\n%s", d)
	}
}

// unescape reverses GitHub's escaping, as the runner does.
func unescape(s string) string {
	return strings.NewReplacer("%0D", "\r", "%0A", "\n", "%3A", ":", "%2C", ",", "%25", "%").Replace(s)
}

// TestGitHubGroupsByRuleAndFile folds the findings of one rule in one file
// into one annotation at the first, naming the other lines, so that
// GitHub's ten annotations per level cover more rules.
func TestGitHubGroupsByRuleAndFile(t *testing.T) {
	f := func(line int, sev fixers.Severity, rule string) fixers.Finding {
		return fixers.Finding{RuleID: rule, Severity: sev, Path: "compose.yaml", Pos: compose.Pos{Line: line, Col: 3}, End: compose.Pos{Line: line, Col: 6}, Message: fmt.Sprintf("finding at %d", line)}
	}
	files := []File{{Path: "compose.yaml", Findings: []fixers.Finding{
		f(2, fixers.Warning, "CF201"), f(5, fixers.Info, "CF509"), f(7, fixers.Warning, "CF201"), f(9, fixers.Error, "CF506"), f(12, fixers.Warning, "CF201"),
	}}}
	var b bytes.Buffer
	if err := GitHub(&b, files); err != nil {
		t.Fatal(err)
	}
	want := "::notice title=composefix::1 error, 3 warnings, 1 notice (3 annotations, by rule and file)\n" +
		"::error file=compose.yaml,line=9,col=3,endLine=9,endColumn=5,title=CF506 privileged::finding at 9\n" +
		"::warning file=compose.yaml,line=2,col=3,endLine=2,endColumn=5,title=CF201 restart-policy (3 in this file)::finding at 2%0Aalso at lines 7 and 12\n" +
		"::notice file=compose.yaml,line=5,col=3,endLine=5,endColumn=5,title=CF509 runs-as-root::finding at 5\n"
	if d := cmp.Diff(want, b.String()); d != "" {
		t.Errorf("GitHub (-want +got):\n%s", d)
	}
}

// TestGitHubNoFileFindings: the findings of an input that names no file
// (File.NoFile, a document on stdin) are annotated on no file, GitHub
// having none to place them on; the message names the input and position
// as the text format does ("path: " for a finding about the whole file).
func TestGitHubNoFileFindings(t *testing.T) {
	files := []File{{Path: "<stdin>", NoFile: true, Findings: []fixers.Finding{
		{RuleID: "CF601", Severity: fixers.Info, Path: "<stdin>", Message: "whole file"},
		{RuleID: "CF201", Severity: fixers.Warning, Path: "<stdin>", Pos: compose.Pos{Line: 2, Col: 3}, End: compose.Pos{Line: 2, Col: 6}, Message: "at 2"},
		{RuleID: "CF201", Severity: fixers.Warning, Path: "<stdin>", Pos: compose.Pos{Line: 7, Col: 3}, End: compose.Pos{Line: 7, Col: 6}, Message: "at 7"},
	}}}
	var b bytes.Buffer
	if err := GitHub(&b, files); err != nil {
		t.Fatal(err)
	}
	want := "::notice title=composefix::0 errors, 2 warnings, 1 notice (2 annotations, by rule and file)\n" +
		"::warning title=CF201 restart-policy (2 in this file)::<stdin>:2:3: at 2%0Aalso at line 7\n" +
		"::notice title=CF601 obsolete-version::<stdin>: whole file\n"
	if d := cmp.Diff(want, b.String()); d != "" {
		t.Errorf("GitHub (-want +got):\n%s", d)
	}
}

// TestStepSummary checks the step summary, and that it words the fixes as
// the text summary line does: "to apply" in a dry run, where nothing was
// written, "applied" with --write (it said "applied" in both).
func TestStepSummary(t *testing.T) {
	files := []File{{Path: "compose.yaml", Findings: []fixers.Finding{
		{RuleID: "CF201", Severity: fixers.Warning, Applied: true, Fix: &fixers.Fix{}},
		{RuleID: "CF201", Severity: fixers.Warning},
		{RuleID: "CF506", Severity: fixers.Error},
	}}}
	for _, tc := range []struct {
		name       string
		write      bool
		counts     string
		fixedTitle string
	}{
		{"dry run", false, "1 file scanned, 1 would change; 1 fix to apply; remaining: 1 error, 1 warning, 0 info.\n\n", "to apply"},
		{"write", true, "1 file scanned, 1 changed; 1 fix applied; remaining: 1 error, 1 warning, 0 info.\n\n", "fixed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sum := Summary{Files: 1, Changed: 1, Applied: 1, Errors: 1, Warnings: 1, Write: tc.write}
			var b bytes.Buffer
			if err := StepSummary(&b, files, sum, "--- a/compose.yaml\n+++ b/compose.yaml\n@@ -1 +1,2 @@\n+```\n"); err != nil {
				t.Fatal(err)
			}
			want := "### composefix\n\n" + tc.counts +
				"| rule | name | severity | findings | " + tc.fixedTitle + " |\n|---|---|---|---:|---:|\n" +
				"| CF506 | privileged | error | 1 | 0 |\n" +
				"| CF201 | restart-policy | warning | 2 | 1 |\n\n" +
				"<details><summary>Diff (1 file)</summary>\n\n" +
				"````diff\n--- a/compose.yaml\n+++ b/compose.yaml\n@@ -1 +1,2 @@\n+```\n````\n</details>\n\n"
			if d := cmp.Diff(want, b.String()); d != "" {
				t.Errorf("StepSummary (-want +got):\n%s", d)
			}
			// The text summary line words the same counts the same way.
			var line bytes.Buffer
			SummaryLine(&line, sum)
			if fixes := strings.SplitN(strings.SplitN(tc.counts, "; ", 3)[1], ";", 2)[0]; !strings.Contains(line.String(), "; "+fixes+";") {
				t.Errorf("text summary %q does not say %q as the step summary does", line.String(), fixes)
			}
		})
	}
}

// TestFileErrorNamesItsFileOnce: a file's error without a position (too
// large, empty, unreadable) said its path twice in an annotation or a SARIF
// notification, once as the location and again in the message; one with a
// position did not. An error about another file keeps that file's name.
func TestFileErrorNamesItsFileOnce(t *testing.T) {
	files := []File{
		{Path: "big/compose.yaml", Err: &compose.PosError{Path: "big/compose.yaml", Msg: "file is larger than the 8388608-byte limit"}},
		{Path: "app/compose.yaml", Err: fmt.Errorf("reading its project: %w", &compose.PosError{Path: "app/other.yaml", Msg: "cannot read"})},
	}
	for _, tc := range []struct {
		name   string
		render func(*bytes.Buffer) error
	}{
		{"github", func(b *bytes.Buffer) error { return GitHub(b, files) }},
		{"sarif", func(b *bytes.Buffer) error { return SARIF(b, files) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.render(&b); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			if strings.Contains(out, "big/compose.yaml: file is larger") {
				t.Errorf("the message repeats the file's path:\n%s", out)
			}
			for _, want := range []string{"file is larger than the 8388608-byte limit", "app/other.yaml: cannot read"} {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
		})
	}
}

// A file's error whose position is in another file (a base merged before
// it, a file it includes or extends, that does not load) was annotated on
// the processed file at the other file's line, a line that may not exist
// there. It goes to the file the position belongs to when the run reports
// on that file, and otherwise on the processed file with no line, the
// other file's path and position kept in the message.
func TestFileErrorAtItsPosition(t *testing.T) {
	sch := sarifSchema(t)
	// baseErr is base as every expectation below quotes it.
	const baseErr = "app/base.yaml:7:3: invalid YAML: did not find expected ',' or ']'"
	base := &compose.PosError{Path: "app/base.yaml", Line: 7, Col: 3, Msg: "invalid YAML: did not find expected ',' or ']'"}
	wrapped := fmt.Errorf("reading its project: %w", base)
	own := &compose.PosError{Path: "app/compose.yaml", Line: 2, Col: 5, Msg: "invalid YAML: mapping values are not allowed in this context"}
	for _, tc := range []struct {
		name  string
		files []File
		// want is, for the first file, where its error is and what it says.
		wantGitHub string
		wantURI    string
		wantLine   int // 0: no region
		wantCol    int
		wantMsg    string
	}{
		{
			name:       "other file not reported",
			files:      []File{{Path: "app/compose.yaml", Err: wrapped}},
			wantGitHub: "::error file=app/compose.yaml,title=composefix::reading its project: " + baseErr + "\n",
			wantURI:    "app/compose.yaml",
			wantMsg:    "reading its project: " + baseErr,
		},
		{
			name:       "other file not reported, error unwrapped",
			files:      []File{{Path: "app/compose.yaml", Err: base}},
			wantGitHub: "::error file=app/compose.yaml,title=composefix::" + baseErr + "\n",
			wantURI:    "app/compose.yaml",
			wantMsg:    baseErr,
		},
		{
			name:       "other file reported",
			files:      []File{{Path: "app/compose.yaml", Err: wrapped}, {Path: "app/base.yaml", Err: base}},
			wantGitHub: "::error file=app/base.yaml,line=7,col=3,title=composefix::app/compose.yaml: reading its project: " + baseErr + "\n",
			wantURI:    "app/base.yaml",
			wantLine:   7, wantCol: 3,
			wantMsg: "app/compose.yaml: reading its project: " + baseErr,
		},
		{
			name:       "other file reported as given otherwise",
			files:      []File{{Path: "app/compose.yaml", Err: wrapped}, {Path: "./app/base.yaml", Err: base}},
			wantGitHub: "::error file=./app/base.yaml,line=7,col=3,title=composefix::app/compose.yaml: reading its project: " + baseErr + "\n",
			wantURI:    "app/base.yaml",
			wantLine:   7, wantCol: 3,
			wantMsg: "app/compose.yaml: reading its project: " + baseErr,
		},
		{
			name:       "own position",
			files:      []File{{Path: "app/compose.yaml", Err: own}},
			wantGitHub: "::error file=app/compose.yaml,line=2,col=5,title=composefix::invalid YAML: mapping values are not allowed in this context\n",
			wantURI:    "app/compose.yaml",
			wantLine:   2, wantCol: 5,
			wantMsg: "invalid YAML: mapping values are not allowed in this context",
		},
		{
			name:       "own position, no path in the error",
			files:      []File{{Path: "-", Err: &compose.PosError{Line: 2, Col: 5, Msg: "invalid YAML: x"}}},
			wantGitHub: "::error file=-,line=2,col=5,title=composefix::invalid YAML: x\n",
			wantURI:    "-",
			wantLine:   2, wantCol: 5,
			wantMsg: "invalid YAML: x",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := GitHub(&b, tc.files); err != nil {
				t.Fatal(err)
			}
			lines := strings.SplitAfter(b.String(), "\n")
			if len(lines) < 2 || lines[1] != tc.wantGitHub {
				t.Errorf("GitHub annotation:\n got %q\nwant %q", lines[1], tc.wantGitHub)
			}
			b.Reset()
			if err := SARIF(&b, tc.files); err != nil {
				t.Fatal(err)
			}
			validateSARIF(t, sch, b.Bytes())
			var log sarifLog[[]sarifResult]
			if err := json.Unmarshal(b.Bytes(), &log); err != nil {
				t.Fatal(err)
			}
			n := log.Runs[0].Invocations[0].Notifications[0]
			if n.Message.Text != tc.wantMsg {
				t.Errorf("SARIF message = %q, want %q", n.Message.Text, tc.wantMsg)
			}
			loc := n.Locations[0].PhysicalLocation
			if loc.ArtifactLocation.URI != tc.wantURI {
				t.Errorf("SARIF location = %q, want %q", loc.ArtifactLocation.URI, tc.wantURI)
			}
			var line, col int
			if loc.Region != nil {
				line, col = loc.Region.StartLine, loc.Region.StartColumn
			}
			if line != tc.wantLine || col != tc.wantCol {
				t.Errorf("SARIF region at %d:%d, want %d:%d", line, col, tc.wantLine, tc.wantCol)
			}
			b.Reset()
			if err := JSON(&b, tc.files, Summary{}); err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Files []struct{ Path, Error string }
			}
			if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			// JSON names the file apart and gives the error whole, so
			// the other file's path and position are in it.
			if doc.Files[0].Path != tc.files[0].Path || doc.Files[0].Error != tc.files[0].Err.Error() {
				t.Errorf("JSON file = %+v", doc.Files[0])
			}
		})
	}
}

// A position's path and the file's may spell the same file one absolute,
// one relative (an include named by its absolute path, a file given so on
// the command line): the error is still at its line there.
func TestFileErrorAtItsPositionAbsolute(t *testing.T) {
	abs, err := filepath.Abs("app/base.yaml")
	if err != nil {
		t.Fatal(err)
	}
	absOwn, err := filepath.Abs("app/compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	base := &compose.PosError{Path: abs, Line: 7, Col: 3, Msg: "invalid YAML: x"}
	for _, tc := range []struct {
		name       string
		files      []File
		wantGitHub string
	}{
		{
			name:       "other file reported by its relative path",
			files:      []File{{Path: "app/compose.yaml", Err: fmt.Errorf("reading its project: %w", base)}, {Path: "app/base.yaml", Err: base}},
			wantGitHub: "::error file=app/base.yaml,line=7,col=3,title=composefix::app/compose.yaml: reading its project: " + escapeData(base.Error()) + "\n",
		},
		{
			name:       "own position, absolute",
			files:      []File{{Path: "app/compose.yaml", Err: &compose.PosError{Path: absOwn, Line: 2, Col: 5, Msg: "invalid YAML: y"}}},
			wantGitHub: "::error file=app/compose.yaml,line=2,col=5,title=composefix::invalid YAML: y\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := GitHub(&b, tc.files); err != nil {
				t.Fatal(err)
			}
			lines := strings.SplitAfter(b.String(), "\n")
			if len(lines) < 2 || lines[1] != tc.wantGitHub {
				t.Errorf("GitHub annotation:\n got %q\nwant %q", lines[1], tc.wantGitHub)
			}
		})
	}
}

// TestConfigEntryIsNotCounted: an invalid configuration's entry carries
// its error, but it is not a compose file: the GitHub notice counted it
// among the files not processed, and Summary.Add among the files.
func TestConfigEntryIsNotCounted(t *testing.T) {
	files := []File{
		{Path: "a/.composefix.yaml", Config: true, Err: errors.New("a/.composefix.yaml: not a regular file")},
		{Path: "a/compose.yaml", Err: errors.New("not processed: its configuration a/.composefix.yaml is invalid")},
	}
	var sum Summary
	for i := range files {
		sum.Add(&files[i])
	}
	if sum.Files != 1 || sum.Failed != 1 {
		t.Errorf("summary counts %d files, %d failed; want 1, 1 (the compose file only)", sum.Files, sum.Failed)
	}
	var b bytes.Buffer
	if err := GitHub(&b, files); err != nil {
		t.Fatal(err)
	}
	if want := "; 1 file not processed; 1 configuration invalid (2 annotations,"; !strings.Contains(b.String(), want) {
		t.Errorf("notice lacks %q:\n%s", want, b.String())
	}
}

// TestNotProcessedIsWordedAlike: the text summary line said "1 failed"
// where the step summary and the GitHub notice said "not processed" of the
// same files. All three say "not processed", the words DESIGN.md's exit
// codes and the configuration errors use, for a file whose result the run
// could not give (unreadable, unparsable, refused write).
func TestNotProcessedIsWordedAlike(t *testing.T) {
	files := []File{
		{Path: "a/compose.yaml", Err: errors.New("a/compose.yaml:1:1: invalid YAML")},
		{Path: "b/compose.yaml", Err: errors.New("b/compose.yaml: not written")},
		{Path: "c/compose.yaml"},
	}
	var sum Summary
	for i := range files {
		sum.Add(&files[i])
	}
	for _, tc := range []struct {
		name   string
		render func(*bytes.Buffer) error
		want   string
	}{
		{"text summary line", func(b *bytes.Buffer) error { SummaryLine(b, sum); return nil }, "3 files scanned, 0 would change, 2 not processed;"},
		{"step summary", func(b *bytes.Buffer) error { return StepSummary(b, files, sum, "") }, "3 files scanned, 0 would change, 2 not processed;"},
		{"GitHub notice", func(b *bytes.Buffer) error { return GitHub(b, files) }, "; 2 files not processed ("},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.render(&b); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(b.String(), tc.want) {
				t.Errorf("%s lacks %q:\n%s", tc.name, tc.want, b.String())
			}
			if strings.Contains(b.String(), "failed") {
				t.Errorf("%s says \"failed\" of files it did not process:\n%s", tc.name, b.String())
			}
		})
	}
}

// TestFixNotesByMode: an applied fix is "fixed" in every format only when
// the file was written or its fixed document printed; otherwise (a dry
// run's diff, --check, a machine format's report) it is "to apply", and no
// renderer may say fixed.
func TestFixNotesByMode(t *testing.T) {
	for _, tc := range []struct {
		name             string
		written, printed bool
		text, github     string
	}{
		{"dry run", false, false, " [CF001] (fix to apply)\n", "\nfix to apply: Pin nginx to 1.27.3"},
		{"written", true, false, " [CF001] (fixed)\n", "\nfixed: Pin nginx to 1.27.3"},
		{"stdin document", false, true, " [CF001] (fixed)\n", "\nfixed: Pin nginx to 1.27.3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files, _ := fixture()
			f := files[0]
			f.Written, f.Printed = tc.written, tc.printed
			var text, source, gh bytes.Buffer
			Findings(&text, &f)
			FindingsWithSource(&source, &f, true)
			if err := GitHub(&gh, []File{f}, WithRules(testRules())); err != nil {
				t.Fatal(err)
			}
			for name, got := range map[string]string{"Findings": text.String(), "FindingsWithSource": source.String()} {
				if !strings.Contains(got, tc.text) {
					t.Errorf("%s says no %q:\n%s", name, tc.text, got)
				}
			}
			if got := unescape(gh.String()); !strings.Contains(got, tc.github+"\n") {
				t.Errorf("GitHub says no %q:\n%s", tc.github, got)
			}
			if !f.FixesMade() {
				all := text.String() + source.String() + unescape(gh.String())
				if strings.Contains(all, "(fixed)") || strings.Contains(all, "\nfixed:") {
					t.Errorf("a file neither written nor printed is said fixed:\n%s", all)
				}
			}
		})
	}
}
