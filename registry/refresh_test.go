package registry

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/composefix/composefix/internal/regtest"
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
