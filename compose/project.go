package compose

import (
	"path/filepath"
	"strings"
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
