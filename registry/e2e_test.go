package registry

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/composefix/composefix/internal/regtest"

	"github.com/google/go-containerregistry/pkg/authn"
)

// e2eFamilies is what the end-to-end tests push.
var e2eFamilies = []family{
	{repo: "library/redis", tags: []string{"7.4.1-alpine", "7.4-alpine", "7-alpine", "alpine"}},
	{repo: "library/redis", tags: []string{"7.4.0-alpine"}},
	{repo: "library/redis", tags: []string{"7.4.1", "7.4", "7", "latest"}, index: true},
	{repo: "library/traefik", tags: []string{"v3.2.3", "v3.2", "v3", "latest"}, index: true},
	{repo: "library/traefik", tags: []string{"v3.2.2"}},
	{repo: "minio/minio", tags: []string{"RELEASE.2024-12-13T22-19-12Z", "latest"}},
	{repo: "minio/minio", tags: []string{"RELEASE.2024-11-07T00-52-20Z"}},
}

// dockerConfig writes a Docker config.json with the given auths into a
// temporary directory and points DOCKER_CONFIG at it.
func dockerConfig(t *testing.T, auths map[string]string) {
	t.Helper()
	regtest.DockerConfig(t, t.TempDir(), auths)
}

func TestE2EDistributionRegistry(t *testing.T) {
	const user, pass = "composefix", "e2e-Pa55word"
	htpasswd := regtest.Htpasswd(t, user, pass)
	tests := []struct {
		name     string
		htpasswd string
		auths    map[string]string // host placeholder "REG" is replaced
	}{
		{name: "plain"},
		{name: "htpasswd basic auth", htpasswd: htpasswd, auths: map[string]string{"REG": user + ":" + pass}},
	}
	want := map[string]string{
		"redis:7-alpine":     "7.4.1-alpine",
		"redis:alpine":       "7.4.1-alpine",
		"redis:7":            "7.4.1",
		"redis":              "7.4.1",
		"traefik:latest":     "v3.2.3",
		"traefik:v3":         "v3.2.3",
		"minio/minio:latest": "RELEASE.2024-12-13T22-19-12Z",
		"redis:7.4.0-alpine": "7.4.0-alpine",
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host := regtest.Distribution(t, tt.htpasswd)
			var pushAuth authn.Authenticator = authn.Anonymous
			if tt.htpasswd != "" {
				pushAuth = &authn.Basic{Username: user, Password: pass}
			}
			p := pushE2E(t, host, pushAuth)
			auths := map[string]string{}
			for k, v := range tt.auths {
				auths[strings.ReplaceAll(k, "REG", host)] = v
			}
			dockerConfig(t, auths)

			r, err := New(WithMirror("docker.io", "http://"+host), WithCacheDir(t.TempDir()), WithTotalTimeout(time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			var reqs []Request
			for ref := range want {
				reqs = append(reqs, Request{Ref: ref, Precise: true})
			}
			minor := PolicyMinor
			reqs = append(reqs, Request{Ref: "traefik:v3.2.2", Policy: &minor})
			got := r.Resolve(context.Background(), reqs)
			for ref, tag := range want {
				res := got[ref]
				if res.Err != nil {
					t.Errorf("Resolve(%q): %v", ref, res.Err)
					continue
				}
				if res.Tag != tag {
					t.Errorf("Resolve(%q).Tag = %q, want %q", ref, res.Tag, tag)
				}
				if d := p.digestOf(t, res.Ref.Repository+":"+res.Ref.Tag); res.Digest != d {
					t.Errorf("Resolve(%q).Digest = %s, want %s", ref, res.Digest, d)
				}
			}
			if res := got["traefik:v3.2.2"]; res.Err != nil || len(res.Newer) == 0 || res.Newer[0] != (TagDigest{"v3.2.3", p.digestOf(t, "library/traefik:v3.2.3")}) {
				t.Errorf("Resolve(traefik:v3.2.2, minor).Newer = %v (err %v), want v3.2.3 first with its digest", res.Newer, res.Err)
			}
			// 1 ping, 3 tag lists, 9 unique references and 4 precise or
			// newer candidates (7.4.1-alpine, 7.4.1, v3.2.3, the minio
			// release): one manifest GET each, no HEAD.
			if s := r.Stats(); s.Requests["GET"] != 17 || s.Total() != 17 {
				t.Errorf("Stats() = %+v, want exactly 17 GETs", s)
			}

			if tt.htpasswd != "" {
				dockerConfig(t, map[string]string{host: user + ":wrong-" + pass})
				bad, err := New(WithMirror("docker.io", "http://"+host), WithCacheDir(""))
				if err != nil {
					t.Fatal(err)
				}
				res := bad.Resolve(context.Background(), []Request{{Ref: "redis:7"}})["redis:7"]
				if !errors.Is(res.Err, ErrUnauthorized) || strings.Contains(res.Err.Error(), pass) {
					t.Errorf("Resolve(redis:7) with a wrong password: error = %v, want ErrUnauthorized without the password", res.Err)
				}
			}
		})
	}
}

func pushE2E(t *testing.T, host string, auth authn.Authenticator) pushed {
	t.Helper()
	return pushed(regtest.Push(t, host, auth, regtestFamilies(e2eFamilies)))
}
