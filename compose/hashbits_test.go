package compose

import (
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestHashBits checks that the filter never says "no" for a node added,
// and says "no" for most nodes not added: a filter that answers "maybe"
// to everything is correct but saves nothing.
func TestHashBits(t *testing.T) {
	const n = 5000
	nodes := make([]*yaml.Node, 2*n)
	for i := range nodes {
		nodes[i] = &yaml.Node{Kind: yaml.ScalarNode, Value: "x"}
	}
	b := newHashBits(n)
	for _, nd := range nodes[:n] {
		b.add(nodeHash(nd))
	}
	for i, nd := range nodes[:n] {
		if !b.mayHave(nodeHash(nd)) {
			t.Fatalf("node %d was added, and the filter says it was not", i)
		}
	}
	maybe := 0
	for _, nd := range nodes[n:] {
		if b.mayHave(nodeHash(nd)) {
			maybe++
		}
	}
	if maybe > n/8 {
		t.Errorf("the filter answers maybe for %d of %d nodes not added, want at most an eighth", maybe, n)
	}
}
