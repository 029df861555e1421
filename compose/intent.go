package compose

import (
	"encoding/binary"
	"errors"
	"fmt"

	"go.yaml.in/yaml/v3"
)

// Intent is the intended tree of a verification (a document's tree with
// operations replayed, as Verify compares it) encoded compactly, holding
// no node of the document: a caller can let the document's tree go before
// it loads the output, so that the two trees are never in memory at once.
// For the 8 MiB benchmark file (100,287 services) the input's tree is
// about 175 MB and the output's 500 MB; the encoding is a few megabytes,
// since the value nodes that fixes share (one healthcheck for every
// service) are encoded once.
//
// VerifyLoad compares exactly as Verify does (aliases followed, scalars by
// decoded tag and value, collections entry by entry; styles, anchors,
// comments and collection tags do not count) but only says whether the
// output matches. Verify, on the document and the operations, says where
// it does not.
type Intent struct {
	path string
	// buf holds the records, each after the records it refers to: a
	// collection record is its kind, its number of entries and the
	// entries; an entry is a scalar (decoded tag and value, as indexes
	// into strs), a collection (the offset of its record), nil, or an
	// alias mark followed by one of those. root is the record of the
	// document list.
	buf  []byte
	strs []string
	root int
}

// Entry kinds in an Intent's records.
const (
	intentScalar byte = iota
	intentColl
	intentAlias
	intentNil
)

// errIntentCycle is an intended tree that reaches a collection from
// inside itself, which Load refuses in a file and no operation makes.
var errIntentCycle = errors.New("the intended tree is recursive")

// Intend replays ops on d's tree, as Verify does, and encodes the result.
// The Intent refers to no node: neither d's tree nor ops are needed to
// verify the output with it.
func Intend(d *Document, ops []*Op) (*Intent, error) {
	in, err := intendedOf(d, ops)
	if err != nil {
		return nil, err
	}
	e := &intentEncoder{in: in, idx: map[string]uint32{}, locs: map[*yaml.Node]int{}}
	docs := &yaml.Node{Kind: yaml.SequenceNode, Content: d.Docs} // the list of documents, as a record
	root, err := e.coll(docs, 0)
	if err != nil {
		return nil, err
	}
	return &Intent{path: d.Path, buf: e.buf, strs: e.strs, root: root}, nil
}

// intentEncoder writes an Intent.
type intentEncoder struct {
	in   *intended
	buf  []byte
	strs []string
	idx  map[string]uint32
	// locs holds the offset of each collection encoded, by its intended
	// node: a node that several fixes share is encoded once. A node in
	// progress is -1.
	locs map[*yaml.Node]int
	// scratch holds a record's entries, by depth, while its collections
	// are encoded.
	scratch [][]byte
}

func (e *intentEncoder) str(s string) uint64 {
	i, ok := e.idx[s]
	if !ok {
		i = uint32(len(e.strs))
		e.idx[s] = i
		e.strs = append(e.strs, s)
	}
	return uint64(i)
}

// entry appends the entry for n, a child as its parent holds it (the
// intended version is read through e.in), as comparer.compare reads want.
func (e *intentEncoder) entry(dst []byte, n *yaml.Node, depth int) ([]byte, error) {
	if n == nil {
		return append(dst, intentNil), nil
	}
	w := e.in.cur(n)
	if w.Kind == yaml.AliasNode {
		dst = append(dst, intentAlias)
		w = e.in.resolveCur(w)
	}
	switch {
	case w == nil:
		return append(dst, intentNil), nil
	case w.Kind == yaml.ScalarNode:
		dst = append(dst, intentScalar)
		dst = binary.AppendUvarint(dst, e.str(decodedTag(w)))
		return binary.AppendUvarint(dst, e.str(w.Value)), nil
	}
	loc, err := e.coll(w, depth+1)
	if err != nil {
		return nil, err
	}
	return binary.AppendUvarint(append(dst, intentColl), uint64(loc)), nil
}

// coll encodes collection w (an intended node) once and returns its
// record's offset.
func (e *intentEncoder) coll(w *yaml.Node, depth int) (int, error) {
	if loc, ok := e.locs[w]; ok {
		if loc < 0 {
			return 0, errIntentCycle
		}
		return loc, nil
	}
	e.locs[w] = -1
	for len(e.scratch) <= depth {
		e.scratch = append(e.scratch, nil)
	}
	rec := append(e.scratch[depth][:0], byte(w.Kind))
	rec = binary.AppendUvarint(rec, uint64(len(w.Content)))
	for _, c := range w.Content {
		var err error
		if rec, err = e.entry(rec, c, depth); err != nil {
			return 0, err
		}
	}
	e.scratch[depth] = rec
	loc := len(e.buf)
	e.buf = append(e.buf, rec...)
	e.locs[w] = loc
	return loc, nil
}

// ErrNotIntended is an output that does not decode to the intended tree
// (see Intent.VerifyLoad).
var ErrNotIntended = errors.New("the edited file differs from the intended tree")

// VerifyLoad loads out, the edited bytes, and checks that it decodes to
// the intended tree. It returns the loaded document, as VerifyLoad does;
// a difference is ErrNotIntended, without saying where.
func (t *Intent) VerifyLoad(out []byte) (*Document, error) {
	got, err := LoadWith(t.path, out, LoadOptions{AllowNonCompose: true, Limit: MaxOutputSize})
	if err != nil {
		return nil, fmt.Errorf("the edited file does not load: %w", err)
	}
	docs := &yaml.Node{Kind: yaml.SequenceNode, Content: got.Docs}
	if !(&intentReader{t: t}).record(t.root, docs) {
		return nil, ErrNotIntended
	}
	return got, nil
}

// intentReader compares a decoded tree with an Intent.
type intentReader struct {
	t *Intent
	// seen holds the pairs reached through an alias, as comparer.seen.
	seen map[intentPair]bool
}

type intentPair struct {
	loc int
	got *yaml.Node
}

func (r *intentReader) uvarint(b []byte) (uint64, []byte) {
	v, n := binary.Uvarint(b)
	return v, b[n:]
}

// record compares got with the collection record at loc.
func (r *intentReader) record(loc int, got *yaml.Node) bool {
	b := r.t.buf[loc:]
	kind := yaml.Kind(b[0])
	n, b := r.uvarint(b[1:])
	if got.Kind != kind || uint64(len(got.Content)) != n {
		return false
	}
	for _, c := range got.Content {
		var ok bool
		if b, ok = r.entry(b, c); !ok {
			return false
		}
	}
	return true
}

// entry compares got with the entry at the start of b and returns what
// follows the entry.
func (r *intentReader) entry(b []byte, got *yaml.Node) ([]byte, bool) {
	aliased := got != nil && got.Kind == yaml.AliasNode
	if b[0] == intentAlias {
		aliased, b = true, b[1:]
	}
	got = Resolve(got)
	switch b[0] {
	case intentNil:
		return b[1:], got == nil
	case intentScalar:
		tag, rest := r.uvarint(b[1:])
		val, rest := r.uvarint(rest)
		if got == nil || got.Kind != yaml.ScalarNode {
			return rest, false
		}
		wt := r.t.strs[tag]
		return rest, wt == decodedTag(got) && (wt == "!!null" || r.t.strs[val] == got.Value)
	}
	v, rest := r.uvarint(b[1:])
	loc := int(v)
	if got == nil {
		return rest, false
	}
	if aliased {
		p := intentPair{loc, got}
		if r.seen[p] { // shared through aliases: compared already (or in progress)
			return rest, true
		}
		if r.seen == nil {
			r.seen = map[intentPair]bool{}
		}
		r.seen[p] = true
	}
	return rest, r.record(loc, got)
}
