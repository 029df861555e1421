package compose

import (
	"strings"
	"testing"
)

// intentDifferSrc has what the comparison looks at: tags, values, key
// order, anchors and aliases, merge keys, block scalars, nulls, local tags.
const intentDifferSrc = `x-base: &base
  image: "a"
  ports: ["80", 81]
x-log: &log
  driver: json-file
services:
  web:
    <<: *base
    image: w # comment
    command: [sh, -c, "echo hi"]
    environment:
      A: "1"
      B: 1
      C: ~
      D: !!str 2
      E: !local x
      F: 0x10
    logging: *log
  api: *base
  db:
    image: redis
    healthcheck:
      test: |
        true
`

// intentDifferOuts are outputs that differ from intentDifferSrc in one
// thing each, with the verdict Verify gives when nothing was to change:
// equal when only what a decoder does not see differs (styles, comments,
// anchor names, an alias written out), else different.
var intentDifferOuts = []struct {
	name, old, new string
	same           bool
}{
	{"nothing", "", "", true},
	{"a comment", "# comment", "# other", true},
	{"a quoting style", `image: "a"`, `image: 'a'`, true},
	{"a flow sequence written as a block", `ports: ["80", 81]`, "ports:\n    - \"80\"\n    - 81", true},
	{"a null spelled null", "C: ~", "C: null", true},
	{"a null left empty", "C: ~", "C:", true},
	{"a null made an empty string", "C: ~", `C: ""`, false},
	{"a string made an int", `A: "1"`, "A: 1", false},
	{"an int made a string", "B: 1", `B: "1"`, false},
	{"an explicit string tag written as quotes", "D: !!str 2", `D: "2"`, true},
	{"an explicit string made an int", "D: !!str 2", "D: 2", false},
	{"a local tag dropped", "E: !local x", "E: x", true},
	{"an int spelled otherwise", "F: 0x10", "F: 16", false},
	{"keys swapped", "      A: \"1\"\n      B: 1\n", "      B: 1\n      A: \"1\"\n", false},
	{"a key quoted", "  web:\n", "  \"web\":\n", true},
	{"a key renamed", "  web:\n", "  wab:\n", false},
	{"an anchor renamed", "&base", "&b", false}, // its aliases name no anchor: the output does not load
	{"an anchor and its aliases renamed", "", "", true},
	{"an alias written out", "api: *base", "api: {image: a, ports: ['80', 81]}", true},
	{"an alias written out with another value", "api: *base", "api: {image: a, ports: ['80', 82]}", false},
	{"an alias to another anchor", "logging: *log", "logging: *base", false},
	{"a merge key written out", "    <<: *base\n", "    image: a\n    ports: [\"80\", 81]\n", false},
	{"a merge key of another anchor", "<<: *base", "<<: *log", false},
	{"a merge key as a list", "<<: *base", "<<: [*base]", false},
	{"a sequence item changed", "echo hi", "echo ho", false},
	{"a sequence item added", `"echo hi"]`, `"echo hi", x]`, false},
	{"a sequence item removed", "[sh, -c, ", "[sh, ", false},
	{"a block scalar chomped", "test: |\n", "test: |-\n", false},
	{"a block scalar quoted", "test: |\n        true\n", "test: \"true\\n\"\n", true},
	{"a key added", "  db:\n", "  db:\n    restart: always\n", false},
	{"a key appended", "        true\n", "        true\n    restart: always\n", false},
	{"a top-level key appended", "        true\n", "        true\nx-new: 1\n", false},
	{"a key removed", "    image: redis\n", "", false},
	{"a top-level key added", "services:\n", "x-new: 1\nservices:\n", false},
	{"a mapping made a scalar", "    logging: *log\n", "    logging: json-file\n", false},
	{"a scalar made a mapping", "    image: redis\n", "    image: {name: redis}\n", false},
	{"a second document", "", "---\nservices: {}\n", false},
	{"a bool spelled otherwise", "F: 0x10", "F: true", false},
	{"a value emptied", "    image: redis\n", "    image:\n", false},
}

// intentDifferOut applies one of intentDifferOuts to intentDifferSrc.
func intentDifferOut(t *testing.T, name, old, new string) string {
	t.Helper()
	switch {
	case name == "an anchor and its aliases renamed":
		return strings.NewReplacer("&base", "&b", "*base", "*b").Replace(intentDifferSrc)
	case name == "a second document":
		return intentDifferSrc + new
	case old == "":
		return intentDifferSrc
	}
	if !strings.Contains(intentDifferSrc, old) {
		t.Fatalf("%s: %q is not in the source", name, old)
	}
	return strings.Replace(intentDifferSrc, old, new, 1)
}

// verifyAlike verifies out with Verify, with Verify telling a visitor
// the entries (the driver's first pass of a small file), and with an
// Intent made before the tree goes, as the driver does for a large file,
// and fails unless the three agree. It returns Verify's verdict.
func verifyAlike(t *testing.T, src string, ops func(*Document) []*Op, out string) bool {
	t.Helper()
	d, err := Load("c.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	verr := Verify(d, ops(d), []byte(out))
	if _, err := VerifyLoadVisit(d, ops(d), []byte(out), &recordingVisitor{}); (err == nil) != (verr == nil) {
		t.Errorf("Verify says %v, Verify telling a visitor %v, of\n%s", verr, err, out)
	}
	intent, err := Intend(d, ops(d))
	if err != nil {
		t.Fatalf("Intend: %v", err)
	}
	d.DropTree()
	_, ierr := intent.VerifyLoad([]byte(out))
	if (verr == nil) != (ierr == nil) {
		t.Errorf("Verify says %v, the Intent %v, of\n%s", verr, ierr, out)
	}
	return verr == nil
}

// TestIntentJudgesAsVerify feeds Verify and an Intent the same outputs,
// each differing from the intended tree in one thing, and requires the
// same verdict: an Intent that accepts what Verify refuses would let the
// driver write a wrong file.
func TestIntentJudgesAsVerify(t *testing.T) {
	none := func(*Document) []*Op { return nil }
	for _, tc := range intentDifferOuts {
		t.Run(tc.name, func(t *testing.T) {
			out := intentDifferOut(t, tc.name, tc.old, tc.new)
			if got := verifyAlike(t, intentDifferSrc, none, out); got != tc.same {
				t.Errorf("Verify passes %v, want %v, of\n%s", got, tc.same, out)
			}
		})
	}
}

// TestIntentJudgesOperationsAsVerify is TestIntentJudgesAsVerify with
// operations: the intended tree is the input's changed, and an output
// that misses or misplaces a change, or makes another, differs.
func TestIntentJudgesOperationsAsVerify(t *testing.T) {
	const src = "x-base: &base\n  image: a\nservices:\n  web:\n    image: w\n  api: *base\n  db:\n    image: d\n"
	ops := func(d *Document) []*Op {
		_, svcs := MapGet(d.Root, "services")
		_, web := MapGet(svcs, "web")
		_, db := MapGet(svcs, "db")
		_, base := MapGet(d.Root, "x-base")
		_, img := MapGet(base, "image")
		hc := Map("test", Seq(Str("CMD"), Str("true")), "retries", Int("5")) // shared, as fixes share it
		return []*Op{
			{Kind: OpInsert, Target: web, Key: "healthcheck", Value: hc},
			{Kind: OpInsert, Target: db, Key: "healthcheck", Value: hc},
			{Kind: OpSet, Target: img, Value: Str("b")},
			{Kind: OpDelete, Target: db, Key: "image"},
		}
	}
	const hc = "    healthcheck:\n      test: [CMD, \"true\"]\n      retries: 5\n"
	want := "x-base: &base\n  image: b\nservices:\n  web:\n    image: w\n" + hc + "  api: *base\n  db:\n" + hc
	for _, tc := range []struct {
		name, out string
		same      bool
	}{
		{"as intended", want, true},
		{"the alias written out", strings.Replace(want, "api: *base", "api: {image: b}", 1), true},
		{"nothing changed", src, false},
		{"the set missed", strings.Replace(want, "image: b", "image: a", 1), false},
		{"the set missed in the alias written out", strings.Replace(want, "api: *base", "api: {image: a}", 1), false},
		{"the delete missed", strings.Replace(want, "  db:\n", "  db:\n    image: d\n", 1), false},
		{"one insert missed", strings.Replace(want, "  db:\n"+hc, "  db: {}\n", 1), false},
		{"one insert's value differs", strings.Replace(want, "  db:\n"+hc, "  db:\n"+strings.Replace(hc, "5", "6", 1), 1), false},
		{"one insert's value tagged otherwise", strings.Replace(want, "retries: 5", `retries: "5"`, 1), false},
		{"an insert misplaced", strings.Replace(want, "    image: w\n"+hc, hc+"    image: w\n", 1), false},
		{"an insert at the wrong indentation", strings.Replace(want, "    image: w\n"+hc, "    image: w\n"+strings.ReplaceAll(hc, "    ", "  "), 1), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := verifyAlike(t, src, ops, tc.out); got != tc.same {
				t.Errorf("Verify passes %v, want %v, of\n%s", got, tc.same, tc.out)
			}
		})
	}
}

// FuzzIntentAgrees checks that an Intent of a document, and Verify telling
// a visitor, judge any output as Verify does: most outputs differ, which the operations' fuzzer, whose
// outputs are meant to verify, seldom makes.
func FuzzIntentAgrees(f *testing.F) {
	for _, tc := range intentDifferOuts {
		f.Add(intentDifferSrc, strings.Replace(intentDifferSrc, tc.old, tc.new, 1))
	}
	f.Fuzz(func(t *testing.T, src, out string) {
		if len(src) > 16<<10 || len(out) > 16<<10 {
			return
		}
		d, err := LoadWith("c.yaml", []byte(src), LoadOptions{AllowNonCompose: true})
		if err != nil {
			return
		}
		verr := Verify(d, nil, []byte(out))
		if _, err := VerifyLoadVisit(d, nil, []byte(out), &recordingVisitor{}); (err == nil) != (verr == nil) {
			t.Fatalf("Verify says %v, Verify telling a visitor %v\ninput:\n%s\noutput:\n%s", verr, err, src, out)
		}
		intent, err := Intend(d, nil)
		if err != nil {
			t.Fatalf("Intend: %v", err)
		}
		d.DropTree()
		if _, ierr := intent.VerifyLoad([]byte(out)); (verr == nil) != (ierr == nil) {
			t.Fatalf("Verify says %v, the Intent %v\ninput:\n%s\noutput:\n%s", verr, ierr, src, out)
		}
	})
}
