package fixers

import (
	"fmt"
	"slices"

	"github.com/composefix/composefix/compose"
	"go.yaml.in/yaml/v3"
)

// insertKey identifies a key a fix adds to a mapping.
type insertKey struct {
	rule   string
	target *yaml.Node
	key    string
}

// insertFix is a fix that adds a key, with what it adds.
type insertFix struct {
	value  *yaml.Node
	safety Safety
	fix    *Fix
}

// dropInherited empties the fixes that a merge key makes redundant: when a
// fix adds key K to a mapping that another service merges ("<<: *netbox"),
// and that service's fix of the same rule adds the same K: value to its own
// mapping, the service inherits it once the merged mapping is fixed, and
// writing it twice only repeats it (netbox-docker's workers). The service's
// fix becomes the merged mapping's change (identical edits apply once), so
// that it is applied, and reported, with the edit that fixes it.
//
// Only fixes made entirely of such inserts are emptied, and only when the
// merged mapping's fix is not suppressed (fs holds the kept findings) and
// is as safe, so that both are applied or neither.
func dropInherited(d *compose.Document, fs []Finding) {
	// Only a key added to a mapping that merges another can be inherited:
	// a file without one (most files) needs no index of every fix's
	// inserts, which in a large file costs more than the rules' checks.
	// A file without any merge key (Load knows) needs no look at every
	// fix's targets either: in a large file that read each service's
	// mapping again, from memory.
	if !d.MayMerge() {
		return
	}
	under := false
	for i := range fs {
		if under = insertsUnderMerge(&fs[i]); under {
			break
		}
	}
	if !under {
		return
	}
	names := map[*yaml.Node]string{}
	for _, s := range services(d) {
		if s.Node != nil && !s.Shared {
			names[s.Node] = s.Name
		}
	}
	inserts := map[insertKey]insertFix{}
	uses := map[*compose.Op]int{} // ops shared by several fixes (the logging anchor block)
	for _, f := range fs {
		if f.Fix == nil {
			continue
		}
		for _, op := range f.Fix.Change.Ops {
			uses[op]++
			if op.Kind == compose.OpInsert && op.Target != nil && op.Target.Kind == yaml.MappingNode {
				inserts[insertKey{f.RuleID, op.Target, op.Key}] = insertFix{op.Value, f.Fix.Safety, f.Fix}
			}
		}
	}
	for i := range fs {
		f := &fs[i]
		if f.Fix == nil || len(f.Fix.Change.Ops) == 0 {
			continue
		}
		from, covered := "", true
		var bases []*Fix
		for _, op := range f.Fix.Change.Ops {
			if uses[op] > 1 {
				continue // another fix makes it too
			}
			if op.Kind != compose.OpInsert || op.Target == nil || op.Target.Kind != yaml.MappingNode {
				covered = false
				break
			}
			base, by, ok := inheritedInsert(inserts, f.RuleID, op, f.Fix.Safety)
			if !ok {
				covered = false
				break
			}
			if !slices.Contains(bases, by) {
				bases = append(bases, by)
			}
			if from = names[base]; from == "" {
				from = "a merged mapping"
			}
		}
		if !covered || from == "" {
			continue
		}
		fix := &Fix{Title: fmt.Sprintf("%s (inherited from %s)", f.Fix.Title, from), Safety: f.Fix.Safety}
		for _, b := range bases {
			fix.Change.Add(b.Change)
		}
		compose.SortEdits(fix.Change.Edits)
		f.Fix = fix
	}
}

// insertsUnderMerge reports whether f's fix adds a key to a mapping that
// merges another: the only fixes dropInherited can empty.
func insertsUnderMerge(f *Finding) bool {
	if f.Fix == nil {
		return false
	}
	for _, op := range f.Fix.Change.Ops {
		if op.Kind == compose.OpInsert && op.Target != nil && op.Target.Kind == yaml.MappingNode && len(compose.MergeSources(op.Target)) > 0 {
			return true
		}
	}
	return false
}

// inheritedInsert reports whether a mapping that op's target merges,
// directly or through other merged mappings, gains the same key with the
// same value from a fix of the same rule, and returns that mapping and fix.
func inheritedInsert(inserts map[insertKey]insertFix, rule string, op *compose.Op, safety Safety) (*yaml.Node, *Fix, bool) {
	seen := map[*yaml.Node]bool{}
	var walk func(m *yaml.Node) (*yaml.Node, *Fix, bool)
	walk = func(m *yaml.Node) (*yaml.Node, *Fix, bool) {
		for _, src := range compose.MergeSources(m) {
			if seen[src] {
				continue
			}
			seen[src] = true
			if in, ok := inserts[insertKey{rule, src, op.Key}]; ok {
				if in.safety == safety && sameNode(in.value, op.Value) {
					return src, in.fix, true
				}
				return nil, nil, false // a different value: the service overrides it
			}
			if _, v := compose.MapGet(src, op.Key); v != nil {
				return nil, nil, false // set there already, yet the service lacks it: not plain inheritance
			}
			if base, by, ok := walk(src); ok {
				return base, by, true
			}
		}
		return nil, nil, false
	}
	return walk(op.Target)
}

// sameNode reports whether two new value nodes encode the same YAML.
func sameNode(a, b *yaml.Node) bool {
	if a == b || a == nil || b == nil {
		// The same node, most often: the rules share one node per
		// distinct value they add (healthCtx.shape, limitsNodes), and
		// encoding both was the most these checks cost.
		return a == b
	}
	x, errA := yaml.Marshal(a)
	y, errB := yaml.Marshal(b)
	return errA == nil && errB == nil && string(x) == string(y)
}
