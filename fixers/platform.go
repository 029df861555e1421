package fixers

import "strings"

const platformID = "CF005"

func platformRule() *Rule {
	return &Rule{
		ID: platformID, Name: "platform-unserved", Safety: DisplayOnly, Severity: Error,
		Summary: "the image does not serve the platform the service runs on",
		Doc: `An image that does not serve the service's platform cannot start there.

composefix reads each image's index from its registry (image facts, on by default;
--image-facts=false turns them off). A service runs on its platform: key, or on
linux/amd64 when it sets none. When the index lists no image for that platform (an
arm64-only build, a Windows image), docker compose pulls nothing runnable: "no matching
manifest for linux/amd64 in the manifest list entries". The finding is an error, so
--check fails; there is no automatic fix. When the image's config cannot be read (a
registry error), an info finding says so and the other rules fall back to the knowledge
base; offline with nothing cached they fall back without a finding.

Before:
  services:
    app:
      image: acme/app-arm64:1.4.2   # serves linux/arm64 only

After:
  services:
    app:
      image: acme/app-arm64:1.4.2
      platform: linux/arm64`,
		Check: checkPlatform,
	}
}

func checkPlatform(p *Pass) error {
	for _, s := range p.servicesOf(p.Document) {
		text := imageText(s)
		plat, ok := servicePlatform(s)
		if text == "" || !ok || s.has("build") {
			continue
		}
		at := s.get("platform")
		if at == nil {
			at = s.get("image")
		}
		f, ok := p.Resolved[text].Facts[plat]
		if !ok {
			p.Unchecked(at) // no facts (offline, not cached): its ignore is not stale
			continue
		}
		switch {
		case f.Unserved:
			p.Report(at, nil, "image %q does not serve platform %q that service %q runs on; it serves %s", text, plat, s.Name, strings.Join(quoteAll(f.Platforms), ", "))
		case f.Err != nil:
			p.ReportSeverity(at, Info, nil, "the config of image %q for %q could not be read (%v); rules use the knowledge base only", text, plat, f.Err)
		}
	}
	return nil
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = `"` + s + `"`
	}
	return out
}
