package fixers

import "strings"

// servicePlatform returns the platform the service runs on: its platform:
// as written, or DefaultPlatform. It is the key of Resolution.Facts.
func servicePlatform(s svc) string {
	if p := strings.TrimSpace(s.str("platform")); p != "" {
		return p
	}
	return DefaultPlatform
}

// imageFacts returns what the registry learnt about the service's image for
// its platform; ok is false when nothing was learnt (no image facts in this
// run, an unresolved reference, or an error reading them).
func (p *Pass) imageFacts(s svc) (ImageFacts, bool) {
	image := imageOf(s)
	if image == "" {
		return ImageFacts{}, false
	}
	f, ok := p.Resolved[image].Facts[servicePlatform(s)]
	if !ok || f.Err != nil || f.Unserved {
		return ImageFacts{}, false
	}
	return f, true
}
