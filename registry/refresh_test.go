package registry

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/composefix/composefix/internal/regtest"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// TestRefreshTrustsWhatTheRunCached: WithRefresh distrusts what earlier
// runs cached, not what this run did. A run that makes several resolvers
// (the CLI makes one per configuration group) gives each its start with
// WithRunStart: the second resolver's lookups used to go to the registry
// again, every answer fetched twice. Keyed entries (tag → digest) and
// content-addressed ones (configs, layer listings) both count.
func TestRefreshTrustsWhatTheRunCached(t *testing.T) {
	rec := &recorder{}
	host := testRegistry(t, rec.wrap)
	regtest.PushImage(t, host, "acme/tools:1", filesImage(t))
	cache := t.TempDir()
	clk := newFakeClock()
	reqs := []Request{{Ref: host + "/acme/tools:1", Platforms: []string{"linux/amd64"}}}
	resolve := func(opts ...Option) []string {
		t.Helper()
		rec.reset()
		r := newTestResolver(t, host, append([]Option{WithCacheDir(cache), WithInspectFiles(true), withClock(clk)}, opts...)...)
		res := r.Resolve(context.Background(), reqs)[reqs[0].Ref]
		if f := res.Facts["linux/amd64"]; res.Err != nil || f.Files == nil {
			t.Fatalf("Resolve = %s, facts %+v; want a digest and files", describe(res), f)
		}
		return rec.all()
	}

	cold := resolve()
	if n := rec.count(http.MethodGet, "/blobs/"); n != 1+3 {
		t.Fatalf("cold: %d blob GETs, want the config and three layers:\n%s", n, strings.Join(cold, "\n"))
	}
	clk.advance(time.Minute)
	start := clk.Now()
	for _, tc := range []struct {
		name string
		opts []Option
		want []string
	}{
		{"refresh: first resolver of the run", []Option{WithRefresh(true), WithRunStart(start)}, cold},
		{"refresh: second resolver of the run", []Option{WithRefresh(true), WithRunStart(start)}, nil},
		{"refresh: a run started later", []Option{WithRefresh(true), WithRunStart(start.Add(time.Nanosecond))}, cold},
	} {
		if got := resolve(tc.opts...); strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("%s sent\n%s\nwant\n%s", tc.name, strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
		}
	}
	clk.advance(time.Minute)
	if got := resolve(WithRefresh(true)); strings.Join(got, "\n") != strings.Join(cold, "\n") {
		t.Errorf("refresh without WithRunStart, in a later run, sent\n%s\nwant what the cold run sent\n%s", strings.Join(got, "\n"), strings.Join(cold, "\n"))
	}
}

// TestRefreshDistrustsEntriesDatedAfterNow: refreshing trusts an entry
// dated between the run's start and now, what this run (or one running
// beside it) fetched. An entry dated after now was not: an earlier run
// on a machine whose clock ran ahead (a shared cache directory), or a
// clock set back since, dated it there. It used to pass as written
// since the start: a release entry, read at any age, and a layer
// listing, which no digest verifies, were served from an earlier run.
func TestRefreshDistrustsEntriesDatedAfterNow(t *testing.T) {
	dir := t.TempDir()
	clk := newFakeClock()
	ahead := newDiskCache(dir, time.Hour, time.Hour, func() time.Time { return clk.Now().Add(time.Hour) })
	key := "docker.io/library/redis@" + testDigest
	layer, err := v1.NewHash(testDigest)
	if err != nil {
		t.Fatal(err)
	}
	write := func(c *diskCache) {
		t.Helper()
		if err := c.put(kindRelease, key, cacheEntry{Release: &Release{Labels: map[string]string{"a": "b"}}}); err != nil {
			t.Fatal(err)
		}
		if err := c.putListing(layer, []entry{{Path: "/bin/sh", Type: '0'}}); err != nil {
			t.Fatal(err)
		}
	}
	read := func(c *diskCache) (release, hasListing, listing bool) {
		_, release = c.get(kindRelease, key, true)
		_, listing = c.getListing(layer)
		return release, c.hasListing(layer), listing
	}

	write(ahead)
	refreshing := newDiskCache(dir, time.Hour, time.Hour, clk.Now)
	refreshing.since = clk.Now()
	if r, h, l := read(refreshing); r || h || l {
		t.Errorf("refreshing, entries dated an hour ahead: release hit %v, hasListing %v, listing hit %v; want misses", r, h, l)
	}
	write(refreshing)
	if r, h, l := read(refreshing); !r || !h || !l {
		t.Errorf("refreshing, entries this run wrote: release hit %v, hasListing %v, listing hit %v; want hits", r, h, l)
	}
}
