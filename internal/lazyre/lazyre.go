// Package lazyre compiles a package's regular expressions on first use.
//
// A package-level regexp.MustCompile runs at process start whether or not
// the run needs the pattern: every `composefix --version` paid for the
// registry's reference grammar and the config validator's patterns
// (issue 14: startup). lazyre moves that cost to the first match.
package lazyre

import (
	"regexp"
	"sync"
)

// New returns a function that compiles expr on its first call and returns
// the same *regexp.Regexp on every call. Like regexp.MustCompile, it
// panics (on that first call) when expr does not compile; the package's
// tests exercise every pattern, so a bad one fails there.
func New(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
