package compose

import (
	"fmt"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// yaml.v3 records where a node starts (at its anchor or tag, if any) but not
// where it ends. The functions here find the end by scanning the source
// according to the node's style.

// ContentStart returns the offset where n's own text starts, after any
// anchor (&name) and tag (!tag) properties. For a block collection with
// properties, that is its first entry on a later line.
func (d *Document) ContentStart(n *yaml.Node) int {
	off := d.NodeOffset(n)
	if n.Anchor == "" && !hasExplicitTag(d, off) {
		return off
	}
	// The text may follow its properties on a later line ("key: !tag" and
	// the value below), except for an empty value, which ends where its
	// last property does.
	empty := n.Kind == yaml.ScalarNode && n.Value == "" &&
		n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) == 0
	for off < len(d.Src) && (d.Src[off] == '&' || d.Src[off] == '!') {
		// An anchor's name ends at the first character that is not
		// alphanumeric, '_' or '-', as yaml.v3 reads it: in flow,
		// "[&a]" and "{k: &a}" end it at the bracket. A tag, as
		// yaml.v3 reads it, takes brackets and commas in too.
		anchor := d.Src[off] == '&'
		off++
		for off < len(d.Src) && !isSpaceOrBreak(d.Src[off]) && (!anchor || isAnchorChar(d.Src[off])) {
			off++
		}
	blanks:
		for off < len(d.Src) {
			switch c := d.Src[off]; {
			case c == ' ' || c == '\t':
				off++
			case empty:
				break blanks
			case c == '\r' || c == '\n':
				off++
			case c == '#':
				off = d.LineEnd(off)
			default:
				break blanks
			}
		}
	}
	if empty {
		// Not after the blanks that follow: text written in the empty
		// value's place keeps them between it and a comment ("key: &a # c"
		// would become "key: &a y# c", a plain "y# c").
		for d.Src[off-1] == ' ' || d.Src[off-1] == '\t' {
			off--
		}
	}
	if (n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode) && n.Style&yaml.FlowStyle == 0 && len(n.Content) > 0 {
		return d.NodeOffset(n.Content[0])
	}
	return off
}

// isAnchorChar reports whether c may be part of an anchor's name, as
// yaml.v3's scanner reads one (its is_alpha).
func isAnchorChar(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '-'
}

func hasExplicitTag(d *Document, off int) bool {
	return off < len(d.Src) && d.Src[off] == '!'
}

func isSpaceOrBreak(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// NodeSpan returns the byte range of n including its properties: from where
// yaml.v3 says it starts to the end of its last character (for a block
// collection, the end of its last entry; never the comments or blank lines
// that follow).
func (d *Document) NodeSpan(n *yaml.Node) (Span, error) {
	end, err := d.NodeEnd(n)
	if err != nil {
		return Span{}, err
	}
	return Span{Start: d.NodeOffset(n), End: end}, nil
}

// ValueSpan returns the byte range of n's own text, without its properties.
func (d *Document) ValueSpan(n *yaml.Node) (Span, error) {
	end, err := d.NodeEnd(n)
	if err != nil {
		return Span{}, err
	}
	start := d.ContentStart(n)
	if start > end { // an empty value after its properties: "key: &a"
		start = end
	}
	return Span{Start: start, End: end}, nil
}

// NodeEnd returns the offset just past n's last character.
func (d *Document) NodeEnd(n *yaml.Node) (int, error) {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return d.NodeOffset(n), nil
		}
		return d.NodeEnd(n.Content[0])
	case yaml.AliasNode:
		off := d.NodeOffset(n) + 1 // past '*'
		for off < len(d.Src) && !isSpaceOrBreak(d.Src[off]) && !isFlowIndicator(d.Src[off]) {
			off++
		}
		return off, nil
	case yaml.MappingNode, yaml.SequenceNode:
		if d.isFlowPair(n) {
			return d.flowPairEnd(n)
		}
		if n.Style&yaml.FlowStyle != 0 {
			return d.flowEnd(n)
		}
		if len(n.Content) == 0 {
			return d.ContentStart(n), nil
		}
		return d.NodeEnd(n.Content[len(n.Content)-1])
	case yaml.ScalarNode:
		return d.scalarEnd(n)
	}
	return 0, d.spanError(n, "unknown node kind")
}

func isFlowIndicator(c byte) bool { return c == ',' || c == '[' || c == ']' || c == '{' || c == '}' }

func (d *Document) spanError(n *yaml.Node, msg string) error {
	return &PosError{Path: d.Path, Line: n.Line, Col: n.Column, Msg: "locating node end: " + msg}
}

func (d *Document) scalarEnd(n *yaml.Node) (int, error) {
	start := d.ContentStart(n)
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0:
		return d.doubleQuotedEnd(n, start)
	case n.Style&yaml.SingleQuotedStyle != 0:
		return d.singleQuotedEnd(n, start)
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		return d.blockScalarEnd(n, start)
	}
	return d.plainEnd(n, start)
}

func (d *Document) doubleQuotedEnd(n *yaml.Node, start int) (int, error) {
	if start >= len(d.Src) || d.Src[start] != '"' {
		return 0, d.spanError(n, "expected a double quote")
	}
	for i := start + 1; i < len(d.Src); i++ {
		switch d.Src[i] {
		case '\\':
			i++
		case '"':
			return i + 1, nil
		}
	}
	return 0, d.spanError(n, "unterminated double-quoted scalar")
}

func (d *Document) singleQuotedEnd(n *yaml.Node, start int) (int, error) {
	if start >= len(d.Src) || d.Src[start] != '\'' {
		return 0, d.spanError(n, "expected a single quote")
	}
	for i := start + 1; i < len(d.Src); i++ {
		if d.Src[i] == '\'' {
			if i+1 < len(d.Src) && d.Src[i+1] == '\'' {
				i++
				continue
			}
			return i + 1, nil
		}
	}
	return 0, d.spanError(n, "unterminated single-quoted scalar")
}

// plainEnd walks the source from start, matching the non-blank characters of
// the scalar's value one by one: plain scalars have no escapes, and line
// folding only changes white space, so the scalar ends right after its last
// non-blank character. This needs no knowledge of the flow or block context.
func (d *Document) plainEnd(n *yaml.Node, start int) (int, error) {
	if n.Value == "" { // an empty (null) value: nothing to cover
		return start, nil
	}
	if end := start + len(n.Value); verbatimPlain(n.Value) && end <= len(d.Src) && string(d.Src[start:end]) == n.Value {
		// Written as it reads (the common case, every rule locates
		// scalars): the walk below would match it byte for byte.
		return end, nil
	}
	i := start
	end := start
	for _, want := range n.Value {
		if unicode.IsSpace(want) {
			continue
		}
		for i < len(d.Src) && (d.Src[i] == ' ' || d.Src[i] == '\t' || d.Src[i] == '\r' || d.Src[i] == '\n') {
			i++
		}
		got, size := utf8.DecodeRune(d.Src[i:])
		if got != want {
			return 0, d.spanError(n, fmt.Sprintf("plain scalar source does not match its value %q", n.Value))
		}
		i += size
		end = i
	}
	return end, nil
}

// verbatimPlain reports whether plainEnd's walk over source text equal to
// v would end right after it: v is ASCII, its only white space is spaces
// (which the walk skips alike in the value and the source), and it does
// not end with one.
func verbatimPlain(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c >= utf8.RuneSelf || c < ' ' {
			return false
		}
	}
	return v[len(v)-1] != ' '
}

// blockScalarEnd finds the end of a literal (|) or folded (>) scalar: its
// content lines are those indented at least as much as the first non-blank
// one. With keep chomping (+) the trailing blank lines are content too.
func (d *Document) blockScalarEnd(n *yaml.Node, start int) (int, error) {
	if start >= len(d.Src) || (d.Src[start] != '|' && d.Src[start] != '>') {
		return 0, d.spanError(n, "expected a block scalar indicator")
	}
	keep := false
	explicit := 0
	i := start + 1
	for ; i < len(d.Src) && !isSpaceOrBreak(d.Src[i]); i++ {
		switch c := d.Src[i]; {
		case c == '+':
			keep = true
		case c >= '1' && c <= '9':
			explicit = int(c - '0')
		}
	}
	headerEnd := d.LineEnd(start)
	end := headerEnd
	indent := -1
	if explicit > 0 {
		indent = d.lineIndent(d.LineStart(start)) + explicit
		if n.Column-1 < indent-explicit { // a value in a sequence item "- |2": indent is relative to the parent node
			indent = n.Column - 1 + explicit
		}
	}
	for line := d.NextLineStart(start); line < len(d.Src); line = d.NextLineStart(line) {
		lineEnd := d.LineEnd(line)
		ind := d.lineIndent(line)
		blank := line+ind >= lineEnd
		if blank {
			// Spaces past the indentation are text, even on a line of
			// nothing else (">\n 0\n  " reads "0\n "), whatever the
			// chomping.
			if keep || indent >= 0 && ind > indent {
				end = lineEnd
			}
			continue
		}
		if indent < 0 {
			indent = ind
			if indent <= d.parentIndent(n) {
				break // no content lines at all
			}
		}
		if ind < indent {
			break
		}
		end = lineEnd
	}
	return end, nil
}

// parentIndent is the indentation of what holds the block scalar n, which
// its content lines must exceed: that of the line holding its indicator,
// or, for an indicator on a line of its own ("key:\n  >"), that of its
// key or of the dash before it.
func (d *Document) parentIndent(n *yaml.Node) int {
	off := d.NodeOffset(n)
	ls := d.LineStart(off)
	if ls+d.lineIndent(ls) != off {
		return d.lineIndent(ls)
	}
	switch p := d.Parent(n); {
	case p != nil && p.Kind == yaml.MappingNode:
		if k := d.KeyOf(n); k != nil {
			return k.Column - 1
		}
	case p != nil && p.Kind == yaml.SequenceNode:
		i := off
		for i > 0 && isSpaceOrBreak(d.Src[i-1]) {
			i--
		}
		if i > 0 && d.Src[i-1] == '-' {
			return d.Pos(i-1).Col - 1
		}
	}
	return d.lineIndent(ls)
}

// lineIndent counts the spaces at the start of the line beginning at off.
func (d *Document) lineIndent(off int) int {
	n := 0
	for off+n < len(d.Src) && d.Src[off+n] == ' ' {
		n++
	}
	return n
}

// isFlowPair reports whether n is a single pair in a flow sequence
// ("[a: 1]"), a flow mapping without braces.
func (d *Document) isFlowPair(n *yaml.Node) bool {
	if n.Kind != yaml.MappingNode || n.Style&yaml.FlowStyle == 0 || len(n.Content) != 2 {
		return false
	}
	start := d.ContentStart(n)
	return start < len(d.Src) && d.Src[start] != '{'
}

// flowPairEnd returns the end of a flow pair: its value's, or past its
// ':' when the value is empty, which yaml.v3 places there ("[a: ]").
func (d *Document) flowPairEnd(n *yaml.Node) (int, error) {
	end, err := d.NodeEnd(n.Content[1])
	if err != nil {
		return 0, err
	}
	if end < len(d.Src) && d.Src[end] == ':' && d.emptyScalar(n.Content[1], end) {
		end++
	}
	return end, nil
}

// emptyScalar reports whether n is a scalar without text that ends at
// end, the offset NodeEnd returned for it.
func (d *Document) emptyScalar(n *yaml.Node, end int) bool {
	return n.Kind == yaml.ScalarNode && end == d.ContentStart(n)
}

// flowEnd finds the collection's closing bracket after its last entry's
// end, past blanks, a trailing comma and comments. Matching brackets from
// the opening one would need to know where quoted scalars start: a quote
// inside a plain scalar ("[it's]") starts none.
func (d *Document) flowEnd(n *yaml.Node) (int, error) {
	start := d.ContentStart(n)
	if start >= len(d.Src) || (d.Src[start] != '[' && d.Src[start] != '{') {
		return 0, d.spanError(n, "expected a flow collection")
	}
	closing := byte(']')
	if d.Src[start] == '{' {
		closing = '}'
	}
	i := start + 1
	comma := len(n.Content) == 0 // no comma before the first entry
	colon := false
	if len(n.Content) > 0 {
		last := n.Content[len(n.Content)-1]
		end, err := d.NodeEnd(last)
		if err != nil {
			return 0, err
		}
		// yaml.v3 places the empty value of a pair in a sequence
		// ("[a: ]") at its ':'.
		colon = d.emptyScalar(last, end)
		i = end
	}
	for ; i < len(d.Src); i++ {
		switch c := d.Src[i]; {
		case isSpaceOrBreak(c):
		case c == ',' && !comma:
			comma = true
		case c == ':' && colon:
			colon = false
		case c == '#' && isSpaceOrBreak(d.Src[i-1]):
			i = d.LineEnd(i) - 1
		case c == closing:
			return i + 1, nil
		default:
			return 0, d.spanError(n, fmt.Sprintf("unexpected %q after the last entry of a flow collection", c))
		}
	}
	return 0, d.spanError(n, "unterminated flow collection")
}
