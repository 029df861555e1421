package ignore

import (
	"bufio"
	"bytes"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"github.com/composefix/composefix/compose"
	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
)

// RepoRoot returns the nearest directory at or above dir that holds .git
// (a directory, or the file a worktree or submodule has), or "" outside a
// repository.
func RepoRoot(dir string) string {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// Git answers what git ignores. It reads each directory's .gitignore once,
// when a path below it is first asked about; it is safe for concurrent
// use.
type Git struct {
	mu    sync.Mutex
	roots map[string]string              // directory -> its repository root ("" outside one)
	dirs  map[string][]gitignore.Pattern // directory -> the patterns of its own ignore files
}

// NewGit returns an empty Git.
func NewGit() *Git {
	return &Git{roots: map[string]string{}, dirs: map[string][]gitignore.Pattern{}}
}

// Ignored reports whether git ignores path, a file or (isDir) a directory,
// given absolute or relative to the working directory. Outside a
// repository nothing is ignored.
func (g *Git) Ignored(path string, isDir bool) bool {
	abs, err := filepath.Abs(path)
	if err != nil {
		return false
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	dir := filepath.Dir(abs)
	root, ok := g.roots[dir]
	if !ok {
		root = RepoRoot(dir)
		g.roots[dir] = root
	}
	if root == "" || abs == root {
		return false
	}
	// Lowest priority first: .git/info/exclude, then each .gitignore from
	// the root down.
	ps := g.patterns(root, filepath.Join(root, ".git", "info", "exclude"))
	rel, err := filepath.Rel(root, dir)
	if err != nil {
		return false
	}
	at := root
	ps = append(ps, g.patterns(at, filepath.Join(at, ".gitignore"))...)
	if rel != "." {
		for _, part := range strings.Split(rel, string(filepath.Separator)) {
			at = filepath.Join(at, part)
			ps = append(ps, g.patterns(at, filepath.Join(at, ".gitignore"))...)
		}
	}
	return gitignore.NewMatcher(ps).Match(split(abs), isDir)
}

// patterns returns the patterns of the ignore file at file, relative to
// dir, reading it on first use. A missing or unreadable file has none, and
// so has a named pipe, which compose.ReadFile refuses rather than wait for a
// writer.
func (g *Git) patterns(dir, file string) []gitignore.Pattern {
	if ps, ok := g.dirs[file]; ok {
		return ps
	}
	src, err := compose.ReadFile(file)
	var ps []gitignore.Pattern
	if err == nil {
		ps = Parse(dir, lines(src))
	}
	g.dirs[file] = ps
	return ps
}

// lines returns an ignore file's pattern lines: neither blank nor comments.
func lines(src []byte) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(src))
	for sc.Scan() {
		l := strings.TrimSuffix(sc.Text(), "\r")
		if strings.TrimSpace(l) != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

// Check reports a pattern that can match nothing because its glob is
// malformed (an unclosed "[", a bad range, a trailing backslash): go-git's
// matcher treats the match error as no match, so such a pattern would
// silently exclude nothing. The pattern is cut as gitignore.ParsePattern
// cuts it (a leading "!", trailing spaces unless escaped, a trailing "/",
// then "/"-separated segments), because go-git matches each segment
// apart: "[a/b]" or `a\/b` is a valid glob as a whole, but its segments
// are not. path.Match checks a whole segment even when it does not match.
// Brackets are judged as git reads them (wildmatch): "[]a]" is valid,
// "[[:foo:]]" is not.
func Check(pattern string) error {
	p := wildmatch(strings.TrimPrefix(trimSpaces(pattern), "!"))
	for _, seg := range strings.Split(strings.TrimSuffix(p, "/"), "/") {
		if _, err := path.Match(seg, ""); err != nil {
			return err
		}
	}
	return nil
}

// Parse turns gitignore-syntax patterns into patterns relative to dir,
// their brackets read as git reads them.
func Parse(dir string, patterns []string) []gitignore.Pattern {
	if len(patterns) == 0 {
		return nil // no need to resolve dir (a Getwd, two stat calls)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	domain := split(abs)
	ps := make([]gitignore.Pattern, 0, len(patterns))
	for _, p := range patterns {
		ps = append(ps, gitignore.ParsePattern(wildmatch(trimSpaces(p)), domain))
	}
	return ps
}

// trimSpaces drops a pattern's trailing spaces as git does
// (trim_trailing_spaces in dir.c): from the first of the last run of
// spaces, unless a backslash escapes that first one. go-git's ParsePattern
// keeps all trailing spaces after "\\ " and drops them all otherwise, so
// `x\  ` lost its escaped space and `x\\ ` kept a space git drops; once
// trimmed here, what go-git trims is nothing.
func trimSpaces(p string) string {
	last := -1 // where the trailing run of unescaped spaces starts
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case ' ':
			if last < 0 {
				last = i
			}
		case '\\':
			if i++; i == len(p) {
				return p // git leaves a line ending in a lone backslash as it is
			}
			last = -1
		default:
			last = -1
		}
	}
	if last >= 0 {
		return p[:last]
	}
	return p
}

// Exclude is a list of exclude patterns, each relative to its own
// directory (a configuration file's, or the working directory for the
// command line).
type Exclude []gitignore.Pattern

// Excluded reports whether the patterns exclude path, a file or (isDir) a
// directory, or one of the directories holding it: a file named on the
// command line inside an excluded directory is excluded too.
func (e Exclude) Excluded(path string, isDir bool) bool {
	if len(e) == 0 {
		return false
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return false
	}
	m := gitignore.NewMatcher(e)
	parts := split(abs)
	for n := 2; n < len(parts); n++ {
		if m.Match(parts[:n], true) {
			return true
		}
	}
	return m.Match(parts, isDir)
}

// split cuts an absolute path into the components go-git matches, spelled
// bytewise as the patterns are.
func split(abs string) []string {
	return strings.Split(bytewise(strings.Trim(filepath.ToSlash(abs), "/")), "/")
}
