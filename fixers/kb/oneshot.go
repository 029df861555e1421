package kb

import (
	"fmt"
	"slices"
	"strings"
)

// OneShotNames are the service names that mark one-shot services: init,
// migration and setup jobs that run once and exit.
type OneShotNames struct {
	// Names match a whole service name.
	Names []string
	// Prefixes and Suffixes match the start or end of a service name.
	Prefixes, Suffixes []string
}

// LoadOneShotNames returns the embedded oneshot.yaml, from the generated
// tables. The error is always nil.
func LoadOneShotNames() (OneShotNames, error) {
	o := embeddedOneShot
	o.Names, o.Prefixes, o.Suffixes = slices.Clone(o.Names), slices.Clone(o.Prefixes), slices.Clone(o.Suffixes)
	return o, nil
}

// decodeOneShotNames decodes and validates the embedded oneshot.yaml.
func decodeOneShotNames() (OneShotNames, error) {
	var raw struct {
		Names    []string `yaml:"names"`
		Prefixes []string `yaml:"prefixes"`
		Suffixes []string `yaml:"suffixes"`
	}
	if err := decodeStrict(oneshotYAML, &raw); err != nil {
		return OneShotNames{}, fmt.Errorf("decoding embedded oneshot.yaml: %w", err)
	}
	o := OneShotNames{Names: raw.Names, Prefixes: raw.Prefixes, Suffixes: raw.Suffixes}
	for _, list := range [][]string{o.Names, o.Prefixes, o.Suffixes} {
		for _, s := range list {
			if s == "" || s != strings.ToLower(s) {
				return OneShotNames{}, fmt.Errorf("decoding embedded oneshot.yaml: %w", invalidf("entry %q must be non-empty and lower-case", s))
			}
		}
	}
	return o, nil
}

// Match reports whether a compose service name marks a one-shot service.
// Matching ignores case.
func (o OneShotNames) Match(name string) bool {
	n := strings.ToLower(name)
	for _, s := range o.Names {
		if n == s {
			return true
		}
	}
	for _, p := range o.Prefixes {
		if strings.HasPrefix(n, p) && len(n) > len(p) {
			return true
		}
	}
	for _, s := range o.Suffixes {
		if strings.HasSuffix(n, s) && len(n) > len(s) {
			return true
		}
	}
	return false
}

// IsOneShotName reports whether a compose service name marks a one-shot
// service according to the embedded oneshot.yaml.
func IsOneShotName(name string) bool {
	return embeddedOneShot.Match(name)
}
