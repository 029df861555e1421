package composeschema

import (
	"github.com/composefix/composefix/compose"
	"go.yaml.in/yaml/v3"
)

// Entrywise is CheckFrom's validation of what a document made from a valid
// base changed (see changed), fed one top-level entry, and one service, at
// a time, in the order the caller reads them: verification compares each
// service of a fixed file with the intended one, and the service's check
// then finds both versions of it in the processor's cache, where the check
// of the whole output afterwards read both trees from memory again (a
// large file's output does not fit the cache). The schema judges each
// top-level entry and each service on its own (compositional): the
// entries' verdicts, each validated alone, are the whole part's. A caller
// that cannot feed every entry calls Abandon, and CheckFrom decides.
type Entrywise struct {
	s           *Schema
	validate    func(v any, quick bool) *verr
	was         *yaml.Node // the base's root mapping
	oldSvcs     *yaml.Node // was's services, when it and the output's are simple mappings
	oldSvc      func(string) *yaml.Node
	failed      bool       // abandoned, or an entry broke the schema
	servicesKey *yaml.Node // the output's services key
	// A document of one entry, and the services of one service, reused.
	one, svcs *yaml.Node
}

// Entrywise starts the check of a document made from base's, or returns
// nil when base's document did not meet the schema or the schema does not
// judge entries on their own: CheckFrom then validates what changed
// whole.
func (s *Schema) Entrywise(base *Checked) *Entrywise {
	c, err := s.schema()
	if err != nil {
		return nil
	}
	e := newEntrywise(c.validateTop, c.compositional, base)
	if e != nil {
		e.s = s
	}
	return e
}

// newEntrywise is Entrywise with a validator (see checkWith).
func newEntrywise(validate func(v any, quick bool) *verr, partial bool, base *Checked) *Entrywise {
	if !partial || base == nil || base.valid == nil || !simpleMapping(base.valid) {
		return nil
	}
	return &Entrywise{validate: validate, was: base.valid, one: entries(), svcs: entries()}
}

// Root is told the output's root mapping before its entries; false: its
// entries cannot be checked one by one (see changed), and the check is
// abandoned.
func (e *Entrywise) Root(now *yaml.Node) bool {
	if now == nil || now.Kind != yaml.MappingNode || !simpleMapping(now) {
		e.failed = true
	}
	return !e.failed
}

// Abandon gives the check up: CheckFrom will validate the output.
func (e *Entrywise) Abandon() { e.failed = true }

// Entry is told an entry of the output's root mapping, in order; it
// returns true when the entry is services and its services are to be told
// to Service one by one, after this call and before the next entry.
func (e *Entrywise) Entry(kn, v *yaml.Node) bool {
	if e.failed {
		return false
	}
	k := kn.Value
	_, old := compose.MapGet(e.was, k)
	if old != nil && sameNode(old, v, 1) {
		return false
	}
	oldSvcs, svcs := compose.Resolve(old), compose.Resolve(v)
	if k != "services" || oldSvcs == nil || svcs == nil || oldSvcs.Kind != yaml.MappingNode || svcs.Kind != yaml.MappingNode ||
		!simpleMapping(oldSvcs) || !simpleMapping(svcs) {
		e.check(kn, v)
		return false
	}
	e.oldSvcs, e.oldSvc, e.servicesKey = oldSvcs, nil, kn
	// changed's part holds services even when none of them changed.
	e.svcs.Content = e.svcs.Content[:0]
	e.check(kn, e.svcs)
	return true
}

// InputServices reports whether the caller's services mapping of the
// input, which it read the services from in order, is the one the check
// compares with: then Service's was is the input's value of each.
func (e *Entrywise) InputServices(m *yaml.Node) bool {
	return e.oldSvcs != nil && compose.Resolve(m) == e.oldSvcs
}

// Service is told a service of the output's services mapping, in order,
// after Entry asked for them; was is the input's value of the service of
// that name when the caller knows it (see InputServices), nil when it
// does not or there is none.
func (e *Entrywise) Service(nn, sv, was *yaml.Node, known bool) {
	if e.failed || e.oldSvcs == nil {
		e.failed = true
		return
	}
	o := was
	if !known {
		if e.oldSvc == nil {
			e.oldSvc = lookupIn(e.oldSvcs) // an index of the input's services, made once
		}
		o = e.oldSvc(nn.Value)
	}
	if o != nil && sameNode(o, sv, 2) {
		return
	}
	e.svcs.Content = append(e.svcs.Content[:0], nn, changedKeys(o, sv))
	e.check(e.servicesKey, e.svcs)
}

// check validates the document of the one entry k: v.
func (e *Entrywise) check(k, v *yaml.Node) {
	e.one.Content = append(e.one.Content[:0], k, v)
	if e.validate(e.one, true) != nil {
		e.failed = true
	}
}

// Checked returns the check of the output whose entries were fed, as
// CheckFrom(base, root) returns it, when every entry met the schema; ok
// false: CheckFrom must decide.
func (e *Entrywise) Checked(root *yaml.Node) (c *Checked, ok bool) {
	if e == nil || e.failed {
		return nil, false
	}
	if e.s != nil {
		e.s.checks.Add(1)
		e.s.fed.Add(1)
	}
	return &Checked{Violations: restartPolicies(root), valid: compose.Resolve(docRoot(root))}, true
}
