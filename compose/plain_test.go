package compose

import (
	"math/rand/v2"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestSimplePlainAgreesWithParse checks the parse-free path of
// plainResolve: every word it accepts reads back, with the same tag, as
// yaml.v3 parses it, in block context and (for the stricter flow rule)
// in a flow sequence.
func TestSimplePlainAgreesWithParse(t *testing.T) {
	words := []string{"no-new-privileges:true", "http://x:80/a", "a=b", "1:20", "0x1F", "1e3", "true", "NULL", "2024-01-02",
		"a:", "a::b", "y", "on", "1_000", ".5", "a:=b", "9:9:9", "a/b-c_d.e",
		"${A:-b}", "${A}", "$A", "a ${B:-c d}", "redis-server --requirepass ${P:-x+y/z}", "a: b", "a :b", "a #b", "a b:",
		"a  b", "{a}", "a{b}", "+1", "$1", "1 2", "true false", "- a", "? a", "a - b", "~", "a ~"}
	r := rand.New(rand.NewPCG(9, 10))
	for range 40000 {
		var b strings.Builder
		for range 1 + r.IntN(8) {
			b.WriteByte("aZ09_./-:=eE+x${} #,[]"[r.IntN(22)])
		}
		words = append(words, b.String())
	}
	for _, w := range words {
		if w != strings.TrimSpace(w) {
			continue // plainResolve refuses it before simplePlain
		}
		if simplePlain(w, false) {
			n := yaml.Node{Kind: yaml.ScalarNode, Value: w}
			tag, ok := parsePlain(w)
			if !ok || tag != n.ShortTag() {
				t.Errorf("simplePlain(%q) accepts it, but it parses as %s (read back: %v), not %s", w, tag, ok, n.ShortTag())
			}
		}
		if simplePlain(w, true) {
			var n yaml.Node
			if err := yaml.Unmarshal([]byte("[ "+w+" ]"), &n); err != nil || n.Content[0].Content[0].Value != w {
				t.Errorf("simplePlain(%q, flow) accepts it, but it does not read back in a flow sequence", w)
			}
		}
	}
}
