package fixers

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sergi/go-diff/diffmatchpatch"
	"go.yaml.in/yaml/v3"
)

// The collateral measure of the corpus and golden tests, independent of
// the engine: it reads neither the edits nor their regions, nor composefix's
// document model or diff. Each rule owns some keys of the compose model
// (ruleOwns); yaml.v3 says which keys each line of the input and of the
// output holds; the lines that hold no key owned by a rule that applied a
// fix must be the same lines, in the same order, before and after. A line
// that changed outside what its rule owns (an edit wider than its key, a
// requoted neighbour, a moved comment, a lost blank line between two
// services) is a collateral line.

// ownedKey is a key of the compose model a rule's fixes may change:
// dot-separated, "*" for any key, "x-*" for any key starting "x-". newOnly:
// only when the key is absent from the other side (a key the fix adds or
// removes whole).
type ownedKey struct {
	key     string
	newOnly bool
}

// appliedFix is a fix the run applied: its rule, and the line and column
// (in runes, 1-based) of the input its finding is at (line 0: anywhere). A
// rule owns its keys of the services on that line only: the restart policy
// of the service it fixed, not of the one next to it. CF501's column is
// the "$" of the variable it made required.
type appliedFix struct {
	rule      string
	line, col int
}

// ruleOwns lists, per rule that has fixes, the keys they change, as each
// rule's doc says (`composefix explain RULE`). A rule missing here owns
// nothing: any line its fixes change is collateral.
var ruleOwns = map[string][]ownedKey{
	"CF001": {{key: "services.*.image"}},
	"CF002": {{key: "services.*.image"}},
	"CF004": {{key: "services.*.image"}},
	// A healthcheck, and what the image needs for it to answer: traefik's
	// ping entry point (command), MariaDB's healthcheck user (environment).
	"CF101": {{key: "services.*.healthcheck"}, {key: "services.*.command"}, {key: "services.*.environment"}},
	"CF102": {{key: "services.*.depends_on"}},
	"CF103": {{key: "services.*.healthcheck"}},
	"CF201": {{key: "services.*.restart"}},
	"CF301": {{key: "services.*.deploy.resources"}},
	// The shared anchor is a new top-level extension (or an existing one
	// the services then use), each service refers to it.
	"CF401": {{key: "x-*", newOnly: true}, {key: "services.*.logging"}},
	// CF501 owns no key: it rewrites variables' defaults wherever they
	// are written; normalizeDefaults erases the defaults at its findings,
	// and only those. Owning the environment would hide a change to its
	// other entries.
	"CF501": {},
	"CF503": {{key: "services.*.volumes"}},
	"CF504": {{key: "services.*.ports"}},
	"CF505": {{key: "services.*.security_opt"}},
	"CF601": {{key: "version"}},
}

// collateralLines returns the lines that changed from a to b outside the
// keys the rules own, each as "-N: text" (line N of a) or "+N: text"
// (line N of b). A file yaml.v3 cannot read on either side is all
// collateral.
func collateralLines(a, b []byte, fixes []appliedFix) []string {
	la, errA := readLines(a)
	lb, errB := readLines(b)
	if errA != nil || errB != nil {
		return []string{fmt.Sprintf("yaml.v3 reads the input: %v, the output: %v", errA, errB)}
	}
	var owned [][]string // keys, split
	var newOnly []bool
	required := map[[2]int]bool{} // line and column of CF501's findings
	for _, f := range fixes {
		if f.rule == "CF501" {
			required[[2]int{f.line, f.col}] = true
		}
		names := la.servicesAt(f.line)
		for _, o := range ruleOwns[f.rule] {
			parts := strings.Split(o.key, ".")
			if len(names) == 0 || len(parts) < 2 || parts[0] != "services" || parts[1] != "*" {
				owned, newOnly = append(owned, parts), append(newOnly, o.newOnly)
				continue
			}
			for _, name := range names {
				owned = append(owned, append([]string{"services", name}, parts[2:]...))
				newOnly = append(newOnly, o.newOnly)
			}
		}
	}
	keys := ownership{keys: owned, newOnly: newOnly}
	ea, eb := la.explained(keys, lb), lb.explained(keys, la)
	// A line that holds the first key of an explained line of the other
	// side is that line before or after the fix: a flow mapping on one
	// line ("web: {image: x}") that a fix extends.
	ea, eb = sameLine(la, ea, lb, eb), sameLine(lb, eb, la, ea)
	normalizeDefaults(la, ea, lb, eb, required)
	keepA, looseA := la.keepLoose(ea)
	keepB, looseB := lb.keepLoose(eb)
	out := diffKept(la, keepA, looseA, lb, keepB, looseB)
	out = append(out, unownedNodes(la, ea, lb, eb, keys)...)
	out = append(out, lineEndings(a, b)...)
	return out
}

// fileLines is a file's lines and the keys (dot-joined paths) each holds.
type fileLines struct {
	text  []string   // without the line ending
	keys  [][]string // per line
	first []string   // per line, the first key that starts on it, or ""
	all   map[string]bool
	null  map[string]bool // keys whose value is null, somewhere
	nodes []*lineNode     // the scalars, aliases and mapping keys, in document order
}

// lineNode is a scalar, an alias or a mapping key: its line, what it says
// (kind, style, tag, anchor, value) and the keys it is reached under.
type lineNode struct {
	line int // 1-based
	text string
	keys []string
}

// readLines splits src into lines and notes, per line, the keys of the
// nodes that start on it, every document of src. A node reached through an
// alias or a merge key counts under every key it is reached from, so a
// line of an anchor used by services holds their keys too. A line on
// which no node starts (the rest of a multi-line scalar) holds the keys
// of the line before it. Keys are joined with sep: service names hold
// dots.
func readLines(src []byte) (*fileLines, error) {
	src = bytes.TrimPrefix(src, []byte("\ufeff"))
	f := &fileLines{all: map[string]bool{}, null: map[string]bool{}}
	for _, l := range strings.SplitAfter(string(src), "\n") {
		if l != "" {
			f.text = append(f.text, strings.TrimSuffix(strings.TrimSuffix(l, "\n"), "\r"))
		}
	}
	f.keys = make([][]string, len(f.text))
	dec := yaml.NewDecoder(bytes.NewReader(src))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, err
		}
		w := keyWalker{f: f, seen: map[string]bool{}, nodes: map[*yaml.Node]*lineNode{}}
		w.walk(&doc, nil, 0)
	}
	f.first = make([]string, len(f.text))
	for i, ks := range f.keys {
		if len(ks) > 0 {
			f.first[i] = ks[0]
		}
	}
	var last []string
	for i, t := range f.text {
		switch {
		case blankOrComment(t):
		case strings.Trim(t, " \t]},") == "":
			// The end of a flow collection holds the keys of the line that
			// opens it, the one above with the same indentation.
			indent := len(t) - len(strings.TrimLeft(t, " \t"))
			for j := i - 1; j >= 0; j-- {
				if u := f.text[j]; !blankOrComment(u) && len(u)-len(strings.TrimLeft(u, " \t")) == indent {
					f.keys[i] = f.keys[j]
					break
				}
			}
		case f.keys[i] == nil:
			f.keys[i] = last
		default:
			last = f.keys[i]
		}
	}
	return f, nil
}

// sep joins the keys of a path: a byte no compose key holds.
const sep = "\x1f"

type keyWalker struct {
	f     *fileLines
	seen  map[string]bool // node and key, against alias cycles
	nodes map[*yaml.Node]*lineNode
}

// node notes that n is reached under key: a node of an anchor is one
// node, under the keys of every service that uses it.
func (w *keyWalker) node(n *yaml.Node, key []string, kind string) {
	k := strings.Join(key, sep)
	if ln := w.nodes[n]; ln != nil {
		if !slices.Contains(ln.keys, k) {
			ln.keys = append(ln.keys, k)
		}
		return
	}
	anchor := ""
	if n.Anchor != "" {
		anchor = " &" + n.Anchor
	}
	ln := &lineNode{line: n.Line, keys: []string{k}, text: fmt.Sprintf("%s %s %s %s%s %q",
		strings.ReplaceAll(k, sep, "."), kind, styleName(n.Style), n.Tag, anchor, n.Value)}
	w.nodes[n] = ln
	w.f.nodes = append(w.f.nodes, ln)
}

func styleName(s yaml.Style) string {
	switch {
	case s&yaml.DoubleQuotedStyle != 0:
		return "double-quoted"
	case s&yaml.SingleQuotedStyle != 0:
		return "single-quoted"
	case s&yaml.LiteralStyle != 0:
		return "literal"
	case s&yaml.FoldedStyle != 0:
		return "folded"
	}
	return "plain"
}

func (w *keyWalker) mark(line int, key []string) {
	k := strings.Join(key, sep)
	w.f.all[k] = true
	if line >= 1 && line <= len(w.f.keys) {
		w.f.keys[line-1] = append(w.f.keys[line-1], k)
	}
}

func (w *keyWalker) walk(n *yaml.Node, key []string, depth int) {
	id := fmt.Sprintf("%p %s", n, strings.Join(key, sep))
	if n == nil || depth > 64 || w.seen[id] {
		return
	}
	w.seen[id] = true
	switch n.Kind {
	case yaml.DocumentNode, yaml.SequenceNode:
		for _, c := range n.Content {
			w.walk(c, key, depth+1)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Tag == "!!merge" {
				w.mark(k.Line, append(key[:len(key):len(key)], "<<"))
				w.node(k, append(key[:len(key):len(key)], "<<"), "key")
				w.walk(v, key, depth+1) // the merged mappings' keys are the service's
				continue
			}
			sub := append(key[:len(key):len(key)], k.Value)
			w.mark(k.Line, sub)
			w.node(k, sub, "key")
			if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
				w.f.null[strings.Join(sub, sep)] = true
			}
			w.walk(v, sub, depth+1)
		}
	case yaml.AliasNode:
		w.mark(n.Line, key)
		w.node(n, key, "alias")
		w.walk(n.Alias, key, depth+1)
	case yaml.ScalarNode:
		w.mark(n.Line, key)
		w.node(n, key, "value")
	}
}

func blankOrComment(line string) bool {
	t := strings.TrimSpace(line)
	return t == "" || strings.HasPrefix(t, "#")
}

// explained returns, per line, whether an owned key explains it: the
// line holds an owned key, or a key that leads to one and that the other
// side lacks or leaves null (the "deploy:" above new resources). Comment
// lines are never explained: no rule adds or removes a whole-line comment.
func (f *fileLines) explained(owned ownership, other *fileLines) []bool {
	explained := make([]bool, len(f.text))
	for i, t := range f.text {
		if blankOrComment(t) {
			continue
		}
		for _, k := range f.keys[i] {
			if ownedBy(k, owned, other) {
				explained[i] = true
				break
			}
		}
	}
	return explained
}

// sameLine returns ea with the lines of a whose first key starts an
// explained line of b explained too.
func sameLine(a *fileLines, ea []bool, b *fileLines, eb []bool) []bool {
	explainedB := map[string]bool{}
	for j, k := range b.first {
		if eb[j] && k != "" {
			explainedB[k] = true
		}
	}
	out := slices.Clone(ea)
	for i, k := range a.first {
		out[i] = out[i] || k != "" && explainedB[k]
	}
	return out
}

// keepLoose returns, per line, whether the line is compared (keep: it is
// not explained) and, for a blank line, whether it may come or go with its
// neighbours (loose). Blank lines are compared, but one next to an
// explained line may come or go: the blank line a new block brings, or
// that a removed key leaves.
func (f *fileLines) keepLoose(explained []bool) (keep, loose []bool) {
	keep, loose = make([]bool, len(f.text)), make([]bool, len(f.text))
	for i, t := range f.text {
		keep[i] = !explained[i]
		if strings.TrimSpace(t) != "" {
			continue
		}
		prev, next := i-1, i+1
		for prev >= 0 && strings.TrimSpace(f.text[prev]) == "" {
			prev--
		}
		for next < len(f.text) && strings.TrimSpace(f.text[next]) == "" {
			next++
		}
		loose[i] = prev >= 0 && explained[prev] || next < len(f.text) && explained[next]
	}
	return keep, loose
}

// ownership is the keys owned, split, with their newOnly.
type ownership struct {
	keys    [][]string
	newOnly []bool
}

// ownedBy reports whether key is owned, or leads to an owned key and is
// absent from the other side, or null there.
func ownedBy(key string, owned ownership, other *fileLines) bool {
	parts := strings.Split(key, sep)
	for i, pat := range owned.keys {
		n := min(len(pat), len(parts))
		if !matchParts(pat[:n], parts[:n]) {
			continue
		}
		if len(parts) < len(pat) || owned.newOnly[i] {
			// An ancestor of the owned key, or a key owned only whole: the
			// other side must lack it.
			if k := strings.Join(parts[:n], sep); !other.all[k] || other.null[k] {
				return true
			}
			continue
		}
		return true
	}
	return false
}

// matchParts matches keys against a pattern's: "*" matches any key, "x-*"
// any that starts with "x-", any other only itself (a service's name).
func matchParts(pat, parts []string) bool {
	for i, p := range pat {
		if p != "*" && p != parts[i] && !(strings.HasSuffix(p, "-*") && strings.HasPrefix(parts[i], strings.TrimSuffix(p, "*"))) {
			return false
		}
	}
	return true
}

// servicesAt returns the names of the services whose keys line (1-based)
// holds, none for line 0 or a line outside them.
func (f *fileLines) servicesAt(line int) []string {
	if line < 1 || line > len(f.keys) {
		return nil
	}
	var out []string
	for _, k := range f.keys[line-1] {
		if parts := strings.Split(k, sep); len(parts) >= 2 && parts[0] == "services" && !slices.Contains(out, parts[1]) {
			out = append(out, parts[1])
		}
	}
	return out
}

// diffKept diffs the kept lines of a and b and returns those on one side
// only, but for loose blank lines.
func diffKept(a *fileLines, keepA, looseA []bool, b *fileLines, keepB, looseB []bool) []string {
	pick := func(f *fileLines, keep []bool) (text []string, num []int) {
		for i, t := range f.text {
			if keep[i] {
				text = append(text, t)
				num = append(num, i+1)
			}
		}
		return text, num
	}
	textA, numA := pick(a, keepA)
	textB, numB := pick(b, keepB)
	var out []string
	lineDiff(textA, textB, func(del bool, i int) {
		switch {
		case del && !looseA[numA[i]-1]:
			out = append(out, fmt.Sprintf("-%d: %s", numA[i], textA[i]))
		case !del && !looseB[numB[i]-1]:
			out = append(out, fmt.Sprintf("+%d: %s", numB[i], textB[i]))
		}
	})
	return out
}

// lineDiff diffs the lines a and b with sergi/go-diff's line mode and
// calls f with each line of a removed (del) and of b added.
func lineDiff(a, b []string, f func(del bool, i int)) {
	dmp := diffmatchpatch.New()
	join := func(lines []string) string {
		var b strings.Builder
		for _, l := range lines {
			b.WriteString(l + "\n")
		}
		return b.String()
	}
	ca, cb, _ := dmp.DiffLinesToChars(join(a), join(b))
	ia, ib := 0, 0
	for _, d := range dmp.DiffMain(ca, cb, false) {
		n := utf8.RuneCountInString(d.Text)
		switch d.Type {
		case diffmatchpatch.DiffDelete:
			for j := range n {
				f(true, ia+j)
			}
			ia += n
		case diffmatchpatch.DiffInsert:
			for j := range n {
				f(false, ib+j)
			}
			ib += n
		default:
			ia += n
			ib += n
		}
	}
}

// changedLines counts the lines a whole-file line diff shows removed from
// a and added to b.
func changedLines(a, b []byte) (added, removed int) {
	la, errA := readLines(a)
	lb, errB := readLines(b)
	if errA != nil || errB != nil {
		return 0, 0
	}
	lineDiff(la.text, lb.text, func(del bool, _ int) {
		if del {
			removed++
		} else {
			added++
		}
	})
	return added, removed
}

// appliedFixes returns the rule and input position of each applied fix.
func appliedFixes(fs []Finding) []appliedFix {
	var out []appliedFix
	for _, f := range fs {
		if f.Applied {
			out = append(out, appliedFix{f.RuleID, f.Pos.Line, f.Pos.Col})
		}
	}
	return out
}

// lineEndings reports a line ending of b that a does not use (an LF line
// in a CRLF file), and a final newline gained or lost: readLines compares
// lines without their endings.
func lineEndings(a, b []byte) []string {
	var out []string
	crlf := func(s []byte) (withCR, bare int) {
		all := bytes.Count(s, []byte("\n"))
		withCR = bytes.Count(s, []byte("\r\n"))
		return withCR, all - withCR
	}
	aCR, aLF := crlf(a)
	bCR, bLF := crlf(b)
	if aCR == 0 && bCR > 0 || aLF == 0 && bLF > 0 {
		out = append(out, fmt.Sprintf("line endings: %d CRLF and %d LF, the input %d and %d", bCR, bLF, aCR, aLF))
	}
	if len(a) > 0 && len(b) > 0 && bytes.HasSuffix(a, []byte("\n")) != bytes.HasSuffix(b, []byte("\n")) {
		out = append(out, "the final newline was added or removed")
	}
	return out
}

// interpolationRE matches the start of a variable with a default or a
// required message: ${VAR:-default}, ${VAR-default}, ${VAR:?message},
// ${VAR?message}; interpolationEnd finds its end.
var interpolationRE = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*):?[-?]`)

// interpolationEnd returns the offset after the brace that closes the
// interpolation at start of t, nested ones counted
// (${TOKEN:-${OLD_TOKEN:-x}}), or -1 when the line does not close it.
func interpolationEnd(t string, start int) int {
	depth := 0
	for j := start; j < len(t); j++ {
		switch {
		case strings.HasPrefix(t[j:], "${"):
			depth++
			j++
		case t[j] == '}':
			if depth--; depth == 0 {
				return j + 1
			}
		}
	}
	return -1
}

// normalizeDefaults writes as ${VAR} the interpolations CF501 made
// required, on both sides, and no other: CF501 turns a default into a
// required variable wherever it is written (a command, a label, an
// environment entry), which no key owns. The interpolations of the lines
// compared (not explained) are paired in order, the input's with the
// output's; a pair is erased when the input's is at one of required (line
// and column of a CF501 finding) and both name the same variable. Any
// other default or message that changed stays in the text and is
// collateral.
func normalizeDefaults(a *fileLines, ea []bool, b *fileLines, eb []bool, required map[[2]int]bool) {
	if len(required) == 0 {
		return
	}
	type interp struct {
		line  int // index in text
		start int // byte of the line
		name  string
	}
	find := func(f *fileLines, explained []bool) []interp {
		var out []interp
		for i, t := range f.text {
			if explained[i] || blankOrComment(t) {
				continue
			}
			for _, m := range interpolationRE.FindAllStringSubmatchIndex(t, -1) {
				if interpolationEnd(t, m[0]) >= 0 {
					out = append(out, interp{i, m[0], t[m[2]:m[3]]})
				}
			}
		}
		return out
	}
	ia, ib := find(a, ea), find(b, eb)
	var erase []interp // the pairs' halves, each line's in order
	for k := range min(len(ia), len(ib)) {
		x, y := ia[k], ib[k]
		col := utf8.RuneCountInString(a.text[x.line][:x.start]) + 1
		if required[[2]int{x.line + 1, col}] && x.name == y.name {
			erase = append(erase, x, y)
		}
	}
	// Right to left, so that the earlier offsets of a line stay valid; the
	// end is found again, after the nested ones were erased.
	for k := len(erase) - 1; k >= 0; k-- {
		f := a
		if k%2 == 1 {
			f = b
		}
		e := erase[k]
		t := f.text[e.line]
		f.text[e.line] = t[:e.start] + "${" + e.name + "}" + t[interpolationEnd(t, e.start):]
	}
}

// unownedNodes checks, at the key level, the lines an owned key explains:
// on them, every node (scalar, alias, mapping key) that no owned key
// explains must be the same before and after, counted over the whole file.
// Such a line holds more than one key only in a flow collection
// ("a: {image: x}" made "a: {image: x, restart: always}"), where the line
// measure alone would hide a change to image. It returns the nodes on one
// side only as "-N: key kind style tag [&anchor] value".
//
// Limits: what is between the nodes of such a line (spacing, commas, a
// comment) is not compared, and a node that moves from one explained line
// to another is not seen.
func unownedNodes(a *fileLines, ea []bool, b *fileLines, eb []bool, owned ownership) []string {
	// A node is owned under any key it is reached by, as ownedBy sees it
	// from either side (a key null here is one a fix fills), on either
	// side: an existing anchor that a fix makes services use (CF401) is
	// reached by their logging keys in the output only.
	ownedText := map[string]bool{}
	for _, side := range [][2]*fileLines{{a, b}, {b, a}} {
		f, other := side[0], side[1]
		for _, n := range f.nodes {
			for _, k := range n.keys {
				if ownedBy(k, owned, other) || ownedBy(k, owned, f) {
					ownedText[n.text] = true
				}
			}
		}
	}
	unowned := func(f *fileLines, explained []bool) []*lineNode {
		var out []*lineNode
		for _, n := range f.nodes {
			if n.line >= 1 && n.line <= len(explained) && explained[n.line-1] && !ownedText[n.text] {
				out = append(out, n)
			}
		}
		return out
	}
	na, nb := unowned(a, ea), unowned(b, eb)
	var out []string
	oneSide := func(sign string, xs, ys []*lineNode) {
		count := map[string]int{}
		for _, y := range ys {
			count[y.text]++
		}
		for _, x := range xs {
			if count[x.text] > 0 {
				count[x.text]--
				continue
			}
			out = append(out, fmt.Sprintf("%s%d: %s", sign, x.line, x.text))
		}
	}
	oneSide("-", na, nb)
	oneSide("+", nb, na)
	return out
}

// TestCollateralLines checks the collateral measure on changes a rule
// could make, in and out of what it owns.
func TestCollateralLines(t *testing.T) {
	budibase := "version: \"3\"\n\n# optional ports are specified throughout for more advanced use cases.\n\nservices:\n  app:\n    image: x\n"
	tests := []struct {
		name  string
		rules []string     // fixes applied anywhere
		fixes []appliedFix // fixes applied at a line
		a, b  string
		want  []string
	}{
		// CF601 deletes the version key and its blank line, and CF401
		// inserts x-logging before services: a whole-file diff pairs the
		// comment with the insertion, but no rule changed it.
		{name: "deletion next to a comment, insertion in the same pass", rules: []string{"CF601", "CF401"}, a: budibase,
			b: "# optional ports are specified throughout for more advanced use cases.\n\nx-logging: &l\n  driver: json-file\n\nservices:\n  app:\n    image: x\n    logging: *l\n"},
		{name: "a neighbour requoted", rules: []string{"CF201"},
			a:    "services:\n  a:\n    image: x\n",
			b:    "services:\n  a:\n    image: \"x\"\n    restart: unless-stopped\n",
			want: []string{"-3:     image: x", "+3:     image: \"x\""}},
		{name: "a neighbour with a trailing space", rules: []string{"CF201"},
			a:    "services:\n  a:\n    image: x\n",
			b:    "services:\n  a:\n    image: x \n    restart: unless-stopped\n",
			want: []string{"-3:     image: x", "+3:     image: x "}},
		{name: "a key of a rule that applied no fix", rules: []string{"CF601"},
			a:    "version: \"3\"\nservices:\n  a:\n    image: x\n    restart: always\n",
			b:    "services:\n  a:\n    image: x\n    restart: unless-stopped\n",
			want: []string{"-5:     restart: always", "+4:     restart: unless-stopped"}},
		{name: "the key of a service the rule did not fix", fixes: []appliedFix{{"CF201", 2, 3}},
			a:    "services:\n  a:\n    image: x\n  b:\n    image: y\n    restart: always\n",
			b:    "services:\n  a:\n    image: x\n    restart: unless-stopped\n  b:\n    image: y\n    restart: \"always\"\n",
			want: []string{"-6:     restart: always", "+7:     restart: \"always\""}},
		{name: "the keys of the services of an anchor", fixes: []appliedFix{{"CF201", 5, 5}},
			a: "x-base: &base\n  image: x\nservices:\n  a:\n    <<: *base\n",
			b: "x-base: &base\n  image: x\n  restart: unless-stopped\nservices:\n  a:\n    <<: *base\n"},
		{name: "a comment removed with a key", rules: []string{"CF601"},
			a:    "# compose v3\nversion: \"3\"\nservices:\n  a:\n    image: x\n",
			b:    "services:\n  a:\n    image: x\n",
			want: []string{"-1: # compose v3"}},
		{name: "the blank line between services lost", rules: []string{"CF201"},
			a:    "services:\n  a:\n    image: x\n\n  b:\n    image: y\n",
			b:    "services:\n  a:\n    image: x\n    restart: unless-stopped\n  b:\n    image: y\n    restart: unless-stopped\n",
			want: []string{"-4: "}},
		{name: "blank lines a new block brings", rules: []string{"CF401"},
			a: "services:\n  a:\n    image: x\n",
			b: "x-logging: &l\n  driver: json-file\n\nservices:\n  a:\n    image: x\n    logging: *l\n"},
		{name: "a flow mapping extended, a dotted service name", rules: []string{"CF101"},
			a: "services:\n  web.app: {image: redis:7,\n    ports: [80]\n  }\n",
			b: "services:\n  web.app: {image: redis:7,\n    ports: [80], healthcheck: {test: [\"CMD\", \"true\"]}\n  }\n"},
		{name: "a flow sequence made a mapping", rules: []string{"CF102"},
			a: "services:\n  a:\n    depends_on: [\n      db\n    ]\n",
			b: "services:\n  a:\n    depends_on: {\n      db: {condition: service_healthy}\n    }\n"},
		{name: "a null service filled, new deploy above its resources", rules: []string{"CF301"},
			a: "services:\n  a: ~\n",
			b: "services:\n  a:\n    deploy:\n      resources:\n        limits: {memory: 1G}\n"},
		{name: "a key through a merge key", rules: []string{"CF201"},
			a: "x-base: &base\n  image: x\nservices:\n  a:\n    <<: *base\n",
			b: "x-base: &base\n  image: x\n  restart: unless-stopped\nservices:\n  a:\n    <<: *base\n"},
		{name: "a default made required in a command", fixes: []appliedFix{{"CF501", 3, 26}},
			a: "services:\n  a:\n    command: run --token ${TOKEN:-secret}\n",
			b: "services:\n  a:\n    command: run --token ${TOKEN:?TOKEN must be set}\n"},
		{name: "an entry beside a default made required", fixes: []appliedFix{{"CF501", 4, 14}},
			a:    "services:\n  a:\n    environment:\n      TOKEN: ${TOKEN:-secret}\n      MODE: dev\n",
			b:    "services:\n  a:\n    environment:\n      TOKEN: ${TOKEN:?TOKEN must be set}\n      MODE: \"dev\"\n",
			want: []string{"-5:       MODE: dev", "+5:       MODE: \"dev\""}},
		// CF501 erases the defaults it fixed, and only those.
		{name: "a default changed on another line", fixes: []appliedFix{{"CF501", 4, 14}},
			a:    "services:\n  a:\n    environment:\n      TOKEN: ${TOKEN:-secret}\n      MODE: ${MODE:-dev}\n",
			b:    "services:\n  a:\n    environment:\n      TOKEN: ${TOKEN:?TOKEN must be set}\n      MODE: ${MODE:-prod}\n",
			want: []string{"-5:       MODE: ${MODE:-dev}", "+5:       MODE: ${MODE:-prod}"}},
		{name: "a message changed beside the default made required", fixes: []appliedFix{{"CF501", 3, 26}},
			a:    "services:\n  a:\n    command: run --token ${TOKEN:-secret} --key ${KEY:?set KEY}\n",
			b:    "services:\n  a:\n    command: run --token ${TOKEN:?TOKEN must be set} --key ${KEY:?KEY please}\n",
			want: []string{"-3:     command: run --token ${TOKEN} --key ${KEY:?set KEY}", "+3:     command: run --token ${TOKEN} --key ${KEY:?KEY please}"}},
		{name: "a default made required where no finding is", fixes: []appliedFix{{"CF501", 3, 26}},
			a:    "services:\n  a:\n    command: run --token ${TOKEN:-secret}\n  b:\n    command: run --token ${TOKEN:-secret}\n",
			b:    "services:\n  a:\n    command: run --token ${TOKEN:?TOKEN must be set}\n  b:\n    command: run --token ${TOKEN:?TOKEN must be set}\n",
			want: []string{"-5:     command: run --token ${TOKEN:-secret}", "+5:     command: run --token ${TOKEN:?TOKEN must be set}"}},
		{name: "a nested default made required", fixes: []appliedFix{{"CF501", 3, 27}},
			a: "services:\n  a:\n    command: run ${TOKEN:-${OLD_TOKEN:-letmein}} ${MODE:-dev}\n",
			b: "services:\n  a:\n    command: run ${TOKEN:-${OLD_TOKEN:?OLD_TOKEN must be set}} ${MODE:-dev}\n"},
		// A one-line flow mapping is compared key by key.
		{name: "a one-line flow mapping extended", fixes: []appliedFix{{"CF201", 2, 3}},
			a: "services:\n  a: {image: x}\n  b: {image: y}\n",
			b: "services:\n  a: {image: x, restart: always}\n  b: {image: y}\n"},
		{name: "a neighbour changed in a one-line flow mapping", fixes: []appliedFix{{"CF201", 2, 3}},
			a:    "services:\n  a: {image: x, ports: [80]}\n",
			b:    "services:\n  a: {image: y, ports: [\"80\"], restart: always}\n",
			want: []string{`-2: services.a.image value plain !!str "x"`, `-2: services.a.ports value plain !!int "80"`, `+2: services.a.image value plain !!str "y"`, `+2: services.a.ports value double-quoted !!str "80"`}},
		{name: "a neighbour lost from a one-line flow mapping", fixes: []appliedFix{{"CF201", 2, 3}},
			a:    "services:\n  a: {image: x, user: root}\n",
			b:    "services:\n  a: {image: x, restart: always}\n",
			want: []string{`-2: services.a.user key plain !!str "user"`, `-2: services.a.user value plain !!str "root"`}},
		{name: "an LF line in a CRLF file", rules: []string{"CF201"},
			a:    "services:\r\n  a:\r\n    image: x\r\n",
			b:    "services:\r\n  a:\r\n    image: x\r\n    restart: unless-stopped\n",
			want: []string{"line endings: 3 CRLF and 1 LF, the input 3 and 0"}},
		{name: "the final newline lost", rules: []string{"CF201"},
			a:    "services:\n  a:\n    image: x\n",
			b:    "services:\n  a:\n    image: x\n    restart: unless-stopped",
			want: []string{"the final newline was added or removed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fixes := tt.fixes
			for _, r := range tt.rules {
				fixes = append(fixes, appliedFix{rule: r})
			}
			got := collateralLines([]byte(tt.a), []byte(tt.b), fixes)
			if !slices.Equal(got, tt.want) {
				t.Errorf("collateral lines %q, want %q", got, tt.want)
			}
		})
	}
}
