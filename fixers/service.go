package fixers

import (
	"path/filepath"
	"slices"
	"strings"

	"github.com/composefix/composefix/compose"
	"go.yaml.in/yaml/v3"
)

// svc is a service as rules see it: its own bytes (to edit) and its
// effective settings (merge keys resolved).
type svc struct {
	compose.Service
	// target is what InsertKey edits: the service's own mapping, or its
	// null value for an empty service. nil when the service is shared.
	target *yaml.Node
	// merged holds the values of replacedKeys that another file of the
	// project sets and compose's merge keeps (Pass.services); read-only,
	// they belong to another document.
	merged map[string]*yaml.Node
	// keys are the keys of the service's mapping, in order, when it merges
	// nothing and indexKeys listed them (nil otherwise): get reads them
	// instead of the tree. Every rule looks keys up in every service, and
	// in a large file each look in the tree reads key nodes scattered over
	// tens of megabytes, where these lie side by side.
	keys *[]svcKey
	// inherited, for a service that merges (keys nil), lists its
	// effective keys and values as compose.Lookup finds them: get reads
	// them instead of following the merge keys at every look (1% of a
	// corpus run's instructions). nil: not listed (see effectiveKeys).
	inherited *[]svcKey
	// derived holds what rules derive alike from the service's values,
	// made at the first ask (see svcDerived); nil: not kept. A service
	// that gains values from other files (merged) has one of its own.
	derived *svcDerived
}

// svcDerived is what several rules ask about a service, each for every
// service: kept for the run with the services (Pass.servicesOf), where
// asking again cost each rule the service's name checked against the
// one-shot words and three values looked up (6% of an analysis).
type svcDerived struct {
	// life and why are Pass.lifecycle's answer without the dependencies
	// that wait for the service to complete; known: they are set.
	life  lifecycle
	why   string
	known bool
}

// keepDerived gives each service of ss its svcDerived, all of them in
// one array.
func keepDerived(ss []svc) {
	ds := make([]svcDerived, len(ss))
	for i := range ss {
		ss[i].derived = &ds[i]
	}
}

// svcKey is one key of a service's mapping and its value as written.
type svcKey struct {
	name  string
	value *yaml.Node
}

// replacedKeys are the service keys whose value a later file of the
// project replaces as a whole under compose's merge, and which rules read
// to tell what a service runs.
var replacedKeys = [...]string{"image", "command", "entrypoint"}

// services returns the document's services as the project merges them:
// each with the values of replacedKeys that other merged files set and
// that win under compose's merge (the last file that sets a key wins);
// svc.value reads them. Edits still go to the service's own nodes.
//
// The result is made once per run and shared (see Pass.servicesOf).
func (p *Pass) services() []svc {
	if p.memo == nil {
		return p.mergedServices()
	}
	ss, ok := p.memo.merged[p.Document]
	if !ok {
		ss = slices.Clip(p.mergedServices())
		p.memo.merged[p.Document] = ss
	}
	return ss
}

// mergedServices is Pass.services without the memo.
func (p *Pass) mergedServices() []svc {
	ss := p.servicesOf(p.Document)
	files := p.mergedFiles()
	if len(files) < 2 {
		return ss
	}
	ss = slices.Clone(ss) // gains merged values: not the shared list
	others := map[*compose.Document]map[string]svc{}
	for _, d := range files {
		if d.Path != p.Document.Path {
			others[d] = p.namesOf(d)
		}
	}
	for i := range ss {
		for _, k := range replacedKeys {
			var last *yaml.Node
			for _, d := range files {
				var v *yaml.Node
				if d.Path == p.Document.Path {
					v = ss[i].get(k)
				} else if o, ok := others[d][ss[i].Name]; ok {
					v = o.get(k)
				}
				if v != nil {
					last = v
				}
			}
			if last != nil && last != ss[i].get(k) {
				if ss[i].merged == nil {
					ss[i].merged = map[string]*yaml.Node{}
					if ss[i].derived != nil {
						ss[i].derived = new(svcDerived) // not the file's own view of it
					}
				}
				ss[i].merged[k] = last
			}
		}
	}
	return ss
}

// mergedFiles returns the project's files that compose merges into one
// model, in merge order, when the document is among them; nil otherwise.
func (p *Pass) mergedFiles() []*compose.Document {
	merged := p.mergedProject()
	for _, d := range merged {
		if d.Path == p.Document.Path {
			return merged
		}
	}
	return nil
}

// services returns the document's services with their edit targets.
func services(d *compose.Document) []svc {
	list := d.Services()
	out := make([]svc, 0, len(list))
	for _, s := range list {
		v := svc{Service: s}
		switch {
		case s.Shared:
		case s.Node != nil:
			v.target = s.Node
		case s.Value.Kind == yaml.ScalarNode && s.Value.Tag == "!!null":
			v.target = s.Value
		}
		out = append(out, v)
	}
	return out
}

// indexKeys gives each service of ss that merges nothing the list of its
// keys get reads, all of them in one array: for the services a run
// memoizes, which every rule reads.
func indexKeys(ss []svc) {
	n := 0
	for _, s := range ss {
		if m := compose.Resolve(s.Node); m != nil {
			n += len(m.Content) / 2
		}
	}
	all := make([]svcKey, 0, n)
	heads := make([][]svcKey, len(ss))
	for i := range ss {
		var ok bool
		if heads[i], ok, all = ownKeys(ss[i].Node, all); ok {
			ss[i].keys = &heads[i]
		} else if heads[i], ok, all = effectiveKeys(ss[i].Node, all); ok {
			ss[i].inherited = &heads[i]
		}
	}
}

// maxInherited bounds the keys effectiveKeys lists, each checked against
// those before it: a larger service is left to compose.Lookup.
const maxInherited = 64

// effectiveKeys appends to all the keys of mapping n that compose.Lookup
// finds, each with the value it finds: the mapping's own scalar keys (the
// first of a name), then those of the mappings it merges, in order and
// depth first, to the depth Lookup reads. A name it does not list,
// Lookup does not find. ok is false when n is not a mapping or has more
// than maxInherited keys.
func effectiveKeys(n *yaml.Node, all []svcKey) (keys []svcKey, ok bool, grown []svcKey) {
	m := compose.Resolve(n)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, false, all
	}
	start := len(all)
	ok = true
	var collect func(m *yaml.Node, depth int)
	collect = func(m *yaml.Node, depth int) {
		if !ok || m == nil || m.Kind != yaml.MappingNode || depth > 32 {
			return
		}
		for i := 0; i+1 < len(m.Content); i += 2 {
			k := m.Content[i]
			if k.Kind != yaml.ScalarNode || compose.IsMergeKey(k) ||
				slices.ContainsFunc(all[start:], func(e svcKey) bool { return e.name == k.Value }) {
				continue
			}
			if len(all)-start == maxInherited {
				ok = false
				return
			}
			all = append(all, svcKey{k.Value, m.Content[i+1]})
		}
		for _, src := range compose.MergeSources(m) {
			collect(src, depth+1)
		}
	}
	collect(m, 0)
	if !ok {
		return nil, false, all[:start]
	}
	return all[start:len(all):len(all)], true, all
}

// ownKeys appends to all the keys of mapping n as compose.MapGet sees
// them (scalar keys, merge keys left out) and returns them, ok false when
// n is not a mapping or merges another: compose.Lookup answers those.
func ownKeys(n *yaml.Node, all []svcKey) (keys []svcKey, ok bool, grown []svcKey) {
	m := compose.Resolve(n)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, false, all
	}
	start := len(all)
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := m.Content[i]
		if compose.IsMergeKey(k) {
			return nil, false, all[:start]
		}
		if k.Kind == yaml.ScalarNode {
			all = append(all, svcKey{k.Value, m.Content[i+1]})
		}
	}
	return all[start:len(all):len(all)], true, all
}

// get returns the service's effective value of key (own or inherited
// through merge keys); nil when unset.
func (s svc) get(key string) *yaml.Node {
	if s.keys != nil {
		for _, k := range *s.keys {
			if k.name == key {
				return compose.Resolve(k.value)
			}
		}
		return nil
	}
	if s.inherited != nil {
		for _, k := range *s.inherited {
			if k.name == key {
				return compose.Resolve(k.value)
			}
		}
		return nil
	}
	if s.Node == nil {
		return nil
	}
	v, _ := compose.Lookup(s.Node, key)
	return compose.Resolve(v)
}

// own returns the value of key in the service's own mapping as written
// (compose.MapGet's), nil when unset there: from the keys indexKeys
// listed when the service's node is that mapping, so that the rules'
// look at every service reads no key node of a large tree.
func (s svc) own(key string) *yaml.Node {
	if s.keys != nil && s.Node.Kind == yaml.MappingNode {
		for _, k := range *s.keys {
			if k.name == key {
				return k.value
			}
		}
		return nil
	}
	_, v := compose.MapGet(s.Node, key)
	return v
}

// value returns key's value as compose merges the project: for
// replacedKeys, that of the last merged file that sets it; otherwise the
// effective value here. Read only: the
// node may belong to another document; edit through get.
func (s svc) value(key string) *yaml.Node {
	if v := s.merged[key]; v != nil {
		return v
	}
	return s.get(key)
}

// has reports whether the service sets key itself or inherits it.
func (s svc) has(key string) bool { return s.get(key) != nil }

// str returns the effective scalar value of key, or "".
func (s svc) str(key string) string {
	if v := s.get(key); v != nil && v.Kind == yaml.ScalarNode {
		return v.Value
	}
	return ""
}

// extendsTarget returns the service s extends and the file it is in ("" for
// this file); base is "" when s extends nothing.
func (s svc) extendsTarget() (file, base string) {
	ext := s.get("extends")
	switch {
	case ext == nil:
		return "", ""
	case ext.Kind == yaml.ScalarNode:
		return "", ext.Value
	case ext.Kind == yaml.MappingNode:
		if _, f := compose.MapGet(ext, "file"); f != nil {
			file = f.Value
		}
		if _, n := compose.MapGet(ext, "service"); n != nil {
			base = n.Value
		}
	}
	return file, base
}

// inherits reports whether key is set on the service, inherited through
// merge keys, or set on a service it extends: in this file, or through
// extends: file: in another file of the project. unknown is true when the
// extended file is not among the project's files (it could not be read).
func (p *Pass) inherits(all map[string]svc, s svc, key string) (set, unknown bool) {
	return p.inheritsWith(all, s, func(c svc) bool { return c.has(key) })
}

// inheritsWith is inherits for settings deeper than one key: has says
// whether a service sets what the rule looks for.
func (p *Pass) inheritsWith(all map[string]svc, s svc, has func(svc) bool) (set, unknown bool) {
	doc := p.Document
	var seen map[string]bool // made at the first extends: most services extend nothing
	for cur := s; ; {
		if has(cur) {
			return true, false
		}
		file, base := cur.extendsTarget()
		if base == "" {
			return false, false
		}
		if file != "" {
			if doc = p.projectDoc(doc, file); doc == nil {
				return false, true
			}
			all = p.namesOf(doc)
		}
		if id := doc.Path + "\x00" + base; seen[id] {
			return false, false
		} else {
			if seen == nil {
				seen = map[string]bool{}
			}
			seen[id] = true
		}
		next, ok := all[base]
		if !ok {
			return false, false
		}
		cur = next
	}
}

// projectDoc returns the project's document for file, a path relative to
// the document from (as extends: file: is), or nil.
func (p *Pass) projectDoc(from *compose.Document, file string) *compose.Document {
	if !filepath.IsAbs(file) {
		file = filepath.Join(filepath.Dir(from.Path), file)
	}
	want, err := filepath.Abs(file)
	if err != nil {
		return nil
	}
	for _, d := range p.Project {
		if abs, err := filepath.Abs(d.Path); err == nil && abs == want {
			return d
		}
	}
	return nil
}

func byName(ss []svc) map[string]svc {
	m := make(map[string]svc, len(ss))
	for _, s := range ss {
		m[s.Name] = s
	}
	return m
}

// isOneShotWord reports whether a name part marks a job that runs once.
func isOneShotWord(w string) bool {
	switch w {
	case "init", "migrate", "migrations", "migration", "setup", "seed", "seeder", "createbuckets", "bootstrap":
		return true
	}
	return false
}

// isOneShotName reports whether a service name marks a one-shot job:
// "init", "db-migrate", "minio-create-buckets", "kafka-setup", "*-init".
func isOneShotName(name string) bool {
	n := strings.ToLower(name)
	if strings.Contains(n, "create-buckets") || strings.Contains(n, "create_buckets") {
		return true
	}
	// The parts between separators, empty ones included (no word is
	// empty): every rule asks for every service, and a byte search is a
	// fraction of an iterator over runes.
	for {
		i := strings.IndexAny(n, "-_.")
		if i < 0 {
			return isOneShotWord(n)
		}
		if isOneShotWord(n[:i]) {
			return true
		}
		n = n[i+1:]
	}
}

// completedDependencies returns the services others wait on with
// condition: service_completed_successfully.
func completedDependencies(ss []svc) map[string]bool {
	out := map[string]bool{}
	for _, s := range ss {
		deps := s.get("depends_on")
		if deps == nil || deps.Kind != yaml.MappingNode {
			continue
		}
		for i := 0; i+1 < len(deps.Content); i += 2 {
			v := compose.Resolve(deps.Content[i+1])
			if _, c := compose.MapGet(v, "condition"); c != nil && c.Value == "service_completed_successfully" {
				out[deps.Content[i].Value] = true
			}
		}
	}
	return out
}

// others returns the project's other files.
func (p *Pass) others() []*compose.Document { return p.except(p.Project) }

// except returns files without the document's own file.
func (p *Pass) except(files []*compose.Document) []*compose.Document {
	var out []*compose.Document
	for _, d := range files {
		if d.Path != p.Document.Path {
			out = append(out, d)
		}
	}
	return out
}

// mergedProject returns the project's files that compose merges into one
// model, in merge order: the first p.merged, or all of them when it is 0.
func (p *Pass) mergedProject() []*compose.Document {
	if p.merged > 0 && p.merged < len(p.Project) {
		return p.Project[:p.merged]
	}
	return p.Project
}

// mergedOthers returns the project's other files that compose merges
// with this one: a service of the same name there is the same service.
// Files reached through include: or extends: file: are left out; extends
// is followed by Pass.inherits, by service.
func (p *Pass) mergedOthers() []*compose.Document { return p.except(p.mergedProject()) }

// elsewhere reports whether another file of the project sets key for the
// service called name (own or inherited through merge keys).
func (p *Pass) elsewhere(name, key string) bool {
	return p.elsewhereWith(name, func(s svc) bool { return s.has(key) })
}

// owns reports whether this document defines the service called name: it
// is the first file of the project, in merge order, that gives the service
// an image, a build or an extends (or, when none does, the first that
// mentions it). A setting the service lacks is added there, once: in an
// overlay it would replace the base's value under compose's merge, and in
// every file that mentions the service it would only repeat.
func (p *Pass) owns(name string) bool {
	if len(p.others()) == 0 {
		return true // a project of one: no need to build every file's services
	}
	first := ""
	for _, d := range p.Project {
		for _, s := range p.servicesOf(d) {
			if s.Name != name {
				continue
			}
			if first == "" {
				first = d.Path
			}
			if s.has("image") || s.has("build") || s.has("extends") {
				return d.Path == p.Document.Path
			}
		}
	}
	return first == "" || first == p.Document.Path
}

// settled reports whether a rule should leave key alone on service s: it is
// set or inherited in this file, set for the service in another file of the
// project, unknowable (extends another file), or another file of the project
// owns the service.
func (p *Pass) settled(all map[string]svc, s svc, key string) bool {
	if set, unknown := p.inherits(all, s, key); set || unknown {
		return true
	}
	return p.elsewhere(s.Name, key) || !p.owns(s.Name)
}

// completedDependencies returns the services that any file of the
// project waits on with condition: service_completed_successfully: a job
// is a job in every file, whichever file says so. It is made once per
// pass (three rules read it); shared, read only.
func (p *Pass) completedDependencies() map[string]bool {
	if p.memo == nil {
		return p.projectCompleted()
	}
	if p.memo.completedOf != p.Document {
		p.memo.completedOf, p.memo.completed = p.Document, p.projectCompleted()
	}
	return p.memo.completed
}

// projectCompleted is Pass.completedDependencies without the memo.
func (p *Pass) projectCompleted() map[string]bool {
	out := completedDependencies(p.services())
	for _, d := range p.others() {
		for name := range completedDependencies(p.servicesOf(d)) {
			out[name] = true
		}
	}
	return out
}

// elsewhereWith reports whether has holds for the service called name in
// another file of the project, for settings deeper than one key (such as
// deploy.resources).
func (p *Pass) elsewhereWith(name string, has func(svc) bool) bool {
	for _, d := range p.mergedOthers() {
		for _, s := range p.servicesOf(d) {
			if s.Name == name && has(s) {
				return true
			}
		}
	}
	return false
}

// overlayRuns returns the first overlay of the document that sets what the
// service called name runs (its image, build, entrypoint or command); ""
// when none does. Under that overlay the service is another program: a
// healthcheck or restart policy chosen for the base's may not fit it.
func (p *Pass) overlayRuns(name string) string {
	return p.overlaySets(name, "image", "build", "entrypoint", "command")
}

// overlaySets returns the first overlay of the document that sets one of
// keys for the service called name; "" when none does.
func (p *Pass) overlaySets(name string, keys ...string) string {
	for _, d := range p.overlays {
		for _, s := range p.servicesOf(d) {
			if s.Name == name && slices.ContainsFunc(keys, s.has) {
				return filepath.Base(d.Path)
			}
		}
	}
	return ""
}
