package composeschema

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"go.yaml.in/yaml/v3"
)

// The differential test's reference side, located without the
// validator's code: the places santhosh reports (its errors' instance
// locations, JSON pointers), and the node of the yaml.v3 tree at a path,
// found by walking the tree here. checkWith, tree, leaves and remove, which
// locate the validator's violations, are not used, so a bug in them shows
// as a violation at a place santhosh did not name, or on another node.

// santhoshPlaces returns the instance locations, dot-joined, at which
// santhosh reports an error in v, with an unknown key's location under
// its mapping; nil when v is valid.
func santhoshPlaces(t *testing.T, sch *jsonschema.Schema, v any) map[string]bool {
	t.Helper()
	err := sch.Validate(v)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("santhosh: %v", err)
	}
	out := map[string]bool{}
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		at := strings.Join(e.InstanceLocation, ".")
		out[at] = true
		if k, ok := e.ErrorKind.(*kind.AdditionalProperties); ok {
			for _, p := range k.Properties {
				out[strings.TrimPrefix(at+"."+p, ".")] = true
			}
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	return out
}

// nodesAt returns the nodes of the tree under root at path (dot-joined
// keys and sequence indexes), the keys' nodes when key is set. Keys may
// hold dots, so every split of path that names keys is tried. A merged
// mapping's keys count where the mapping's own do not (YAML's merge key:
// the mapping's own keys first, then its sources in order).
func nodesAt(root *yaml.Node, path string, key bool) []*yaml.Node {
	n := derefNode(root)
	if path == "" {
		return []*yaml.Node{n}
	}
	var out []*yaml.Node
	switch n.Kind {
	case yaml.MappingNode:
		for _, e := range mergedEntries(n, 0) {
			k, v := e[0], e[1]
			rest, ok := strings.CutPrefix(path, k.Value)
			switch {
			case ok && rest == "" && key:
				out = append(out, k)
			case ok && rest == "":
				out = append(out, derefNode(v))
			case ok && strings.HasPrefix(rest, "."):
				out = append(out, nodesAt(v, rest[1:], key)...)
			}
		}
	case yaml.SequenceNode:
		// compose drops the items tagged !reset before it validates.
		var items []*yaml.Node
		for _, c := range n.Content {
			if derefNode(c).Tag != "!reset" && c.Tag != "!reset" {
				items = append(items, c)
			}
		}
		head, rest, _ := strings.Cut(path, ".")
		i, err := strconv.Atoi(head)
		if err != nil || i < 0 || i >= len(items) {
			return nil
		}
		if rest == "" {
			return []*yaml.Node{derefNode(items[i])}
		}
		out = nodesAt(items[i], rest, key)
	}
	return out
}

// mergedEntries returns the key and value of each entry of mapping m,
// the merged sources' after m's own, the first of each key only.
func mergedEntries(m *yaml.Node, depth int) [][2]*yaml.Node {
	var own, merged [][2]*yaml.Node
	seen := map[string]bool{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Value == "<<" && (k.Tag == "!!merge" || k.Tag == "") && depth < 16 {
			srcs := []*yaml.Node{derefNode(v)}
			if srcs[0].Kind == yaml.SequenceNode {
				srcs = srcs[0].Content
			}
			for _, s := range srcs {
				if s = derefNode(s); s.Kind == yaml.MappingNode {
					merged = append(merged, mergedEntries(s, depth+1)...)
				}
			}
			continue
		}
		own = append(own, [2]*yaml.Node{k, v})
	}
	var out [][2]*yaml.Node
	for _, e := range append(own, merged...) {
		if !seen[e[0].Value] {
			seen[e[0].Value] = true
			out = append(out, e)
		}
	}
	return out
}

func derefNode(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && i < 16 && (n.Kind == yaml.AliasNode || n.Kind == yaml.DocumentNode); i++ {
		if n.Kind == yaml.AliasNode {
			n = n.Alias
		} else if len(n.Content) > 0 {
			n = n.Content[0]
		} else {
			return n
		}
	}
	return n
}

// checkPlaces checks each schema violation of vs against the reference:
// santhosh reports an error at its path (or, for an unknown key, at its
// mapping), and the node the violation names is the one at its path, the
// key's node for an unknown key. It returns the problems, a line each, and
// how many violations it checked.
func checkPlaces(vs []Violation, places map[string]bool, root *yaml.Node) (string, int) {
	var b strings.Builder
	checked := 0
	for _, v := range vs {
		if strings.HasSuffix(v.Message, `expected "no", always, on-failure, on-failure:N or unless-stopped`) {
			continue // restartPolicies: compose checks it, the schema does not
		}
		if extensionNonJSON(v.Path + ": " + v.Message) {
			continue
		}
		checked++
		unknown := strings.Contains(v.Message, ": unknown key ")
		if !places[v.Path] {
			fmt.Fprintf(&b, "%s (%s): santhosh reports nothing there\n", v.Path, v.Message)
		}
		found := false
		for _, n := range nodesAt(root, v.Path, unknown) {
			found = found || n == v.Node
		}
		if !found {
			fmt.Fprintf(&b, "%s (%s): located at %d:%d, not on the node at that path\n", v.Path, v.Message, v.Node.Line, v.Node.Column)
		}
	}
	return b.String(), checked
}

// hasDuplicateKey reports whether a mapping under n holds a key twice: a
// document compose.Load refuses ("duplicate key"), which reaches no check.
func hasDuplicateKey(n *yaml.Node) bool {
	seen := map[*yaml.Node]bool{}
	var walk func(n *yaml.Node) bool
	walk = func(n *yaml.Node) bool {
		if n == nil || seen[n] {
			return false
		}
		seen[n] = true
		if n.Kind == yaml.MappingNode {
			keys := map[string]bool{}
			for i := 0; i+1 < len(n.Content); i += 2 {
				if k := n.Content[i]; k.Kind == yaml.ScalarNode && k.Value != "<<" {
					if keys[k.Value] {
						return true
					}
					keys[k.Value] = true
				}
			}
		}
		for _, c := range n.Content {
			if walk(c) {
				return true
			}
		}
		return false
	}
	return walk(n)
}

// extensionNonJSON reports whether a violation's line is a value JSON
// cannot hold (an infinity, NaN) under an extension key ("x-"): the
// validator reports it, as compose-go's JSON round trip refuses it, where
// santhosh never reads a value its schema (true) accepts.
func extensionNonJSON(line string) bool {
	path, msg, _ := strings.Cut(line, ": ")
	return strings.Contains(msg, "invalid jsonType") && (strings.HasPrefix(path, "x-") || strings.Contains(path, ".x-"))
}
