package compose

import (
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ProjectFiles returns, for each of files, the files docker compose merges
// it with, in merge order and the file itself included:
//
//   - the override a bare `docker compose` reads: the base it reads in the
//     same directory, then itself (see defaultBases, defaultOverrides);
//   - a named overlay (compose.<name>.yaml, docker-compose.<name>.yml, or
//     an override docker compose skips): the base in the same directory,
//     of its own family first, then itself, as `docker compose -f
//     compose.yaml -f compose.prod.yaml` merges them, the override left out;
//   - the base docker compose reads: itself, then that override if any;
//   - any other file, or an overlay without a base: itself alone.
//
// A base or override that is not among files but for which exists reports
// true is listed too: the caller reads it as context and does not fix it.
// This is how an overlay staged alone (pre-commit passes only staged files)
// is analysed with its base. Paths keep the spelling of files where the
// file is among them.
func ProjectFiles(files []string, exists func(string) bool) map[string][]string {
	given := map[string]string{} // cleaned path -> spelling in files
	for _, f := range files {
		given[filepath.Clean(f)] = f
	}
	found := func(p string) bool {
		_, ok := given[p]
		return ok || exists(p)
	}
	spell := func(p string) string {
		if g, ok := given[p]; ok {
			return g
		}
		return p
	}
	out := make(map[string][]string, len(files))
	for _, f := range files {
		if !IsOverlay(f) {
			group := []string{f}
			if o := overrideOf(f, found); o != "" {
				group = append(group, spell(o))
			}
			out[f] = group
			continue
		}
		if base := baseOf(f, found); base != "" {
			out[f] = []string{spell(base), f}
		} else {
			out[f] = []string{f}
		}
	}
	return out
}

// composeStems are the two families of compose file names, in docker
// compose's order of preference.
var composeStems = [...]string{"compose", "docker-compose"}

// splitComposeName splits a compose file name into its family stem
// ("compose" or "docker-compose") and the overlay name between the stem and
// the extension ("" for a base, "override", "prod", "dev.local").
func splitComposeName(name string) (stem, overlay string, ok bool) {
	ext := filepath.Ext(name)
	if ext != ".yml" && ext != ".yaml" {
		return "", "", false
	}
	rest := strings.TrimSuffix(name, ext)
	for _, st := range composeStems {
		switch {
		case rest == st:
			return st, "", true
		case strings.HasPrefix(rest, st+".") && len(rest) > len(st)+1:
			return st, rest[len(st)+1:], true
		}
	}
	return "", "", false
}

// IsOverlay reports whether a file is merged over a base in its directory:
// compose.override.y(a)ml, compose.<name>.y(a)ml and their docker-compose
// spellings.
func IsOverlay(path string) bool {
	_, overlay, ok := splitComposeName(filepath.Base(path))
	return ok && overlay != ""
}

// defaultBases and defaultOverrides are the names docker compose looks for
// without -f, in its order of preference: it reads the first base found
// and the first override found beside it (compose-go's cli.DefaultFileNames
// and cli.DefaultOverrideFileNames).
var (
	defaultBases     = [...]string{"compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"}
	defaultOverrides = [...]string{"compose.override.yml", "compose.override.yaml", "docker-compose.override.yml", "docker-compose.override.yaml"}
)

// firstFound returns the first of names in dir that found reports, cleaned;
// "" when none is.
func firstFound(dir string, names []string, found func(string) bool) string {
	for _, n := range names {
		if p := filepath.Join(dir, n); found(p) {
			return p
		}
	}
	return ""
}

// baseOf returns the cleaned path of the base file an overlay joins; ""
// when there is none. The override docker compose reads joins the base it
// reads; a named overlay (or an override docker compose skips) joins the
// base of its own family first, as `-f` lists pair them.
func baseOf(f string, found func(string) bool) string {
	dir, name := filepath.Split(filepath.Clean(f))
	stem, overlay, ok := splitComposeName(name)
	if !ok || overlay == "" {
		return ""
	}
	if firstFound(dir, defaultOverrides[:], found) == filepath.Join(dir, name) {
		return firstFound(dir, defaultBases[:], found)
	}
	stems := []string{stem}
	for _, st := range composeStems {
		if st != stem {
			stems = append(stems, st)
		}
	}
	for _, st := range stems {
		for _, ext := range []string{".yaml", ".yml"} {
			if base := filepath.Join(dir, st+ext); found(base) {
				return base
			}
		}
	}
	return ""
}

// overrideOf returns the cleaned path of the override docker compose reads
// with base, when base is the file it reads; "" otherwise.
func overrideOf(base string, found func(string) bool) string {
	dir, name := filepath.Split(filepath.Clean(base))
	if firstFound(dir, defaultBases[:], found) != filepath.Join(dir, name) {
		return ""
	}
	return firstFound(dir, defaultOverrides[:], found)
}

// References returns the compose files d points at, relative to its
// directory: top-level include entries (a path, a list of paths, or
// mappings with a path key) and the files services extend (extends:
// {file: ...}). Paths with interpolation are skipped: they cannot be known
// without the environment; so are remote ones, which compose fetches. Each
// path is listed once, in file order. An include entry's env_file is no
// compose file and is not listed.
func (d *Document) References() []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range d.ReferenceNodes() {
		if !r.EnvFile && !seen[r.Path] {
			seen[r.Path] = true
			out = append(out, r.Path)
		}
	}
	return out
}

// Reference is a local file a document names in include: or extends: file:.
type Reference struct {
	Path    string     // cleaned, joined to the document's directory when relative
	Node    *yaml.Node // the scalar that names it
	Extends bool       // named by extends: file: rather than include:
	// EnvFile is set for an include entry's env_file: a dotenv file
	// compose reads to interpolate the entry's files, not a compose file.
	EnvFile bool
	// ProjectDirectory is set where the included file's own relative
	// paths resolve from another directory than its own: an include entry
	// that sets project_directory, or a path list's file after the first
	// (compose takes the first file's directory for the entry's files).
	ProjectDirectory bool
}

// Key names r among a document's load failures (fixers.Options.Unloaded):
// its path, set apart for an env file, which is read otherwise than a
// compose file at the same path would be.
func (r Reference) Key() string {
	if r.EnvFile {
		return "env_file:" + r.Path
	}
	return r.Path
}

// ReferenceNodes returns every local file reference of d, as References
// describes, with the scalar naming it: a file named twice is listed twice.
func (d *Document) ReferenceNodes() []Reference {
	dir := filepath.Dir(d.Path)
	var out []Reference
	add := func(n *yaml.Node, r Reference) {
		n = Resolve(n)
		if n == nil || n.Kind != yaml.ScalarNode || n.Value == "" || strings.Contains(n.Value, "$") || IsRemote(n.Value) {
			return
		}
		p := n.Value
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		r.Path, r.Node = filepath.Clean(p), n
		out = append(out, r)
	}
	if _, inc := MapGet(d.Root, "include"); inc != nil {
		for _, e := range Resolve(inc).Content {
			e = Resolve(e)
			if e.Kind == yaml.MappingNode {
				_, p := MapGet(e, "path")
				k, _ := MapGet(e, "project_directory")
				r := Reference{ProjectDirectory: k != nil}
				if p = Resolve(p); p != nil && p.Kind == yaml.SequenceNode {
					for i, item := range p.Content {
						add(item, Reference{ProjectDirectory: r.ProjectDirectory || i > 0})
					}
				} else {
					add(p, r)
				}
				// compose takes env_file paths, as the entry's own, from
				// the including file's directory, whatever
				// project_directory says; it skips /dev/null.
				_, env := MapGet(e, "env_file")
				envs := []*yaml.Node{env}
				if env = Resolve(env); env != nil && env.Kind == yaml.SequenceNode {
					envs = env.Content
				}
				for _, f := range envs {
					if f = Resolve(f); f == nil || f.Value != "/dev/null" {
						add(f, Reference{EnvFile: true})
					}
				}
				continue
			}
			add(e, Reference{})
		}
	}
	for _, s := range d.Services() {
		if s.Node == nil {
			continue
		}
		ext, _ := Lookup(s.Node, "extends")
		if ext = Resolve(ext); ext != nil && ext.Kind == yaml.MappingNode {
			_, f := MapGet(ext, "file")
			add(f, Reference{Extends: true})
		}
	}
	return out
}

// IsRemote reports whether an include or extends path names a remote
// resource, which compose's remote loaders fetch (an OCI artifact, a git
// repository or a URL) rather than a local file.
func IsRemote(path string) bool {
	return strings.Contains(path, "://") || strings.HasPrefix(path, "git@") || strings.HasPrefix(path, "git::")
}
