package compose

import (
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestImplicitKey: implicitKey, read from the source, agrees with the
// tree (a scalar at an even place of a mapping) on every scalar of
// documents of every shape where it answers; it answers for every scalar
// of block collections, and declines where explicit keys may be.
func TestImplicitKey(t *testing.T) {
	tests := []struct {
		name, src string
		answers   string // "all", "some" (flow collections) or "none" of the scalars
	}{
		{"block", "services:\n  web:\n    image: nginx:1.27 # a: comment\n    ports:\n      - \"80:80\"\n      - 8080:80\n    empty:\n    next: 1\n", "all"},
		{"flow", "services: {web: {image: \"a:b\", ports: [\"1:1\", 2], x: {}}, db: {}}\n", "some"},
		{"json", "{\"services\":{\"web\":{\"image\":\"redis\",\"n\":1}}}\n", "some"},
		{"spaced colons", "services:\n  web  :\n    image   : redis\n    'quoted' : \"v\"\n", "all"},
		{"properties", "x-a: &a\n  k: !!str v\nservices:\n  web:\n    <<: *a\n    &b key: &c value\n    other: *c\n", "all"},
		{"block scalars", "services:\n  web:\n    command: |\n      a: b\n      c\n    entrypoint: >-\n      x: y\n    image: z\n", "all"},
		{"multi-line values", "services:\n  web:\n    image: a\n      b:c\n    tag: \"d\n      e: f\"\n    x: y\n", "all"},
		{"sequence of mappings", "services:\n  web:\n    volumes:\n      - type: bind\n        source: /a\n      - b\n", "all"},
		{"flow entries without values", "services: {web: {a, b: 1, labels: [c, d]}, db}\n", "some"},
		{"flow keys without values ending their lines", "services: {web: {a\n, b # c\n, c: 1, d\n}, db: [e\n, f]}\n", "some"},
		{"line ends", "\ufeffservices:\r\n  web:\r\n    image:\ta\t\r\n    x\t: \"q\"\r\n    y: !!null\n    z: &q\n# c\n", "all"},
		{"an explicit key", "services:\n  web:\n    ? image\n    : redis\n", "none"},
		{"a question in a comment", "# why?\nservices:\n  web:\n    image: redis\n", "none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := LoadWith("test.yaml", []byte(tt.src), LoadOptions{AllowNonCompose: true})
			if err != nil {
				t.Fatal(err)
			}
			keys, values, answered, all := 0, 0, 0, 0
			var walk func(n *yaml.Node)
			walk = func(n *yaml.Node) {
				for _, c := range n.Content {
					walk(c)
				}
				if n.Kind != yaml.ScalarNode {
					return
				}
				p := d.Parent(n)
				want := p != nil && p.Kind == yaml.MappingNode && d.KeyOf(n) == nil
				got, ok := d.implicitKey(n)
				all++
				if ok {
					answered++
				}
				if ok && got != want {
					t.Errorf("implicitKey(%q at %d:%d) = %v, want %v", n.Value, n.Line, n.Column, got, want)
				}
				if want {
					keys++
				} else {
					values++
				}
			}
			walk(d.Docs[0])
			switch {
			case tt.answers == "all" && answered != all, tt.answers == "none" && answered != 0,
				tt.answers == "some" && (answered == 0 || answered == all):
				t.Errorf("implicitKey answers for %d of %d scalars, want %s", answered, all, tt.answers)
			}
			if keys == 0 || values == 0 {
				t.Fatalf("%d keys and %d values: the case compares too little", keys, values)
			}
		})
	}
}
