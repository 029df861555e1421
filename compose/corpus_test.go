package compose_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/internal/golden"
	"go.yaml.in/yaml/v3"
)

// TestCorpusRoundTrip loads every corpus file, applies no edits and checks
// that the bytes come back unchanged.
func TestCorpusRoundTrip(t *testing.T) {
	for _, path := range golden.CorpusFiles(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			d, err := compose.Load(path, src)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			out, err := compose.Apply(d.Src, nil)
			if err != nil {
				t.Fatalf("Apply(no edits): %v", err)
			}
			if !bytes.Equal(out, src) {
				t.Errorf("Apply(no edits) changed %d bytes into %d bytes", len(src), len(out))
			}
		})
	}
}

// TestCorpusSpans checks every node's span on real files: inside the file,
// and for a scalar, the span's text parsed alone decodes to the scalar's
// value.
func TestCorpusSpans(t *testing.T) {
	for _, path := range golden.CorpusFiles(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			d, err := compose.Load(path, src)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			var nodes, scalars int
			for _, doc := range d.Docs {
				walk(doc, func(n *yaml.Node) {
					nodes++
					checkSpan(t, d, n)
					if n.Kind == yaml.ScalarNode && n.Value != "" {
						scalars++
					}
				})
			}
			t.Logf("%d nodes, %d scalars", nodes, scalars)
		})
	}
}

func walk(n *yaml.Node, f func(*yaml.Node)) {
	f(n)
	for _, c := range n.Content {
		walk(c, f)
	}
}

// checkSpan checks n's spans on d and, for a non-empty scalar, that the
// span's text alone parses to the same value.
func checkSpan(t *testing.T, d *compose.Document, n *yaml.Node) {
	t.Helper()
	if n.Kind == yaml.DocumentNode {
		return
	}
	sp, err := d.NodeSpan(n)
	if err != nil {
		t.Errorf("NodeSpan(%d:%d): %v", n.Line, n.Column, err)
		return
	}
	if sp.Start < 0 || sp.End < sp.Start || sp.End > len(d.Src) {
		t.Errorf("NodeSpan(%d:%d) = %+v, outside the file of %d bytes", n.Line, n.Column, sp, len(d.Src))
		return
	}
	vs, err := d.ValueSpan(n)
	if err != nil {
		t.Errorf("ValueSpan(%d:%d): %v", n.Line, n.Column, err)
		return
	}
	if vs.Start < sp.Start || vs.End != sp.End {
		t.Errorf("ValueSpan(%d:%d) = %+v, not inside NodeSpan %+v", n.Line, n.Column, vs, sp)
	}
	text := d.Src[vs.Start:vs.End]
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Value == "" && n.Style == 0 {
			if len(bytes.TrimSpace(text)) != 0 {
				t.Errorf("empty scalar at %d:%d spans %q", n.Line, n.Column, text)
			}
			return
		}
		if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
			// A block scalar's span stops before its last line break,
			// which clip and keep chomping turn into content.
			text = append(append([]byte(nil), text...), '\n')
		}
		got, err := parseScalar(text)
		if err != nil {
			t.Errorf("scalar at %d:%d: span text %q does not parse alone: %v", n.Line, n.Column, text, err)
			return
		}
		if got != n.Value {
			t.Errorf("scalar at %d:%d: span text %q decodes to %q, want %q", n.Line, n.Column, text, got, n.Value)
		}
	case yaml.MappingNode, yaml.SequenceNode:
		if n.Style&yaml.FlowStyle != 0 {
			var v yaml.Node
			if err := yaml.Unmarshal(text, &v); err != nil {
				t.Errorf("flow collection at %d:%d: span text %q does not parse alone: %v", n.Line, n.Column, text, err)
			}
			return
		}
		// A block collection ends with its last child's end, and its text
		// ends with a non-blank character.
		if len(text) > 0 && isBlank(text[len(text)-1]) {
			t.Errorf("block collection at %d:%d: span ends in white space: %q", n.Line, n.Column, tail(text))
		}
	case yaml.AliasNode:
		if string(text) != "*"+n.Value {
			t.Errorf("alias at %d:%d spans %q, want %q", n.Line, n.Column, text, "*"+n.Value)
		}
	}
}

// parseScalar parses text as a YAML document holding one scalar. A block
// scalar's lines keep their indentation, which YAML allows at the top level.
func parseScalar(text []byte) (string, error) {
	var v yaml.Node
	if err := yaml.Unmarshal(text, &v); err != nil {
		return "", err
	}
	if len(v.Content) != 1 || v.Content[0].Kind != yaml.ScalarNode {
		return "", errNotScalar
	}
	return v.Content[0].Value, nil
}

type constError string

func (e constError) Error() string { return string(e) }

const errNotScalar = constError("not a single scalar")

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func tail(b []byte) []byte {
	if len(b) > 40 {
		return b[len(b)-40:]
	}
	return b
}
