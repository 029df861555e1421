package compose

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/composefix/composefix/internal/lazyre"
	"go.yaml.in/yaml/v3"
)

// MaxSize is the largest file Load accepts, in bytes. Real compose files are
// well under 100 KB (the largest corpus file is 30 KB); the limit keeps
// memory bounded on accidental input such as a log file or a disk image.
const MaxSize = 8 << 20

// MaxOutputSize is the largest fixed file composefix reads back to verify
// it. MaxSize guards against hostile or accidental input; a fixed file is
// not input but composefix's own fixes applied to a file under MaxSize,
// and the rules add a bounded amount per service (a healthcheck, a
// restart policy, a logging reference, limits: a few hundred bytes), so
// even a file of the smallest services grows by a bounded factor. The
// bound keeps verification's memory finite should a rule misbehave.
const MaxOutputSize = 8 * MaxSize

// Document is a loaded compose file: the original bytes (the truth), the
// yaml.v3 node tree used to locate things, a line index and the file's style.
type Document struct {
	Path  string
	Src   []byte
	Root  *yaml.Node // the first document's root mapping
	Docs  []*yaml.Node
	Style Style

	lineStarts  []int                     // byte offset of the start of each line; lineStarts[0] is 0, or 3 after a byte-order mark
	aliasScan   bool                      // Load noted the alias targets
	aliased     map[*yaml.Node]bool       // the nodes an alias names (see AliasTargets)
	mergeFree   bool                      // Load found no merge key; false: unknown
	parents     map[*yaml.Node]*yaml.Node // each node's parent collection (aliases not followed); built on first use
	parentsOnce sync.Once
	entries     recentEntries // InsertKey's latest texts
	// explicit is set when the source may hold an explicit key (see
	// mayHaveExplicitKeys), found on first use.
	explicit     bool
	explicitOnce sync.Once
	// dropped is set while DropTree has let the tree go.
	dropped bool
}

// Pos is a 1-based position; Col counts characters, not bytes.
type Pos struct {
	Line int
	Col  int
}

func (p Pos) String() string { return strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Col) }

// Span is a byte range [Start, End) of the original source.
type Span struct {
	Start int
	End   int
}

// Options for Load.
type LoadOptions struct {
	// AllowNonCompose accepts a mapping root without a services key (used
	// for fragments in tests and for included files).
	AllowNonCompose bool
	// Limit is the largest source accepted, in bytes; 0: MaxSize.
	// Verification reads composefix's own output with MaxOutputSize.
	Limit int
}

// Load parses src into a Document. Every error is a *PosError naming path
// and, where there is one, line and column.
func Load(path string, src []byte) (*Document, error) {
	return LoadWith(path, src, LoadOptions{})
}

// LoadWith is Load with options.
func LoadWith(path string, src []byte, opts LoadOptions) (*Document, error) {
	limit := opts.Limit
	if limit == 0 {
		limit = MaxSize
	}
	if len(src) > limit {
		return nil, &PosError{Path: path, Msg: fmt.Sprintf("file is %d bytes; the limit is %d bytes", len(src), limit)}
	}
	if enc := utf16Encoding(src); enc != "" {
		return nil, &PosError{Path: path, Msg: "the file is " + enc + "-encoded; composefix reads UTF-8 (convert it with iconv -f " + enc + " -t UTF-8)"}
	}
	if i := bytes.IndexByte(src, 0); i >= 0 {
		p := positionOf(src, i)
		return nil, &PosError{Path: path, Line: p.Line, Col: p.Col, Msg: "binary data (NUL byte): not a YAML file"}
	}
	if !utf8.Valid(src) {
		i := firstInvalidUTF8(src)
		p := positionOf(src, i)
		return nil, &PosError{Path: path, Line: p.Line, Col: p.Col, Msg: "invalid UTF-8"}
	}
	if i := loneCR(src); i >= 0 {
		p := positionOf(src, i)
		return nil, &PosError{Path: path, Line: p.Line, Col: p.Col,
			Msg: "CR-only line endings (a carriage return without a line feed) are not supported; convert the file to LF or CRLF line endings"}
	}
	d := &Document{Path: path, Src: src, lineStarts: lineStarts(src)}
	dec := yaml.NewDecoder(bytes.NewReader(src))
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, YAMLError(path, src, err)
		}
		d.Docs = append(d.Docs, &n)
	}
	if len(d.Docs) == 0 || len(d.Docs[0].Content) == 0 {
		return nil, &PosError{Path: path, Msg: "empty file: no compose document", Unsupported: true}
	}
	// compose's loader merges every document of a file into the first, as
	// an overlay would: fixing the first alone would be fixing half the
	// file, so a second document is refused where it starts.
	if len(d.Docs) > 1 {
		second := d.Docs[1]
		return nil, &PosError{Path: path, Line: second.Line, Col: second.Column,
			Msg: "a second YAML document starts here; compose merges the documents of a file, which composefix does not: split them into a base file and an overlay", Unsupported: true}
	}
	root := d.Docs[0].Content[0]
	if root.Kind != yaml.MappingNode {
		at := root
		if root.Kind == yaml.ScalarNode && root.Tag == "!!null" && root.Value == "" {
			// An implicit null ("---" and nothing after it) is placed
			// after all yaml.v3 read, past the last line when nothing
			// follows: the document's start is where it is.
			at = d.Docs[0]
		}
		return nil, &PosError{Path: path, Line: at.Line, Col: at.Column,
			Msg: fmt.Sprintf("the document is a %s; expected a mapping with a services key", kindName(root))}
	}
	d.Root = root
	// One walk refuses duplicate keys, counts the style and notes aliases
	// and merge keys: a large file's tree does not fit in the processor's
	// cache, and each walk reads it from memory again.
	// The bound grows with the size accepted: a fixed file may repeat an
	// alias (the logging anchor) in each of its services.
	scan := treeScan{d: d, maxNodes: maxExpandedNodes * max(1, limit/MaxSize)}
	for _, doc := range d.Docs {
		if _, err := scan.walk(path, doc, 0); err != nil {
			return nil, err
		}
	}
	d.aliasScan, d.aliased, d.mergeFree = true, scan.aliased, !scan.merges
	// Rules resolve aliases and merge keys: refuse a document whose
	// expansion explodes (billion laughs) or whose merge keys cannot merge,
	// before any rule walks it. Without aliases nothing can expand, and a
	// merge key's value is not checked.
	if len(scan.aliased) > 0 && scan.expandErr != nil {
		return nil, scan.expandErr
	}
	if !opts.AllowNonCompose {
		if _, v := MapGet(root, "services"); v == nil {
			return nil, &PosError{Path: path, Line: root.Line, Col: root.Column,
				Msg: "not a compose file: no top-level services key"}
		} else if v.Kind != yaml.MappingNode && !isNull(v) {
			return nil, &PosError{Path: path, Line: v.Line, Col: v.Column,
				Msg: fmt.Sprintf("services is a %s; expected a mapping of service names", kindName(v))}
		}
	}
	d.Style = scan.style.style(d)
	return d, nil
}

var yamlLineRE = lazyre.New(`(?:line|yaml: line) (\d+)(?:, column (\d+))?`)

// parserProblemRE matches the problems yaml.v3's parser (not its scanner)
// reports: it numbers their lines from 0.
var parserProblemRE = lazyre.New(`did not find expected|found undefined tag handle|found duplicate %|found incompatible YAML document`)

var (
	yamlPrefixRE = lazyre.New(`^yaml: (line \d+: )?`)
	unknownRE    = lazyre.New(`unknown anchor '([^']*)' referenced`)
)

// YAMLError turns a yaml.v3 error into a PosError, extracting the line (and
// column when yaml.v3 gives one) from its message.
//
// yaml.v3 numbers the lines of parser errors ("did not find expected ...")
// from 0 and those of scanner errors from 1, leaves out the line when its
// 0-based mark is 0 (any problem on the first line, such as a tab there or
// the depth limit reached on it), and names no line for an unknown anchor:
// the first is corrected, the second is line 1, the last located in src.
// A quoted scalar that runs to the end of the stream ("found unexpected
// end of stream") is placed at its opening quote, which yaml.v3 names the
// line of only when it is not line 1 (unterminatedQuote). Another problem
// at the end of the stream, which yaml.v3 marks on the empty line after
// the final newline, on a blank line after the content, or one line past
// the end of a file without a final newline, is the position just past
// the last content, with or without a final newline.
func YAMLError(path string, src []byte, err error) *PosError {
	msg := err.Error()
	pe := &PosError{Path: path, Msg: "invalid YAML"}
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	if m := unknownRE().FindStringSubmatch(msg); m != nil {
		if i := bytes.Index(src, []byte("*"+m[1])); i >= 0 {
			p := positionOf(src, i)
			pe.Line, pe.Col = p.Line, p.Col
		}
	} else {
		pe.Line, pe.Col = 1, 1
		m := yamlLineRE().FindStringSubmatch(msg)
		lined := m != nil
		if lined {
			pe.Line, _ = strconv.Atoi(m[1])
			if m[2] != "" {
				pe.Col, _ = strconv.Atoi(m[2])
			}
			if parserProblemRE().MatchString(msg) {
				pe.Line++
			}
		}
		// A line after the last with content, or past the end of src (a
		// file without a final newline), is the end of the stream; so is
		// an end-of-stream problem yaml.v3 names no line for, which is on
		// the first line.
		line, col := endOfContent(src)
		atEnd := pe.Line > line || !lined && strings.Contains(msg, "unexpected end of stream")
		if quote, ok := unterminatedQuote(msg, src, lined, pe.Line); ok {
			pe.Line, pe.Col = quote.Line, quote.Col
		} else if last := bytes.Count(src, []byte{'\n'}) + 1; line > 0 && atEnd {
			pe.Line, pe.Col = line, col
		} else if pe.Line > last {
			pe.Line = last
		}
		if strings.Contains(msg, "cannot start any token") {
			pe.Col = badTokenCol(src, pe.Line)
		}
		if strings.Contains(msg, "control characters are not allowed") {
			// A reader error: yaml.v3 keeps its offset out of the message.
			if i := firstControl(src); i >= 0 {
				p := positionOf(src, i)
				pe.Line, pe.Col = p.Line, p.Col
			}
		}
	}
	// Keep yaml.v3's own words minus its "yaml: line N:" prefix, which the
	// position already says.
	pe.Msg = "invalid YAML: " + yamlPrefixRE().ReplaceAllString(msg, "")
	return pe
}

// endOfContent returns the line of the last character of src that is not
// a space or a line break and the column just past it (counted as
// positionOf counts, after a byte-order mark); line 0 when src has none. A
// tab is content: yaml.v3 names its line for the tab itself.
func endOfContent(src []byte) (line, col int) {
	content := bytes.TrimRight(src, " \r\n")
	if len(content) == 0 {
		return 0, 0
	}
	p := positionOf(src, len(content))
	return p.Line, p.Col
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "sequence"
	case yaml.AliasNode:
		return "alias"
	case yaml.ScalarNode:
		if isNull(n) {
			return "null"
		}
		return "scalar"
	}
	return "document"
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// treeScan is Load's walk of the documents' trees.
type treeScan struct {
	d       *Document
	style   styleTally
	aliased map[*yaml.Node]bool // the nodes an alias names; nil: none
	merges  bool                // a merge key occurs

	// The expansion check, in the same walk (a second walk of a large
	// file's tree read it from memory again): maxNodes bounds the
	// document's nodes with every alias expanded; sizes holds each
	// anchored node's expanded size, -1 while the walk is inside it;
	// firstAlias is where a bomb is reported; expandErr is the first
	// violation, which counts only when the document has aliases.
	maxNodes   int
	sizes      map[*yaml.Node]int
	firstAlias *yaml.Node
	expandErr  error
}

// walk checks n and the nodes under it for duplicate keys, counts their
// style and notes aliases and merge keys, parents first. It also counts
// their nodes with every alias expanded, memoised per anchored node so
// that the count stays linear, and checks that merge keys name mappings
// (or sequences of them): the protection decoding to Go values gives,
// without building the values. It returns n's expanded size, until
// expandErr is set.
func (s *treeScan) walk(path string, n *yaml.Node, depth int) (int, error) {
	s.style.visit(s.d, n)
	// Only an anchored node can be reached again (an alias names an
	// anchor; any other node has one parent): only those are memoised.
	anchored := n.Anchor != ""
	if anchored {
		if s.sizes == nil {
			s.sizes = map[*yaml.Node]int{}
		}
		s.sizes[n] = -1
	}
	if depth > 10000 {
		s.expansionError(&PosError{Path: path, Line: n.Line, Col: n.Column, Msg: "cannot expand aliases: nesting too deep"})
	}
	total := 1
	switch n.Kind {
	case yaml.AliasNode:
		if n.Alias != nil {
			if s.aliased == nil {
				s.aliased = map[*yaml.Node]bool{}
			}
			s.aliased[n.Alias] = true
		}
		if s.firstAlias == nil {
			s.firstAlias = n
		}
		// The anchor comes before its aliases in the document, so the
		// walk has met it: it is done, or it holds this alias.
		if size, ok := s.sizes[n.Alias]; ok && size < 0 {
			s.expansionError(&PosError{Path: path, Line: n.Alias.Line, Col: n.Alias.Column, Msg: "cannot expand aliases: an alias refers to a node that contains it"})
		} else if ok {
			total = size
		}
	case yaml.MappingNode:
		if err := checkKeys(path, n); err != nil {
			return 0, err
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if IsMergeKey(n.Content[i]) {
				s.merges = true
				if v := n.Content[i+1]; !mergeValue(v) {
					s.expansionError(&PosError{Path: path, Line: v.Line, Col: v.Column,
						Msg: "a merge key (<<) takes a mapping, an alias of one, or a sequence of them"})
				}
			}
		}
	}
	for _, c := range n.Content {
		size := 1
		if c.Kind == yaml.ScalarNode && c.Anchor == "" && depth < 10000 {
			// Most nodes are such scalars, each a single node: walked
			// here, without a call, which cost more than the rest of
			// the walk does for them (what walk does for one, less
			// the bookkeeping of anchors).
			s.style.scalar(c)
		} else {
			var err error
			if size, err = s.walk(path, c, depth+1); err != nil {
				return 0, err
			}
		}
		if s.expandErr == nil {
			if total += size; total > s.maxNodes {
				at := s.firstAlias
				if at == nil {
					at = n
				}
				s.expansionError(&PosError{Path: path, Line: at.Line, Col: at.Column,
					Msg: fmt.Sprintf("cannot expand aliases: the document expands to more than %d nodes", s.maxNodes)})
			}
		}
	}
	if anchored {
		s.sizes[n] = total
	}
	return total, nil
}

// expansionError keeps err when it is the walk's first expansion error.
func (s *treeScan) expansionError(err error) {
	if s.expandErr == nil {
		s.expandErr = err
	}
}

// checkKeys refuses a mapping with two equal keys.
func checkKeys(path string, n *yaml.Node) error {
	i, j := RepeatedKey(n)
	if i < 0 {
		return nil
	}
	// yaml.v3 decodes a merge key and the string '<<' alike: one of
	// each is a duplicate too.
	k, prev := n.Content[i], n.Content[j]
	msg := fmt.Sprintf("duplicate key %q (first defined at line %d)", k.Value, prev.Line)
	if k.Tag == "!!merge" && prev.Tag == "!!merge" {
		msg = fmt.Sprintf("duplicate merge key (first at line %d); merge several mappings with <<: [*a, *b]", prev.Line)
	}
	return &PosError{Path: path, Line: k.Line, Col: k.Column, Msg: msg}
}

// RepeatedKey returns the index in m.Content of the first scalar key of
// mapping m whose value an earlier scalar key has, and the index of the
// first such earlier key; -1, -1 when no scalar key repeats.
func RepeatedKey(m *yaml.Node) (i, prev int) {
	c := m.Content
	if len(c) > 2*64 {
		seen := make(map[string]int, len(c)/2)
		for i := 0; i+1 < len(c); i += 2 {
			if k := c[i]; k.Kind == yaml.ScalarNode {
				if j, ok := seen[k.Value]; ok {
					return i, j
				}
				seen[k.Value] = i
			}
		}
		return -1, -1
	}
	// Up to 64 keys, as most mappings have, without a map: each key's
	// value has a 6-bit summary, and only a key whose summary an earlier
	// key has is compared with the earlier keys, and only with those of
	// its summary. Comparing every pair cost more than the rest of Load's
	// walk of a tree.
	var sums [64]uint8
	var seen uint64
	for i := 0; i+1 < len(c); i += 2 {
		k := c[i]
		if k.Kind != yaml.ScalarNode {
			continue
		}
		h := KeySum(k.Value)
		sums[i/2] = h
		if seen&(1<<h) != 0 {
			for j := 0; j < i; j += 2 {
				if sums[j/2] == h && c[j].Kind == yaml.ScalarNode && c[j].Value == k.Value {
					return i, j
				}
			}
		}
		seen |= 1 << h
	}
	return -1, -1
}

// KeySum is a 6-bit summary of a key, for sets of keys that compare only
// the keys whose summaries are equal: equal keys have equal summaries.
func KeySum(v string) uint8 {
	if v == "" {
		return 0
	}
	return uint8((len(v) + int(v[0])*5 + int(v[len(v)-1])*17) & 63)
}

// badTokenCol returns the column of the first character on a line that
// yaml.v3's "found character that cannot start any token" is about: a tab
// where indentation is expected, or a reserved indicator (@ or `). The
// scanner does not say which; 1 when none is found.
func badTokenCol(src []byte, line int) int {
	start := 0
	for l := 1; l < line; l++ {
		i := bytes.IndexByte(src[start:], '\n')
		if i < 0 {
			return 1
		}
		start += i + 1
	}
	text := src[start:]
	if i := bytes.IndexByte(text, '\n'); i >= 0 {
		text = text[:i]
	}
	indent := true
	for i, r := range string(text) {
		switch {
		case r == '\t' && indent, r == '@', r == '`':
			return utf8.RuneCount(text[:i]) + 1
		case r != ' ':
			indent = false
		}
	}
	return 1
}

// firstControl returns the offset of the first character YAML does not
// allow in a stream (a control character other than tab and line breaks,
// DEL, a C1 control other than NEL, a surrogate, U+FFFE or U+FFFF), or -1.
func firstControl(src []byte) int {
	for i, r := range string(src) {
		switch {
		case r == '\t' || r == '\n' || r == '\r' || r == 0x85:
		case r < 0x20, r >= 0x7f && r < 0xa0, r >= 0xd800 && r < 0xe000, r == 0xfffe, r == 0xffff:
			return i
		}
	}
	return -1
}

// utf16Encoding names the UTF-16 encoding src is in, by its byte-order mark
// or, without one, by a first character that is ASCII with a NUL byte
// beside it; "" when src does not look like UTF-16.
func utf16Encoding(src []byte) string {
	switch {
	case len(src) < 2:
		return ""
	case src[0] == 0xff && src[1] == 0xfe, src[0] != 0 && src[0] < 0x80 && src[1] == 0:
		return "UTF-16LE"
	case src[0] == 0xfe && src[1] == 0xff, src[0] == 0 && src[1] != 0 && src[1] < 0x80:
		return "UTF-16BE"
	}
	return ""
}

// loneCR returns the offset of the first carriage return not followed by a
// line feed, or -1. YAML reads one as a line break, while every offset and
// line in composefix counts line feeds.
func loneCR(src []byte) int {
	for i := bytes.IndexByte(src, '\r'); i >= 0; {
		if i+1 == len(src) || src[i+1] != '\n' {
			return i
		}
		j := bytes.IndexByte(src[i+1:], '\r')
		if j < 0 {
			return -1
		}
		i += 1 + j
	}
	return -1
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return len(b)
}

// bom is the UTF-8 byte-order mark. compose accepts a file that starts with
// one, and yaml.v3 skips it without counting it as a column: the first line
// starts after it, so every position, and every edit at the top of the
// file, lands after it and it is kept.
var bom = []byte("\ufeff")

func lineStarts(src []byte) []int {
	starts := make([]int, 1, bytes.Count(src, []byte{'\n'})+1)
	if bytes.HasPrefix(src, bom) {
		starts[0] = len(bom)
	}
	// IndexByte finds each newline faster than a loop over every byte
	// (every pass's output is indexed).
	for at := 0; ; {
		i := bytes.IndexByte(src[at:], '\n')
		if i < 0 {
			return starts
		}
		at += i + 1
		starts = append(starts, at)
	}
}

// positionOf computes a position without a line index (used before one exists).
func positionOf(src []byte, off int) Pos {
	line := bytes.Count(src[:off], []byte{'\n'}) + 1
	start := bytes.LastIndexByte(src[:off], '\n') + 1
	if start == 0 && off >= len(bom) && bytes.HasPrefix(src, bom) {
		start = len(bom)
	}
	return Pos{Line: line, Col: utf8.RuneCount(src[start:off]) + 1}
}

// Offset returns the byte offset of a 1-based line and character column. A
// column past the end of the line clamps to the line's end (before its line
// break).
func (d *Document) Offset(line, col int) int {
	if line < 1 {
		return 0
	}
	if line > len(d.lineStarts) {
		return len(d.Src)
	}
	off := d.lineStarts[line-1]
	// ASCII characters are a byte each: walk them without finding the
	// line's end first (LineEnd reads the whole line, for every node a
	// rule locates), and decode from the first other byte on.
	src := d.Src
	for c := 1; c < col; c++ {
		if off == len(src) {
			return off
		}
		b := src[off]
		if b >= utf8.RuneSelf {
			end := d.LineEnd(off)
			for ; c < col && off < end; c++ {
				_, size := utf8.DecodeRune(src[off:end])
				off += size
			}
			return off
		}
		if b == '\n' || b == '\r' && off+1 < len(src) && src[off+1] == '\n' {
			return off // the line's end, as LineEnd finds it
		}
		off++
	}
	return off
}

// NodeOffset is the byte offset where yaml.v3 says n starts (at its anchor or
// tag, if it has one).
func (d *Document) NodeOffset(n *yaml.Node) int { return d.Offset(n.Line, n.Column) }

// Pos returns the 1-based line and character column of a byte offset.
func (d *Document) Pos(off int) Pos {
	if off > len(d.Src) {
		off = len(d.Src)
	}
	line := searchLine(d.lineStarts, off)
	start := min(d.lineStarts[line], off) // off may point into a byte-order mark
	return Pos{Line: line + 1, Col: utf8.RuneCount(d.Src[start:off]) + 1}
}

// Positions returns Pos of sp's start and of its end. An end on the
// start's line (most spans: a key, a scalar) is counted on from the start,
// without a second search of the line starts: a finding carries both, and
// the searches were 2% of an analysis.
func (d *Document) Positions(sp Span) (start, end Pos) {
	off := min(sp.Start, len(d.Src))
	line := searchLine(d.lineStarts, off)
	ls := d.lineStarts[line]
	start = Pos{Line: line + 1, Col: utf8.RuneCount(d.Src[min(ls, off):off]) + 1}
	next := len(d.Src) + 1 // past the last line
	if line+1 < len(d.lineStarts) {
		next = d.lineStarts[line+1]
	}
	if off < ls || sp.End < off || sp.End >= next || sp.End > len(d.Src) || off < sp.End && !utf8.RuneStart(d.Src[off]) {
		// In a byte-order mark, before the start, on another line, or
		// counted on from inside a character, where counts do not add up.
		return start, d.Pos(sp.End)
	}
	return start, Pos{Line: start.Line, Col: start.Col + utf8.RuneCount(d.Src[off:sp.End])}
}

func searchLine(starts []int, off int) int {
	lo, hi := 0, len(starts)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if starts[mid] <= off {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

// LineStart returns the offset of the start of the line holding off.
func (d *Document) LineStart(off int) int {
	return d.lineStarts[searchLine(d.lineStarts, off)]
}

// LineEnd returns the offset of the line break ending the line holding off
// (before "\r\n" or "\n"), or len(Src) on the last line without one.
func (d *Document) LineEnd(off int) int {
	i := bytes.IndexByte(d.Src[off:], '\n')
	if i < 0 {
		return len(d.Src)
	}
	end := off + i
	if end > 0 && d.Src[end-1] == '\r' {
		end--
	}
	return end
}

// NextLineStart returns the offset of the line after the one holding off, or
// len(Src) when it is the last line.
func (d *Document) NextLineStart(off int) int {
	i := bytes.IndexByte(d.Src[off:], '\n')
	if i < 0 {
		return len(d.Src)
	}
	return off + i + 1
}

// LineStarts returns the byte offset where each line starts, in order:
// the first is 0, or 3 after a byte-order mark, and a text that ends with a
// line break has an empty last line that starts at its end. Shared, read
// only.
func (d *Document) LineStarts() []int { return d.lineStarts }

// Lines is the number of lines (a final line break does not start a line).
func (d *Document) Lines() int { return len(d.lineStarts) }

func (d *Document) indexParents(n *yaml.Node) {
	for _, c := range n.Content {
		d.parents[c] = n
		d.indexParents(c)
	}
}

// countNodes counts the nodes below n (aliases not followed).
func countNodes(n *yaml.Node) int {
	c := len(n.Content)
	for _, ch := range n.Content {
		c += countNodes(ch)
	}
	return c
}

// AliasTargets returns the nodes that an alias names, as Load saw them
// in its walk, so that a rule needs no walk of its own; shared, read only.
// ok is false for a Document not made by Load.
func (d *Document) AliasTargets() (targets map[*yaml.Node]bool, ok bool) {
	return d.aliased, d.aliasScan
}

// MayMerge reports whether the document may hold a merge key (<<): false
// only when Load saw none.
func (d *Document) MayMerge() bool { return !d.mergeFree }

// Parent returns the collection (or document) holding n, or nil.
func (d *Document) Parent(n *yaml.Node) *yaml.Node { return d.parentIndex()[n] }

// parentIndex builds the parent index on first use: a document loaded only
// to be verified, or whose rules find nothing, never needs it.
func (d *Document) parentIndex() map[*yaml.Node]*yaml.Node {
	d.parentsOnce.Do(func() {
		n := 0
		for _, doc := range d.Docs {
			n += countNodes(doc)
		}
		d.parents = make(map[*yaml.Node]*yaml.Node, n) // sized: no growth
		for _, doc := range d.Docs {
			d.indexParents(doc)
		}
	})
	return d.parents
}

// DropParents lets the parent index go: in a large file it is a map of
// hundreds of thousands of pointers that the collector would mark on every
// cycle of the rest of the run, though only the rules' analysis reads it.
// A later Parent or KeyOf builds it again. It must not run while another
// goroutine reads the document.
func (d *Document) DropParents() { d.parents, d.parentsOnce = nil, sync.Once{} }

// DropTree lets the document's tree go (Root, Docs and what indexes them;
// its bytes, line index and style stay), for a caller that holds no node
// of it and reads it again only after ReloadTree: a large file's tree while
// its output, which nothing needs at the same time, is loaded. Nothing may
// read the tree in between: TreeDropped says whether it is gone. It must
// not run while another goroutine reads the document.
func (d *Document) DropTree() {
	d.Root, d.Docs, d.aliased = nil, nil, nil
	d.DropParents()
	d.dropped = true
}

// TreeDropped reports whether DropTree let the tree go and no ReloadTree
// has given it back: Root and Docs are nil meanwhile.
func (d *Document) TreeDropped() bool { return d.dropped }

// ReloadTree parses the document's bytes again after DropTree: the same
// tree, in new nodes. A tree that was not let go stays as it is, so that a
// reader may call it before any read of a document that may have been
// dropped. It must not run while another goroutine reads the document.
func (d *Document) ReloadTree() error {
	if !d.dropped {
		return nil
	}
	n, err := LoadWith(d.Path, d.Src, LoadOptions{AllowNonCompose: true, Limit: len(d.Src)})
	if err != nil {
		return err // loaded once: only a bug gets here
	}
	d.Root, d.Docs, d.aliasScan, d.aliased, d.mergeFree = n.Root, n.Docs, n.aliasScan, n.aliased, n.mergeFree
	d.dropped = false
	return nil
}

// KeyOf returns the key node of mapping value v, or nil when v is not a
// mapping value.
func (d *Document) KeyOf(v *yaml.Node) *yaml.Node {
	p := d.parentIndex()[v]
	if p == nil || p.Kind != yaml.MappingNode {
		return nil
	}
	for i := 1; i < len(p.Content); i += 2 {
		if p.Content[i] == v {
			return p.Content[i-1]
		}
	}
	return nil
}

// maxExpandedNodes bounds how many nodes a document may have once its
// aliases are expanded. Real compose files stay in the thousands; the
// billion laughs document expands to hundreds of millions.
const maxExpandedNodes = 1 << 20

// mergeValue reports whether v can follow a merge key: a mapping, an alias
// of one, or a sequence of those.
func mergeValue(v *yaml.Node) bool {
	if r := Resolve(v); r != nil && r.Kind == yaml.SequenceNode {
		return allMergeable(r.Content)
	}
	return mergeable(v)
}
