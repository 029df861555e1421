package registry

import (
	"context"
	"sync/atomic"
	"testing"
)

// TestBeforeNetworkOnlyWhenTheRunReachesOut: WithBeforeNetwork's function
// runs before the resolver's first request, and not at all when the disk
// cache answers or the run is offline (composefix installs its interrupt
// handler there: issue 14, startup).
func TestBeforeNetworkOnlyWhenTheRunReachesOut(t *testing.T) {
	rec := &recorder{}
	host := testRegistry(t, rec.wrap)
	populate(t, host, fixtureFamilies)
	dir := t.TempDir()
	reqs := []Request{{Ref: "redis:7-alpine", Precise: true}}
	for _, step := range []struct {
		name    string
		opts    []Option
		network bool
	}{
		{"offline, empty cache", []Option{WithOffline(true)}, false},
		{"cold cache", nil, true},
		{"warm cache", nil, false},
		{"offline, warm cache", []Option{WithOffline(true)}, false},
	} {
		rec.reset()
		var called, before atomic.Int64
		arm := func() {
			if called.Add(1) == 1 {
				before.Store(int64(rec.count("", "")))
			}
		}
		r := newTestResolver(t, host, append([]Option{WithCacheDir(dir), WithBeforeNetwork(arm)}, step.opts...)...)
		r.Resolve(context.Background(), reqs)
		n := rec.count("", "")
		switch {
		case step.network && (called.Load() == 0 || before.Load() != 0 || n == 0):
			t.Errorf("%s: called %d times, first after %d of %d requests; want before the first", step.name, called.Load(), before.Load(), n)
		case !step.network && called.Load() != 0:
			t.Errorf("%s: called %d times (%d requests), want never", step.name, called.Load(), n)
		}
	}
}
