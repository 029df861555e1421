package fixers

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/composefix/composefix/compose"
	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

// scalarRule is a test rule that, while k's value satisfies when, sets it
// to next(value).
func scalarRule(id string, safety Safety, when func(string) bool, next func(string) string) *Rule {
	r := &Rule{ID: id, Name: "test-" + id, Safety: safety, Severity: Warning}
	r.Check = func(p *Pass) error {
		_, v := compose.MapGet(p.Document.Root, "k")
		if v == nil || !when(v.Value) {
			return nil
		}
		ch, err := p.Document.SetScalar(v, next(v.Value))
		if err != nil {
			return err
		}
		p.Report(v, p.NewFix(ch, "Change k"), "k needs a change")
		return nil
	}
	return r
}

// changeRule reports one finding on the root with a fix built by change.
func changeRule(id string, change func(d *compose.Document) compose.Change) *Rule {
	return &Rule{ID: id, Name: "test-" + id, Safety: Safe, Severity: Warning, Check: func(p *Pass) error {
		ch := change(p.Document)
		if len(ch.Edits) == 0 {
			return nil
		}
		p.Report(p.Document.Root, p.NewFix(ch, "Change"), "change")
		return nil
	}}
}

func runOn(t *testing.T, src string, opts Options) (*Result, error) {
	t.Helper()
	d, err := compose.Load("test.yaml", []byte(src))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	res, err := Run(d, opts)
	// Whatever the run did, failed or not, the caller gets the document's
	// tree back (a large file's run lets it go for a while).
	if d.Root == nil || compose.Verify(d, nil, d.Src) != nil {
		t.Errorf("after Run (error %v), the document's tree is gone or differs from its bytes", err)
	}
	return res, err
}

func applied(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		if f.Applied {
			out = append(out, f.RuleID)
		}
	}
	return out
}

// Two fixes rewriting the same bytes: the first in (offset, rule ID) order
// wins, the other waits for the next pass, which re-analyses the new bytes
// and so never replays stale offsets. Both count as applied.
func TestRunConflictWaitsForNextPass(t *testing.T) {
	a := scalarRule("CF991", Safe, func(v string) bool { return v == "x" }, func(v string) string { return v + "1" })
	b := scalarRule("CF992", Safe, func(v string) bool { return !strings.HasSuffix(v, "2") }, func(v string) string { return v + "2" })
	res, err := runOn(t, "services: {}\nk: x\n", Options{Rules: []*Rule{b, a}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(res.Output), "services: {}\nk: x12\n"; got != want {
		t.Errorf("Output = %q, want %q", got, want)
	}
	if res.Passes != 2 {
		t.Errorf("Passes = %d, want 2", res.Passes)
	}
	if d := cmp.Diff([]string{"CF991", "CF992"}, applied(res.Findings)); d != "" {
		t.Errorf("applied findings (-want +got):\n%s", d)
	}
}

// One rule's fixes may share a change (the logging anchor block): its
// identical edits are written once and its shared operation replayed once.
func TestRunSharedChangeCoalesces(t *testing.T) {
	r := &Rule{ID: "CF991", Name: "shared", Safety: Safe, Check: func(p *Pass) error {
		d := p.Document
		if k, _ := compose.MapGet(d.Root, "x-shared"); k != nil {
			return nil
		}
		block := compose.Map("a", "b")
		block.Anchor = "shared"
		ch, err := d.AddExtension("x-shared", block)
		if err != nil {
			return err
		}
		for _, s := range d.Services() {
			var fix compose.Change
			fix.Add(ch)
			ins, err := d.InsertKey(s.Node, "labels", compose.Alias(block))
			if err != nil {
				return err
			}
			fix.Add(ins)
			compose.SortEdits(fix.Edits)
			p.Report(s.Key, p.NewFix(fix, "Share"), "share")
		}
		return nil
	}}
	res, err := runOn(t, "services:\n  a:\n    image: x\n  b:\n    image: y\n", Options{Rules: []*Rule{r}})
	if err != nil {
		t.Fatal(err)
	}
	want := "x-shared: &shared\n  a: b\n\nservices:\n  a:\n    image: x\n    labels: *shared\n  b:\n    image: y\n    labels: *shared\n"
	if got := string(res.Output); got != want {
		t.Errorf("Output = %q, want %q", got, want)
	}
}

// A fix whose edits are invalid is a bug in its rule: Run fails with an
// InternalError naming the rule and the positions.
func TestRunInvalidEditsNameTheRule(t *testing.T) {
	tests := []struct {
		name  string
		edits []compose.Edit
		want  string
	}{
		{"outside the file", []compose.Edit{{Start: 5, End: 500, New: "x"}}, "outside the file"},
		{"end before start", []compose.Edit{{Start: 5, End: 4, New: "x"}}, "outside the file"},
		{"not sorted", []compose.Edit{{Start: 9, End: 10}, {Start: 2, End: 3}}, "not sorted"},
		{"overlapping", []compose.Edit{{Start: 2, End: 6}, {Start: 4, End: 8}}, "overlapping edits at 1:3-1:7 and 1:5-1:9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := changeRule("CF993", func(*compose.Document) compose.Change { return compose.Change{Edits: tt.edits} })
			_, err := runOn(t, "services: {}\nk: x\n", Options{Rules: []*Rule{r}})
			var ie *InternalError
			if !errors.As(err, &ie) {
				t.Fatalf("Run error = %v, want an *InternalError", err)
			}
			if d := cmp.Diff([]string{"CF993"}, ie.Rules); d != "" {
				t.Errorf("InternalError.Rules (-want +got):\n%s", d)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Run error = %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

// Edits that do not say what their operations say fail verification, and
// the error names the rule that wrote them, not the innocent one beside it.
func TestRunVerificationNamesTheCulprit(t *testing.T) {
	liar := changeRule("CF994", func(d *compose.Document) compose.Change {
		if k, _ := compose.MapGet(d.Root, "a"); k != nil {
			return compose.Change{}
		}
		end := len(d.Src)
		return compose.Change{
			Edits: []compose.Edit{{Start: end, End: end, New: "b: 1\n"}},
			Ops:   []*compose.Op{{Kind: compose.OpInsert, Target: d.Root, Key: "a", Value: compose.Int("1")}},
		}
	})
	honest := scalarRule("CF991", Safe, func(v string) bool { return v == "x" }, func(string) string { return "y" })
	// Parked (parkFrom 1), the pass is verified lean, its fixes let go,
	// and first without the input's tree (verifyDropping), which finds
	// the difference and has the run verified again with it.
	for _, parkFrom := range []int{0, 1} {
		drops := 0
		_, err := runOn(t, "services: {}\nk: x\n", Options{Rules: []*Rule{honest, liar}, LargeFrom: parkFrom, onDrop: func() { drops++ }})
		if want := parkFrom; drops != want {
			t.Errorf("parkFrom %d: the input's tree was let go %d times, want %d", parkFrom, drops, want)
		}
		var ie *InternalError
		if !errors.As(err, &ie) {
			t.Fatalf("parkFrom %d: Run error = %v, want an *InternalError", parkFrom, err)
		}
		if d := cmp.Diff([]string{"CF994"}, ie.Rules); d != "" {
			t.Errorf("parkFrom %d: InternalError.Rules (-want +got):\n%s", parkFrom, d)
		}
		if !strings.Contains(err.Error(), "verification") {
			t.Errorf("parkFrom %d: Run error = %q, want it to say verification", parkFrom, err)
		}
	}
}

// A verification failure says where: first the input position the
// difference came from, in the file as read even when an earlier pass
// moved the lines (the edited text is never written: its lines are
// nowhere but in the message), then the first difference in the edited
// text.
func TestRunVerificationSaysWhere(t *testing.T) {
	// liar inserts "b: 1" at the end of the file, saying it inserts "a: 1"
	// into the mapping at path, once its condition holds.
	liar := func(when func(d *compose.Document) bool, path ...string) *Rule {
		return changeRule("CF994", func(d *compose.Document) compose.Change {
			if !when(d) {
				return compose.Change{}
			}
			m := d.Root
			indent := ""
			for _, k := range path {
				_, m = compose.MapGet(m, k)
				indent += "  "
			}
			end := len(d.Src)
			return compose.Change{
				Edits: []compose.Edit{{Start: end, End: end, New: indent + "b: 1\n"}},
				Ops:   []*compose.Op{{Kind: compose.OpInsert, Target: m, Key: "a", Value: compose.Int("1")}},
			}
		})
	}
	commented := func(d *compose.Document) bool { return strings.HasPrefix(string(d.Src), "#") }
	// header adds two comment lines at the top, once: a second pass sees
	// every line two lower than the file as read.
	header := changeRule("CF981", func(d *compose.Document) compose.Change {
		if commented(d) {
			return compose.Change{}
		}
		return compose.Change{Edits: []compose.Edit{{Start: 0, End: 0, New: "# one\n# two\n"}}}
	})
	tests := []struct {
		name  string
		src   string
		rules []*Rule
		want  []string
	}{
		{name: "first pass", src: "services: {}\nk: x\n",
			rules: []*Rule{liar(func(*compose.Document) bool { return true })},
			want:  []string{"test.yaml:1:1: the edited file differs from the intended tree at .a (key)", "at 3:1 of the edited text"}},
		{name: "second pass", src: "services: {}\nm:\n  k: x\n",
			rules: []*Rule{header, liar(commented, "m")},
			want:  []string{"test.yaml:3:3: the edited file differs from the intended tree at .m.a (key)", "at 6:3 of the edited text"}},
	}
	for _, tt := range tests {
		// Parked (parkFrom 1), the first pass is verified first without
		// the input's tree, which cannot say where: the run says it alike.
		for _, parkFrom := range []int{0, 1} {
			t.Run(fmt.Sprintf("%s parkFrom %d", tt.name, parkFrom), func(t *testing.T) {
				_, err := runOn(t, tt.src, Options{Rules: tt.rules, LargeFrom: parkFrom})
				var ie *InternalError
				if !errors.As(err, &ie) {
					t.Fatalf("Run error = %v, want an *InternalError", err)
				}
				for _, w := range tt.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("Run error = %q, want it to contain %q", err, w)
					}
				}
			})
		}
	}
}

// A rule that never settles hits the pass limit, reported with its ID.
func TestRunPassLimit(t *testing.T) {
	r := scalarRule("CF995", Safe, func(string) bool { return true }, func(v string) string { return v + "!" })
	_, err := runOn(t, "services: {}\nk: x\n", Options{Rules: []*Rule{r}})
	var ie *InternalError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "still pending after 8 passes") {
		t.Fatalf("Run error = %v, want an *InternalError about the pass limit", err)
	}
	if d := cmp.Diff([]string{"CF995"}, ie.Rules); d != "" {
		t.Errorf("InternalError.Rules (-want +got):\n%s", d)
	}
}

// Unsafe fixes apply only on opt-in, globally or per rule; display-only
// fixes never do.
func TestRunSafety(t *testing.T) {
	tests := []struct {
		name   string
		safety Safety
		opts   Options
		want   string
	}{
		{"safe", Safe, Options{}, "k: y\n"},
		{"unsafe without opt-in", Unsafe, Options{}, "k: x\n"},
		{"unsafe with --unsafe-fixes", Unsafe, Options{UnsafeFixes: true}, "k: y\n"},
		{"unsafe enabled for the rule", Unsafe, Options{UnsafeRules: map[string]bool{"CF996": true}}, "k: y\n"},
		{"unsafe enabled for another rule", Unsafe, Options{UnsafeRules: map[string]bool{"CF001": true}}, "k: x\n"},
		{"display-only with --unsafe-fixes", DisplayOnly, Options{UnsafeFixes: true}, "k: x\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			opts.Rules = []*Rule{scalarRule("CF996", tt.safety, func(v string) bool { return v == "x" }, func(string) string { return "y" })}
			res, err := runOn(t, "services: {}\nk: x\n", opts)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := string(res.Output), "services: {}\n"+tt.want; got != want {
				t.Errorf("Output = %q, want %q", got, want)
			}
			if len(res.Findings) != 1 {
				t.Errorf("Findings = %d, want 1 whether or not the fix applies", len(res.Findings))
			}
		})
	}
}

// A rule that cannot run fails the file with its ID in the error.
func TestRunRuleError(t *testing.T) {
	r := &Rule{ID: "CF997", Name: "broken", Check: func(*Pass) error { return errors.New("no knowledge base") }}
	_, err := runOn(t, "services: {}\n", Options{Rules: []*Rule{r}})
	if err == nil || !strings.Contains(err.Error(), "CF997") || !strings.Contains(err.Error(), "no knowledge base") {
		t.Errorf("Run error = %v, want one naming CF997 and its cause", err)
	}
}

// A run with nothing to fix returns the input bytes themselves.
func TestRunNothingToFix(t *testing.T) {
	src := "services:\n  web:\n    image: x\n    restart: always\n    logging: {driver: local}\n"
	res, err := runOn(t, src, Options{Rules: []*Rule{restartRule(), loggingRule(), versionRule()}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Changed() || res.Passes != 0 || string(res.Output) != src {
		t.Errorf("Run on a clean file: changed %v, %d passes, output %q", res.Changed(), res.Passes, res.Output)
	}
}

// Two fixes that each set the whole value of one scalar through edits that
// do not overlap as text must not both apply in one pass: each states the
// scalar's full new value, so the second would fail verification. The
// second waits for the next pass, which sees the first's result.
func TestMergeDefersASecondSetOfTheSameScalar(t *testing.T) {
	src := "services:\n  web:\n    image: nginx:1.27.3\n    command: a-b\n"
	d, err := compose.Load("compose.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}

	setPart := func(id string, from, to int, repl string) *Rule {
		return &Rule{ID: id, Name: id, Safety: Safe, Check: func(p *Pass) error {
			_, n := compose.MapGet(services(p.Document)[0].Node, "command")
			if n.Value != "a-b" {
				return nil // already fixed
			}
			ch, err := p.Document.SetSubstring(n, from, to, repl)
			if err != nil {
				return err
			}
			p.Report(n, p.NewFix(ch, "Set part"), "part")
			return nil
		}}
	}
	res, err := Run(d, Options{Rules: []*Rule{setPart("CF991", 0, 1, "x"), setPart("CF992", 2, 3, "y")}})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	// The first fix applies; the second's rule no longer matches "a-b".
	if got, want := string(res.Output), "services:\n  web:\n    image: nginx:1.27.3\n    command: x-b\n"; got != want {
		t.Errorf("output = %q, want %q", got, want)
	}
}

// TestLaterPassErrorNamesAPositionInTheFile checks that a rule failing on a
// later pass, or a fix found broken then, on a document that earlier fixes
// lengthened, names the line of the file as read, not a line of the edited
// text: a duplicate depends_on item was reported at d.yaml:23:9 in an
// 8-line file.
func TestLaterPassErrorNamesAPositionInTheFile(t *testing.T) {
	src := "services:\n  web:\n    image: a\n  db:\n    image: b\n    x: y\n"
	grow := changeRule("CF990", func(d *compose.Document) compose.Change {
		if _, v := compose.MapGet(d.Root, "x-added"); v != nil {
			return compose.Change{}
		}
		// Eleven lines on top, before the services key.
		var v yaml.Node
		if err := yaml.Unmarshal([]byte("{a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, i: 9}"), &v); err != nil {
			t.Fatal(err)
		}
		v.Content[0].Style = 0
		ch, err := d.AddExtension("x-added", v.Content[0])
		if err != nil {
			t.Fatal(err)
		}
		return ch
	})
	// xOnPass2 returns the node of db's x once CF990 has run, else nil.
	xOnPass2 := func(d *compose.Document) *yaml.Node {
		if _, added := compose.MapGet(d.Root, "x-added"); added == nil {
			return nil
		}
		_, svcs := compose.MapGet(d.Root, "services")
		_, db := compose.MapGet(svcs, "db")
		_, x := compose.MapGet(db, "x")
		return x
	}
	tests := []struct {
		name string
		rule *Rule
		want string
	}{
		// Safe: a later pass runs only the rules whose fixes can apply.
		{"rule error", &Rule{ID: "CF991", Name: "fail-later", Safety: Safe, Check: func(p *Pass) error {
			if x := xOnPass2(p.Document); x != nil {
				return &compose.PosError{Path: p.Document.Path, Line: x.Line, Col: x.Column, Msg: "cannot use x"}
			}
			return nil
		}}, "test.yaml:6:8: rule CF991: cannot use x"},
		{"overlapping edits", changeRule("CF992", func(d *compose.Document) compose.Change {
			x := xOnPass2(d)
			if x == nil {
				return compose.Change{}
			}
			off := d.NodeOffset(x)
			return compose.Change{Edits: []compose.Edit{{Start: off, End: off + 1, New: "a"}, {Start: off, End: off + 1, New: "b"}}}
		}), "test.yaml: internal error in CF992: overlapping edits at 6:8-6:9 and 6:8-6:9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := runOn(t, src, Options{Rules: []*Rule{grow, tt.rule}})
			if err == nil {
				t.Fatal("Run succeeded, want the second pass's error")
			}
			if err.Error() != tt.want {
				t.Errorf("Run error %q, want %q", err, tt.want)
			}
		})
	}
}

// The passes after the first run only the rules whose fixes can be
// applied: a display-only rule, or an unsafe one without its opt-in, makes
// findings no later pass would use.
func TestLaterPassesRunOnlyApplicableRules(t *testing.T) {
	tests := []struct {
		name   string
		safety Safety
		opts   Options
		runs   int
	}{
		{"safe", Safe, Options{}, 2},
		{"unsafe without opt-in", Unsafe, Options{}, 1},
		{"unsafe with --unsafe-fixes", Unsafe, Options{UnsafeFixes: true}, 2},
		{"unsafe enabled for the rule", Unsafe, Options{UnsafeRules: map[string]bool{"CF995": true}}, 2},
		{"unsafe enabled for another rule", Unsafe, Options{UnsafeRules: map[string]bool{"CF001": true}}, 1},
		{"display-only", DisplayOnly, Options{UnsafeFixes: true}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runs := 0
			counted := &Rule{ID: "CF995", Name: "counted", Safety: tt.safety, Check: func(*Pass) error { runs++; return nil }}
			opts := tt.opts
			opts.Rules = []*Rule{scalarRule("CF996", Safe, func(v string) bool { return v == "x" }, func(string) string { return "y" }), counted}
			res, err := runOn(t, "services: {}\nk: x\n", opts)
			if err != nil {
				t.Fatal(err)
			}
			if res.Passes != 1 {
				t.Fatalf("Passes = %d, want 1", res.Passes)
			}
			if runs != tt.runs {
				t.Errorf("CF995 ran %d times, want %d", runs, tt.runs)
			}
		})
	}
}

// TestLaterPassesKeepOnlyFixes: a later pass looks only for fixes, so the
// findings without one are dropped as they are reported (never formatted or
// located); those with a fix are kept, and the run's findings, from the
// first pass, still hold both.
func TestLaterPassesKeepOnlyFixes(t *testing.T) {
	fixing := scalarRule("CF996", Safe, func(v string) bool { return v == "x" }, func(string) string { return "y" })
	plain := &Rule{ID: "CF995", Name: "plain", Safety: Safe, Severity: Warning, Check: func(p *Pass) error {
		p.Report(p.Document.Root, nil, "a finding without a fix")
		return nil
	}}
	d, err := compose.Load("test.yaml", []byte("services: {}\nk: x\n"))
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Rules: []*Rule{fixing, plain}}
	for _, later := range []bool{false, true} {
		o := opts
		o.fixing = later
		fs, err := analyze(d, o)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, f := range fs {
			ids = append(ids, f.RuleID)
		}
		want := []string{"CF995", "CF996"}
		if later {
			want = []string{"CF996"}
		}
		if !slices.Equal(ids, want) {
			t.Errorf("analyze (later pass %v) found %v, want %v", later, ids, want)
		}
	}
	res, err := Run(d, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 2 {
		t.Errorf("Run reported %d findings, want both of the first pass", len(res.Findings))
	}
}

// growRule appends a comment of n bytes to a small file.
func growRule(n int) *Rule {
	return changeRule("CF990", func(d *compose.Document) compose.Change {
		if len(d.Src) > 100 {
			return compose.Change{}
		}
		return compose.Change{Edits: []compose.Edit{{Start: len(d.Src), End: len(d.Src), New: "# " + strings.Repeat("x", n) + "\n"}}}
	})
}

// TestOutputTooLargeToVerify: fixes that grow a file past the size
// composefix reads back cannot be verified; that is said as what it is,
// the file's size, not as a bug in the rules.
func TestOutputTooLargeToVerify(t *testing.T) {
	src := "services:\n  web:\n    image: nginx:1.27.3\n"
	_, err := runOn(t, src, Options{Rules: []*Rule{growRule(compose.MaxOutputSize)}})
	var ie *InternalError
	if err == nil || errors.As(err, &ie) {
		t.Fatalf("Run = %v, want an error that is not internal", err)
	}
	want := fmt.Sprintf("test.yaml: the fixed file would be %d bytes, more than the %d bytes composefix can read back to verify it; nothing is written (fix it in parts with --select, or split it)", len(src)+len("# ")+compose.MaxOutputSize+len("\n"), compose.MaxOutputSize)
	if err.Error() != want {
		t.Errorf("Run error:\n%s\nwant:\n%s", err, want)
	}
	var tl *OutputTooLargeError
	if !errors.As(err, &tl) {
		t.Errorf("Run error is a %T, want *OutputTooLargeError", err)
	}
}

// TestOutputLargerThanInputLimit: the input limit is against hostile or
// accidental input; composefix's own output of an input under it may be
// larger (a file of 100,000 small services gains a healthcheck, a restart
// policy and a logging reference each), and is read back and verified up
// to compose.MaxOutputSize.
func TestOutputLargerThanInputLimit(t *testing.T) {
	res, err := runOn(t, "services:\n  web:\n    image: nginx:1.27.3\n", Options{Rules: []*Rule{growRule(compose.MaxSize)}})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(res.Output) <= compose.MaxSize {
		t.Fatalf("output is %d bytes, want more than compose.MaxSize (%d): the test grows nothing", len(res.Output), compose.MaxSize)
	}
}

// A fix that needs other fixes' edits (Fix.Needs) is accepted only with all
// of them, and after every other fix: it may lose a conflict, never win one.
func TestMergeNeeds(t *testing.T) {
	d, err := compose.Load("compose.yaml", []byte("services:\n  web:\n    image: nginx:1.27.3\n    command: a-b\n"))
	if err != nil {
		t.Fatal(err)
	}
	fix := func(id string, start, end int, needs ...compose.Edit) *Finding {
		return &Finding{RuleID: id, Fix: &Fix{Change: compose.Change{Edits: []compose.Edit{{Start: start, End: end, New: id}}}, Needs: needs}}
	}
	hc := fix("CF101", 20, 22)
	tests := []struct {
		name  string
		fixes []*Finding
		want  []string
	}{
		{"needs met", []*Finding{fix("CF102", 5, 6, hc.Fix.Change.Edits...), hc}, []string{"CF102", "CF101"}},
		{"the needed fix loses a conflict", []*Finding{fix("CF001", 19, 21), hc, fix("CF102", 30, 31, hc.Fix.Change.Edits...)}, []string{"CF001"}},
		{"the needed fix is not eligible", []*Finding{fix("CF102", 30, 31, hc.Fix.Change.Edits...)}, nil},
		{"a needing fix loses a conflict it would win by offset", []*Finding{hc, fix("CF102", 30, 32, hc.Fix.Change.Edits...), fix("CF201", 31, 33)}, []string{"CF101", "CF201"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			accepted, err := merge(d, tt.fixes, d.Pos)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range accepted {
				got = append(got, f.RuleID)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("accepted (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSortFindings checks the findings' order: by offset, then rule ID,
// and as reported where both are equal.
func TestSortFindings(t *testing.T) {
	f := func(start int, rule, msg string) Finding {
		return Finding{RuleID: rule, Span: compose.Span{Start: start, End: start}, Message: msg}
	}
	fs := []Finding{f(9, "CF2", "a"), f(3, "CF5", "b"), f(3, "CF1", "c"), f(9, "CF2", "d"), f(0, "CF9", "e"), f(3, "CF5", "f"), f(9, "CF1", "g")}
	sortFindings(fs)
	var got []string
	for _, x := range fs {
		got = append(got, x.Message)
	}
	if want := []string{"e", "c", "b", "f", "g", "a", "d"}; !slices.Equal(got, want) {
		t.Errorf("sortFindings order = %v, want %v", got, want)
	}
}

// TestMergeFixRuns checks mergeFixRuns against sortFixes over two sorted
// runs with ties between them (same first edit and rule, in either run),
// an empty run on either side and a run of one.
func TestMergeFixRuns(t *testing.T) {
	fix := func(start int, rule string) *Finding {
		return &Finding{RuleID: rule, Fix: &Fix{Change: compose.Change{Edits: []compose.Edit{{Start: start, End: start}}}}}
	}
	runs := [][2][]*Finding{
		{{fix(1, "CF101"), fix(5, "CF201"), fix(5, "CF401"), fix(9, "CF101")}, {fix(0, "CF102"), fix(5, "CF201"), fix(5, "CF301"), fix(12, "CF102")}},
		{{fix(3, "CF102")}, {fix(1, "CF102"), fix(3, "CF102"), fix(4, "CF102")}},
		{nil, {fix(1, "CF102"), fix(2, "CF102")}},
		{{fix(1, "CF101"), fix(2, "CF101")}, nil},
		{{fix(7, "CF101")}, {fix(7, "CF101")}},
	}
	for n, r := range runs {
		got := append(slices.Clone(r[0]), r[1]...)
		want := slices.Clone(got)
		sortFixes(want)
		mergeFixRuns(got, len(r[0]))
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("case %d: mergeFixRuns put fix %d (at %d, %s) where sortFixes puts one at %d, %s", n, i, got[i].Fix.Change.Edits[0].Start, got[i].RuleID, want[i].Fix.Change.Edits[0].Start, want[i].RuleID)
			}
		}
	}
}

// A later pass's error, after a parked run let the input's tree go,
// gives the caller the document with its tree again (runOn checks it):
// the run's deferred reload, on every return after the drop.
func TestRunErrorAfterTheTreeWent(t *testing.T) {
	honest := scalarRule("CF991", Safe, func(v string) bool { return v == "x" }, func(string) string { return "y" })
	failing := &Rule{ID: "CF992", Name: "test-CF992", Safety: Safe, Severity: Warning, Check: func(p *Pass) error {
		if _, v := compose.MapGet(p.Document.Root, "k"); v != nil && v.Value == "y" {
			return errors.New("cannot check the fixed text")
		}
		return nil
	}}
	drops := 0
	_, err := runOn(t, "services: {}\nk: x\n", Options{Rules: []*Rule{honest, failing}, LargeFrom: 1, onDrop: func() { drops++ }})
	if err == nil || !strings.Contains(err.Error(), "cannot check the fixed text") {
		t.Fatalf("Run error = %v, want the later pass's", err)
	}
	if drops != 1 {
		t.Errorf("the input's tree was let go %d times, want 1", drops)
	}
}

// TestInFirst checks inFirst's galloping search against every finding's
// own index, asked in the orders the driver asks (by rule, each rule's in
// order) and at random, with runs of findings of one place and rule: the
// pointer tells them apart. A finding not in the list is not found.
func TestInFirst(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for iter := range 300 {
		first := make([]Finding, r.IntN(60))
		for i := range first {
			first[i] = Finding{RuleID: fmt.Sprintf("CF%03d", r.IntN(4)), Span: compose.Span{Start: r.IntN(20)}}
		}
		slices.SortStableFunc(first, func(a, b Finding) int {
			if a.Span.Start != b.Span.Start {
				return a.Span.Start - b.Span.Start
			}
			return strings.Compare(a.RuleID, b.RuleID)
		})
		asks := make([]int, len(first))
		for i := range asks {
			asks[i] = i
		}
		if iter%2 == 0 {
			r.Shuffle(len(asks), func(i, j int) { asks[i], asks[j] = asks[j], asks[i] })
		} else {
			slices.SortStableFunc(asks, func(a, b int) int { return strings.Compare(first[a].RuleID, first[b].RuleID) })
		}
		o := &fixOwners{first: first}
		for _, i := range asks {
			if got := o.inFirst(&first[i]); got != i {
				t.Fatalf("iteration %d: inFirst(&first[%d]) = %d", iter, i, got)
			}
			stranger := first[i] // equal, but not one of them
			if got := o.inFirst(&stranger); got != -1 {
				t.Fatalf("iteration %d: inFirst of a copy of first[%d] = %d, want -1", iter, i, got)
			}
		}
	}
}

// TestByRuleID checks byRuleID's order against a stable sort of the fixes
// by rule ID.
func TestByRuleID(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for iter := range 200 {
		fixes := make([]*Finding, r.IntN(40))
		for i := range fixes {
			fixes[i] = &Finding{RuleID: fmt.Sprintf("CF%03d", 100*r.IntN(6)+r.IntN(3))}
		}
		want := slices.Clone(fixes)
		slices.SortStableFunc(want, func(a, b *Finding) int { return strings.Compare(a.RuleID, b.RuleID) })
		order := byRuleID(fixes)
		if len(order) != len(fixes) {
			t.Fatalf("iteration %d: %d indexes for %d fixes", iter, len(order), len(fixes))
		}
		for j, i := range order {
			if fixes[i] != want[j] {
				t.Fatalf("iteration %d: place %d holds fix %d (%s), want the stable sort's %s", iter, j, i, fixes[i].RuleID, want[j].RuleID)
			}
		}
	}
}

// TestRunEditsBelongToTheirFindings: the fixes are accepted by their first
// edit and listed by rule ID, and each listed fix's edits must be reported
// under its own finding. Here the two orders differ: CF999's edit comes
// first in the file, CF990's first by rule, so a fix's finding looked up
// by its place in one order while reading the other (appliedPass.from)
// swaps the edits between the findings.
func TestRunEditsBelongToTheirFindings(t *testing.T) {
	set := func(id, key, from, to string) *Rule {
		return changeRule(id, func(d *compose.Document) compose.Change {
			_, v := compose.MapGet(d.Root, key)
			if v == nil || v.Value != from {
				return compose.Change{}
			}
			ch, err := d.SetScalar(v, to)
			if err != nil {
				t.Fatal(err)
			}
			return ch
		})
	}
	res, err := runOn(t, "services: {}\na: x\nz: y\n", Options{Rules: []*Rule{
		set("CF990", "z", "y", "late"), set("CF999", "a", "x", "early"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"CF990": "late", "CF999": "early"}
	for _, f := range res.Findings {
		if f.Fix == nil || !f.Applied {
			t.Errorf("%s: fix not applied", f.RuleID)
			continue
		}
		if len(f.Fix.Change.Edits) != 1 || f.Fix.Change.Edits[0].New != want[f.RuleID] {
			t.Errorf("%s: edits %v, want one writing %q", f.RuleID, f.Fix.Change.Edits, want[f.RuleID])
		}
	}
	if len(res.Findings) != 2 {
		t.Errorf("%d findings, want 2", len(res.Findings))
	}
}
