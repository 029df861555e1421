package imageref_test

import (
	"strings"
	"testing"

	"github.com/composefix/composefix/fixers"
	_ "github.com/composefix/composefix/internal/golden"
	"github.com/composefix/composefix/registry"
)

const digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// TestRulesAndRequestsAgree runs the two parsers of image references over
// the same references: fixers' (ImageRefs, and the ignore_images and
// update.images patterns through ImageSpellings) and registry's
// (ParseReference: the requests, the cache keys, the mirrors). Where one
// read a registry or repository the other does not, a pattern would name
// one image and the registry answer for another.
func TestRulesAndRequestsAgree(t *testing.T) {
	for _, tt := range []struct {
		ref  string
		want string // registry/repository
		// lenient: only fixers accepts the reference. Its rules report on
		// what a person wrote (an upper-case repository, say), where a
		// request must follow the distribution grammar; the registry
		// refuses it as an invalid reference (CF003 says so).
		lenient bool
	}{
		{ref: "redis", want: "docker.io/library/redis"},
		{ref: "redis:7", want: "docker.io/library/redis"},
		{ref: "library/redis:7", want: "docker.io/library/redis"},
		{ref: "docker.io/redis:7", want: "docker.io/library/redis"},
		{ref: "docker.io/library/redis:7", want: "docker.io/library/redis"},
		{ref: "index.docker.io/redis:7", want: "docker.io/library/redis"},
		{ref: "index.docker.io/library/redis", want: "docker.io/library/redis"},
		{ref: "registry-1.docker.io/bitnami/redis:7", want: "docker.io/bitnami/redis"},
		{ref: "Index.Docker.IO/redis:7", want: "docker.io/library/redis"},
		{ref: "bitnami/redis:7", want: "docker.io/bitnami/redis"},
		{ref: "registry:2", want: "docker.io/library/registry"},
		{ref: "localhost", want: "docker.io/library/localhost"},
		{ref: "ghcr.io/acme/team/api:1", want: "ghcr.io/acme/team/api"},
		{ref: "Registry.Example.com:443/app:1", want: "registry.example.com:443/app"},
		{ref: "registry.example.com:5000/app", want: "registry.example.com:5000/app"},
		{ref: "127.0.0.1:5000/team/app:1.0", want: "127.0.0.1:5000/team/app"},
		{ref: "localhost:5000/app", want: "localhost:5000/app"},
		{ref: "localhost/app:1", want: "localhost/app"},
		{ref: "Localhost/app:1", want: "localhost/app"},
		// A single-label host is a host only because of its capitals:
		// lowercased, "registry/app" would name Docker Hub's
		// docker.io/registry/app, so both keep them.
		{ref: "Registry/app:1", want: "Registry/app"},
		{ref: "MyRegistry:5000/app", want: "myregistry:5000/app"},
		{ref: "[::1]:5000/app:1", want: "[::1]:5000/app"},
		{ref: "[::1]/app", want: "[::1]/app"},
		{ref: "[2001:db8::1]:5000/team/app@" + digest, want: "[2001:db8::1]:5000/team/app"},
		{ref: "redis@" + digest, want: "docker.io/library/redis"},
		{ref: "redis:7@" + digest, want: "docker.io/library/redis"},
		{ref: "index.docker.io/redis:7.4.1@" + digest, want: "docker.io/library/redis"},
		{ref: "localhost:5000/app:1@" + digest, want: "localhost:5000/app"},
		{ref: "Redis:7", want: "docker.io/library/Redis", lenient: true},
		{ref: "acme/Team/api", want: "docker.io/acme/Team/api", lenient: true},
		{ref: "exa_mple.com/app:1", want: "exa_mple.com/app", lenient: true},
	} {
		t.Run(strings.NewReplacer("/", "_").Replace(tt.ref[:min(len(tt.ref), 40)]), func(t *testing.T) {
			fr, ok := fixers.ParseImageRef(tt.ref)
			if !ok {
				t.Fatalf("fixers.ParseImageRef(%q) refused it", tt.ref)
			}
			if got := fr.Repo(); got != tt.want {
				t.Errorf("fixers.ParseImageRef(%q).Repo() = %q, want %q", tt.ref, got, tt.want)
			}
			rr, err := registry.ParseReference(tt.ref)
			if tt.lenient {
				if err == nil {
					t.Errorf("registry.ParseReference(%q) = %q, want an error (the row says only fixers accepts it)", tt.ref, rr.Repo())
				}
				return
			}
			if err != nil {
				t.Fatalf("registry.ParseReference(%q): %v", tt.ref, err)
			}
			if got := rr.Repo(); got != tt.want {
				t.Errorf("registry.ParseReference(%q).Repo() = %q, want %q", tt.ref, got, tt.want)
			}
			if fr.Repo() != rr.Repo() {
				t.Errorf("%q: fixers reads %q, registry %q", tt.ref, fr.Repo(), rr.Repo())
			}
			// The name a pin edit keeps before ":tag" is the same text.
			if fr.Name != rr.Name() {
				t.Errorf("%q: fixers' name %q, registry's %q", tt.ref, fr.Name, rr.Name())
			}
		})
	}
}
