package pipeline

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/composefix/composefix/compose"
)

// projects maps each loaded file to the documents of its project: the -f
// files form one project; among the other files an override joins its base
// in the same directory, as docker compose does.
func projects(projectFiles []string, inputs []input) map[string][]*compose.Document {
	byPath := map[string]*compose.Document{}
	var paths []string
	for _, in := range inputs {
		if in.doc != nil {
			byPath[in.path] = in.doc
			paths = append(paths, in.path)
		}
	}
	var groups [][]string
	explicit := map[string]bool{}
	if len(projectFiles) > 0 {
		var group []string
		for _, f := range projectFiles {
			explicit[f] = true
			group = append(group, f)
		}
		groups = append(groups, group)
	}
	var rest []string
	for _, p := range paths {
		if !explicit[p] {
			rest = append(rest, p)
		}
	}
	groups = append(groups, compose.GroupProjects(rest)...)
	refs := referencedDocs(inputs)
	out := map[string][]*compose.Document{}
	for _, g := range groups {
		var docs []*compose.Document
		for _, p := range g {
			if d := byPath[p]; d != nil {
				docs = append(docs, d)
			}
		}
		// Files reached through include: or extends: file: come last: they
		// are read for what they set, and own no service of the group.
		seen := map[*compose.Document]bool{}
		for _, d := range docs {
			seen[d] = true
		}
		for _, p := range g {
			for _, r := range refs[p] {
				if !seen[r] {
					seen[r] = true
					docs = append(docs, r)
				}
			}
		}
		for _, p := range g {
			out[p] = docs
		}
	}
	return out
}

// maxReferenceDepth bounds how far include: and extends: file: chains are
// followed.
const maxReferenceDepth = 8

// referencedDocs loads, for each input, the files it reaches through
// include: and extends: file: (transitively), each once. They are context,
// not fixed: a file that cannot be read or loaded is skipped, since docker
// compose itself reports it.
func referencedDocs(inputs []input) map[string][]*compose.Document {
	loaded := map[string]*compose.Document{} // absolute path -> document
	for _, in := range inputs {
		if in.doc != nil {
			if abs, err := filepath.Abs(in.path); err == nil {
				loaded[abs] = in.doc
			}
		}
	}
	load := func(path string) *compose.Document {
		abs, err := filepath.Abs(path)
		if err != nil {
			return nil
		}
		if d, ok := loaded[abs]; ok {
			return d
		}
		loaded[abs] = nil // a failed load is not retried
		src, err := compose.ReadFile(path)
		if err != nil {
			return nil
		}
		d, err := compose.LoadWith(path, src, compose.LoadOptions{AllowNonCompose: true})
		if err != nil {
			return nil
		}
		loaded[abs] = d
		return d
	}
	out := map[string][]*compose.Document{}
	for _, in := range inputs {
		if in.doc == nil {
			continue
		}
		var docs []*compose.Document
		seen := map[*compose.Document]bool{in.doc: true}
		frontier := []*compose.Document{in.doc}
		for depth := 0; depth < maxReferenceDepth && len(frontier) > 0; depth++ {
			var next []*compose.Document
			for _, d := range frontier {
				for _, ref := range d.References() {
					if r := load(ref); r != nil && !seen[r] {
						seen[r] = true
						docs = append(docs, r)
						next = append(next, r)
					}
				}
			}
			frontier = next
		}
		out[in.path] = docs
	}
	return out
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
