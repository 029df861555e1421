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
func projectDirs(o *Options, paths []string) map[string]string {
	declared := map[string]string{} // absolute path -> its project's directory
	for _, g := range o.Projects {
		for _, f := range g {
			if abs, err := o.wd.abs(f); err == nil && declared[abs] == "" && len(g) > 0 {
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
	out := map[string]string{}
	for _, path := range paths {
		dir := filepath.Dir(path)
		if abs, err := o.wd.abs(path); err == nil && declared[abs] != "" {
			dir = declared[abs]
		}
		if explicit != "" && slices.Contains(o.ProjectFiles, path) {
			dir = explicit
		}
		if dir = filepath.Clean(dir); dir != filepath.Dir(path) {
			out[path] = dir // the others are their own directory (envDir)
		}
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

// loadEnv reads the .env file of a project directory; nil when there is
// none.
func loadEnv(o *Options, dir string) *envProject {
	path := filepath.Join(dir, envfile.Name)
	// compose.ReadFile refuses a named pipe without blocking the run.
	src, err := compose.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
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
	return e
}

// config is the configuration a compose file of e's directory is fixed
// with: the run's, with e's variables when e has been read.
func (e *envProject) config(run *fixers.Config) *fixers.Config {
	if e != nil && e.cfg != nil {
		return e.cfg
	}
	return run
}

// configFor returns the configuration the file at path is fixed with: the
// run's, with its project's .env variables when there is a .env file.
func (o *Options) configFor(path string) *fixers.Config {
	return o.envs[o.envDir(path)].config(o.Fixers)
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
	shown   string // the compose file, as messages name it
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
func fixEnvs(o *Options, inputs []input, resolved fixers.Resolutions) []envResult {
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
	given := map[string]bool{}
	for _, in := range inputs {
		if abs, err := o.wd.abs(in.path); err == nil {
			given[abs] = true // a given file reads its own project's .env
		}
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
		choices := envChoices(o.wd, e, envUsers(o, inputs, given, dir), resolved, selected)
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
		if in.err == nil && o.envDir(in.path) == dir && in.dollar {
			return true
		}
	}
	return false
}

// envUser is a compose file that reads a .env file, and its images read
// from the file's variables.
type envUser struct {
	path string
	refs []fixers.ImageRef
}

// envUsers returns the compose files that read dir's .env: the inputs
// whose project directory it is, then the other compose files of dir, read
// as context (given holds the inputs' absolute paths). docker compose
// reads .env for each of them, whichever ones composefix was given (a
// pre-commit hook passes only the staged files), so a value that suits
// the inputs alone may break another file. A context file's image that
// was not resolved keeps its variable's value, so it blocks a change it
// cannot agree with. The inputs' images were listed by the run's first
// pass; a context file is loaded here, and let go once its images are
// listed.
func envUsers(o *Options, inputs []input, given map[string]bool, dir string) []envUser {
	var out []envUser
	for _, in := range inputs {
		if o.envDir(in.path) == dir && in.err == nil {
			out = append(out, envUser{path: in.path, refs: in.envRefs})
		}
	}
	e := o.envs[dir]
	c := newContextLoader(o.wd, nil, nil)
	entries, _ := os.ReadDir(dir)
	for _, de := range entries {
		if !compose.IsComposeName(de.Name()) {
			continue // by name alone, without filepath.Abs's system calls
		}
		path := filepath.Join(dir, de.Name())
		if abs, err := o.wd.abs(path); err != nil || given[abs] {
			continue
		}
		if d := c.load(path, false); d != nil {
			out = append(out, envUser{path: path, refs: envRefs(d, e.config(o.Fixers))})
		}
	}
	return out
}

// envRefs returns d's images that are read from .env variables.
func envRefs(d *compose.Document, cfg *fixers.Config) []fixers.ImageRef {
	var out []fixers.ImageRef
	for _, r := range fixers.ImageRefs(d, cfg) {
		if r.EnvVar != "" && r.Skip == fixers.NotSkipped {
			out = append(out, r)
		}
	}
	return out
}

// envChoices lists, for each image of dir's compose files read from .env,
// the value its variable should hold. Messages name the files relative to
// wd, the run's working directory.
func envChoices(wd workDir, e *envProject, users []envUser, resolved fixers.Resolutions, selected map[string]bool) []envChoice {
	cfg := e.cfg
	var out []envChoice
	for _, in := range users {
		shown := wd.diffPath(in.path)
		for _, r := range in.refs {
			c := envChoice{ref: r, shown: shown, value: e.file.Vars[r.EnvVar]}
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
					u := newUpdate(wd.diffPath(e.path), r, res, tag, digest)
					c.value, c.ruleID, c.update = r.EnvValue(tag, digest), "CF004", &u
					if tag != r.Tag {
						c.title = fmt.Sprintf("Update %s to %s", r.Text, tag)
						c.message = fmt.Sprintf("image %q (%s in %s) has a newer release %q", r.Text, r.EnvVar, shown, tag)
					} else {
						c.title = fmt.Sprintf("Update the digest of %s:%s", r.Name, r.Tag)
						c.message = fmt.Sprintf("image %q (%s in %s) pins digest %s, but tag %q now points at %s", r.Text, r.EnvVar, shown, shortDigest(r.Digest), r.Tag, shortDigest(res.Digest))
					}
				}
			case (!cfg.Images.Update || cfg.Images.PinFloating && r.Floating()) && selected["CF001"] && r.Digest == "":
				if pin, ok := fixers.PlanPin(r, res, cfg.Pin); ok {
					c.setPin("CF001", pin)
				}
			case !cfg.Images.Update && selected["CF002"] && r.Digest != "":
				if pin, ok := fixers.PlanStaleDigest(r, res, cfg.Pin); ok {
					c.setPin("CF002", pin)
				}
			}
			out = append(out, c)
		}
	}
	return out
}

// setPin makes c the pin rule id plans for its image.
func (c *envChoice) setPin(id string, pin fixers.PinPlan) {
	c.value, c.ruleID, c.title = c.ref.EnvValue(pin.Tag, pin.Digest), id, pin.Title
	c.message = fmt.Sprintf("%s (%s in %s)", pin.Message, c.ref.EnvVar, c.shown)
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
				who = append(who, fmt.Sprintf("%s in %s wants %q", c.ref.Node.Value, c.shown, c.value))
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

// envFinding is a finding of rule id at span of a .env file. A severity
// the configuration gives the rule wins, as it does for the rule's
// findings in compose files (fixers' driver).
func envFinding(e *envProject, id string, span compose.Span, sev fixers.Severity, msg string, fix *fixers.Fix) fixers.Finding {
	if e.cfg != nil {
		if s, ok := e.cfg.Severity[id]; ok {
			sev = s
		}
	}
	a, b := envfile.Pos(e.file.Src, span.Start), envfile.Pos(e.file.Src, span.End)
	return fixers.Finding{RuleID: id, Severity: sev, Path: e.path, Span: span, Pos: a, End: b, Message: msg, Fix: fix}
}
