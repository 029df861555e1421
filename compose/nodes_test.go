package compose_test

import (
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
