package compose

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// OpKind names a tree operation.
type OpKind int

// The tree operations a Change stands for.
const (
	OpSet    OpKind = iota // replace Target with Value (keeping Target's anchor)
	OpInsert               // add Key: Value to mapping Target (before key node Before, or last); a null Target becomes a mapping
	OpDelete               // remove Key from mapping Target
	OpAppend               // add Value at the end of sequence Target; a null Target becomes a sequence
)

// Op is the in-memory meaning of a change, replayed on a copy of the input
// tree by Verify. Ops refer to nodes of the input tree; Value nodes are new.
type Op struct {
	Kind   OpKind
	Target *yaml.Node
	Key    string
	Value  *yaml.Node
	Before *yaml.Node
}

// Change is a set of text edits and the tree operations they stand for.
type Change struct {
	Edits []Edit
	Ops   []*Op
}

// oneOp returns a change's operations when it has only op, made in one
// allocation with the slice that holds it (two were a large share of what
// the rules' fixes allocate: one InsertKey per fix or more). They are
// dropped together, so holding one keeps nothing the other would free.
func oneOp(op Op) []*Op {
	b := &struct {
		op  Op
		ops [1]*Op
	}{op: op}
	b.ops[0] = &b.op
	return b.ops[:]
}

// Add appends o's edits and operations to c.
func (c *Change) Add(o Change) {
	c.Edits = append(c.Edits, o.Edits...)
	c.Ops = append(c.Ops, o.Ops...)
}

func (d *Document) nl(text string) string { return Newlines(text, d.Style) }

func (d *Document) opError(n *yaml.Node, format string, args ...any) error {
	pe := &PosError{Path: d.Path, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		pe.Line, pe.Col = n.Line, n.Column
	}
	return pe
}

// SetScalar replaces scalar n's value, keeping its quoting (plain stays plain
// unless the new value needs quotes) and its anchor and tag.
func (d *Document) SetScalar(n *yaml.Node, value string) (Change, error) {
	if n.Kind != yaml.ScalarNode {
		return Change{}, d.opError(n, "cannot set a %s as a scalar", kindName(n))
	}
	if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return Change{}, d.opError(n, "cannot set a block scalar")
	}
	// The text after the properties changes: a tag stays, and must still
	// read the new value as the string it is.
	if n.Style&yaml.TaggedStyle != 0 && decodedTag(n) != "!!str" {
		return Change{}, d.opError(n, "cannot set a scalar tagged %s, which would keep its tag", n.Tag)
	}
	if d.renamesOnto(n, value) {
		return Change{}, d.opError(n, "key %q already exists", value)
	}
	sp, err := d.ValueSpan(n)
	if err != nil {
		return Change{}, err
	}
	if err := d.emptySlot(n, sp); err != nil {
		return Change{}, err
	}
	nv := Str(value)
	nv.Anchor = n.Anchor
	q := d.Style.Quote
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0:
		q = '"'
		nv.Style = yaml.DoubleQuotedStyle
	case n.Style&yaml.SingleQuotedStyle != 0:
		q = '\''
		nv.Style = yaml.SingleQuotedStyle
	}
	text := value
	if nv.Style != 0 || !plainSafe(value, d.inFlow(n)) || d.colonJoins(sp.End) {
		text = quote(value, q)
	}
	edit := Edit{Start: sp.Start, End: sp.End, New: d.afterProperties(n, sp.Start, text)}
	if sp.Start == sp.End {
		edit = d.emptyEdit(n, sp, text)
	}
	return Change{
		Edits: []Edit{edit},
		Ops:   oneOp(Op{Kind: OpSet, Target: n, Value: nv}),
	}, nil
}

// afterProperties returns text to write at start, where n's own text
// starts, with a blank before it when n's properties end right there:
// yaml.v3 ends an anchor's name at ':' ("&a:0" anchors ":0"), and "&a"
// followed by the new text would name another anchor, or none.
func (d *Document) afterProperties(n *yaml.Node, start int, text string) string {
	if d.NodeOffset(n) < start && !isSpaceOrBreak(d.Src[start-1]) {
		return " " + text
	}
	return text
}

// emptyEdit returns the edit that writes text in the place of n, an empty
// value whose span is sp. Right after its indicator ("key:", "-") or
// properties, the text needs a separating blank. In flow, after
// properties ("[&a]"), the edit writes them again: an entry appended to
// the collection is inserted where the value ends, and two insertions at
// one offset keep the order their fixes come in, while a replacement
// ending there sorts before the insertion.
func (d *Document) emptyEdit(n *yaml.Node, sp Span, text string) Edit {
	if sp.Start > 0 && !isSpaceOrBreak(d.Src[sp.Start-1]) {
		text = " " + text
	}
	if off := d.NodeOffset(n); off < sp.Start && d.inFlow(n) {
		return Edit{Start: off, End: sp.End, New: string(d.Src[off:sp.Start]) + text}
	}
	return Edit{Start: sp.Start, End: sp.End, New: text}
}

// SetSubstring replaces the bytes [from, to) of scalar n's value with repl,
// for values whose text appears verbatim in the source (plain scalars, and
// quoted ones without escapes in that range), such as the default inside
// "${IMAGE:-redis:7}".
func (d *Document) SetSubstring(n *yaml.Node, from, to int, repl string) (Change, error) {
	if n.Kind != yaml.ScalarNode {
		return Change{}, d.opError(n, "cannot edit inside a %s", kindName(n))
	}
	// A block scalar's text starts with its header ("|", ">-"), which
	// the match below of an empty prefix does not see.
	if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return Change{}, d.opError(n, "cannot edit inside a block scalar")
	}
	sp, err := d.ValueSpan(n)
	if err != nil {
		return Change{}, err
	}
	start := sp.Start
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
		start++
	}
	// Bytes of the value, but never inside a character: half of one
	// would leave invalid UTF-8, which no YAML file may hold.
	if from < 0 || to < from || to > len(n.Value) || start+to > len(d.Src) ||
		from < len(n.Value) && !utf8.RuneStart(n.Value[from]) || to < len(n.Value) && !utf8.RuneStart(n.Value[to]) ||
		string(d.Src[start+from:start+to]) != n.Value[from:to] || string(d.Src[start:start+from]) != n.Value[:from] {
		return Change{}, d.opError(n, "the scalar's text does not match its value; cannot edit inside it")
	}
	// Line folding makes one space (or line break) of a line break and the
	// blanks around it, so bytes that match the value there are not its
	// text: on a scalar of more than one line, the range must lie on its
	// first line with text after it there.
	if lineEnd := d.LineEnd(start); sp.End > lineEnd &&
		(start+to >= lineEnd || len(bytes.TrimSpace(d.Src[start+to:lineEnd])) == 0) {
		return Change{}, d.opError(n, "the range reaches where the scalar's lines fold; cannot edit inside it")
	}
	// Matching bytes may still be half of an escape (a value "'" is
	// written "''"): a quoted scalar's text up to the range's end must
	// hold none.
	if n.Style&yaml.SingleQuotedStyle != 0 && strings.ContainsRune(n.Value[:to], '\'') ||
		n.Style&yaml.DoubleQuotedStyle != 0 && bytes.IndexByte(d.Src[start:start+to], '\\') >= 0 {
		return Change{}, d.opError(n, "the scalar's text holds an escape before the range's end; cannot edit inside it")
	}
	value := n.Value[:from] + repl + n.Value[to:]
	if d.renamesOnto(n, value) {
		return Change{}, d.opError(n, "key %q already exists", value)
	}
	nv := Str(value)
	nv.Anchor, nv.Style = n.Anchor, n.Style
	// The new text must still read as one scalar of that style; a plain
	// one without an explicit tag resolves anew ("8080" is an int).
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0:
		if strings.ContainsAny(repl, "\"\\") || !canSingleQuote(repl) {
			return Change{}, d.opError(n, "%q cannot go inside a double-quoted scalar unescaped", repl)
		}
	case n.Style&yaml.SingleQuotedStyle != 0:
		if strings.ContainsRune(repl, '\'') || !canSingleQuote(repl) {
			return Change{}, d.opError(n, "%q cannot go inside a single-quoted scalar unescaped", repl)
		}
	default:
		tag, ok := plainResolve(value, d.inFlow(n))
		if !ok || d.colonJoins(sp.End) {
			return Change{}, d.opError(n, "%q cannot be written as a plain scalar", value)
		}
		nv.Tag = tag
		if n.Style&yaml.TaggedStyle != 0 {
			nv.Tag = n.Tag
		}
		// A plain "<<" key is a merge key: the mapping would merge its
		// value (which may be no mapping at all) instead of holding it.
		if nv.Tag == "!!merge" && d.isKey(n) {
			return Change{}, d.opError(n, "key %q would become a merge key", value)
		}
	}
	edit := Edit{Start: start + from, End: start + to, New: repl}
	if from == 0 && n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) == 0 {
		edit.New = d.afterProperties(n, start, repl) // "&a:0": not onto the anchor's name
	}
	// An insertion at the end of a plain scalar before a flow indicator
	// is where an entry appended to its flow collection goes too, and
	// insertions at one offset keep the order their fixes come in
	// ("[0, v~]"): the edit takes in the scalar's last character, and a
	// replacement ending there sorts before the insertion.
	if from == to && to == len(n.Value) && to > 0 && n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) == 0 &&
		d.flowEntryFollows(start+to) {
		_, size := utf8.DecodeLastRuneInString(n.Value)
		edit = Edit{Start: start + to - size, End: start + to, New: n.Value[to-size:] + repl}
	}
	return Change{
		Edits: []Edit{edit},
		Ops:   oneOp(Op{Kind: OpSet, Target: n, Value: nv}),
	}, nil
}

// emptySlot refuses to write over an empty scalar that has neither text
// nor properties (anchor, tag) unless yaml.v3 places it right after the
// indicator that introduces it, where its text can go: ':' after the key
// for a mapping value, '?' for a key (an explicit one: an implicit key is
// never empty), '-' for a block sequence item. yaml.v3 places a node
// without a token of its own at the next token: the value of an explicit
// key without ':' ("? a") at the next entry or the end of the file, the
// key and the value of "{? }" both at the '}', the value of a flow key
// without ':' ("{a, b}") at the ',' after it, an empty document's root
// after the "---" line. Text written there would change another node, or
// nothing that parses.
func (d *Document) emptySlot(n *yaml.Node, sp Span) error {
	if n.Kind != yaml.ScalarNode || sp.Start != sp.End || d.NodeOffset(n) != sp.Start {
		return nil
	}
	var want byte
	key := d.KeyOf(n)
	switch p := d.Parent(n); {
	case p == nil:
	case p.Kind == yaml.SequenceNode:
		want = '-'
	case p.Kind == yaml.MappingNode && key != nil:
		want = ':'
	case p.Kind == yaml.MappingNode:
		want = '?'
	}
	i := sp.Start
	for i > 0 && (d.Src[i-1] == ' ' || d.Src[i-1] == '\t') {
		i--
	}
	ok := want != 0 && i > 0 && d.Src[i-1] == want
	if ok && want == ':' {
		// The key's own ':', not one inside the key: "? a:" (the key
		// a mapping) puts the outer value after the inner ':'.
		end, err := d.NodeEnd(key)
		ok = err == nil && i-1 >= end
	}
	if !ok {
		return d.opError(n, "the empty value has no place of its own in the source (such as a key without ':'); cannot write it")
	}
	return nil
}

func (d *Document) inFlow(n *yaml.Node) bool {
	for p := d.Parent(n); p != nil; p = d.Parent(p) {
		if p.Style&yaml.FlowStyle != 0 {
			return true
		}
	}
	return false
}

// entryLineEnd returns where a new entry of a block collection goes: the end
// of the line holding the collection's last value, extended over the
// comment-only lines right after it that are indented deeper than the
// entries (they belong to that last value, such as commented-out items).
func (d *Document) entryLineEnd(lastEnd, indent int) int {
	at := d.LineEnd(lastEnd)
	for next := d.NextLineStart(at); next < len(d.Src); next = d.NextLineStart(next) {
		ind := d.lineIndent(next)
		end := d.LineEnd(next)
		if next+ind >= end || d.Src[next+ind] != '#' || ind <= indent {
			break
		}
		at = end
	}
	return at
}

// InsertKey adds key: v as the last entry of mapping m (block or flow). m may
// be a null value ("web:" with nothing after it), which becomes a block
// mapping.
func (d *Document) InsertKey(m *yaml.Node, key string, v *yaml.Node) (Change, error) {
	// Compare with every key, merge keys too: yaml.v3 takes the string
	// "<<" and a merge key for the same key.
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := m.Content[i]; k.Kind == yaml.ScalarNode && k.Value == key {
			return Change{}, d.opError(k, "key %q already exists", key)
		}
	}
	switch {
	case isNull(m):
		return d.fillNull(m, Map(key, v), Op{Kind: OpInsert, Target: m, Key: key, Value: v})
	case m.Kind != yaml.MappingNode:
		return Change{}, d.opError(m, "cannot insert key %q into a %s", key, kindName(m))
	case m.Style&yaml.FlowStyle != 0:
		entry, _ := renderInline(v, d.Style, true)
		edit, err := d.flowAppend(m, renderFlowKey(key, d.Style)+": "+entry)
		if err != nil {
			return Change{}, err
		}
		return Change{Edits: []Edit{edit}, Ops: oneOp(Op{Kind: OpInsert, Target: m, Key: key, Value: v})}, nil
	case len(m.Content) == 0:
		return Change{}, d.opError(m, "cannot insert into an empty block mapping")
	case d.hasExplicitKey(m):
		return Change{}, d.opError(m, "cannot insert key %q into a mapping with an explicit key (\"? key\")", key)
	}
	indent := m.Content[0].Column - 1
	end, err := d.NodeEnd(m.Content[len(m.Content)-1])
	if err != nil {
		return Change{}, err
	}
	at := d.entryLineEnd(end, indent)
	if d.endsInBlockScalar(m, at) {
		return Change{}, d.opError(m, "inserting %q after a block scalar that ends the file without a line break would give it one", key)
	}
	at = d.beforeFinalBreak(m, at)
	text := d.entries.text(entryAt{key: key, v: v, indent: indent}, func() string {
		var b strings.Builder
		b.Grow(entryText) // not grown from 8 bytes a doubling at a time
		b.WriteByte('\n')
		writeEntry(&b, key, v, d.Style, indent)
		return d.nl(b.String())
	})
	return Change{
		Edits: []Edit{{Start: at, End: at, New: text}},
		Ops:   oneOp(Op{Kind: OpInsert, Target: m, Key: key, Value: v}),
	}, nil
}

// beforeFinalBreak returns where to insert an entry's text, which starts
// with a line break, when at is where its collection ends. When at starts
// a line, the last value of the collection is one that yaml.v3 placed at
// the end of the file, after its final line break (the null value of an
// explicit key without ':', "? |+"); a line break written there would add
// a blank line, which a block scalar that keeps its line breaks takes in.
// The text then goes before that final line break, inside the span of a
// change that replaces the collection's last value, with which it then
// conflicts.
func (d *Document) beforeFinalBreak(c *yaml.Node, at int) int {
	if at == 0 || d.Src[at-1] != '\n' {
		return at
	}
	last := c
	for len(last.Content) > 0 {
		last = last.Content[len(last.Content)-1]
	}
	if last.Kind != yaml.ScalarNode || d.NodeOffset(last) < at {
		return at // such as a block scalar's last line, blank
	}
	at--
	if at > 0 && d.Src[at-1] == '\r' {
		at--
	}
	return at
}

// hasExplicitKey reports whether a key of block mapping m is explicit
// ("? key"): one that '?' precedes or ':' does not follow on its line (an
// implicit key always is followed by one there). The entry's indentation
// is then the column of the '?', not the key's, and a value without ':' has no
// place in the source: yaml.v3 places it at the next token.
func (d *Document) hasExplicitKey(m *yaml.Node) bool {
	if !d.mayHaveExplicitKeys() {
		return false
	}
	for i := 0; i < len(m.Content); i += 2 {
		k := m.Content[i]
		end, err := d.NodeEnd(k)
		if err != nil {
			return true
		}
		for end < len(d.Src) && (d.Src[end] == ' ' || d.Src[end] == '\t') {
			end++
		}
		start := d.NodeOffset(k)
		for start > 0 && (d.Src[start-1] == ' ' || d.Src[start-1] == '\t') {
			start--
		}
		if end == len(d.Src) || d.Src[end] != ':' || start > 0 && d.Src[start-1] == '?' {
			return true
		}
	}
	return false
}

// endsInBlockScalar reports whether at is the end of a file without a
// final line break and collection c ends there with a block scalar that
// keeps its final line break ("|", ">", "|+"): a line written after it
// gives the scalar one ("key: >\n  x" reads "x", then "x\n").
func (d *Document) endsInBlockScalar(c *yaml.Node, at int) bool {
	if at != len(d.Src) || at == 0 || d.Src[at-1] == '\n' {
		return false
	}
	n := c
	for len(n.Content) > 0 {
		n = n.Content[len(n.Content)-1]
	}
	if n.Kind != yaml.ScalarNode || n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) == 0 {
		return false
	}
	for i := d.ContentStart(n) + 1; i < len(d.Src) && !isSpaceOrBreak(d.Src[i]); i++ {
		if d.Src[i] == '-' { // strip: no final line break to gain
			return false
		}
	}
	return true
}

// recentEntries are the texts InsertKey made last. Rules share one value
// node among the services that gain the same value (a healthcheck,
// limits; new nodes never change once made) and insert it into one
// service after another: rendering it anew for each was a large share of
// a large file's allocations. A few slots, since a fix may insert more
// than one key, and no more, so that the nodes they keep are few.
type recentEntries struct {
	mu    sync.Mutex // rules of several files may read a shared document
	slots [4]struct {
		at   entryAt
		text string
	}
	next int
}

// entryAt is what an entry's text depends on, besides the document's
// style.
type entryAt struct {
	key    string
	v      *yaml.Node
	indent int
}

// text returns the text made for at, by render when it is not among the
// recent ones.
func (r *recentEntries) text(at entryAt, render func() string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.slots {
		if s.at == at && s.at.v != nil {
			return s.text
		}
	}
	t := render()
	r.slots[r.next].at, r.slots[r.next].text = at, t
	r.next = (r.next + 1) % len(r.slots)
	return t
}

// fillNull replaces an empty value (null) with a block collection v placed
// on the lines after its key. op is the insert or append v stands for: as
// an operation on the null node (not a replacement of it), it composes with
// another rule's insert into the same empty value in the same pass.
func (d *Document) fillNull(n *yaml.Node, v *yaml.Node, op Op) (Change, error) {
	key := d.KeyOf(n)
	if key == nil {
		return Change{}, d.opError(n, "cannot fill a null value that is not in a mapping")
	}
	sp, err := d.ValueSpan(n)
	if err != nil {
		return Change{}, err
	}
	if err := d.emptySlot(n, sp); err != nil {
		return Change{}, err
	}
	indent := key.Column - 1
	lineEnd := d.LineEnd(sp.End)
	// "key: null # c" keeps its comment: only the null text goes away,
	// with the blank before it.
	from := sp.Start
	for from > 0 && (d.Src[from-1] == ' ' || d.Src[from-1] == '\t') {
		from--
	}
	// In flow, a block collection cannot follow: the value becomes a
	// flow one. The edit replaces the blank before it (or the value's
	// properties), so that a second fill of the value conflicts instead
	// of writing "{a: 1}{b: 2}".
	if d.inFlow(n) {
		text, _ := renderInline(v, d.Style, true)
		if d.NodeOffset(n) < sp.Start {
			return Change{Edits: []Edit{d.emptyEdit(n, sp, text)}, Ops: oneOp(op)}, nil
		}
		return Change{Edits: []Edit{{Start: from, End: sp.End, New: " " + text}}, Ops: oneOp(op)}, nil
	}
	text := strings.TrimSuffix(renderAfterKey(v, d.Style, indent), " ")
	if !strings.HasPrefix(text, "\n") && !strings.HasPrefix(text, " &") { // an inline value
		return Change{
			Edits: []Edit{{Start: from, End: sp.End, New: text}},
			Ops:   oneOp(op),
		}, nil
	}
	// The block goes after any comment on the key's line; an explicit null
	// ("~", "null") goes away with the blank before it. Two fills of one
	// value in a pass then share the identical deletion and their
	// insertions concatenate.
	var edits []Edit
	if sp.Start < sp.End {
		edits = append(edits, Edit{Start: from, End: sp.End})
	}
	edits = append(edits, Edit{Start: lineEnd, End: lineEnd, New: d.nl(text)})
	return Change{Edits: edits, Ops: oneOp(op)}, nil
}

// flowAppend inserts entry text before the closing bracket of a flow
// collection, with a separating comma when it is not empty. Another append
// to the same collection in the same pass must still give valid YAML: the
// insertions concatenate (", a" + ", b"; " a," + " b," after a trailing
// comma), and an empty collection is replaced whole, so that a second
// append conflicts and waits for the next pass.
func (d *Document) flowAppend(c *yaml.Node, entry string) (Edit, error) {
	// A pair in a flow sequence ("[a: 1]") holds one entry: a second
	// would be a second item of the sequence.
	if d.isFlowPair(c) {
		return Edit{}, d.opError(c, "cannot add to a single pair in a flow sequence")
	}
	end, err := d.NodeEnd(c)
	if err != nil {
		return Edit{}, err
	}
	closing := end - 1
	if len(c.Content) == 0 {
		open := d.ContentStart(c)
		if strings.TrimSpace(string(d.Src[open+1:closing])) != "" {
			return Edit{}, d.opError(c, "cannot append to an empty flow collection holding a comment")
		}
		return Edit{Start: open, End: end, New: string(d.Src[open]) + entry + string(d.Src[closing])}, nil
	}
	// The entry goes right after the last one: before any trailing comma
	// ("[a, b, ]") and any comment, which would take in text written
	// after it.
	last := c.Content[len(c.Content)-1]
	at, err := d.NodeEnd(last)
	if err != nil {
		return Edit{}, err
	}
	empty := d.emptyScalar(last, at)
	if d.isFlowPair(last) {
		v := last.Content[1]
		vEnd, err := d.NodeEnd(v)
		if err != nil {
			return Edit{}, err
		}
		empty = d.emptyScalar(v, vEnd)
	}
	if !empty {
		return Edit{Start: at, End: at, New: ", " + entry}, nil
	}
	// The last value is empty, where yaml.v3 places it: at the closing
	// bracket, a comma, a pair's ':' ("[a: ]") or right after its tag.
	// Written there, "0:," would read as the plain scalar "0:", and
	// "!!str," as the tag "!!str,". The entry goes before the closing bracket, with
	// a comma on the side that has none; the edit replaces the bracket, so
	// that a value written into the empty one (an insertion there) sorts
	// before it, and a second append conflicts and waits for the next
	// pass.
	if d.trailingComma(at, closing) {
		return Edit{Start: closing, End: end, New: " " + entry + "," + string(d.Src[closing])}, nil
	}
	return Edit{Start: closing, End: end, New: ", " + entry + string(d.Src[closing])}, nil
}

// trailingComma reports whether a comma stands between offset from, where
// a flow collection's last entry ends, and its closing bracket at closing.
func (d *Document) trailingComma(from, closing int) bool {
	for i := from; i < closing; i++ {
		switch d.Src[i] {
		case ',':
			return true
		case '#':
			if i > 0 && isSpaceOrBreak(d.Src[i-1]) {
				i = d.LineEnd(i) - 1
			}
		}
	}
	return false
}

// AppendItem adds v as the last item of sequence s (block or flow). s may be
// a null value, which becomes a block sequence.
func (d *Document) AppendItem(s *yaml.Node, v *yaml.Node) (Change, error) {
	switch {
	case isNull(s):
		return d.fillNull(s, Seq(v), Op{Kind: OpAppend, Target: s, Value: v})
	case s.Kind != yaml.SequenceNode:
		return Change{}, d.opError(s, "cannot append to a %s", kindName(s))
	case (d.isMergeValue(s) || d.mergedAsValue(s)) && !mergeable(v):
		return Change{}, d.opError(s, "a merge key's sequence takes only mappings and aliases of mappings")
	case s.Style&yaml.FlowStyle != 0:
		item, _ := renderInline(v, d.Style, true)
		edit, err := d.flowAppend(s, item)
		if err != nil {
			return Change{}, err
		}
		return Change{Edits: []Edit{edit}, Ops: oneOp(Op{Kind: OpAppend, Target: s, Value: v})}, nil
	case len(s.Content) == 0:
		return Change{}, d.opError(s, "cannot append to an empty block sequence")
	}
	dash := d.dashColumn(s.Content[0])
	if dash == 0 {
		return Change{}, d.opError(s.Content[0], "cannot find the dash of the first item")
	}
	end, err := d.NodeEnd(s.Content[len(s.Content)-1])
	if err != nil {
		return Change{}, err
	}
	at := d.entryLineEnd(end, dash-1)
	if d.endsInBlockScalar(s, at) {
		return Change{}, d.opError(s, "appending after a block scalar that ends the file without a line break would give it one")
	}
	at = d.beforeFinalBreak(s, at)
	var b strings.Builder
	b.Grow(entryText)
	item := Seq(v)
	writeBlock(&b, item, d.Style, dash-1, false)
	return Change{
		Edits: []Edit{{Start: at, End: at, New: d.nl(b.String())}},
		Ops:   oneOp(Op{Kind: OpAppend, Target: s, Value: v}),
	}, nil
}

// DeleteKey removes key from block mapping m: the lines from the key to the
// end of its value, with the value's line comment. Head comments stay. When
// the removed lines sit between a blank line (or the file's start) and
// another blank line, the second blank line goes too.
func (d *Document) DeleteKey(m *yaml.Node, key string) (Change, error) {
	k, v := MapGet(m, key)
	if k == nil {
		return Change{}, d.opError(m, "no key %q to delete", key)
	}
	if m.Style&yaml.FlowStyle != 0 {
		return Change{}, d.opError(k, "cannot delete %q from a flow mapping", key)
	}
	if len(m.Content) == 2 {
		return Change{}, d.opError(k, "deleting %q would leave an empty mapping", key)
	}
	start := d.LineStart(d.NodeOffset(k))
	if strings.TrimSpace(string(d.Src[start:d.NodeOffset(k)])) != "" {
		return Change{}, d.opError(k, "key %q does not start its line", key)
	}
	if a := d.namedAnchor(k, v); a != nil {
		return Change{}, d.opError(a, "deleting %q would remove anchor &%s, which an alias names", key, a.Anchor)
	}
	vEnd, err := d.NodeEnd(v)
	if err != nil {
		return Change{}, err
	}
	end := d.NextLineStart(d.LineEnd(vEnd))
	blankBefore := start == 0 || d.isBlankLine(d.LineStart(start-1))
	if blankBefore && end < len(d.Src) && d.isBlankLine(end) {
		end = d.NextLineStart(end)
	}
	return Change{
		Edits: []Edit{{Start: start, End: end}},
		Ops:   oneOp(Op{Kind: OpDelete, Target: m, Key: key}),
	}, nil
}

// namedAnchor returns a node below (or at) roots that defines an anchor
// an alias names, or nil: removing it would leave the alias undefined and
// the file would not load. An alias inside roots counts too (removed with
// it, it would harm nothing): refusing then is only cautious.
func (d *Document) namedAnchor(roots ...*yaml.Node) *yaml.Node {
	targets, ok := d.AliasTargets()
	if !ok { // not made by Load: find the aliases here
		targets = map[*yaml.Node]bool{}
		var note func(n *yaml.Node)
		note = func(n *yaml.Node) {
			if n.Kind == yaml.AliasNode {
				targets[n.Alias] = true
			}
			for _, c := range n.Content {
				note(c)
			}
		}
		for _, doc := range d.Docs {
			note(doc)
		}
	}
	if len(targets) == 0 {
		return nil
	}
	var find func(n *yaml.Node) *yaml.Node
	find = func(n *yaml.Node) *yaml.Node {
		if targets[n] {
			return n
		}
		for _, c := range n.Content { // an alias's target is not below it
			if a := find(c); a != nil {
				return a
			}
		}
		return nil
	}
	for _, r := range roots {
		if a := find(r); a != nil {
			return a
		}
	}
	return nil
}

// afterColon returns the offset just after the ":" of mapping value n's key
// when only white space lies between it and n (no comment to lose).
func (d *Document) afterColon(n *yaml.Node) (int, bool) {
	key := d.KeyOf(n)
	if key == nil {
		return 0, false
	}
	end, err := d.NodeEnd(key)
	if err != nil {
		return 0, false
	}
	i := end
	for i < len(d.Src) && (d.Src[i] == ' ' || d.Src[i] == '\t') {
		i++
	}
	if i >= len(d.Src) || d.Src[i] != ':' {
		return 0, false
	}
	if strings.TrimSpace(string(d.Src[i+1:d.NodeOffset(n)])) != "" {
		return 0, false
	}
	return i + 1, true
}

// renamesOnto reports whether n is a mapping key and another key of that
// mapping is already value.
func (d *Document) renamesOnto(n *yaml.Node, value string) bool {
	// Most scalars set are values, which the source tells from keys
	// without the parent index: a map of every node, which a large file
	// built for this question alone.
	if key, ok := d.implicitKey(n); ok && !key {
		return false
	}
	p := d.Parent(n)
	if p == nil || p.Kind != yaml.MappingNode || d.KeyOf(n) != nil {
		return false
	}
	for i := 0; i < len(p.Content); i += 2 {
		if k := p.Content[i]; k != n && k.Kind == yaml.ScalarNode && k.Value == value {
			return true
		}
	}
	return false
}

// anchorUsedOutside returns the name of an anchor defined inside n (n's
// own, which a replacement keeps, aside) that an alias outside n refers
// to: replacing n would leave that alias naming nothing.
func (d *Document) anchorUsedOutside(n *yaml.Node) (string, bool) {
	var defined map[*yaml.Node]bool
	var inside func(*yaml.Node)
	inside = func(x *yaml.Node) {
		for _, c := range x.Content {
			if c.Anchor != "" {
				if defined == nil {
					defined = map[*yaml.Node]bool{}
				}
				defined[c] = true
			}
			inside(c)
		}
	}
	inside(n)
	if defined == nil {
		return "", false
	}
	var name string
	var outside func(*yaml.Node) bool
	outside = func(x *yaml.Node) bool {
		if x == n {
			return false
		}
		if x.Kind == yaml.AliasNode && defined[x.Alias] {
			name = x.Alias.Anchor
			return true
		}
		for _, c := range x.Content {
			if outside(c) {
				return true
			}
		}
		return false
	}
	for _, doc := range d.Docs {
		if outside(doc) {
			return name, true
		}
	}
	return "", false
}

// colonJoins reports whether a plain scalar ending at end would take in
// the ':' that follows it (blanks between, too): yaml.v3 ends a plain
// scalar at ':' only before a blank, so in "[&a:]" and "[!t :]" the ':'
// follows an empty key, and in "[a:]" and "[a :]" it is part of the
// scalar.
func (d *Document) colonJoins(end int) bool {
	for end < len(d.Src) && (d.Src[end] == ' ' || d.Src[end] == '\t') {
		end++
	}
	return end+1 < len(d.Src) && d.Src[end] == ':' && !isSpaceOrBreak(d.Src[end+1])
}

// isKey reports whether n is a key of its mapping.
func (d *Document) isKey(n *yaml.Node) bool {
	if key, ok := d.implicitKey(n); ok {
		return key
	}
	p := d.Parent(n)
	return p != nil && p.Kind == yaml.MappingNode && d.KeyOf(n) == nil
}

// implicitKey reports whether scalar n is an implicit mapping key, read
// from the source: YAML keeps an implicit key to one line and follows it
// there by ':', which follows no other scalar, except the key of a flow
// mapping's entry without a value ("{a, b: 1}"). So a scalar followed by
// ':' is a key, and one that ends its line (a comment may follow) is
// not. ok is false when that cannot tell: n is not a scalar, its text is
// not found, a flow indicator follows it, or the source may hold an
// explicit key ("? key"), whose ':' may come lines later.
func (d *Document) implicitKey(n *yaml.Node) (key, ok bool) {
	if n.Kind != yaml.ScalarNode || d.mayHaveExplicitKeys() {
		return false, false
	}
	sp, err := d.NodeSpan(n)
	if err != nil {
		return false, false
	}
	i := sp.End
	for i < len(d.Src) && (d.Src[i] == ' ' || d.Src[i] == '\t') {
		i++
	}
	switch {
	case i == len(d.Src) || d.Src[i] == '\n' || d.Src[i] == '\r' || d.Src[i] == '#':
		// A flow mapping's key without a value may end its line too
		// ("{a\n, b: 1}"); the next token then is ',' or '}', which
		// never follows a block value.
		return false, !d.flowEntryFollows(i)
	case d.Src[i] == ':':
		return true, true
	}
	return false, false
}

// flowEntryFollows reports whether the first token at or after i,
// past blanks, line breaks and comments, is ',', '}' or ']': it goes on
// a flow collection, which no block value is followed by (a plain
// scalar never starts with one of them).
func (d *Document) flowEntryFollows(i int) bool {
	for i < len(d.Src) {
		switch c := d.Src[i]; c {
		case ' ', '\t', '\r', '\n':
			i++
		case '#':
			i = d.LineEnd(i)
		default:
			return c == ',' || c == '}' || c == ']'
		}
	}
	return false
}

// mayHaveExplicitKeys reports whether the source has a '?' followed by a
// blank or the end: the indicator of an explicit key, or text that looks
// like one (in a comment, a string), made once per document.
func (d *Document) mayHaveExplicitKeys() bool {
	d.explicitOnce.Do(func() {
		src := d.Src
		for i := bytes.IndexByte(src, '?'); i >= 0; {
			if i+1 == len(src) || isSpaceOrBreak(src[i+1]) {
				d.explicit = true
				return
			}
			j := bytes.IndexByte(src[i+1:], '?')
			if j < 0 {
				return
			}
			i += 1 + j
		}
	})
	return d.explicit
}

// isMergeValue reports whether n is the value of a merge key ("<<: n").
func (d *Document) isMergeValue(n *yaml.Node) bool {
	if n == nil {
		return false
	}
	k := d.KeyOf(n)
	return k != nil && IsMergeKey(k)
}

// mergedAlias reports how merge keys elsewhere merge n through an alias:
// as a merge key's value ("<<: *n") or as an item of its sequence
// ("<<: [*n]", or through an alias of that sequence). Changing n changes
// what they merge, which the checks of n's own place do not see.
func (d *Document) mergedAlias(n *yaml.Node) (asValue, asItem bool) {
	if n.Anchor == "" || !d.MayMerge() {
		return false, false
	}
	if targets, ok := d.AliasTargets(); ok && !targets[n] {
		return false, false
	}
	var walk func(m *yaml.Node)
	walk = func(m *yaml.Node) {
		for i := 0; m.Kind == yaml.MappingNode && i+1 < len(m.Content); i += 2 {
			if v := m.Content[i+1]; IsMergeKey(m.Content[i]) {
				asValue = asValue || v.Kind == yaml.AliasNode && v.Alias == n
				if s := Resolve(v); s != nil && s.Kind == yaml.SequenceNode {
					for _, it := range s.Content {
						asItem = asItem || it.Kind == yaml.AliasNode && it.Alias == n
					}
				}
			}
		}
		for _, c := range m.Content {
			walk(c)
		}
	}
	for _, doc := range d.Docs {
		walk(doc)
	}
	return asValue, asItem
}

// mergedAsValue reports whether a merge key merges n through an alias as
// its value ("<<: *n").
func (d *Document) mergedAsValue(n *yaml.Node) bool {
	asValue, _ := d.mergedAlias(n)
	return asValue
}

// mergeable reports whether v can be merged: a mapping or an alias of one.
func mergeable(v *yaml.Node) bool {
	r := Resolve(v)
	return r != nil && r.Kind == yaml.MappingNode
}

func allMergeable(vs []*yaml.Node) bool {
	for _, v := range vs {
		if !mergeable(v) {
			return false
		}
	}
	return true
}

func (d *Document) isBlankLine(lineStart int) bool {
	return strings.TrimSpace(string(d.Src[lineStart:d.LineEnd(lineStart)])) == ""
}

// ReplaceValue replaces node n (a mapping value or sequence item) with v.
// Comments inside n are lost; use the finer operations where they matter.
func (d *Document) ReplaceValue(n *yaml.Node, v *yaml.Node) (Change, error) {
	// A pair in a flow sequence ("[!t a: 1]") starts where its key
	// does, with the key's properties, which its span would keep.
	if d.isFlowPair(n) {
		return Change{}, d.opError(n, "cannot replace a single pair in a flow sequence")
	}
	if name, ok := d.anchorUsedOutside(n); ok {
		return Change{}, d.opError(n, "the value defines &%s, which an alias elsewhere refers to; cannot replace it", name)
	}
	// The value's anchor stays where it is written, and an alias can
	// carry none ("&a *b" does not parse).
	if n.Anchor != "" && v.Kind == yaml.AliasNode {
		return Change{}, d.opError(n, "cannot replace the anchored value &%s by an alias", n.Anchor)
	}
	sp, err := d.ValueSpan(n)
	if err != nil {
		return Change{}, err
	}
	if p := d.Parent(n); p != nil && p.Kind == yaml.MappingNode && d.KeyOf(n) == nil {
		return Change{}, d.opError(n, "cannot replace a mapping key; set it as a scalar")
	}
	if err := d.emptySlot(n, sp); err != nil {
		return Change{}, err
	}
	if (d.isMergeValue(n) || d.isMergeValue(d.Parent(n))) && !mergeable(v) &&
		!(v.Kind == yaml.SequenceNode && d.isMergeValue(n) && allMergeable(v.Content)) {
		return Change{}, d.opError(n, "a merge key takes only mappings and aliases of mappings")
	}
	if asValue, asItem := d.mergedAlias(n); asValue && !mergeValue(v) || asItem && !mergeable(v) {
		return Change{}, d.opError(n, "a merge key merges &%s through an alias: it takes only mappings and aliases of mappings", n.Anchor)
	}
	op := &Op{Kind: OpSet, Target: n, Value: v}
	if inline, ok := renderInline(v, d.Style, d.inFlow(n)); ok {
		// yaml.v3 takes a comment right after a quoted scalar or a flow
		// collection ("\"\"#"), which a plain one would take in.
		if sp.End < len(d.Src) && d.Src[sp.End] == '#' {
			inline += " "
		}
		start := sp.Start
		// yaml.v3 takes a block scalar's header on the line below its key
		// at the key's column ("key:\n>"), which no other scalar may take.
		off := d.NodeOffset(n)
		headerBelow := n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 && d.LineStart(off)+d.lineIndent(d.LineStart(off)) == off
		if from, ok := d.afterColon(n); ok && n.Style&yaml.FlowStyle == 0 && n.Anchor == "" &&
			(n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode || headerBelow) {
			start, inline = from, " "+inline // a block collection or header below: the value moves up to its key
		} else if headerBelow {
			return Change{}, d.opError(n, "cannot replace a block scalar whose header starts its line in place")
		} else if n.Style&yaml.TaggedStyle != 0 && (v.Kind == yaml.AliasNode || decodedTag(v) != decodedTag(n)) {
			// The text after the properties changes: the tag stays.
			return Change{}, d.opError(n, "cannot replace a node tagged %s by a %s in place, which would keep the tag", n.Tag, kindName(v))
		} else if sp.Start == sp.End {
			return Change{Edits: []Edit{d.emptyEdit(n, sp, inline)}, Ops: []*Op{op}}, nil
		}
		if start == sp.Start {
			// A block sequence may start at its key's column ("key:\n-
			// x"), where no other value may: kept in place (a comment
			// above it forbids moving it up), the new text would end the
			// mapping.
			if key := d.KeyOf(n); key != nil && d.LineStart(start) > d.LineStart(d.NodeOffset(key)) && d.Pos(start).Col <= key.Column {
				return Change{}, d.opError(n, "cannot replace a value that starts at its key's column below a comment in place")
			}
			inline = d.afterProperties(n, start, inline)
		}
		return Change{Edits: []Edit{{Start: start, End: sp.End, New: inline}}, Ops: []*Op{op}}, nil
	}
	key := d.KeyOf(n)
	if key == nil {
		return Change{}, d.opError(n, "can only replace a mapping value with a block collection")
	}
	// The block starts on the line after the key: replace from the end of
	// "key:" (and its properties) to the end of the old value.
	from := d.NodeOffset(n)
	if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
		if n.Style&yaml.FlowStyle == 0 && n.Anchor == "" {
			from = d.LineEnd(d.NodeOffset(key))
		}
	}
	// The text starts on the key's line ("key: &a" and the block
	// below): a value on a later line ("key:\n  &a") moves up, unless a
	// comment between would go.
	if d.LineStart(from) != d.LineStart(d.NodeOffset(key)) {
		after, ok := d.afterColon(n)
		if !ok {
			return Change{}, d.opError(n, "cannot replace a value below a comment by a block collection")
		}
		from = after
	}
	for from > 0 && (d.Src[from-1] == ' ' || d.Src[from-1] == '\t') {
		from--
	}
	if v.Anchor == "" && n.Anchor != "" {
		// On a copy: v may be shared by other fixes (one node per
		// distinct value), which must not gain n's anchor.
		c := *v
		c.Anchor = n.Anchor
		v = &c
		op.Value = v
	}
	text := renderAfterKey(v, d.Style, key.Column-1)
	if sp.End < len(d.Src) && d.Src[sp.End] == '#' { // as above: the comment stays apart
		text += " "
	}
	return Change{Edits: []Edit{{Start: from, End: sp.End, New: d.nl(text)}}, Ops: []*Op{op}}, nil
}

// ConvertSeqToMap turns a sequence of scalars (such as depends_on: [db])
// into a mapping, item by item, so that order, layout and the comments
// between items stay. entry gives each item's key and value. An item whose
// key is its own value keeps its text as the key, anchor and quotes
// included, so aliases of the item still resolve (to the key).
func (d *Document) ConvertSeqToMap(s *yaml.Node, entry func(item *yaml.Node) (string, *yaml.Node)) (Change, error) {
	return d.convertSeqToMap(nil, s, entry)
}

// ConvertSeqToMapAt is ConvertSeqToMap of the value of key, the key node
// that s is the value of, which the caller has at hand: ConvertSeqToMap
// finds it through the document's parent index, a map of every node
// that a large file builds for its conversions alone (150,000 entries
// for 10,000 services).
func (d *Document) ConvertSeqToMapAt(key, s *yaml.Node, entry func(item *yaml.Node) (string, *yaml.Node)) (Change, error) {
	if key == nil {
		return Change{}, d.opError(s, "the sequence is not a mapping value")
	}
	return d.convertSeqToMap(key, s, entry)
}

// convertSeqToMap is ConvertSeqToMap with s's key when known (nil: found
// when needed).
func (d *Document) convertSeqToMap(key, s *yaml.Node, entry func(item *yaml.Node) (string, *yaml.Node)) (Change, error) {
	if s.Kind != yaml.SequenceNode || len(s.Content) == 0 {
		return Change{}, d.opError(s, "expected a non-empty sequence to convert")
	}
	m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Anchor: s.Anchor}
	keys := make([]string, len(s.Content)) // each item's key as text
	for i, it := range s.Content {
		if it.Kind != yaml.ScalarNode || isNull(it) {
			return Change{}, d.opError(it, "sequence items must be non-null scalars to become keys")
		}
		k, v := entry(it)
		for j := 0; j < len(m.Content); j += 2 {
			if m.Content[j].Value == k {
				return Change{}, d.opError(it, "two items become the key %q", k)
			}
		}
		keyNode := Str(k)
		keys[i] = renderKey(k, d.Style)
		if k == it.Value {
			sp, err := d.NodeSpan(it)
			if err != nil {
				return Change{}, err
			}
			// An implicit key keeps to one line, and its text must not
			// end with a property (a tag would take in the ':'): an item
			// written on more lines, or with no text after its tag, is
			// written anew, unless an alias names it. So is a block
			// scalar on one line, an empty one ("|"), whose indicator
			// would start a block scalar in the key's place.
			switch text := string(d.Src[sp.Start:sp.End]); {
			case !strings.ContainsAny(text, "\r\n") && d.ContentStart(it) < sp.End && it.Style&(yaml.LiteralStyle|yaml.FoldedStyle) == 0:
				keyNode, keys[i] = it, text
			case it.Anchor != "":
				return Change{}, d.opError(it, "an anchored item written on more than one line, or empty, cannot become a key")
			}
		}
		// yaml.v3 reads an implicit key of at most 1024 characters.
		if len(keys[i]) > 1024 {
			return Change{}, d.opError(it, "an item of %d bytes cannot become a key", len(keys[i]))
		}
		m.Content = append(m.Content, keyNode, v)
	}
	ch := Change{Ops: oneOp(Op{Kind: OpSet, Target: s, Value: m})}
	if s.Style&yaml.FlowStyle != 0 {
		return d.convertFlowSeq(s, m, keys, ch)
	}
	if key == nil {
		key = d.KeyOf(s)
	}
	if key == nil {
		return Change{}, d.opError(s, "the sequence is not a mapping value")
	}
	dash := d.dashColumn(s.Content[0])
	if dash == 0 {
		return Change{}, d.opError(s.Content[0], "cannot find the dash of the first item")
	}
	keyIndent := dash - 1
	flush := keyIndent <= key.Column-1
	if flush {
		keyIndent = key.Column - 1 + d.Style.Indent
	}
	for i, it := range s.Content {
		end, err := d.NodeEnd(it)
		if err != nil {
			return Change{}, err
		}
		dashOff := d.NodeOffset(it)
		for dashOff > 0 && d.Src[dashOff-1] != '-' {
			dashOff--
		}
		dashOff--
		start := dashOff
		prefix := ""
		if flush {
			start = d.LineStart(dashOff)
			prefix = strings.Repeat(" ", keyIndent)
		}
		text := prefix + keys[i] + ":"
		after := renderAfterKey(m.Content[2*i+1], d.Style, keyIndent)
		if strings.HasPrefix(after, "\n") {
			// A block value goes after any comment on the item's line; the
			// edit covers that comment so that a sibling inserted at the
			// line's end sorts after it.
			lineEnd := d.LineEnd(end)
			text += string(d.Src[end:lineEnd]) + after
			end = lineEnd
		} else {
			text += after
		}
		ch.Edits = append(ch.Edits, Edit{Start: start, End: end, New: d.nl(text)})
	}
	return ch, nil
}

// convertFlowSeq rewrites a flow sequence as a flow mapping in place: the
// brackets become braces and each item "key: value", so the items' layout
// and the comments between them (a flow list may span lines) stay.
func (d *Document) convertFlowSeq(s, m *yaml.Node, keys []string, ch Change) (Change, error) {
	open := d.ContentStart(s)
	end, err := d.NodeEnd(s)
	if err != nil {
		return Change{}, err
	}
	ch.Edits = append(ch.Edits, Edit{Start: open, End: open + 1, New: "{"})
	for i, it := range s.Content {
		sp, err := d.NodeSpan(it)
		if err != nil {
			return Change{}, err
		}
		v, _ := renderInline(m.Content[2*i+1], d.Style, true)
		ch.Edits = append(ch.Edits, Edit{Start: sp.Start, End: sp.End, New: keys[i] + ": " + v})
	}
	ch.Edits = append(ch.Edits, Edit{Start: end - 1, End: end, New: "}"})
	return ch, nil
}

// AddExtension inserts a top-level key (such as "x-logging") with value v,
// which should carry an anchor, before the services key and the comment
// block attached to it, followed by a blank line.
func (d *Document) AddExtension(key string, v *yaml.Node) (Change, error) {
	sk, _ := MapGet(d.Root, "services")
	if sk == nil {
		return Change{}, d.opError(d.Root, "no services key to insert %q before", key)
	}
	if k, _ := MapGet(d.Root, key); k != nil {
		return Change{}, d.opError(k, "key %q already exists", key)
	}
	if d.Root.Style&yaml.FlowStyle != 0 {
		return Change{}, d.opError(d.Root, "cannot add a block to a root mapping in flow style")
	}
	at := d.LineStart(d.NodeOffset(sk))
	// The root mapping's keys may be indented (" services:", valid YAML):
	// the block goes at their column, or it would end the mapping.
	indent := sk.Column - 1
	atKeys := func(line, prefix string) bool {
		return len(line) > indent && strings.TrimLeft(line[:indent], " ") == "" && strings.HasPrefix(line[indent:], prefix)
	}
	// Step over the comment lines directly above services:, unless they run
	// up to the top of the file, where they describe the file.
	top := at
	for top > d.lineStarts[0] {
		prev := d.LineStart(top - 1)
		// Only comments at the key's own column belong to it; indented ones
		// are the foot of the block above.
		if !atKeys(string(d.Src[prev:d.LineEnd(prev)]), "#") {
			break
		}
		top = prev
	}
	if top > d.lineStarts[0] && !d.isDocStart(top) {
		at = top
	}
	text := RenderEntry(key, v, d.Style, indent) + "\n\n"
	// Separate the block from content right above it with a blank line,
	// unless that content is the obsolete version key, which another fix
	// usually removes in the same pass (the file would start blank).
	if at > d.lineStarts[0] && !d.isDocStart(at) {
		prev := d.LineStart(at - 1)
		line := string(d.Src[prev:d.LineEnd(prev)])
		if strings.TrimSpace(line) != "" && !atKeys(line, "version:") {
			text = "\n" + text
		}
	}
	return Change{
		Edits: []Edit{{Start: at, End: at, New: d.nl(text)}},
		Ops:   oneOp(Op{Kind: OpInsert, Target: d.Root, Key: key, Value: v, Before: sk}),
	}, nil
}

// isDocStart reports whether the line before off is a "---" document marker.
func (d *Document) isDocStart(off int) bool {
	if off <= d.lineStarts[0] { // the top of the file, after any byte-order mark
		return true
	}
	prev := d.LineStart(off - 1)
	return strings.HasPrefix(string(d.Src[prev:d.LineEnd(prev)]), "---")
}
