package compose

import (
	"testing"

	"go.yaml.in/yaml/v3"
)

// ConvertSeqToMap converts item by item: a flow list spanning lines keeps
// its layout and comments, and an item's anchor moves to its key so that
// aliases still resolve. Both failed before the item-wise rewrite: the flow
// list was re-rendered on one line without its comment, and the anchor was
// lost (verification: unknown anchor).
func TestConvertSeqToMapKeepsCommentsAndAnchors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{
			"multi-line flow list with a comment",
			"services:\n  d: [\n    a, # keep me\n    b\n  ]\n",
			"services:\n  d: {\n    a: {c: v}, # keep me\n    b: {c: v}\n  }\n",
		},
		{
			"block item with an anchor",
			"services:\n  d:\n    - &x a\n    - b\n  e: *x\n",
			"services:\n  d:\n    &x a:\n      c: v\n    b:\n      c: v\n  e: *x\n",
		},
		{
			"quoted flow items",
			"services:\n  d: [\"a\", 'b']\n",
			"services:\n  d: {\"a\": {c: v}, 'b': {c: v}}\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Load("x.yml", []byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			ch, err := d.ConvertSeqToMap(d.Services()[0].Value, func(it *yaml.Node) (string, *yaml.Node) {
				return it.Value, Map("c", "v")
			})
			if err != nil {
				t.Fatalf("ConvertSeqToMap: %v", err)
			}
			out, err := Apply(d.Src, ch.Edits)
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tt.want {
				t.Errorf("ConvertSeqToMap output = %q, want %q", out, tt.want)
			}
			if err := Verify(d, ch.Ops, out); err != nil {
				t.Errorf("Verify: %v", err)
			}
		})
	}
}
