package compose

import (
	"fmt"
	"reflect"
	"sort"

	"go.yaml.in/yaml/v3"
)

// Verify checks that out, the bytes after applying changes to d, decodes to
// the intended tree: d's decoded tree with every operation replayed in
// memory. "It parses" is not enough: a new key at the wrong indentation
// parses fine and lands in the wrong mapping.
func Verify(d *Document, ops []*Op, out []byte) error {
	_, err := VerifyLoad(d, ops, out)
	return err
}

// VerifyLoad is Verify that also returns the edited document it loaded, for
// callers that go on with it (the driver's next pass) without parsing it
// again.
func VerifyLoad(d *Document, ops []*Op, out []byte) (*Document, error) {
	got, err := LoadWith(d.Path, out, LoadOptions{AllowNonCompose: true})
	if err != nil {
		return nil, fmt.Errorf("the edited file does not load: %w", err)
	}
	if err := sameAsIntended(d, ops, got); err != nil {
		return nil, err
	}
	return got, nil
}

func sameAsIntended(d *Document, ops []*Op, got *Document) error {
	want, err := Intended(d, ops)
	if err != nil {
		return err
	}
	if len(got.Docs) != len(want) {
		return fmt.Errorf("the edited file has %d documents; expected %d", len(got.Docs), len(want))
	}
	for i, doc := range got.Docs {
		var g, w any
		if err := doc.Decode(&g); err != nil {
			return fmt.Errorf("decoding the edited file: %w", err)
		}
		if err := want[i].Decode(&w); err != nil {
			return fmt.Errorf("decoding the intended tree: %w", err)
		}
		if path, ok := firstDifference(w, g, ""); !ok {
			return fmt.Errorf("the edited file differs from the intended tree at %s", path)
		}
	}
	return nil
}

// Intended returns copies of d's documents with ops applied.
func Intended(d *Document, ops []*Op) ([]*yaml.Node, error) {
	c := copier{}
	docs := make([]*yaml.Node, len(d.Docs))
	for i, doc := range d.Docs {
		docs[i] = c.copy(doc)
	}
	for i, op := range ops {
		if duplicateOp(ops[:i], op) {
			continue // its identical edits were written once, by Apply
		}
		t := c.copy(op.Target)
		switch op.Kind {
		case OpSet:
			anchor := t.Anchor
			*t = *c.copy(op.Value)
			if t.Anchor == "" {
				t.Anchor = anchor
			}
		case OpInsert:
			if isNull(t) { // "web:" filled with its first key
				*t = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Anchor: t.Anchor}
			}
			if t.Kind != yaml.MappingNode {
				return nil, fmt.Errorf("insert into a %s", kindName(t))
			}
			pair := []*yaml.Node{Str(op.Key), c.copy(op.Value)}
			at := len(t.Content)
			if op.Before != nil {
				before := c.copy(op.Before)
				for i := 0; i < len(t.Content); i += 2 {
					if t.Content[i] == before {
						at = i
					}
				}
			}
			t.Content = append(t.Content[:at], append(pair, t.Content[at:]...)...)
		case OpDelete:
			for i := 0; i+1 < len(t.Content); i += 2 {
				if t.Content[i].Value == op.Key && !isMergeKey(t.Content[i]) {
					t.Content = append(t.Content[:i:i], t.Content[i+2:]...)
					break
				}
			}
		case OpAppend:
			if isNull(t) {
				*t = yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Anchor: t.Anchor}
			}
			t.Content = append(t.Content, c.copy(op.Value))
		}
	}
	return docs, nil
}

// duplicateOp reports whether an earlier operation means the same as op.
// Two fixes that make the same operation produce identical edits, which
// Apply writes once; the operation must then count once too.
func duplicateOp(earlier []*Op, op *Op) bool {
	for _, e := range earlier {
		if e == op || e.Kind == op.Kind && e.Target == op.Target && e.Key == op.Key &&
			e.Before == op.Before && sameNode(e.Value, op.Value) {
			return true
		}
	}
	return false
}

// sameNode reports whether two new nodes are written the same.
func sameNode(a, b *yaml.Node) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.Kind != b.Kind || a.Tag != b.Tag || a.Value != b.Value || a.Style != b.Style ||
		a.Anchor != b.Anchor || a.Alias != b.Alias || len(a.Content) != len(b.Content) {
		return false
	}
	for i := range a.Content {
		if !sameNode(a.Content[i], b.Content[i]) {
			return false
		}
	}
	return true
}

// copier deep-copies nodes once each, so aliases in the copy point at the
// copied anchors, and new nodes shared by several operations stay shared.
type copier map[*yaml.Node]*yaml.Node

func (c copier) copy(n *yaml.Node) *yaml.Node {
	if n == nil {
		return nil
	}
	if cp, ok := c[n]; ok {
		return cp
	}
	cp := &yaml.Node{}
	c[n] = cp
	*cp = *n
	if len(n.Content) > 0 {
		cp.Content = make([]*yaml.Node, len(n.Content))
		for i, ch := range n.Content {
			cp.Content[i] = c.copy(ch)
		}
	}
	cp.Alias = c.copy(n.Alias)
	return cp
}

// firstDifference walks two decoded values and returns the path of the
// first difference, with ok false; ok is true when they are equal.
func firstDifference(want, got any, path string) (string, bool) {
	if path == "" {
		path = "the root"
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s (expected a mapping, got %T)", path, got), false
		}
		keys := make([]string, 0, len(w)+len(g))
		for k := range w {
			keys = append(keys, k)
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			wv, wok := w[k]
			gv, gok := g[k]
			if wok != gok {
				if wok {
					return fmt.Sprintf("%s.%s (missing)", path, k), false
				}
				return fmt.Sprintf("%s.%s (unexpected)", path, k), false
			}
			if p, ok := firstDifference(wv, gv, path+"."+k); !ok {
				return p, false
			}
		}
		return "", true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return fmt.Sprintf("%s (expected a sequence of %d items)", path, len(w)), false
		}
		for i := range w {
			if p, ok := firstDifference(w[i], g[i], fmt.Sprintf("%s[%d]", path, i)); !ok {
				return p, false
			}
		}
		return "", true
	}
	if !reflect.DeepEqual(want, got) {
		return fmt.Sprintf("%s (expected %#v, got %#v)", path, want, got), false
	}
	return "", true
}
