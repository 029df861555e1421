package registry

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Policy is how far `composefix update` may move a pinned version.
// Components are positional: the first is major, the second minor, the
// rest patch, whatever the project calls them (postgres 17.2 -> 17.3 is a
// minor update here, as in Renovate).
type Policy int

const (
	// PolicyPatch allows versions with the same major and minor numbers.
	PolicyPatch Policy = iota
	// PolicyMinor allows versions with the same major number.
	PolicyMinor
	// PolicyMajor allows any newer version.
	PolicyMajor
)

// ErrUnknownPolicy is wrapped by ParsePolicy for a name that is not a policy.
var ErrUnknownPolicy = errors.New("unknown update policy (want patch, minor or major)")

// ParsePolicy parses "patch", "minor" or "major", in any letter case.
// The error names the bad value and wraps ErrUnknownPolicy.
func ParsePolicy(s string) (Policy, error) {
	switch strings.ToLower(s) {
	case "patch":
		return PolicyPatch, nil
	case "minor":
		return PolicyMinor, nil
	case "major":
		return PolicyMajor, nil
	}
	return 0, fmt.Errorf("parsing update policy %q: %w", s, ErrUnknownPolicy)
}

// String returns "patch", "minor" or "major", or Policy(n) for other values.
func (p Policy) String() string {
	switch p {
	case PolicyPatch:
		return "patch"
	case PolicyMinor:
		return "minor"
	case PolicyMajor:
		return "major"
	}
	return fmt.Sprintf("Policy(%d)", int(p))
}

// MarshalText encodes p as its name; values with no name are an error.
func (p Policy) MarshalText() ([]byte, error) {
	if p < PolicyPatch || p > PolicyMajor {
		return nil, fmt.Errorf("encoding update policy %d: %w", int(p), ErrUnknownPolicy)
	}
	return []byte(p.String()), nil
}

// UnmarshalText decodes a name accepted by ParsePolicy.
func (p *Policy) UnmarshalText(text []byte) error {
	v, err := ParsePolicy(string(text))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// allows reports whether policy lets current move to newer. Date versions
// carry no compatibility promise: any newer date is a minor update, never
// a patch.
func (p Policy) allows(current, newer tagInfo) bool {
	switch p {
	case PolicyMajor:
		return true
	case PolicyMinor:
		return current.Date || newer.Nums[0] == current.Nums[0]
	case PolicyPatch:
		if current.Date || newer.Nums[0] != current.Nums[0] {
			return false
		}
		return len(current.Nums) < 2 || newer.Nums[1] == current.Nums[1]
	}
	return false
}

// NewerTags returns the tags newer than current allowed by policy, best (newest) first, keeping current's prefix, suffix and precision
// (7.4.1-alpine -> 7.4.3-alpine or 7.5.0-alpine under minor, never 7.4.3-bookworm, never 7.4-alpine, never 8.0.0-alpine under minor), no pre-releases unless current is one.
//
// When current is a pre-release, newer pre-releases and releases of the
// same variant qualify (v3.3.0-rc1 -> v3.3.0-rc2, v3.3.0). A current tag
// that is not a version ("latest") has no newer tags. Ties in value
// (1.02.0 and 1.2.0) are ordered by the raw tag; duplicates in tags are
// listed once.
func NewerTags(current string, tags []string, policy Policy) []string {
	c, ok := parseTag(current)
	if !ok {
		return nil
	}
	var out []tagInfo
	for _, raw := range tags {
		if !strings.HasPrefix(raw, c.Prefix) || !strings.HasSuffix(raw, c.variant) {
			continue // cheap rejection before parsing
		}
		t, ok := parseTag(raw)
		if !ok || t.Prefix != c.Prefix || t.Date != c.Date || len(t.Nums) != len(c.Nums) ||
			t.variant != c.variant || (t.prerelease && !c.prerelease) {
			continue
		}
		if compareTagValue(t, c) > 0 && policy.allows(c, t) {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, newestFirst)
	out = slices.CompactFunc(out, func(a, b tagInfo) bool { return a.Raw == b.Raw })
	return rawTags(out)
}

// Update kinds, as Renovate names them.
const (
	KindMajor  = "major"
	KindMinor  = "minor"
	KindPatch  = "patch"
	KindDigest = "digest" // same tag, new content
)

// UpdateKind names the update from tag from to tag to: "digest" when the
// tag stays, else the first version component that moves ("major" for the
// first, "minor" for the second, "patch" beyond). A date version moving is
// "minor", as under the policies: dates promise no compatibility either
// way. Tags that are not versions are "major", the most careful answer.
func UpdateKind(from, to string) string {
	if from == to {
		return KindDigest
	}
	f, ok1 := parseTag(from)
	t, ok2 := parseTag(to)
	if !ok1 || !ok2 || len(f.Nums) == 0 || len(t.Nums) == 0 {
		return KindMajor
	}
	if f.Date || t.Date {
		return KindMinor
	}
	switch {
	case f.Nums[0] != t.Nums[0]:
		return KindMajor
	case len(f.Nums) < 2 || len(t.Nums) < 2 || f.Nums[1] != t.Nums[1]:
		return KindMinor
	}
	return KindPatch
}
