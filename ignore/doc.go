// Package ignore decides which paths composefix leaves alone: what git
// ignores (the .gitignore files from the repository root down to a path,
// and .git/info/exclude), and exclude patterns from the command line and
// the configuration, written in the same gitignore syntax. Matching is
// go-git's gitignore matcher; this package finds and reads the files, says
// which directory a pattern is relative to, and rewrites bracket
// expressions from git's dialect into the one go-git matches with
// and spelling bytes as runes (glob.go), so "[!a]" means "not a" and "?"
// matches one byte, as for git.
//
// It deliberately does not walk directories (compose.Discover does, asking
// it about each path) and does not read the global git configuration
// (core.excludesFile): what a repository ignores for everyone is what a
// shared CI run must see too.
package ignore
