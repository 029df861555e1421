package compose

import (
	"bytes"

	"go.yaml.in/yaml/v3"
)

// Style is how a file is written; new text follows it.
type Style struct {
	Indent       int    // spaces per nesting level of block mappings (2, 4, ...)
	SeqIndent    int    // spaces from a key to the dash of its block sequence (0: flush sequences)
	Newline      string // "\n" or "\r\n"
	FinalNewline bool   // the file ends with a line break
	Quote        byte   // '"' or '\'': the quote the file uses most for quoted strings
}

// IndentedSequences reports whether block sequences are indented under their key.
func (s Style) IndentedSequences() bool { return s.SeqIndent > 0 }

// styleTally counts what style detection looks at, node by node, so that
// Load counts it in the walk that checks the tree for duplicate keys: a
// large file's tree does not fit in the processor's cache, and every walk
// of it reads it from memory again.
type styleTally struct {
	indents, seqIndents tally
	doubles, singles    int // scalars written in double and in single quotes
}

// visit counts node n.
func (t *styleTally) visit(d *Document, n *yaml.Node) {
	if n.Kind == yaml.MappingNode && n.Style&yaml.FlowStyle == 0 {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if v.Line <= k.Line || v.Style&yaml.FlowStyle != 0 || len(v.Content) == 0 {
				continue
			}
			child := v.Content[0]
			switch v.Kind {
			case yaml.MappingNode:
				if diff := child.Column - k.Column; diff > 0 {
					t.indents.add(diff)
				}
			case yaml.SequenceNode:
				// The dash is two characters before a plain item on
				// its line; count only simple "- item" lines.
				dash := d.dashColumn(child)
				if dash > 0 && dash >= k.Column {
					t.seqIndents.add(dash - k.Column)
				}
			}
		}
	}
	if n.Kind == yaml.ScalarNode {
		t.scalar(n)
	}
}

// scalar counts scalar node n: all that visit counts of one.
func (t *styleTally) scalar(n *yaml.Node) {
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0:
		t.doubles++
	case n.Style&yaml.SingleQuotedStyle != 0:
		t.singles++
	}
}

// style is d's style from the counts of every node of d.
func (t *styleTally) style(d *Document) Style {
	st := Style{Indent: 2, SeqIndent: 2, Newline: "\n", Quote: '"'}
	if i := bytes.IndexByte(d.Src, '\n'); i > 0 && d.Src[i-1] == '\r' {
		st.Newline = "\r\n"
	}
	st.FinalNewline = len(d.Src) == 0 || d.Src[len(d.Src)-1] == '\n'
	if best := t.indents.mostCommon(); best > 0 {
		st.Indent = best
	}
	if t.seqIndents.n > 0 {
		st.SeqIndent = t.seqIndents.mostCommon()
	} else {
		st.SeqIndent = st.Indent
	}
	if t.singles > t.doubles {
		st.Quote = '\''
	}
	return st
}

// dashColumn returns the 1-based column of the "-" introducing the sequence
// item n, or 0 when it cannot be found on n's line.
func (d *Document) dashColumn(item *yaml.Node) int {
	off := d.NodeOffset(item)
	start := d.LineStart(off)
	for i := off - 1; i >= start; i-- {
		switch d.Src[i] {
		case ' ', '\t':
			continue
		case '-':
			return d.Pos(i).Col
		}
		return 0
	}
	return 0
}

// tally counts how often each indentation (a non-negative width) occurs:
// in an array for the usual widths, a map for the rest. Style detection
// walks every node of every pass's document.
type tally struct {
	small [32]int
	big   map[int]int
	n     int // widths counted
}

func (t *tally) add(k int) {
	t.n++
	if k >= 0 && k < len(t.small) {
		t.small[k]++
		return
	}
	if t.big == nil {
		t.big = map[int]int{}
	}
	t.big[k]++
}

// mostCommon returns the width with the highest count, the smallest on
// ties; 0 when none was counted.
func (t *tally) mostCommon() int {
	best, bestN := 0, 0
	for k, n := range t.small {
		if n > bestN {
			best, bestN = k, n
		}
	}
	for k, n := range t.big {
		if n > bestN || n == bestN && k < best {
			best, bestN = k, n
		}
	}
	return best
}
