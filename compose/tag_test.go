package compose

import (
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestShortTagAsYAML checks shortTag against yaml.v3's ShortTag for
// scalars of every kind, as written, quoted, parsed and tagged.
func TestShortTagAsYAML(t *testing.T) {
	values := []string{"", "a", "unless-stopped", "50m", "no-new-privileges:true", "true", "True", "yes", "no", "off", "on", "null", "Null", "~",
		"1", "-1", "+1", "0x1F", "0o17", "1.5", ".5", ".inf", "-.inf", ".nan", "<<", "2001-12-14", "é", "ÿ", "日本", "Yes please", "nginx:1.27", "1e3", "service_healthy",
		// Numbers with a unit, and what ends like one but is a number or a
		// time: the unit fast path must leave those to yaml.v3.
		"512M", "10s", "1m30s", "-5m", "+3g", "0.5", "1_000", "0xfF", "0b101", "1e-3", "1E5", "2001-12-14T21:59:43.10Z", "2001-12-14t21:59:43.10-05:00", "-.INF", "+.Inf", "1.", "12_", "9Y", "9y", "0x1g"}
	for _, v := range values {
		for _, n := range []*yaml.Node{
			{Kind: yaml.ScalarNode, Value: v},
			{Kind: yaml.ScalarNode, Value: v, Style: yaml.DoubleQuotedStyle},
			{Kind: yaml.ScalarNode, Value: v, Style: yaml.LiteralStyle},
			{Kind: yaml.ScalarNode, Value: v, Tag: "!"},
			{Kind: yaml.ScalarNode, Value: v, Tag: "!!str"},
			{Kind: yaml.ScalarNode, Value: v, Tag: "!local"},
			{Kind: yaml.ScalarNode, Value: v, Tag: "tag:yaml.org,2002:int"},
		} {
			if got, want := shortTag(n), n.ShortTag(); got != want {
				t.Errorf("shortTag(%q, tag %q, style %v) = %q, want %q", v, n.Tag, n.Style, got, want)
			}
		}
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte("k: "+v+"\n"), &doc); err == nil && len(doc.Content) > 0 && len(doc.Content[0].Content) == 2 {
			n := doc.Content[0].Content[1]
			if got, want := shortTag(n), n.ShortTag(); got != want {
				t.Errorf("shortTag(parsed %q) = %q, want %q", v, got, want)
			}
		}
	}
	for _, n := range []*yaml.Node{Map(), Seq(), {}} {
		if got, want := shortTag(n), n.ShortTag(); got != want {
			t.Errorf("shortTag(kind %v) = %q, want %q", n.Kind, got, want)
		}
	}
}
