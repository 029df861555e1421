package compose

import (
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// GroupProjects groups independent files into projects the way docker
// compose reads a directory: compose.override.y(a)ml joins compose.y(a)ml
// (and docker-compose.override.y(a)ml joins docker-compose.y(a)ml) when
// both are in the list and in the same directory. Other files are projects
// of their own. Projects keep the order of their first file; each project
// lists its base before its override.
func GroupProjects(files []string) [][]string {
	index := map[string]int{} // base file's cleaned path -> project index
	var projects [][]string
	for _, f := range files {
		index[filepath.Clean(f)] = -1
	}
	for _, f := range files {
		if base := overrideBase(f, index); base != "" {
			continue // joins its base below
		}
		index[filepath.Clean(f)] = len(projects)
		projects = append(projects, []string{f})
	}
	for _, f := range files {
		if base := overrideBase(f, index); base != "" {
			i := index[base]
			projects[i] = append(projects[i], f)
		}
	}
	return projects
}

// overrideBase returns the cleaned path of the base file an override file
// joins, when that base is among the files; "" otherwise.
func overrideBase(f string, files map[string]int) string {
	dir, name := filepath.Split(filepath.Clean(f))
	var stem string
	switch {
	case strings.HasPrefix(name, "compose.override.y"):
		stem = "compose"
	case strings.HasPrefix(name, "docker-compose.override.y"):
		stem = "docker-compose"
	default:
		return ""
	}
	if ext := filepath.Ext(name); ext != ".yml" && ext != ".yaml" {
		return ""
	}
	for _, ext := range []string{".yaml", ".yml"} {
		base := filepath.Join(dir, stem+ext)
		if _, ok := files[base]; ok {
			return base
		}
	}
	return ""
}

// References returns the files d points at, relative to its directory:
// top-level include entries (a path, a list of paths, or mappings with a
// path key) and the files services extend (extends: {file: ...}). Paths
// with interpolation are skipped: they cannot be known without the
// environment. Each path is listed once, in file order.
func (d *Document) References() []string {
	dir := filepath.Dir(d.Path)
	seen := map[string]bool{}
	var out []string
	add := func(n *yaml.Node) {
		n = Resolve(n)
		if n == nil || n.Kind != yaml.ScalarNode || n.Value == "" || strings.Contains(n.Value, "$") {
			return
		}
		p := n.Value
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		if p = filepath.Clean(p); !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	if _, inc := MapGet(d.Root, "include"); inc != nil {
		for _, e := range Resolve(inc).Content {
			e = Resolve(e)
			if e.Kind == yaml.MappingNode {
				_, p := MapGet(e, "path")
				if p = Resolve(p); p != nil && p.Kind == yaml.SequenceNode {
					for _, item := range p.Content {
						add(item)
					}
					continue
				}
				add(p)
				continue
			}
			add(e)
		}
	}
	for _, s := range d.Services() {
		if s.Node == nil {
			continue
		}
		ext, _ := Lookup(s.Node, "extends")
		if ext = Resolve(ext); ext != nil && ext.Kind == yaml.MappingNode {
			_, f := MapGet(ext, "file")
			add(f)
		}
	}
	return out
}
