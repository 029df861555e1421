package fixers

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"runtime/debug"
	"slices"
	"sort"
	"strings"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/fixers/kb"
	"github.com/composefix/composefix/internal/runsort"
	"go.yaml.in/yaml/v3"
)

// MaxPasses bounds the fix loop; hitting it is a bug in the rules involved.
const MaxPasses = 8

// Options configure a Run.
type Options struct {
	Rules       []*Rule     // the selected rules, in table order
	Resolved    Resolutions // registry results for every image in the run
	Config      *Config     // nil: defaults
	UnsafeFixes bool        // apply unsafe fixes of every rule
	// UnsafeRules enables unsafe fixes per rule ID (from the config file).
	UnsafeRules map[string]bool
	// Project holds every file of the document's project in merge order
	// (the document itself included, as first loaded), so that rules see
	// what another file already sets for a service. Empty: a project of one.
	Project []*compose.Document
	// MergedFiles is how many leading documents of Project docker compose
	// merges into one model; those after them are context reached through
	// include: or extends: file:, which define services but replace no
	// value. 0: all of them.
	MergedFiles int
	// fixing is set by Run for the passes after the first: only rules
	// whose fixes can be applied run (see appliable), since those passes'
	// documents are never written and their other findings never reported.
	fixing bool
	// schema keeps the input's schema violations, checked by CF603 in the
	// first pass, for the output's check (see checkOutputSchema).
	schema *schemaMemo
	// memo keeps what rules derive alike from a document, for the run.
	memo *runMemo
	// Overlays are the named overlays of the document (compose.prod.yaml
	// beside compose.yaml): docker compose merges each over it when asked
	// (-f compose.yaml -f compose.prod.yaml), and uses it alone otherwise.
	// A default that depends on what a service runs is not added where an
	// overlay runs something else.
	Overlays []*compose.Document
	// LargeFrom replaces parkAt, the number of first-pass findings from
	// which a run takes the large-file path (its findings parked, the
	// input's tree let go during verification when the file is alone),
	// when not 0. For tests only, which take small files down that path
	// to check that it gives what the usual one gives; 0 everywhere else.
	LargeFrom int
	// keepTree keeps the input's tree through a large file's first
	// verification (see verifyDropping): set for the run again after that
	// verification failed, so that verifyPass says where and names the
	// rules.
	keepTree bool
	// onDrop is called when a run lets the input's tree go (tests).
	onDrop func()
	// TreeUnread says that the caller reads nothing of the document's
	// tree after Run; its bytes, line index and style stay readable. A
	// large file's tree, let go during verification (see verifyDropping),
	// is then not parsed again at the end of the run, which otherwise
	// gives it back for the caller: the 8 MiB benchmark file's run saves
	// a parse of the whole input. The document reports it meanwhile
	// (compose.Document.TreeDropped), and its ReloadTree gives it back: a
	// caller that hands the document on reloads it before any read of
	// its tree (pipeline.File.Document does).
	TreeUnread bool
	// Unloaded holds the files the document names in include: (with an
	// entry's env_file) or extends: file: that cannot be loaded, by
	// compose.Reference.Key, with why: CF604 reports them.
	Unloaded map[string]error
}

// Result is what a Run did to one document.
type Result struct {
	Path     string
	Original []byte
	Output   []byte // equals Original when nothing was applied
	// Findings are those of the first pass, positions in Original, sorted
	// by (offset, rule ID); Applied marks the fixes that were made.
	Findings []Finding
	Passes   int
	// Regions locate every change of Output against Original (see
	// compose.Region): a diff built from them looks only there.
	Regions []compose.Region
	// OutputLines are the line starts of Output when it differs from
	// Original (compose.Document.LineStarts of the document verification
	// loaded), for a diff that would find them again.
	OutputLines []int
}

// Changed reports whether the output differs from the input.
func (r *Result) Changed() bool { return string(r.Original) != string(r.Output) }

// InternalError is a bug in a rule: invalid edits, a verification failure or
// a fix loop that does not settle. Nothing is written for the file.
type InternalError struct {
	Path  string
	Rules []string
	Err   error
}

func (e *InternalError) Error() string {
	return fmt.Sprintf("%s: internal error in %s: %v", e.Path, strings.Join(e.Rules, ", "), e.Err)
}

func (e *InternalError) Unwrap() error { return e.Err }

// OutputTooLargeError is fixes that would grow a file past compose.MaxSize,
// more than composefix can read back to verify: nothing is written.
type OutputTooLargeError struct {
	Path string
	Size int // bytes the fixed file would have
}

func (e *OutputTooLargeError) Error() string {
	return fmt.Sprintf("%s: the fixed file would be %d bytes, more than the %d bytes composefix can read back to verify it; nothing is written (fix it in parts with --select, or split it)", e.Path, e.Size, compose.MaxOutputSize)
}

// Run analyses d with the selected rules and applies their eligible fixes,
// pass after pass, verifying each pass, until no fix is left to apply.
func Run(d *compose.Document, opts Options) (*Result, error) {
	res := &Result{Path: d.Path, Original: d.Src, Output: d.Src}
	asked := opts
	opts, err := withDefaults(opts)
	if err != nil {
		return nil, err
	}
	opts.schema = &schemaMemo{}
	opts.memo = newRunMemo()
	first, err := analyze(d, opts)
	if err != nil {
		return nil, err
	}
	res.Findings = first
	for i := range first {
		if first[i].Fix != nil && !allowed(&first[i], opts) {
			dropOps(&first[i]) // never applied
		}
	}
	cur := d
	findings := first
	// lin composes the edits of the passes so far: it maps the current
	// pass's document back to the file as read, for the findings' fixes and
	// for errors, which name the file.
	lin := &lineage{src: d.Src}
	at := func(off int) compose.Pos { o, _ := lin.origin(off); return d.Pos(o) }
	own := &fixOwners{first: first, index: map[*Finding]int{}}
	// pk holds the first pass's findings while they are parked (see
	// park.go): res.Findings is nil meanwhile. large is set for the file
	// whose findings are parked: its passes are verified lean too (see
	// appliedPass.lean).
	var pk *parked
	large := false
	// dropped is set while d's tree is let go (see verifyDropping).
	dropped := false
	defer func() {
		if dropped && !opts.TreeUnread {
			// An error after the tree went: the caller still reads the
			// document. Its bytes loaded before; only a bug fails here,
			// and the run is failing already.
			_ = d.ReloadTree()
		}
	}()
	for pass := 1; ; pass++ {
		fixes := eligible(findings, opts)
		if len(fixes) == 0 {
			break
		}
		if pass > MaxPasses {
			return nil, &InternalError{Path: d.Path, Rules: ruleIDs(fixes), Err: fmt.Errorf("fixes still pending after %d passes", MaxPasses)}
		}
		accepted, err := merge(cur, fixes, at)
		if err != nil {
			return nil, err
		}
		if len(accepted) == 0 {
			break // what is left needs fixes that will not land (Fix.Needs)
		}
		// What the rules derived from cur serves its analysis only: let it
		// go before verification, the run's largest moment.
		opts.memo.passed(cur, readAsContext(cur, d, opts.Project))
		if pk != nil && pass > 1 {
			// A later pass's fixes belong to first-pass findings, found
			// by their rule, message and place.
			res.Findings, pk = pk.restore(), nil
			own.first = res.Findings
		}
		parking := pass == 1 && len(first) >= cmp.Or(opts.LargeFrom, parkAt)
		if parking {
			collect() // the chunks analyze copied the findings from, the merge's garbage, before parking
		}
		a := listFixes(accepted)
		// The first pass's findings the fixes stand for, found in the
		// order the fixes were accepted, which is nearly the findings'
		// own: asked in a.fixes's order, by rule, each rule's fixes were
		// a pass over all the findings (12 MB of them for 10,000
		// services, read from memory once per rule). res.owner starts
		// with the same search, and a fix not found there is asked in
		// a.fixes's order as before.
		found := make([]int32, len(accepted))
		for i, f := range accepted {
			found[i] = int32(own.inFirst(f))
		}
		a.own(func(j int, f *Finding) int {
			if i := found[a.from[j]]; i >= 0 {
				return int(i)
			}
			return res.owner(d, lin, own, f)
		})
		if parking {
			// A large file's findings wait, parked, while the edits are
			// applied and the output is loaded and verified (with the
			// input's tree, unless verifyDropping lets it go); the pass
			// has listed what it reads of its fixes.
			a.lean()
			pk, large = park(res.Findings), true
			res.Findings, own.first, first, findings, fixes, accepted = nil, nil, nil, nil, nil, nil
			collect() // the findings as they were, before the output is written and loaded
		}
		var next *compose.Document
		applied := a.apply(cur, at)
		if applied == nil && large && cur == d && dropsTree(d, opts) && len(a.out) <= compose.MaxOutputSize {
			next, dropped, err = verifyDropping(d, a, opts.schema)
			if opts.onDrop != nil && (dropped || err == errVerifyAgain) {
				opts.onDrop()
			}
			if err == errVerifyAgain {
				// The output differs from the intended tree: verified
				// again with the input's tree, which says where and names
				// the rules (a bug in one, so it costs a run only then).
				asked.keepTree = true
				return Run(d, asked)
			} else if err != nil {
				return nil, err
			}
		}
		// The first pass's output is checked against the schema as it
		// is verified, service by service (see schemaMemo.feed): the
		// output's check reads it when the run ends on it.
		var feed *schemaFeed
		if next == nil {
			var visit compose.EntryVisitor // nil, not a nil *schemaFeed
			if pass == 1 && !large {
				if feed = opts.schema.feed(opts.Config.Knowledge.Schema, d); feed != nil {
					visit = feed
				}
			}
			if next, err = verifyPass(cur, a, applied, at, large, visit); err != nil {
				return nil, err
			}
		}
		if feed != nil {
			feed.out = next
		}
		if large {
			collect() // verification's garbage, before the next analysis
			a.refill()
		}
		if _, v := compose.MapGet(next.Root, "services"); v == nil {
			return nil, &InternalError{Path: d.Path, Rules: a.ruleIDs(), Err: errors.New("the edited file has no services key")}
		}
		res.Output, res.Passes = a.out, pass
		// The edits as written, in order: ComposeRegions sorts nothing.
		res.Regions = compose.ComposeRegions(res.Regions, a.written)
		lin.record(a)
		cur = next
		later := opts
		later.fixing = true
		if findings, err = analyze(cur, later); err != nil {
			return nil, lin.relocate(d, cur, err)
		}
	}
	// The rules are done: what they derived from the last document (its
	// services, their names and keys: about 90 MB for the 8 MiB benchmark
	// file) is read no more.
	opts.memo, findings = nil, nil
	if large {
		collect() // before the output's schema is checked
	}
	if dropped && !opts.schema.validWithout(d) {
		// The input's tree again, for the output's schema check, which
		// compares with it.
		dropped = false
		if err := d.ReloadTree(); err != nil {
			return nil, err
		}
		opts.schema.attach(d)
	}
	if res.Changed() {
		res.OutputLines = cur.LineStarts()
		ruleOf := func(i int) string { return res.Findings[i].RuleID }
		if pk != nil {
			ruleOf = pk.ruleOf
		}
		if err := checkOutputSchema(opts.Config.Knowledge.Schema, opts.schema, d, cur, lin.appliedRules(ruleOf)); err != nil {
			return nil, err
		}
	}
	if pk != nil {
		collect() // the output's tree, before the findings come back
		// After the last read of the output's tree, which can go first.
		res.Findings = pk.restore()
	}
	// Checked before the findings get their edits on the original bytes,
	// which read neither tree: the output's, the largest thing a large
	// file's run holds (540 MB of the 8 MiB benchmark file's peak), can go
	// meanwhile.
	lin.finish(res)
	if dropped && !opts.TreeUnread {
		// The input's tree again, for the caller.
		dropped = false
		if err := d.ReloadTree(); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// collect runs a garbage collection, where a large file's run has just
// let go of hundreds of megabytes and is about to allocate as much again,
// and returns the freed memory to the system. The collector's goal follows
// the live heap it last marked, and a collection that runs while the
// output is loaded and compared marks much of what these moments free as
// live (it was when marked): the heap then grows to a goal a few hundred
// megabytes above what is really live. A forced collection marks with the
// run waiting and sets the goal from what is live; memory the heap no
// longer uses would otherwise stay resident, and count in the run's peak,
// until the next phase happens to reuse it. The seven of them cost the 8 MiB
// benchmark file about a second of CPU, most of it the system's, faulting
// pages in again.
func collect() { debug.FreeOSMemory() }

// dropsTree reports whether a large file's run may let d, the input's
// tree, go during its first verification: nothing else of the run reads
// it then, unless the project has other files or overlays, whose rules
// read the input as context in later passes, or d names a file in
// extends: file:, which later passes look up among the project's files
// (Pass.projectDoc), where d itself stands for its own path.
func dropsTree(d *compose.Document, opts Options) bool {
	return !opts.keepTree && len(opts.Project) <= 1 && len(opts.Overlays) == 0 &&
		!slices.ContainsFunc(d.ReferenceNodes(), func(r compose.Reference) bool { return r.Extends })
}

// verifyDropping verifies a large file's first pass without holding the
// input's tree and the output's at once: verification compares the output
// with the input's tree and the fixes' operations replayed, and for the
// 8 MiB benchmark file the two trees are 175 and 500 MB. It encodes the
// intended tree (compose.Intend: a few megabytes), lets the operations and
// d's tree go, then loads the output and compares it with the encoding,
// node by node as verifyPass would. dropped reports that d's tree is gone
// (Run loads it again once the rules are done); with neither a document
// nor an error, the intended tree could not be made and verifyPass is to
// say why. errVerifyAgain is an output that differs from the intended
// tree, or does not load: d's tree is loaded again, and Run is to run
// again keeping it, so that verifyPass says where and names the rules,
// which the encoding cannot.
func verifyDropping(d *compose.Document, a *appliedPass, schema *schemaMemo) (next *compose.Document, dropped bool, err error) {
	intent, err := compose.Intend(d, a.ops)
	if err != nil {
		return nil, false, nil
	}
	a.ops = nil
	d.DropTree()
	schema.detach(d)
	collect() // the input's tree, before the output's is made
	if next, err = intent.VerifyLoad(a.out); err != nil {
		if err := d.ReloadTree(); err != nil {
			return nil, false, err // the bytes loaded before: a bug
		}
		schema.attach(d)
		return nil, false, errVerifyAgain
	}
	return next, true, nil
}

// errVerifyAgain: see verifyDropping.
var errVerifyAgain = errors.New("verify again keeping the input's tree")

// readAsContext reports whether later passes read cur, a pass's document,
// as context: only the file as read (d), and only beside other files of
// its project (Pass.mergedFiles). Alone, what the rules derived from it
// (the 8 MiB benchmark file's service list, name map and key index: about
// 30 MB) would wait for the end of the run unread.
func readAsContext(cur, d *compose.Document, project []*compose.Document) bool {
	return cur == d && len(project) > 1
}

// dropOps lets a fix's tree operations go once nothing will read them:
// they serve merging and verifying the pass that applies the fix, and in a
// large file the nodes they render are most of what the findings hold.
// Reports read the edits.
//
// The fix is changed in place rather than copied (a copy per applied fix,
// 70,000 in the 10,000-service benchmark file, was 2% of its run's
// allocations). Findings share a fix only within one rule (CF501's
// interpolations of one scalar), which are allowed or not alike, and
// nothing reads a fix's operations after the pass that applies it, nor
// those of a fix never applied: the Result's fixes are read for their
// edits.
func dropOps(f *Finding) {
	if f.Fix != nil {
		f.Fix.Change.Ops = nil
	}
}

// fixOwners maps the fixes a pass accepts to the findings they stand for
// (see Result.owner).
type fixOwners struct {
	// first is the first pass's findings, sorted by findingLess: a fix
	// found there is found by a binary search, without an index of
	// hundreds of thousands of entries in a large file.
	first []Finding
	// index holds the later passes' fixes already placed.
	index map[*Finding]int
	// hint is where inFirst last found a fix: the fixes are asked about
	// by rule and each rule's in order, so the next one is usually a
	// little further on (see inFirst).
	hint int
	// byMessage indexes the findings with a fix by (rule, message),
	// first one kept, made when a later pass first needs it, so that a
	// file with thousands of later-pass fixes does not scan the findings
	// for each.
	byMessage map[[2]string]int
}

// inFirst returns the index of f in o.first, or -1 when f is not one of
// those findings.
//
// The search gallops from where the last one ended, before a binary
// search in the range it finds: a binary search over all of a large
// file's findings (12 MB for 10,000 services) read a dozen of them from
// memory for each fix, where the next fix is usually a few findings on.
func (o *fixOwners) inFirst(f *Finding) int {
	// below: first[i] comes before f. The first finding not below f is
	// in [lo, hi].
	below := func(i int) bool { return findingLess(&o.first[i], f) }
	lo, hi := 0, len(o.first)
	switch h := min(o.hint, len(o.first)); {
	case h < len(o.first) && below(h): // f is after the hint
		lo = h + 1
		for step := 1; lo+step <= hi; step *= 2 {
			if at := lo + step - 1; !below(at) {
				hi = at
				break
			}
			lo += step
		}
	case h > 0 && !below(h-1): // f is before the hint
		hi = h - 1
		for step := 1; hi-step >= lo; step *= 2 {
			if at := hi - step; below(at) {
				lo = at + 1
				break
			}
			hi -= step
		}
	default:
		lo, hi = h, h
	}
	i := lo + sort.Search(hi-lo, func(i int) bool { return !below(lo + i) })
	for ; i < len(o.first) && !findingLess(f, &o.first[i]); i++ {
		if &o.first[i] == f {
			o.hint = i
			return i
		}
	}
	return -1
}

// owner returns the index in r.Findings of the finding that accepted fix f
// stands for. A first-pass finding is itself; a later pass's fix belongs to
// the first-pass finding with the same rule and message (such as a
// dependency condition that waited for a healthcheck), or else to one of the
// same rule about the node it edits, or else is added as a finding of its
// own, located in the original bytes.
func (r *Result) owner(d *compose.Document, lin *lineage, o *fixOwners, f *Finding) int {
	if i := o.inFirst(f); i >= 0 {
		return i
	}
	if i, ok := o.index[f]; ok {
		return i
	}
	if o.byMessage == nil {
		// Only findings with a fix were added to r.Findings since the first
		// pass, each after a miss here: the index is what it would have been
		// had it been made with the first pass's findings and kept up.
		o.byMessage = map[[2]string]int{}
		for i := range r.Findings {
			if k := [2]string{r.Findings[i].RuleID, r.Findings[i].Message}; r.Findings[i].Fix != nil {
				if _, ok := o.byMessage[k]; !ok {
					o.byMessage[k] = i
				}
			}
		}
	}
	if i, ok := o.byMessage[[2]string{f.RuleID, f.Message}]; ok {
		o.index[f] = i
		return i
	}
	start, _ := lin.origin(f.Span.Start)
	end, _ := lin.origin(f.Span.End)
	for i := range r.Findings {
		if g := &r.Findings[i]; g.RuleID == f.RuleID && g.Fix != nil && g.Span.Start <= start && start <= g.Span.End {
			o.index[f] = i
			return i
		}
	}
	g := *f
	g.Span = compose.Span{Start: start, End: max(start, end)}
	g.Pos, g.End = d.Pos(g.Span.Start), d.Pos(g.Span.End)
	r.Findings = append(r.Findings, g)
	o.index[f] = len(r.Findings) - 1
	if k := [2]string{g.RuleID, g.Message}; g.Fix != nil {
		if _, ok := o.byMessage[k]; !ok {
			o.byMessage[k] = len(r.Findings) - 1
		}
	}
	return len(r.Findings) - 1
}

// ruleError is a rule that could not run on a document. Its message is
// made when printed, so that a position relocated into the file as read
// (lineage.relocate) shows.
type ruleError struct {
	path, id string
	err      error
}

// Error names the file once: "d.yaml:6:9: rule CF102: …" when the cause
// is a position in the same file, "d.yaml: rule CF102: …" otherwise.
func (e *ruleError) Error() string {
	var pe *compose.PosError
	if errors.As(e.err, &pe) && pe.Path == e.path && pe.Line > 0 {
		inner := *pe
		inner.Path, inner.Line = "", 0
		msg := strings.TrimPrefix(inner.Error(), "<input>: ")
		return fmt.Sprintf("%s:%d:%d: rule %s: %s", e.path, pe.Line, pe.Col, e.id, msg)
	}
	return fmt.Sprintf("%s: rule %s: %v", e.path, e.id, e.err)
}
func (e *ruleError) Unwrap() error { return e.err }

// posFunc gives the position, in the file as read, of a byte offset in
// the document a pass works on.
type posFunc func(off int) compose.Pos

// fixSizes counts the edits and operations of fixes, to size what
// collects them: a large file's pass has hundreds of thousands, and
// growing a map or slice to that size copies it again and again.
func fixSizes(fixes []*Finding) (edits, ops int) {
	for _, f := range fixes {
		edits += len(f.Fix.Change.Edits)
		ops += len(f.Fix.Change.Ops)
	}
	return edits, ops
}

// withDefaults fills a nil Config with DefaultConfig and decodes the
// knowledge bases when the Config has none, without writing to the
// caller's Config.
func withDefaults(opts Options) (Options, error) {
	if opts.Config == nil {
		opts.Config = DefaultConfig()
	}
	if opts.Config.Knowledge == nil {
		k, err := LoadKnowledge()
		if err != nil {
			return opts, err
		}
		cfg := *opts.Config
		cfg.Knowledge = k
		opts.Config = &cfg
	} else if opts.Config.Knowledge.Index == nil {
		k := *opts.Config.Knowledge
		var err error
		if k.Index, err = kb.NewIndex(k.Healthchecks, k.ImageClasses); err != nil {
			return opts, err
		}
		cfg := *opts.Config
		cfg.Knowledge = &k
		opts.Config = &cfg
	}
	return opts, nil
}

// analyze runs every selected rule over d and returns the findings not
// suppressed by ignore comments, sorted, plus CF900 for unused ignores.
func analyze(d *compose.Document, opts Options) ([]Finding, error) {
	opts, err := withDefaults(opts) // a no-op when Run set them
	if err != nil {
		return nil, err
	}
	cfg := opts.Config
	sup := parseSuppressions(d)
	all := findingBuf{first: firstChunk(d)}
	var blind []Finding
	// What the rules could not check only marks ignore comments as used: a
	// file without any (most files) keeps none of it, which for a large
	// file offline was a finding per service and rule.
	blindTo := &blind
	if len(sup) == 0 {
		blindTo = nil
	}
	// One Pass for every rule, set anew for each: a Pass per rule was an
	// allocation of 176 bytes per rule and document (2% of the bytes a
	// corpus run allocates). No rule keeps its Pass past its Check.
	p := new(Pass)
	for _, r := range opts.Rules {
		if r.Check == nil || opts.fixing && !appliable(r, opts) {
			continue // none of the rule's fixes can be applied
		}
		*p = Pass{Document: d, Resolved: opts.Resolved, Config: cfg, Project: opts.Project, merged: opts.MergedFiles, overlays: opts.Overlays, unloaded: opts.Unloaded, rule: r, rules: opts.Rules, schema: opts.schema, memo: opts.memo,
			found: &all, blind: blindTo, fixesOnly: opts.fixing}
		if err := r.Check(p); err != nil {
			return nil, &ruleError{path: d.Path, id: r.ID, err: err}
		}
	}
	for _, f := range blind {
		sup.silences(f, opts.Rules) // not known to be stale: counts as used
	}
	if all.n >= cmp.Or(opts.LargeFrom, parkAt) && opts.memo != nil {
		// A large file's rules are done. What they derived from d (its
		// parent index, their memo: about 100 MB for the 8 MiB benchmark
		// file) goes before keep copies the findings out of their chunks,
		// which holds them twice for a moment: the run's largest moment
		// before verification.
		opts.memo.passed(d, !opts.fixing && len(opts.Project) > 1)
		collect()
	}
	kept := all.keep(func(f *Finding) bool { return !sup.silences(*f, opts.Rules) })
	dropInherited(d, kept)
	kept = append(kept, sup.unused(d, opts.Rules)...)
	for i := range kept {
		if sev, ok := cfg.Severity[kept[i].RuleID]; ok {
			kept[i].Severity = sev
		}
	}
	sortFindings(kept)
	return kept, nil
}

// sortFindings sorts fs by offset, then rule ID, stably, moving each
// finding once and in place: a sorted copy was as large as the findings,
// 100 MB for a file of 100,000 services, on top of them.
func sortFindings(fs []Finding) { permute(fs, findingOrder(fs)) }

// findingOrder returns the indexes of fs in the findings' order, by offset
// then rule ID, stably. It sorts small keys: comparing the findings
// themselves reads them again at every comparison, and a large file has a
// hundred thousand. Findings in order already (a run's, when its fixes
// all landed in the first pass) need no keys.
func findingOrder(fs []Finding) []int {
	sorted := true
	for i := 1; i < len(fs) && sorted; i++ {
		sorted = !findingLess(&fs[i], &fs[i-1])
	}
	if sorted {
		order := make([]int, len(fs))
		for i := range order {
			order[i] = i
		}
		return order
	}
	keys := make([]sortKey, len(fs))
	for i := range fs {
		keys[i] = sortKey{int32(fs[i].Span.Start), int32(i), fs[i].RuleID}
	}
	return sortedKeys(keys)
}

// sortKey orders findings or fixes by an offset, then a rule ID, then
// their place before sorting, which makes the order stable. 32-bit
// offsets and places keep a key to 24 bytes (a large file sorts hundreds
// of thousands, and a copy of them while merging): a document is at most
// compose.MaxOutputSize bytes, and has fewer findings than bytes.
type sortKey struct {
	start, i int32
	rule     string
}

// The conversions to sortKey's 32 bits do not check each offset: this
// fails to compile if compose.MaxOutputSize ever outgrows them.
const _ = uint32(math.MaxInt32 - compose.MaxOutputSize)

func compareKeys(a, b sortKey) int {
	if c := cmp.Compare(a.start, b.start); c != 0 {
		return c
	}
	if c := strings.Compare(a.rule, b.rule); c != 0 {
		return c
	}
	return cmp.Compare(a.i, b.i)
}

// sortedKeys sorts keys (made in order, i counting from 0) and returns
// the places, in sorted order. Keys usually arrive sorted, or as a run
// per rule (each rule reports in document order), which runsort merges.
func sortedKeys(keys []sortKey) []int {
	runsort.Sort(keys, compareKeys)
	order := make([]int, len(keys))
	for j, k := range keys {
		order[j] = int(k.i)
	}
	return order
}

// sortFixes sorts fixes in merge's order, by first edit, then rule ID,
// stably, on keys (see findingOrder).
func sortFixes(fixes []*Finding) {
	keys := make([]sortKey, len(fixes))
	for i, f := range fixes {
		keys[i] = sortKey{int32(f.Fix.Change.Edits[0].Start), int32(i), f.RuleID}
	}
	sorted := make([]*Finding, len(fixes))
	for j, i := range sortedKeys(keys) {
		sorted[j] = fixes[i]
	}
	copy(fixes, sorted)
}

// byRuleID returns the order of fixes by rule ID, each rule's in their
// given order, as indexes into fixes: a stable sort by rule ID in linear
// time, as a file has few rules and may have a hundred thousand fixes.
// Each fix's rule is read once: a large file's fixes lie far apart in
// memory, and each pass over them read every fix from memory again.
func byRuleID(fixes []*Finding) []int32 {
	var ids []string
	index := map[string]int32{} // a rule's index in ids
	rule := make([]int32, len(fixes))
	var count []int32 // of each rule's fixes
	for i, f := range fixes {
		r, ok := index[f.RuleID]
		if !ok {
			r = int32(len(ids))
			index[f.RuleID], ids, count = r, append(ids, f.RuleID), append(count, 0)
		}
		rule[i] = r
		count[r]++
	}
	byID := make([]int32, len(ids))
	for r := range byID {
		byID[r] = int32(r)
	}
	slices.SortFunc(byID, func(a, b int32) int { return strings.Compare(ids[a], ids[b]) })
	next, n := make([]int32, len(ids)), int32(0) // where each rule's next fix goes
	for _, r := range byID {
		next[r], n = n, n+count[r]
	}
	order := make([]int32, len(fixes))
	for i, r := range rule {
		order[next[r]] = int32(i)
		next[r]++
	}
	return order
}

// findingLess is the findings' order: by offset, then rule ID.
func findingLess(a, b *Finding) bool {
	if a.Span.Start != b.Span.Start {
		return a.Span.Start < b.Span.Start
	}
	return a.RuleID < b.RuleID
}

func allowed(f *Finding, opts Options) bool { return applies(f.Fix.Safety, f.RuleID, opts) }

// applies reports whether a fix of this safety, from rule id, is applied.
func applies(s Safety, id string, opts Options) bool {
	switch s {
	case Safe:
		return true
	case Unsafe:
		return opts.UnsafeFixes || opts.UnsafeRules[id]
	}
	return false
}

// appliable reports whether any fix of rule r can be applied: a fix is as
// safe as its rule or stricter, so a display-only rule's never are, and an
// unsafe rule's only with its opt-in.
func appliable(r *Rule, opts Options) bool { return applies(r.Safety, r.ID, opts) }

// eligible returns pointers to the findings whose fixes may be applied.
func eligible(fs []Finding, opts Options) []*Finding {
	ok := func(f *Finding) bool { return f.Fix != nil && len(f.Fix.Change.Edits) > 0 && allowed(f, opts) }
	// Counted first: most of a large file's findings have a fix, and a
	// slice grown to hold them copied itself a doubling at a time.
	n := 0
	for i := range fs {
		if ok(&fs[i]) {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]*Finding, 0, n)
	for i := range fs {
		if ok(&fs[i]) {
			out = append(out, &fs[i])
		}
	}
	return out
}

func ruleIDs(fs []*Finding) []string {
	seen := map[string]bool{}
	var ids []string
	for _, f := range fs {
		if !seen[f.RuleID] {
			seen[f.RuleID] = true
			ids = append(ids, f.RuleID)
		}
	}
	sort.Strings(ids)
	return ids
}

// merge validates each fix and accepts fixes whole, in (first edit, rule ID)
// order, skipping those whose edits overlap edits already accepted: they
// wait for the next pass, which re-analyses the new bytes. A fix that needs
// other fixes' edits (Fix.Needs) is considered after all the others, and
// accepted only when every edit it needs is accepted: it can lose a
// conflict, never win one, so the other fixes land as they would without it.
func merge(d *compose.Document, fixes []*Finding, at posFunc) ([]*Finding, error) {
	for _, f := range fixes {
		if err := validate(d, f, at); err != nil {
			return nil, err
		}
	}
	sortFixes(fixes)
	accepted := make([]*Finding, 0, len(fixes)) // most are accepted
	var needing []*Finding
	var claimed compose.EditSet
	replaced := map[*yaml.Node]*compose.Op{} // nodes replaced by an accepted fix
	for _, f := range fixes {
		if len(f.Fix.Needs) > 0 {
			needing = append(needing, f)
		} else if claim(&claimed, replaced, f) {
			accepted = append(accepted, f)
		}
	}
	if len(needing) == 0 {
		return accepted, nil
	}
	// Which needed edits land, found by offset: the accepted edits are
	// most of the file's, and hashing each one's text cost more than the
	// rest of merge.
	needed := map[int][]landing{}
	for _, f := range needing {
		for _, e := range f.Fix.Needs {
			if l := needed[e.Start]; !slices.ContainsFunc(l, func(n landing) bool { return n.Edit == e }) {
				needed[e.Start] = append(l, landing{Edit: e})
			}
		}
	}
	for _, f := range accepted {
		for _, e := range f.Fix.Change.Edits {
			for i, n := range needed[e.Start] {
				if n.Edit == e {
					needed[e.Start][i].lands = true
				}
			}
		}
	}
	lands := func(e compose.Edit) bool {
		i := slices.IndexFunc(needed[e.Start], func(n landing) bool { return n.Edit == e })
		return needed[e.Start][i].lands
	}
	k := len(accepted)
	for _, f := range needing {
		if !slices.ContainsFunc(f.Fix.Needs, func(e compose.Edit) bool { return !lands(e) }) && claim(&claimed, replaced, f) {
			accepted = append(accepted, f)
		}
	}
	mergeFixRuns(accepted, k)
	return accepted, nil
}

// mergeFixRuns puts fixes in merge's order (sortFixes) when fixes[:k] and
// fixes[k:] each are: the fixes accepted without needs, then those with,
// both taken from sorted fixes in order. On a tie the first run's fix
// comes first, as sortFixes's tie-break by place puts it. A merge from
// the back, through a copy of the second run (the fixes with needs, the
// fewer), rather than a sort through keys and a copy of them all.
func mergeFixRuns(fixes []*Finding, k int) {
	if k == 0 || k == len(fixes) {
		return
	}
	b := slices.Clone(fixes[k:])
	i, j := k-1, len(b)-1
	for o := len(fixes) - 1; i >= 0 && j >= 0; o-- {
		if fixBefore(b[j], fixes[i]) {
			fixes[o] = fixes[i]
			i--
		} else {
			fixes[o] = b[j]
			j--
		}
	}
	copy(fixes[:j+1], b[:j+1])
}

// fixBefore reports whether fix a comes before fix b in merge's order:
// by first edit, then rule ID.
func fixBefore(a, b *Finding) bool {
	if sa, sb := a.Fix.Change.Edits[0].Start, b.Fix.Change.Edits[0].Start; sa != sb {
		return sa < sb
	}
	return a.RuleID < b.RuleID
}

// landing is an edit that a fix needs, and whether an accepted fix makes it.
type landing struct {
	compose.Edit
	lands bool
}

// claim adds f's edits to claimed and the nodes it replaces to replaced,
// unless an accepted fix has claimed them already.
func claim(claimed *compose.EditSet, replaced map[*yaml.Node]*compose.Op, f *Finding) bool {
	if claimed.Conflicts(f.Fix.Change.Edits) || replacesClaimed(replaced, f.Fix.Change.Ops) {
		return false
	}
	claimed.Add(f.Fix.Change.Edits...)
	for _, op := range f.Fix.Change.Ops {
		if op.Kind == compose.OpSet {
			replaced[op.Target] = op
		}
	}
	return true
}

// replacesClaimed reports whether ops replace a node that an accepted fix
// replaces too. Two edits inside one scalar may not overlap as text, but
// each fix states the scalar's whole new value: only one can be right in
// this pass, and the other is re-analysed on the next.
func replacesClaimed(replaced map[*yaml.Node]*compose.Op, ops []*compose.Op) bool {
	for _, op := range ops {
		if prev, ok := replaced[op.Target]; ok && op.Kind == compose.OpSet && prev != op {
			return true
		}
	}
	return false
}

// validate checks a fix's edits: sorted, inside the file, no overlap. A
// violation is a bug in the rule.
func validate(d *compose.Document, f *Finding, at posFunc) error {
	edits := f.Fix.Change.Edits
	for i, e := range edits {
		if e.Start < 0 || e.End < e.Start || e.End > len(d.Src) {
			return &InternalError{Path: d.Path, Rules: []string{f.RuleID}, Err: fmt.Errorf("edit %s outside the file", spanText(at, e))}
		}
		if i > 0 && (edits[i-1].Start > e.Start || edits[i-1].Start == e.Start && edits[i-1].End > e.End) {
			return &InternalError{Path: d.Path, Rules: []string{f.RuleID}, Err: fmt.Errorf("edits not sorted at %s", spanText(at, e))}
		}
	}
	if err := compose.CheckEdits(len(d.Src), edits); err != nil {
		var ce *compose.ConflictError
		if errors.As(err, &ce) {
			err = fmt.Errorf("overlapping edits at %s and %s", spanText(at, ce.A), spanText(at, ce.B))
		}
		return &InternalError{Path: d.Path, Rules: []string{f.RuleID}, Err: err}
	}
	return nil
}

func spanText(at posFunc, e compose.Edit) string {
	return at(e.Start).String() + "-" + at(e.End).String()
}

// verifyPass verifies that a's output decodes to the intended tree (err
// is applyFixes's); on failure it names the rule whose fixes break it.
// It returns the edited document, loaded by the verification, which the
// next pass analyses. lean: see appliedPass.lean.
func verifyPass(d *compose.Document, a *appliedPass, err error, at posFunc, lean bool, visit compose.EntryVisitor) (*compose.Document, error) {
	if err == nil && len(a.out) > compose.MaxOutputSize {
		// Verification re-reads the output, which Load refuses: not a
		// bug in the rules, the file is too large to fix whole.
		return nil, &OutputTooLargeError{Path: d.Path, Size: len(a.out)}
	}
	var next *compose.Document
	if err == nil {
		if lean {
			a.lean()
		}
		next, err = compose.VerifyLoadVisit(d, a.ops, a.out, visit)
	}
	if err == nil {
		a.ops = nil      // verified: the operations are read no more
		return next, nil // lean: the caller refills a
	}
	// Name the rules whose fixes break the file on their own: one
	// verification per rule, not per fix (a verification reads the whole
	// file, and a large file has thousands of fixes). The fixes are by rule
	// ID, their edits and operations listed in that order.
	culprits := []string{}
	for _, r := range a.rules {
		o, err1 := compose.Apply(d.Src, a.edits[r.edits[0]:r.edits[1]])
		if err1 != nil || compose.Verify(d, a.ops[r.ops[0]:r.ops[1]], o) != nil {
			culprits = append(culprits, r.id)
		}
	}
	if len(culprits) == 0 {
		culprits = a.ruleIDs()
	}
	// The input of a later pass is an edited text nobody has: say where
	// the difference came from in the file as read.
	if me := (*compose.MismatchError)(nil); errors.As(err, &me) && me.In.Line > 0 {
		me.In = at(d.Offset(me.In.Line, me.In.Col))
	}
	return nil, &InternalError{Path: d.Path, Rules: dedupe(culprits), Err: fmt.Errorf("verification: %w", err)}
}

// appliedPass is what applyFixes made of a pass's fixes: the order of their
// edits, sorted once, serves the output, its regions (ComposeRegions) and
// the lineage of the edits (lineage.record).
type appliedPass struct {
	fixes []*Finding // by rule ID, the order their edits are listed in; nil once lean
	from  []int32    // of each fix, its index in the fixes listFixes was given
	// rules lists the rules of fixes, in order, each with the range of
	// edits and of ops its fixes have.
	rules   []ruleRange
	edits   []compose.Edit // the fixes' edits, in that order
	owners  []int          // of each edit, as editOwners lists them
	order   []int          // indexes into edits in the order Apply wrote them (compose.EditOrder)
	written []compose.Edit // the distinct edits the output has, in that order
	ops     []*compose.Op  // the fixes' operations, for verification
	out     []byte
}

// ruleRange is where one rule's fixes are in an appliedPass.
type ruleRange struct {
	id         string
	edits, ops [2]int
}

func (a *appliedPass) ruleIDs() []string {
	ids := make([]string, len(a.rules))
	for i, r := range a.rules {
		ids[i] = r.id
	}
	return ids
}

// own lists the owner of each edit, which owner gives (the index in
// res.Findings of the finding an accepted fix stands for; lineage.record
// reads them), and drops the fixes' operations (see dropOps): a.ops holds
// them for verification, and a failed pass returns no findings. It does
// not change which edits apply: a fix that conflicts is an error whatever
// the owners.
//
// owner is asked about each fix once, with its index in a.fixes.
func (a *appliedPass) own(owner func(j int, f *Finding) int) {
	a.owners = editOwners(a.fixes, owner)
	for _, f := range a.fixes {
		dropOps(f)
	}
}

// lean lets go what verification does not read: the fixes, whose edits,
// owners and rules a has listed, and the distinct edits written, which
// refill makes again from the edits and their order, without sorting. For
// a large file, whose verification holds the input's tree and the output's
// at once: 130 MB of the 8 MiB benchmark file's.
func (a *appliedPass) lean() { a.fixes, a.written = nil, nil }

func (a *appliedPass) refill() { a.written = compose.Written(a.edits, a.order) }

// applyFixes lists the fixes' edits and operations by rule and applies
// the edits. On failure it returns the listing still, without output.
func applyFixes(d *compose.Document, fixes []*Finding, at posFunc) (*appliedPass, error) {
	a := listFixes(fixes)
	return a, a.apply(d, at)
}

// listFixes lists the fixes' edits and operations by rule.
func listFixes(fixes []*Finding) *appliedPass {
	nEdits, nOps := fixSizes(fixes)
	// Insertions at one offset keep this order: by rule ID, so that a
	// service gains restart (CF2xx) before logging (CF4xx) in every file.
	a := &appliedPass{from: byRuleID(fixes), edits: make([]compose.Edit, 0, nEdits),
		// Fixes may share an operation, such as adding one anchor: it is
		// listed as often as it is shared, and verification replays it
		// once, as it does any operation that repeats an earlier one (a
		// set of the operations here was a map as large as the pass's
		// fixes).
		ops: make([]*compose.Op, 0, nOps)}
	a.fixes = make([]*Finding, len(fixes))
	for j, i := range a.from {
		a.fixes[j] = fixes[i]
	}
	for _, f := range a.fixes {
		if n := len(a.rules); n == 0 || a.rules[n-1].id != f.RuleID {
			a.rules = append(a.rules, ruleRange{id: f.RuleID, edits: [2]int{len(a.edits), len(a.edits)}, ops: [2]int{len(a.ops), len(a.ops)}})
		}
		a.edits = append(a.edits, f.Fix.Change.Edits...)
		a.ops = append(a.ops, f.Fix.Change.Ops...)
		r := &a.rules[len(a.rules)-1]
		r.edits[1], r.ops[1] = len(a.edits), len(a.ops)
	}
	return a
}

// apply writes the listed edits on d's bytes.
func (a *appliedPass) apply(d *compose.Document, at posFunc) error {
	var err error
	if a.out, a.order, a.written, err = compose.ApplyOrdered(d.Src, a.edits); err != nil {
		var ce *compose.ConflictError
		if errors.As(err, &ce) {
			err = fmt.Errorf("%w (at %s and %s)", err, spanText(at, ce.A), spanText(at, ce.B))
		}
		return err // listed: verifyPass names the rules at fault
	}
	return nil
}

func dedupe(ids []string) []string {
	sort.Strings(ids)
	out := ids[:0]
	for i, id := range ids {
		if i == 0 || id != ids[i-1] {
			out = append(out, id)
		}
	}
	return out
}

// Pass is one rule's view of one document.
type Pass struct {
	Document *compose.Document
	Resolved Resolutions
	Config   *Config
	// Project lists the project's files in merge order, as first loaded;
	// use Pass.elsewhere and Pass.owns rather than reading it directly.
	Project []*compose.Document
	merged  int // Options.MergedFiles
	// overlays are Options.Overlays; see Pass.overlayRuns.
	overlays []*compose.Document
	unloaded map[string]error // Options.Unloaded
	rule     *Rule
	rules    []*Rule     // every rule of the run
	schema   *schemaMemo // Options.schema
	memo     *runMemo    // Options.memo; nil: nothing is kept
	// found receives the findings (slices rather than callbacks: a pass
	// per rule per document, and a closure each, were a visible share of
	// a run's allocations).
	found *findingBuf
	// blind receives what the rule could not check, as findings that are
	// never reported (see Unchecked); nil: nothing is kept.
	blind *[]Finding
	// fixesOnly drops the findings without a fix, unformatted and
	// unlocated: a later pass (Options.fixing) only looks for fixes, and
	// its other findings are never reported, nor do they count for
	// suppressions (its CF900 findings have no fix either).
	fixesOnly bool
}

// Unchecked records that the rule could not check node n, such as an image
// the registry gave no answer for (offline and not cached): an ignore
// comment naming the rule there is not known to be stale, so CF900 makes no
// claim about it.
func (p *Pass) Unchecked(n *yaml.Node) {
	if p.blind == nil {
		return
	}
	off := p.Document.NodeOffset(n)
	*p.blind = append(*p.blind, Finding{RuleID: p.rule.ID, Path: p.Document.Path, Span: compose.Span{Start: off, End: off}, Pos: p.Document.Pos(off)})
}

// Rule returns the rule being run.
func (p *Pass) Rule() *Rule { return p.rule }

// runs reports whether the rule with this ID is part of the run, for a rule
// that leaves work to another one (depends_on waits for the healthchecks
// that CF101 adds only when CF101 runs).
func (p *Pass) runs(id string) bool {
	for _, r := range p.rules {
		if r.ID == id {
			return true
		}
	}
	return false
}

// Report records a finding about node n with the rule's default severity.
// fix may be nil.
func (p *Pass) Report(n *yaml.Node, fix *Fix, format string, args ...any) {
	p.ReportSeverity(n, p.rule.Severity, fix, format, args...)
}

// ReportSeverity is Report with an explicit severity.
func (p *Pass) ReportSeverity(n *yaml.Node, sev Severity, fix *Fix, format string, args ...any) {
	if fix == nil && p.fixesOnly {
		return
	}
	p.ReportSpan(p.nodeSpan(n), sev, fix, format, args...)
}

// nodeSpan is the span a finding about n reports.
func (p *Pass) nodeSpan(n *yaml.Node) compose.Span {
	sp, err := p.Document.NodeSpan(n)
	if err != nil {
		off := p.Document.NodeOffset(n)
		sp = compose.Span{Start: off, End: off}
	}
	return sp
}

// reportf is Report with string arguments (see msgf): through Report's
// []any, each is boxed in an interface, an allocation per argument.
func (p *Pass) reportf(n *yaml.Node, fix *Fix, format string, args ...string) {
	if fix == nil && p.fixesOnly {
		return
	}
	p.record(p.nodeSpan(n), p.rule.Severity, fix, msgf(format, args...))
}

// ReportSpan records a finding about a byte range rather than a node, such
// as an interpolation inside a scalar.
func (p *Pass) ReportSpan(sp compose.Span, sev Severity, fix *Fix, format string, args ...any) {
	if fix == nil && p.fixesOnly {
		return
	}
	p.record(sp, sev, fix, message(format, args))
}

// record adds the finding with its message.
func (p *Pass) record(sp compose.Span, sev Severity, fix *Fix, msg string) {
	d := p.Document
	if fix != nil && fix.Safety > p.rule.Safety {
		fix.Safety = p.rule.Safety // a fix may be stricter than its rule, never looser
	}
	if fix != nil && p.memo != nil {
		p.memo.intern(fix.Change.Edits)
		p.memo.intern(fix.Needs)
	}
	pos, end := d.Positions(sp)
	p.found.add(Finding{
		RuleID:   p.rule.ID,
		Severity: sev,
		Path:     d.Path,
		Span:     sp,
		Pos:      pos,
		End:      end,
		Message:  msg,
		Fix:      fix,
	})
}

// NewFix builds a fix with the rule's safety from a change.
func (p *Pass) NewFix(ch compose.Change, format string, args ...any) *Fix {
	return p.fixTitled(ch, message(format, args))
}

// fixf is NewFix with string arguments (see reportf).
func (p *Pass) fixf(ch compose.Change, format string, args ...string) *Fix {
	return p.fixTitled(ch, msgf(format, args...))
}

func (p *Pass) fixTitled(ch compose.Change, title string) *Fix {
	return &Fix{Title: title, Safety: p.rule.Safety, Change: ch}
}
