package compose

import (
	"fmt"
	"hash/maphash"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Verify checks that out, the bytes after applying changes to d, decodes to
// the intended tree: d's decoded tree with every operation replayed in
// memory. "It parses" is not enough: a new key at the wrong indentation
// parses fine and lands in the wrong mapping.
func Verify(d *Document, ops []*Op, out []byte) error {
	_, err := VerifyLoad(d, ops, out)
	return err
}

// VerifyLoad is Verify that also returns the edited document it loaded, for
// callers that go on with it (the driver's next pass) without parsing it
// again.
func VerifyLoad(d *Document, ops []*Op, out []byte) (*Document, error) {
	return VerifyLoadVisit(d, ops, out, nil)
}

// EntryVisitor is told the entries of the edited file's root mapping, and
// the services of its services mapping when it asks for them, as
// verification finds each equal to the intended one: a check of the
// output made then finds the entry, and the input's, in the processor's
// cache (a large file's trees are read from memory at every walk).
// composeschema.Entrywise is one.
type EntryVisitor interface {
	// Root is told the edited file's root mapping first; false: no entry
	// will be told.
	Root(now *yaml.Node) bool
	// Entry is told each entry; true: tell its services (a mapping) to
	// Service, in order, before the next entry.
	Entry(key, value *yaml.Node) bool
	// InputServices reports whether m, the input's mapping of the
	// services Service is told, is the one the visitor compares with:
	// Service's was is then known.
	InputServices(m *yaml.Node) bool
	// Service is told each service, with the input's value of the service
	// of that name when known.
	Service(key, value, was *yaml.Node, known bool)
	// Abandon is told that the entries will not all be told.
	Abandon()
}

// VerifyLoadVisit is VerifyLoad telling visit (nil: none) the edited
// file's entries as it compares them; it calls Abandon when it cannot.
// What visit is told does not change the verdict.
func VerifyLoadVisit(d *Document, ops []*Op, out []byte, visit EntryVisitor) (*Document, error) {
	got, err := LoadWith(d.Path, out, LoadOptions{AllowNonCompose: true, Limit: MaxOutputSize})
	if err != nil {
		if visit != nil {
			visit.Abandon()
		}
		return nil, fmt.Errorf("the edited file does not load: %w", err)
	}
	if err := sameAsIntended(d, ops, got, visit); err != nil {
		if visit != nil {
			visit.Abandon()
		}
		return nil, err
	}
	return got, nil
}

func sameAsIntended(d *Document, ops []*Op, got *Document, visit EntryVisitor) error {
	want, err := intendedOf(d, ops)
	if err != nil {
		return err
	}
	if len(got.Docs) != len(d.Docs) {
		return fmt.Errorf("the edited file has %d documents; expected %d", len(got.Docs), len(d.Docs))
	}
	for i, doc := range got.Docs {
		// The comparison builds no paths; a difference is compared again,
		// naming where, which only a bug in a rule costs.
		c := &comparer{in: want}
		var ok bool
		if visit != nil && i == 0 {
			ok = c.sameVisiting(d.Docs[i], doc, visit)
		} else {
			_, ok = c.same(d.Docs[i], doc, "")
		}
		if !ok {
			c := &comparer{in: want, explain: true}
			path, _ := c.same(d.Docs[i], doc, "")
			return &MismatchError{Path: d.Path, Where: path, Out: c.out, In: c.from}
		}
	}
	return nil
}

// MismatchError is a verification failure: the edited text decodes to a
// tree other than the intended one. It says where, three ways: the input
// node that was to be there (or the nearest one around it, for a node an
// operation adds), the path in the tree with what differs, and the first
// differing node of the edited text. The message leads with the input's
// position: the edited text is never written, so only the file as read
// has that line (a caller whose input is itself an edited text maps In
// back to the file as read).
type MismatchError struct {
	Path  string
	Where string // ".services.web (expected 3 keys, got 2)"
	Out   Pos    // in the edited text; zero when unknown
	In    Pos    // in the input; zero when unknown
}

func (e *MismatchError) Error() string {
	msg := "the edited file differs from the intended tree at " + e.Where
	if e.Out.Line > 0 {
		msg += ", at " + e.Out.String() + " of the edited text"
	}
	if e.In.Line > 0 {
		return fmt.Sprintf("%s:%s: %s", e.Path, e.In, msg)
	}
	return e.Path + ": " + msg
}

// intended is d's tree with operations replayed, without copying it: the
// nodes the operations change get a changed copy in ov, and every other
// node stands for itself. A node is read through cur, so that a copy's
// children, original nodes, are read with their own changes.
type intended struct {
	ov map[*yaml.Node]*yaml.Node
}

// cur returns the intended version of n.
func (in *intended) cur(n *yaml.Node) *yaml.Node {
	if c, ok := in.ov[n]; ok {
		return c
	}
	return n
}

// resolveCur is Resolve on the intended tree of n, an intended version
// already (cur of a changed node is its copy, never itself a key).
func (in *intended) resolveCur(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = in.cur(n.Alias)
	}
	return n
}

// changed returns the copy of n that operations change, made on first use.
func (in *intended) changed(n *yaml.Node) *yaml.Node {
	if c, ok := in.ov[n]; ok {
		return c
	}
	c := *n
	in.ov[n] = &c
	return &c
}

// intendedOf replays ops on d's tree, as Apply writes their edits.
func intendedOf(d *Document, ops []*Op) (*intended, error) {
	// A copy per target: about half as many as operations (a service
	// mapping gains several keys).
	in := &intended{ov: make(map[*yaml.Node]*yaml.Node, len(ops)/2)}
	seen := newOpSet(d.Style, ops)
	// keys holds one key node per inserted key name: the intended tree
	// is only read, so the services that gain the same key share it.
	keys := map[string]*yaml.Node{}
	// owned holds the copies whose Content array this replay allocated and
	// no other node shares: they take further keys and items in place, so
	// that a collection gaining k of them is copied once, not k times
	// (quadratic). A copy starts sharing its original's array, and one set
	// to a value shares the value's.
	owned := map[*yaml.Node]bool{}
	for _, op := range ops {
		if seen.duplicate(op) {
			continue // its identical edits were written once, by Apply
		}
		t := in.changed(op.Target)
		switch op.Kind {
		case OpSet:
			anchor := t.Anchor
			v := in.cur(op.Value)
			*t = *v
			if t.Anchor == "" {
				t.Anchor = anchor
			}
			delete(owned, t)
			delete(owned, v)
		case OpInsert:
			if isNull(t) { // "web:" filled with its first key
				*t = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Anchor: t.Anchor}
			}
			if t.Kind != yaml.MappingNode {
				return nil, fmt.Errorf("insert into a %s", kindName(t))
			}
			at := len(t.Content)
			if op.Before != nil {
				for i := 0; i < len(t.Content); i += 2 {
					if t.Content[i] == op.Before {
						at = i
					}
				}
			}
			k, ok := keys[op.Key]
			if !ok {
				k = Str(op.Key)
				keys[op.Key] = k
			}
			if owned[t] {
				t.Content = slices.Insert(t.Content, at, k, op.Value)
				break
			}
			content := make([]*yaml.Node, 0, len(t.Content)+2)
			content = append(content, t.Content[:at]...)
			content = append(content, k, op.Value)
			t.Content = append(content, t.Content[at:]...)
			owned[t] = true
		case OpDelete:
			for i := 0; i+1 < len(t.Content); i += 2 {
				if t.Content[i].Value == op.Key && !IsMergeKey(t.Content[i]) {
					t.Content = append(t.Content[:i:i], t.Content[i+2:]...)
					break
				}
			}
		case OpAppend:
			if isNull(t) {
				*t = yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Anchor: t.Anchor}
			}
			if owned[t] {
				t.Content = append(t.Content, op.Value)
				break
			}
			// A full slice: the append makes a new array.
			t.Content = append(t.Content[:len(t.Content):len(t.Content)], op.Value)
			owned[t] = true
		}
	}
	return in, nil
}

// opSet remembers the operations replayed so far, chained by target and
// key, so that finding a duplicate compares only the operations that
// insert, delete or set the same key of one node (or append to one
// sequence) instead of every earlier operation: a mapping that gains many
// different keys compares none. A map from the target and key to its last
// operation and a link per operation: a map keyed by everything two
// duplicates share, 48 bytes an entry and sized for every operation, was
// 7 MB of a pass over a file of 10,000 services.
//
// Most operations have their target and key to themselves: shared marks,
// by hash, the targets and keys that more than one operation has, and
// only those operations are looked up and remembered. A map with an entry
// per operation no longer fits the processor's cache in a large file, and
// was read from memory at nearly every operation.
type opSet struct {
	style  Style
	last   map[opTarget]int32 // a target's last operation, as an index into ops plus 1
	ops    []chainedOp        // the operations remembered, in order
	seed   maphash.Seed
	shared hashBits
}

// opTarget is what two duplicate operations have in common besides their
// kind, their place and their value.
type opTarget struct {
	node *yaml.Node
	key  string
}

// chainedOp is an operation opSet remembers, with the one before it on
// its target (an index into opSet.ops plus 1; 0: none).
type chainedOp struct {
	op   *Op
	prev int32
}

// newOpSet returns the set for replaying ops, in order.
func newOpSet(st Style, ops []*Op) *opSet {
	s := &opSet{style: st, seed: maphash.MakeSeed(), shared: newHashBits(len(ops))}
	once := newHashBits(len(ops))
	n := 0
	for _, op := range ops {
		if h := s.hash(op); once.add(h) && !s.shared.add(h) {
			n++
		}
	}
	s.last, s.ops = make(map[opTarget]int32, n), make([]chainedOp, 0, 2*n)
	return s
}

// hash hashes op's target and key: two operations that opSet compares have
// the same.
func (s *opSet) hash(op *Op) uint64 {
	return nodeHash(op.Target) ^ maphash.String(s.seed, op.Key)
}

// duplicate reports whether an earlier operation means the same as op, and
// remembers op. Two fixes that make the same operation produce identical
// edits, which Apply writes once; the operation must then count once too.
// Values are compared as they are written in the file's style (a plain
// string that needs quotes and the same string marked quoted are one
// text), as Apply compares the edits.
func (s *opSet) duplicate(op *Op) bool {
	if !s.shared.mayHave(s.hash(op)) {
		return false // no other operation has its target and key
	}
	t := opTarget{op.Target, op.Key}
	for i := s.last[t]; i > 0; i = s.ops[i-1].prev {
		e := s.ops[i-1].op
		if e.Kind == op.Kind && e.Before == op.Before && (e == op || writtenSame(s.style, e.Value, op.Value)) {
			return true
		}
	}
	s.ops = append(s.ops, chainedOp{op, s.last[t]})
	s.last[t] = int32(len(s.ops))
	return false
}

// writtenSame reports whether two new nodes render to the same text.
func writtenSame(st Style, a, b *yaml.Node) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.Kind == yaml.AliasNode || b.Kind == yaml.AliasNode {
		return a.Kind == b.Kind && a.Alias == b.Alias
	}
	return a.Anchor == b.Anchor && Render(a, st, 0) == Render(b, st, 0)
}

// comparer compares the intended tree with a decoded one.
type comparer struct {
	in *intended
	// explain builds the path of each node compared, for the message
	// about a difference.
	explain bool
	// seen holds the pairs reached through an alias: only those can be
	// reached again, and comparing them once keeps an alias-heavy file
	// linear.
	seen map[[2]*yaml.Node]bool
	// With explain, out is the first differing node's position in the
	// edited text, and from the input position of the node compared
	// there, or of the nearest input node around it (an added node has
	// none).
	out, from Pos
}

// same compares two node trees as a decoder would see them: aliases
// followed, scalars by resolved tag and value (any null equals any null),
// mappings pair by pair in order, sequences item by item. Styles, anchor
// names and comments do not count. want is read through c.in. With
// explain, it returns the path of the first difference with ok false.
// Comparing the trees directly costs a fraction of decoding both to Go
// values, which verification did before.
func (c *comparer) same(want, got *yaml.Node, path string) (string, bool) {
	if c.explain {
		// Positions before resolving: the alias as written, the input
		// node itself (an operation's copy carries its value's position).
		from := c.from
		if want != nil && want.Line > 0 {
			c.from = Pos{Line: want.Line, Col: want.Column}
		}
		if got != nil {
			c.out = Pos{Line: got.Line, Col: got.Column}
		}
		p, ok := c.compare(want, got, path)
		if ok {
			c.from = from
		}
		return p, ok
	}
	return c.compare(want, got, path)
}

// compare is same without the positions' bookkeeping.
func (c *comparer) compare(want, got *yaml.Node, path string) (string, bool) {
	if want != nil {
		want = c.in.cur(want) // once: a lookup per node of a large tree
		// Most nodes are scalars the parser tagged alike: equal as the
		// general way below finds them (decodedTag is the tag itself),
		// without its bookkeeping. A difference takes the general way,
		// which words it.
		if got != nil && want.Kind == yaml.ScalarNode && got.Kind == yaml.ScalarNode && want.Tag == got.Tag &&
			(want.Value == got.Value || want.Tag == "!!null") && strings.HasPrefix(want.Tag, "!!") {
			return "", true
		}
	}
	aliased := want != nil && want.Kind == yaml.AliasNode || got != nil && got.Kind == yaml.AliasNode
	want, got = c.in.resolveCur(want), Resolve(got)
	at := path
	if at == "" {
		at = "the root"
	}
	if want == nil || got == nil {
		if want == got {
			return "", true
		}
		return at + " (a dangling alias)", false
	}
	if aliased {
		pair := [2]*yaml.Node{want, got}
		if c.seen[pair] { // shared through aliases: compared already (or in progress)
			return "", true
		}
		if c.seen == nil {
			c.seen = map[[2]*yaml.Node]bool{}
		}
		c.seen[pair] = true
	}
	if want.Kind != got.Kind {
		if !c.explain {
			return "", false
		}
		return fmt.Sprintf("%s (expected a %s, got a %s)", at, kindName(want), kindName(got)), false
	}
	switch want.Kind {
	case yaml.ScalarNode:
		wt, gt := decodedTag(want), decodedTag(got)
		if wt != gt || wt != "!!null" && want.Value != got.Value {
			if !c.explain {
				return "", false
			}
			return fmt.Sprintf("%s (expected %s %q, got %s %q)", at, wt, want.Value, gt, got.Value), false
		}
		return "", true
	case yaml.MappingNode:
		if len(want.Content) != len(got.Content) {
			if !c.explain {
				return "", false
			}
			c.firstExtra(want, got, 2)
			return fmt.Sprintf("%s (expected %d keys, got %d)", at, len(want.Content)/2, len(got.Content)/2), false
		}
		for i := 0; i+1 < len(want.Content); i += 2 {
			var key, keyAt string
			if c.explain {
				key = path + "." + c.in.cur(want.Content[i]).Value
				keyAt = key + " (key)"
			}
			if p, ok := c.same(want.Content[i], got.Content[i], keyAt); !ok {
				return p, false
			}
			if p, ok := c.same(want.Content[i+1], got.Content[i+1], key); !ok {
				return p, false
			}
		}
		return "", true
	}
	if len(want.Content) != len(got.Content) {
		if !c.explain {
			return "", false
		}
		c.firstExtra(want, got, 1)
		return fmt.Sprintf("%s (expected %d items, got %d)", at, len(want.Content), len(got.Content)), false
	}
	for i := range want.Content {
		item := path
		if c.explain && want.Kind == yaml.SequenceNode {
			item = fmt.Sprintf("%s[%d]", path, i)
		}
		if p, ok := c.same(want.Content[i], got.Content[i], item); !ok {
			return p, false
		}
	}
	return "", true
}

// sameVisiting is same(want, got, "") for two document nodes, telling
// visit the entries of got's root mapping, and the services of its
// services mapping when visit asks, each once it is found equal to the
// intended one. Where the trees are not plain mappings at those levels
// (an alias, a length that differs) it abandons visit and compares as
// same does; what it compares, and the verdict, are same's.
func (c *comparer) sameVisiting(want, got *yaml.Node, visit EntryVisitor) bool {
	whole := func(want, got *yaml.Node) bool {
		visit.Abandon()
		_, ok := c.same(want, got, "")
		return ok
	}
	wdoc := c.in.cur(want)
	if wdoc.Kind != yaml.DocumentNode || got.Kind != yaml.DocumentNode || len(wdoc.Content) != 1 || len(got.Content) != 1 {
		return whole(want, got)
	}
	wroot, groot := c.in.cur(wdoc.Content[0]), got.Content[0]
	if !plainPair(wroot, groot) || !visit.Root(groot) {
		return whole(wdoc.Content[0], groot)
	}
	for i := 0; i+1 < len(wroot.Content); i += 2 {
		wk, wv, gk, gv := wroot.Content[i], wroot.Content[i+1], groot.Content[i], groot.Content[i+1]
		if _, ok := c.same(wk, gk, ""); !ok {
			return false
		}
		// A visit told of an entry that then differs is abandoned by
		// VerifyLoadVisit, with the whole verification.
		wsvcs, services := c.in.cur(wv), visit.Entry(gk, gv)
		if services && !plainPair(wsvcs, gv) {
			visit.Abandon()
			services = false
		}
		if !services {
			if _, ok := c.same(wv, gv, ""); !ok {
				return false
			}
			continue
		}
		// The services, compared as compare compares two mappings, each
		// told to visit as soon as it is.
		known := wsvcs == wv && visit.InputServices(wv)
		for j := 0; j+1 < len(gv.Content); j += 2 {
			if _, ok := c.same(wsvcs.Content[j], gv.Content[j], ""); !ok {
				return false
			}
			if _, ok := c.same(wsvcs.Content[j+1], gv.Content[j+1], ""); !ok {
				return false
			}
			// The input's service at this place is the input's service of
			// this name only while the names agree: an operation may
			// rename a service's key in place (SetScalar on the key),
			// which leaves the services mapping itself unchanged.
			var was *yaml.Node
			here := known && wv.Content[j].Value == gv.Content[j].Value
			if here {
				was = wv.Content[j+1]
			}
			visit.Service(gv.Content[j], gv.Content[j+1], was, here)
		}
	}
	return true
}

// plainPair reports whether want (read through the intended tree) and got
// are mappings of the same length, neither an alias: compared entry by
// entry in order, as compare does.
func plainPair(want, got *yaml.Node) bool {
	return want.Kind == yaml.MappingNode && got.Kind == yaml.MappingNode && len(want.Content) == len(got.Content)
}

// firstExtra points c.out at the first entry of got (a collection whose
// length differs from want's) that differs from want's entry at the same
// place, or is beyond want's end: a key added at the wrong indentation,
// say, rather than the mapping that gained it. step is 2 for a mapping
// (its keys are compared), 1 for a sequence. A shorter got keeps c.out at
// the collection.
func (c *comparer) firstExtra(want, got *yaml.Node, step int) {
	for i := 0; i < len(got.Content); i += step {
		if i >= len(want.Content) || !c.quietlySame(want.Content[i], got.Content[i]) {
			c.out = Pos{Line: got.Content[i].Line, Col: got.Content[i].Column}
			return
		}
	}
}

// quietlySame is same without explaining, sharing what was compared.
// Sharing cannot hide a difference: when it runs, seen holds the pairs
// found equal and the aliased pairs on the path to the collection being
// explained, and an entry of that collection could reach one of the
// latter only through an alias inside its own anchor, in both trees,
// which Load refuses.
func (c *comparer) quietlySame(want, got *yaml.Node) bool {
	q := &comparer{in: c.in, seen: c.seen}
	_, ok := q.compare(want, got, "")
	c.seen = q.seen
	return ok
}

// decodedTag is the tag a decoder treats a scalar as: its resolved tag, with
// a local tag (!foo) read as a string, as yaml.v3 decodes it.
func decodedTag(n *yaml.Node) string {
	t := shortTag(n)
	if !strings.HasPrefix(t, "!!") {
		return "!!str"
	}
	return t
}
