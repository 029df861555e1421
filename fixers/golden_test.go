package fixers

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/internal/golden"
)

// TestGolden runs the rules over every testdata/golden/<dir>/<case>.input.yaml
// and compares the output with <case>.golden.yaml and the findings with
// <case>.findings; `go test ./fixers -update` rewrites both. A directory may
// hold a "select" file naming the rules it runs (IDs, prefixes or names,
// comma separated), so that shape cases keep testing the engine while rules
// are added; without one every rule runs.
//
// Each case also checks the promise: a second run changes nothing, the
// output loads, every byte outside the edits is unchanged, no changed line
// lies outside the keys of the rules that applied fixes (collateralLines),
// and compose-go loads the output when it loads the input.
func TestGolden(t *testing.T) {
	root := filepath.Join(golden.RepoRoot(t), "testdata", "golden")
	inputs, err := filepath.Glob(filepath.Join(root, "*", "*.input.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(inputs) == 0 {
		t.Fatalf("no golden cases under %s", root)
	}
	sort.Strings(inputs)
	for _, in := range inputs {
		dir := filepath.Dir(in)
		name := strings.TrimSuffix(filepath.Base(in), ".input.yaml")
		t.Run(filepath.Base(dir)+"/"+name, func(t *testing.T) {
			rules := goldenRules(t, dir)
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Base(in)
			d, err := compose.Load(path, src)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			opts := Options{Rules: rules}
			res, err := Run(d, opts)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			golden.Check(t, filepath.Join(dir, name+".golden.yaml"), res.Output)
			golden.Check(t, filepath.Join(dir, name+".findings"), []byte(formatFindings(res.Findings)))

			for i, p := range tracePasses(t, d, opts) {
				if err := checkOutsideEdits(p.src, p.out, p.edits); err != nil {
					t.Errorf("pass %d: %v", i+1, err)
				}
			}
			for _, c := range collateralLines(src, res.Output, appliedFixes(res.Findings)) {
				t.Errorf("collateral line: %s", c)
			}
			out, err := compose.Load(path, res.Output)
			if err != nil {
				t.Fatalf("the output does not load: %v", err)
			}
			again, err := Run(out, opts)
			if err != nil {
				t.Fatalf("second Run: %v", err)
			}
			if again.Changed() {
				t.Errorf("second Run changed the output again: %s", eligibleTitles(again.Findings, opts))
			}
			inOK, _ := composeGoLoads(in, src)
			outOK, outErr := composeGoLoads(in, res.Output)
			for i := range inOK {
				if inOK[i] && !outOK[i] {
					t.Errorf("compose-go loads the input but not the output with variables %s: %v", composeGoEnvs[i].name, outErr)
				}
			}
		})
	}
}

// goldenRules returns the rules named by dir's "select" file, or all.
func goldenRules(t *testing.T, dir string) []*Rule {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "select"))
	if os.IsNotExist(err) {
		return Rules()
	}
	if err != nil {
		t.Fatal(err)
	}
	tokens := strings.FieldsFunc(string(b), func(r rune) bool { return r == ',' || r == '\n' || r == ' ' })
	rules, err := Select(Rules(), tokens, nil)
	if err != nil {
		t.Fatalf("%s/select: %v", dir, err)
	}
	return rules
}

// formatFindings prints findings as the CLI does on stderr with --write (a
// dry run notes "(fix to apply)" where these say "(fixed)"), one a line:
// "path:line:col: severity: message [ID]" and a note on what became of the
// fix.
func formatFindings(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		note := ""
		switch {
		case f.Applied:
			note = " (fixed)"
		case f.Fix != nil && f.Fix.Safety == Unsafe:
			note = " (fix available with --unsafe-fixes)"
		case f.Fix != nil && f.Fix.Safety == DisplayOnly:
			note = " (fix shown, never applied)"
		}
		fmt.Fprintf(&b, "%s:%d:%d: %s: %s [%s]%s\n", f.Path, f.Pos.Line, f.Pos.Col, f.Severity, f.Message, f.RuleID, note)
	}
	return b.String()
}

// checkOutsideEdits checks that out is src with only the edits' spans
// replaced: every byte outside them is where the edits' lengths put it.
// Insertions at one offset may come in any order (the driver decides it).
func checkOutsideEdits(src, out []byte, edits []compose.Edit) error {
	at, shift := 0, 0
	for _, g := range groupEdits(edits) {
		if !bytes.Equal(src[at:g.start], sliceOr(out, at+shift, g.start+shift)) {
			return fmt.Errorf("bytes %d-%d before the edit at %d changed", at, g.start, g.start)
		}
		got := string(sliceOr(out, g.start+shift, g.start+shift+g.size()))
		if !isConcatenation(got, g.texts) {
			return fmt.Errorf("the edits at %d wrote %q, want the concatenation of %q", g.start, got, g.texts)
		}
		shift += g.size() - (g.end - g.start)
		at = g.end
	}
	if !bytes.Equal(src[at:], sliceOr(out, at+shift, len(out))) || len(out)-(at+shift) != len(src)-at {
		return fmt.Errorf("bytes after offset %d changed", at)
	}
	return nil
}

// editGroup is the distinct edits sharing one span: one replacement, or
// several insertions at one offset.
type editGroup struct {
	start, end int
	texts      []string
}

func (g editGroup) size() int {
	n := 0
	for _, t := range g.texts {
		n += len(t)
	}
	return n
}

// groupEdits sorts edits, drops duplicates and groups those sharing a span.
func groupEdits(edits []compose.Edit) []editGroup {
	sorted := append([]compose.Edit(nil), edits...)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].Start != sorted[j].Start {
			return sorted[i].Start < sorted[j].Start
		}
		return sorted[i].End < sorted[j].End
	})
	var out []editGroup
	seen := map[compose.Edit]bool{}
	for _, e := range sorted {
		if seen[e] {
			continue
		}
		seen[e] = true
		if n := len(out); n > 0 && out[n-1].start == e.Start && out[n-1].end == e.End {
			out[n-1].texts = append(out[n-1].texts, e.New)
			continue
		}
		out = append(out, editGroup{start: e.Start, end: e.End, texts: []string{e.New}})
	}
	return out
}

// isConcatenation reports whether s is the texts joined in some order.
func isConcatenation(s string, texts []string) bool {
	if len(texts) == 0 {
		return s == ""
	}
	for i, t := range texts {
		if strings.HasPrefix(s, t) {
			rest := append(append([]string(nil), texts[:i]...), texts[i+1:]...)
			if isConcatenation(s[len(t):], rest) {
				return true
			}
		}
	}
	return false
}

// sliceOr returns b[i:j], or nil when the range is outside b.
func sliceOr(b []byte, i, j int) []byte {
	if i < 0 || j > len(b) || i > j {
		return nil
	}
	return b[i:j]
}

// TestGoldenUnsafe runs the golden cases of the unsafe rules' directories
// (CF103, CF3xx, CF5xx and the seed replays) again with unsafe fixes on, comparing
// with <case>.unsafe.golden.yaml and <case>.unsafe.findings; TestGolden
// covers the default run, where unsafe fixes must be shown, not applied.
// Each case also checks the promise (output loads, a second run changes
// nothing, no collateral lines, compose-go loads the output when it loads
// the input, with the variables the fixes make required set).
func TestGoldenUnsafe(t *testing.T) {
	root := filepath.Join(golden.RepoRoot(t), "testdata", "golden")
	var inputs []string
	for _, pattern := range []string{"CF103/*.input.yaml", "CF3*/*.input.yaml", "CF5*/*.input.yaml", "seeds/*.input.yaml"} {
		m, err := filepath.Glob(filepath.Join(root, pattern))
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, m...)
	}
	if len(inputs) == 0 {
		t.Fatalf("no unsafe golden cases under %s", root)
	}
	sort.Strings(inputs)
	for _, in := range inputs {
		dir := filepath.Dir(in)
		name := strings.TrimSuffix(filepath.Base(in), ".input.yaml")
		t.Run(filepath.Base(dir)+"/"+name, func(t *testing.T) {
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			opts := Options{Rules: goldenRules(t, dir), UnsafeFixes: true, Config: seedConfig(name)}
			d, err := compose.Load(filepath.Base(in), src)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			res, err := Run(d, opts)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			golden.Check(t, filepath.Join(dir, name+".unsafe.golden.yaml"), res.Output)
			golden.Check(t, filepath.Join(dir, name+".unsafe.findings"), []byte(formatFindings(res.Findings)))
			checkPromise(t, filepath.Base(in), src, opts)

			safe, err := Run(d, Options{Rules: opts.Rules, Config: opts.Config})
			if err != nil {
				t.Fatalf("Run without unsafe fixes: %v", err)
			}
			for _, f := range safe.Findings {
				if f.Applied && f.Fix.Safety != Safe {
					t.Errorf("without unsafe fixes, %s %q was applied", f.RuleID, f.Fix.Title)
				}
			}
		})
	}
}

// seedConfig returns the configuration a seed replay runs with: the
// production audit gives app and ml-service more than the application
// class, which .composefix.yaml expresses per service.
func seedConfig(name string) *Config {
	cfg := DefaultConfig()
	if name == "compose-prod" {
		cfg.Limits.Services = map[string]ServiceResources{
			"app":        {ResourceLimits: ResourceLimits{CPUs: "2", Memory: "2G"}},
			"ml-service": {ResourceLimits: ResourceLimits{CPUs: "2", Memory: "4G"}},
		}
	}
	return cfg
}
