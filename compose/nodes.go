package compose

import (
	"iter"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// MapGet returns the key and value nodes of key in mapping m, or nils. It
// looks at m's own entries only, not at merged ones (see Effective).
func MapGet(m *yaml.Node, key string) (k, v *yaml.Node) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if kn := m.Content[i]; kn.Kind == yaml.ScalarNode && kn.Value == key && !IsMergeKey(kn) {
			return kn, m.Content[i+1]
		}
	}
	return nil, nil
}

// IsMergeKey reports whether k is a merge key: "<<" written plain, which
// yaml.v3 tags !!merge. A quoted "<<" is an ordinary string key.
func IsMergeKey(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Value == "<<" && (k.Tag == "!!merge" || k.Tag == "")
}

// MergeSources returns the mappings that mapping m merges with "<<"
// ("<<: *a" or "<<: [*a, *b]"), in order, aliases resolved; anything that
// is not a mapping is left out. It does not follow the sources' own
// merges.
func MergeSources(m *yaml.Node) []*yaml.Node {
	return slices.Collect(mergeSources(Resolve(m)))
}

// mergeSources yields what MergeSources returns, collecting nothing:
// Lookup walks the sources of merging services often enough for a slice
// per lookup to be a visible share of a run's allocations.
func mergeSources(m *yaml.Node) iter.Seq[*yaml.Node] {
	return func(yield func(*yaml.Node) bool) {
		if m == nil || m.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(m.Content); i += 2 {
			if !IsMergeKey(m.Content[i]) {
				continue
			}
			v := Resolve(m.Content[i+1])
			srcs := []*yaml.Node{v}
			if v != nil && v.Kind == yaml.SequenceNode {
				srcs = v.Content
			}
			for _, src := range srcs {
				if src = Resolve(src); src != nil && src.Kind == yaml.MappingNode && !yield(src) {
					return
				}
			}
		}
	}
}

// Resolve follows an alias to the node it names.
func Resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// shortTag is n.ShortTag(), without yaml.v3's resolver where the answer
// needs none: a node the parser tagged (it writes the resolved tag), and a
// plain scalar whose first character starts nothing but a string (the
// resolver's own first test). Verification asks for the tag of every
// scalar of every pass.
func shortTag(n *yaml.Node) string {
	if strings.HasPrefix(n.Tag, "!!") {
		return n.Tag
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "" && n.Value != "" && n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) == 0 &&
		(!strings.ContainsRune(resolvableStarts, rune(n.Value[0])) || unitLike(n.Value)) {
		return "!!str"
	}
	return n.ShortTag()
}

// resolvableStarts are the first characters of the plain scalars yaml.v3
// resolves to a tag other than !!str (numbers, booleans, null, .inf, <<).
const resolvableStarts = "+-0123456789yYnNtTfFoO~<."

// unitLike reports whether v is a number-like plain scalar ("512M",
// "10s", "-5m") that yaml.v3 resolves to !!str only after failing to
// parse it as an int, a float and a time, allocating an error for each:
// one that starts with a digit or sign and ends with a letter from g to
// y. No int (hex digits end at f), float, time (which ends in a digit or
// Z) or special value (±.inf) ends so.
func unitLike(v string) bool {
	first, last := v[0], v[len(v)-1]|0x20 // ASCII lower case
	return (first == '+' || first == '-' || first >= '0' && first <= '9') && last >= 'g' && last <= 'y'
}

// Str returns a new string scalar. yaml.v3 style flags on the result (for
// example yaml.DoubleQuotedStyle) ask Render to quote it.
func Str(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }

// Quoted returns a new string scalar that Render always quotes.
func Quoted(v string) *yaml.Node {
	n := Str(v)
	n.Style = yaml.DoubleQuotedStyle
	return n
}

// Int returns a new integer scalar.
func Int(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: v} }

// Bool returns a new boolean scalar.
func Bool(v bool) *yaml.Node {
	s := "false"
	if v {
		s = "true"
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: s}
}

// Map returns a new block mapping of alternating keys and values.
func Map(pairs ...any) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	if len(pairs) > 1 {
		// Sized once: fixes build a mapping for every service they add to.
		m.Content = make([]*yaml.Node, 0, len(pairs)&^1)
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		m.Content = append(m.Content, Str(pairs[i].(string)), valueNode(pairs[i+1]))
	}
	return m
}

// Seq returns a new block sequence.
func Seq(items ...any) *yaml.Node {
	s := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	if len(items) > 0 {
		s.Content = make([]*yaml.Node, 0, len(items))
	}
	for _, it := range items {
		s.Content = append(s.Content, valueNode(it))
	}
	return s
}

// Alias returns a new alias node naming target, which must carry an anchor.
func Alias(target *yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.AliasNode, Value: target.Anchor, Alias: target}
}

func valueNode(v any) *yaml.Node {
	switch x := v.(type) {
	case *yaml.Node:
		return x
	case string:
		return Str(x)
	case []string:
		s := Seq()
		if len(x) > 0 {
			s.Content = make([]*yaml.Node, 0, len(x))
		}
		for _, it := range x {
			s.Content = append(s.Content, Str(it))
		}
		return s
	}
	panic("compose: unsupported value type in Map/Seq")
}
