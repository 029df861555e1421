package fixers

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/composefix/composefix/compose"
	"go.yaml.in/yaml/v3"
)

// SecurityConfig configures the security (CF5xx) rules; the zero value means
// the defaults. .composefix.yaml has no security section yet: the unsafe
// fixes of these rules are enabled with --unsafe-fixes or per rule under
// unsafe_fixes, and findings are silenced with ignore comments.
type SecurityConfig struct{}

// securityRules returns the rules of the security (CF5xx) family.
func securityRules() []*Rule {
	return []*Rule{
		weakDefaultRule(),
		literalSecretRule(),
		dockerSocketRule(),
		publishedPortRule(),
		noNewPrivilegesRule(),
		privilegedRule(),
		hostNamespaceRule(),
		capabilitiesRule(),
		rootUserRule(),
	}
}

// --- shared helpers --------------------------------------------------------

// owners decides which nodes a service may edit.
type owners struct {
	aliased map[*yaml.Node]bool // anchored nodes that some alias names
	near    *serviceParents     // the service last asked about
}

// serviceParents holds the parent of each node of one service's mapping,
// for editable's walk up. The rules ask about the nodes of one service
// after another; the document's parent index, a map of every node that
// a large file built for these questions alone, was most of what they
// cost. One map, cleared and refilled for each service.
type serviceParents struct {
	svc     *yaml.Node
	parents map[*yaml.Node]*yaml.Node
}

// of returns the parents of the nodes under svc (aliases not followed).
func (sp *serviceParents) of(svc *yaml.Node) map[*yaml.Node]*yaml.Node {
	if sp.svc == svc && sp.parents != nil {
		return sp.parents
	}
	if sp.parents == nil {
		sp.parents = map[*yaml.Node]*yaml.Node{}
	}
	clear(sp.parents)
	sp.svc = svc
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		for _, c := range n.Content {
			sp.parents[c] = n
			walk(c)
		}
	}
	walk(svc)
	return sp.parents
}

func newOwners(d *compose.Document) owners {
	if targets, ok := d.AliasTargets(); ok {
		return owners{aliased: targets, near: &serviceParents{}} // noted by Load: no walk of a tree that may be large
	}
	o := owners{aliased: map[*yaml.Node]bool{}, near: &serviceParents{}}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			o.aliased[n.Alias] = true
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	for _, doc := range d.Docs {
		walk(doc)
	}
	return o
}

// editable reports whether service s owns node n: n is written inside the
// service's own mapping, not in an anchor that other nodes alias (the
// service's mapping itself may carry one: what inherits it gets the same
// fix for the same fact).
func (o owners) editable(s svc, n *yaml.Node) bool {
	if s.target == nil || s.Node == nil || n == nil {
		return false
	}
	// Walking up from n meets s.Node only inside its mapping: a node
	// outside it (in an anchor that the service merges) has no parent
	// there, and is not the service's to edit.
	parents := o.near.of(s.Node)
	for cur := n; cur != nil; cur = parents[cur] {
		if cur == s.Node {
			return true
		}
		if o.aliased[cur] {
			return false
		}
	}
	return false
}

// nodeFindings collects one finding per node seen through several services
// (an anchor merged into each), keeping the first service that may edit it.
type nodeFindings struct {
	order []*yaml.Node
	by    map[*yaml.Node]*nodeFinding
}

type nodeFinding struct {
	s        svc
	editable bool
	names    []string // every service that has the node, in file order
}

func (c *nodeFindings) add(n *yaml.Node, s svc, editable bool) {
	if c.by == nil {
		c.by = map[*yaml.Node]*nodeFinding{}
	}
	if f, ok := c.by[n]; ok {
		f.names = append(f.names, s.Name)
		if editable && !f.editable {
			f.s, f.editable = s, true
		}
		return
	}
	c.by[n] = &nodeFinding{s: s, editable: editable, names: []string{s.Name}}
	c.order = append(c.order, n)
}

// who names the services of a finding: `service "a"` or, for a node
// shared through an anchor, `services "a", "b"`.
func (f *nodeFinding) who() string {
	if len(f.names) == 1 {
		return fmt.Sprintf("service %q", f.names[0])
	}
	q := make([]string, len(f.names))
	for i, n := range f.names {
		q[i] = strconv.Quote(n)
	}
	return "services " + strings.Join(q, ", ")
}

func verbS(f *nodeFinding) string {
	if len(f.names) == 1 {
		return "s"
	}
	return ""
}

func verbES(f *nodeFinding) string {
	if len(f.names) == 1 {
		return "es"
	}
	return ""
}

// seqItems returns the items of a sequence (aliases resolved), or nil.
func seqItems(n *yaml.Node) []*yaml.Node {
	n = compose.Resolve(n)
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]*yaml.Node, 0, len(n.Content))
	for _, it := range n.Content {
		if it = compose.Resolve(it); it != nil {
			out = append(out, it)
		}
	}
	return out
}

// lookupStr returns the effective scalar value of key in mapping m with
// defaults of interpolations applied, and the node; "" and nil when unset.
func lookupStr(m *yaml.Node, key string) (string, *yaml.Node) {
	v, _ := compose.Lookup(m, key)
	v = compose.Resolve(v)
	if v == nil || v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
		return "", nil
	}
	return expandDefaults(v.Value), v
}

// splitOutside splits s at sep outside ${...} references and returns the
// parts and the offset of each, appended to parts[:0] and offsets[:0]:
// volume and port strings are split for every service of every pass, and
// a caller's arrays on the stack (splitBuf) hold the few parts they have
// without an allocation.
func splitOutside(s string, sep byte, parts []string, offsets []int) ([]string, []int) {
	parts, offsets = parts[:0], offsets[:0]
	start, depth := 0, 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '$' && i+1 < len(s) && s[i+1] == '{':
			depth++
			i++
		case s[i] == '}' && depth > 0:
			depth--
		case s[i] == sep && depth == 0:
			parts, offsets = append(parts, s[start:i]), append(offsets, start)
			start = i + 1
		}
	}
	return append(parts, s[start:]), append(offsets, start)
}

// splitBuf is room for the parts of a volume or a port (splitOutside).
type splitBuf struct {
	parts   [4]string
	offsets [4]int
}

// split is splitOutside into b.
func (b *splitBuf) split(s string, sep byte) ([]string, []int) {
	return splitOutside(s, sep, b.parts[:0], b.offsets[:0])
}

// substringChange edits bytes [from, to) of scalar n's value, keeping its
// quoting; when the value is not verbatim in the source (escapes), it
// rewrites the whole scalar quoted.
func substringChange(d *compose.Document, n *yaml.Node, from, to int, repl string) (compose.Change, error) {
	if ch, err := d.SetSubstring(n, from, to, repl); err == nil {
		return ch, nil
	}
	return d.ReplaceValue(n, compose.Quoted(n.Value[:from]+repl+n.Value[to:]))
}
