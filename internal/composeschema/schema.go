package composeschema

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/composefix/composefix/compose"
	"go.yaml.in/yaml/v3"
)

// Violation is one place where a document breaks the schema.
type Violation struct {
	Node    *yaml.Node // the offending key or value
	Path    string     // "services.web.restart"
	Message string     // lowercase, no final period
}

// Schema checks documents, preparing the schema at the first check (its
// matchers, less than a microsecond) and reusing it. The zero value is ready to use,
// and so is nil (which prepares it at every check); a *Schema is safe for
// concurrent use.
type Schema struct {
	once     sync.Once
	compiled *compiled
	err      error
	checks   atomic.Int64 // documents checked, for tests that count them
	fed      atomic.Int64 // of those, checked entry by entry (Entrywise)
}

// Validations returns how many documents s has checked.
func (s *Schema) Validations() int64 {
	if s == nil {
		return 0
	}
	return s.checks.Load()
}

// EntrywiseChecks returns how many of the documents s has checked were
// checked entry by entry, as their verification compared them (see
// Entrywise).
func (s *Schema) EntrywiseChecks() int64 {
	if s == nil {
		return 0
	}
	return s.fed.Load()
}

func (s *Schema) schema() (*compiled, error) {
	if s == nil {
		return compileTable(&spec)
	}
	s.once.Do(func() { s.compiled, s.err = compileTable(&spec) })
	return s.compiled, s.err
}

// Prepare prepares the schema now rather than at the first check. It
// costs less than a microsecond since the schema is compiled at build
// time: a caller need not start it early any more.
func (s *Schema) Prepare() { _, _ = s.schema() }

// Check validates the document whose root node is root (a document node or
// its mapping) and returns its violations in document order.
func (s *Schema) Check(root *yaml.Node) ([]Violation, error) {
	c, err := s.CheckFrom(nil, root)
	if err != nil {
		return nil, err
	}
	return c.Violations, nil
}

// Checked is a document's check: its violations, and what a check of a
// document made from it can reuse.
type Checked struct {
	Violations []Violation
	// valid is the document's root mapping when it meets the schema,
	// else nil. The document's tree, which its caller keeps anyway.
	valid *yaml.Node
	// detached is set by Detach on the check of a valid document.
	detached bool
}

// Detach returns c without the document's tree, for a caller that lets the
// tree go (compose.Document.DropTree) and keeps the check meanwhile; Attach
// gives it the tree parsed again. Only a detached check's Violations may
// be read.
func (c *Checked) Detach() *Checked {
	return &Checked{Violations: c.Violations, detached: c.valid != nil}
}

// Attach returns c, a detached check, as the check of its document parsed
// again, whose root (a document node or its mapping) is root.
func (c *Checked) Attach(root *yaml.Node) *Checked {
	a := &Checked{Violations: c.Violations}
	if c.detached {
		a.valid = compose.Resolve(docRoot(root))
	}
	return a
}

// CheckFrom is Check of a document made from base's (a fixed file from
// its input; base nil: none). When base's document met the schema, only
// what differs from it is validated: the top-level values and the services
// not written as they were. That is exact because the schema judges each
// top-level key, and each service, on its own (see compositional); it
// costs a comparison of the unchanged values instead of their validation.
//
// A valid document costs one validation of its tree, read as compose-go
// reads it (merge keys and aliases resolved, scalars typed by their tags,
// !reset values dropped), mostly without converting it: compose-go's
// schema and its validator's semantics, compose-go's own Validate minus
// its JSON round trip. Only a document that fails is converted, noting
// where each value came from, to locate every violation.
func (s *Schema) CheckFrom(base *Checked, root *yaml.Node) (*Checked, error) {
	if s != nil {
		s.checks.Add(1)
	}
	root = docRoot(root)
	c, err := s.schema()
	if err != nil {
		return nil, err
	}
	return checkWith(c.validateTop, c.compositional, base, root), nil
}

// NoneAdded reports whether document root, made from document base
// (each a document node or its mapping), certainly has no violation whose
// message base lacks, validating only what root writes differently from
// base, whether or not base meets the schema: an entry written as it was
// converts and is judged as it was (see CheckFrom). false says only that
// root must be checked whole: what it changed breaks the schema, or the
// schema does not judge entries on their own. It saves a fixed file's
// check the validation of everything its fixes left alone when the input
// was never checked.
func (s *Schema) NoneAdded(base, root *yaml.Node) (bool, error) {
	if s != nil {
		s.checks.Add(1)
	}
	c, err := s.schema()
	if err != nil {
		return false, err
	}
	return noneAdded(c.validateTop, c.compositional, docRoot(base), docRoot(root)), nil
}

func noneAdded(validate func(v any, quick bool) *verr, partial bool, base, root *yaml.Node) bool {
	b, r := compose.Resolve(base), compose.Resolve(root)
	if !partial || b == nil || r == nil || b.Kind != yaml.MappingNode || r.Kind != yaml.MappingNode {
		return false
	}
	if validate(changed(b, r), true) != nil {
		return false
	}
	// The restart policies are checked outside the schema, over the
	// whole document, cheaply.
	had := map[string]bool{}
	for _, v := range restartPolicies(base) {
		had[v.Message] = true
	}
	for _, v := range restartPolicies(root) {
		if !had[v.Message] {
			return false
		}
	}
	return true
}

// docRoot is a document node's content, or root itself.
func docRoot(root *yaml.Node) *yaml.Node {
	if root != nil && root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		return root.Content[0]
	}
	return root
}

// checkWith is CheckFrom with a validator: validate(v, quick) returns v's
// error tree, as santhosh's would be, or nil when v meets the schema;
// quick: only whether it does matters.
func checkWith(validate func(v any, quick bool) *verr, partial bool, base *Checked, root *yaml.Node) *Checked {
	out := restartPolicies(root)
	r := compose.Resolve(root)
	if r == nil || r.Kind != yaml.MappingNode {
		return &Checked{Violations: out}
	}
	part := r
	if base != nil && base.valid != nil && partial {
		part = changed(base.valid, r)
	}
	if validate(part, true) == nil {
		return &Checked{Violations: out, valid: r}
	}
	// A failure: convert, noting where each value came from; when the
	// schema judges entries on their own, only the entries that fail.
	t := &tree{nodes: map[string]*yaml.Node{}, keys: map[string]*yaml.Node{}}
	var inst any
	if partial {
		inst = failing(validate, t, r)
	}
	if inst == nil {
		inst = t.value(root, nil, 0)
	}
	seen := map[string]bool{}
	var taken [][]string        // the locations taken out of inst
	var missing map[string]bool // what the first round found missing, in every branch
	// unevaluatedProperties: false reports every key of a mapping whose
	// subschema failed as unknown, known keys too. So unknown keys are
	// believed only once the values that failed are taken out.
	for range 8 {
		verr := validate(inst, false)
		if verr == nil {
			break
		}
		if missing == nil {
			missing = map[string]bool{}
			requiredIn(verr, missing)
		}
		all := leaves(verr)
		var failed [][]string
		for _, e := range all {
			if _, ok := e.kind.(falseKind); !ok {
				failed = append(failed, e.loc)
			}
		}
		for _, e := range all {
			loc := e.loc
			if k, ok := e.kind.(requiredKind); ok && takenUnder(taken, loc) && !missing[requiredKey(loc, k)] {
				// A mapping that an earlier round took a failed value
				// out of misses it, or the alternative to it that the
				// schema then asks for ("manual" once a bad "schedule"
				// is gone); the document has it. The first round saw
				// the mapping whole: what it really misses is in that
				// round's errors, though perhaps in a branch of a oneOf
				// that leaves passed over for a deeper error beside it
				// ("condition" missing next to a bad "restart").
				continue
			}
			switch k := e.kind.(type) {
			case additionalKind:
				for _, prop := range k.props {
					at := append(append([]string(nil), loc...), prop)
					out = appendOnce(out, seen, Violation{Node: t.keyNode(at), Path: strings.Join(at, "."),
						Message: fmt.Sprintf("%s: unknown key %q", pathText(loc), prop)})
				}
			case falseKind:
				if len(failed) == 0 && len(loc) > 0 {
					out = appendOnce(out, seen, Violation{Node: t.keyNode(loc), Path: strings.Join(loc, "."),
						Message: fmt.Sprintf("%s: unknown key %q", pathText(loc[:len(loc)-1]), loc[len(loc)-1])})
				}
			default:
				if n := t.nodes[key(loc)]; n != nil && !t.interpolated(n) {
					out = appendOnce(out, seen, Violation{Node: n, Path: strings.Join(loc, "."), Message: pathText(loc) + ": " + k.describe()})
				}
			}
		}
		if len(failed) == 0 {
			break
		}
		removed := false
		for _, loc := range failed {
			removed = remove(inst, loc) || removed
		}
		taken = append(taken, failed...)
		if !removed {
			break
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Node, out[j].Node
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	return &Checked{Violations: out}
}

// failing converts, into t, the top-level entries of root (a document's
// root mapping, that breaks the schema) that break it on their own, and,
// of services, only the services that do: what locating its violations
// needs, when the schema judges each entry on its own (compositional).
// The entries that pass add nothing to the errors, and a file of 100,000
// services with one broken is not converted whole. nil when root or
// services does not convert entry for entry (merge keys and the like):
// then the document is converted whole.
func failing(validate func(v any, quick bool) *verr, t *tree, root *yaml.Node) map[string]any {
	if !simpleMapping(root) {
		return nil
	}
	t.nodes[key(nil)] = root
	inst := map[string]any{}
	one := map[string]any{}    // a document of one top-level entry
	oneSvc := map[string]any{} // the services of one service
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, kn, v := root.Content[i].Value, root.Content[i], root.Content[i+1]
		clear(one)
		one[k] = v
		if validate(one, true) == nil {
			continue
		}
		loc := []string{k}
		t.keys[key(loc)] = kn
		svcs := compose.Resolve(v)
		if k != "services" || svcs == nil || svcs.Kind != yaml.MappingNode || !simpleMapping(svcs) {
			inst[k] = t.value(v, loc, 1)
			continue
		}
		t.nodes[key(loc)] = svcs
		part := map[string]any{}
		for j := 0; j+1 < len(svcs.Content); j += 2 {
			name, nn, sv := svcs.Content[j].Value, svcs.Content[j], svcs.Content[j+1]
			clear(oneSvc)
			oneSvc[name] = sv
			one[k] = oneSvc
			if validate(one, true) == nil {
				continue
			}
			at := []string{k, name}
			t.keys[key(at)] = nn
			part[name] = t.value(sv, at, 2)
		}
		inst[k] = part
	}
	return inst
}

// changed returns what of document now (a root mapping) differs from
// was: the top-level entries not written as they were, with, when
// services is a mapping in both, only the services not written as they
// were, and of those only the keys not written as they were. A value written the same converts the same; one written
// otherwise may too, and is validated all the same. The parts are
// mappings of some of now's entries (see entries).
func changed(was, now *yaml.Node) *yaml.Node {
	if !simpleMapping(was) || !simpleMapping(now) {
		return now
	}
	part := entries()
	for i := 0; i+1 < len(now.Content); i += 2 {
		kn, v := now.Content[i], now.Content[i+1]
		k := kn.Value
		_, old := compose.MapGet(was, k)
		if old != nil && sameNode(old, v, 1) {
			continue
		}
		oldSvcs, svcs := compose.Resolve(old), compose.Resolve(v)
		if k != "services" || oldSvcs == nil || svcs == nil || oldSvcs.Kind != yaml.MappingNode || svcs.Kind != yaml.MappingNode ||
			!simpleMapping(oldSvcs) || !simpleMapping(svcs) {
			part.Content = append(part.Content, kn, v)
			continue
		}
		ps := entries()
		oldSvc := lookupIn(oldSvcs)
		for j := 0; j+1 < len(svcs.Content); j += 2 {
			nn, sv := svcs.Content[j], svcs.Content[j+1]
			if o := oldSvc(nn.Value); o == nil || !sameNode(o, sv, 2) {
				ps.Content = append(ps.Content, nn, changedKeys(o, sv))
			}
		}
		part.Content = append(part.Content, kn, ps)
	}
	return part
}

// entries returns an empty mapping, to hold some entries of a mapping
// that converts entry for entry, its key and value nodes shared: the
// validator reads it as the mapping of those entries, and it costs less
// than a Go map of them. It stays such a mapping (simpleMapping): its
// keys are scalars, each once, and none a merge key, and no value is
// !reset.
func entries() *yaml.Node {
	return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
}

// lookupIn returns a lookup of mapping m's values by key, as
// compose.MapGet finds them (the first scalar key of that name that is not
// a merge key). A large mapping is indexed once: looking up each of a
// file's 100,000 services with MapGet took 50 s.
func lookupIn(m *yaml.Node) func(string) *yaml.Node {
	if len(m.Content) < 2*16 {
		return func(k string) *yaml.Node { _, v := compose.MapGet(m, k); return v }
	}
	index := make(map[string]*yaml.Node, len(m.Content)/2)
	for i := 0; i+1 < len(m.Content); i += 2 {
		if kn := m.Content[i]; kn.Kind == yaml.ScalarNode && !compose.IsMergeKey(kn) {
			if _, seen := index[kn.Value]; !seen {
				index[kn.Value] = m.Content[i+1]
			}
		}
	}
	return func(k string) *yaml.Node { return index[k] }
}

// changedKeys returns what of service now differs from was: the keys
// whose values, as the validator reads them (merge keys followed, !reset
// values dropped: effective), are not written as they were, when both are
// mappings with scalar keys (the schema judges each key of a service on
// its own, see compositional); else now whole. Fixes touch most services
// of a file but few keys of each.
func changedKeys(was, now *yaml.Node) *yaml.Node {
	was, now = compose.Resolve(was), compose.Resolve(now)
	if was == nil || now == nil || was.Kind != yaml.MappingNode || now.Kind != yaml.MappingNode || !scalarKeys(was) || !scalarKeys(now) {
		return now
	}
	// The entries as the validator reads them (effective), without making
	// mappings of them: a key node only for each entry of now that
	// changed, not for every entry of both, which was most of what a
	// run's output check allocated in a file whose services merge.
	// oldAt finds was's value for a key (nil: a key without one).
	var oldAt func(k string) (*yaml.Node, bool)
	switch {
	case !simpleMapping(was):
		pairs := effectivePairs(was)
		var at map[string]int
		if len(pairs) >= 2*16 {
			at = make(map[string]int, len(pairs)/2) // only where it pays
			for i := 0; i < len(pairs); i += 2 {
				at[pairs[i].Value] = i
			}
		}
		oldAt = func(k string) (*yaml.Node, bool) {
			i, ok := at[k]
			if at == nil {
				i, ok = -1, false
				for j := 0; j < len(pairs); j += 2 {
					if pairs[j].Value == k {
						i, ok = j, true
						break
					}
				}
			}
			if !ok {
				return nil, false
			}
			return pairs[i+1], true
		}
	case len(was.Content) >= 2*16:
		look := lookupIn(was) // a closure per service only where it pays
		oldAt = func(k string) (*yaml.Node, bool) { v := look(k); return v, v != nil }
	default:
		oldAt = func(k string) (*yaml.Node, bool) { _, v := compose.MapGet(was, k); return v, v != nil }
	}
	var null *yaml.Node // effective's value for a key without one, made once
	nullOr := func(v *yaml.Node) *yaml.Node {
		if v == nil {
			if null == nil {
				n := nullNode()
				null = &n
			}
			v = null
		}
		return v
	}
	part := entries()
	if simpleMapping(now) {
		for i := 0; i+1 < len(now.Content); i += 2 {
			if o, ok := oldAt(now.Content[i].Value); !ok || !sameNode(nullOr(o), now.Content[i+1], 3) {
				part.Content = append(part.Content, now.Content[i], now.Content[i+1])
			}
		}
		return part
	}
	pairs := effectivePairs(now)
	for i := 0; i < len(pairs); i += 2 {
		k, v := pairs[i], nullOr(pairs[i+1])
		if o, ok := oldAt(k.Value); !ok || !sameNode(nullOr(o), v, 3) {
			part.Content = append(part.Content, k, v)
		}
	}
	return part
}

// sameNode reports whether a and b, at depth in their documents, are
// written the same (aliases followed): then they convert to the same value.
func sameNode(a, b *yaml.Node, depth int) bool {
	a, b = compose.Resolve(a), compose.Resolve(b)
	if a == b || depth > maxDepth {
		return true // beyond maxDepth both convert to nil
	}
	if a == nil || b == nil || a.Kind != b.Kind || a.Tag != b.Tag || a.Value != b.Value || a.Style != b.Style || len(a.Content) != len(b.Content) {
		return false
	}
	for i := range a.Content {
		if !sameNode(a.Content[i], b.Content[i], depth+1) {
			return false
		}
	}
	return true
}

// scalarKeys reports whether every key of mapping n is a scalar.
func scalarKeys(n *yaml.Node) bool {
	for i := 0; i < len(n.Content); i += 2 {
		if n.Content[i].Kind != yaml.ScalarNode {
			return false
		}
	}
	return true
}

// Check is (&Schema{}).Check, for a single document.
func Check(root *yaml.Node) ([]Violation, error) { return (&Schema{}).Check(root) }

// remove deletes the mapping entry that holds the value at loc (for a list
// item, the entry holding the list) and reports whether it did.
func remove(inst any, loc []string) bool {
	var parents []any
	cur := inst
	for _, k := range loc {
		parents = append(parents, cur)
		switch c := cur.(type) {
		case map[string]any:
			cur = c[k]
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(c) {
				return false
			}
			cur = c[i]
		default:
			return false
		}
	}
	for i := len(loc) - 1; i >= 0; i-- {
		if m, ok := parents[i].(map[string]any); ok {
			if _, ok := m[loc[i]]; !ok {
				return false
			}
			delete(m, loc[i])
			return true
		}
	}
	return false
}

func typeName(t string) string {
	switch t {
	case "object":
		return "a mapping"
	case "array":
		return "a list"
	case "null":
		return "null"
	case "integer":
		return "an integer"
	}
	return "a " + t
}

// restartPolicies checks what compose checks of restart when it loads a
// file and the schema leaves to it: the schema only says "a string".
func restartPolicies(root *yaml.Node) []Violation {
	var out []Violation
	_, services := compose.MapGet(compose.Resolve(root), "services")
	services = compose.Resolve(services)
	if services == nil || services.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(services.Content); i += 2 {
		name := services.Content[i].Value
		v, _ := compose.Lookup(services.Content[i+1], "restart")
		v = compose.Resolve(v)
		// compose checks a value with a variable after substitution, and
		// reads "$$" as "$".
		if v == nil || v.Kind != yaml.ScalarNode || v.ShortTag() != "!!str" || hasVariable(v.Value) || validRestart(unescapeDollars(v.Value)) {
			continue
		}
		out = append(out, Violation{Node: v, Path: "services." + name + ".restart",
			Message: fmt.Sprintf("services.%s.restart: found %q; expected \"no\", always, on-failure, on-failure:N or unless-stopped", name, v.Value)})
	}
	return out
}

func validRestart(s string) bool {
	switch s {
	case "no", "always", "on-failure", "unless-stopped":
		return true
	}
	if n, ok := strings.CutPrefix(s, "on-failure:"); ok {
		_, err := strconv.ParseUint(n, 10, 32)
		return err == nil
	}
	return false
}

// hasVariable reports whether s holds a $ that is not half of "$$": a
// variable (or a malformed one) that compose substitutes before it
// validates. "$$" is a literal "$", which compose validates as such.
func hasVariable(s string) bool {
	for i := strings.IndexByte(s, '$'); i >= 0; i = strings.IndexByte(s, '$') {
		if i+1 >= len(s) || s[i+1] != '$' {
			return true
		}
		s = s[i+2:]
	}
	return false
}

// unescapeDollars reads each "$$" of s as the "$" compose reads.
func unescapeDollars(s string) string {
	if !strings.Contains(s, "$$") {
		return s
	}
	return strings.ReplaceAll(s, "$$", "$")
}

// requiredIn adds to missing the required errors of e's tree, those of
// every branch of a oneOf or anyOf too, keyed by requiredKey.
func requiredIn(e *verr, missing map[string]bool) {
	if k, ok := e.kind.(requiredKind); ok {
		missing[requiredKey(e.loc, k)] = true
	}
	for _, c := range e.causes {
		requiredIn(c, missing)
	}
}

// requiredKey identifies a required error by its location and what it
// misses.
func requiredKey(loc []string, k requiredKind) string {
	return key(loc) + "\x01" + strings.Join(k.missing, "\x00")
}

// takenUnder reports whether a location of taken lies under loc.
func takenUnder(taken [][]string, loc []string) bool {
	for _, at := range taken {
		if len(at) > len(loc) && slices.Equal(at[:len(loc)], loc) {
			return true
		}
	}
	return false
}

func appendOnce(out []Violation, seen map[string]bool, v Violation) []Violation {
	if v.Node == nil || seen[v.Path+"\x00"+v.Message] {
		return out
	}
	seen[v.Path+"\x00"+v.Message] = true
	return append(out, v)
}

func pathText(loc []string) string {
	if len(loc) == 0 {
		return "the file"
	}
	return strings.Join(loc, ".")
}

// leaves returns the errors to report: the deepest causes, except that of
// the alternatives of a oneOf or anyOf only the most specific one is kept
// (as compose-go does), since the others only say the value is not that
// alternative.
func leaves(e *verr) []*verr {
	if len(e.causes) == 0 {
		return []*verr{e}
	}
	switch e.kind.(type) {
	case oneOfKind, anyOfKind:
		return []*verr{mostSpecific(e)}
	}
	var out []*verr
	for _, c := range e.causes {
		out = append(out, leaves(c)...)
	}
	return out
}

func mostSpecific(e *verr) *verr {
	if len(e.causes) == 0 {
		return e
	}
	var best *verr
	for _, c := range e.causes {
		c = mostSpecific(c)
		if specificity(c) > specificity(best) {
			best = c
		}
	}
	return best
}

func specificity(e *verr) int {
	if e == nil {
		return -1
	}
	if _, ok := e.kind.(additionalKind); ok {
		return len(e.loc) + 1
	}
	return len(e.loc)
}

// tree converts YAML nodes into the values the schema validates (merge keys
// and aliases resolved, scalars typed by their resolved tag) and remembers
// which node each instance location came from.
type tree struct {
	nodes map[string]*yaml.Node // instance location -> value node
	keys  map[string]*yaml.Node // instance location -> key node, for own keys
}

func key(loc []string) string { return strings.Join(loc, "\x00") }

func (t *tree) keyNode(loc []string) *yaml.Node {
	if k := t.keys[key(loc)]; k != nil {
		return k
	}
	return t.nodes[key(loc)]
}

// maxDepth bounds alias expansion (a document of nested aliases can expand
// exponentially); compose files are far shallower.
const maxDepth = 64

func (t *tree) value(n *yaml.Node, loc []string, depth int) any {
	n = compose.Resolve(n)
	if n == nil || depth > maxDepth {
		return nil
	}
	record := t.nodes != nil
	if record {
		t.nodes[key(loc)] = n
	}
	at := func(k string) []string {
		if !record {
			return nil // locations matter only when a failure is located
		}
		return append(append([]string(nil), loc...), k)
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		if !hasMerge(n) {
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i]
				if isReset(n.Content[i+1]) {
					continue
				}
				a := at(k.Value)
				if record {
					t.keys[key(a)] = k
				}
				m[k.Value] = t.value(n.Content[i+1], a, depth+1)
			}
			return m
		}
		for _, k := range compose.Keys(n) {
			v, _ := compose.Lookup(n, k)
			if isReset(v) {
				continue
			}
			a := at(k)
			if record {
				if kn := keyOf(n, k, 0); kn != nil {
					t.keys[key(a)] = kn
				}
			}
			m[k] = t.value(v, a, depth+1)
		}
		return m
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			if !isReset(c) {
				s = append(s, t.value(c, at(strconv.Itoa(len(s))), depth+1))
			}
		}
		return s
	case yaml.ScalarNode:
		return scalar(n)
	}
	return nil
}

// isReset reports whether n is tagged !reset, itself or through an alias:
// compose-go drops such a value (an overlay's way to unset the base's)
// before it validates, so the schema never sees it.
func isReset(n *yaml.Node) bool {
	for i := 0; n != nil && i < maxDepth; i++ {
		if n.Tag == "!reset" {
			return true
		}
		if n.Kind != yaml.AliasNode {
			return false
		}
		n = n.Alias
	}
	return false
}

// hasMerge reports whether mapping m has a merge key ("<<").
func hasMerge(m *yaml.Node) bool {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if compose.IsMergeKey(m.Content[i]) {
			return true
		}
	}
	return false
}

// scalar types a scalar as compose-go's YAML decoding would.
func scalar(n *yaml.Node) any { return nodeScalar(n).value() }

// nodeScalar is scalar's value, viewed. The commonest forms, true, false
// and decimal integers, are read without a decoder, which costs more than
// the rest of the conversion (TestScalarIsDecode: same values).
func nodeScalar(n *yaml.Node) scalarView {
	if n.Tag == "!!str" {
		// The parser's tag for most scalars, which ShortTag returns as
		// it is: no need to ask it.
		return scalarView{t: tString, str: n.Value, escaped: true}
	}
	switch n.ShortTag() {
	case "!!null":
		return scalarView{t: tNull}
	case "!!bool":
		switch n.Value {
		case "true":
			return scalarView{t: tBoolean, b: true}
		case "false":
			return scalarView{t: tBoolean}
		}
		var b bool
		if n.Decode(&b) == nil {
			return scalarView{t: tBoolean, b: b}
		}
	case "!!int":
		if i, ok := decimal(n.Value); ok {
			return scalarView{t: tNumber, i: i}
		}
		var i int64
		if n.Decode(&i) == nil {
			return scalarView{t: tNumber, i: i}
		}
		// Between 2^63 and 2^64 yaml.v3 decodes a uint64, a number
		// to compose-go's schema check.
		var u uint64
		if n.Decode(&u) == nil {
			return scalarView{t: tNumber, u: u, isUint: true}
		}
	case "!!float":
		var f float64
		if n.Decode(&f) == nil {
			return scalarOf(f)
		}
	}
	// compose validates a string after interpolation, which turns "$$"
	// into "$"; one with a variable is not judged (see interpolated).
	return scalarView{t: tString, str: n.Value, escaped: true}
}

// decimal reads a plain decimal integer of at most 18 digits, no sign
// but minus and no leading zero: a form yaml reads the same way.
func decimal(s string) (int64, bool) {
	digits := strings.TrimPrefix(s, "-")
	if digits == "" || len(digits) > 18 || digits[0] == '0' && s != "0" {
		return 0, false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, false
		}
	}
	i, err := strconv.ParseInt(s, 10, 64)
	return i, err == nil
}

// interpolated reports whether a value is, or holds, a string with a
// variable, which compose substitutes before it validates.
func (t *tree) interpolated(n *yaml.Node) bool {
	found := false
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		n = compose.Resolve(n)
		if n == nil || found || depth > maxDepth {
			return
		}
		if n.Kind == yaml.ScalarNode {
			found = hasVariable(n.Value)
			return
		}
		for _, c := range n.Content {
			walk(c, depth+1)
		}
	}
	walk(n, 0)
	return found
}

// keyOf returns the key node that gives mapping m its entry k: its own, or
// a merged mapping's (the first, as compose.Lookup).
func keyOf(m *yaml.Node, k string, depth int) *yaml.Node {
	m = compose.Resolve(m)
	if m == nil || m.Kind != yaml.MappingNode || depth > maxDepth {
		return nil
	}
	if own, _ := compose.MapGet(m, k); own != nil {
		return own
	}
	for _, s := range compose.MergeSources(m) {
		if kn := keyOf(s, k, depth+1); kn != nil {
			return kn
		}
	}
	return nil
}
