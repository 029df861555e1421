package fixers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/internal/golden"
	"github.com/sirupsen/logrus"
)

// ownedFields lists, per rule, the fields of compose-go's loaded model that
// the rule's fixes may change, as dotted paths from the project's root; "*"
// matches one key, "x-*" any extension key, "+" items appended to a
// sequence, and a path covers everything under it. A leading "+" marks a
// default: the rule may set the field only where the input (merged, for a
// project) leaves it unset, never replace a value a person wrote. Every
// rule of the table must be listed (nil: its fixes may change no field at
// all), so that a new rule declares what it owns.
var ownedFields = map[string][]string{
	// An image defined in an extension and merged into services is pinned
	// where it is written.
	"CF001": {"services.*.image", "x-*.image"},
	"CF002": {"services.*.image", "x-*.image"},
	"CF003": nil,
	"CF004": {"services.*.image", "x-*.image"},
	"CF005": nil,
	"CF006": nil,
	// A prerequisite of the check is appended to the command: traefik
	// gets --ping=true (the rule's doc says so).
	"CF101": {"+services.*.healthcheck", "services.*.command.+"},
	"CF102": {"services.*.depends_on.*.condition"},
	"CF103": {"services.*.healthcheck.test"},
	"CF201": {"+services.*.restart"},
	"CF301": {"+services.*.deploy.resources"},
	// The anchor block is new: x-logging, or x-rotated-logging when the
	// file already has an x-logging that does not rotate; never an
	// extension a person wrote.
	"CF401": {"+services.*.logging", "+x-logging", "+x-rotated-logging"},
	// A weak default becomes a required variable: with the variable set,
	// as a user must now set it, the model is the same.
	"CF501": nil,
	"CF502": nil,
	"CF503": {"services.*.volumes.*.read_only"},
	"CF504": {"services.*.ports.*.host_ip"},
	"CF505": {"+services.*.security_opt", "services.*.security_opt.+"},
	"CF506": nil,
	"CF507": nil,
	"CF508": nil,
	"CF509": nil,
	"CF601": nil, // compose-go's model has no version field
	"CF602": nil,
	"CF603": nil, // display-only
	"CF604": nil, // display-only
	"CF900": nil,
}

// knownSemanticFailures are the harness's expected failures: changes to
// fields a rule does not own that another piece of work is fixing. Each key
// is "rule mode case" (mode "safe" or "unsafe", case a corpus file's base
// name or "project/<dir>"); the value names the issue. The harness fails
// when a listed case passes, so that the entry is removed as the fix lands.
var knownSemanticFailures = map[string]string{}

// TestSemanticHarness applies each rule's fixes alone, safe and then
// unsafe, to every corpus file and every project of testdata/projects, and
// compares compose-go's loaded model (merged, for projects) before and
// after: the output must load wherever the input did, and differ only in
// the fields the rule owns (ownedFields).
func TestSemanticHarness(t *testing.T) {
	logrus.SetOutput(io.Discard) // compose-go's warnings are noise here
	rules := Rules()
	for _, r := range rules {
		if _, ok := ownedFields[r.ID]; !ok {
			t.Errorf("rule %s has no entry in ownedFields: declare the model fields its fixes may change", r.ID)
		}
	}
	ids := map[string]bool{}
	for _, r := range rules {
		ids[r.ID] = true
	}
	for id := range ownedFields {
		if !ids[id] {
			t.Errorf("ownedFields lists %s, which is not in the rule table", id)
		}
	}
	cfg, err := withDefaults(Options{})
	if err != nil {
		t.Fatal(err)
	}
	cases := semanticCases(t)
	failed := map[string]bool{}
	changed := map[string]int{} // rule and mode -> cases whose model was compared
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, env, err := c.model(nil)
			if err != nil {
				t.Skipf("compose-go refuses the input: %v", err)
			}
			befores := map[string]any{} // input models, by the variables set
			for _, r := range rules {
				for _, unsafe := range []bool{false, true} {
					mode := map[bool]string{false: "safe", true: "unsafe"}[unsafe]
					key := r.ID + " " + mode + " " + c.name
					outs, err := c.run(r, cfg.Config, unsafe)
					if err != nil {
						t.Errorf("%s: %v", key, err)
						continue
					}
					if outs == nil {
						continue // nothing changed
					}
					changed[r.ID+" "+mode]++
					required := c.required(outs)
					rkey := strings.Join(required, ",")
					before, ok := befores[rkey]
					if !ok {
						if before, err = c.modelWith(nil, env, required); err != nil {
							t.Fatalf("%s: the input does not load with %s set: %v", key, rkey, err)
						}
						befores[rkey] = before
					}
					after, err := c.modelWith(outs, env, required)
					var problems []string
					if err != nil {
						problems = []string{fmt.Sprintf("the output no longer loads with compose-go: %v", err)}
					} else {
						for _, p := range modelDiff(before, after) {
							if !owned(ownedFields[r.ID], p, before) {
								problems = append(problems, "changes "+strings.Join(p, "."))
							}
						}
					}
					if len(problems) == 0 {
						continue
					}
					failed[key] = true
					if _, known := knownSemanticFailures[key]; known {
						continue
					}
					t.Errorf("%s: %s", key, strings.Join(problems, "; "))
				}
			}
		})
	}
	keys := make([]string, 0, len(changed))
	for k := range changed {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var summary []string
	for _, k := range keys {
		summary = append(summary, fmt.Sprintf("%s %d", k, changed[k]))
	}
	t.Logf("%d cases; cases changed per rule and mode: %s", len(cases), strings.Join(summary, ", "))
	// Over the corpus every rule that fixes must have been compared at
	// least once; a rule whose fixes never ran here would pass unchecked.
	// (The few testdata projects alone do not reach every rule.)
	if len(cases) > len(semanticProjects(cases)) {
		for _, r := range rules {
			if r.Safety != DisplayOnly && changed[r.ID+" safe"]+changed[r.ID+" unsafe"] == 0 {
				t.Errorf("rule %s fixes, but changed no case: the harness never compared what its fixes change", r.ID)
			}
		}
	}
	if t.Failed() {
		return // a known failure may not have been reached
	}
	for _, msg := range staleKnownFailures(knownSemanticFailures, failed) {
		t.Error(msg)
	}
}

// staleKnownFailures returns a message, sorted, for each known failure
// that did not fail: its fix has landed and the entry must go.
func staleKnownFailures(known map[string]string, failed map[string]bool) []string {
	var out []string
	for key, issue := range known {
		if !failed[key] {
			out = append(out, fmt.Sprintf("known failure %q (%s) no longer fails: remove it from knownSemanticFailures", key, issue))
		}
	}
	sort.Strings(out)
	return out
}

// TestStaleKnownFailures checks that the allowlist cannot outlive its
// failure.
func TestStaleKnownFailures(t *testing.T) {
	known := map[string]string{"CF201 safe a.yaml": "issue 10", "CF401 safe b.yaml": "issue 10"}
	got := staleKnownFailures(known, map[string]bool{"CF201 safe a.yaml": true})
	want := []string{`known failure "CF401 safe b.yaml" (issue 10) no longer fails: remove it from knownSemanticFailures`}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("staleKnownFailures = %q, want %q", got, want)
	}
}

// semanticCase is one input of the harness: a corpus file, or the files of
// a project merged in order.
type semanticCase struct {
	name  string
	docs  []*compose.Document
	dir   string
	files map[string][]string // per file path, its project in merge order
}

func semanticCases(t *testing.T) []semanticCase {
	t.Helper()
	var cases []semanticCase
	dirs, err := filepath.Glob(filepath.Join(golden.RepoRoot(t), "testdata", "projects", "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var paths []string
		for _, e := range entries {
			if compose.IsComposeName(e.Name()) {
				paths = append(paths, filepath.Join(dir, e.Name()))
			}
		}
		c := semanticCase{name: "project/" + filepath.Base(dir), dir: dir,
			files: compose.ProjectFiles(paths, func(string) bool { return false })}
		for _, p := range paths {
			c.docs = append(c.docs, loadFile(t, p))
		}
		cases = append(cases, c)
	}
	if len(dirs) == 0 {
		t.Error("testdata/projects holds no project")
	}
	for _, path := range golden.CorpusIfPresent(t) {
		cases = append(cases, semanticCase{name: filepath.Base(path), dir: filepath.Dir(path),
			docs: []*compose.Document{loadFile(t, path)}, files: map[string][]string{path: {path}}})
	}
	return cases
}

func loadFile(t *testing.T, path string) *compose.Document {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	d, err := compose.Load(path, src)
	if err != nil {
		t.Fatalf("Load(%s): %v", path, err)
	}
	return d
}

// run applies rule r alone to every file of the case, each with its
// project, and returns the outputs by path; nil when nothing changed.
func (c semanticCase) run(r *Rule, cfg *Config, unsafe bool) (map[string][]byte, error) {
	byPath := map[string]*compose.Document{}
	for _, d := range c.docs {
		byPath[d.Path] = d
	}
	opts := Options{Rules: []*Rule{r}, Config: cfg, UnsafeFixes: unsafe, Resolved: fakeResolutions(c.docs, cfg)}
	if r.ID == updateAvailableID {
		updateCfg := *cfg
		updateCfg.Images.Update = true
		opts.Config = &updateCfg
	}
	outs := map[string][]byte{}
	changed := false
	for _, d := range c.docs {
		opts.Project = nil
		for _, p := range c.files[d.Path] {
			opts.Project = append(opts.Project, byPath[p])
		}
		res, err := Run(d, opts)
		if err != nil {
			return nil, fmt.Errorf("Run(%s): %w", d.Path, err)
		}
		outs[d.Path] = res.Output
		changed = changed || res.Changed()
	}
	if !changed {
		return nil, nil
	}
	return outs, nil
}

// fakeResolutions answers every image of the docs as the registry could:
// a digest of its own and a precise tag, and a newer release, so that the
// image rules make their fixes without a registry.
func fakeResolutions(docs []*compose.Document, cfg *Config) Resolutions {
	res := Resolutions{}
	for _, d := range docs {
		for _, r := range ImageRefs(d, cfg) {
			if r.Skip != NotSkipped || r.Text == "" {
				continue
			}
			sum := sha256.Sum256([]byte(r.Text))
			digest := "sha256:" + hex.EncodeToString(sum[:])
			newer := sha256.Sum256([]byte(r.Text + " newer"))
			res[r.Text] = Resolution{Digest: digest, Tag: "9.9.9",
				Newer: []TagDigest{{Tag: "9.9.10", Digest: "sha256:" + hex.EncodeToString(newer[:])}}}
		}
	}
	return res
}

// model loads the case's input (outs nil) or the given outputs with
// compose-go, merged in project order, as a generic tree, under the first
// environment of composeGoEnvs that loads it; env is its index.
func (c semanticCase) model(outs map[string][]byte) (any, int, error) {
	var first error
	for i := range composeGoEnvs {
		m, err := c.modelWith(outs, i, c.required(outs))
		if err == nil {
			return m, i, nil
		}
		if first == nil {
			first = err
		}
	}
	return nil, 0, first
}

// required returns the variables that the input or the outputs require
// (${X:?...}), sorted. They get a typed placeholder: a user must set them,
// and with them set the meaning must be the same.
func (c semanticCase) required(outs map[string][]byte) []string {
	set := map[string]bool{}
	for _, d := range c.docs {
		for name := range requiredVariables(d) {
			set[name] = true
		}
		if out, ok := outs[d.Path]; ok {
			if od, err := compose.LoadWith(d.Path, out, compose.LoadOptions{AllowNonCompose: true}); err == nil {
				for name := range requiredVariables(od) {
					set[name] = true
				}
			}
		}
	}
	names := make([]string, 0, len(set))
	for n := range set {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// modelWith is model under environment env with the required variables
// set.
func (c semanticCase) modelWith(outs map[string][]byte, env int, required []string) (any, error) {
	isRequired := map[string]bool{}
	for _, n := range required {
		isRequired[n] = true
	}
	lookup := func(name string) (string, bool) {
		if v, ok := composeGoEnvs[env].lookup(name); ok {
			return v, true
		}
		if isRequired[name] {
			return typedPlaceholder(name)
		}
		return "", false
	}
	var models []any
	// Each distinct project of the case is loaded merged; a corpus file
	// is a project of one.
	seen := map[string]bool{}
	var groups [][]string
	for _, d := range c.docs {
		g := c.files[d.Path]
		if k := strings.Join(g, "\x00"); !seen[k] {
			seen[k] = true
			groups = append(groups, g)
		}
	}
	for _, g := range groups {
		details := types.ConfigDetails{WorkingDir: c.dir, Environment: types.Mapping{}}
		for _, p := range g {
			src := outs[p]
			if src == nil {
				for _, d := range c.docs {
					if d.Path == p {
						src = d.Src
					}
				}
			}
			details.ConfigFiles = append(details.ConfigFiles, types.ConfigFile{Filename: p, Content: src})
		}
		proj, err := loader.LoadWithContext(context.Background(), details, isolatedLoad(lookup))
		if err != nil {
			return nil, fmt.Errorf("loading %s: %w", strings.Join(g, " + "), err)
		}
		js, err := proj.MarshalJSON()
		if err != nil {
			return nil, err
		}
		var m any
		if err := json.Unmarshal(js, &m); err != nil {
			return nil, err
		}
		models = append(models, m)
	}
	return models, nil
}

// modelDiff returns the paths at which two generic trees differ: a key set
// on one side only (an added mapping is walked, so that each key it holds
// is a path), or a different scalar. Items appended to a sequence are
// reported as "+", items removed from its end as "-"; the first element of
// each path, the project's index, is dropped.
func modelDiff(a, b any) [][]string {
	var out [][]string
	var walk func(path []string, a, b any)
	sub := func(path []string, k string) []string { return append(append([]string(nil), path...), k) }
	walk = func(path []string, a, b any) {
		am, aMap := a.(map[string]any)
		bm, bMap := b.(map[string]any)
		as, aSeq := a.([]any)
		bs, bSeq := b.([]any)
		switch {
		case aMap && (bMap || b == nil), bMap && a == nil:
			keys := map[string]bool{}
			for k := range am {
				keys[k] = true
			}
			for k := range bm {
				keys[k] = true
			}
			sorted := make([]string, 0, len(keys))
			for k := range keys {
				sorted = append(sorted, k)
			}
			sort.Strings(sorted)
			for _, k := range sorted {
				walk(sub(path, k), am[k], bm[k])
			}
		case aSeq && (bSeq || b == nil), bSeq && a == nil:
			for i := 0; i < min(len(as), len(bs)); i++ {
				walk(sub(path, fmt.Sprint(i)), as[i], bs[i])
			}
			if len(bs) > len(as) {
				out = append(out, sub(path, "+"))
			} else if len(as) > len(bs) {
				out = append(out, sub(path, "-"))
			}
		case !reflect.DeepEqual(a, b):
			out = append(out, path)
		}
	}
	walk(nil, a, b)
	for i, p := range out {
		if len(p) > 0 {
			out[i] = p[1:] // drop the project index
		}
	}
	return out
}

// owned reports whether path lies under one of the patterns, and for a
// default ("+" pattern) whether before, the input's models, leaves the
// field unset.
func owned(patterns []string, path []string, before any) bool {
	for _, pat := range patterns {
		setsDefault := strings.HasPrefix(pat, "+")
		segs := strings.Split(strings.TrimPrefix(pat, "+"), ".")
		if len(path) < len(segs) {
			continue
		}
		match := true
		for i, s := range segs {
			switch {
			case s == "*":
			case strings.HasSuffix(s, "*"):
				match = match && strings.HasPrefix(path[i], strings.TrimSuffix(s, "*"))
			default:
				match = match && s == path[i]
			}
		}
		if match && setsDefault {
			for _, m := range before.([]any) {
				if valueAt(m, path[:len(segs)]) != nil {
					match = false // a written value, which a default must not replace
				}
			}
		}
		if match && segs[len(segs)-1] == "+" {
			// Items appended to a sequence a person wrote: a sequence that
			// was not there (a whole new command) is not an append.
			seq := false
			for _, m := range before.([]any) {
				if _, ok := valueAt(m, path[:len(segs)-1]).([]any); ok {
					seq = true
				}
			}
			match = seq
		}
		if match {
			return true
		}
	}
	return false
}

// valueAt returns the value at path in a generic tree, or nil.
func valueAt(tree any, path []string) any {
	for _, k := range path {
		m, ok := tree.(map[string]any)
		if !ok {
			return nil
		}
		tree = m[k]
	}
	return tree
}

// TestModelDiffOwned checks the harness's own comparison: a change outside
// the owned fields is caught, one inside is not.
func TestModelDiffOwned(t *testing.T) {
	before := []any{map[string]any{"services": map[string]any{"web": map[string]any{"image": "a", "restart": "always"}}, "x-logging": map[string]any{"driver": "local"}}}
	tests := []struct {
		name    string
		before  []any // nil: before
		after   any
		pattern []string
		want    []string // unowned changes
	}{
		{"same", nil, before, nil, nil},
		{"owned restart", nil, []any{map[string]any{"services": map[string]any{"web": map[string]any{"image": "a", "restart": "no"}}, "x-logging": map[string]any{"driver": "local"}}},
			[]string{"services.*.restart"}, nil},
		{"unowned restart", nil, []any{map[string]any{"services": map[string]any{"web": map[string]any{"image": "a", "restart": "no"}}, "x-logging": map[string]any{"driver": "local"}}},
			[]string{"services.*.image"}, []string{"services.web.restart"}},
		{"added key", nil, []any{map[string]any{"services": map[string]any{"web": map[string]any{"image": "a", "restart": "always", "logging": map[string]any{}}}, "x-logging": map[string]any{"driver": "json-file"}}},
			[]string{"services.*.logging"}, []string{"x-logging.driver"}},
		{"appended item", []any{map[string]any{"services": map[string]any{"web": map[string]any{"image": "a", "command": []any{"w"}}}}},
			[]any{map[string]any{"services": map[string]any{"web": map[string]any{"image": "a", "command": []any{"w", "x"}}}}},
			[]string{"services.*.command.+"}, nil},
		// A command where there was none replaces the image's: not an append.
		{"new sequence", nil, []any{map[string]any{"services": map[string]any{"web": map[string]any{"image": "a", "restart": "always", "command": []any{"x"}}}, "x-logging": map[string]any{"driver": "local"}}},
			[]string{"services.*.command.+"}, []string{"services.web.command.+"}},
		{"default replaces a written value", nil, []any{map[string]any{"services": map[string]any{"web": map[string]any{"image": "a", "restart": "no"}}, "x-logging": map[string]any{"driver": "local"}}},
			[]string{"+services.*.restart"}, []string{"services.web.restart"}},
		{"default sets an unset value", nil, []any{map[string]any{"services": map[string]any{"web": map[string]any{"image": "a", "restart": "always", "logging": map[string]any{"driver": "local"}}}, "x-logging": map[string]any{"driver": "local"}}},
			[]string{"+services.*.logging"}, nil},
		{"extension owned", nil, []any{map[string]any{"services": map[string]any{"web": map[string]any{"image": "a", "restart": "always"}}, "x-logging": map[string]any{"driver": "json-file"}}},
			[]string{"x-*"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := before
			if tt.before != nil {
				before = tt.before
			}
			var got []string
			for _, p := range modelDiff(before, tt.after) {
				if !owned(tt.pattern, p, before) {
					got = append(got, strings.Join(p, "."))
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("unowned changes = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestMergedValuesMatchComposeGo checks svc.value against the reference:
// for every file of every testdata project, the image, command and
// entrypoint rules read for a service are those of compose-go's merged
// model of the file's project.
func TestMergedValuesMatchComposeGo(t *testing.T) {
	cfg, cases := projectCases(t)
	for _, c := range cases {
		byPath := map[string]*compose.Document{}
		for _, d := range c.docs {
			byPath[d.Path] = d
		}
		for _, d := range c.docs {
			one := c
			one.docs = nil
			for _, p := range c.files[d.Path] {
				one.docs = append(one.docs, byPath[p])
			}
			one.files = map[string][]string{}
			for _, od := range one.docs {
				one.files[od.Path] = c.files[d.Path]
			}
			m, _, err := one.model(nil)
			if err != nil {
				t.Fatalf("%s: %v", d.Path, err)
			}
			services, _ := valueAt(m.([]any)[0], []string{"services"}).(map[string]any)
			p := &Pass{Document: d, Config: cfg, Project: one.docs}
			for _, s := range p.services() {
				want, _ := services[s.Name].(map[string]any)
				for _, key := range replacedKeys {
					var got any
					if v := s.value(key); v != nil {
						if key == "image" {
							got = v.Value
						} else {
							var list []any
							for _, w := range words(v) {
								list = append(list, w)
							}
							got = list
						}
					}
					if !reflect.DeepEqual(got, want[key]) {
						t.Errorf("%s: service %s: %s = %#v, compose-go merges %#v", d.Path, s.Name, key, got, want[key])
					}
				}
			}
		}
	}
}

// TestProjectsSettle runs every rule, unsafe fixes included, over each
// file of every testdata project, then again over the outputs: the second
// run changes nothing, in any file (a fix in one file must not make
// another file's fix due).
func TestProjectsSettle(t *testing.T) {
	cfg, cases := projectCases(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			outs := c.runAll(t, cfg)
			next := c
			next.docs = nil
			for _, d := range c.docs {
				nd, err := compose.Load(d.Path, outs[d.Path])
				if err != nil {
					t.Fatalf("reloading %s: %v", d.Path, err)
				}
				next.docs = append(next.docs, nd)
			}
			again := next.runAll(t, cfg)
			for _, d := range next.docs {
				if string(again[d.Path]) != string(d.Src) {
					t.Errorf("%s changed on a second run:\n%s", d.Path, again[d.Path])
				}
			}
		})
	}
}

// projectCases returns the default configuration and the semantic cases
// that are testdata projects (several files loaded together).
func projectCases(t *testing.T) (*Config, []semanticCase) {
	t.Helper()
	logrus.SetOutput(io.Discard) // compose-go's warnings are noise here
	cfg, err := withDefaults(Options{})
	if err != nil {
		t.Fatal(err)
	}
	return cfg.Config, semanticProjects(semanticCases(t))
}

// semanticProjects returns the cases that are testdata projects.
func semanticProjects(cases []semanticCase) []semanticCase {
	var out []semanticCase
	for _, c := range cases {
		if strings.HasPrefix(c.name, "project/") {
			out = append(out, c)
		}
	}
	return out
}

// runAll applies every rule, unsafe fixes included, to each file of the
// case with its project and returns the outputs by path.
func (c semanticCase) runAll(t *testing.T, cfg *Config) map[string][]byte {
	t.Helper()
	byPath := map[string]*compose.Document{}
	for _, d := range c.docs {
		byPath[d.Path] = d
	}
	outs := map[string][]byte{}
	for _, d := range c.docs {
		opts := Options{Rules: Rules(), Config: cfg, UnsafeFixes: true, Resolved: fakeResolutions(c.docs, cfg)}
		for _, p := range c.files[d.Path] {
			opts.Project = append(opts.Project, byPath[p])
		}
		res, err := Run(d, opts)
		if err != nil {
			t.Fatalf("Run(%s): %v", d.Path, err)
		}
		outs[d.Path] = res.Output
	}
	return outs
}
