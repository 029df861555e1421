package compose_test

import (
	"testing"
)

// TestValueSpan checks the text ValueSpan and NodeSpan cover for values
// whose properties, style or position make their ends hard to find.
func TestValueSpan(t *testing.T) {
	tests := []struct {
		name, src string
		path      []string
		value     string // the text ValueSpan covers
		node      string // the text NodeSpan covers
	}{
		{"plain", "a: x y\n", []string{"a"}, "x y", "x y"},
		{"plain before a comment", "a: x # c\n", []string{"a"}, "x", "x"},
		{"plain URL at the end without a newline", "a: http://h:1/p?q=a b", []string{"a"}, "http://h:1/p?q=a b", "http://h:1/p?q=a b"},
		{"plain with a tab", "a: x\ty # c\n", []string{"a"}, "x\ty", "x\ty"},
		{"plain non-ASCII", "a: ü x\n", []string{"a"}, "ü x", "ü x"},
		{"plain in flow", "a: {b: x y, c: z}\n", []string{"a", "b"}, "x y", "x y"},
		{"multi-line plain", "a: x\n  y\nb: 1\n", []string{"a"}, "x\n  y", "x\n  y"},
		{"double-quoted with an escaped quote", "a: \"x\\\"y\"\n", []string{"a"}, "\"x\\\"y\"", "\"x\\\"y\""},
		{"single-quoted with a doubled quote", "a: 'it''s'\n", []string{"a"}, "'it''s'", "'it''s'"},
		{"anchored", "a: &x v\n", []string{"a"}, "v", "&x v"},
		{"tag and value below", "a: !t\n  v\n", []string{"a"}, "v", "!t\n  v"},
		{"anchor, comment and value below", "a: &x # c\n  v\n", []string{"a"}, "v", "&x # c\n  v"},
		{"empty anchored value", "a: &x\nb: 1\n", []string{"a"}, "", "&x"},
		{"empty value", "a:\nb: 1\n", []string{"a"}, "", ""},
		{"literal block", "a: |\n  x\n\n  y\nb: 1\n", []string{"a"}, "|\n  x\n\n  y", "|\n  x\n\n  y"},
		{"keep block with trailing blank lines", "a: |+\n  x\n\nb: 1\n", []string{"a"}, "|+\n  x\n", "|+\n  x\n"},
		{"folded block at the end without a newline", "a: >-\n  x\n  y", []string{"a"}, ">-\n  x\n  y", ">-\n  x\n  y"},
		{"flow mapping with a bracket in quotes", "a: {b: \"}\", c: [1]}\n", []string{"a"}, "{b: \"}\", c: [1]}", "{b: \"}\", c: [1]}"},
		{"flow sequence over lines with a comment", "a: [x, # ]\n  y]\n", []string{"a"}, "[x, # ]\n  y]", "[x, # ]\n  y]"},
		{"block mapping stops before a foot comment", "a:\n  b: 1\n  # foot\n\nc: 2\n", []string{"a"}, "b: 1", "b: 1"},
		{"non-ASCII", "a: \"日本\" # ü\n", []string{"a"}, "\"日本\"", "\"日本\""},
		{"CRLF", "a: x\r\nb: |\r\n  y\r\n", []string{"b"}, "|\r\n  y", "|\r\n  y"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := load(t, tt.src)
			n := node(t, d, tt.path...)
			vs, err := d.ValueSpan(n)
			if err != nil {
				t.Fatalf("ValueSpan: %v", err)
			}
			if got := string(d.Src[vs.Start:vs.End]); got != tt.value {
				t.Errorf("ValueSpan on %q covers %q, want %q", tt.src, got, tt.value)
			}
			ns, err := d.NodeSpan(n)
			if err != nil {
				t.Fatalf("NodeSpan: %v", err)
			}
			if got := string(d.Src[ns.Start:ns.End]); got != tt.node {
				t.Errorf("NodeSpan on %q covers %q, want %q", tt.src, got, tt.node)
			}
		})
	}
}
