package composeschema

import "go.yaml.in/yaml/v3"

// A flat is a schema whose verdict on a mapping is a conjunction over its
// entries, worked out when the table is compiled: the schema of a service
// (and of a job, and a deploy's per-replica limits) is an allOf of $refs
// to object schemas of properties and patterns (the service's base
// keywords and those it shares with builds), its own properties, and
// unevaluatedProperties: false. Validated as written, each service costs
// four validations of the same mapping (the allOf's members and their
// $refs), three walks of its keys, a lookup of each key in each member's
// properties and its patterns matched once per member, and the tracking
// of which keys were evaluated. The verdict is the same when each key is
// looked up once in the members' properties together: the mapping meets
// the schema exactly when it has the required keys, each key's value
// meets every schema of that key's name and of the patterns it matches,
// in every member, and a key none of those name meets the unevaluated
// schema. Only a quick validation (a verdict, no errors) takes this way:
// a failure is validated again the general way, which words the errors
// (TestFlatVerdicts, TestSameErrorsAsSanthosh).
type flat struct {
	props       []flatProp // laid out for prop (see propSlot)
	patterns    []flatPattern
	required    []string
	unevaluated int32
}

// flatProp is the schemas of a property name, in every member that has it.
type flatProp struct {
	name    string
	schemas []int32
}

// flatPattern is the schemas of one regular expression, in every member
// that has it.
type flatPattern struct {
	re      int32
	schemas []int32
}

// prop returns the schemas of property k, nil when no member has it (see
// propSlot).
func (f *flat) prop(k string) []int32 {
	if k == "" || f.props == nil {
		return nil // no property is named ""
	}
	m := len(f.props) - 1
	for i := propSlot(k, len(f.props)); ; i = (i + 1) & m {
		if p := &f.props[i]; p.name == k || p.name == "" {
			return p.schemas
		}
	}
}

// quickFlat is the verdict of a quick validation (vd.quick) of vd.v
// against node sch when that is a flat and vd.v a mapping, which fromNode
// returned (scalar keys, each once); ok is false when the general way
// must judge.
func (vd *validator) quickFlat(sch int32) (err *verr, ok bool) {
	fi := vd.c.nodes[sch].flat
	if fi == 0 || !vd.quick {
		return nil, false
	}
	f := &vd.c.flats[fi-1]
	n, isNode := vd.v.(*yaml.Node)
	if !isNode || n.Kind != yaml.MappingNode {
		return nil, false
	}
	c := n.Content
	for _, r := range f.required {
		found := false
		for i := 0; i+1 < len(c); i += 2 {
			if c[i].Value == r {
				found = true
				break
			}
		}
		if !found {
			return quickFail, true
		}
	}
	for i := 0; i+1 < len(c); i += 2 {
		k, v := c[i].Value, c[i+1]
		schemas := f.prop(k)
		for _, s := range schemas {
			if vd.val(s, v, k) != nil {
				return quickFail, true
			}
		}
		evaluated := schemas != nil
		for _, p := range f.patterns {
			if !vd.c.match[p.re](k) {
				continue
			}
			evaluated = true
			for _, s := range p.schemas {
				if vd.val(s, v, k) != nil {
					return quickFail, true
				}
			}
		}
		if !evaluated && vd.val(f.unevaluated, v, k) != nil {
			return quickFail, true
		}
	}
	return nil, true
}
