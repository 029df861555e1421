package compose_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/composefix/composefix/compose"
	"go.yaml.in/yaml/v3"
)

// TestMergeSources checks the mappings a mapping merges: one alias, a
// list of them in order, none for a quoted "<<" (a string key) or for a
// merged value that is not a mapping.
func TestMergeSources(t *testing.T) {
	const src = `x-a: &a {p: 1}
x-b: &b {q: 2}
x-s: &s text
one: {<<: *a, r: 3}
two: {<<: [*b, *a]}
quoted: {"<<": *a}
scalar: {<<: *s}
`
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(src), &root); err != nil {
		t.Fatal(err)
	}
	top := root.Content[0]
	_, a := compose.MapGet(top, "x-a")
	_, b := compose.MapGet(top, "x-b")
	for _, tt := range []struct {
		key  string
		want []*yaml.Node
	}{
		{"one", []*yaml.Node{a}},
		{"two", []*yaml.Node{b, a}},
		{"quoted", nil},
		{"scalar", nil},
	} {
		_, m := compose.MapGet(top, tt.key)
		got := compose.MergeSources(m)
		if len(got) != len(tt.want) {
			t.Errorf("compose.MergeSources(%s) = %d mappings, want %d", tt.key, len(got), len(tt.want))
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("compose.MergeSources(%s)[%d] is line %d, want line %d", tt.key, i, got[i].Line, tt.want[i].Line)
			}
		}
	}
	if v, inherited := compose.Lookup(mapOf(t, top, "two"), "p"); v == nil || v.Value != "1" || !inherited {
		t.Errorf(`compose.Lookup(two, "p") = %v, %v; want 1 inherited from *a`, v, inherited)
	}
}

func mapOf(t *testing.T, m *yaml.Node, key string) *yaml.Node {
	t.Helper()
	_, v := compose.MapGet(m, key)
	if v == nil {
		t.Fatalf("no %s", key)
	}
	return v
}

// TestRepeatedKey checks RepeatedKey against comparing every pair of keys,
// over mappings of every size around its two ways (up to 64 keys, and
// more), with keys drawn from few values so that they repeat, with equal
// summaries among different keys, and with keys that are not scalars.
func TestRepeatedKey(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	words := []string{"", "a", "b", "ab", "ba", "image", "ports", "x-a", "x-b", "<<", "K1", "K10"}
	for size := 0; size <= 140; size++ {
		for range 20 {
			m := &yaml.Node{Kind: yaml.MappingNode}
			pool := len(words)
			if rng.IntN(2) == 0 {
				pool = 1 << 30 // distinct keys, mostly
			}
			for range size {
				k := &yaml.Node{Kind: yaml.ScalarNode, Value: fmt.Sprint(rng.IntN(pool))}
				if pool == len(words) {
					k.Value = words[rng.IntN(pool)]
				}
				if rng.IntN(10) == 0 {
					k = &yaml.Node{Kind: yaml.SequenceNode} // not a scalar: never a repeat
				}
				m.Content = append(m.Content, k, compose.Str("v"))
			}
			wantI, wantPrev := -1, -1
		pairs:
			for i := 0; i < len(m.Content); i += 2 {
				for j := 0; j < i; j += 2 {
					if a, b := m.Content[i], m.Content[j]; a.Kind == yaml.ScalarNode && b.Kind == yaml.ScalarNode && a.Value == b.Value {
						wantI, wantPrev = i, j
						break pairs
					}
				}
			}
			if i, prev := compose.RepeatedKey(m); i != wantI || prev != wantPrev {
				t.Fatalf("RepeatedKey of %d keys = %d, %d, want %d, %d", size, i, prev, wantI, wantPrev)
			}
		}
	}
}
