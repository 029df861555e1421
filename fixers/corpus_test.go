package fixers

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/diff"
	"github.com/composefix/composefix/internal/golden"
	"github.com/sirupsen/logrus"
)

// TestCorpus runs every rule over every corpus file and checks the promise:
// the output re-parses, still loads with the compose-spec reference loader
// when the input did, a second run finds nothing to fix, and every changed
// line is a change of a key owned by a rule that applied a fix (zero
// collateral lines, measured by collateralLines from the input and output
// alone).
func TestCorpus(t *testing.T) {
	files := golden.CorpusFiles(t)
	// compose-go warns through logrus (obsolete version key, unset
	// variables); the warnings are noise here.
	logrus.SetOutput(io.Discard)
	first, err := Select(Rules(), []string{"CF201", "CF401", "CF601", "CF900"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, set := range []struct {
		name  string
		rules []*Rule
		facts bool // with synthetic image facts and CF103's unsafe fixes
	}{{"first-rules", first, false}, {"all-rules", Rules(), false}, {"all-rules-with-facts", Rules(), true}} {
		t.Run(set.name, func(t *testing.T) {
			opts := Options{Rules: set.rules}
			var total corpusTotals
			for _, path := range files {
				t.Run(filepath.Base(path), func(t *testing.T) {
					src, err := os.ReadFile(path)
					if err != nil {
						t.Fatal(err)
					}
					opts := opts
					if set.facts {
						opts.UnsafeRules = map[string]bool{healthProgramID: true}
						if d, err := compose.Load(path, src); err == nil {
							opts.Resolved = syntheticFacts(d)
						}
					}
					s := checkPromise(t, path, src, opts)
					total.add(s)
					t.Logf("%s", s)
				})
			}
			t.Logf("corpus with %d rules: %d files, %d changed, %d fixes applied, %d changed lines, %d collateral lines, %d inputs refused by compose-go",
				len(set.rules), total.files, total.changed, total.fixes, total.lines, total.collateral, total.refused)
			if total.collateral != 0 {
				t.Errorf("collateral lines = %d, want 0", total.collateral)
			}
			total.checkProbed(t)
			// A rule that stopped fixing would leave the promise unchecked.
			for _, id := range []string{"CF201", "CF401", "CF601"} {
				if total.byRule[id] == 0 {
					t.Errorf("no fix of %s applied on the corpus: the run checks nothing of it", id)
				}
			}
		})
	}
}

// fileSummary is what a run did to one file.
type fileSummary struct {
	services, findings, fixes, passes int
	added, removed, collateral        int
	inputLoads                        bool
	probed                            bool // the services line probe ran

	applied []appliedFix
}

func (s fileSummary) String() string {
	return fmt.Sprintf("%d services, %d findings, %d fixes in %d passes, +%d -%d lines, %d collateral, compose-go loads input: %v",
		s.services, s.findings, s.fixes, s.passes, s.added, s.removed, s.collateral, s.inputLoads)
}

type corpusTotals struct {
	files, changed, fixes, lines, collateral, refused int
	probed                                            int            // files the services line probe ran on
	byRule                                            map[string]int // applied fixes per rule
}

func (c *corpusTotals) add(s fileSummary) {
	c.files++
	if s.passes > 0 {
		c.changed++
	}
	c.fixes += s.fixes
	c.lines += s.added + s.removed
	c.collateral += s.collateral
	if c.byRule == nil {
		c.byRule = map[string]int{}
	}
	for _, f := range s.applied {
		c.byRule[f.rule]++
	}
	if !s.inputLoads {
		c.refused++
	}
	if s.probed {
		c.probed++
	}
}

// checkProbed fails when the services line probe ran on fewer than nine
// files in ten: on the others the comment line probe sees only that whole
// lines are compared, not that a line holding a key no rule owns is.
func (c *corpusTotals) checkProbed(t *testing.T) {
	t.Helper()
	t.Logf("services line probe: %d of %d files (the others have no top-level services line)", c.probed, c.files)
	if c.probed*10 < c.files*9 {
		t.Errorf("services line probe ran on %d of %d files, want at least nine in ten", c.probed, c.files)
	}
}

// checkPromise runs opts' rules over src and checks every part of the
// promise, reporting failures on t.
func checkPromise(t *testing.T, path string, src []byte, opts Options) fileSummary {
	t.Helper()
	opts, err := withDefaults(opts) // decode the knowledge bases once, not per traced pass
	if err != nil {
		t.Fatal(err)
	}
	d, err := compose.Load(path, src)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	res, err := Run(d, opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	s := fileSummary{services: len(d.Services()), findings: len(res.Findings), passes: res.Passes}
	for _, f := range res.Findings {
		if f.Applied {
			s.fixes++
		}
	}

	last := src
	for i, p := range tracePasses(t, d, opts) {
		last = p.out
		if err := checkOutsideEdits(p.src, p.out, p.edits); err != nil {
			t.Errorf("pass %d: %v", i+1, err)
		}
	}
	if !bytes.Equal(last, res.Output) {
		t.Errorf("replaying the passes gives %d bytes, Run gave %d bytes", len(last), len(res.Output))
	}
	s.added, s.removed = changedLines(src, res.Output)
	s.applied = appliedFixes(res.Findings)
	collateral := collateralLines(src, res.Output, s.applied)
	s.collateral = len(collateral)
	for _, c := range collateral {
		t.Errorf("collateral line: %s", c)
	}
	// The measure must see a line changed outside the rules' keys: the
	// services line given a trailing space. A file without a top-level
	// services line gets a comment line after its last line instead (in
	// the file's line ending, the final newline kept as it is), which must
	// count as one, and the run counts the files probed the first way
	// (corpusTotals.probed).
	if i := topLevelKey(res.Output, "services:"); i >= 0 {
		s.probed = true
		touched := slices.Concat(res.Output[:i+len("services:")], []byte(" "), res.Output[i+len("services:"):])
		if n := len(collateralLines(src, touched, s.applied)); n != len(collateral)+2 {
			t.Errorf("the services line changed: %d collateral lines, want %d", n, len(collateral)+2)
		}
	} else {
		t.Logf("no top-level services line: probed with a comment line added instead")
		eol := []byte("\n")
		if bytes.Contains(res.Output, []byte("\r\n")) {
			eol = []byte("\r\n")
		}
		touched := slices.Concat(res.Output, []byte("# probe"), eol)
		if !bytes.HasSuffix(res.Output, []byte("\n")) {
			touched = slices.Concat(res.Output, eol, []byte("# probe"))
		}
		if n := len(collateralLines(src, touched, s.applied)); n != len(collateral)+1 {
			t.Errorf("a comment line added: %d collateral lines, want %d", n, len(collateral)+1)
		}
	}

	out, err := compose.Load(path, res.Output)
	if err != nil {
		t.Fatalf("the output does not load: %v", err)
	}
	inOK, inErr := composeGoLoads(path, src)
	outOK, outErr := composeGoLoads(path, res.Output)
	for i, ok := range inOK {
		s.inputLoads = s.inputLoads || ok
		if ok && !outOK[i] {
			t.Errorf("compose-go loads the input but not the output with variables %s: %v", composeGoEnvs[i].name, outErr)
		}
	}
	if !s.inputLoads {
		t.Logf("compose-go refuses the input: %v", inErr)
	}

	again, err := Run(out, opts)
	if err != nil {
		t.Fatalf("second Run: %v", err)
	}
	if again.Changed() || again.Passes != 0 {
		t.Errorf("second Run changed the output again (%d passes): %s", again.Passes, eligibleTitles(again.Findings, opts))
	}
	return s
}

func eligibleTitles(fs []Finding, opts Options) string {
	var out []string
	for _, f := range eligible(fs, opts) {
		out = append(out, fmt.Sprintf("%d:%d %s %s", f.Pos.Line, f.Pos.Col, f.RuleID, f.Fix.Title))
	}
	return strings.Join(out, "; ")
}

// pass is one fix pass: the source, the edits applied to it and the result.
type pass struct {
	src, out []byte
	edits    []compose.Edit
}

// tracePasses repeats Run's loop, keeping each pass's edits so that the
// changed lines can be checked against them.
func tracePasses(t *testing.T, d *compose.Document, opts Options) []pass {
	t.Helper()
	var passes []pass
	cur := d
	for i := 0; i <= MaxPasses; i++ {
		findings, err := analyze(cur, opts)
		if err != nil {
			t.Fatalf("analyze: %v", err)
		}
		fixes := eligible(findings, opts)
		if len(fixes) == 0 {
			return passes
		}
		accepted, err := merge(cur, fixes, cur.Pos)
		if err != nil {
			t.Fatalf("merge: %v", err)
		}
		if len(accepted) == 0 {
			return passes // as Run: the rest needs fixes that do not land
		}
		a, err := applyFixes(cur, accepted, cur.Pos)
		if err != nil {
			t.Fatalf("applyFixes: %v", err)
		}
		out := a.out
		if err := compose.Verify(cur, a.ops, out); err != nil {
			t.Fatalf("Verify: %v", err)
		}
		var edits []compose.Edit
		for _, f := range accepted {
			edits = append(edits, f.Fix.Change.Edits...)
		}
		passes = append(passes, pass{src: cur.Src, out: out, edits: edits})
		if cur, err = compose.Load(cur.Path, out); err != nil {
			t.Fatalf("reloading pass %d: %v", i+1, err)
		}
	}
	t.Fatalf("fixes still pending after %d passes", MaxPasses)
	return nil
}

// composeGoEnvs are the environments compose-go loads a file under: no
// variable set (every "${X:-default}" takes its default), and every
// variable "1" (valid as a number, a port and a string), and a value typed
// by the variable's name.
var composeGoEnvs = []struct {
	name   string
	lookup func(string) (string, bool)
}{
	{"unset", func(string) (string, bool) { return "", false }},
	{"ones", func(string) (string, bool) { return "1", true }},
	{"typed by name", typedPlaceholder},
}

// typedPlaceholder guesses a value of the right type from a variable's name.
func typedPlaceholder(name string) (string, bool) {
	n := strings.ToUpper(name)
	switch {
	case strings.Contains(n, "PORT"):
		return "8080", true
	case strings.Contains(n, "INTERVAL") || strings.Contains(n, "TIMEOUT") || strings.Contains(n, "PERIOD"):
		return "10s", true
	case strings.Contains(n, "READONLY") || strings.Contains(n, "READ_ONLY") || strings.Contains(n, "ENABLE"):
		return "false", true
	case strings.Contains(n, "RETRIES"):
		return "3", true
	case strings.Contains(n, "PATH") || strings.Contains(n, "DIR") || strings.Contains(n, "LOCATION") ||
		strings.Contains(n, "SOCK") || strings.Contains(n, "VOLUME") || strings.Contains(n, "DATA"):
		return "/srv/placeholder", true
	}
	return "1", true
}

// composeGoLoads reports, per environment of composeGoEnvs, whether
// compose-go loads src, and the first error. Variables that src requires
// (${X:?...}) get a placeholder value: a fix that makes a variable
// required (CF501) means the user must now set it, and with it set the
// file must load.
func composeGoLoads(path string, src []byte) ([]bool, error) {
	var required map[string]bool
	if d, err := compose.LoadWith(path, src, compose.LoadOptions{AllowNonCompose: true}); err == nil {
		required = requiredVariables(d)
	}
	var first error
	ok := make([]bool, len(composeGoEnvs))
	for i, env := range composeGoEnvs {
		lookup := func(name string) (string, bool) {
			if v, ok := env.lookup(name); ok {
				return v, true
			}
			if required[name] {
				return "placeholder", true
			}
			return "", false
		}
		err := loadsWithComposeGo(path, src, lookup)
		ok[i] = err == nil
		if err != nil && first == nil {
			first = fmt.Errorf("with variables %s: %w", env.name, err)
		}
	}
	return ok, first
}

// loadsWithComposeGo loads src with the compose-spec reference loader
// without reading other files: variables come from lookup, env files and
// includes are not read, and relative paths stay as written.
func loadsWithComposeGo(path string, src []byte, lookup func(string) (string, bool)) error {
	details := types.ConfigDetails{
		WorkingDir:  filepath.Dir(path),
		ConfigFiles: []types.ConfigFile{{Filename: path, Content: src}},
		Environment: types.Mapping{},
	}
	_, err := loader.LoadWithContext(context.Background(), details, isolatedLoad(lookup))
	return err
}

// isolatedLoad configures compose-go to read nothing but the given files:
// variables from lookup, no env files, no includes, paths as written.
func isolatedLoad(lookup func(string) (string, bool)) func(*loader.Options) {
	return func(o *loader.Options) {
		o.SetProjectName("corpus", true)
		o.SkipResolveEnvironment = true
		o.SkipResolveLabels = true
		o.SkipInclude = true
		o.ResolvePaths = false
		o.Interpolate.LookupValue = lookup
	}
}

// topLevelKey returns the offset of the line that starts with key, or -1.
func topLevelKey(src []byte, key string) int {
	if bytes.HasPrefix(src, []byte(key)) {
		return 0
	}
	if i := bytes.Index(src, []byte("\n"+key)); i >= 0 {
		return i + 1
	}
	return -1
}

// diffRegions converts the regions of a Result (or of composed edits) for
// the diff package.
func diffRegions(rs []compose.Region) []diff.Region {
	out := make([]diff.Region, len(rs))
	for i, g := range rs {
		out[i] = diff.Region{AStart: g.Old.Start, AEnd: g.Old.End, BStart: g.New.Start, BEnd: g.New.End}
	}
	return out
}

// syntheticFacts gives every image of d facts of one of four kinds, chosen
// by the image's name, so that the facts-driven paths of CF005, CF101,
// CF102, CF103 and CF509 all run over the corpus: an image HEALTHCHECK, a
// busybox-only file system, a bare one, and a platform not served.
func syntheticFacts(d *compose.Document) Resolutions {
	busybox := &FileFacts{
		Programs: map[string]bool{"busybox": true, "wget": true, "sh": true, "nc": true},
		Paths:    map[string]bool{"/bin/busybox": true, "/bin/wget": true, "/bin/sh": true, "/bin/nc": true},
		Shells:   []string{"/bin/sh"},
	}
	bare := &FileFacts{Programs: map[string]bool{}, Paths: map[string]bool{}}
	out := Resolutions{}
	for text, platforms := range ImagePlatforms(d) {
		facts := map[string]ImageFacts{}
		for _, p := range platforms {
			var f ImageFacts
			switch len(text) % 4 {
			case 0:
				f = ImageFacts{User: "1000", Healthcheck: []string{"CMD", "true"}}
			case 1:
				f = ImageFacts{Files: busybox}
			case 2:
				f = ImageFacts{Files: bare}
			case 3:
				f = ImageFacts{Unserved: true, Platforms: []string{"linux/s390x"}}
			}
			facts[p] = f
		}
		out[text] = Resolution{Facts: facts}
	}
	return out
}
