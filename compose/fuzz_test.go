package compose_test

import (
	"os"
	"strings"
	"testing"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/internal/golden"
	"go.yaml.in/yaml/v3"
)

// fuzzSeeds are small documents with the shapes the operations must keep.
var fuzzSeeds = []string{
	"services:\n  web:\n    image: nginx:1.27.3\n    ports:\n      - \"80:80\"\n",
	"services:\n    web:\n        image: x\n        command:\n        - a\n        - b\n",
	"services:\n  web: {image: x, ports: [80, 443]}\n  db: { image: 'y' }\n",
	"version: \"3\" # c\n\n# head\nservices: # line\n  web:\n  db: ~\n  api: {}\n",
	"x-base: &base\n  restart: always\n\nservices:\n  web:\n    <<: [*base]\n    command: |\n      run\n  b: *base\n",
	"services:\r\n  web:\r\n    image: x\r\n    environment:\r\n      A: \"1\"\r\n",
	"services:\n  wébapp:\n    image: \"ü\"\n    entrypoint: >-\n      a\n      b",
	"services:\n  web:\n    image: x\n    # foot\n\n  # head of db\n  db:\n    depends_on: [web]\n---\nservices: {}\n",
	"services:\n  web:\n    volumes:\n      - ./a:/a\n      # - ./b:/b\n    command: |+\n      keep\n\n",
	"services:\n  web: {image: x, # c\n    ports: [80, # p\n      \"#q\" # r\n    ], e: # s\n  }\n",
	"services:\n  web: {command: [sh, -c, echo it's], environment: {A: don't, B: x\"y}, labels: [a: , b: ]}\n",
}

// fuzzValues are scalar values chosen to need quoting, look like other
// types, or carry YAML indicators.
var fuzzValues = []string{
	"x", "unless-stopped", "no", "yes", "1", "", "a: b", "# c", "- x", "[x]", "{a: 1}",
	"null", "~", "é", "two\nlines", "'q'", `"dq"`, "with space", "@at", "*alias", "&anc",
	"%p", "true", "0x1F", "1e3", ": x", "x #y", " lead", "trail ", "tab\there", "<<", "k:",
	"${IMAGE:-redis:7}", "-", "?", "\\", "日本",
}

// fuzzKeys are keys for inserted entries.
var fuzzKeys = []string{"restart", "logging", "new-key", "a b", "k:", "é", `"q"`, "1", "true", "<<", "x-fz", "- d", "#h"}

// FuzzOps applies random sequences of operations to a document: each change
// that an operation returns must apply and verify alone, and all changes that
// neither overlap in bytes nor touch the same nodes must apply and verify
// together. An operation may refuse (return an error); a change that applies
// but decodes to something other than the intended tree is a bug.
func FuzzOps(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s), []byte{1, 0, 0, 1, 0, 1, 2, 0, 3})
	}
	for i, path := range golden.CorpusIfPresent(f) {
		src, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src, []byte{byte(i), 1, 2, 1, byte(i), 5, 2, 3, 4, 0, 7, 9, 6, 1, 1, 3, 2, 2})
	}
	f.Fuzz(func(t *testing.T, src []byte, program []byte) {
		if len(src) > 64<<10 || len(program) > 96 {
			return
		}
		d, err := compose.LoadWith("fuzz.yaml", src, compose.LoadOptions{AllowNonCompose: true})
		if err != nil {
			return
		}
		runProgram(t, d, program)
	})
}

// fuzzNodes are the nodes of a document an operation can aim at.
type fuzzNodes struct {
	all, scalars, maps, seqs, anchored []*yaml.Node
	parent                             map[*yaml.Node]*yaml.Node
}

func collect(d *compose.Document) *fuzzNodes {
	fn := &fuzzNodes{parent: map[*yaml.Node]*yaml.Node{}}
	var walk func(n, parent *yaml.Node, isValue bool)
	walk = func(n, parent *yaml.Node, isValue bool) {
		fn.all = append(fn.all, n)
		fn.parent[n] = parent
		if n.Anchor != "" && n.Kind != yaml.ScalarNode {
			fn.anchored = append(fn.anchored, n)
		}
		switch n.Kind {
		case yaml.ScalarNode:
			fn.scalars = append(fn.scalars, n)
			if isValue && n.Tag == "!!null" {
				fn.maps = append(fn.maps, n)
				fn.seqs = append(fn.seqs, n)
			}
		case yaml.MappingNode:
			fn.maps = append(fn.maps, n)
		case yaml.SequenceNode:
			fn.seqs = append(fn.seqs, n)
		}
		for i, c := range n.Content {
			walk(c, n, n.Kind == yaml.MappingNode && i%2 == 1)
		}
	}
	for _, doc := range d.Docs {
		if len(doc.Content) > 0 {
			walk(doc.Content[0], nil, false)
		}
	}
	return fn
}

func pick[T any](list []T, b byte) (T, bool) {
	var zero T
	if len(list) == 0 {
		return zero, false
	}
	return list[int(b)%len(list)], true
}

// valueNode builds a new value for an insert, append or replace at target.
// An alias names an anchor defined on an earlier line that is not around
// target (a caller's duty: YAML refers back only, and an anchor cannot
// contain itself).
func (fn *fuzzNodes) valueNode(b byte, target *yaml.Node) *yaml.Node {
	v := fuzzValues[int(b/8)%len(fuzzValues)]
	switch b % 8 {
	case 0:
		return compose.Str(v)
	case 1:
		return compose.Quoted(v)
	case 2:
		return compose.Int("5")
	case 3:
		return compose.Map("a", v, "b", compose.Seq("x", v))
	case 4:
		return compose.Seq(v, compose.Map("k", v))
	case 5:
		var usable []*yaml.Node
		for _, a := range fn.anchored {
			if a.Line < target.Line && !fn.isAncestor(a, target) && !fn.redefined(a, target) {
				usable = append(usable, a)
			}
		}
		if a, ok := pick(usable, b/8); ok {
			return compose.Alias(a)
		}
		return compose.Bool(true)
	case 6:
		return compose.Map()
	}
	return compose.Map("driver", "json-file", "options", compose.Map("max-size", compose.Quoted("50m")))
}

// redefined reports whether another node takes a's anchor name between a
// and target's line: an alias there names the latest definition, another
// node than a (the operations leave that to their callers, as rules
// name anchors they made).
func (fn *fuzzNodes) redefined(a, target *yaml.Node) bool {
	for _, b := range fn.all {
		if b != a && b.Anchor == a.Anchor && b.Line >= a.Line && b.Line <= target.Line {
			return true
		}
	}
	return false
}

func (fn *fuzzNodes) isAncestor(a, n *yaml.Node) bool {
	for p := n; p != nil; p = fn.parent[p] {
		if p == a {
			return true
		}
	}
	return false
}

// claim records which nodes a change owns, so that changes that rewrite
// the same part of the tree are not combined (two rules never do that;
// the driver's byte-overlap check is the only guard it needs because
// rules edit disjoint parts or extend the same collection).
type claims struct {
	owned    map[*yaml.Node]bool // rewritten: nothing else may touch them
	extended map[*yaml.Node]bool // gained entries: others may extend them too
	keys     map[*yaml.Node]map[string]bool
	// filledAs is what an empty (null) value became: a mapping (an
	// insert) or a sequence (an append); it cannot become both.
	filledAs map[*yaml.Node]yaml.Kind
}

func (c *claims) subtree(n *yaml.Node, f func(*yaml.Node) bool) bool {
	if f(n) {
		return true
	}
	for _, ch := range n.Content {
		if c.subtree(ch, f) {
			return true
		}
	}
	return false
}

// free reports whether n's subtree and its ancestors are unowned, and (when
// exclusive) n's subtree is not extended either.
func (c *claims) free(fn *fuzzNodes, n *yaml.Node, exclusive bool) bool {
	for p := n; p != nil; p = fn.parent[p] {
		if c.owned[p] {
			return false
		}
	}
	return !c.subtree(n, func(x *yaml.Node) bool {
		return c.owned[x] || exclusive && c.extended[x]
	})
}

// isKey reports whether n is a key of mapping m.
func isKey(m, n *yaml.Node) bool {
	for i := 0; i < len(m.Content); i += 2 {
		if m.Content[i] == n {
			return true
		}
	}
	return false
}

func runProgram(t *testing.T, d *compose.Document, program []byte) {
	fn := collect(d)
	c := &claims{owned: map[*yaml.Node]bool{}, extended: map[*yaml.Node]bool{}, keys: map[*yaml.Node]map[string]bool{},
		filledAs: map[*yaml.Node]yaml.Kind{}}
	var all compose.Change
	for len(program) >= 3 {
		kind, a, b := program[0], program[1], program[2]
		program = program[3:]
		var (
			ch       compose.Change
			err      error
			target   *yaml.Node
			extend   bool
			newKey   string
			describe string
			renamed  string // the new value of a scalar, which may be a key
		)
		switch kind % 8 {
		case 0:
			n, ok := pick(fn.scalars, a)
			if !ok {
				continue
			}
			target, describe = n, "SetScalar"
			ch, err = d.SetScalar(n, fuzzValues[int(b)%len(fuzzValues)])
			renamed = fuzzValues[int(b)%len(fuzzValues)]
		case 1:
			n, ok := pick(fn.maps, a)
			if !ok {
				continue
			}
			newKey = fuzzKeys[int(b)%len(fuzzKeys)]
			target, extend, describe = n, true, "InsertKey "+newKey
			ch, err = d.InsertKey(n, newKey, fn.valueNode(b/16+a, n))
		case 2:
			n, ok := pick(fn.seqs, a)
			if !ok {
				continue
			}
			target, extend, describe = n, true, "AppendItem"
			ch, err = d.AppendItem(n, fn.valueNode(b, n))
		case 3:
			n, ok := pick(fn.maps, a)
			if !ok || n.Kind != yaml.MappingNode || len(n.Content) == 0 {
				continue
			}
			k, _ := pick(n.Content, b&^1)
			_, v := compose.MapGet(n, k.Value)
			if v == nil {
				continue
			}
			describe = "DeleteKey " + k.Value
			if !c.free(fn, v, true) || !c.free(fn, k, true) || !c.free(fn, n, false) {
				continue
			}
			ch, err = d.DeleteKey(n, k.Value)
			if err == nil {
				if err := checkAlone(d, ch); err != nil {
					t.Fatalf("%s at %d:%d: %v", describe, k.Line, k.Column, err)
				}
				if !conflicting(all.Edits, ch.Edits) {
					c.owned[v], c.owned[k], c.extended[n] = true, true, true
					all.Add(ch)
				}
			}
			continue
		case 4:
			n, ok := pick(fn.seqs, a)
			if !ok {
				continue
			}
			target, describe = n, "ConvertSeqToMap"
			ch, err = d.ConvertSeqToMap(n, func(it *yaml.Node) (string, *yaml.Node) {
				return it.Value, fn.valueNode(b, n)
			})
		case 5:
			key := "x-" + fuzzKeys[int(a)%len(fuzzKeys)]
			v := fn.valueNode(b|3, d.Root)
			if v.Kind != yaml.MappingNode {
				v = compose.Map("a", "b")
			}
			v.Anchor = "fz" + strings.Repeat("z", int(b%2))
			target, extend, newKey, describe = d.Root, true, key, "AddExtension "+key
			ch, err = d.AddExtension(key, v)
		case 6:
			n, ok := pick(fn.all, a)
			if !ok || n == d.Root {
				continue
			}
			target, describe = n, "ReplaceValue"
			ch, err = d.ReplaceValue(n, fn.valueNode(b, n))
		case 7:
			n, ok := pick(fn.scalars, a)
			if !ok || len(n.Value) == 0 {
				continue
			}
			from := int(b) % (len(n.Value) + 1)
			to := from + int(b/16)%(len(n.Value)-from+1)
			target, describe = n, "SetSubstring"
			ch, err = d.SetSubstring(n, from, to, fuzzValues[int(a)%len(fuzzValues)])
			renamed = n.Value[:from] + fuzzValues[int(a)%len(fuzzValues)] + n.Value[to:]
		}
		// Renaming a key adds a key to its mapping, which no other
		// change may add too.
		var renameIn *yaml.Node
		if p := fn.parent[target]; (kind%8 == 0 || kind%8 == 7) && p != nil && p.Kind == yaml.MappingNode && isKey(p, target) {
			renameIn = p
			if c.keys[p][renamed] {
				continue
			}
		}
		if err != nil {
			continue // a refusal is fine
		}
		if err := checkAlone(d, ch); err != nil {
			t.Fatalf("%s at %d:%d: %v", describe, target.Line, target.Column, err)
		}
		fill := yaml.SequenceNode
		if kind%8 == 1 || kind%8 == 5 {
			fill = yaml.MappingNode
		}
		if extend {
			if !c.free(fn, target, false) || newKey != "" && c.keys[target][newKey] {
				continue
			}
			if k, ok := c.filledAs[target]; ok && k != fill {
				continue
			}
		} else if !c.free(fn, target, true) {
			continue
		}
		if conflicting(all.Edits, ch.Edits) {
			continue
		}
		if extend {
			c.extended[target] = true
			c.filledAs[target] = fill
			if c.keys[target] == nil {
				c.keys[target] = map[string]bool{}
			}
			c.keys[target][newKey] = true
		} else {
			c.owned[target] = true
		}
		if renameIn != nil {
			if c.keys[renameIn] == nil {
				c.keys[renameIn] = map[string]bool{}
			}
			c.keys[renameIn][renamed] = true
		}
		all.Add(ch)
	}
	if len(all.Edits) == 0 {
		return
	}
	out, err := compose.Apply(d.Src, all.Edits)
	if err != nil {
		t.Fatalf("applying %d non-conflicting edits: %v", len(all.Edits), err)
	}
	if err := verify(d, all.Ops, out); err != nil {
		t.Fatalf("verifying %d combined changes: %v\ninput:\n%s\noutput:\n%s", len(all.Ops), err, d.Src, out)
	}
}

// checkAlone applies one change and verifies it.
func checkAlone(d *compose.Document, ch compose.Change) error {
	out, err := compose.Apply(d.Src, ch.Edits)
	if err != nil {
		return err
	}
	if err := verify(d, ch.Ops, out); err != nil {
		return &verifyError{err: err, in: string(d.Src), out: string(out)}
	}
	return nil
}

type verifyError struct {
	err     error
	in, out string
}

func (e *verifyError) Error() string {
	return e.err.Error() + "\ninput:\n" + e.in + "\noutput:\n" + e.out
}

// conflicting reports whether any edit of next overlaps one of accepted, as
// the driver decides.
func conflicting(accepted, next []compose.Edit) bool {
	for _, n := range next {
		for _, a := range accepted {
			if n != a && compose.Overlaps(n, a) {
				return true
			}
		}
	}
	return false
}
