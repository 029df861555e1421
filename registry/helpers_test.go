package registry

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/composefix/composefix/internal/regtest"

	"github.com/google/go-containerregistry/pkg/authn"
)

// testRegistry serves an in-memory registry on 127.0.0.1 behind wrap and
// returns its host:port.
func testRegistry(t testing.TB, wrap func(http.Handler) http.Handler) string {
	t.Helper()
	return regtest.InProcess(t, wrap)
}

// family is a set of tags pointing at one pushed image or index.
type family struct {
	repo  string // path below the registry, such as library/redis
	tags  []string
	index bool // push a multi-platform index
}

// fixtureFamilies mirrors Docker Hub's tag families.
var fixtureFamilies = []family{
	{repo: "library/redis", tags: []string{"7.4.1-alpine", "7.4-alpine", "7-alpine", "alpine"}},
	{repo: "library/redis", tags: []string{"7.4.0-alpine"}},
	{repo: "library/redis", tags: []string{"7.4.1", "7.4", "7", "latest", "7.4.1-bookworm", "7.4-bookworm", "7-bookworm", "bookworm"}, index: true},
	{repo: "library/redis", tags: []string{"7.4.0", "7.4.0-bookworm"}, index: true},
	{repo: "library/redis", tags: []string{"6.2.16", "6.2", "6"}},
	{repo: "library/traefik", tags: []string{"v3.2.3", "v3.2", "v3", "latest", "cantal"}, index: true},
	{repo: "library/traefik", tags: []string{"v3.2.2"}},
	{repo: "library/traefik", tags: []string{"v3.1.7", "v3.1"}},
	{repo: "library/traefik", tags: []string{"v2"}},
	{repo: "library/traefik", tags: []string{"v2.11.14"}},
	{repo: "minio/minio", tags: []string{"RELEASE.2024-12-13T22-19-12Z", "latest"}},
	{repo: "minio/minio", tags: []string{"RELEASE.2024-11-07T00-52-20Z"}},
	{repo: "library/postgres", tags: []string{"16.6", "16", "latest"}},
	{repo: "library/postgres", tags: []string{"16.5"}},
	// A distribution whose versions are refined by dated codename tags.
	{repo: "library/ubuntu", tags: []string{"jammy-20240911.1", "jammy", "22.04"}},
	{repo: "library/ubuntu", tags: []string{"jammy-20240808"}},
	{repo: "library/ubuntu", tags: []string{"noble-20241015", "noble", "24.04", "latest"}},
	{repo: "library/ubuntu", tags: []string{"20.04"}},
	// A version plus a channel word, refined by cumulative updates.
	{repo: "mssql/server", tags: []string{"2019-CU28-ubuntu-20.04", "2019-latest"}},
	{repo: "mssql/server", tags: []string{"2019-CU27-ubuntu-20.04"}},
	{repo: "mssql/server", tags: []string{"2022-CU16-ubuntu-22.04", "2022-latest", "latest"}},
	{repo: "mssql/server", tags: []string{"2017-latest"}},
}

// pushed maps "repo:tag" to the digest the test pushed.
type pushed map[string]string

// populate pushes families to the registry at host. The push goes around
// any counting wrapper's books: callers reset counters afterwards.
func populate(t testing.TB, host string, fams []family) pushed {
	t.Helper()
	return pushed(regtest.Push(t, host, nil, regtestFamilies(fams)))
}

func regtestFamilies(fams []family) []regtest.Family {
	out := make([]regtest.Family, len(fams))
	for i, f := range fams {
		out[i] = regtest.Family{Repo: f.repo, Tags: f.tags, Index: f.index}
	}
	return out
}

// recorder counts requests by method and path.
type recorder struct {
	mu   sync.Mutex
	reqs []string // "HEAD /v2/library/redis/manifests/7"
}

func (rc *recorder) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc.mu.Lock()
		rc.reqs = append(rc.reqs, r.Method+" "+r.URL.Path)
		rc.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

func (rc *recorder) reset() {
	rc.mu.Lock()
	rc.reqs = nil
	rc.mu.Unlock()
}

// count returns how many requests match method and a path containing sub.
func (rc *recorder) count(method, sub string) int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	n := 0
	for _, r := range rc.reqs {
		m, p, _ := strings.Cut(r, " ")
		if (method == "" || m == method) && strings.Contains(p, sub) {
			n++
		}
	}
	return n
}

// countPath returns how many requests match method and exactly path.
func (rc *recorder) countPath(method, path string) int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	n := 0
	for _, r := range rc.reqs {
		if r == method+" "+path {
			n++
		}
	}
	return n
}

func (rc *recorder) all() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	out := append([]string(nil), rc.reqs...)
	sort.Strings(out)
	return out
}

// fakeClock advances only when slept on.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	slept []time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.slept = append(c.slept, d)
	if d > 0 {
		c.now = c.now.Add(d)
	}
	c.mu.Unlock()
	return ctx.Err()
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func (c *fakeClock) sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.slept...)
}

// newTestResolver returns a resolver for tests: Docker Hub mirrored at
// host, no credentials, a temporary cache, a fake clock and fast retries.
func newTestResolver(t testing.TB, host string, opts ...Option) *Resolver {
	t.Helper()
	base := []Option{
		WithMirror("docker.io", "http://"+host),
		WithKeychain(authn.NewMultiKeychain()),
		WithCacheDir(t.TempDir()),
		WithSeed(1),
		withClock(newFakeClock()),
		WithRequestTimeout(2 * time.Second),
	}
	r, err := New(append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// digestOf is a test shorthand for a pushed digest.
func (p pushed) digestOf(t testing.TB, repoTag string) string {
	t.Helper()
	d, ok := p[repoTag]
	if !ok {
		t.Fatalf("fixture has no %s", repoTag)
	}
	return d
}

func describe(res Result) string {
	return fmt.Sprintf("{Digest:%s Tag:%q Newer:%v Err:%v Cached:%v}", res.Digest, res.Tag, res.Newer, res.Err, res.Cached)
}

// whileOn serves through wrap while on is set and straight from the
// registry otherwise, so that a test can push its fixtures to a registry
// that later refuses or fails.
func whileOn(on *atomic.Bool, wrap func(http.Handler) http.Handler) func(http.Handler) http.Handler {
	return func(h http.Handler) http.Handler {
		wrapped := wrap(h)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if on.Load() {
				wrapped.ServeHTTP(w, r)
				return
			}
			h.ServeHTTP(w, r)
		})
	}
}
