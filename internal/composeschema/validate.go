package composeschema

import (
	"math"
	"math/big"
	"math/bits"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/internal/lazyre"
	"go.yaml.in/yaml/v3"
)

// The validator: the compose-spec schema (spec_gen.go, the schema that
// compose-go ships, compiled at build time into a table of nodes) applied
// to a document's YAML tree, read as tree.value converts it (fromNode), or
// to converted values (to locate a failure's violations). It implements
// the keywords that schema uses with the semantics of
// santhosh-tekuri/jsonschema, the validator compose-go uses, and builds
// the same tree of errors (kinds, instance locations, causes in evaluation
// order), so that violations are located and worded as before. Keeping
// that library out of the binary saves its package init (its draft
// meta-schemas, about 3 ms, paid by every process, --version too) and the
// compile of the compose schema at the first check (about 5 ms), and
// validation is several times cheaper (BenchmarkCheckCorpus).
// TestSameErrorsAsSanthosh proves the verdicts and the violations the
// same, TestVerdictIsComposeGos the verdicts compose-go's.

// jsonType is a set of JSON types, in santhosh's order (which words its
// type errors).
type jsonType uint8

const (
	tNull jsonType = 1 << iota
	tBoolean
	tNumber
	tInteger
	tString
	tArray
	tObject
)

func (t jsonType) names() []string {
	var out []string
	for _, n := range [...]struct {
		t    jsonType
		name string
	}{{tNull, "null"}, {tBoolean, "boolean"}, {tNumber, "number"}, {tInteger, "integer"}, {tString, "string"}, {tArray, "array"}, {tObject, "object"}} {
		if t&n.t != 0 {
			out = append(out, n.name)
		}
	}
	return out
}

// node is one compiled schema. Schemas refer to each other by index in the
// table (0: none), so the table is static data with no initialization
// code, and $ref cycles need no pointers.
type node struct {
	boolean     int8 // 0: a schema object; 1: the true schema; -1: the false schema
	types       jsonType
	enum        []string // the compose schema's enums are all of strings
	ref         int32
	props       []prop // laid out for prop (see propSlot)
	patterns    []pattern
	additional  int32 // a schema, or addlTrue, addlFalse (the booleans, not schemas)
	required    []string
	items       int32
	flat        int32 // 1 + index into the table's flats, 0: not a flat
	uniqueItems bool
	hasMin      bool
	hasMax      bool
	minimum     float64 // exact: the generator takes integers of at most 53 bits only
	maximum     float64
	pattern     int32 // 1 + index into patterns (the table's), 0: none
	allOf       []int32
	anyOf       []int32
	oneOf       []int32
	unevaluated int32
}

// shapeOf tells the schemas val can judge without a validator apart.
func shapeOf(n *node) shape {
	if pureRef(n) {
		return refOnly
	}
	if n.boolean != 0 || n.enum != nil || n.ref != 0 || n.props != nil || n.patterns != nil ||
		n.additional != 0 || n.required != nil || n.items != 0 || n.uniqueItems || n.hasMin || n.hasMax ||
		n.pattern != 0 || n.allOf != nil || n.anyOf != nil || n.oneOf != nil || n.unevaluated != 0 {
		return general
	}
	if n.types == 0 {
		return empty
	}
	return typesOnly
}

// pureRef reports whether n is a $ref and nothing else: it judges as the
// schema it refers to.
func pureRef(n *node) bool {
	return n.ref != 0 && n.boolean == 0 && n.types == 0 && n.enum == nil && n.props == nil && n.patterns == nil &&
		n.additional == 0 && n.required == nil && n.items == 0 && !n.uniqueItems && !n.hasMin && !n.hasMax &&
		n.pattern == 0 && n.allOf == nil && n.anyOf == nil && n.oneOf == nil && n.unevaluated == 0
}

type shape uint8

const (
	general shape = iota
	// empty is the empty schema, {}: it accepts any JSON value and
	// looks at none of its entries.
	empty
	// typesOnly is a schema of a type keyword alone ({"type": "string"}):
	// most of a document's scalars meet one.
	typesOnly
	// refOnly is a $ref and nothing else: a quick check (a verdict, no
	// errors, which it would wrap) goes straight to the schema it refers
	// to (see through).
	refOnly
)

// through returns the schema a quick check of a value against node sch
// judges it by: the end of a chain of refOnly schemas (a cycle of them is
// left to the general way).
func (c *compiled) through(sch int32) int32 {
	for i := 0; i < 8 && c.shapes[sch] == refOnly; i++ {
		sch = c.nodes[sch].ref
	}
	return sch
}

// failsByType reports whether the type keyword of node sch (after
// through) refuses a value of type t (integer: a number without a
// fraction) before any other keyword is read: what a quick check of an
// alternative of anyOf or oneOf finds without a validator.
func (c *compiled) failsByType(sch int32, t jsonType, integer bool) bool {
	n := &c.nodes[c.through(sch)] // a boolean schema has no types: left to the general way
	return n.types != 0 && n.types&t == 0 && (n.types&tInteger == 0 || t != tNumber || !integer)
}

const (
	addlTrue  = -1
	addlFalse = -2
)

// prop returns the schema of property k (see propSlot).
func (n *node) prop(k string) (int32, bool) {
	if k == "" || n.props == nil {
		return 0, false // no property is named ""
	}
	m := len(n.props) - 1
	for i := propSlot(k, len(n.props)); ; i = (i + 1) & m {
		if p := &n.props[i]; p.name == k {
			return p.schema, true
		} else if p.name == "" {
			return 0, false
		}
	}
}

// propSlot is where the lookup of property k (not "") starts in a table
// of properties of size slots, a power of two. The generator puts each
// property at its slot, or at the next free one after it when that is
// taken, in a table at least twice as large as the properties (so that
// one is free): a lookup compares k with a name or two, where a binary
// search of a service's 73 compared it with seven.
func propSlot(k string, size int) int {
	h := uint32(len(k)) | uint32(k[0])<<8 | uint32(k[len(k)/2])<<16 | uint32(k[len(k)-1])<<24
	return int((h * 0x9E3779B1) >> (32 - bits.Len(uint(size-1)))) // the product's top bits mix all of h
}

// slotted returns items laid out by propSlot of their names, for the
// lookups of node.prop and flat.prop: the generator's layout.
func slotted[T any](items []T, name func(*T) string) []T {
	if items == nil {
		return nil
	}
	size := 2
	for size < 2*len(items) {
		size *= 2
	}
	out := make([]T, size)
	for _, it := range items {
		i := propSlot(name(&it), size)
		for name(&out[i]) != "" {
			i = (i + 1) & (size - 1)
		}
		out[i] = it
	}
	return out
}

type prop struct {
	name   string
	schema int32
}

type pattern struct {
	re     int32 // index into the table's patterns
	schema int32
}

// table is a compiled schema: nodes[1] is the root.
type table struct {
	nodes    []node
	patterns []string // regular expressions, as the schema spells them
	flats    []flat   // see flat: worked out when the table is made
	// compositional: see compositional, computed when the table was made.
	compositional bool
}

// matcher matches one of the schema's regular expressions. Those that
// name keys, matched against every key of every mapping they apply to, are
// tested without the regexp engine, with the same answers
// (TestMatchersAreTheRegexps).
type matcher func(string) bool

func newMatcher(src string) (matcher, error) {
	switch src {
	case "^x-":
		return func(s string) bool { return strings.HasPrefix(s, "x-") }, nil
	case "^[a-zA-Z0-9._-]+$":
		return allBytes(func(c byte) bool {
			return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-'
		}), nil
	case "[a-zA-Z0-9][a-zA-Z0-9_.-]+":
		// container_name, unanchored: some ASCII letter or digit followed
		// by one more name byte. Bytes of other runes, and invalid ones
		// (which the regexp reads as U+FFFD), are in neither class.
		alnum := func(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' }
		return func(s string) bool {
			for i := 0; i+1 < len(s); i++ {
				if c := s[i+1]; alnum(s[i]) && (alnum(c) || c == '_' || c == '.' || c == '-') {
					return true
				}
			}
			return false
		}, nil
	case "^[a-z]+$":
		return allBytes(func(c byte) bool { return 'a' <= c && c <= 'z' }), nil
	case ".+":
		// "." is any character but a newline, an invalid byte included.
		return func(s string) bool { return strings.Trim(s, "\n") != "" }, nil
	case "^.+$":
		// "$" is the end of the text: no multi-line mode.
		return func(s string) bool { return s != "" && !strings.Contains(s, "\n") }, nil
	}
	// Compiled at the first match: only pull_policy's pattern reaches
	// here, most documents never use it, and compiling costs more than
	// the rest of preparing the schema. The generator has compiled it.
	re := lazyre.New(src)
	return func(s string) bool { return re().MatchString(s) }, nil
}

// allBytes matches a non-empty string of ASCII bytes in a class: a
// table of the class, made once, so that a byte costs a load rather than
// a call (every key of services, networks and volumes is matched).
func allBytes(in func(byte) bool) matcher {
	var class [256]bool
	for c := range 256 {
		class[c] = in(byte(c))
	}
	return func(s string) bool {
		for i := 0; i < len(s); i++ {
			if !class[s[i]] {
				return false
			}
		}
		return s != ""
	}
}

// compiled is a table ready to validate with: its patterns compiled, and
// its nodes' shapes.
type compiled struct {
	*table
	match  []matcher
	shapes []shape // by node
}

func compileTable(t *table) (*compiled, error) {
	c := &compiled{table: t, match: make([]matcher, len(t.patterns)), shapes: make([]shape, len(t.nodes))}
	for i := range t.nodes {
		c.shapes[i] = shapeOf(&t.nodes[i])
	}
	for i, src := range t.patterns {
		m, err := newMatcher(src)
		if err != nil {
			return nil, err
		}
		c.match[i] = m
	}
	return c, nil
}

// verr is a validation error as santhosh builds it. A node with causes
// (its Reference, Group, AllOf and Schema errors, which leaves looks
// through, and the OneOf and AnyOf errors that it does not) or a leaf with
// its kind.
type verr struct {
	loc    []string // the instance location
	kind   errKind
	causes []*verr
}

// quickFail is what a validation that needs only the verdict returns for
// a failure (santhosh's boolResult): never written to.
var quickFail = &verr{kind: groupKind{}}

// validateTop returns nil when v meets the schema, else its error, under
// a node of causes as santhosh's Schema error. quick: only the verdict is
// wanted.
func (c *compiled) validateTop(v any, quick bool) *verr {
	vd := validator{c: c, v: v, s: &c.nodes[1], sorted: !quick, quick: quick}
	if n, ok := v.(*yaml.Node); ok {
		vd.v = vd.fromNode(n)
	}
	if !quick {
		vd.loc = make([]string, 0, 8)
	}
	vd.uneval = vd.unevalFrom(false)
	_, err := vd.run()
	if err == nil || quick {
		return err
	}
	if _, ok := err.kind.(groupKind); ok {
		return err
	}
	return &verr{kind: groupKind{}, causes: []*verr{err}}
}

type validator struct {
	c    *compiled
	v    any
	loc  []string
	s    *node
	keys []string // an object's keys, in order when errors are wanted: read once for each value
	// The small fields together: a validator is made for each value and
	// keyword, and its size is what that costs.
	sorted bool    // keys are sorted: errors are wanted
	quick  bool    // only the verdict is wanted
	depth  int32   // of the value in the document, as tree.value counts it
	uneval propSet // the object's properties (by index in keys) no keyword has evaluated yet
	errs   []*verr
	// merged is the validation's effective mappings, by the mapping they
	// are made from: an anchored mapping with merge keys (a service's
	// depends_on in sentry's defaults) is reached once for each alias
	// of it, and each of its values again for each. Made at the first
	// one, and passed down and back up (see adopt): most documents have
	// none, and pay nothing.
	merged map[*yaml.Node]*yaml.Node
}

// unevalFrom is the properties a validation of the value against vd.s
// tracks: all the object's, when that schema or its caller needs them
// (santhosh's unevalFrom).
func (vd *validator) unevalFrom(callerNeeds bool) propSet {
	if vd.s.additional != 0 || !(callerNeeds || vd.s.unevaluated != 0) {
		return propSet{}
	}
	switch v := vd.v.(type) {
	case map[string]any:
		return fullSet(len(vd.objKeys()))
	case *yaml.Node:
		if v.Kind == yaml.MappingNode {
			return fullSet(len(v.Content) / 2)
		}
	}
	return propSet{}
}

// objKeys returns the object's keys, sorted when errors are wanted, so
// that they come in the same order at every run (santhosh takes Go's map
// order).
func (vd *validator) objKeys() []string {
	if vd.keys == nil {
		obj := vd.v.(map[string]any)
		vd.keys = make([]string, 0, len(obj))
		for k := range obj {
			vd.keys = append(vd.keys, k)
		}
		if vd.sorted {
			sort.Strings(vd.keys)
		}
	}
	return vd.keys
}

// propSet is a set of property indices.
type propSet struct {
	lo uint64   // 0 to 63
	hi []uint64 // 64 on
}

func fullSet(n int) propSet {
	var s propSet
	for i := range n {
		s.add(i)
	}
	return s
}

func (s *propSet) add(i int) {
	if i < 64 {
		s.lo |= 1 << i
		return
	}
	w := (i - 64) / 64
	for len(s.hi) <= w {
		s.hi = append(s.hi, 0)
	}
	s.hi[w] |= 1 << ((i - 64) % 64)
}

func (s *propSet) remove(i int) {
	if i < 64 {
		s.lo &^= 1 << i
	} else if w := (i - 64) / 64; w < len(s.hi) {
		s.hi[w] &^= 1 << ((i - 64) % 64)
	}
}

func (s propSet) has(i int) bool {
	if i < 64 {
		return s.lo&(1<<i) != 0
	}
	w := (i - 64) / 64
	return w < len(s.hi) && s.hi[w]&(1<<((i-64)%64)) != 0
}

func (s propSet) empty() bool {
	if s.lo != 0 {
		return false
	}
	for _, w := range s.hi {
		if w != 0 {
			return false
		}
	}
	return true
}

// keep removes what o does not hold.
func (s *propSet) keep(o propSet) {
	s.lo &= o.lo
	for w := range s.hi {
		if w < len(o.hi) {
			s.hi[w] &= o.hi[w]
		} else {
			s.hi[w] = 0
		}
	}
}

func (vd *validator) error(k errKind) *verr {
	if vd.quick {
		return quickFail
	}
	return &verr{loc: slices.Clone(vd.loc), kind: k}
}

func (vd *validator) add(e *verr) {
	if e != nil {
		vd.errs = append(vd.errs, e)
	}
}

func (vd *validator) addKind(k errKind) { vd.errs = append(vd.errs, vd.error(k)) }

// quickFailed records a failure, without its error, when only the
// verdict is wanted, and reports whether it did: the caller then need not
// make the error (boxing its kind costs an allocation).
func (vd *validator) quickFailed() bool {
	if vd.quick {
		vd.errs = append(vd.errs, quickFail)
	}
	return vd.quick
}

func (vd *validator) addCauses(causes []*verr, k errKind) {
	e := vd.error(k)
	if !vd.quick {
		e.causes = causes
	}
	vd.errs = append(vd.errs, e)
}

func (vd *validator) run() (propSet, *verr) {
	s := vd.s

	switch s.boolean {
	case 1:
		return vd.uneval, nil
	case -1:
		return propSet{}, vd.error(falseKind{})
	}
	sv := scalarOf(vd.v)
	t := sv.t
	if t == 0 {
		if vd.quick {
			return propSet{}, quickFail
		}
		return propSet{}, vd.error(invalidKind{vd.v})
	}
	if s.types != 0 && s.types&t == 0 && (s.types&tInteger == 0 || t != tNumber || !sv.isInteger()) {
		if vd.quick {
			return propSet{}, quickFail
		}
		return propSet{}, vd.error(typeKind{got: t, want: s.types})
	}
	if s.enum != nil && (t != tString || !slices.Contains(s.enum, sv.text())) {
		if vd.quick {
			return propSet{}, quickFail
		}
		return propSet{}, vd.error(enumKind{got: vd.v, want: s.enum})
	}
	if s.ref != 0 {
		if err := vd.self(s.ref, false); err != nil {
			// santhosh's Reference error: its causes, the referenced
			// schema's errors.
			if vd.quick {
				vd.add(quickFail)
			} else if _, ok := err.kind.(groupKind); ok {
				vd.add(&verr{loc: slices.Clone(vd.loc), kind: groupKind{}, causes: err.causes})
			} else {
				vd.add(&verr{loc: slices.Clone(vd.loc), kind: groupKind{}, causes: []*verr{err}})
			}
		}
	}
	switch t {
	case tObject:
		// A schema of none of the object keywords (a $ref, a oneOf)
		// need not walk the entries: it evaluates none of them.
		if s.props == nil && s.patterns == nil && s.additional == 0 && s.required == nil {
			break
		}
		if n, ok := vd.v.(*yaml.Node); ok {
			vd.objectNode(n)
		} else {
			vd.object(vd.v.(map[string]any))
		}
	case tArray:
		if s.items == 0 && !s.uniqueItems {
			break
		}
		if n, ok := vd.v.(*yaml.Node); ok {
			vd.arrayNode(n)
		} else {
			vd.array(vd.v.([]any))
		}
	case tString:
		if s.pattern != 0 && !vd.c.match[s.pattern-1](sv.text()) && !vd.quickFailed() {
			vd.addKind(patternKind{got: sv.text(), want: vd.c.patterns[s.pattern-1]})
		}
	case tNumber:
		vd.number(sv)
	}
	if len(vd.errs) == 0 || !vd.quick {
		if s.allOf != nil || s.anyOf != nil || s.oneOf != nil {
			vd.cond(&sv)
		}
		if s.unevaluated != 0 {
			vd.unevaluated()
		}
	}
	switch len(vd.errs) {
	case 0:
		return vd.uneval, nil
	case 1:
		return propSet{}, vd.errs[0]
	}
	if vd.quick {
		return propSet{}, quickFail
	}
	return propSet{}, &verr{loc: slices.Clone(vd.loc), kind: groupKind{}, causes: vd.errs}
}

// required checks the required keyword with has, which reports whether
// the object has a key, and reports whether to go on validating it.
func (vd *validator) required(has func(string) bool) bool {
	var missing []string
	for _, r := range vd.s.required {
		if !has(r) {
			missing = append(missing, r)
		}
	}
	if missing != nil && !vd.quickFailed() {
		vd.addKind(requiredKind{missing})
	}
	return !vd.quick || len(vd.errs) == 0
}

func (vd *validator) object(obj map[string]any) {
	if vd.s.required != nil && !vd.required(func(k string) bool { _, ok := obj[k]; return ok }) {
		return
	}
	var additional []string
	if vd.keys == nil && !vd.sorted && vd.uneval.empty() {
		// Nothing tracks the properties by index, nor wants them in order:
		// no need to list the keys.
		for k, pv := range obj {
			if vd.quick && len(vd.errs) > 0 {
				return
			}
			additional = vd.property(k, pv, -1, additional)
		}
	} else {
		for ki, k := range vd.objKeys() {
			if vd.quick && len(vd.errs) > 0 {
				return
			}
			additional = vd.property(k, obj[k], ki, additional)
		}
	}
	if len(additional) > 0 && !vd.quickFailed() {
		vd.addKind(additionalKind{additional})
	}
}

// property validates the object's property k (index ki in its keys, or -1)
// and returns additional with k when additionalProperties is false and no
// other keyword evaluates it.
func (vd *validator) property(k string, pv any, ki int, additional []string) []string {
	s := vd.s
	evaluated := false
	if ps, ok := s.prop(k); ok {
		evaluated = true
		vd.add(vd.val(ps, pv, k))
	}
	for _, p := range s.patterns {
		if vd.c.match[p.re](k) {
			evaluated = true
			vd.add(vd.val(p.schema, pv, k))
		}
	}
	if !evaluated && s.additional != 0 {
		evaluated = true
		switch s.additional {
		case addlFalse:
			additional = append(additional, k)
		case addlTrue:
		default:
			vd.add(vd.val(s.additional, pv, k))
		}
	}
	if evaluated && ki >= 0 {
		vd.uneval.remove(ki)
	}
	return additional
}

func (vd *validator) array(arr []any) {
	s := vd.s
	if s.uniqueItems && len(arr) > 1 {
		if i, j := duplicates(arr); i != -1 && !vd.quickFailed() {
			vd.addKind(uniqueKind{i, j})
		}
	}
	if s.items != 0 {
		for i, item := range arr {
			vd.add(vd.val(s.items, item, strconv.Itoa(i)))
		}
	}
}

func (vd *validator) number(sv scalarView) {
	s := vd.s
	if s.hasMin && sv.less(s.minimum) && !vd.quickFailed() {
		vd.addKind(minimumKind{got: sv.value(), want: s.minimum})
	}
	if s.hasMax && sv.greater(s.maximum) && !vd.quickFailed() {
		vd.addKind(maximumKind{got: sv.value(), want: s.maximum})
	}
}

// less and greater compare a number with a bound of at most 53 bits as
// santhosh does, exactly (it compares rationals): a float64 is compared
// with the bound's float64, which is exact.
func (sv scalarView) less(bound float64) bool {
	switch {
	case sv.isFloat:
		return sv.f < bound
	case sv.isUint: // at least 2^63, above any bound
		return false
	}
	return sv.i < int64(bound)
}

func (sv scalarView) greater(bound float64) bool {
	switch {
	case sv.isFloat:
		return sv.f > bound
	case sv.isUint:
		return true
	}
	return sv.i > int64(bound)
}

// cond checks allOf, anyOf and oneOf on the value, of view sv. An
// alternative whose type keyword refuses the value fails a quick check
// (which wants no error) without a validation of it.
func (vd *validator) cond(sv *scalarView) {
	s := vd.s
	refused := func(sch int32, quick bool) bool {
		return (vd.quick || quick) && vd.c.failsByType(sch, sv.t, sv.t == tNumber && sv.isInteger())
	}
	// A quick check keeps no list of the alternatives' errors: one
	// failure is the error.
	if len(s.allOf) > 0 {
		var errs []*verr
		for _, sch := range s.allOf {
			if refused(sch, false) {
				vd.errs = append(vd.errs, quickFail)
				return // vd.quick
			}
			if err := vd.self(sch, false); err != nil {
				if vd.quick {
					vd.errs = append(vd.errs, quickFail)
					return
				}
				errs = append(errs, err)
			}
		}
		if len(errs) != 0 {
			vd.addCauses(errs, groupKind{})
		}
	}
	if len(s.anyOf) > 0 {
		matched := false
		var errs []*verr
		for _, sch := range s.anyOf {
			if refused(sch, false) {
				continue // vd.quick: errs unread
			}
			if err := vd.self(sch, false); err != nil {
				if !vd.quick {
					errs = append(errs, err)
				}
			} else {
				matched = true
				if vd.uneval.empty() {
					break
				}
			}
		}
		if !matched {
			vd.addCauses(errs, anyOfKind{})
		}
	}
	if len(s.oneOf) > 0 {
		matched := -1
		var errs []*verr
		for i, sch := range s.oneOf {
			if refused(sch, matched != -1) {
				continue // errs unread: vd.quick, or a match is found
			}
			if err := vd.self(sch, matched != -1); err != nil {
				if matched == -1 && !vd.quick {
					errs = append(errs, err)
				}
			} else {
				if matched == -1 {
					matched = i
				} else {
					vd.addKind(oneOfKind{matched, i})
					break
				}
			}
		}
		if matched == -1 {
			vd.addCauses(errs, oneOfKind{-1, -1})
		}
	}
}

func (vd *validator) unevaluated() {
	s := vd.s
	if s.unevaluated == 0 {
		return
	}
	if n, ok := vd.v.(*yaml.Node); ok && n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if vd.uneval.has(i / 2) {
				vd.add(vd.val(s.unevaluated, n.Content[i+1], n.Content[i].Value))
			}
		}
		vd.uneval = propSet{}
		return
	}
	obj, ok := vd.v.(map[string]any)
	if !ok {
		return
	}
	for i, k := range vd.objKeys() {
		if vd.uneval.has(i) {
			vd.add(vd.val(s.unevaluated, obj[k], k))
		}
	}
	vd.uneval = propSet{}
}

// self validates the same value against another schema, which evaluates
// its properties for the caller's unevaluatedProperties when it passes.
func (vd *validator) self(sch int32, quick bool) *verr {
	if vd.c.shapes[sch] == refOnly && (vd.quick || quick) {
		sch = vd.c.through(sch)
	}
	s := &vd.c.nodes[sch]
	sub := validator{c: vd.c, v: vd.v, loc: vd.loc, s: s, keys: vd.keys, sorted: vd.sorted, quick: vd.quick || quick, depth: vd.depth, merged: vd.merged}
	if err, ok := sub.quickFlat(sch); ok {
		vd.adopt(&sub)
		if err == nil {
			vd.uneval.keep(propSet{}) // a flat evaluates every key
		}
		return err
	}
	if needs := !vd.uneval.empty(); s.additional == 0 && (needs || s.unevaluated != 0) {
		sub.uneval = sub.unevalFrom(needs) // else none to track
	}
	u, err := sub.run()
	if vd.keys == nil {
		vd.keys = sub.keys // read once
	}
	vd.adopt(&sub)
	if err == nil {
		vd.uneval.keep(u)
	}
	return err
}

// val validates a value inside this one, at tok.
func (vd *validator) val(sch int32, v any, tok string) *verr {
	shape := vd.c.shapes[sch]
	if shape == refOnly && vd.quick {
		sch = vd.c.through(sch)
		shape = vd.c.shapes[sch]
	}
	s := &vd.c.nodes[sch]
	if n, ok := v.(*yaml.Node); ok {
		switch shape {
		case empty:
			// The empty schema (extensions, x-*) judges only that a
			// scalar is a JSON value: a mapping or a list passes, and
			// need not be converted (a merged one costs a copy of its
			// keys).
			if n = compose.Resolve(n); n == nil || n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
				return nil
			}
		case typesOnly:
			// A scalar of the type passes (as run would find) without a
			// validator; anything else takes the general way, which
			// words its error.
			if n = compose.Resolve(n); n != nil && n.Kind == yaml.ScalarNode && vd.depth+1 <= maxDepth {
				sv := nodeScalar(n)
				if t := sv.t; t != 0 && (s.types&t != 0 || s.types&tInteger != 0 && t == tNumber && sv.isInteger()) {
					return nil
				}
			}
		}
	}
	sub := validator{c: vd.c, v: v, s: s, sorted: vd.sorted, quick: vd.quick, depth: vd.depth + 1, merged: vd.merged}
	if n, ok := v.(*yaml.Node); ok {
		sub.v = sub.fromNode(n)
	}
	if err, ok := sub.quickFlat(sch); ok {
		vd.adopt(&sub)
		return err
	}
	if s.unevaluated != 0 {
		sub.uneval = sub.unevalFrom(false) // else none to track
	}
	if !vd.quick {
		sub.loc = append(vd.loc, tok)
	}
	_, err := sub.run()
	vd.adopt(&sub)
	return err
}

// adopt takes the effective mappings a validation inside this one made,
// for the validations after it.
func (vd *validator) adopt(sub *validator) {
	if vd.merged == nil {
		vd.merged = sub.merged
	}
}

// scalarView is a value as the validator's scalar keywords see it: its
// JSON type (santhosh's: 0 for NaN and the infinities, which are no JSON
// value) and, for a scalar, its value.
type scalarView struct {
	t       jsonType
	str     string // a string's text, its "$$" escapes still in it when escaped
	escaped bool
	b       bool
	i       int64
	u       uint64 // an integer beyond int64 (isUint), 2^63 to 2^64-1
	f       float64
	isFloat bool
	isUint  bool
}

// scalarOf views a converted value or a node that fromNode returned.
func scalarOf(v any) scalarView {
	switch v := v.(type) {
	case nil:
		return scalarView{t: tNull}
	case bool:
		return scalarView{t: tBoolean, b: v}
	case int64:
		return scalarView{t: tNumber, i: v}
	case uint64:
		return scalarView{t: tNumber, u: v, isUint: true}
	case float64:
		sv := scalarView{t: tNumber, f: v, isFloat: true}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			sv.t = 0
		}
		return sv
	case string:
		return scalarView{t: tString, str: v}
	case []any:
		return scalarView{t: tArray}
	case map[string]any:
		return scalarView{t: tObject}
	case *yaml.Node:
		switch v.Kind {
		case yaml.MappingNode:
			return scalarView{t: tObject}
		case yaml.SequenceNode:
			return scalarView{t: tArray}
		}
		return nodeScalar(v)
	}
	return scalarView{}
}

// text is a string's value: a node's with each "$$" read as "$", made
// only when a keyword reads the string, since most are only typed.
func (sv scalarView) text() string {
	if sv.escaped {
		return unescapeDollars(sv.str)
	}
	return sv.str
}

// value is the converted value.
func (sv scalarView) value() any {
	switch {
	case sv.t == tNull:
		return nil
	case sv.t == tBoolean:
		return sv.b
	case sv.t == tString:
		return sv.text()
	case sv.isFloat:
		return sv.f
	case sv.isUint:
		return sv.u
	}
	return sv.i
}

// isInteger: santhosh reads the number's shortest decimal form as a
// rational, which is an integer exactly when a finite float64 has no
// fraction.
func (sv scalarView) isInteger() bool {
	if sv.isFloat {
		return !math.IsInf(sv.f, 0) && sv.f == math.Trunc(sv.f)
	}
	return sv.t == tNumber
}

// typeOf is santhosh's: 0 for what is not a JSON value (NaN, infinities).
func typeOf(v any) jsonType { return scalarOf(v).t }

// fromNode returns what to validate for node n at vd's depth, as
// tree.value would convert it but without converting it: nil for a null
// (or a node too deep), else a node: n itself (resolved) for another
// scalar and for a mapping or list that converts entry for entry, else a
// mapping or list of the entries it converts to (see effective).
func (vd *validator) fromNode(n *yaml.Node) any {
	n = compose.Resolve(n)
	if n == nil || vd.depth > maxDepth {
		return nil
	}
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag != "!!str" && n.ShortTag() == "!!null" { // the parser's tag for most scalars: no need to ask
			return nil
		}
		return n
	case yaml.MappingNode:
		if simpleMapping(n) {
			return n
		}
		e, ok := vd.merged[n]
		if !ok {
			if vd.merged == nil {
				vd.merged = map[*yaml.Node]*yaml.Node{}
			}
			e = effective(n)
			vd.merged[n] = e
		}
		return e
	case yaml.SequenceNode:
		if !slices.ContainsFunc(n.Content, isReset) {
			return n
		}
		items := &yaml.Node{Kind: yaml.SequenceNode}
		for _, c := range n.Content {
			if !isReset(c) {
				items.Content = append(items.Content, c)
			}
		}
		return items
	}
	return nil
}

// effective returns a mapping of the entries mapping n converts to, as
// tree.value reads them: with a merge key, its effective keys (compose.Keys)
// and their values (compose.Lookup); else each key's last value; !reset
// values left out either way. Its keys are scalars, each once (see
// effectivePairs).
func effective(n *yaml.Node) *yaml.Node {
	pairs := effectivePairs(n)
	var null *yaml.Node // a missing value, which tree.value reads as null
	for i := 1; i < len(pairs); i += 2 {
		if pairs[i] == nil {
			if null == nil {
				v := nullNode()
				null = &v
			}
			pairs[i] = null
		}
	}
	return &yaml.Node{Kind: yaml.MappingNode, Content: pairs}
}

// nullNode is the value effective gives a key without one.
func nullNode() yaml.Node { return yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null"} }

// effectivePairs returns the entries of the mapping effective makes of n,
// key and value in turn, a nil value where it puts a null. A key is the
// key node it comes from when that is a scalar, else a new string scalar
// of its value: no copy of a key the document has.
func effectivePairs(n *yaml.Node) []*yaml.Node {
	if hasMerge(n) {
		if pairs, ok := mergedPairs(n); ok {
			return pairs
		}
		var pairs []*yaml.Node
		for _, k := range compose.Keys(n) {
			if v, _ := compose.Lookup(n, k); !isReset(v) {
				pairs = append(pairs, strNode(k), v)
			}
		}
		return pairs
	}
	var pairs []*yaml.Node
	at := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn, v := n.Content[i], n.Content[i+1]
		if isReset(v) {
			continue
		}
		if j, ok := at[kn.Value]; ok {
			pairs[j+1] = v // the last value, at the first key's place
			continue
		}
		at[kn.Value] = len(pairs)
		if kn.Kind != yaml.ScalarNode {
			kn = strNode(kn.Value)
		}
		pairs = append(pairs, kn, v)
	}
	return pairs
}

// strNode is a new string scalar.
func strNode(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }

// mergedPairs is effectivePairs of mapping n, which has a merge key, in
// one walk of n and what it merges, without compose.Keys's list and map
// and a compose.Lookup per key. It walks as those do (n's own keys in
// order, then each merged mapping in order, its own merges after its own
// keys) and takes each key where that walk first meets it: where
// compose.Keys lists it, with the value compose.Lookup finds. ok is false
// where the two could part: a key that is not a scalar (compose.Keys reads
// its empty value, compose.Lookup matches scalars only), a merge value
// that is a list holding a list (compose.Keys walks into it, Load refuses
// it), or merges nested deeper than they allow.
func mergedPairs(n *yaml.Node) (pairs []*yaml.Node, ok bool) {
	g := merger{pairs: make([]*yaml.Node, 0, mergedLen(n, 0))}
	ok = g.walk(n, 0)
	return g.pairs, ok
}

// mergedLen is at least the length of the pairs mergedPairs makes of n:
// the entries of n and of the mappings it merges, as walk goes, so that
// the pairs are made at once rather than grown (a service of sentry's
// merges a dozen defaults).
func mergedLen(m *yaml.Node, depth int) int {
	if depth > 8 {
		return 0
	}
	total := len(m.Content)
	for i := 0; i+1 < len(m.Content); i += 2 {
		if !compose.IsMergeKey(m.Content[i]) {
			continue
		}
		v := compose.Resolve(m.Content[i+1])
		if v == nil {
			continue
		}
		if v.Kind == yaml.MappingNode {
			total += mergedLen(v, depth+1)
			continue
		}
		if v.Kind == yaml.SequenceNode {
			for _, src := range v.Content {
				if src = compose.Resolve(src); src != nil && src.Kind == yaml.MappingNode {
					total += mergedLen(src, depth+1)
				}
			}
		}
	}
	return total
}

// merger is mergedPairs's walk: the pairs so far, and the keys met.
type merger struct {
	pairs []*yaml.Node
	// sums has the summary (compose.KeySum) of each key met: a key whose
	// summary is not in it is new without a comparison. The keys met are
	// those of pairs and, rarely, reset (a !reset value, which leaves
	// its key out); big holds them all once they are more than 64.
	sums  uint64
	reset []string
	big   map[string]bool
}

func (g *merger) walk(m *yaml.Node, depth int) bool {
	if depth > 8 {
		return false
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := m.Content[i]
		if compose.IsMergeKey(k) {
			continue
		}
		if k.Kind != yaml.ScalarNode {
			return false
		}
		if !g.add(k.Value) {
			continue
		}
		if v := m.Content[i+1]; isReset(v) {
			g.reset = append(g.reset, k.Value)
		} else {
			g.pairs = append(g.pairs, k, v)
		}
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if !compose.IsMergeKey(m.Content[i]) {
			continue
		}
		v := compose.Resolve(m.Content[i+1])
		srcs := []*yaml.Node{v}
		if v != nil && v.Kind == yaml.SequenceNode {
			srcs = v.Content
		}
		for _, src := range srcs {
			switch src = compose.Resolve(src); {
			case src == nil:
			case src.Kind == yaml.MappingNode:
				if !g.walk(src, depth+1) {
					return false
				}
			case src.Kind == yaml.SequenceNode:
				return false
			}
		}
	}
	return true
}

// add notes key k and reports whether it is met for the first time.
func (g *merger) add(k string) bool {
	if g.big != nil {
		if g.big[k] {
			return false
		}
		g.big[k] = true
		return true
	}
	bit := uint64(1) << compose.KeySum(k)
	if g.sums&bit != 0 && g.met(k) {
		return false
	}
	g.sums |= bit
	if len(g.pairs)/2+len(g.reset) == 64 {
		g.big = make(map[string]bool, 128)
		for i := 0; i < len(g.pairs); i += 2 {
			g.big[g.pairs[i].Value] = true
		}
		for _, r := range g.reset {
			g.big[r] = true
		}
		g.big[k] = true
	}
	return true
}

// met reports whether key k was met, by comparing it with every key met.
func (g *merger) met(k string) bool {
	for i := 0; i < len(g.pairs); i += 2 {
		if g.pairs[i].Value == k {
			return true
		}
	}
	return slices.Contains(g.reset, k)
}

// simpleMapping reports whether mapping n converts entry for entry:
// scalar keys, each once, no merge key and no !reset value (which
// tree.value drops).
func simpleMapping(n *yaml.Node) bool {
	c := n.Content
	for i := 0; i+1 < len(c); i += 2 {
		if c[i].Kind != yaml.ScalarNode || compose.IsMergeKey(c[i]) || isReset(c[i+1]) {
			return false
		}
	}
	i, _ := compose.RepeatedKey(n)
	return i < 0
}

// objectNode is object for a mapping fromNode returned: its entries are
// the converted object's.
func (vd *validator) objectNode(n *yaml.Node) {
	c := n.Content
	if vd.s.required != nil && !vd.required(func(k string) bool {
		for i := 0; i+1 < len(c); i += 2 {
			if c[i].Value == k {
				return true
			}
		}
		return false
	}) {
		return
	}
	var additional []string
	for i := 0; i+1 < len(c); i += 2 {
		if vd.quick && len(vd.errs) > 0 {
			return
		}
		additional = vd.property(c[i].Value, c[i+1], i/2, additional)
	}
	if len(additional) > 0 && !vd.quickFailed() {
		vd.addKind(additionalKind{additional})
	}
}

// arrayNode is array for a list fromNode returned.
func (vd *validator) arrayNode(n *yaml.Node) {
	s := vd.s
	if s.uniqueItems && len(n.Content) > 1 {
		if i, j := vd.duplicateNodes(n.Content); i != -1 && !vd.quickFailed() {
			vd.addKind(uniqueKind{i, j})
		}
	}
	if s.items != 0 {
		for i, c := range n.Content {
			vd.add(vd.val(s.items, c, strconv.Itoa(i)))
		}
	}
}

// duplicateNodes is duplicates of the items' converted values: compared
// as strings when all are strings (a string equals only the same string),
// else converted.
func (vd *validator) duplicateNodes(items []*yaml.Node) (int, int) {
	var buf [20]string // most lists: no allocation
	strs := buf[:0]
	if len(items) > len(buf) {
		strs = make([]string, 0, len(items))
	}
	for _, c := range items {
		c = compose.Resolve(c)
		if c == nil || c.Kind != yaml.ScalarNode || vd.depth+1 > maxDepth || c.Tag != "!!str" && c.ShortTag() != "!!str" {
			conv := make([]any, len(items))
			for i, c := range items {
				conv[i] = (&tree{}).value(c, nil, int(vd.depth)+1)
			}
			return duplicates(conv)
		}
		strs = append(strs, c.Value)
	}
	if len(strs) <= 20 {
		for i := 1; i < len(strs); i++ {
			if j := slices.Index(strs[:i], strs[i]); j != -1 {
				return j, i
			}
		}
		return -1, -1
	}
	seen := make(map[string]int, len(strs))
	for i, v := range strs {
		if j, dup := seen[v]; dup {
			return j, i
		}
		seen[v] = i
	}
	return -1, -1
}

// equals is santhosh's equality of JSON values: numbers by value.
func equals(a, b any) bool {
	switch a := a.(type) {
	case map[string]any:
		b, ok := b.(map[string]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for k, va := range a {
			vb, ok := b[k]
			if !ok || !equals(va, vb) {
				return false
			}
		}
		return true
	case []any:
		b, ok := b.([]any)
		if !ok || len(a) != len(b) {
			return false
		}
		for i := range a {
			if !equals(a[i], b[i]) {
				return false
			}
		}
		return true
	case nil:
		return b == nil
	case bool:
		b, ok := b.(bool)
		return ok && a == b
	case string:
		b, ok := b.(string)
		return ok && a == b
	case int64, uint64, float64:
		if typeOf(b) != tNumber || typeOf(a) != tNumber {
			return false
		}
		switch x := a.(type) {
		case int64:
			if y, ok := b.(int64); ok {
				return x == y
			}
		case uint64:
			if y, ok := b.(uint64); ok {
				return x == y
			}
		case float64:
			if y, ok := b.(float64); ok {
				return x == y
			}
		}
		return rat(a).Cmp(rat(b)) == 0
	}
	return false
}

// rat is a number as santhosh reads it: its shortest decimal form.
func rat(v any) *big.Rat {
	switch v := v.(type) {
	case int64:
		return new(big.Rat).SetInt64(v)
	case uint64:
		return new(big.Rat).SetUint64(v)
	case float64:
		r, ok := new(big.Rat).SetString(strconv.FormatFloat(v, 'g', -1, 64))
		if ok {
			return r
		}
	}
	return new(big.Rat)
}

// duplicates returns the first pair of equal items, (j, i) with i as
// small as it can be and then j: the pair santhosh reports.
func duplicates(arr []any) (int, int) {
	if len(arr) <= 20 {
		for i := 1; i < len(arr); i++ {
			for j := 0; j < i; j++ {
				if equals(arr[i], arr[j]) {
					return j, i
				}
			}
		}
		return -1, -1
	}
	seen := make(map[string]int, len(arr))
	var others []int // items with no key, compared one by one
	for i, item := range arr {
		k, ok := primitiveKey(item)
		if !ok {
			for _, j := range others {
				if equals(item, arr[j]) {
					return j, i
				}
			}
			others = append(others, i)
			continue
		}
		if j, dup := seen[k]; dup {
			return j, i
		}
		seen[k] = i
	}
	return -1, -1
}

// primitiveKey is a key equal exactly for the scalars equals finds equal
// (numbers by value); mappings and lists compare by equals.
func primitiveKey(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return "s" + v, true
	case bool:
		return "b" + strconv.FormatBool(v), true
	case nil:
		return "n", true
	case int64:
		return "i" + strconv.FormatInt(v, 10), true
	case uint64:
		// At least 2^63: equal (as equals compares) to a float64 only
		// when the float64's shortest decimal form is it, and then it
		// takes the float64's key.
		if f := float64(v); rat(f).Cmp(rat(v)) == 0 {
			return primitiveKey(f)
		}
		return "u" + strconv.FormatUint(v, 10), true
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return "", false // equal to nothing, not even itself
		}
		if v == math.Trunc(v) && math.Abs(v) < 1<<63 {
			return "i" + strconv.FormatInt(int64(v), 10), true
		}
		return "f" + strconv.FormatFloat(v, 'g', -1, 64), true
	}
	return "", false
}
