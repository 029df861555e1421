package compose

import (
	"fmt"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"
)

// Render returns n as YAML text in the file's style, for a value whose key
// sits at column indent (0-based spaces). Scalars, aliases and empty or flow
// collections render inline; block collections render as lines that each
// carry their own indentation, joined with "\n" (callers convert to the
// file's line ending with Newlines). The result for a block collection starts
// on a new line: callers write "key:" + result.
func Render(n *yaml.Node, st Style, indent int) string {
	if inline, ok := renderInline(n, st, false); ok {
		return inline
	}
	var b strings.Builder
	writeBlock(&b, n, st, indent, false)
	return b.String()
}

// RenderEntry returns "key: value" (or "key:" and an indented block) with
// the key at column indent, without a leading or trailing line break.
func RenderEntry(key string, v *yaml.Node, st Style, indent int) string {
	var b strings.Builder
	writeEntry(&b, key, v, st, indent)
	return b.String()
}

// entryText is room for the text of most entries that fixes insert
// ("restart: unless-stopped", a healthcheck, deploy.resources limits).
const entryText = 160

// writeEntry is RenderEntry writing to b, after what the caller wrote.
func writeEntry(b *strings.Builder, key string, v *yaml.Node, st Style, indent int) {
	writeSpaces(b, indent)
	b.WriteString(renderKey(key, st))
	b.WriteByte(':')
	writeAfterKey(b, v, st, indent)
}

// spaces is indentation to write from, to build no padding strings.
const spaces = "                                "

func writeSpaces(b *strings.Builder, n int) {
	for n > 0 {
		k := min(n, len(spaces))
		b.WriteString(spaces[:k])
		n -= k
	}
}

// Newlines converts the "\n" line breaks of rendered text to the file's.
func Newlines(text string, st Style) string {
	if st.Newline == "\n" {
		return text
	}
	return strings.ReplaceAll(text, "\n", st.Newline)
}

func renderKey(key string, st Style) string {
	if plainSafe(key, false) {
		return key
	}
	return quote(key, st.Quote)
}

// renderAfterKey renders what follows "key:": " value" or a block on the
// next lines.
func renderAfterKey(v *yaml.Node, st Style, indent int) string {
	if inline, ok := renderInline(v, st, false); ok {
		return " " + inline
	}
	var b strings.Builder
	writeBlockAfterKey(&b, v, st, indent)
	return b.String()
}

// writeAfterKey is renderAfterKey writing to b: a whole entry, and a
// whole block, is written to one builder.
func writeAfterKey(b *strings.Builder, v *yaml.Node, st Style, indent int) {
	if inline, ok := renderInline(v, st, false); ok {
		b.WriteByte(' ')
		b.WriteString(inline)
		return
	}
	writeBlockAfterKey(b, v, st, indent)
}

// writeBlockAfterKey writes block collection v after "key:": its anchor,
// then its lines one level deeper than the key at indent.
func writeBlockAfterKey(b *strings.Builder, v *yaml.Node, st Style, indent int) {
	if v.Anchor != "" {
		b.WriteString(" &")
		b.WriteString(v.Anchor)
	}
	child := indent + st.Indent
	if v.Kind == yaml.SequenceNode {
		child = indent + st.SeqIndent
	}
	writeBlock(b, v, st, child, false)
}

// renderInline renders scalars, aliases, flow and empty collections on one
// line; ok is false for a block collection.
func renderInline(n *yaml.Node, st Style, flow bool) (string, bool) {
	prefix := ""
	if n.Anchor != "" {
		prefix = "&" + n.Anchor + " "
	}
	switch n.Kind {
	case yaml.AliasNode:
		return "*" + n.Value, true
	case yaml.ScalarNode:
		return prefix + renderScalar(n, st, flow), true
	case yaml.MappingNode, yaml.SequenceNode:
		if len(n.Content) > 0 && !flow && n.Style&yaml.FlowStyle == 0 {
			return "", false
		}
		return prefix + renderFlow(n, st), true
	}
	return "", false
}

func renderFlow(n *yaml.Node, st Style) string {
	var parts []string
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			v, _ := renderInline(n.Content[i+1], st, true)
			parts = append(parts, renderFlowKey(n.Content[i].Value, st)+": "+v)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	for _, c := range n.Content {
		v, _ := renderInline(c, st, true)
		parts = append(parts, v)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func renderFlowKey(key string, st Style) string {
	if plainSafe(key, true) {
		return key
	}
	return quote(key, st.Quote)
}

// writeBlock writes a block collection's lines, each starting with "\n"
// and indent spaces; onDash: the collection is a sequence item, whose
// first line continues the dash's line after one space.
func writeBlock(b *strings.Builder, n *yaml.Node, st Style, indent int, onDash bool) {
	line := func(i int) {
		if onDash && i == 0 {
			b.WriteByte(' ')
			return
		}
		b.WriteByte('\n')
		writeSpaces(b, indent)
	}
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			line(i)
			b.WriteString(renderKey(n.Content[i].Value, st))
			b.WriteByte(':')
			writeAfterKey(b, n.Content[i+1], st, indent)
		}
		return
	}
	for i, c := range n.Content {
		line(i)
		b.WriteByte('-')
		if inline, ok := renderInline(c, st, false); ok {
			b.WriteByte(' ')
			b.WriteString(inline)
			continue
		}
		// A block collection as a sequence item starts on the dash's line.
		writeBlock(b, c, st, indent+2, true)
	}
}

func renderScalar(n *yaml.Node, st Style, flow bool) string {
	if n.Tag != "" && n.Tag != "!!str" {
		return n.Value // ints, bools, null: their plain form
	}
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) == 0 && plainSafe(n.Value, flow) {
		return n.Value
	}
	return quote(n.Value, st.Quote)
}

// quote writes v as a quoted scalar, preferring the file's quote character.
func quote(v string, q byte) string {
	if q == '\'' && canSingleQuote(v) {
		return "'" + strings.ReplaceAll(v, "'", "''") + "'"
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range v {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		default:
			if r < 0x20 || r == 0x7f {
				fmt.Fprintf(&b, `\x%02x`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

func canSingleQuote(v string) bool {
	for _, r := range v {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

// plainSafe reports whether v can be written as a plain scalar that reads
// back as the same string.
func plainSafe(v string, flow bool) bool {
	tag, ok := plainResolve(v, flow)
	return ok && tag == "!!str"
}

// plainResolve reports whether v written as a plain scalar reads back as a
// scalar with the same text, and the tag it resolves to (!!str, !!int, ...).
func plainResolve(v string, flow bool) (string, bool) {
	if v == "" || v != strings.TrimSpace(v) {
		return "", false
	}
	if simplePlain(v, flow) {
		// Words like "unless-stopped", "50m" or "no-new-privileges:true"
		// need no parse: yaml.v3 resolves their tag (!!str, !!int,
		// !!bool, ...) itself, as its parser would.
		return shortTag(&yaml.Node{Kind: yaml.ScalarNode, Value: v}), true
	}
	if strings.ContainsAny(v[:1], "-?:,[]{}#&*!|>'\"%@`") && !(len(v) > 1 && strings.ContainsAny(v[:1], "-?:") && !unicode.IsSpace(rune(v[1]))) {
		return "", false
	}
	if strings.Contains(v, ": ") || strings.Contains(v, " #") || strings.HasSuffix(v, ":") ||
		strings.ContainsAny(v, "\n\r\t") {
		return "", false
	}
	// In flow, yaml.v3 ends a plain scalar at any of these, '?' too
	// ("[a?b]" does not load).
	if flow && strings.ContainsAny(v, ",?[]{}") {
		return "", false
	}
	for _, r := range v {
		if !unicode.IsPrint(r) {
			return "", false
		}
	}
	return parsePlain(v)
}

// parsePlain parses v as the plain value of a block mapping entry and
// reports its tag and whether it read back as a scalar with v's text.
func parsePlain(v string) (string, bool) {
	var n yaml.Node
	if err := yaml.Unmarshal([]byte("k: "+v), &n); err != nil || len(n.Content) == 0 || len(n.Content[0].Content) != 2 {
		return "", false
	}
	got := n.Content[0].Content[1]
	return got.Tag, got.Kind == yaml.ScalarNode && got.Value == v
}

// simplePlain reports whether v is a word of letters, digits and "_./-",
// starting with a letter or digit: text that reads back as itself in any
// plain context, block or flow. In block context ":" and "=" may appear
// too, except last ("no-new-privileges:true", "http://host", "a=b"), and
// so may "$", which may come first, "{}+" and single spaces, so that an
// interpolation ("${DB_PASSWORD:-secret}") or a command ("redis-server
// --requirepass ${P}") needs no parse either: there, only ": " (a key),
// " #" (a comment, and "#" is not accepted) or a final ":" would not read
// back, and a space is neither first nor last (plainResolve refuses
// those). Anything else goes through a parse, which allocates about 14 KB
// (yaml.v3's parser) for a short value.
func simplePlain(v string, flow bool) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case i > 0 && (c == '_' || c == '.' || c == '/' || c == '-'):
		case flow:
			return false
		case c == '$', i > 0 && (c == '{' || c == '}' || c == '+' || c == '='):
		case i > 0 && i < len(v)-1 && c == ':' && v[i+1] != ' ':
		case i > 0 && i < len(v)-1 && c == ' ' && v[i+1] != ' ':
		default:
			return false
		}
	}
	return v != ""
}
