package fixers

import (
	"strings"

	"github.com/composefix/composefix/fixers/kb"
)

func rootUserRule() *Rule {
	return &Rule{
		ID: "CF509", Name: "runs-as-root", Safety: DisplayOnly, Severity: Info,
		Summary: "services whose image runs as root by default and that set no user",
		Doc: `Services whose image runs as root by default and that set no user are reported.

With image facts (on by default) the image's config decides: no USER, "root" or "0"
starts as root. Otherwise the knowledge base knows which images do. Many official
images (postgres, redis) drop privileges in their entrypoint, others (nginx's
master process, most application images) do not; a user: key makes it explicit.
There is no automatic fix: the right user depends on the image and on the
ownership of its volumes.

Before:
  services:
    cache:
      image: memcached:1.6.31

After:
  services:
    cache:
      image: memcached:1.6.31
      user: "11211:11211"`,
		Check: func(p *Pass) error { return checkRootUser(p, p.Config.Knowledge.Index) },
	}
}

// --- CF509 -----------------------------------------------------------------

func checkRootUser(p *Pass, index *kb.Index) error {
	ss := p.services()
	all := p.serviceNames()
	for _, s := range ss {
		image := expandDefaults(imageOf(s))
		if image == "" {
			continue
		}
		if p.settled(all, s, "user") {
			continue
		}
		if f, ok := p.imageFacts(s); ok {
			// The image's own config is the truth: USER unset, "root",
			// "0" or "0:..." starts as root.
			if u, _, _ := strings.Cut(f.User, ":"); u != "" && u != "root" && u != "0" {
				continue
			}
			p.Report(s.Key, nil, "service %q runs as root: the config of image %q sets no USER (or root) and the service sets no user", s.Name, image)
			continue
		}
		h, ok := index.Lookup(image)
		if !ok || h.RunsAsRoot == nil || !*h.RunsAsRoot {
			continue
		}
		p.Report(s.Key, nil, "service %q runs as root: image %q starts as root and the service sets no user", s.Name, image)
	}
	return nil
}
