package compose

import "go.yaml.in/yaml/v3"

// Service is one entry of the top-level services mapping.
type Service struct {
	Name string
	Key  *yaml.Node // the service's key in services
	// Node is the service's own mapping: the bytes a fixer may edit. It is
	// nil when the service is empty ("web:") and is then Value.
	Node *yaml.Node
	// Value is the node under the key as written (a mapping, a null, or an
	// alias when the whole service is shared with others).
	Value *yaml.Node
	// Shared is true when the service is an alias of a mapping other
	// services may use too ("web: *base"); editing it would change them.
	Shared bool
}

// Services returns the services in file order.
func (d *Document) Services() []Service {
	_, m := MapGet(d.Root, "services")
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	out := make([]Service, 0, len(m.Content)/2)
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		s := Service{Name: k.Value, Key: k, Value: v}
		switch {
		case v.Kind == yaml.AliasNode:
			s.Shared = true
			s.Node = Resolve(v)
		case v.Kind == yaml.MappingNode:
			s.Node = v
		}
		out = append(out, s)
	}
	return out
}

// Lookup returns the effective value of key in mapping m, following merge
// keys ("<<: *base", "<<: [*a, *b]") as docker compose does: m's own entry
// wins, then the merged mappings in order, recursively. inherited is true
// when the value comes from a merged mapping.
func Lookup(m *yaml.Node, key string) (v *yaml.Node, inherited bool) {
	return lookup(Resolve(m), key, 0)
}

func lookup(m *yaml.Node, key string, depth int) (*yaml.Node, bool) {
	if m == nil || m.Kind != yaml.MappingNode || depth > 32 {
		return nil, false
	}
	if _, v := MapGet(m, key); v != nil {
		return v, depth > 0
	}
	for s := range mergeSources(m) {
		if v, _ := lookup(s, key, depth+1); v != nil {
			return v, true
		}
	}
	return nil, false
}

// Keys returns the effective keys of mapping m (own and merged), each once,
// own keys first in file order.
func Keys(m *yaml.Node) []string {
	var out []string
	seen := map[string]bool{}
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		n = Resolve(n)
		if n == nil || depth > 32 {
			return
		}
		if n.Kind == yaml.SequenceNode {
			for _, c := range n.Content {
				walk(c, depth+1)
			}
			return
		}
		if n.Kind != yaml.MappingNode {
			return
		}
		var merges []*yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if IsMergeKey(k) {
				merges = append(merges, n.Content[i+1])
				continue
			}
			if !seen[k.Value] {
				seen[k.Value] = true
				out = append(out, k.Value)
			}
		}
		for _, m := range merges {
			walk(m, depth+1)
		}
	}
	walk(m, 0)
	return out
}
