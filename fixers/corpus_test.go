package fixers

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
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
// line of the diff belongs to an applied edit (zero collateral lines).
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
		})
	}
}

// fileSummary is what a run did to one file.
type fileSummary struct {
	services, findings, fixes, passes int
	added, removed, collateral        int
	inputLoads                        bool
}

func (s fileSummary) String() string {
	return fmt.Sprintf("%d services, %d findings, %d fixes in %d passes, +%d -%d lines, %d collateral, compose-go loads input: %v",
		s.services, s.findings, s.fixes, s.passes, s.added, s.removed, s.collateral, s.inputLoads)
}

type corpusTotals struct {
	files, changed, fixes, lines, collateral, refused int
}

func (c *corpusTotals) add(s fileSummary) {
	c.files++
	if s.passes > 0 {
		c.changed++
	}
	c.fixes += s.fixes
	c.lines += s.added + s.removed
	c.collateral += s.collateral
	if !s.inputLoads {
		c.refused++
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

	passes := tracePasses(t, d, opts)
	last := src
	for _, p := range passes {
		last = p.out
		st := lineStats(p.src, p.out, p.edits)
		s.added += st.added
		s.removed += st.removed
		s.collateral += st.collateral
		for _, c := range st.unexplained {
			t.Errorf("collateral line: %s", c)
		}
	}
	if !bytes.Equal(last, res.Output) {
		t.Errorf("replaying the passes gives %d bytes, Run gave %d bytes", len(last), len(res.Output))
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
		out, ops, err := applyFixes(cur, accepted, cur.Pos)
		if err != nil {
			t.Fatalf("applyFixes: %v", err)
		}
		if err := compose.Verify(cur, ops, out); err != nil {
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

// lineStat counts the lines a pass changed and those no edit explains.
type lineStat struct {
	added, removed, collateral int
	unexplained                []string
}

// lineStats takes the lines a pass's diff shows changed, as composefix
// prints it (diff.Edited: the lines the edits' regions touch, diffed line
// by line; a whole-file diff when the regions do not describe a and b), and
// checks each removed line of a and each added line of b against the lines
// the edits touch. A whole-file Myers diff would be the wrong measure: it
// may pair an untouched line with an edit's (Budibase's comment below the
// removed version key, shown removed and added again once an insertion
// lands in the same pass), which no fix changed and composefix does not
// print. A run of added or removed lines may slide over identical
// neighbours (the diff cannot tell "x\n\n" inserted before "\n" from "\nx\n"
// inserted after it); the run is explained if some position of it is.
func lineStats(a, b []byte, edits []compose.Edit) lineStat {
	// A byte-order mark kept at the top belongs to no line: an insertion
	// after it adds lines, it does not change the first one.
	if bom := "\ufeff"; bytes.HasPrefix(a, []byte(bom)) && bytes.HasPrefix(b, []byte(bom)) {
		a, b = a[len(bom):], b[len(bom):]
		shifted := make([]compose.Edit, len(edits))
		for i, e := range edits {
			shifted[i] = compose.Edit{Start: max(e.Start-len(bom), 0), End: max(e.End-len(bom), 0), New: e.New}
		}
		edits = shifted
	}
	allowA, allowB := allowedLines(a, b, edits)
	linesA, linesB := splitLines(a), splitLines(b)
	changes := diff.EditedLines(a, b, diffRegions(compose.ComposeRegions(nil, edits)))

	var st lineStat
	for i, c := range changes {
		// A run may slide only over unchanged neighbours: not into the
		// other side of its own change, nor into an adjacent change.
		prevTouches := i > 0 && changes[i-1].A+changes[i-1].Del == c.A
		nextTouches := i+1 < len(changes) && changes[i+1].A == c.A+c.Del
		if c.Del > 0 {
			st.removed += c.Del
			if bad := bestSlide(linesA, allowA, c.A, c.Del, !prevTouches, c.Ins == 0 && !nextTouches); bad > 0 {
				st.collateral += bad
				st.unexplained = append(st.unexplained, fmt.Sprintf("-%d lines at input line %d: %q", bad, c.A+1, strings.Join(linesA[c.A:c.A+c.Del], "")))
			}
		}
		if c.Ins > 0 {
			st.added += c.Ins
			if bad := bestSlide(linesB, allowB, c.B, c.Ins, c.Del == 0 && !prevTouches, !nextTouches); bad > 0 {
				st.collateral += bad
				st.unexplained = append(st.unexplained, fmt.Sprintf("+%d lines at output line %d: %q", bad, c.B+1, strings.Join(linesB[c.B:c.B+c.Ins], "")))
			}
		}
	}
	return st
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

// bestSlide returns the fewest lines outside allow over the positions the
// run lines[at:at+n] can slide to over identical unchanged neighbours.
func bestSlide(lines []string, allow map[int]bool, at, n int, up, down bool) int {
	count := func(p int) int {
		bad := 0
		for i := p; i < p+n; i++ {
			if !allow[i] {
				bad++
			}
		}
		return bad
	}
	best := count(at)
	for p := at; up && best > 0 && p > 0 && lines[p-1] == lines[p+n-1]; p-- {
		best = min(best, count(p-1))
	}
	for p := at; down && best > 0 && p+n < len(lines) && lines[p] == lines[p+n]; p++ {
		best = min(best, count(p+1))
	}
	return best
}

// allowedLines returns the 0-based lines of a that the edits touch and the
// lines of b that hold their new text (with the lines where old and new
// text join).
func allowedLines(a, b []byte, edits []compose.Edit) (map[int]bool, map[int]bool) {
	startsA, startsB := lineStartsOf(a), lineStartsOf(b)
	allowA, allowB := map[int]bool{}, map[int]bool{}
	shift := 0
	for _, g := range groupEdits(edits) {
		markLines(allowA, a, startsA, g.start, g.end)
		markLines(allowB, b, startsB, g.start+shift, g.start+shift+g.size())
		shift += g.size() - (g.end - g.start)
	}
	return allowA, allowB
}

// markLines marks the lines holding bytes [x, y) of text, and the line
// holding x or y when the range starts or ends inside it.
func markLines(m map[int]bool, text []byte, starts []int, x, y int) {
	atLineStart := func(o int) bool { return o == 0 || o <= len(text) && text[o-1] == '\n' }
	first := lineOf(starts, x)
	last := lineOf(starts, y)
	if atLineStart(y) {
		last-- // y starts a line the range does not reach
	}
	if x == y && !atLineStart(x) {
		last = first
	}
	for l := first; l <= last; l++ {
		m[l] = true
	}
}

func lineStartsOf(text []byte) []int {
	starts := []int{0}
	for i, c := range text {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

func lineOf(starts []int, off int) int {
	return sort.Search(len(starts), func(i int) bool { return starts[i] > off }) - 1
}

func splitLines(text []byte) []string {
	var out []string
	for len(text) > 0 {
		i := bytes.IndexByte(text, '\n') + 1
		if i == 0 {
			i = len(text)
		}
		out = append(out, string(text[:i]))
		text = text[i:]
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
