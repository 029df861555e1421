// Package ignore decides which paths composefix leaves alone: what git
// ignores (the .gitignore files from the repository root down to a path,
// and .git/info/exclude), and exclude patterns from the command line and
// the configuration, written in the same gitignore syntax. Matching is
// go-git's gitignore matcher; this package only finds and reads the files
// and says which directory a pattern is relative to.
//
// It deliberately does not walk directories (compose.Discover does, asking
// it about each path) and does not read the global git configuration
// (core.excludesFile): what a repository ignores for everyone is what a
// shared CI run must see too.
package ignore
