package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/internal/lazyre"
	hint "github.com/composefix/composefix/internal/suggest"

	"go.yaml.in/yaml/v3"
)

// decoder walks the node tree and collects every problem instead of
// stopping at the first, so a user fixes a file in one round.
type decoder struct {
	path string
	errs []*Error
}

func (d *decoder) errorf(n *yaml.Node, format string, args ...any) {
	d.errs = append(d.errs, &Error{Path: d.path, Line: n.Line, Col: n.Column, Msg: fmt.Sprintf(format, args...)})
}

// err returns the collected errors in file order, duplicates (from a merged
// or aliased node decoded twice) removed.
func (d *decoder) err() error {
	if len(d.errs) == 0 {
		return nil
	}
	sort.SliceStable(d.errs, func(i, j int) bool {
		a, b := d.errs[i], d.errs[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
	var out []error
	var prev *Error
	for _, e := range d.errs {
		if prev != nil && *prev == *e {
			continue
		}
		out = append(out, e)
		prev = e
	}
	return errors.Join(out...)
}

// document parses src and returns its root node, or nil for an empty file or
// after recording an error.
func (d *decoder) document(src []byte) *yaml.Node {
	if !utf8.Valid(src) {
		line, col := invalidUTF8(src)
		d.errs = append(d.errs, &Error{Path: d.path, Line: line, Col: col, Msg: "invalid UTF-8; expected a UTF-8 text file"})
		return nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		d.yamlError(src, err)
		return nil
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		n := &extra
		if len(extra.Content) > 0 {
			n = extra.Content[0]
		}
		d.errorf(n, "a second YAML document; expected a single document")
	} else if !errors.Is(err, io.EOF) {
		d.yamlError(src, err)
	}
	if len(doc.Content) == 0 {
		return nil
	}
	root := doc.Content[0]
	if expandedSize(&doc, map[*yaml.Node]int{}) > maxExpanded {
		d.errorf(root, "aliases expand to more than %d nodes; expected a configuration without alias bombs", maxExpanded)
		return nil
	}
	if r := deref(root); isNull(r) {
		return nil
	} else if r.Kind != yaml.MappingNode {
		d.errorf(root, "found %s at the top level; expected a mapping of keys such as select and pin", found(r))
		return nil
	}
	return deref(root)
}

// yamlError records a syntax error at the position compose's loader gives
// it (the same yaml.v3 quirks: parser errors' lines counted from 0, no line
// on the first, no column at all). Where that is a line's first column, the
// position moves to the line's first non-blank character: a reader looking
// for the problem looks there, and a space never is the problem (a tab,
// which can be, stays).
func (d *decoder) yamlError(src []byte, err error) {
	pe := compose.YAMLError(d.path, src, err)
	line, col := pe.Line, pe.Col
	if col == 1 && line >= 1 {
		lines := bytes.SplitN(src, []byte("\n"), line+1)
		if line-1 < len(lines) {
			col += len(lines[line-1]) - len(bytes.TrimLeft(lines[line-1], " "))
		}
	}
	d.errs = append(d.errs, &Error{Path: d.path, Line: line, Col: col, Msg: pe.Msg})
}

func invalidUTF8(src []byte) (line, col int) {
	line, col = 1, 1
	for len(src) > 0 {
		r, size := utf8.DecodeRune(src)
		if r == utf8.RuneError && size <= 1 {
			return line, col
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		src = src[size:]
	}
	return line, col
}

// maxExpanded bounds the number of nodes the file expands to with every
// alias followed; a real configuration has a few hundred. Without it a
// "billion laughs" file would make the walk take exponential time.
const maxExpanded = 100_000

// expandedSize counts the nodes under n with aliases followed, memoised per
// node so that it runs in linear time.
func expandedSize(n *yaml.Node, memo map[*yaml.Node]int) int {
	if s, ok := memo[n]; ok {
		return s
	}
	memo[n] = maxExpanded + 1 // a cycle counts as too big
	size := 1
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		size += expandedSize(n.Alias, memo)
	}
	for _, c := range n.Content {
		if size += expandedSize(c, memo); size > maxExpanded {
			break
		}
	}
	memo[n] = size
	return size
}

// deref follows aliases to the node they name.
func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// found describes a node for a "found X; expected Y" message.
func found(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a sequence"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "null"
		case "!!str":
			return strconv.Quote(n.Value)
		}
		return n.Value
	}
	return "a YAML document"
}

// entry is one key-value pair of a mapping, value dereferenced.
type entry struct {
	key, val *yaml.Node
}

// entries returns the pairs of mapping n with merge keys (<<) resolved, own
// keys first in file order, then merged keys not overridden. It reports a
// non-mapping, non-scalar keys and duplicate keys. at names n in messages.
// A null n is an empty mapping.
func (d *decoder) entries(n *yaml.Node, at string) []entry {
	n = deref(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "%s: found %s; expected a mapping", at, found(n))
		return nil
	}
	var own []entry
	var merges []*yaml.Node
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			merges = append(merges, v)
			continue
		}
		if k.Kind != yaml.ScalarNode {
			d.errorf(k, "%sfound %s as a key; expected a plain key", prefix(at), found(k))
			continue
		}
		if prev, dup := seen[k.Value]; dup {
			d.errorf(k, "%sduplicate key %q; first defined at line %d", prefix(at), k.Value, prev.Line)
			continue
		}
		seen[k.Value] = k
		own = append(own, entry{k, deref(v)})
	}
	for _, m := range merges {
		m = deref(m)
		var srcs []*yaml.Node
		switch {
		case m.Kind == yaml.MappingNode:
			srcs = []*yaml.Node{m}
		case m.Kind == yaml.SequenceNode:
			for _, s := range m.Content {
				srcs = append(srcs, deref(s))
			}
		default:
			d.errorf(m, "%s: merge key: found %s; expected an alias of a mapping", at, found(m))
		}
		for _, s := range srcs {
			if s.Kind != yaml.MappingNode {
				d.errorf(s, "%s: merge key: found %s; expected an alias of a mapping", at, found(s))
				continue
			}
			for _, e := range d.entries(s, at) {
				if _, ok := seen[e.key.Value]; ok {
					continue
				}
				seen[e.key.Value] = e.key
				own = append(own, e)
			}
		}
	}
	return own
}

// prefix returns "at: " for a message about the node at key path at, or ""
// at the top level.
func prefix(at string) string {
	if at == "" {
		return ""
	}
	return at + ": "
}

// field decodes the value of one known key; at is the key's path for
// messages, key the key node (for errors about the key itself).
type field struct {
	name   string
	decode func(at string, key, val *yaml.Node)
}

// fields decodes mapping n with the known keys fs and reports unknown keys,
// suggesting the closest known one.
func (d *decoder) fields(n *yaml.Node, at string, fs []field) {
	for _, e := range d.entries(n, at) {
		if at == "" && strings.HasPrefix(e.key.Value, "x-") {
			continue // extension keys hold anchors, as in compose files
		}
		f := lookupField(fs, e.key.Value)
		if f == nil {
			names := make([]string, len(fs))
			for i, f := range fs {
				names[i] = f.name
			}
			where := ""
			if at != "" {
				where = " in " + at
			}
			d.errorf(e.key, "unknown key %q%s; expected one of: %s%s",
				e.key.Value, where, strings.Join(names, ", "), suggest(e.key.Value, names))
			continue
		}
		f.decode(join(at, e.key.Value), e.key, e.val)
	}
}

func lookupField(fs []field, name string) *field {
	for i := range fs {
		if fs[i].name == name {
			return &fs[i]
		}
	}
	return nil
}

var identRE = lazyre.New(`^[A-Za-z0-9_-]+$`)

// join extends a key path; keys that are not identifiers are quoted so that
// `mirrors."docker.io"` stays readable.
func join(at, key string) string {
	if !identRE().MatchString(key) {
		key = strconv.Quote(key)
	}
	if at == "" {
		return key
	}
	return at + "." + key
}

// str decodes a string scalar. A null is "not set" (ok false, no error).
func (d *decoder) str(n *yaml.Node, at, expected string) (string, bool) {
	if isNull(n) {
		return "", false
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		d.errorf(n, "%s: found %s; expected %s", at, found(n), expected)
		return "", false
	}
	return n.Value, true
}

// word decodes a non-empty string without white space.
func (d *decoder) word(n *yaml.Node, at, expected string) (string, bool) {
	s, ok := d.str(n, at, expected)
	if !ok {
		return "", false
	}
	if s == "" || strings.IndexFunc(s, unicode.IsSpace) >= 0 {
		d.errorf(n, "%s: found %q; expected %s", at, s, expected)
		return "", false
	}
	return s, true
}

// boolean decodes true or false (YAML 1.2: yes/no/on/off are strings).
func (d *decoder) boolean(n *yaml.Node, at string) (bool, bool) {
	if isNull(n) {
		return false, false
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
		d.errorf(n, "%s: found %s; expected true or false", at, found(n))
		return false, false
	}
	return strings.EqualFold(n.Value, "true"), true
}

// integer decodes an integer of at least minimum.
func (d *decoder) integer(n *yaml.Node, at string, minimum int, expected string) (int, bool) {
	if isNull(n) {
		return 0, false
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!int" {
		if v, err := strconv.ParseInt(n.Value, 0, 32); err == nil && int(v) >= minimum {
			return int(v), true
		}
	}
	d.errorf(n, "%s: found %s; expected %s", at, found(n), expected)
	return 0, false
}

// sequence returns the items of a sequence, dereferenced; null is empty.
func (d *decoder) sequence(n *yaml.Node, at, expected string) []*yaml.Node {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "%s: found %s; expected %s", at, found(n), expected)
		return nil
	}
	items := make([]*yaml.Node, len(n.Content))
	for i, c := range n.Content {
		items[i] = deref(c)
	}
	return items
}

// oneOf decodes a string that must be one of choices.
func (d *decoder) oneOf(n *yaml.Node, at string, choices ...string) (string, bool) {
	expected := quoteList(choices)
	s, ok := d.str(n, at, expected)
	if !ok {
		return "", false
	}
	for _, c := range choices {
		if s == c {
			return s, true
		}
	}
	d.errorf(n, "%s: found %q; expected %s%s", at, s, expected, suggest(s, choices))
	return "", false
}

// quoteList renders `"a", "b" or "c"`.
func quoteList(choices []string) string {
	q := make([]string, len(choices))
	for i, c := range choices {
		q[i] = strconv.Quote(c)
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}

// nodePos walks keys from n; see File.Pos.
func nodePos(n *yaml.Node, keys []string) (line, col int, ok bool) {
	line, col = n.Line, n.Column
	for _, k := range keys {
		n = deref(n)
		switch n.Kind {
		case yaml.MappingNode:
			var d decoder // errors were reported by Parse already
			var next *entry
			for _, e := range d.entries(n, "") {
				if e.key.Value == k {
					next = &e
					break
				}
			}
			if next == nil {
				return 0, 0, false
			}
			line, col, n = next.key.Line, next.key.Column, next.val
		case yaml.SequenceNode:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(n.Content) {
				return 0, 0, false
			}
			n = n.Content[i]
			line, col = n.Line, n.Column
		default:
			return 0, 0, false
		}
	}
	return line, col, true
}

// suggest returns `; did you mean "x"?` for the choice closest to s, when it
// is close enough to be a typo, or "".
func suggest(s string, choices []string) string {
	if best := hint.Closest(s, choices); best != "" {
		return fmt.Sprintf("; did you mean %q?", best)
	}
	return ""
}
