package fixers

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"unsafe"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/internal/golden"
	"github.com/google/go-cmp/cmp"
)

// TestParkRestores checks that restore gives back what park encoded,
// field for field: a fix two findings share is shared again, an edit
// list that was empty (not nil) stays empty, repeated texts are one
// string again, and operations are kept.
func TestParkRestores(t *testing.T) {
	op := &compose.Op{Kind: compose.OpInsert, Key: "restart"}
	shared := &Fix{Title: "Quote it", Safety: Unsafe, Change: compose.Change{Edits: []compose.Edit{{Start: 3, End: 5, New: `"x"`}}}}
	fs := []Finding{
		{RuleID: "CF101", Severity: Warning, Path: "a.yaml", Span: compose.Span{Start: 1, End: 9}, Pos: compose.Pos{Line: 1, Col: 2}, End: compose.Pos{Line: 3, Col: 4}, Message: "no healthcheck",
			Fix: &Fix{Title: "Add", Safety: Safe, Change: compose.Change{Edits: []compose.Edit{{Start: 9, End: 9, New: "  healthcheck: {}\n"}}, Ops: []*compose.Op{op}}}},
		{RuleID: "CF501", Path: "a.yaml", Span: compose.Span{Start: 3, End: 4}, Message: "é", Fix: shared},
		{RuleID: "CF501", Path: "a.yaml", Span: compose.Span{Start: 4, End: 5}, Message: "", Fix: shared, Applied: true},
		{RuleID: "CF900", Severity: Info, Path: "b.yaml", Message: "unused", Fix: &Fix{Change: compose.Change{Edits: []compose.Edit{}}, Needs: []compose.Edit{{Start: 9, End: 9, New: "  healthcheck: {}\n"}, {Start: 7, End: 8}}}},
		{RuleID: "CF101", Path: "a.yaml", Span: compose.Span{Start: -1, End: 1 << 40}},
	}
	want := make([]Finding, len(fs))
	for i, f := range fs {
		want[i] = f
		if f.Fix != nil {
			c := *f.Fix
			want[i].Fix = &c
		}
	}
	want[2].Fix = want[1].Fix
	p := park(fs)
	got := p.restore()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("restored\n%+v\nwant\n%+v", got, want)
	}
	if got[1].Fix != got[2].Fix {
		t.Error("a shared fix is restored as two")
	}
	if got[0].Fix.Change.Ops[0] != op {
		t.Error("an operation is not restored as itself")
	}
	if a, b := got[0].Fix.Change.Edits[0].New, got[3].Fix.Needs[0].New; unsafe.StringData(a) != unsafe.StringData(b) {
		t.Error("a repeated text is restored as two strings")
	}
	for i := range fs {
		if p.ruleOf(i) != want[i].RuleID {
			t.Errorf("ruleOf(%d) = %s, want %s", i, p.ruleOf(i), want[i].RuleID)
		}
	}
}

// TestParkKeepsEveryField: park writes a finding and its fix field by
// field, so a field added to them (or to the span, position and edit
// types they hold) later would come back empty from a parked run, silently.
// Every field is set here, by reflection, to a value that is not zero: a
// field park does not write makes restore differ, and one fill cannot set
// (unexported, or of a kind it does not know) fails the test, so that
// park is looked at when these types change.
func TestParkKeepsEveryField(t *testing.T) {
	op := &compose.Op{Kind: compose.OpInsert, Key: "restart"}
	n := 0
	var fill func(v reflect.Value, path string)
	fill = func(v reflect.Value, path string) {
		n++
		switch {
		case v.Type() == reflect.TypeFor[[]*compose.Op](): // kept by pointer, not encoded
			v.Set(reflect.ValueOf([]*compose.Op{op}))
		case !v.CanSet():
			t.Fatalf("%s cannot be set here: does park write it?", path)
		case v.Kind() == reflect.String:
			v.SetString(fmt.Sprintf("text %d é", n))
		case v.CanInt():
			v.SetInt(int64(n))
		case v.Kind() == reflect.Bool:
			v.SetBool(true)
		case v.Kind() == reflect.Struct:
			for i := range v.NumField() {
				fill(v.Field(i), path+"."+v.Type().Field(i).Name)
			}
		case v.Kind() == reflect.Pointer:
			v.Set(reflect.New(v.Type().Elem()))
			fill(v.Elem(), path)
		case v.Kind() == reflect.Slice:
			v.Set(reflect.MakeSlice(v.Type(), 2, 2))
			for i := range v.Len() {
				fill(v.Index(i), fmt.Sprintf("%s[%d]", path, i))
			}
		default:
			t.Fatalf("%s is a %s, which this test does not fill: does park write it?", path, v.Type())
		}
	}
	fs := make([]Finding, 2)
	for i := range fs {
		fill(reflect.ValueOf(&fs[i]).Elem(), "Finding")
	}
	want := make([]Finding, len(fs))
	for i, f := range fs {
		want[i] = f
		c := *f.Fix
		want[i].Fix = &c
	}
	if got := park(fs).restore(); !reflect.DeepEqual(got, want) {
		t.Fatalf("restored\n%+v\nwant\n%+v", got, want)
	}
}

// TestParkedRunsMatch runs every golden case with its findings parked
// (as a large file's are) and without, with and without unsafe fixes:
// the results must be the same.
func TestParkedRunsMatch(t *testing.T) {
	root := filepath.Join(golden.RepoRoot(t), "testdata", "golden")
	inputs, err := filepath.Glob(filepath.Join(root, "*", "*.input.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(inputs)
	later := 0   // runs whose later passes applied fixes, which restore early
	dropped := 0 // parked runs that let the input's tree go (see verifyDropping)
	stayed := 0  // of those, runs that left it gone for their caller (TreeUnread)
	for _, in := range inputs {
		dir := filepath.Dir(in)
		name := strings.TrimSuffix(filepath.Base(in), ".input.yaml")
		src, err := os.ReadFile(in)
		if err != nil {
			t.Fatal(err)
		}
		for _, withUnsafe := range []bool{false, true} {
			opts := Options{Rules: goldenRules(t, dir), UnsafeFixes: withUnsafe, Config: seedConfig(name)}
			// unread: the caller reads no tree after the run (TreeUnread).
			run := func(parkFrom int, unread bool) *Result {
				d, err := compose.Load(filepath.Base(in), src)
				if err != nil {
					t.Fatalf("%s: Load: %v", in, err)
				}
				o := opts
				o.LargeFrom, o.TreeUnread = parkFrom, unread
				o.Project = []*compose.Document{d} // as the pipeline runs a file alone
				drops := 0
				o.onDrop = func() {
					if parkFrom > 1 {
						t.Errorf("%s: a run whose findings are not parked let the input's tree go", in)
					}
					drops++
				}
				res, err := Run(d, o)
				if err != nil {
					t.Fatalf("%s: Run: %v", in, err)
				}
				dropped += drops
				// A tree let go is loaded again for the caller, unless the
				// caller reads none: then it stays gone, and says so, until
				// the caller asks for it (unless the output's schema check
				// needed it: CF603 did not check the input).
				if d.TreeDropped() {
					stayed++
					if !unread || drops == 0 {
						t.Errorf("%s (caller reads no tree: %v): after a run that let the tree go %d times, TreeDropped = true", in, unread, drops)
					}
				}
				if err := d.ReloadTree(); err != nil {
					t.Fatalf("%s: ReloadTree: %v", in, err)
				}
				if err := compose.Verify(d, nil, src); err != nil {
					t.Errorf("%s: after Run, the document's tree differs from its bytes: %v", in, err)
				}
				return res
			}
			want := run(1<<30, false)
			if want.Passes > 1 {
				later++
			}
			for _, unread := range []bool{false, true} {
				if got := run(1, unread); !reflect.DeepEqual(got, want) {
					t.Errorf("%s (unsafe fixes: %v, caller reads no tree: %v): parked, the run's result differs", in, withUnsafe, unread)
					if !reflect.DeepEqual(got.Findings, want.Findings) {
						t.Logf("findings:\n%s\nwant\n%s", formatFindings(got.Findings), formatFindings(want.Findings))
					}
				}
			}
		}
	}
	if later == 0 {
		t.Error("no golden case applies fixes in a later pass: restoring before the end is not tested")
	}
	if dropped == 0 {
		t.Error("no parked run let the input's tree go: verification without it is not tested")
	}
	if stayed == 0 {
		t.Error("no run left the input's tree gone for a caller that reads none: TreeUnread is not tested")
	}
}

// A file that extends its own services through extends: file: is read
// through the project again in later passes (Pass.projectDoc finds the
// file as read, not the pass's document): a parked run that let its tree
// go must not, or the later pass sees no base service and adds a restart
// policy that web inherits already (restart: always).
func TestParkedRunReadsItsOwnFileAgain(t *testing.T) {
	const src = "services:\n  base:\n    image: nginx:1.25\n    restart: always\n  web:\n    extends:\n      file: compose.yaml\n      service: base\n  other:\n    image: redis:7\n"
	run := func(parkFrom int) *Result {
		d, err := compose.Load("compose.yaml", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		// The pipeline's project of a file alone holds the file.
		res, err := Run(d, Options{Rules: Rules(), Config: DefaultConfig(), Project: []*compose.Document{d}, LargeFrom: parkFrom})
		if err != nil {
			t.Fatalf("parkFrom %d: Run: %v", parkFrom, err)
		}
		return res
	}
	want, got := run(1<<30), run(1)
	if d := cmp.Diff(string(want.Output), string(got.Output)); d != "" {
		t.Errorf("parked, the output differs (-unparked +parked):\n%s", d)
	}
}

// A parked run lets the input's tree go only for a file fixed alone: the
// rules of later passes read the input as context beside another file of
// its project or an overlay, and follow extends: file: to it.
func TestParkedRunKeepsTheTreeItReadsAgain(t *testing.T) {
	const src = "services:\n  web:\n    image: nginx:1.25\n"
	other, err := compose.Load("other.yaml", []byte("services:\n  db:\n    image: redis:7\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		src   string
		opts  func(d *compose.Document) Options
		drops int
	}{
		{"alone", src, func(d *compose.Document) Options { return Options{Project: []*compose.Document{d}} }, 1},
		{"with another file", src, func(d *compose.Document) Options {
			return Options{Project: []*compose.Document{d, other}}
		}, 0},
		{"with an overlay", src, func(d *compose.Document) Options {
			return Options{Project: []*compose.Document{d}, Overlays: []*compose.Document{other}}
		}, 0},
		{"extending a file", src + "  api:\n    extends: {file: base.yaml, service: web}\n", func(d *compose.Document) Options {
			return Options{Project: []*compose.Document{d}}
		}, 0},
	} {
		d, err := compose.Load("compose.yaml", []byte(tc.src))
		if err != nil {
			t.Fatal(err)
		}
		o := tc.opts(d)
		o.Rules, o.Config, o.LargeFrom = Rules(), DefaultConfig(), 1
		drops := 0
		o.onDrop = func() { drops++ }
		if _, err := Run(d, o); err != nil {
			t.Fatalf("%s: Run: %v", tc.name, err)
		}
		if drops != tc.drops {
			t.Errorf("%s: the input's tree was let go %d times, want %d", tc.name, drops, tc.drops)
		}
	}
}
