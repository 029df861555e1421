package composeschema

import (
	"fmt"
	"strings"
	"testing"

	"github.com/composefix/composefix/compose"
	"go.yaml.in/yaml/v3"
)

// TestEffectivePairs checks effectivePairs, which walks a mapping's merges
// once, against what it stands for: compose.Keys's keys, each with the
// value compose.Lookup finds, !reset values left out, over mappings that
// merge in every way (one mapping, a list, nested, one mapping twice, a
// key in several, !reset, more than 64 keys). It also checks that a
// walk that cannot stand for them says so.
func TestEffectivePairs(t *testing.T) {
	many := func(prefix string, n int) string {
		var sb strings.Builder
		sb.WriteString("{")
		for i := range n {
			fmt.Fprintf(&sb, "%s%d: %d, ", prefix, i, i)
		}
		sb.WriteString("z: 1}")
		return sb.String()
	}
	for _, tc := range []struct {
		name, src string
		walked    bool // mergedPairs can walk it
	}{
		{"one merge", "a: &a {x: 1, y: 2}\nm: {<<: *a, y: 3, z: 4}\n", true},
		{"a list of merges", "a: &a {x: 1}\nb: &b {x: 2, w: 5}\nm: {<<: [*a, *b], z: 4}\n", true},
		{"nested", "a: &a {x: 1, q: 0}\nb: &b {<<: *a, x: 2}\nm: {z: 4, <<: *b}\n", true},
		{"one mapping twice", "a: &a {x: 1}\nb: &b {<<: *a, y: 2}\nm: {<<: [*b, *a]}\n", true},
		{"reset", "a: &a {x: 1, y: 2}\nm: {<<: *a, x: !reset null}\n", true},
		{"reset merged", "a: &a {x: !reset 1, y: 2}\nm: {<<: *a}\n", true},
		{"a merge of a scalar", "a: &a 1\nm: {<<: *a, y: 2}\n", true},
		{"many keys", "a: &a " + many("k", 70) + "\nm: {<<: *a, k3: x, " + strings.TrimPrefix(many("j", 10), "{") + "\n", true},
		{"a key that is not a scalar", "a: &a {x: 1}\nm: {<<: *a, [k]: 2}\n", false},
		{"a list in a list", "a: &a {x: 1}\nl: &l [*a]\nm: {<<: [*l], y: 2}\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var doc yaml.Node
			if err := yaml.Unmarshal([]byte(tc.src), &doc); err != nil {
				t.Fatal(err)
			}
			_, m := compose.MapGet(doc.Content[0], "m")
			var want []string
			for _, k := range compose.Keys(m) {
				if v, _ := compose.Lookup(m, k); !isReset(v) {
					want = append(want, fmt.Sprintf("%s=%p", k, v))
				}
			}
			var got []string
			pairs := effectivePairs(m)
			for i := 0; i < len(pairs); i += 2 {
				got = append(got, fmt.Sprintf("%s=%p", pairs[i].Value, pairs[i+1]))
			}
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("effectivePairs:\n%s\nwant (compose.Keys, compose.Lookup):\n%s", got, want)
			}
			if _, ok := mergedPairs(m); ok != tc.walked {
				t.Errorf("mergedPairs ok = %v, want %v", ok, tc.walked)
			}
		})
	}
}
