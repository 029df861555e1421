package fixers

import (
	"fmt"
	"strings"
	"testing"

	"github.com/composefix/composefix/compose"
	"go.yaml.in/yaml/v3"
)

// TestSharedValueNodesStayAsRendered: the rules give the services that get
// the same value one node for it (a healthcheck, a restart policy, the
// logging alias), so nothing may write to a value node once it is
// rendered: not merging, not applying, not verification replaying the
// operations. Every value the first pass's fixes carry must come out of
// the run as it went in, and the shared ones must be shared (else this
// test checks nothing about sharing).
func TestSharedValueNodesStayAsRendered(t *testing.T) {
	var b strings.Builder
	b.WriteString("x-logging: &default-logging\n  driver: json-file\n  options:\n    max-size: 10m\n    max-file: \"3\"\nservices:\n")
	for i := range 4 {
		fmt.Fprintf(&b, "  cache%d:\n    image: redis:7.4.1\n", i)
	}
	b.WriteString("  flow: {image: \"redis:7.4.1\"}\n  empty:\n")
	d, err := compose.Load("test.yaml", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	opts, err := withDefaults(Options{Rules: Rules(), UnsafeFixes: true})
	if err != nil {
		t.Fatal(err)
	}
	opts.schema = &schemaMemo{}
	opts.memo = newRunMemo()
	fs, err := analyze(d, opts)
	if err != nil {
		t.Fatal(err)
	}
	uses := map[*yaml.Node]int{}
	var values []*yaml.Node
	var ops []*compose.Op
	for _, f := range fs {
		if f.Fix == nil {
			continue
		}
		for _, op := range f.Fix.Change.Ops {
			ops = append(ops, op)
			if op.Value != nil {
				if uses[op.Value] == 0 {
					values = append(values, op.Value)
				}
				uses[op.Value]++
			}
		}
	}
	shared := 0
	for _, n := range uses {
		if n > 1 {
			shared++
		}
	}
	if shared == 0 {
		t.Fatalf("no value node is shared by two operations; the test needs a file whose fixes share one")
	}
	before := make([]string, len(values))
	for i, v := range values {
		before[i] = dumpNode(v)
	}
	accepted, err := merge(d, eligible(fs, opts), func(off int) compose.Pos { return d.Pos(off) })
	if err != nil {
		t.Fatal(err)
	}
	at := func(off int) compose.Pos { return d.Pos(off) }
	a, err := applyFixes(d, accepted, at)
	if _, err := verifyPass(d, a, err, at, false, nil); err != nil {
		t.Fatalf("applying the first pass: %v", err)
	}
	if err := compose.Verify(d, ops, d.Src); err == nil {
		t.Fatalf("verifying the input against every operation passed; expected a difference")
	}
	for i, v := range values {
		if got := dumpNode(v); got != before[i] {
			t.Errorf("a value node (used %d times) changed:\nbefore %s\nafter  %s", uses[v], before[i], got)
		}
	}
}

// dumpNode writes every field of a node tree that rendering or decoding
// reads, aliases by their target's anchor.
func dumpNode(n *yaml.Node) string {
	if n == nil {
		return "nil"
	}
	s := fmt.Sprintf("{%d %q %q %q %d %d:%d %q %q %q", n.Kind, n.Tag, n.Value, n.Anchor, n.Style, n.Line, n.Column, n.HeadComment, n.LineComment, n.FootComment)
	if n.Alias != nil {
		s += " *" + n.Alias.Anchor
	}
	for _, c := range n.Content {
		s += " " + dumpNode(c)
	}
	return s + "}"
}
