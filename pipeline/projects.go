package pipeline

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/composefix/composefix/compose"
)

// projects maps each loaded file to the documents of its project, in merge
// order: the -f files form one project; a file named in a declared project
// gets that project; any other file gets the files docker compose merges
// it with (compose.ProjectFiles: an override or a
// named overlay after its base, a base before its override). A base or
// override that was not given is read from disk as context: it tells the
// rules what the project sets and which file defines a service, and is
// never fixed. Files reached through include: or extends: file: come last,
// as context too.
func projects(projectFiles []string, declared [][]string, inputs []input) map[string][]*compose.Document {
	ctx := newContextLoader(inputs)
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
	for p, g := range compose.ProjectFiles(rest, isRegularFile) {
		groups[p] = g
	}
	out := map[string][]*compose.Document{}
	for _, p := range paths {
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
		for _, f := range g {
			if d := ctx.load(f, false); d != nil {
				for _, r := range ctx.references(d) {
					add(r)
				}
			}
		}
		out[p] = docs
	}
	return out
}

func isRegularFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
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
}

func newContextLoader(inputs []input) *contextLoader {
	c := &contextLoader{loaded: map[string]*compose.Document{}}
	for _, in := range inputs {
		if in.doc != nil {
			if abs, err := filepath.Abs(in.path); err == nil {
				c.loaded[abs] = in.doc
			}
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
		return nil
	}
	d, err := compose.LoadWith(path, src, compose.LoadOptions{AllowNonCompose: fragment})
	if err != nil {
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
