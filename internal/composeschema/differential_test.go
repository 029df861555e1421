package composeschema

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/schema"
	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/internal/golden"
	"go.yaml.in/yaml/v3"
)

// TestSameErrorsAsSanthosh: over the corpus, the repository's test data
// and documents made from them by breaking one node each (a scalar of
// another type, a renamed key, a mapping made a list and back, a list
// with a repeated item), the validator agrees with compose-go's
// schema.Validate on whether the document is valid, builds the error
// tree santhosh builds, and so finds the same violations at the same
// places worded the same.
func TestSameErrorsAsSanthosh(t *testing.T) {
	ref := santhoshValidator(t)
	c, err := compileTable(&spec)
	if err != nil {
		t.Fatal(err)
	}
	srcs := testDocuments(t)
	perDoc := 50 // 38,000 documents at 200, all agreeing: 18 s
	if testing.Short() {
		perDoc = 10
	}
	var docs, invalid, noneAddedToInvalid, placed, entrywise, entrywiseInvalid int
	for _, src := range srcs {
		var root, orig yaml.Node
		if yaml.Unmarshal(src.bytes, &root) != nil || len(root.Content) == 0 || yaml.Unmarshal(src.bytes, &orig) != nil {
			continue
		}
		// The check of the document as it is, as the base of the
		// checks of the documents made from it.
		base := checkWith(c.validateTop, c.compositional, nil, orig.Content[0])
		compare := func(what string) {
			docs++
			valid, n := sameChecksPlaced(t, c, ref, &root, src.name+": "+what)
			if !valid {
				invalid++
			}
			placed += n
			whole := violationsText(checkWith(c.validateTop, c.compositional, nil, root.Content[0]).Violations)
			from := checkWith(c.validateTop, c.compositional, base, root.Content[0])
			if from := violationsText(from.Violations); from != whole {
				t.Errorf("%s: %s: checked from the document as it is:\n%s\nchecked whole:\n%s", src.name, what, from, whole)
			}
			if e := newEntrywise(c.validateTop, c.compositional, base); e != nil {
				// Abandoned (a root that does not convert entry for
				// entry), it leaves the verdict to CheckFrom.
				fed := feedEntries(e, orig.Content[0], root.Content[0], docs%2 == 0)
				if got, ok := e.Checked(root.Content[0]); ok && !fed || fed && ok != (from.valid != nil) {
					t.Errorf("%s: %s: checked entry by entry (fed whole: %v): valid %v; CheckFrom: valid %v", src.name, what, fed, ok, from.valid != nil)
				} else if ok {
					entrywise++
					if violationsText(got.Violations) != violationsText(from.Violations) {
						t.Errorf("%s: %s: checked entry by entry: %s; CheckFrom: %s", src.name, what, violationsText(got.Violations), violationsText(from.Violations))
					}
				} else if fed {
					entrywiseInvalid++
				}
			}
			if noneAdded(c.validateTop, c.compositional, orig.Content[0], root.Content[0]) {
				if len(base.Violations) > 0 {
					noneAddedToInvalid++
				}
				if added := addedMessages(base.Violations, checkWith(c.validateTop, c.compositional, nil, root.Content[0]).Violations); added != "" {
					t.Errorf("%s: %s: noneAdded, but the document adds:\n%s", src.name, what, added)
				}
			}
		}
		compare("as is")
		ms := mutations(root.Content[0])
		step := max(1, len(ms)/perDoc)
		for i := 0; i < len(ms); i += step {
			undo := ms[i].apply()
			compare(ms[i].what)
			undo()
		}
	}
	t.Logf("%d documents, %d of them invalid; %d changed documents of invalid ones told apart by what changed; %d violations placed against santhosh's locations", docs, invalid, noneAddedToInvalid, placed)
	t.Logf("Entrywise: %d documents valid, %d invalid", entrywise, entrywiseInvalid)
	if placed < docs/4 {
		t.Errorf("%d violations placed against santhosh's locations in %d documents: too few to compare the places", placed, docs)
	}
	if entrywise == 0 || entrywiseInvalid == 0 {
		t.Errorf("Entrywise passed %d documents and failed %d it was fed whole: it must do both for the comparison to prove anything", entrywise, entrywiseInvalid)
	}
	if noneAddedToInvalid == 0 {
		t.Error("noneAdded never judged a document made from an invalid one: the comparison proves nothing")
	}
	if docs < 100 || invalid < docs/4 {
		t.Errorf("%d documents, %d invalid: too few to compare the validators", docs, invalid)
	}
}

// sameChecks compares the two validators on one document and reports
// whether it is valid.
func sameChecks(t *testing.T, c *compiled, ref *reference, root *yaml.Node, name string) bool {
	valid, _ := sameChecksPlaced(t, c, ref, root, name)
	return valid
}

// sameChecksPlaced is sameChecks, and says how many violations it checked
// against santhosh's places.
func sameChecksPlaced(t *testing.T, c *compiled, ref *reference, root *yaml.Node, name string) (valid bool, placed int) {
	t.Helper()
	m, ok := (&tree{}).value(root.Content[0], nil, 0).(map[string]any)
	if !ok {
		return true, 0
	}
	valid = c.validateTop(m, true) == nil
	if refValid := ref.validate(m, true) == nil; valid != refValid {
		t.Errorf("%s: valid = %v, santhosh says %v", name, valid, refValid)
	}
	if fromNodes := c.validateTop(root.Content[0], true) == nil; fromNodes != valid {
		t.Errorf("%s: valid = %v from the nodes, %v from the converted values", name, fromNodes, valid)
	}
	if worded := c.validateTop(m, false) == nil; worded != valid {
		// The quick check's shortcuts (flats, refOnly, alternatives
		// refused by type) against the general way.
		t.Errorf("%s: valid = %v quickly, %v by a validation that words its errors", name, valid, worded)
	}
	verr := schema.Validate(m)
	var unsupported *json.UnsupportedValueError
	if !errors.As(verr, &unsupported) && (verr == nil) != valid {
		t.Errorf("%s: valid = %v, compose-go's schema.Validate says %v", name, valid, verr)
	}
	if hasDuplicateKey(root) {
		// compose.Load refuses the document before any check, and the
		// validator and santhosh read a repeated key differently (the
		// first, the last): only the verdicts above are compared.
		return valid, 0
	}
	// checkWith takes the root mapping, as CheckFrom passes it: given the
	// document node it finds no schema violation at all, on both sides.
	vs := checkWith(c.validateTop, c.compositional, nil, root.Content[0]).Violations
	got := sortedLines(violationsText(vs))
	// The reference locates in the whole document, as composefix did.
	want := sortedLines(violationsText(checkWith(ref.validate, false, nil, root.Content[0]).Violations))
	if got != want {
		t.Errorf("%s: violations\n%s\nwith santhosh:\n%s", name, got, want)
	}
	// The same locating code made both lists: the places are checked
	// against santhosh's own error locations, found in the tree here.
	bad, placed := checkPlaces(vs, santhoshPlaces(t, ref.schema, m), root)
	if bad != "" {
		t.Errorf("%s: violations not where santhosh reports them:\n%s", name, bad)
	}
	return valid, placed
}

// sortedLines sorts the lines of s: violations at one node (an anchor
// used in several places) come in no particular order. The lines the
// validators may differ on (extensionNonJSON) are left out.
func sortedLines(s string) string {
	lines := strings.SplitAfter(s, "\n")
	lines = slices.DeleteFunc(lines, func(l string) bool {
		_, rest, _ := strings.Cut(l, " ")
		return extensionNonJSON(rest)
	})
	slices.Sort(lines)
	return strings.Join(lines, "")
}

// addedMessages lists the messages of got that had lacks, a line each.
func addedMessages(had, got []Violation) string {
	old := map[string]bool{}
	for _, v := range had {
		old[v.Message] = true
	}
	var b strings.Builder
	for _, v := range got {
		if !old[v.Message] {
			b.WriteString(v.Message + "\n")
		}
	}
	return b.String()
}

func violationsText(vs []Violation) string {
	var b strings.Builder
	for _, v := range vs {
		fmt.Fprintf(&b, "%d:%d %s: %s\n", v.Node.Line, v.Node.Column, v.Path, v.Message)
	}
	return b.String()
}

type testDocument struct {
	name  string
	bytes []byte
}

// testDocuments returns the corpus (when present) and every YAML file
// under a testdata directory of the repository.
func testDocuments(t *testing.T) []testDocument {
	var out []testDocument
	for _, p := range golden.CorpusIfPresent(t) {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, testDocument{p, b})
	}
	err := filepath.WalkDir("../..", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.Contains(p, "/testdata/") {
			return err
		}
		if ext := filepath.Ext(p); ext == ".yaml" || ext == ".yml" {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out = append(out, testDocument{p, b})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

type mutation struct {
	what  string
	apply func() (undo func())
}

// mutations lists ways to break a document one node at a time.
func mutations(root *yaml.Node) []mutation {
	scalars := []yaml.Node{
		{Kind: yaml.ScalarNode, Tag: "!!int", Value: "7"},
		{Kind: yaml.ScalarNode, Tag: "!!str", Value: "x y"},
		{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"},
		{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"},
		{Kind: yaml.ScalarNode, Tag: "!!float", Value: "1.5"},
		{Kind: yaml.ScalarNode, Tag: "!!int", Value: "-1001"},
		{Kind: yaml.ScalarNode, Tag: "!!int", Value: "4294967296"},
		{Kind: yaml.ScalarNode, Tag: "!!float", Value: "2.0"},
		{Kind: yaml.ScalarNode, Tag: "!!str", Value: "bad name!"},
	}
	replace := func(n *yaml.Node, with yaml.Node) func() {
		saved := *n
		*n = with
		n.Line, n.Column = saved.Line, saved.Column
		return func() { *n = saved }
	}
	var out []mutation
	seen := map[*yaml.Node]bool{}
	var walk func(n *yaml.Node, isKey bool)
	walk = func(n *yaml.Node, isKey bool) {
		if n == nil || seen[n] {
			return
		}
		seen[n] = true
		at := fmt.Sprintf("%d:%d", n.Line, n.Column)
		switch n.Kind {
		case yaml.ScalarNode:
			if isKey {
				for _, name := range []string{n.Value + "x", "x-" + n.Value, "bad name!", "services"} {
					out = append(out, mutation{fmt.Sprintf("key at %s renamed %q", at, name), func() func() {
						with := *n
						with.Value = name
						return replace(n, with)
					}})
				}
				return
			}
			for i := range 2 {
				s := scalars[(len(out)+i*4)%len(scalars)]
				out = append(out, mutation{fmt.Sprintf("%s made %s %s", at, s.Tag, s.Value), func() func() { return replace(n, s) }})
			}
			// The new value holds a copy of the old, not the node itself,
			// which would then hold itself.
			out = append(out, mutation{at + " made a mapping", func() func() {
				old := *n
				return replace(n, yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{{Kind: yaml.ScalarNode, Tag: "!!str", Value: "a"}, &old}})
			}}, mutation{at + " made a list of it twice", func() func() {
				old := *n
				return replace(n, yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{&old, &old}})
			}})
		case yaml.MappingNode:
			if len(n.Content) >= 2 {
				// What the validator reads from the converted values
				// rather than the nodes: a repeated key, a !reset value.
				out = append(out, mutation{at + " with its first key repeated", func() func() {
					with := *n
					with.Content = append(append([]*yaml.Node(nil), n.Content...), n.Content[0], n.Content[len(n.Content)-1])
					return replace(n, with)
				}}, mutation{at + " with its first value reset", func() func() {
					reset := *n.Content[1]
					reset.Tag = "!reset"
					with := *n
					with.Content = append([]*yaml.Node{n.Content[0], &reset}, n.Content[2:]...)
					return replace(n, with)
				}})
			}
			out = append(out, mutation{at + " made a list", func() func() {
				var vals []*yaml.Node
				for i := 1; i < len(n.Content); i += 2 {
					vals = append(vals, n.Content[i])
				}
				return replace(n, yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: vals})
			}})
			for i := 0; i+1 < len(n.Content); i += 2 {
				walk(n.Content[i], true)
				walk(n.Content[i+1], false)
			}
		case yaml.SequenceNode:
			out = append(out, mutation{at + " made a mapping", func() func() {
				var pairs []*yaml.Node
				for i, c := range n.Content {
					pairs = append(pairs, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: fmt.Sprintf("k%d", i)}, c)
				}
				return replace(n, yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: pairs})
			}})
			if len(n.Content) > 0 {
				out = append(out, mutation{at + " with its first item repeated", func() func() {
					with := *n
					with.Content = append(append([]*yaml.Node(nil), n.Content...), n.Content[0])
					return replace(n, with)
				}})
			}
			for _, c := range n.Content {
				walk(c, false)
			}
		case yaml.DocumentNode, yaml.AliasNode:
			for _, c := range n.Content {
				walk(c, false)
			}
		}
	}
	walk(root, false)
	return out
}

// feedEntries feeds e the entries of now, made from was, as verification
// does (compose.EntryVisitor): each top-level entry, and the services one
// by one when e asks, with the input's value of each when it has the same
// name at the same place (positional) or looked up by e otherwise. It
// reports whether e was fed every entry (not abandoned at the root).
func feedEntries(e *Entrywise, was, now *yaml.Node, positional bool) bool {
	if !e.Root(now) {
		return false
	}
	_, wasSvcs := compose.MapGet(was, "services")
	wasSvcs = compose.Resolve(wasSvcs)
	for i := 0; i+1 < len(now.Content); i += 2 {
		if !e.Entry(now.Content[i], now.Content[i+1]) {
			continue
		}
		svcs := now.Content[i+1]
		known := positional && wasSvcs != nil && e.InputServices(wasSvcs) && len(wasSvcs.Content) == len(svcs.Content)
		for j := 0; j+1 < len(svcs.Content); j += 2 {
			if known && wasSvcs.Content[j].Value != svcs.Content[j].Value {
				known = false // the caller knows only where the names match in order
			}
			var o *yaml.Node
			if known {
				o = wasSvcs.Content[j+1]
			}
			e.Service(svcs.Content[j], svcs.Content[j+1], o, known)
		}
	}
	return true
}
