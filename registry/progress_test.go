package registry

import (
	"context"
	"net/http"
	"sync"
	"testing"
)

// WithProgress reports once per unique reference, counting up to the
// total, and counts cache answers on a warm run.
func TestResolveReportsProgress(t *testing.T) {
	host := testRegistry(t, func(h http.Handler) http.Handler { return h })
	populate(t, host, fixtureFamilies)
	dir := t.TempDir()
	reqs := []Request{{Ref: "redis:7-alpine"}, {Ref: "docker.io/library/redis:7-alpine"}, {Ref: "traefik:v3"}, {Ref: "minio/minio"}}

	for _, run := range []struct {
		name       string
		wantCached int
	}{{"cold cache", 0}, {"warm cache", 3}} {
		t.Run(run.name, func(t *testing.T) {
			var mu sync.Mutex
			var dones []int
			lastCached, lastTotal := -1, -1
			r := newTestResolver(t, host, WithCacheDir(dir), WithProgress(func(done, total, cached int) {
				mu.Lock()
				defer mu.Unlock()
				dones = append(dones, done)
				lastTotal, lastCached = total, cached
			}))
			r.Resolve(context.Background(), reqs)
			if len(dones) != 3 || dones[0] != 1 || dones[2] != 3 || lastTotal != 3 {
				t.Errorf("progress calls done=%v total=%d, want 1..3 of 3 (two spellings of one image count once)", dones, lastTotal)
			}
			if lastCached != run.wantCached {
				t.Errorf("cached = %d, want %d", lastCached, run.wantCached)
			}
		})
	}
}
