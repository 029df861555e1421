package config

import (
	"regexp"
	"strings"

	"github.com/composefix/composefix/internal/imagematch"
)

// MatchImage reports whether the glob pattern (path.Match syntax: * and ?
// do not cross "/") matches image, a reference as the caller spells it:
// whole, by repository, and for a pattern ending in "/*" by every leading
// part of the repository (see imagematch.Match).
func MatchImage(pattern, image string) bool { return imagematch.Match(pattern, image) }

var idPrefixRE = regexp.MustCompile(`^(?i)CF[0-9]*$`)

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
	case idPrefixRE.MatchString(r.Name) && len(id) >= len(r.Name) && strings.EqualFold(id[:len(r.Name)], r.Name):
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
	best := -1
	for _, u := range f.UnsafeFixes {
		if s := u.Rule.specificity(id, name); s >= 0 && s >= best {
			best, enabled = s, u.Enabled
		}
	}
	return enabled, best >= 0
}

// IgnoresImage reports whether image matches a pattern of ignore_images.
func (f *File) IgnoresImage(image string) bool {
	if f == nil {
		return false
	}
	for _, p := range f.IgnoreImages {
		if MatchImage(p, image) {
			return true
		}
	}
	return false
}

// For returns the update policy of image: the first matching entry of
// Images, else Policy, else DefaultPolicy.
func (u UpdatePolicy) For(image string) Policy {
	for _, ip := range u.Images {
		if MatchImage(ip.Pattern, image) {
			return ip.Policy
		}
	}
	if u.Policy != "" {
		return u.Policy
	}
	return DefaultPolicy
}

// ClassFor returns the class the file assigns to a service: the service's
// own class, else the first resources.images pattern matching image. ok is
// false when the file says nothing (the built-in classification applies).
func (r Resources) ClassFor(service, image string) (class string, ok bool) {
	if s, found := r.Services[service]; found && s.Class != "" {
		return s.Class, true
	}
	for _, ic := range r.Images {
		if MatchImage(ic.Pattern, image) {
			return ic.Class, true
		}
	}
	return "", false
}

// LimitsFor returns the limits for a service of the given class: base (the
// built-in limits of the class) overlaid with the file's class limits, then
// with the service's own. disabled reports that the file turns limits off
// for the service.
func (r Resources) LimitsFor(service, class string, base Limits) (l Limits, disabled bool) {
	l = base.Overlay(r.Classes[class])
	s, ok := r.Services[service]
	if !ok {
		return l, false
	}
	return l.Overlay(s.Limits), s.Disable
}

// HealthcheckFor returns the healthcheck entry for a service: the first
// entry naming the service, else the first whose image pattern matches
// image. ok is false when no entry applies.
func (f *File) HealthcheckFor(service, image string) (h Healthcheck, ok bool) {
	if f == nil {
		return Healthcheck{}, false
	}
	for _, h := range f.Healthchecks {
		if h.Service != "" && h.Service == service {
			return h, true
		}
	}
	for _, h := range f.Healthchecks {
		if h.Image != "" && MatchImage(h.Image, image) {
			return h, true
		}
	}
	return Healthcheck{}, false
}
