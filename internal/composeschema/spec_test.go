package composeschema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/format"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/schema"
	"github.com/composefix/composefix/internal/golden"
	"github.com/google/go-cmp/cmp"
)

//go:generate go test -run TestSpecTable -update

// TestSpecTable compiles the schema that compose-go (at go.mod's version)
// ships and checks that spec_gen.go holds exactly that table, so the two
// cannot drift; `go test ./internal/composeschema -update` regenerates it
// after a compose-go upgrade. A keyword the validator does not implement
// fails the compile: implement it (and prove it with
// TestSameErrorsAsSanthosh) before taking the new schema.
func TestSpecTable(t *testing.T) {
	tab, err := buildTable(schema.Schema)
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "spec_gen.go", formatTable(t, tab))
	if t.Failed() {
		t.Fatal("spec_gen.go is out of date with compose-go's schema; run go test ./internal/composeschema -update")
	}
	if d := cmp.Diff(tab, &spec, cmp.AllowUnexported(table{}, node{}, prop{}, pattern{}, flat{}, flatProp{}, flatPattern{})); d != "" && !golden.Updating() {
		t.Errorf("spec differs from compose-go's schema (-compose-go +spec):\n%s", d)
	}
}

// buildTable compiles a draft 2020-12 schema's JSON into a table, with
// santhosh's reading of each keyword.
func buildTable(src string) (*table, error) {
	d := json.NewDecoder(strings.NewReader(src))
	d.UseNumber()
	var doc any
	if err := d.Decode(&doc); err != nil {
		return nil, fmt.Errorf("reading the compose schema: %w", err)
	}
	b := &builder{doc: doc, t: &table{nodes: []node{{}}}, index: map[string]int32{}, patterns: map[string]int32{}}
	if _, err := b.schema("", doc); err != nil {
		return nil, err
	}
	b.t.compositional = compositional(doc)
	for i := range b.t.nodes {
		if f := flatten(b.t, int32(i)); f != nil {
			f.props = slotted(f.props, func(p *flatProp) string { return p.name })
			b.t.flats = append(b.t.flats, *f)
			b.t.nodes[i].flat = int32(len(b.t.flats))
		}
	}
	for i := range b.t.nodes {
		n := &b.t.nodes[i]
		n.props = slotted(n.props, func(p *prop) string { return p.name })
	}
	return b.t, nil
}

type builder struct {
	doc      any
	t        *table
	index    map[string]int32 // JSON pointer of a schema -> its node
	patterns map[string]int32
}

func (b *builder) pattern(src string) (int32, error) {
	if i, ok := b.patterns[src]; ok {
		return i, nil
	}
	if _, err := regexp.Compile(src); err != nil {
		return 0, err
	}
	i := int32(len(b.t.patterns))
	b.t.patterns = append(b.t.patterns, src)
	b.patterns[src] = i
	return i, nil
}

// schema compiles the schema v found at JSON pointer ptr, once.
func (b *builder) schema(ptr string, v any) (int32, error) {
	if i, ok := b.index[ptr]; ok {
		return i, nil
	}
	i := int32(len(b.t.nodes))
	b.t.nodes = append(b.t.nodes, node{})
	b.index[ptr] = i
	n, err := b.node(ptr, v)
	if err != nil {
		return 0, err
	}
	b.t.nodes[i] = n
	return i, nil
}

func (b *builder) sub(ptr, kw string, v any) (int32, error) {
	return b.schema(ptr+"/"+kw, v)
}

func (b *builder) node(ptr string, v any) (node, error) {
	var n node
	if bv, ok := v.(bool); ok {
		n.boolean = -1
		if bv {
			n.boolean = 1
		}
		return n, nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return n, fmt.Errorf("%s: a schema is an object or a boolean", ptr)
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var err error
	for _, k := range keys {
		v := obj[k]
		at := ptr + "/" + k
		switch k {
		case "$schema":
			if ptr != "" || v != "https://json-schema.org/draft/2020-12/schema" {
				return n, fmt.Errorf("%s: only draft 2020-12 is implemented", at)
			}
		case "$id":
			if ptr != "" {
				return n, fmt.Errorf("%s: an $id inside the schema is not implemented", at)
			}
		case "$defs", "definitions":
			// Compiled where referred to.
		case "title", "description", "default", "deprecated", "examples", "$comment", "format":
			// Annotations; formats are not asserted under draft 2020-12
			// (nor by compose-go, whose compiler does not turn that on).
		case "type":
			switch tv := v.(type) {
			case string:
				n.types, err = typeFrom(tv)
			case []any:
				for _, e := range tv {
					s, _ := e.(string)
					var t jsonType
					if t, err = typeFrom(s); err != nil {
						break
					}
					n.types |= t
				}
			default:
				err = fmt.Errorf("%s: not a type", at)
			}
		case "enum":
			vals, _ := v.([]any)
			n.enum = []string{}
			for _, e := range vals {
				s, ok := e.(string)
				if !ok {
					return n, fmt.Errorf("%s: only enums of strings are implemented", at)
				}
				n.enum = append(n.enum, s)
			}
		case "$ref":
			ref, _ := v.(string)
			target, ok := b.resolve(ref)
			if !ok {
				return n, fmt.Errorf("%s: cannot resolve %q", at, ref)
			}
			n.ref, err = b.schema(strings.TrimPrefix(ref, "#"), target)
		case "properties":
			m, _ := v.(map[string]any)
			names := make([]string, 0, len(m))
			for name := range m {
				names = append(names, name)
			}
			sort.Strings(names) // nodes numbered the same at every run
			for _, name := range names {
				if name == "" {
					// node.prop reads a free slot's name as "".
					return n, fmt.Errorf("%s: a property named \"\" is not supported", at)
				}
				var i int32
				if i, err = b.sub(at, name, m[name]); err != nil {
					return n, err
				}
				n.props = append(n.props, prop{name, i})
			}
		case "patternProperties":
			m, _ := v.(map[string]any)
			srcs := make([]string, 0, len(m))
			for src := range m {
				srcs = append(srcs, src)
			}
			sort.Strings(srcs)
			for _, src := range srcs {
				var re, i int32
				if re, err = b.pattern(src); err != nil {
					return n, err
				}
				if i, err = b.sub(at, src, m[src]); err != nil {
					return n, err
				}
				n.patterns = append(n.patterns, pattern{re, i})
			}
		case "additionalProperties":
			switch av := v.(type) {
			case bool:
				n.additional = addlFalse
				if av {
					n.additional = addlTrue
				}
			default:
				n.additional, err = b.schema(at, v)
			}
		case "unevaluatedProperties":
			n.unevaluated, err = b.schema(at, v)
		case "required":
			vals, _ := v.([]any)
			for _, e := range vals {
				s, _ := e.(string)
				n.required = append(n.required, s)
			}
		case "items":
			if _, ok := v.([]any); ok {
				return n, fmt.Errorf("%s: items as a list is not draft 2020-12", at)
			}
			n.items, err = b.schema(at, v)
		case "uniqueItems":
			n.uniqueItems, _ = v.(bool)
		case "minimum", "maximum":
			f, ferr := bound(v)
			if ferr != nil {
				return n, fmt.Errorf("%s: %w", at, ferr)
			}
			if k == "minimum" {
				n.hasMin, n.minimum = true, f
			} else {
				n.hasMax, n.maximum = true, f
			}
		case "pattern":
			s, _ := v.(string)
			var re int32
			re, err = b.pattern(s)
			n.pattern = re + 1
		case "allOf", "anyOf", "oneOf":
			vals, _ := v.([]any)
			var subs []int32
			for i, e := range vals {
				var s int32
				if s, err = b.sub(at, strconv.Itoa(i), e); err != nil {
					return n, err
				}
				subs = append(subs, s)
			}
			switch k {
			case "allOf":
				n.allOf = subs
			case "anyOf":
				n.anyOf = subs
			default:
				n.oneOf = subs
			}
		default:
			return n, fmt.Errorf("%s: keyword %q is not implemented", ptr, k)
		}
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

func typeFrom(s string) (jsonType, error) {
	for _, t := range []jsonType{tNull, tBoolean, tNumber, tInteger, tString, tArray, tObject} {
		if t.names()[0] == s {
			return t, nil
		}
	}
	return 0, fmt.Errorf("unknown type %q", s)
}

// bound reads a minimum or maximum: an integer of at most 53 bits, which
// a float64 holds exactly (the validator compares with it as a float64).
func bound(v any) (float64, error) {
	num, _ := v.(json.Number)
	i, err := strconv.ParseInt(string(num), 10, 64)
	if err != nil || i > 1<<53 || i < -(1<<53) {
		return 0, fmt.Errorf("only integer bounds of at most 53 bits are implemented, not %v", v)
	}
	return float64(i), nil
}

// resolve finds the schema a "#/..." reference names.
func (b *builder) resolve(ref string) (any, bool) {
	ptr, ok := strings.CutPrefix(ref, "#")
	if !ok {
		return nil, false
	}
	cur := b.doc
	for _, tok := range strings.Split(ptr, "/")[1:] {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[tok]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// formatTable writes tab as spec_gen.go.
func formatTable(t *testing.T, tab *table) []byte {
	var b bytes.Buffer
	b.WriteString("// Code generated by TestSpecTable from compose-go's schema/compose-spec.json;\n")
	b.WriteString("// DO NOT EDIT. Regenerate: go test ./internal/composeschema -update.\n\n")
	b.WriteString("package composeschema\n\n")
	b.WriteString("// spec is the compose-spec schema compose-go ships, compiled at build\n")
	b.WriteString("// time: static data, never written to.\n")
	b.WriteString("var spec = table{\n")
	fmt.Fprintf(&b, "compositional: %v,\n", tab.compositional)
	fmt.Fprintf(&b, "patterns: %#v,\n", tab.patterns)
	b.WriteString("flats: []flat{\n")
	for _, f := range tab.flats {
		fmt.Fprintf(&b, "%s,\n", flatLiteral(f))
	}
	b.WriteString("},\n")
	b.WriteString("nodes: []node{\n")
	for i, n := range tab.nodes {
		fmt.Fprintf(&b, "%s, // %d\n", nodeLiteral(n), i)
	}
	b.WriteString("},\n}\n")
	src, err := format.Source(b.Bytes())
	if err != nil {
		t.Fatalf("formatting the generated table: %v\n%s", err, b.Bytes())
	}
	return src
}

func nodeLiteral(n node) string {
	var f []string
	add := func(format string, args ...any) { f = append(f, fmt.Sprintf(format, args...)) }
	if n.boolean != 0 {
		add("boolean: %d", n.boolean)
	}
	if n.types != 0 {
		var ts []string
		for _, name := range n.types.names() {
			ts = append(ts, "t"+strings.ToUpper(name[:1])+name[1:])
		}
		add("types: %s", strings.Join(ts, " | "))
	}
	if n.enum != nil {
		add("enum: %#v", n.enum)
	}
	if n.ref != 0 {
		add("ref: %d", n.ref)
	}
	if n.props != nil {
		var ps []string
		for _, p := range n.props {
			if p.name == "" {
				ps = append(ps, "{}") // a free slot
				continue
			}
			ps = append(ps, fmt.Sprintf("{%q, %d}", p.name, p.schema))
		}
		add("props: []prop{%s}", strings.Join(ps, ", "))
	}
	if n.patterns != nil {
		var ps []string
		for _, p := range n.patterns {
			ps = append(ps, fmt.Sprintf("{%d, %d}", p.re, p.schema))
		}
		add("patterns: []pattern{%s}", strings.Join(ps, ", "))
	}
	switch n.additional {
	case 0:
	case addlTrue:
		add("additional: addlTrue")
	case addlFalse:
		add("additional: addlFalse")
	default:
		add("additional: %d", n.additional)
	}
	if n.required != nil {
		add("required: %#v", n.required)
	}
	if n.items != 0 {
		add("items: %d", n.items)
	}
	if n.flat != 0 {
		add("flat: %d", n.flat)
	}
	if n.uniqueItems {
		add("uniqueItems: true")
	}
	if n.hasMin {
		add("hasMin: true, minimum: %s", strconv.FormatFloat(n.minimum, 'f', -1, 64))
	}
	if n.hasMax {
		add("hasMax: true, maximum: %s", strconv.FormatFloat(n.maximum, 'f', -1, 64))
	}
	if n.pattern != 0 {
		add("pattern: %d", n.pattern)
	}
	for _, l := range []struct {
		name string
		subs []int32
	}{{"allOf", n.allOf}, {"anyOf", n.anyOf}, {"oneOf", n.oneOf}} {
		if l.subs != nil {
			add("%s: %#v", l.name, l.subs)
		}
	}
	if n.unevaluated != 0 {
		add("unevaluated: %d", n.unevaluated)
	}
	return "{" + strings.Join(f, ", ") + "}"
}

// compositional reports whether the schema judges a document's top-level
// entries, the services mapping's entries, and each service's keys, each
// on its own, as CheckFrom assumes: only keywords that look at one entry
// at a time (properties, patternProperties, additionalProperties: no
// required, minProperties, dependencies or the like) at those levels; a
// service may be an allOf of such schemas, beside its own properties,
// with unevaluatedProperties false, which judges each key alone too. It is checked on the schema
// compose-go ships, so that a version that breaks the assumption makes
// CheckFrom validate whole documents, not wrongly.
func compositional(doc any) bool {
	d, _ := doc.(map[string]any)
	props, _ := d["properties"].(map[string]any)
	svcs, _ := props["services"].(map[string]any)
	if !local(d) || svcs == nil || !local(svcs) {
		return false
	}
	var entries []any
	for _, k := range []string{"properties", "patternProperties"} {
		m, _ := svcs[k].(map[string]any)
		for _, v := range m {
			entries = append(entries, v)
		}
	}
	if a, ok := svcs["additionalProperties"].(map[string]any); ok {
		entries = append(entries, a)
	}
	for _, e := range entries {
		if !localService(d, deref(d, e)) {
			return false
		}
	}
	return true
}

// localService reports whether a service's schema judges each of its
// keys on its own: local, or an allOf of local schemas and properties of
// its own, closed by unevaluatedProperties false (a key is unknown when
// nothing names it, whatever the other keys are).
func localService(doc any, sch map[string]any) bool {
	if sch == nil {
		return false
	}
	if _, ok := sch["allOf"]; !ok {
		return local(sch)
	}
	for k, v := range sch {
		switch k {
		case "description", "title", "properties", "patternProperties":
		case "unevaluatedProperties":
			if v != false {
				return false
			}
		case "allOf":
			subs, _ := v.([]any)
			if len(subs) == 0 {
				return false
			}
			for _, sub := range subs {
				if !local(deref(doc, sub)) {
					return false
				}
			}
		default:
			return false
		}
	}
	return true
}

// deref follows a schema that is only a local "$ref" ("#/$defs/x") to
// the schema it names; anything else it returns as it is (nil when not
// an object, or when the reference does not resolve).
func deref(doc, sch any) map[string]any {
	m, _ := sch.(map[string]any)
	ref, ok := m["$ref"].(string)
	if !ok || len(m) != 1 {
		return m
	}
	cur := doc
	for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		c, _ := cur.(map[string]any)
		if c == nil {
			return nil
		}
		cur = c[part]
	}
	out, _ := cur.(map[string]any)
	return out
}

// local reports whether schema sch is an object's that judges each entry
// on its own.
func local(sch map[string]any) bool {
	for k := range sch {
		switch k {
		case "$schema", "$id", "$defs", "definitions", "title", "description", "type",
			"properties", "patternProperties", "additionalProperties":
		default:
			return false
		}
	}
	return sch["type"] == "object"
}

// TestMatchersAreTheRegexps: each matcher that stands for one of the
// schema's regular expressions gives the regexp's answers.
func TestMatchersAreTheRegexps(t *testing.T) {
	inputs := []string{"", "x", "x-", "x-a", "-x", "X-a", "a\nb", "\n", "\n\n", "ab\n", "\nab", "web", "web-1.a_b",
		"bad name!", "ABC", "abc", "a1", "é", "数据库", "\xff", "\xffa", "a\xff", "a b", " ", "a$", "^a", "nofile", "NOFILE", "x-\n",
		"a", "_a", "-ab", "a_", ".a", "a.", "9-", "_9a", "é1", "1é", "a\xffb", "a!b", "!a-", "db 1", "--", "a\n1"}
	for i, src := range spec.patterns {
		m, err := newMatcher(src)
		if err != nil {
			t.Fatal(err)
		}
		re := regexp.MustCompile(src)
		for _, in := range inputs {
			if got, want := m(in), re.MatchString(in); got != want {
				t.Errorf("pattern %d %q matching %q: %v, the regexp says %v", i, src, in, got, want)
			}
		}
	}
}

// objectOnly reports whether n judges a mapping by type, properties,
// patterns, additionalProperties, required, allOf and
// unevaluatedProperties alone (no $ref, no anyOf or oneOf), and a
// mapping's type passes it.
func objectOnly(n *node) bool {
	return n.boolean == 0 && n.enum == nil && n.ref == 0 && n.items == 0 && !n.uniqueItems && !n.hasMin && !n.hasMax &&
		n.pattern == 0 && n.anyOf == nil && n.oneOf == nil && (n.types == 0 || n.types&tObject != 0)
}

// flatten returns node i of t as a flat, or nil when it is not one: an
// allOf of object schemas (through $refs) that have no additional,
// required, allOf or unevaluated keywords of their own, beside the node's
// own properties, patterns, required and unevaluatedProperties, and no
// additionalProperties (which would judge the node's keys by its own
// properties alone).
func flatten(t *table, i int32) *flat {
	h := &t.nodes[i]
	if !objectOnly(h) || h.allOf == nil || h.unevaluated == 0 || h.additional != 0 {
		return nil
	}
	members := []*node{h}
	for _, m := range h.allOf {
		for range 8 { // a chain of $refs; a cycle of them is left general
			if !pureRef(&t.nodes[m]) {
				break
			}
			m = t.nodes[m].ref
		}
		mn := &t.nodes[m]
		if !objectOnly(mn) || mn.allOf != nil || mn.unevaluated != 0 || mn.required != nil || mn.additional != 0 || mn.ref != 0 {
			return nil
		}
		members = append(members, mn)
	}
	f := &flat{required: h.required, unevaluated: h.unevaluated}
	var all []prop
	for _, m := range members {
		for _, p := range m.props {
			if p.name != "" { // a free slot, once laid out
				all = append(all, p)
			}
		}
		for _, p := range m.patterns {
			j := slices.IndexFunc(f.patterns, func(q flatPattern) bool { return q.re == p.re })
			if j < 0 {
				j = len(f.patterns)
				f.patterns = append(f.patterns, flatPattern{re: p.re})
			}
			f.patterns[j].schemas = append(f.patterns[j].schemas, p.schema)
		}
	}
	slices.SortStableFunc(all, func(a, b prop) int { return strings.Compare(a.name, b.name) })
	for _, p := range all {
		if n := len(f.props); n > 0 && f.props[n-1].name == p.name {
			f.props[n-1].schemas = append(f.props[n-1].schemas, p.schema)
		} else {
			f.props = append(f.props, flatProp{name: p.name, schemas: []int32{p.schema}})
		}
	}
	return f
}

func flatLiteral(f flat) string {
	var ps []string
	for _, p := range f.props {
		if p.name == "" {
			ps = append(ps, "{}") // a free slot
			continue
		}
		ps = append(ps, fmt.Sprintf("{%q, %#v}", p.name, p.schemas))
	}
	var pats []string
	for _, p := range f.patterns {
		pats = append(pats, fmt.Sprintf("{%d, %#v}", p.re, p.schemas))
	}
	s := fmt.Sprintf("{props: []flatProp{%s}", strings.Join(ps, ", "))
	if f.patterns != nil {
		s += fmt.Sprintf(", patterns: []flatPattern{%s}", strings.Join(pats, ", "))
	}
	if f.required != nil {
		s += fmt.Sprintf(", required: %#v", f.required)
	}
	return s + fmt.Sprintf(", unevaluated: %d}", f.unevaluated)
}
