package pipeline

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/envfile"
	"github.com/composefix/composefix/fixers"
	"github.com/composefix/composefix/report"
)

// envProject is one project directory's .env file: docker compose reads
// its variables to interpolate the compose files beside it.
type envProject struct {
	path   string
	file   *envfile.File // nil when err is set
	err    error
	digest [32]byte       // of the bytes read, checked again before writing
	cfg    *fixers.Config // the run's configuration with Images.Env set
}

// projectDirs returns each input's project directory, where docker compose
// reads its .env: for the -f files, ProjectDir or the first file's
// directory; for a file of a declared project, its first file's directory;
// otherwise the file's own (a base, its override and its overlays share
// one).
func projectDirs(o *Options, inputs []input) map[string]string {
	declared := map[string]string{} // absolute path -> its project's directory
	for _, g := range o.Projects {
		for _, f := range g {
			if abs, err := filepath.Abs(f); err == nil && declared[abs] == "" && len(g) > 0 {
				declared[abs] = filepath.Dir(g[0])
			}
		}
	}
	explicit := ""
	if len(o.ProjectFiles) > 0 {
		explicit = filepath.Dir(o.ProjectFiles[0])
		if o.ProjectDir != "" {
			explicit = o.ProjectDir
		}
	}
	out := make(map[string]string, len(inputs))
	for _, in := range inputs {
		dir := filepath.Dir(in.path)
		if abs, err := filepath.Abs(in.path); err == nil && declared[abs] != "" {
			dir = declared[abs]
		}
		if explicit != "" && slices.Contains(o.ProjectFiles, in.path) {
			dir = explicit
		}
		out[in.path] = filepath.Clean(dir)
	}
	return out
}

// envDir returns the directory whose .env the file at path reads.
func (o *Options) envDir(path string) string {
	if dir, ok := o.dirs[path]; ok {
		return dir
	}
	return filepath.Dir(path)
}

// loadEnvs reads the .env file of each project directory of a loaded
// compose file, when there is one.
func loadEnvs(o *Options, inputs []input) map[string]*envProject {
	out := map[string]*envProject{}
	for _, in := range inputs {
		dir := o.envDir(in.path)
		if _, seen := out[dir]; seen || in.doc == nil {
			continue
		}
		path := filepath.Join(dir, envfile.Name)
		// compose.ReadFile refuses a named pipe without blocking the run.
		src, err := compose.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			out[dir] = nil
			continue
		}
		e := &envProject{path: path}
		if err != nil {
			e.err = err
		} else {
			e.digest = sha256.Sum256(src)
			e.file, e.err = envfile.Parse(path, src)
		}
		if e.file != nil && o.Fixers != nil {
			cfg := *o.Fixers
			cfg.Images.Env = e.file.Vars
			e.cfg = &cfg
		}
		out[dir] = e
	}
	return out
}

// configFor returns the configuration the file at path is fixed with: the
// run's, with its project's .env variables when there is a .env file.
func (o *Options) configFor(path string) *fixers.Config {
	if e := o.envs[o.envDir(path)]; e != nil && e.cfg != nil {
		return e.cfg
	}
	return o.Fixers
}

// envResult is a .env file's result: its findings, its edited bytes, and
// the updates they make.
type envResult struct {
	File
	digest  [32]byte
	cfg     *fixers.Config
	updates []Update
}

// envChoice is what one image wants its .env variable to hold.
type envChoice struct {
	ref     fixers.ImageRef
	path    string // the compose file
	value   string // the new value; the current one when nothing changes
	ruleID  string
	title   string
	message string
	update  *Update
}

// fixEnvs pins or updates, in each project's .env file, the variables
// that hold images (CF001 pins them, CF004 bumps them, as in compose
// files). A variable changes only when every image using it agrees on its
// new value; otherwise it is a finding and stays as it is.
func fixEnvs(o *Options, c *contextLoader, inputs []input, resolved fixers.Resolutions) []envResult {
	dirs := make([]string, 0, len(o.envs))
	for dir, e := range o.envs {
		if e != nil {
			dirs = append(dirs, dir)
		}
	}
	sort.Strings(dirs)
	selected := map[string]bool{}
	for _, r := range o.Rules {
		selected[r.ID] = true
	}
	var out []envResult
	for _, dir := range dirs {
		e := o.envs[dir]
		if e.err != nil {
			if usesEnv(o, inputs, dir) {
				out = append(out, envResult{File: File{File: report.File{Path: e.path, Err: e.err}}})
			}
			continue
		}
		choices := envChoices(o, c, e, inputs, dir, resolved, selected)
		if len(choices) == 0 {
			continue
		}
		out = append(out, fixEnv(e, choices))
	}
	return out
}

// usesEnv reports whether a compose file reading dir's .env interpolates a
// variable.
func usesEnv(o *Options, inputs []input, dir string) bool {
	for _, in := range inputs {
		if in.doc != nil && o.envDir(in.path) == dir && strings.Contains(string(in.src), "$") {
			return true
		}
	}
	return false
}

// envUsers returns the compose files that read dir's .env: the inputs
// whose project directory it is, then the other compose files of dir, read
// as context. docker
// compose reads .env for each of them, whichever ones composefix was given
// (a pre-commit hook passes only the staged files), so a value that suits
// the inputs alone may break another file. A context file's image that was
// not resolved keeps its variable's value, so it blocks a change it cannot
// agree with. Context files come from c, which has read a base or overlay
// the projects needed already.
func envUsers(o *Options, c *contextLoader, inputs []input, dir string) []input {
	var out []input
	given := map[string]bool{}
	for _, in := range inputs {
		if abs, err := filepath.Abs(in.path); err == nil {
			given[abs] = true // a given file reads its own project's .env
		}
		if o.envDir(in.path) == dir && in.doc != nil {
			out = append(out, in)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, de := range entries {
		path := filepath.Join(dir, de.Name())
		abs, err := filepath.Abs(path)
		if !compose.IsComposeName(de.Name()) || err != nil || given[abs] {
			continue
		}
		if d := c.load(path, false); d != nil {
			out = append(out, input{path: path, src: d.Src, doc: d})
		}
	}
	return out
}

// envChoices lists, for each image of dir's compose files read from .env,
// the value its variable should hold.
func envChoices(o *Options, c *contextLoader, e *envProject, inputs []input, dir string, resolved fixers.Resolutions, selected map[string]bool) []envChoice {
	cfg := e.cfg
	var out []envChoice
	for _, in := range envUsers(o, c, inputs, dir) {
		for _, r := range fixers.ImageRefs(in.doc, cfg) {
			if r.EnvVar == "" || r.Skip != fixers.NotSkipped {
				continue
			}
			c := envChoice{ref: r, path: in.path, value: e.file.Vars[r.EnvVar]}
			res, ok := resolved[r.Text]
			if !ok || res.Err != nil {
				// CF003 reports it at the image; unchecked, it keeps the
				// variable as it is.
				out = append(out, c)
				continue
			}
			switch {
			case cfg.Images.Update && !r.Floating() && selected["CF004"]:
				if tag, digest, ok := planBump(r, res, cfg.Pin); ok {
					u := newUpdate(e.path, r, res, tag, digest)
					c.value, c.ruleID, c.update = r.EnvValue(tag, digest), "CF004", &u
					if tag != r.Tag {
						c.title = fmt.Sprintf("Update %s to %s", r.Text, tag)
						c.message = fmt.Sprintf("image %q (%s in %s) has a newer release %q", r.Text, r.EnvVar, DiffPath(in.path), tag)
					} else {
						c.title = fmt.Sprintf("Update the digest of %s:%s", r.Name, r.Tag)
						c.message = fmt.Sprintf("image %q (%s in %s) pins digest %s, but tag %q now points at %s", r.Text, r.EnvVar, DiffPath(in.path), shortDigest(r.Digest), r.Tag, shortDigest(res.Digest))
					}
				}
			case (!cfg.Images.Update || cfg.Images.PinFloating && r.Floating()) && selected["CF001"] && r.Digest == "":
				if pin, ok := fixers.PlanPin(r, res, cfg.Pin); ok {
					c.setPin("CF001", pin, in.path)
				}
			case !cfg.Images.Update && selected["CF002"] && r.Digest != "":
				if pin, ok := fixers.PlanStaleDigest(r, res, cfg.Pin); ok {
					c.setPin("CF002", pin, in.path)
				}
			}
			out = append(out, c)
		}
	}
	return out
}

// setPin makes c the pin rule id plans for its image in the compose file
// at path.
func (c *envChoice) setPin(id string, pin fixers.PinPlan, path string) {
	c.value, c.ruleID, c.title = c.ref.EnvValue(pin.Tag, pin.Digest), id, pin.Title
	c.message = fmt.Sprintf("%s (%s in %s)", pin.Message, c.ref.EnvVar, DiffPath(path))
}

// fixEnv applies the agreed changes to one .env file and reports the
// rest.
func fixEnv(e *envProject, choices []envChoice) envResult {
	res := envResult{File: File{File: report.File{Path: e.path, Original: e.file.Src, Output: e.file.Src}}, digest: e.digest, cfg: e.cfg}
	byVar := map[string][]envChoice{}
	for _, c := range choices {
		byVar[c.ref.EnvVar] = append(byVar[c.ref.EnvVar], c)
	}
	names := slices.Sorted(maps.Keys(byVar))
	var edits []compose.Edit
	want := map[string]string{}
	for _, name := range names {
		cs := byVar[name]
		a, _ := e.file.Lookup(name)
		span := a.Value
		values := map[string]bool{}
		for _, c := range cs {
			values[c.value] = true
		}
		changing := slices.IndexFunc(cs, func(c envChoice) bool { return c.ruleID != "" })
		if changing < 0 {
			continue
		}
		if len(values) > 1 {
			var who []string
			for _, c := range cs {
				who = append(who, fmt.Sprintf("%s in %s wants %q", c.ref.Node.Value, DiffPath(c.path), c.value))
			}
			res.Findings = append(res.Findings, envFinding(e, cs[changing].ruleID, span, fixers.Warning,
				fmt.Sprintf("variable %s is used by images that do not agree on its value (%s); left as is", name, strings.Join(who, "; ")), nil))
			continue
		}
		c := cs[changing]
		edit, err := e.file.Set(name, c.value)
		if err != nil {
			// The finding is at the variable already: keep the reason only.
			reason := err.Error()
			if pe := (*compose.PosError)(nil); errors.As(err, &pe) {
				reason = pe.Msg
			}
			res.Findings = append(res.Findings, envFinding(e, c.ruleID, span, fixers.Warning,
				fmt.Sprintf("%s; but %s", c.message, reason), nil))
			continue
		}
		edits = append(edits, edit)
		want[name] = c.value
		fd := envFinding(e, c.ruleID, span, ruleSeverity(c.ruleID), c.message, &fixers.Fix{Title: c.title, Safety: fixers.Safe, Change: compose.Change{Edits: []compose.Edit{edit}}})
		res.Findings = append(res.Findings, fd)
		for _, c := range cs {
			if c.update != nil {
				res.updates = append(res.updates, *c.update)
			}
		}
	}
	if len(edits) == 0 {
		return res
	}
	compose.SortEdits(edits)
	out, err := e.file.Apply(edits, want)
	if err != nil {
		res.Err = err
		res.updates = nil
		return res
	}
	res.Output, res.Regions = out, compose.ComposeRegions(nil, edits)
	for i := range res.Findings {
		if res.Findings[i].Fix != nil {
			res.Findings[i].Applied = true
		}
	}
	return res
}

// ruleSeverity is the severity of rule id's findings.
func ruleSeverity(id string) fixers.Severity {
	for _, r := range fixers.Rules() {
		if r.ID == id {
			return r.Severity
		}
	}
	return fixers.Info
}

// envFinding is a finding of rule id at span of a .env file.
func envFinding(e *envProject, id string, span compose.Span, sev fixers.Severity, msg string, fix *fixers.Fix) fixers.Finding {
	a, b := envfile.Pos(e.file.Src, span.Start), envfile.Pos(e.file.Src, span.End)
	return fixers.Finding{RuleID: id, Severity: sev, Path: e.path, Span: span, Pos: a, End: b, Message: msg, Fix: fix}
}
