package config

import (
	"strings"

	"github.com/composefix/composefix/internal/imagematch"
	"github.com/composefix/composefix/internal/lazyre"
)

// MatchImage reports whether the glob pattern (path.Match syntax: * and ?
// do not cross "/") matches image, a reference as the caller spells it:
// whole, by repository, and for a pattern ending in "/*" by every leading
// part of the repository (see imagematch.Match).
func MatchImage(pattern, image string) bool { return imagematch.Match(pattern, image) }

var idPrefixRE = lazyre.New(`^(?i)CF[0-9]*$`)

// Matches reports whether the reference names the rule with this ID and
// name: "all", the ID or the name (either in any case), or an ID prefix
// ("CF1" matches "CF104").
func (r RuleRef) Matches(id, name string) bool {
	return r.specificity(id, name) >= 0
}

// specificity ranks how closely r names the rule: -1 not at all, 0 "all",
// the prefix length for an ID prefix, and more than any prefix for the
// exact ID or name.
func (r RuleRef) specificity(id, name string) int {
	switch {
	case strings.EqualFold(r.Name, id) || strings.EqualFold(r.Name, name):
		return 1000
	case strings.EqualFold(r.Name, "all"):
		return 0
	case idPrefixRE().MatchString(r.Name) && len(id) >= len(r.Name) && strings.EqualFold(id[:len(r.Name)], r.Name):
		return len(r.Name)
	}
	return -1
}

// UnsafeFixesFor reports whether the file enables the unsafe fixes of the
// rule with this ID and name, and whether it says anything about that rule
// at all. The most specific entry wins (exact ID or name, then the longest
// ID prefix, then "all"); among equals, the later one.
func (f *File) UnsafeFixesFor(id, name string) (enabled, set bool) {
	if f == nil {
		return false, false
	}
	var refs []RuleRef
	for _, u := range f.UnsafeFixes {
		refs = append(refs, u.Rule)
	}
	i := mostSpecific(refs, id, name)
	if i < 0 {
		return false, false
	}
	return f.UnsafeFixes[i].Enabled, true
}

// SeverityFor returns the severity the file sets for the rule with this ID
// and name ("error", "warning" or "info"), or "" when it sets none. The
// most specific entry wins (ID over prefix over "all"), and among equally
// specific ones the last.
func (f *File) SeverityFor(id, name string) string {
	if f == nil {
		return ""
	}
	var refs []RuleRef
	for _, s := range f.Severity {
		refs = append(refs, s.Rule)
	}
	if i := mostSpecific(refs, id, name); i >= 0 {
		return f.Severity[i].Level
	}
	return ""
}

// mostSpecific returns the index of the most specific reference to the rule
// (the last among equals), or -1.
func mostSpecific(refs []RuleRef, id, name string) int {
	best, at := -1, -1
	for i, r := range refs {
		if s := r.specificity(id, name); s >= 0 && s >= best {
			best, at = s, i
		}
	}
	return at
}
