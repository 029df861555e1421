package registry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/composefix/composefix/internal/regtest"
	"github.com/google/go-cmp/cmp"
)

func TestResolveDigestOneRequestPerUniqueReference(t *testing.T) {
	rec := &recorder{}
	host := testRegistry(t, rec.wrap)
	p := populate(t, host, fixtureFamilies)
	rec.reset()
	r := newTestResolver(t, host)

	// 50 "files" name four images, in every Docker Hub spelling.
	spellings := []string{
		"redis:7-alpine", "docker.io/redis:7-alpine", "docker.io/library/redis:7-alpine",
		"index.docker.io/library/redis:7-alpine", "registry-1.docker.io/redis:7-alpine",
		"traefik:v3", "docker.io/library/traefik:v3",
		"minio/minio", "minio/minio:latest", "index.docker.io/minio/minio:latest",
		"redis:7",
	}
	var reqs []Request
	for i := range 50 {
		reqs = append(reqs, Request{Ref: spellings[i%len(spellings)]})
	}
	got := r.Resolve(context.Background(), reqs)

	want := map[string]string{
		"redis:7-alpine":                         p.digestOf(t, "library/redis:7-alpine"),
		"docker.io/redis:7-alpine":               p.digestOf(t, "library/redis:7-alpine"),
		"docker.io/library/redis:7-alpine":       p.digestOf(t, "library/redis:7-alpine"),
		"index.docker.io/library/redis:7-alpine": p.digestOf(t, "library/redis:7-alpine"),
		"registry-1.docker.io/redis:7-alpine":    p.digestOf(t, "library/redis:7-alpine"),
		"traefik:v3":                             p.digestOf(t, "library/traefik:v3"),
		"docker.io/library/traefik:v3":           p.digestOf(t, "library/traefik:v3"),
		"minio/minio":                            p.digestOf(t, "minio/minio:latest"),
		"minio/minio:latest":                     p.digestOf(t, "minio/minio:latest"),
		"index.docker.io/minio/minio:latest":     p.digestOf(t, "minio/minio:latest"),
		"redis:7":                                p.digestOf(t, "library/redis:7"),
	}
	gotDigests := map[string]string{}
	for ref, res := range got {
		if res.Err != nil {
			t.Errorf("Resolve(%q): %v", ref, res.Err)
		}
		if res.Ref.Original != ref {
			t.Errorf("Resolve(%q).Ref.Original = %q, want the spelling as written", ref, res.Ref.Original)
		}
		gotDigests[ref] = res.Digest
	}
	if d := cmp.Diff(want, gotDigests); d != "" {
		t.Errorf("digests mismatch (-want +got):\n%s", d)
	}
	for _, path := range []string{"library/redis/manifests/7-alpine", "library/traefik/manifests/v3", "minio/minio/manifests/latest", "library/redis/manifests/7"} {
		if n := rec.countPath("GET", "/v2/"+path); n != 1 {
			t.Errorf("GET %s sent %d times, want 1", path, n)
		}
	}
	if n := rec.count("GET", "/manifests/"); n != 4 {
		t.Errorf("%d manifest GETs in all, want 4 (one per unique reference); requests: %v", n, rec.all())
	}
	if n := rec.count("HEAD", ""); n != 0 {
		t.Errorf("%d HEADs, want 0: a digest comes from manifest bytes hashed here, not from a header", n)
	}
	if n := rec.count("GET", "/tags/list"); n != 0 {
		t.Errorf("%d tag lists fetched for plain digest lookups, want 0", n)
	}
	if n := rec.count("GET", ""); n != 5 {
		t.Errorf("%d GETs, want 5 (a single ping of the registry and 4 manifests); requests: %v", n, rec.all())
	}
	if s := r.Stats(); s.Requests["GET"] != 5 || s.Total() != 5 {
		t.Errorf("Stats().Requests = %v, want 5 GETs and nothing else", s.Requests)
	}
}

func TestResolveWarmCacheCostsNothing(t *testing.T) {
	rec := &recorder{}
	host := testRegistry(t, rec.wrap)
	populate(t, host, fixtureFamilies)
	dir := t.TempDir()
	reqs := []Request{
		{Ref: "redis:7-alpine", Precise: true},
		{Ref: "traefik:latest", Precise: true},
		{Ref: "minio/minio:latest", Precise: true},
		{Ref: "postgres:16", Precise: true},
		{Ref: "redis:7.4.0-alpine", Policy: ptr(PolicyMinor)},
	}
	cold := newTestResolver(t, host, WithCacheDir(dir))
	rec.reset()
	first := cold.Resolve(context.Background(), reqs)
	if rec.count("", "") == 0 {
		t.Fatal("cold run sent no requests")
	}
	for ref, res := range first {
		if res.Err != nil || res.Cached {
			t.Errorf("cold Resolve(%q) = %s, want a fresh answer", ref, describe(res))
		}
	}
	rec.reset()
	warm := newTestResolver(t, host, WithCacheDir(dir))
	second := warm.Resolve(context.Background(), reqs)
	if n := rec.count("", ""); n != 0 {
		t.Errorf("warm run sent %d requests, want 0: %v", n, rec.all())
	}
	if s := warm.Stats(); s.Total() != 0 || s.CacheMisses != 0 || s.CacheHits == 0 {
		t.Errorf("warm Stats() = %+v, want only cache hits", s)
	}
	for ref, res := range second {
		if !res.Cached {
			t.Errorf("warm Resolve(%q).Cached = false, want true", ref)
		}
		res.Cached = first[ref].Cached
		if d := cmp.Diff(describe(first[ref]), describe(res)); d != "" {
			t.Errorf("warm Resolve(%q) differs from cold (-cold +warm):\n%s", ref, d)
		}
	}
}

func ptr[T any](v T) *T { return &v }

func TestResolvePreciseTag(t *testing.T) {
	tests := []struct {
		ref  string
		want string
	}{
		{ref: "redis:7-alpine", want: "7.4.1-alpine"},
		{ref: "redis:7.4-alpine", want: "7.4.1-alpine"},
		{ref: "redis:alpine", want: "7.4.1-alpine"},
		{ref: "redis:7", want: "7.4.1"},
		{ref: "redis", want: "7.4.1"},
		{ref: "redis:latest", want: "7.4.1"},
		{ref: "redis:bookworm", want: "7.4.1-bookworm"},
		{ref: "redis:7-bookworm", want: "7.4.1-bookworm"},
		{ref: "redis:6", want: "6.2.16"},
		{ref: "redis:7.4.0-alpine", want: "7.4.0-alpine"}, // already precise: no search
		{ref: "traefik:v3", want: "v3.2.3"},
		{ref: "traefik:latest", want: "v3.2.3"},
		{ref: "traefik:v3.1", want: "v3.1.7"},
		{ref: "traefik:v2", want: ""}, // no precise tag carries its digest: pin the digest
		{ref: "minio/minio:latest", want: "RELEASE.2024-12-13T22-19-12Z"},
		{ref: "postgres:16", want: "16.6"}, // the most precise postgres publishes
		// Issue 10: a codename, a distribution version and a version plus a
		// channel word are floating; the tag with the same digest is found.
		{ref: "traefik:cantal", want: "v3.2.3"},
		{ref: "ubuntu:22.04", want: "jammy-20240911.1"},
		{ref: "ubuntu:20.04", want: ""}, // no dated tag carries its digest: pin the digest
		{ref: "mssql/server:2019-latest", want: "2019-CU28-ubuntu-20.04"},
		{ref: "mssql/server:2017-latest", want: ""}, // a channel with nothing else in its line: pin the digest
	}
	rec := &recorder{}
	host := testRegistry(t, rec.wrap)
	p := populate(t, host, fixtureFamilies)
	const maxCandidates = 4
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			rec.reset()
			r := newTestResolver(t, host, WithMaxCandidates(maxCandidates))
			got := r.Resolve(context.Background(), []Request{{Ref: tt.ref, Precise: true}})[tt.ref]
			if got.Err != nil {
				t.Fatalf("Resolve(%q): %v", tt.ref, got.Err)
			}
			if got.Tag != tt.want {
				t.Errorf("Resolve(%q).Tag = %q, want %q", tt.ref, got.Tag, tt.want)
			}
			repo := got.Ref.Repository
			if want := p.digestOf(t, repo+":"+got.Ref.Tag); got.Digest != want {
				t.Errorf("Resolve(%q).Digest = %s, want %s", tt.ref, got.Digest, want)
			}
			if got.Tag != "" && p.digestOf(t, repo+":"+got.Tag) != got.Digest {
				t.Errorf("Resolve(%q).Tag = %q carries another digest", tt.ref, got.Tag)
			}
			// The bound: one tag list, the tag's own manifest and at most maxCandidates more.
			if n := rec.count("GET", "/tags/list"); n > 1 {
				t.Errorf("Resolve(%q) listed tags %d times, want at most 1", tt.ref, n)
			}
			if n := rec.count("GET", "/manifests/"); n > 1+maxCandidates {
				t.Errorf("Resolve(%q) sent %d manifest GETs, want at most %d", tt.ref, n, 1+maxCandidates)
			}
			if n := rec.count("HEAD", ""); n != 0 {
				t.Errorf("Resolve(%q) sent %d HEADs, want 0", tt.ref, n)
			}
		})
	}
}

func TestResolvePreciseSharesLookupsAcrossTags(t *testing.T) {
	rec := &recorder{}
	host := testRegistry(t, rec.wrap)
	populate(t, host, fixtureFamilies)
	rec.reset()
	r := newTestResolver(t, host)
	refs := []string{"redis:7-alpine", "redis:alpine", "redis:7.4-alpine", "docker.io/redis:7-alpine"}
	var reqs []Request
	for _, ref := range refs {
		reqs = append(reqs, Request{Ref: ref, Precise: true})
	}
	got := r.Resolve(context.Background(), reqs)
	for _, ref := range refs {
		if got[ref].Tag != "7.4.1-alpine" {
			t.Errorf("Resolve(%q) = %s, want Tag 7.4.1-alpine", ref, describe(got[ref]))
		}
	}
	if n := rec.count("GET", "/tags/list"); n != 1 {
		t.Errorf("tag list fetched %d times, want once for the repository", n)
	}
	if n := rec.countPath("GET", "/v2/library/redis/manifests/7.4.1-alpine"); n != 1 {
		t.Errorf("GET 7.4.1-alpine sent %d times, want once", n)
	}
}

// paginate serves tag lists in pages of size n with Link headers, as
// registries with many tags do (the in-memory one returns all at once).
func paginate(size int) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !strings.HasSuffix(r.URL.Path, "/tags/list") || r.Method != http.MethodGet {
				next.ServeHTTP(w, r)
				return
			}
			q := r.URL.Query()
			last := q.Get("last")
			q.Del("n")
			q.Del("last")
			inner := r.Clone(r.Context())
			inner.URL.RawQuery = q.Encode()
			rw := &captured{header: http.Header{}}
			next.ServeHTTP(rw, inner)
			var list struct {
				Name string   `json:"name"`
				Tags []string `json:"tags"`
			}
			if err := jsonUnmarshal(rw.body.Bytes(), &list); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			var page []string
			for _, tag := range list.Tags {
				if tag > last && len(page) < size {
					page = append(page, tag)
				}
			}
			if len(page) == size && page[size-1] != list.Tags[len(list.Tags)-1] {
				u := url.URL{Path: r.URL.Path, RawQuery: "n=" + strconv.Itoa(size) + "&last=" + url.QueryEscape(page[size-1])}
				w.Header().Set("Link", fmt.Sprintf("<%s>; rel=\"next\"", u.String()))
			}
			w.Header().Set("Content-Type", "application/json")
			writeJSON(w, map[string]any{"name": list.Name, "tags": page})
		})
	}
}

func TestResolvePaginatedTagList(t *testing.T) {
	rec := &recorder{}
	host := testRegistry(t, func(h http.Handler) http.Handler { return rec.wrap(paginate(3)(h)) })
	populate(t, host, fixtureFamilies)
	rec.reset()
	r := newTestResolver(t, host)
	got := r.Resolve(context.Background(), []Request{{Ref: "redis:7-alpine", Precise: true}})["redis:7-alpine"]
	if got.Err != nil || got.Tag != "7.4.1-alpine" {
		t.Fatalf("Resolve(redis:7-alpine) = %s, want Tag 7.4.1-alpine", describe(got))
	}
	// library/redis has 18 tags: 6 pages of 3.
	if n := rec.count("GET", "/tags/list"); n != 6 {
		t.Errorf("tag list took %d GETs, want 6 pages of 3", n)
	}
}

func TestResolveNewer(t *testing.T) {
	rec := &recorder{}
	host := testRegistry(t, rec.wrap)
	p := populate(t, host, fixtureFamilies)
	tests := []struct {
		ref    string
		policy Policy
		want   []TagDigest
	}{
		{ref: "redis:7.4.0-alpine", policy: PolicyMinor, want: []TagDigest{{"7.4.1-alpine", p.digestOf(t, "library/redis:7.4.1-alpine")}}},
		{ref: "redis:7.4.0", policy: PolicyPatch, want: []TagDigest{{"7.4.1", p.digestOf(t, "library/redis:7.4.1")}}},
		{ref: "redis:6.2.16", policy: PolicyMinor, want: nil},
		{ref: "redis:6.2.16", policy: PolicyMajor, want: []TagDigest{{"7.4.1", p.digestOf(t, "library/redis:7.4.1")}, {"7.4.0", ""}}},
		{ref: "traefik:v3.1.7", policy: PolicyMinor, want: []TagDigest{{"v3.2.3", p.digestOf(t, "library/traefik:v3.2.3")}, {"v3.2.2", ""}}},
		{ref: "minio/minio:RELEASE.2024-11-07T00-52-20Z", policy: PolicyMajor, want: []TagDigest{{"RELEASE.2024-12-13T22-19-12Z", p.digestOf(t, "minio/minio:latest")}}},
	}
	for _, tt := range tests {
		t.Run(tt.ref+"/"+tt.policy.String(), func(t *testing.T) {
			r := newTestResolver(t, host)
			got := r.Resolve(context.Background(), []Request{{Ref: tt.ref, Policy: &tt.policy}})[tt.ref]
			if got.Err != nil {
				t.Fatalf("Resolve(%q): %v", tt.ref, got.Err)
			}
			if d := cmp.Diff(tt.want, got.Newer); d != "" {
				t.Errorf("Resolve(%q, %s).Newer mismatch (-want +got):\n%s", tt.ref, tt.policy, d)
			}
		})
	}
}

func TestResolveBadRequests(t *testing.T) {
	rec := &recorder{}
	host := testRegistry(t, rec.wrap)
	p := populate(t, host, fixtureFamilies)
	rec.reset()
	r := newTestResolver(t, host)
	got := r.Resolve(context.Background(), []Request{
		{Ref: "${REDIS_IMAGE}"},
		{Ref: "${REGISTRY:-docker.io}/redis:7"},
		{Ref: "${REDIS_IMAGE:-redis:7-alpine}"},
		{Ref: "Not A Reference"},
	})
	for ref, want := range map[string]error{"${REDIS_IMAGE}": ErrInterpolated, "${REGISTRY:-docker.io}/redis:7": ErrInterpolated, "Not A Reference": ErrInvalidReference} {
		if !errors.Is(got[ref].Err, want) {
			t.Errorf("Resolve(%q).Err = %v, want %v", ref, got[ref].Err, want)
		}
	}
	def := got["${REDIS_IMAGE:-redis:7-alpine}"]
	if def.Err != nil || def.Digest != p.digestOf(t, "library/redis:7-alpine") || def.Ref.Original != "redis:7-alpine" {
		t.Errorf("Resolve(${REDIS_IMAGE:-redis:7-alpine}) = %s (Ref %+v), want the default's digest", describe(def), def.Ref)
	}
	if n := rec.count("GET", "/manifests/"); n != 1 {
		t.Errorf("%d manifest GETs, want 1: interpolated and invalid references cost no request", n)
	}
}

func TestResolveDigestReference(t *testing.T) {
	rec := &recorder{}
	host := testRegistry(t, rec.wrap)
	p := populate(t, host, fixtureFamilies)
	rec.reset()
	r := newTestResolver(t, host)
	cur := p.digestOf(t, "library/redis:7-alpine")
	stale := p.digestOf(t, "library/redis:7.4.0-alpine")
	missing := "sha256:" + strings.Repeat("ab", 32)
	reqs := []Request{
		{Ref: "redis:7-alpine@" + stale, Precise: true},
		{Ref: "redis@" + cur},
		{Ref: "redis@" + missing},
	}
	got := r.Resolve(context.Background(), reqs)
	if g := got[reqs[0].Ref]; g.Err != nil || g.Digest != cur || g.Tag != "7.4.1-alpine" {
		t.Errorf("Resolve(tag@stale) = %s, want the tag's current digest %s and Tag 7.4.1-alpine", describe(g), cur)
	}
	if g := got[reqs[1].Ref]; g.Err != nil || g.Digest != cur || g.Tag != "" {
		t.Errorf("Resolve(@digest) = %s, want digest %s and no tag", describe(g), cur)
	}
	if g := got[reqs[2].Ref]; !errors.Is(g.Err, ErrNotFound) {
		t.Errorf("Resolve(@missing) = %s, want ErrNotFound", describe(g))
	}
}

// TestResolveEachSpellingUnderItsOwnPolicy checks that spellings of one
// image asked under different policies and minimum ages are each answered
// under their own, whichever comes first: the first request's policy used
// to answer them all, so a patch-only file could be offered a minor bump.
// The tag list and every digest are still fetched once.
func TestResolveEachSpellingUnderItsOwnPolicy(t *testing.T) {
	var rc recorder
	host := testRegistry(t, rc.wrap)
	p := pushed(regtest.Push(t, host, nil, releaseFamilies))
	patch, minor := PolicyPatch, PolicyMinor
	week := 7 * 24 * time.Hour
	reqs := []Request{
		{Ref: "redis:7.4.1", Policy: &patch, Releases: true},
		{Ref: "docker.io/library/redis:7.4.1", Policy: &minor, Releases: true},
		{Ref: "index.docker.io/library/redis:7.4.1", Policy: &minor, Releases: true, MinAge: week},
		{Ref: "docker.io/redis:7.4.1"}, // no policy: no update asked
	}
	want := map[string]struct {
		newer string
		held  []string
	}{
		"redis:7.4.1":                         {newer: "7.4.3"},
		"docker.io/library/redis:7.4.1":       {newer: "7.6.0"},
		"index.docker.io/library/redis:7.4.1": {newer: "7.4.3", held: []string{"7.6.0", "7.5.0"}},
		"docker.io/redis:7.4.1":               {},
	}
	for _, order := range [][]int{{0, 1, 2, 3}, {3, 2, 1, 0}, {1, 0, 3, 2}} {
		var asked []Request
		for _, i := range order {
			asked = append(asked, reqs[i])
		}
		t.Run(fmt.Sprint(order), func(t *testing.T) {
			rc.reset()
			got := newTestResolver(t, host).Resolve(context.Background(), asked)
			for ref, w := range want {
				res := got[ref]
				if res.Err != nil {
					t.Fatalf("Resolve(%q): %v", ref, res.Err)
				}
				if res.Digest != p.digestOf(t, "library/redis:7.4.1") {
					t.Errorf("Resolve(%q).Digest = %s, want 7.4.1's", ref, res.Digest)
				}
				var newer string
				if len(res.Newer) > 0 {
					newer = res.Newer[0].Tag
				}
				if newer != w.newer {
					t.Errorf("Resolve(%q).Newer[0] = %q, want %q", ref, newer, w.newer)
				}
				if d := cmp.Diff(w.held, res.Held); d != "" {
					t.Errorf("Resolve(%q).Held (-want +got):\n%s", ref, d)
				}
			}
			if n := rc.count("GET", "/tags/list"); n != 1 {
				t.Errorf("the tag list was fetched %d times, want 1:\n%s", n, strings.Join(rc.all(), "\n"))
			}
			for _, tag := range []string{"7.4.1", "7.4.3", "7.5.0", "7.6.0"} {
				if n := rc.countPath("GET", "/v2/library/redis/manifests/"+tag); n > 1 {
					t.Errorf("the manifest of %s was fetched %d times, want at most 1", tag, n)
				}
			}
		})
	}
}
