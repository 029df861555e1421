package compose

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// IsComposeName reports whether a file name is one directory search picks:
// the names docker compose looks for, with the docker-compose.*.yml /
// compose.*.yaml variants (override, prod, ...), what
// `^(docker-)?compose(\.[^/]+)?\.ya?ml$` matches. A scan, not a regexp:
// every run asks it of a file's neighbours, and compiling the expression
// was a first-use cost of every small file (issue 14).
func IsComposeName(name string) bool {
	rest, ok := strings.CutPrefix(strings.TrimPrefix(name, "docker-"), "compose")
	if !ok {
		return false
	}
	for _, ext := range []string{".yaml", ".yml"} {
		if mid, ok := strings.CutSuffix(rest, ext); ok {
			// An optional variant: a dot and at least one character, no slash.
			return mid == "" || len(mid) >= 2 && mid[0] == '.' && !strings.Contains(mid, "/")
		}
	}
	return false
}

// skipDir reports whether directory search skips a directory.
func skipDir(name string) bool {
	return name == ".git" || name == "node_modules" || name == "vendor"
}

// Discover expands paths into compose files: files are taken as given,
// directories are searched for compose file names (skipping .git,
// node_modules and vendor). A file reached twice, by path, directory or
// symlink, is listed once, under the first spelling. Paths that cannot be
// read, and directories holding no compose file, are returned as errors
// alongside the files found.
func Discover(paths []string) ([]string, []error) {
	return DiscoverWith(paths, DiscoverOptions{})
}

// DiscoverOptions say what discovery leaves out besides .git,
// node_modules and vendor. Nil functions leave out nothing.
type DiscoverOptions struct {
	// Ignored reports whether directory search skips a path found in a
	// directory (for a directory, its whole tree), such as what git
	// ignores. It is not asked about the paths given.
	Ignored func(path string, isDir bool) bool
	// Excluded reports whether a path is left out, given or found. A
	// given path that is excluded is left out silently.
	Excluded func(path string, isDir bool) bool
}

// DiscoverWith is Discover with options.
func DiscoverWith(paths []string, opts DiscoverOptions) ([]string, []error) {
	skip := func(path string, isDir, given bool) bool {
		if opts.Excluded != nil && opts.Excluded(path, isDir) {
			return true
		}
		return !given && opts.Ignored != nil && opts.Ignored(path, isDir)
	}
	var files []string
	var errs []error
	seen := map[string]bool{}
	// The working directory is read once: filepath.Abs reads it (two
	// stats) on every call, once per file found.
	wd, wdErr := os.Getwd()
	// The directories files are added from, resolved once each: a file
	// that is no symlink resolves to its directory's real path and its
	// name, and EvalSymlinks of each file's whole path cost a stat per
	// component, per file.
	type realDir struct {
		path string
		err  error
	}
	realDirs := map[string]realDir{}
	evalSymlinks := func(p string, link bool) (string, error) {
		if link || strings.Contains(p, "..") {
			// ".." after a symlinked directory goes up from the link's
			// target, not lexically as filepath.Dir would.
			return filepath.EvalSymlinks(p)
		}
		dir := filepath.Dir(p)
		d, ok := realDirs[dir]
		if !ok {
			d.path, d.err = filepath.EvalSymlinks(dir)
			realDirs[dir] = d
		}
		if d.err != nil {
			return filepath.EvalSymlinks(p)
		}
		return filepath.Join(d.path, filepath.Base(p)), nil
	}
	// add lists p, a file, unless it was reached before; link says that p
	// may be a symlink itself.
	add := func(p string, link bool) {
		key := p
		if real, err := evalSymlinks(p, link); err == nil {
			if filepath.IsAbs(real) {
				key = filepath.Clean(real)
			} else if wdErr == nil {
				key = filepath.Join(wd, real)
			} else if abs, err := filepath.Abs(real); err == nil {
				key = abs
			}
		}
		if !seen[key] {
			seen[key] = true
			files = append(files, p)
		}
	}
	for _, p := range paths {
		// Lstat first: most paths are no symlink, and what Lstat says of
		// them is what Stat would. A symlink, or a failure, asks Stat.
		info, err := os.Lstat(p)
		link := err != nil || info.Mode()&fs.ModeSymlink != 0
		if link {
			info, err = os.Stat(p)
		}
		if err != nil {
			errs = append(errs, &PosError{Path: p, Msg: "cannot read", Err: unwrapPathError(err)})
			continue
		}
		if skip(p, info.IsDir(), true) {
			continue
		}
		if !info.IsDir() {
			if err := CheckRegular(p, info.Mode()); err != nil {
				errs = append(errs, err)
				continue
			}
			add(p, link)
			continue
		}
		var found []string
		links := map[string]bool{} // found files that are symlinks
		excluded := 0              // compose files an exclude pattern or .gitignore skipped
		err = filepath.WalkDir(p, func(path string, e fs.DirEntry, err error) error {
			if err != nil {
				errs = append(errs, &PosError{Path: path, Msg: "cannot read", Err: unwrapPathError(err)})
				if e != nil && e.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if e.IsDir() {
				if path != p && (skipDir(e.Name()) || skip(path, true, false)) {
					return fs.SkipDir
				}
				return nil
			}
			if !IsComposeName(e.Name()) {
				return nil
			}
			if skip(path, false, false) {
				excluded++
				return nil
			}
			if e.Type()&fs.ModeSymlink != 0 {
				if st, err := os.Stat(path); err != nil || !st.Mode().IsRegular() {
					return nil
				}
				links[path] = true
			} else if !e.Type().IsRegular() {
				return nil
			}
			found = append(found, path)
			return nil
		})
		if err != nil {
			errs = append(errs, &PosError{Path: p, Msg: "searching", Err: err}) // names p apart, for reports that list it
		}
		switch {
		case len(found) > 0 || err != nil:
		case excluded > 0:
			// Still an error: an exclude that leaves nothing to check
			// must not pass --check unnoticed either.
			errs = append(errs, &PosError{Path: p, Msg: fmt.Sprintf("no compose files left to check: %d found, all excluded (exclude patterns, --exclude or .gitignore)", excluded)})
		default:
			// A mistyped path must not pass --check.
			errs = append(errs, &PosError{Path: p, Msg: "no compose files found (searched for compose.y(a)ml, docker-compose.y(a)ml and their .<name>.y(a)ml variants)"})
		}
		sort.Strings(found)
		for _, f := range found {
			add(f, links[f])
		}
	}
	return files, errs
}
