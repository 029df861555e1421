package pipeline

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"syscall"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/fixers"
)

// grouping says which files each input is merged with, in merge order:
// the -f files form one project; a file named in a declared project gets
// that project; any other file gets the files docker compose merges it
// with (compose.ProjectFiles: an override or a named overlay after its
// base, a base before its override). It holds paths only: the documents
// are loaded file by file (grouping.project), so that a run keeps the
// trees of the projects being fixed, not of every file.
type grouping struct {
	wd         workDir
	groups     map[string][]string // input path -> the files merged with it, in order; none: itself alone
	explicit   map[string]bool     // the -f files
	inDeclared map[string][]string // absolute path -> its declared project
	onDisk     func(string) bool
	overlays   *dirOverlays
}

// dirOverlays lists, once per directory for the run, the entries named
// like an overlay (compose.<name>.yaml): every base looks for its overlays
// in its directory, and a run of many files in one directory listed it
// once per file (53 listings of 53 entries, about 5% of the corpus run).
// Projects are fixed concurrently, hence the lock.
type dirOverlays struct {
	mu    sync.Mutex
	byDir map[string][]string // directory -> its overlay-named paths, in name order
}

func (o *dirOverlays) in(dir string) []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	if paths, ok := o.byDir[dir]; ok {
		return paths
	}
	entries, _ := os.ReadDir(dir)
	var paths []string
	for _, e := range entries {
		if path := filepath.Join(dir, e.Name()); compose.IsComposeName(e.Name()) && compose.IsOverlay(path) {
			paths = append(paths, path)
		}
	}
	o.byDir[dir] = paths
	return paths
}

// newGrouping groups the loaded inputs, given by path.
func newGrouping(wd workDir, projectFiles []string, declared [][]string, ignored func(string) bool, paths []string) *grouping {
	g := &grouping{wd: wd, groups: map[string][]string{}, explicit: map[string]bool{}, inDeclared: map[string][]string{},
		overlays: &dirOverlays{byDir: map[string][]string{}}}
	for _, f := range projectFiles {
		g.explicit[f] = true
		g.groups[f] = projectFiles
	}
	for _, d := range declared {
		for _, f := range d {
			if abs, err := g.wd.abs(f); err == nil && g.inDeclared[abs] == nil {
				g.inDeclared[abs] = d
			}
		}
	}
	var rest []string
	for _, p := range paths {
		if g.explicit[p] {
			continue
		}
		if abs, err := g.wd.abs(p); err == nil && g.inDeclared[abs] != nil {
			g.groups[p] = g.inDeclared[abs]
			continue
		}
		rest = append(rest, p)
	}
	g.onDisk = func(path string) bool { return onDiskFile(path) && (ignored == nil || !ignored(path)) }
	for p, files := range compose.ProjectFiles(rest, g.onDisk) {
		if len(files) != 1 || files[0] != p {
			g.groups[p] = files // most files are alone: kept short for a run of many
		}
	}
	return g
}

// files returns the files the input at p is merged with, in order.
func (g *grouping) files(p string) []string {
	if files, ok := g.groups[p]; ok {
		return files
	}
	return []string{p}
}

// project returns the documents the input at p is analysed with, loaded
// through c, in merge order. A base or override that was not given is
// read from disk as context: it tells the rules what the project sets and
// which file defines a service, and is never fixed. Files reached through
// include: or extends: file: come last, as context too.
//
// A file merged after one that cannot be loaded gets an error instead:
// without the earlier file, the rules cannot tell which services it only
// adjusts, and a default added there would replace the earlier file's
// value.
func (g *grouping) project(c *contextLoader, p string) (project, error) {
	files := g.files(p)
	if err := c.earlierFailed(files, p); err != nil {
		return project{}, err
	}
	var docs []*compose.Document
	seen := map[*compose.Document]bool{}
	add := func(d *compose.Document) {
		if d != nil && !seen[d] {
			seen[d] = true
			docs = append(docs, d)
		}
	}
	for _, f := range files {
		add(c.load(f, false))
	}
	merged := len(docs)
	for _, f := range files {
		if d := c.load(f, false); d != nil {
			for _, r := range c.references(d) {
				add(r)
			}
		}
	}
	pr := project{docs: docs, merged: merged, unloaded: c.unloaded(c.load(p, false))}
	if !g.explicit[p] && !compose.IsOverlay(p) {
		if abs, err := g.wd.abs(p); err == nil && g.inDeclared[abs] == nil {
			pr.overlays = c.overlaysOf(p, files, g.overlays.in(filepath.Dir(p)), g.onDisk, g.inDeclared)
		}
	}
	return pr, nil
}

// groupErrs returns, by input path, the error of each loaded input merged
// after a file that cannot be loaded (see project), the inputs that
// failed being failed. It keeps only whether each file loads.
//
// paths, the inputs that loaded, are taken as loading: the first pass has
// just parsed each, and parsing them again here only to learn that was a
// second parse of every base merged before another input. Only a file that
// is no input is read. The second pass's project checks again, on the
// bytes it analyses.
func (g *grouping) groupErrs(failed map[string]error, paths []string) map[string]error {
	c := newContextLoader(g.wd, nil, failed)
	c.light = &compose.Document{}
	for _, p := range paths {
		if abs, err := g.wd.abs(p); err == nil {
			c.loaded[abs] = c.light
		}
	}
	errs := map[string]error{}
	for _, p := range paths {
		if err := c.earlierFailed(g.files(p), p); err != nil {
			errs[p] = err
		}
	}
	return errs
}

// overlaysOf returns the named overlays of base among candidates (the
// overlay-named files of its directory), loaded: the compose.<name>.yaml
// files whose base it is, outside its own group (its override) and outside
// declared projects. A file that cannot be loaded is left out.
func (c *contextLoader) overlaysOf(base string, group, candidates []string, onDisk func(string) bool, inDeclared map[string][]string) []*compose.Document {
	absBase, err := c.wd.abs(base)
	if err != nil {
		return nil
	}
	inGroup := map[string]bool{}
	for _, f := range group {
		if abs, err := c.wd.abs(f); err == nil {
			inGroup[abs] = true
		}
	}
	var out []*compose.Document
	for _, path := range candidates {
		abs, err := c.wd.abs(path)
		if err != nil || inGroup[abs] || inDeclared[abs] != nil || !onDisk(path) {
			continue
		}
		g := compose.ProjectFiles([]string{path}, onDisk)[path]
		if len(g) != 2 {
			continue
		}
		if b, err := c.wd.abs(g[0]); err != nil || b != absBase {
			continue
		}
		if d := c.load(path, false); d != nil {
			out = append(out, d)
		}
	}
	return out
}

// earlierFailed returns an error naming the first file of group merged
// before p that cannot be loaded; nil when all load.
func (c *contextLoader) earlierFailed(group []string, p string) error {
	self, _ := c.wd.abs(p)
	for _, f := range group {
		if abs, err := c.wd.abs(f); err == nil && abs == self {
			return nil
		}
		if c.load(f, false) == nil {
			var err error
			if abs, e := c.wd.abs(f); e == nil {
				err = c.errs[abs]
			}
			return &compose.PosError{Path: p, Msg: fmt.Sprintf("not analysed: %s, merged before it, cannot be loaded", f), Err: err}
		}
	}
	return nil
}

// project is the documents a file is analysed with, in merge order: the
// first merged are those docker compose merges into one model, the rest
// context reached through include: or extends: file:.
type project struct {
	docs   []*compose.Document
	merged int
	// overlays are the named overlays of a base (compose.prod.yaml beside
	// compose.yaml), merged over it only when asked: not part of its
	// project, but what they run decides some of its defaults.
	overlays []*compose.Document
	// unloaded holds the files the analysed document itself names in
	// include: (with an entry's env_file) or extends: file: that cannot be
	// loaded, by compose.Reference.Key, with why (fixers.Options.Unloaded).
	unloaded map[string]error
}

// onDiskFile reports whether a file (not a directory) is at path. A named
// pipe counts: a base that cannot be read must keep its overlay from being
// taken for a file of its own (compose.ReadFile then refuses it without
// blocking).
func onDiskFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir()
}

// maxReferenceDepth bounds how far include: and extends: file: chains are
// followed.
const maxReferenceDepth = 8

// contextLoader gives the documents of a run by path: the inputs as
// loaded, and other files (a base not given, included or extended files)
// read once each as context. A file that cannot be read or loaded is
// skipped, since docker compose itself reports it.
type contextLoader struct {
	wd     workDir
	loaded map[string]*compose.Document // absolute path -> document; nil: failed
	errs   map[string]error             // absolute path -> why it failed
	failed map[string]error             // absolute path -> the error of an input that failed (shared, read only)
	// first, when set, gives an input of the run as the first pass read
	// it (firstRead.asRead); changed is the first input it could not so
	// give, which the file being analysed must not be analysed without.
	first   *firstRead
	changed error
	// light is set for a loader that is only asked whether files load:
	// it keeps no tree, and gives a placeholder for a file that loads.
	light *compose.Document
}

// newContextLoader returns a loader that gives doc for its own path, and
// for an input in failed (by absolute path) its error: an input that
// failed is not read again, its error stands.
func newContextLoader(wd workDir, doc *compose.Document, failed map[string]error) *contextLoader {
	c := &contextLoader{wd: wd, loaded: map[string]*compose.Document{}, errs: map[string]error{}, failed: failed}
	if doc != nil {
		if abs, err := wd.abs(doc.Path); err == nil {
			c.loaded[abs] = doc
		}
	}
	return c
}

// load returns the document at path; fragment allows a file without
// services (an included or extended file may hold only what it is
// reached for).
func (c *contextLoader) load(path string, fragment bool) *compose.Document {
	abs, err := c.wd.abs(path)
	if err != nil {
		return nil
	}
	if d, ok := c.loaded[abs]; ok {
		return d
	}
	c.loaded[abs] = nil // a failed load is not retried
	if err, ok := c.failed[abs]; ok {
		c.errs[abs] = err
		return nil
	}
	src, err := compose.ReadFile(path)
	if err == nil && c.first != nil {
		if src, err = c.first.asRead(abs, path, src); err != nil && c.changed == nil {
			c.changed = err
		}
	}
	if err != nil {
		c.errs[abs] = err
		return nil
	}
	d, err := compose.LoadWith(path, src, compose.LoadOptions{AllowNonCompose: fragment})
	if err != nil {
		c.errs[abs] = err
		return nil
	}
	if c.light != nil {
		d = c.light
	}
	c.loaded[abs] = d
	return d
}

// references returns the files d reaches through include: and extends:
// file:, transitively, each once.
func (c *contextLoader) references(d *compose.Document) []*compose.Document {
	var docs []*compose.Document
	seen := map[*compose.Document]bool{d: true}
	frontier := []*compose.Document{d}
	for depth := 0; depth < maxReferenceDepth && len(frontier) > 0; depth++ {
		var next []*compose.Document
		for _, d := range frontier {
			for _, ref := range d.References() {
				if r := c.load(ref, true); r != nil && !seen[r] {
					seen[r] = true
					docs = append(docs, r)
					next = append(next, r)
				}
			}
		}
		frontier = next
	}
	return docs
}

// unloaded returns the files d references directly (an include entry's
// env_file too) that c cannot load, with why, by compose.Reference.Key;
// nil when all load. A file included that loads but reaches, through its
// own include: or extends: file:, a file that does not, gets a
// *fixers.ReachedError: docker compose loads every file an include
// reaches. The compose files were loaded (or failed) already, by
// references: none is read again; an env file is only opened.
func (c *contextLoader) unloaded(d *compose.Document) map[string]error {
	if d == nil {
		return nil
	}
	var out map[string]error
	for _, ref := range d.ReferenceNodes() {
		err := c.refErr(ref)
		if err == nil && followed(ref) {
			err = c.reachedErr(c.load(ref.Path, true), map[string]bool{ref.Key(): true}, 1)
		}
		if err != nil {
			if out == nil {
				out = map[string]error{}
			}
			out[ref.Key()] = err
		}
	}
	return out
}

// followed reports whether the references of the file ref names are
// checked too. An extended file is read for one service's chain only, and
// an include setting project_directory (or a path list's later file)
// resolves the included file's paths from another directory: neither is
// followed; an env file names no other.
func followed(ref compose.Reference) bool {
	return !ref.Extends && !ref.ProjectDirectory && !ref.EnvFile
}

// refErr returns why the file ref names cannot be read as compose reads
// it; nil when it can.
func (c *contextLoader) refErr(ref compose.Reference) error {
	if ref.EnvFile {
		return envFileErr(ref.Path)
	}
	return c.loadErr(ref.Path)
}

// envFileErr returns why compose cannot read an include entry's env_file
// at path: it is missing, a directory or unreadable; nil otherwise. Its
// content is not checked, and a special file (a named pipe) is not opened,
// which could block.
func envFileErr(path string) error {
	st, err := os.Stat(path)
	switch {
	case err != nil:
		return err
	case st.IsDir():
		return &fs.PathError{Op: "read", Path: path, Err: syscall.EISDIR}
	case !st.Mode().IsRegular():
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	return f.Close()
}

// loadErr returns why c cannot load path; nil when it loads (or when its
// failure is unknown, or composefix's own limit: compose may load it).
func (c *contextLoader) loadErr(path string) error {
	if c.load(path, true) != nil {
		return nil
	}
	abs, err := c.wd.abs(path)
	if err != nil {
		return nil
	}
	var pe *compose.PosError
	if err := c.errs[abs]; !errors.As(err, &pe) || !pe.Unsupported {
		return err
	}
	return nil
}

// reachedErr returns a *fixers.ReachedError for the first file that d, an
// included file depth includes away, reaches and that cannot be loaded;
// nil when all load.
func (c *contextLoader) reachedErr(d *compose.Document, seen map[string]bool, depth int) error {
	if d == nil || depth >= maxReferenceDepth {
		return nil
	}
	for _, ref := range d.ReferenceNodes() {
		if ref.EnvFile && depth > 1 {
			// compose-go (v2.16) takes the env_file of a file included
			// two includes away or more from its includer's directory
			// relative to the includer's includer, not from its own: a
			// file composefix finds missing may be one compose finds.
			continue
		}
		if seen[ref.Key()] {
			continue
		}
		seen[ref.Key()] = true
		if err := c.refErr(ref); err != nil {
			return &fixers.ReachedError{Path: ref.Path, Err: err}
		}
		if followed(ref) {
			if err := c.reachedErr(c.load(ref.Path, true), seen, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// unwrapPath is err without the path (os.PathError) or the two paths of
// a rename or link (os.LinkError) it names, for a message that names the
// file itself, once.
func unwrapPath(err error) error {
	var pe *os.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe):
		return pe.Err
	case errors.As(err, &le):
		return le.Err
	}
	return err
}
