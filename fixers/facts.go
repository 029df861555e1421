package fixers

import (
	"strings"

	"github.com/composefix/composefix/compose"
	"go.yaml.in/yaml/v3"
)

// servicePlatform returns the platform the service runs on: its platform:
// as written, or DefaultPlatform; ok is false for an interpolated one. It
// is the key of Resolution.Facts.
func servicePlatform(s svc) (string, bool) {
	p := strings.TrimSpace(s.str("platform"))
	switch {
	case p == "":
		return DefaultPlatform, true
	case strings.Contains(p, "$"):
		return "", false
	}
	return p, true
}

// imageText returns the reference the service's image is resolved under
// (the key of Resolutions, as ImageRefs gives it); "" when there is none.
func imageText(s svc) string {
	n := s.get("image")
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	text, _, ok := literalImage(n.Value)
	if !ok {
		return ""
	}
	return text
}

// ImagePlatforms returns, for each image reference of d's services (keyed
// as Resolutions are), the platforms the services using it run on, in file
// order. It is what the caller asks the registry for image facts about.
func ImagePlatforms(d *compose.Document) map[string][]string {
	out := map[string][]string{}
	for _, s := range services(d) {
		text := imageText(s)
		p, ok := servicePlatform(s)
		if text == "" || !ok || s.has("build") {
			continue
		}
		seen := false
		for _, q := range out[text] {
			seen = seen || q == p
		}
		if !seen {
			out[text] = append(out[text], p)
		}
	}
	return out
}

// imageFacts returns what the registry learnt about the service's image for
// its platform; ok is false when nothing was learnt (no image facts in this
// run, an unresolved reference, an unserved platform, or an error reading
// them).
func (p *Pass) imageFacts(s svc) (ImageFacts, bool) {
	text := imageText(s)
	plat, ok := servicePlatform(s)
	if text == "" || !ok || s.has("build") {
		return ImageFacts{}, false
	}
	f, ok := p.Resolved[text].Facts[plat]
	if !ok || f.Err != nil || f.Unserved {
		return ImageFacts{}, false
	}
	return f, true
}

// imageHealthcheck reports whether the service's image declares its own
// HEALTHCHECK (and does not turn it off with NONE), per its config.
func (p *Pass) imageHealthcheck(s svc) bool {
	f, ok := p.imageFacts(s)
	return ok && len(f.Healthcheck) > 0 && f.Healthcheck[0] != "NONE"
}
