package registry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/composefix/composefix/internal/pollcheck"
)

func TestDiskCache(t *testing.T) {
	clk := newFakeClock()
	c := newDiskCache(t.TempDir(), time.Hour, time.Hour, clk.Now)
	if _, ok := c.get(kindTags, "docker.io/library/redis", false); ok {
		t.Fatal("empty cache: get = hit, want miss")
	}
	if err := c.put(kindTags, "docker.io/library/redis", cacheEntry{Tags: []string{"7", "7.4.1"}}); err != nil {
		t.Fatal(err)
	}
	if err := c.put(kindDigest, "docker.io/library/redis:7", cacheEntry{Digest: testDigest}); err != nil {
		t.Fatal(err)
	}
	e, ok := c.get(kindTags, "docker.io/library/redis", false)
	if !ok || !cmp.Equal(e.Tags, []string{"7", "7.4.1"}) {
		t.Errorf("get(tags) = %+v, %v, want the stored tags", e, ok)
	}
	if e, ok := c.get(kindDigest, "docker.io/library/redis:7", false); !ok || e.Digest != testDigest {
		t.Errorf("get(digest) = %+v, %v, want %s", e, ok, testDigest)
	}
	if _, ok := c.get(kindDigest, "docker.io/library/redis:8", false); ok {
		t.Error("get(other key) = hit, want miss")
	}

	clk.advance(59 * time.Minute)
	if _, ok := c.get(kindTags, "docker.io/library/redis", false); !ok {
		t.Error("get at 59m with a 1h TTL = miss, want hit")
	}
	clk.advance(2 * time.Minute)
	if _, ok := c.get(kindTags, "docker.io/library/redis", false); ok {
		t.Error("get at 61m with a 1h TTL = hit, want miss")
	}
	if _, ok := c.get(kindTags, "docker.io/library/redis", true); !ok {
		t.Error("get(anyAge) of an expired entry = miss, want hit (offline)")
	}
	future := newDiskCache(c.dir[:len(c.dir)-len("/registry/"+cacheVersion)], time.Hour, time.Hour, func() time.Time { return clk.Now().Add(-2 * time.Hour) })
	if _, ok := future.get(kindTags, "docker.io/library/redis", false); ok {
		t.Error("get of an entry dated in the future = hit, want miss")
	}
}

func TestDiskCacheCorruptFilesAreMisses(t *testing.T) {
	clk := newFakeClock()
	c := newDiskCache(t.TempDir(), time.Hour, time.Hour, clk.Now)
	key := "docker.io/library/redis:7"
	if err := c.put(kindDigest, key, cacheEntry{Digest: testDigest}); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{
		"truncated": `{"key":"docker.io/library/redis:7","digest":"sha256:01`,
		"empty":     ``,
		"not json":  "\x00\x01garbage",
		"other key": `{"key":"docker.io/library/redis:8","fetched":"2025-01-02T03:04:05Z","digest":"` + testDigest + `"}`,
		"no digest": `{"key":"docker.io/library/redis:7","fetched":"2025-01-02T03:04:05Z"}`,
		// A digest the cache gives is written into compose files as a pin:
		// one that is not a sha256 digest (a torn value in whole JSON, an
		// edited file) is not one composefix hashed.
		"short digest":    `{"key":"docker.io/library/redis:7","fetched":"2025-01-02T03:04:05Z","digest":"sha256:01"}`,
		"digest and text": `{"key":"docker.io/library/redis:7","fetched":"2025-01-02T03:04:05Z","digest":"` + testDigest + ` # x"}`,
		"not sha256":      `{"key":"docker.io/library/redis:7","fetched":"2025-01-02T03:04:05Z","digest":"md5:0123456789abcdef0123456789abcdef"}`,
		"wrong types":     `{"key":"docker.io/library/redis:7","fetched":"yesterday","digest":7}`,
	} {
		t.Run(name, func(t *testing.T) {
			if err := os.WriteFile(c.path(kindDigest, key), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			if e, ok := c.get(kindDigest, key, true); ok {
				t.Errorf("get of a %s file = %+v, want a miss", name, e)
			}
		})
	}
}

func TestDiskCacheConcurrentWriters(t *testing.T) {
	dir := t.TempDir()
	clk := newFakeClock()
	// Many writers (as separate runs sharing a CI cache) and readers on the
	// same keys: a reader sees a whole entry or none, never a torn one.
	var wg sync.WaitGroup
	errs := make(chan error, 1000)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := newDiskCache(dir, time.Hour, time.Hour, clk.Now)
			for i := range 50 {
				tags := make([]string, 50+w)
				for j := range tags {
					tags[j] = fmt.Sprintf("%d.%d.%d", w, i, j)
				}
				if err := c.put(kindTags, "docker.io/library/redis", cacheEntry{Tags: tags}); err != nil {
					errs <- err
					return
				}
				if e, ok := c.get(kindTags, "docker.io/library/redis", false); ok && len(e.Tags) < 50 {
					errs <- fmt.Errorf("torn entry with %d tags", len(e.Tags))
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	left, _ := filepath.Glob(filepath.Join(dir, "registry", cacheVersion, kindTags, ".tmp-*"))
	if len(left) != 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

func TestResolveCacheModes(t *testing.T) {
	rec := &recorder{}
	host := testRegistry(t, rec.wrap)
	p := populate(t, host, fixtureFamilies)
	dir := t.TempDir()
	clk := newFakeClock()
	reqs := []Request{{Ref: "redis:7-alpine", Precise: true}}
	want := p.digestOf(t, "library/redis:7-alpine")
	resolve := func(opts ...Option) (Result, int) {
		t.Helper()
		rec.reset()
		r := newTestResolver(t, host, append([]Option{WithCacheDir(dir), withClock(clk)}, opts...)...)
		res := r.Resolve(context.Background(), reqs)["redis:7-alpine"]
		return res, rec.count("", "")
	}

	if res, n := resolve(WithOffline(true)); !errors.Is(res.Err, ErrOffline) || n != 0 {
		t.Errorf("offline with an empty cache = %s after %d requests, want ErrOffline and none", describe(res), n)
	}
	if res, n := resolve(); res.Err != nil || res.Digest != want || n == 0 {
		t.Fatalf("cold = %s after %d requests, want the digest from the registry", describe(res), n)
	}
	if res, n := resolve(); res.Err != nil || !res.Cached || n != 0 {
		t.Errorf("warm = %s after %d requests, want a cached answer and none", describe(res), n)
	}
	clk.advance(time.Minute) // a later run: refresh distrusts what earlier runs cached
	if res, n := resolve(WithRefresh(true)); res.Err != nil || res.Cached || n == 0 {
		t.Errorf("refresh = %s after %d requests, want a fresh answer", describe(res), n)
	}
	clk.advance(2 * time.Hour)
	if res, n := resolve(WithOffline(true)); res.Err != nil || !res.Cached || res.Tag != "7.4.1-alpine" || n != 0 {
		t.Errorf("offline with an expired cache = %s after %d requests, want the cached answer", describe(res), n)
	}
	if res, n := resolve(); res.Err != nil || res.Cached || n == 0 {
		t.Errorf("online with an expired cache = %s after %d requests, want a fresh answer", describe(res), n)
	}
	if res, n := resolve(WithTTL(3 * time.Hour)); res.Err != nil || !res.Cached || n != 0 {
		t.Errorf("after the refetch = %s after %d requests, want a cached answer", describe(res), n)
	}
}

// TestResolveRemembersNotFound: a registry's 404 (for a repository, a tag
// or a digest) is cached for the not-found TTL, so that a warm run sends
// nothing, prints what the cold run printed, and --refresh asks again.
func TestResolveRemembersNotFound(t *testing.T) {
	rec := &recorder{}
	host := testRegistry(t, rec.wrap)
	populate(t, host, fixtureFamilies)
	dir := t.TempDir()
	clk := newFakeClock()
	missing := "sha256:" + strings.Repeat("ab", 32)
	reqs := []Request{{Ref: "nosuch/image:1", Precise: true}, {Ref: "redis:99"}, {Ref: "redis@" + missing}, {Ref: "redis:7-alpine"}}
	resolve := func(opts ...Option) (map[string]Result, int) {
		t.Helper()
		rec.reset()
		r := newTestResolver(t, host, append([]Option{WithCacheDir(dir), withClock(clk)}, opts...)...)
		return r.Resolve(context.Background(), reqs), rec.count("", "")
	}
	wantErr := map[string]string{
		"nosuch/image:1":   "looking up the digest of docker.io/nosuch/image:1: not found: the registry has no repository docker.io/nosuch/image",
		"redis:99":         `looking up the digest of docker.io/library/redis:99: not found: the registry has no tag "99"`,
		"redis@" + missing: "looking up the digest of docker.io/library/redis@" + missing + ": not found: the registry has no manifest " + missing,
	}
	check := func(run string, got map[string]Result, cached bool) {
		t.Helper()
		for ref, want := range wantErr {
			res := got[ref]
			if !errors.Is(res.Err, ErrNotFound) || res.Err.Error() != want || res.Cached != cached {
				t.Errorf("%s: Resolve(%q) = %s, want error %q, cached %v", run, ref, describe(res), want, cached)
			}
		}
	}

	cold, n := resolve()
	check("cold", cold, false)
	if n == 0 {
		t.Fatal("cold run sent no request")
	}
	warm, n := resolve()
	check("warm", warm, true)
	if n != 0 {
		t.Errorf("warm run sent %d requests, want 0: %v", n, rec.all())
	}
	if res := warm["redis:7-alpine"]; res.Err != nil || !res.Cached {
		t.Errorf("warm: Resolve(redis:7-alpine) = %s, want the cached digest", describe(res))
	}
	clk.advance(time.Minute) // a later run: refresh distrusts what earlier runs cached
	if got, n := resolve(WithRefresh(true)); n < 3 {
		t.Errorf("--refresh sent %d requests, want the 404s asked again", n)
	} else {
		check("refresh", got, false)
	}

	// A 404 lives for its own TTL, shorter than the positive answers'.
	clk.advance(11 * time.Minute)
	if _, n := resolve(WithNotFoundTTL(10 * time.Minute)); n != 4 {
		t.Errorf("after the not-found TTL: %d requests, want a ping and the 3 missing references asked again, no more: %v", n, rec.all())
	}
	clk.advance(2 * time.Hour)
	got, n := resolve(WithOffline(true))
	if n != 0 || !errors.Is(got["redis:99"].Err, ErrOffline) || got["redis:7-alpine"].Err != nil {
		t.Errorf("offline after both TTLs = %s and %s after %d requests, want the 404 forgotten (a stale one must not fail --check) and the digest kept",
			describe(got["redis:99"]), describe(got["redis:7-alpine"]), n)
	}
}

// A 404 is remembered only when it is the registry's own answer, naming
// MANIFEST_UNKNOWN or NAME_UNKNOWN in its error body. A proxy or portal
// answering a bare 404 page is reported as not found for this run, but
// not cached: the next run, against the healthy registry, resolves.
func TestResolveDoesNotRememberABare404(t *testing.T) {
	var portal atomic.Bool
	host := testRegistry(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if portal.Load() && r.URL.Path != "/v2/" {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(http.StatusNotFound)
				w.Write([]byte("<html>not here</html>"))
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	p := populate(t, host, fixtureFamilies)
	dir := t.TempDir()
	reqs := []Request{{Ref: "redis:7.4.1", Precise: true}}
	portal.Store(true)
	got := newTestResolver(t, host, WithCacheDir(dir)).Resolve(context.Background(), reqs)["redis:7.4.1"]
	if !errors.Is(got.Err, ErrNotFound) {
		t.Fatalf("behind the portal: %s, want ErrNotFound", describe(got))
	}
	portal.Store(false)
	got = newTestResolver(t, host, WithCacheDir(dir)).Resolve(context.Background(), reqs)["redis:7.4.1"]
	if got.Err != nil || got.Digest != p.digestOf(t, "library/redis:7.4.1") {
		t.Errorf("after the portal: %s, want the digest (the bare 404 was not cached)", describe(got))
	}
}

// TestOfflineResolvesMoreImagesThanJobs: offline, a few workers take the
// lookups in turn; with more references than workers, every one must
// still get its own answer: the cached digest, or ErrOffline.
func TestOfflineResolvesMoreImagesThanJobs(t *testing.T) {
	dir := t.TempDir()
	r, err := New(WithOffline(true), WithCacheDir(dir), WithJobs(3))
	if err != nil {
		t.Fatal(err)
	}
	var reqs []Request
	want := map[string]string{} // reference -> cached digest, "" for none
	for i := range 20 {
		text := fmt.Sprintf("team%02d/app:1.%d", i, i)
		reqs = append(reqs, Request{Ref: text})
		want[text] = ""
		if i%2 == 0 {
			ref, err := ParseReference(text)
			if err != nil {
				t.Fatal(err)
			}
			d := fmt.Sprintf("sha256:%064x", i+1)
			if err := r.cache.put(kindDigest, ref.Repo()+":"+ref.Tag, cacheEntry{Digest: d}); err != nil {
				t.Fatal(err)
			}
			want[text] = d
		}
	}
	got := r.Resolve(context.Background(), reqs)
	if len(got) != len(want) {
		t.Fatalf("Resolve answered %d references, want %d", len(got), len(want))
	}
	for text, d := range want {
		res := got[text]
		switch {
		case d != "" && (res.Err != nil || res.Digest != d):
			t.Errorf("%s = %s, want the cached digest %s", text, describe(res), d)
		case d == "" && !errors.Is(res.Err, ErrOffline):
			t.Errorf("%s = %s, want ErrOffline", text, describe(res))
		}
	}
}

// An empty tag list for a repository whose tag was just looked up is a
// registry or proxy not in sync (or a glitch), not the truth: it is this
// run's per-reference error (no "no newer version", no digest pin for want
// of a precise tag), never cached, and the good list cached before it
// stays. The empty list used to be written over the good entry (and read
// back as a miss), and the run answered from it as if there were no tags.
func TestResolveDoesNotTrustAnEmptyTagList(t *testing.T) {
	var empty atomic.Bool
	rec := &recorder{}
	host := testRegistry(t, func(next http.Handler) http.Handler {
		return rec.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if empty.Load() && strings.HasSuffix(r.URL.Path, "/tags/list") {
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(`{"name":"library/redis","tags":[]}`))
				return
			}
			next.ServeHTTP(w, r)
		}))
	})
	p := populate(t, host, fixtureFamilies)
	dir := t.TempDir()
	minor := PolicyMinor
	reqs := []Request{{Ref: "redis:7.4.0-alpine", Policy: &minor}, {Ref: "redis:7-alpine", Precise: true}}
	clk := newFakeClock()
	resolve := func(run string, opts ...Option) map[string]Result {
		t.Helper()
		rec.reset()
		got := newTestResolver(t, host, append([]Option{WithCacheDir(dir), withClock(clk)}, opts...)...).Resolve(context.Background(), reqs)
		if n := rec.count("GET", "/tags/list"); n > 1 {
			t.Errorf("%s: the tag list was fetched %d times, want at most 1", run, n)
		}
		return got
	}
	refused := func(run string, got map[string]Result) {
		t.Helper()
		for _, q := range reqs {
			res := got[q.Ref]
			if !errors.Is(res.Err, ErrBadResponse) || len(res.Newer) != 0 || res.Tag != "" || res.Cached {
				t.Errorf("%s: Resolve(%q) = %s, want ErrBadResponse and no answer from the empty list", run, q.Ref, describe(res))
			}
			if res.Digest == "" {
				t.Errorf("%s: Resolve(%q) lost its digest, which the list does not change", run, q.Ref)
			}
		}
		if n := rec.count("GET", "/tags/list"); n != 1 {
			t.Errorf("%s: the tag list was fetched %d times, want 1 (an empty list is not cached)", run, n)
		}
	}
	right := func(run string, got map[string]Result, listed int) {
		t.Helper()
		if res := got["redis:7.4.0-alpine"]; res.Err != nil || len(res.Newer) == 0 || res.Newer[0] != (TagDigest{"7.4.1-alpine", p.digestOf(t, "library/redis:7.4.1-alpine")}) {
			t.Errorf("%s: Resolve(redis:7.4.0-alpine) = %s, want 7.4.1-alpine newer", run, describe(res))
		}
		if res := got["redis:7-alpine"]; res.Err != nil || res.Tag != "7.4.1-alpine" {
			t.Errorf("%s: Resolve(redis:7-alpine) = %s, want the precise tag 7.4.1-alpine", run, describe(res))
		}
		if n := rec.count("GET", "/tags/list"); n != listed {
			t.Errorf("%s: the tag list was fetched %d times, want %d", run, n, listed)
		}
	}

	empty.Store(true)
	refused("cold, empty list", resolve("cold"))
	refused("again, empty list: not cached", resolve("again"))
	empty.Store(false)
	right("in sync", resolve("in sync"), 1)
	right("warm", resolve("warm"), 0)
	empty.Store(true)
	clk.advance(time.Minute) // a later run: refresh distrusts what earlier runs cached
	refused("refresh, empty list", resolve("refresh", WithRefresh(true)))
	right("warm after the empty list: the good entry stays", resolve("warm again"), 0)
	if got := resolve("offline", WithOffline(true)); got["redis:7-alpine"].Tag != "7.4.1-alpine" {
		t.Errorf("offline: Resolve(redis:7-alpine) = %s, want the cached list's precise tag", describe(got["redis:7-alpine"]))
	}
}

// A cache entry that does not decode, or holds what composefix never
// writes (a digest that is not a sha256 digest), is a miss: never used
// (the digest would be written into compose files as a pin), counted as
// a miss and not as cached, asked again once, and written anew.
func TestResolveRefetchesCorruptCacheEntries(t *testing.T) {
	rec := &recorder{}
	host := testRegistry(t, rec.wrap)
	p := populate(t, host, fixtureFamilies)
	dir := t.TempDir()
	reqs := []Request{{Ref: "redis:7-alpine", Precise: true}}
	c := newDiskCache(dir, time.Hour, time.Hour, time.Now)
	resolve := func() (Result, Stats) {
		t.Helper()
		rec.reset()
		r := newTestResolver(t, host, WithCacheDir(dir))
		return r.Resolve(context.Background(), reqs)["redis:7-alpine"], r.Stats()
	}
	if res, _ := resolve(); res.Err != nil || res.Tag != "7.4.1-alpine" {
		t.Fatalf("cold: %s", describe(res))
	}
	for _, tc := range []struct {
		name, kind, key, content string
		path                     string // the request asked again
	}{
		{name: "digest too short", kind: kindDigest, key: "docker.io/library/redis:7-alpine",
			content: `{"key":"docker.io/library/redis:7-alpine","fetched":"%s","digest":"sha256:01"}`, path: "/manifests/7-alpine"},
		{name: "digest truncated", kind: kindDigest, key: "docker.io/library/redis:7-alpine",
			content: `{"key":"docker.io/library/redis:7-alpine","fetched":"%s","digest":"sha256:01`, path: "/manifests/7-alpine"},
		{name: "tags truncated", kind: kindTags, key: "docker.io/library/redis",
			content: `{"key":"docker.io/library/redis","fetched":"%s","tags":["7.4.1-alpine","7`, path: "/tags/list"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			content := fmt.Sprintf(tc.content, newFakeClock().Now().Format(time.RFC3339))
			if err := os.WriteFile(c.path(tc.kind, tc.key), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			res, st := resolve()
			if res.Err != nil || res.Digest != p.digestOf(t, "library/redis:7-alpine") || res.Tag != "7.4.1-alpine" || res.Cached {
				t.Errorf("Resolve = %s, want the registry's digest and tag, not cached", describe(res))
			}
			if n := rec.count("GET", tc.path); n != 1 || st.CacheMisses == 0 {
				t.Errorf("%d GETs of %s and %d cache misses, want it asked again once, as a miss:\n%s", n, tc.path, st.CacheMisses, strings.Join(rec.all(), "\n"))
			}
			if res, _ := resolve(); !res.Cached || len(rec.all()) != 0 {
				t.Errorf("next run: %s after %d requests, want the entry written anew", describe(res), len(rec.all()))
			}
		})
	}
}

// offlinePollerEnv is set, to the cache directory, in the child process
// TestOfflineLeavesThePollerAlone resolves in.
const offlinePollerEnv = "COMPOSEFIX_REGISTRY_OFFLINE_POLLER_CHILD"

// TestOfflineLeavesThePollerAlone: a lookup the disk cache answers
// offline does not start the runtime's network poller (an epoll instance,
// an event fd, a thread waiting on them; issue 14: startup). Two things
// did: the total timeout, which bounds the waits on the network and so
// is not set offline (its timer was the runtime's first, and timers sleep
// on the poller), and os.ReadFile of the entry (os registers every file
// it opens with the poller on Linux). The lookup runs in a child process,
// whose poller nothing else has started.
func TestOfflineLeavesThePollerAlone(t *testing.T) {
	ref, err := ParseReference("team/app:1.2")
	if err != nil {
		t.Fatal(err)
	}
	d := fmt.Sprintf("sha256:%064x", 7)
	dir := os.Getenv(offlinePollerEnv)
	if dir == "" {
		dir = t.TempDir()
		r, err := New(WithCacheDir(dir))
		if err != nil {
			t.Fatal(err)
		}
		if err := r.cache.put(kindDigest, ref.Repo()+":"+ref.Tag, cacheEntry{Digest: d}); err != nil {
			t.Fatal(err)
		}
		pollcheck.RunChild(t, offlinePollerEnv, dir)
		return
	}
	r, err := New(WithOffline(true), WithCacheDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	if pollcheck.Started(t) {
		t.Fatal("the poller was started before Resolve ran")
	}
	if got := r.Resolve(context.Background(), []Request{{Ref: "team/app:1.2"}})["team/app:1.2"]; got.Err != nil || got.Digest != d {
		t.Fatalf("offline: %s, want the cached digest %s", describe(got), d)
	}
	if pollcheck.Started(t) {
		t.Error("an offline Resolve started the network poller (an epoll descriptor is open)")
	}
}
