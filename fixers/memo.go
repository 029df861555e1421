package fixers

import (
	"slices"

	"github.com/composefix/composefix/compose"
	"go.yaml.in/yaml/v3"
)

// runMemo keeps, for one Run, what every rule derives alike from a
// document: its services, indexed by name, and the healthcheck rules'
// shared decisions. Documents never change once loaded (each pass
// analyses a new one), so an entry stays true for the whole run; the
// project's other files are read again by every pass and every rule.
// Rules get read-only views (see Pass.servicesOf).
type runMemo struct {
	services    map[*compose.Document][]svc
	names       map[*compose.Document]map[string]svc
	merged      map[*compose.Document][]svc // Pass.services, of the run's own documents
	mergedNames map[*compose.Document]map[string]svc
	health      map[*compose.Document]*healthFacts
	// completed is Pass.completedDependencies of the document completedOf:
	// the healthcheck, restart and limits rules each ask for it, one after
	// the other in a pass. One slot, not a map by document: a map cost a
	// run two allocations more than it saved when only one of the three
	// rules runs.
	completedOf *compose.Document
	completed   map[string]bool
	// lifecycles, per analysed document, by the entrypoint, command and
	// image a service runs.
	lifecycles map[*compose.Document]map[[3]*yaml.Node]classified
	images     map[*compose.Document][]ImageRef
	// texts holds one copy of each distinct text the run's edits insert
	// (see intern).
	texts map[string]string
	// owners, per analysed document: three rules ask, and each answer
	// walks the whole tree.
	owners map[*compose.Document]owners
}

// intern makes edits that insert the same text share one copy of it: a
// file of many alike services gets the same healthcheck, restart policy
// and logging entry in each, rendered anew each time, and those texts
// were a large share of what a large file's findings hold. Strings never
// change, so sharing one is invisible to every reader.
func (m *runMemo) intern(edits []compose.Edit) {
	for i := range edits {
		s := edits[i].New
		if s == "" {
			continue
		}
		if c, ok := m.texts[s]; ok {
			edits[i].New = c
		} else {
			m.texts[s] = s
		}
	}
}

// passed drops what was derived from analysing d, a pass's document the
// run has moved past, and, unless d is in the project (the file as read,
// which later passes read as context), what was derived from it at all.
// Entries hold d's nodes and the nodes the healthcheck decisions render:
// kept, every pass's tree (each as large as the fixed file) would stay in
// memory until the run ends.
func (m *runMemo) passed(d *compose.Document, inProject bool) {
	delete(m.merged, d)
	delete(m.mergedNames, d)
	delete(m.health, d)
	if m.completedOf == d {
		m.completedOf, m.completed = nil, nil
	}
	delete(m.images, d)
	delete(m.lifecycles, d)
	delete(m.owners, d)
	d.DropParents() // the rules' edits are made: only they read it
	if !inProject {
		delete(m.services, d)
		delete(m.names, d)
	}
}

func newRunMemo() *runMemo {
	return &runMemo{
		services:    map[*compose.Document][]svc{},
		names:       map[*compose.Document]map[string]svc{},
		merged:      map[*compose.Document][]svc{},
		mergedNames: map[*compose.Document]map[string]svc{},
		health:      map[*compose.Document]*healthFacts{},
		lifecycles:  map[*compose.Document]map[[3]*yaml.Node]classified{},
		images:      map[*compose.Document][]ImageRef{},
		texts:       map[string]string{},
		owners:      map[*compose.Document]owners{},
	}
}

// ownersOf is newOwners of the pass's document, made once per run;
// shared, read only.
func (p *Pass) ownersOf() owners {
	if p.memo == nil {
		return newOwners(p.Document)
	}
	o, ok := p.memo.owners[p.Document]
	if !ok {
		o = newOwners(p.Document)
		p.memo.owners[p.Document] = o
	}
	return o
}

// servicesOf is services(d), made once per run. The slice is shared: it
// is capped to its length, so that an append copies, and no rule writes
// to its elements.
func (p *Pass) servicesOf(d *compose.Document) []svc {
	if p.memo == nil {
		return services(d)
	}
	ss, ok := p.memo.services[d]
	if !ok {
		ss = slices.Clip(services(d))
		indexKeys(ss)
		keepDerived(ss)
		p.memo.services[d] = ss
	}
	return ss
}

// namesOf is byName(p.servicesOf(d)), made once per run; shared, read only.
func (p *Pass) namesOf(d *compose.Document) map[string]svc {
	if p.memo == nil {
		return byName(services(d))
	}
	m, ok := p.memo.names[d]
	if !ok {
		m = byName(p.servicesOf(d))
		p.memo.names[d] = m
	}
	return m
}

// serviceNames is byName(p.services()), made once per run; shared, read
// only.
func (p *Pass) serviceNames() map[string]svc {
	if p.memo == nil {
		return byName(p.services())
	}
	m, ok := p.memo.mergedNames[p.Document]
	if !ok {
		ss, own := p.services(), p.servicesOf(p.Document)
		if len(ss) == len(own) && (len(ss) == 0 || &ss[0] == &own[0]) {
			// Nothing merged in (a project of one file): the same
			// services, whose index namesOf makes for other rules too.
			m = p.namesOf(p.Document)
		} else {
			m = byName(ss)
		}
		p.memo.mergedNames[p.Document] = m
	}
	return m
}

// imageRefs is ImageRefs of the document, made once per run (five CF0xx
// rules each read them); shared, read only.
func (p *Pass) imageRefs() []ImageRef {
	if p.memo == nil {
		return ImageRefs(p.Document, p.Config)
	}
	refs, ok := p.memo.images[p.Document]
	if !ok {
		refs = slices.Clip(ImageRefs(p.Document, p.Config))
		p.memo.images[p.Document] = refs
	}
	return refs
}
