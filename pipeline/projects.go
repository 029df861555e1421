package pipeline

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/composefix/composefix/compose"
)

// projects maps each loaded file to the documents of its project, in merge
// order: the -f files form one project; a file named in a declared project
// gets that project; any other file gets the files docker compose merges
// it with (compose.ProjectFiles: an override or a named overlay after its
// base, a base before its override). A base or
// override that was not given is read from disk as context: it tells the
// rules what the project sets and which file defines a service, and is
// never fixed. Files reached through include: or extends: file: come last,
// as context too.
//
// A file merged after one that cannot be loaded gets an error instead:
// without the earlier file, the rules cannot tell which services it only
// adjusts, and a default added there would replace the earlier file's
// value.
//
// ctx is the run's context loader (newContextLoader(inputs)), shared with
// fixEnvs so that a file read as context is read once.
func projects(ctx *contextLoader, projectFiles []string, declared [][]string, ignored func(string) bool, inputs []input) (map[string]project, map[string]error) {
	var paths []string
	for _, in := range inputs {
		if in.doc != nil {
			paths = append(paths, in.path)
		}
	}
	groups := map[string][]string{}
	explicit := map[string]bool{}
	for _, f := range projectFiles {
		explicit[f] = true
		groups[f] = projectFiles
	}
	inDeclared := map[string][]string{} // absolute path -> its declared project
	for _, g := range declared {
		for _, f := range g {
			if abs, err := filepath.Abs(f); err == nil && inDeclared[abs] == nil {
				inDeclared[abs] = g
			}
		}
	}
	var rest []string
	for _, p := range paths {
		if explicit[p] {
			continue
		}
		if abs, err := filepath.Abs(p); err == nil && inDeclared[abs] != nil {
			groups[p] = inDeclared[abs]
			continue
		}
		rest = append(rest, p)
	}
	onDisk := func(path string) bool { return onDiskFile(path) && (ignored == nil || !ignored(path)) }
	for p, g := range compose.ProjectFiles(rest, onDisk) {
		groups[p] = g
	}
	out := map[string]project{}
	errs := map[string]error{}
	for _, p := range paths {
		if err := ctx.earlierFailed(groups[p], p); err != nil {
			errs[p] = err
			continue
		}
		var docs []*compose.Document
		seen := map[*compose.Document]bool{}
		add := func(d *compose.Document) {
			if d != nil && !seen[d] {
				seen[d] = true
				docs = append(docs, d)
			}
		}
		g := groups[p]
		for _, f := range g {
			add(ctx.load(f, false))
		}
		merged := len(docs)
		for _, f := range g {
			if d := ctx.load(f, false); d != nil {
				for _, r := range ctx.references(d) {
					add(r)
				}
			}
		}
		pr := project{docs: docs, merged: merged}
		if !explicit[p] && !compose.IsOverlay(p) {
			if abs, err := filepath.Abs(p); err == nil && inDeclared[abs] == nil {
				pr.overlays = ctx.overlaysOf(p, g, onDisk, inDeclared)
			}
		}
		out[p] = pr
	}
	return out, errs
}

// overlaysOf returns the named overlays of base in its directory, loaded:
// the compose.<name>.yaml files whose base it is, outside its own group
// (its override) and outside declared projects. A file that cannot be
// loaded is left out.
func (c *contextLoader) overlaysOf(base string, group []string, onDisk func(string) bool, inDeclared map[string][]string) []*compose.Document {
	dir := filepath.Dir(base)
	absBase, err := filepath.Abs(base)
	if err != nil {
		return nil
	}
	inGroup := map[string]bool{}
	for _, f := range group {
		if abs, err := filepath.Abs(f); err == nil {
			inGroup[abs] = true
		}
	}
	entries, _ := os.ReadDir(dir)
	var out []*compose.Document
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		abs, err := filepath.Abs(path)
		if err != nil || inGroup[abs] || inDeclared[abs] != nil || !compose.IsComposeName(e.Name()) || !compose.IsOverlay(path) || !onDisk(path) {
			continue
		}
		g := compose.ProjectFiles([]string{path}, onDisk)[path]
		if len(g) != 2 {
			continue
		}
		if b, err := filepath.Abs(g[0]); err != nil || b != absBase {
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
	self, _ := filepath.Abs(p)
	for _, f := range group {
		if abs, err := filepath.Abs(f); err == nil && abs == self {
			return nil
		}
		if c.load(f, false) == nil {
			var err error
			if abs, e := filepath.Abs(f); e == nil {
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
	loaded map[string]*compose.Document // absolute path -> document; nil: failed
	errs   map[string]error             // absolute path -> why it failed
}

func newContextLoader(inputs []input) *contextLoader {
	c := &contextLoader{loaded: map[string]*compose.Document{}, errs: map[string]error{}}
	for _, in := range inputs {
		abs, err := filepath.Abs(in.path)
		if err != nil {
			continue
		}
		if in.doc != nil {
			c.loaded[abs] = in.doc
		} else {
			// An input that failed is not read again: its error stands.
			c.loaded[abs], c.errs[abs] = nil, in.err
		}
	}
	return c
}

// load returns the document at path; fragment allows a file without
// services (an included or extended file may hold only what it is
// reached for).
func (c *contextLoader) load(path string, fragment bool) *compose.Document {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil
	}
	if d, ok := c.loaded[abs]; ok {
		return d
	}
	c.loaded[abs] = nil // a failed load is not retried
	src, err := compose.ReadFile(path)
	if err != nil {
		c.errs[abs] = err
		return nil
	}
	d, err := compose.LoadWith(path, src, compose.LoadOptions{AllowNonCompose: fragment})
	if err != nil {
		c.errs[abs] = err
		return nil
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

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
