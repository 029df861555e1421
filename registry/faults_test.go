package registry

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/composefix/composefix/internal/regtest"
)

// faultFunc answers a request in place of the registry; attempt counts the
// requests it has seen so far (1 for the first). It may call next.
type faultFunc func(w http.ResponseWriter, r *http.Request, next http.Handler, attempt int)

// inject routes requests whose path contains sub (and whose method is
// method, if set) to f.
func inject(sub, method string, f faultFunc) func(http.Handler) http.Handler {
	var mu sync.Mutex
	n := 0
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !strings.Contains(r.URL.Path, sub) || method != "" && r.Method != method {
				next.ServeHTTP(w, r)
				return
			}
			mu.Lock()
			n++
			attempt := n
			mu.Unlock()
			f(w, r, next, attempt)
		})
	}
}

func status(code int, header ...string) faultFunc {
	return func(w http.ResponseWriter, r *http.Request, next http.Handler, attempt int) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(code)
	}
}

// firstN applies f to the first n attempts and passes the rest through.
func firstN(n int, f faultFunc) faultFunc {
	return func(w http.ResponseWriter, r *http.Request, next http.Handler, attempt int) {
		if attempt <= n {
			f(w, r, next, attempt)
			return
		}
		next.ServeHTTP(w, r)
	}
}

func reset(w http.ResponseWriter, r *http.Request, next http.Handler, attempt int) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	conn.Close()
}

// stall holds the response until the client gives up (or 10s pass).
func stall(w http.ResponseWriter, r *http.Request, next http.Handler, attempt int) {
	select {
	case <-r.Context().Done():
	case <-time.After(10 * time.Second):
	}
}

func truncated(w http.ResponseWriter, r *http.Request, next http.Handler, attempt int) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", "1000")
	w.Write([]byte(`{"name":"library/broken","tags":["1`))
}

func malformedJSON(w http.ResponseWriter, r *http.Request, next http.Handler, attempt int) {
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"name":"library/broken","tags":["1.2.3",]`))
}

// manifestFault answers the faulty image's manifest GETs with f.
func manifestFault(f regtest.ManifestFault) func(http.Handler) http.Handler {
	return func(h http.Handler) http.Handler {
		var p atomic.Pointer[regtest.ManifestFault]
		p.Store(&f)
		return regtest.Inject(h, "/library/broken/", &p)
	}
}

func TestResolveFaults(t *testing.T) {
	tests := []struct {
		name     string
		wrap     func(http.Handler) http.Handler
		ref      string // the faulty image; "broken:1" unless set
		precise  bool
		want     error // nil: resolves after all
		attempts int   // requests the faulty image must have seen (0: don't check)
		slept    time.Duration
	}{
		{name: "401 without credentials", wrap: inject("/library/broken/", "", status(401, "WWW-Authenticate", `Basic realm="registry"`)), want: ErrUnauthorized, attempts: 1},
		{name: "403", wrap: inject("/library/broken/", "", status(403)), want: ErrUnauthorized, attempts: 1},
		{name: "404 tag", wrap: func(h http.Handler) http.Handler { return h }, ref: "broken:2", want: ErrNotFound},
		{name: "429 with Retry-After then success", wrap: inject("/library/broken/", "", firstN(1, status(429, "Retry-After", "3"))), attempts: 2, slept: 3 * time.Second},
		{name: "429 with Retry-After as a date then success", wrap: inject("/library/broken/", "", firstN(1, status(429, "Retry-After", "Thu, 02 Jan 2025 03:04:09 GMT"))), attempts: 2, slept: 4 * time.Second},
		{name: "429 persistent", wrap: inject("/library/broken/", "", status(429, "Retry-After", "1")), want: ErrRateLimited, attempts: 3},
		{name: "429 asking for too long a wait", wrap: inject("/library/broken/", "", status(429, "Retry-After", "3600")), want: ErrRateLimited, attempts: 1},
		{name: "500 then success", wrap: inject("/library/broken/", "", firstN(1, status(500))), attempts: 2},
		{name: "503 twice then success", wrap: inject("/library/broken/", "", firstN(2, status(503))), attempts: 3},
		{name: "503 persistent", wrap: inject("/library/broken/", "", status(503)), want: ErrUnavailable, attempts: 3},
		{name: "501 is not retried", wrap: inject("/library/broken/", "", status(501)), want: ErrUnavailable, attempts: 1},
		{name: "stalled response", wrap: inject("/library/broken/", "", stall), want: ErrTimeout, attempts: 3},
		{name: "connection reset", wrap: inject("/library/broken/", "", reset), want: ErrUnavailable},
		{name: "connection reset once", wrap: inject("/library/broken/", "", firstN(1, reset))},
		{name: "truncated tag list", wrap: inject("/library/broken/tags/list", "", truncated), ref: "broken:1", precise: true, want: ErrUnavailable},
		{name: "truncated tag list once", wrap: inject("/library/broken/tags/list", "", firstN(1, truncated)), ref: "broken:1", precise: true, attempts: 4},                   // GET 1, list twice, GET 1.2.3
		{name: "malformed JSON in tag list", wrap: inject("/library/broken/tags/list", "", malformedJSON), ref: "broken:1", precise: true, want: ErrBadResponse, attempts: 2}, // GET 1, list once
		{name: "no Docker-Content-Digest header", wrap: manifestFault(regtest.NoDigestHeader()), attempts: 1},
		{name: "Docker-Content-Digest not matching the manifest", wrap: manifestFault(regtest.ManifestFaults()[0]), want: ErrDigestMismatch, attempts: 1},
	}
	fams := append([]family{{repo: "library/broken", tags: []string{"1.2.3", "1.2", "1"}}}, fixtureFamilies...)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var seen atomic.Int32
			count := func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if strings.Contains(r.URL.Path, "/library/broken/") {
						seen.Add(1)
					}
					next.ServeHTTP(w, r)
				})
			}
			var armed atomic.Bool
			var faulty http.Handler
			host := testRegistry(t, func(h http.Handler) http.Handler {
				faulty = tt.wrap(h)
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if armed.Load() {
						count(faulty).ServeHTTP(w, r)
						return
					}
					h.ServeHTTP(w, r)
				})
			})
			p := populate(t, host, fams)
			armed.Store(true)
			clk := newFakeClock()
			r := newTestResolver(t, host, withClock(clk), WithRetries(2),
				WithRequestTimeout(300*time.Millisecond), WithTotalTimeout(10*time.Second))
			ref := tt.ref
			if ref == "" {
				ref = "broken:1"
			}
			good := []string{"redis:7-alpine", "traefik:v3", "minio/minio:latest"}
			reqs := []Request{{Ref: ref, Precise: tt.precise}}
			for _, g := range good {
				reqs = append(reqs, Request{Ref: g, Precise: true})
			}
			start := time.Now()
			got := r.Resolve(context.Background(), reqs)
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("Resolve took %s, want well within its deadline", took)
			}
			res := got[ref]
			switch {
			case tt.want == nil && res.Err != nil:
				t.Errorf("Resolve(%q) error = %v, want success after the fault", ref, res.Err)
			case tt.want == nil && res.Digest != p.digestOf(t, "library/broken:1"):
				t.Errorf("Resolve(%q).Digest = %q, want %q", ref, res.Digest, p.digestOf(t, "library/broken:1"))
			case tt.want != nil && !errors.Is(res.Err, tt.want):
				t.Errorf("Resolve(%q) error = %v, want %v", ref, res.Err, tt.want)
			}
			if tt.want != nil && res.Tag != "" {
				t.Errorf("Resolve(%q) = %s: a failed image must not carry a pin", ref, describe(res))
			}
			if errors.Is(tt.want, ErrDigestMismatch) && res.Digest != "" {
				t.Errorf("Resolve(%q).Digest = %q, want none when the content does not match", ref, res.Digest)
			}
			if n := int(seen.Load()); tt.attempts != 0 && n != tt.attempts {
				t.Errorf("the faulty image saw %d requests, want %d", n, tt.attempts)
			}
			if tt.slept != 0 {
				found := false
				for _, d := range clk.sleeps() {
					found = found || d == tt.slept
				}
				if !found {
					t.Errorf("slept %v, want a wait of %s from Retry-After", clk.sleeps(), tt.slept)
				}
			}
			for _, g := range good {
				if res := got[g]; res.Err != nil || res.Digest == "" || res.Tag == "" {
					t.Errorf("Resolve(%q) = %s, want it pinned despite the fault elsewhere", g, describe(res))
				}
			}
		})
	}
}

func TestResolveEndsByTotalTimeout(t *testing.T) {
	host := testRegistry(t, inject("/library/redis/manifests/", "", stall))
	r := newTestResolver(t, host, WithRequestTimeout(time.Minute), WithTotalTimeout(300*time.Millisecond))
	start := time.Now()
	got := r.Resolve(context.Background(), []Request{{Ref: "redis:7"}, {Ref: "redis:6"}})
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("Resolve took %s, want about the 300ms deadline", took)
	}
	for ref, res := range got {
		if !errors.Is(res.Err, ErrTimeout) {
			t.Errorf("Resolve(%q) error = %v, want ErrTimeout", ref, res.Err)
		}
	}
}

func TestResolveCallerCancel(t *testing.T) {
	host := testRegistry(t, inject("/library/redis/manifests/", "", stall))
	r := newTestResolver(t, host, WithRequestTimeout(time.Minute))
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	got := r.Resolve(ctx, []Request{{Ref: "redis:7"}})
	if res := got["redis:7"]; res.Err == nil {
		t.Errorf("Resolve(redis:7) after the caller's deadline = %s, want an error", describe(res))
	}
}

// TestResolveRefusesUnverifiedManifests is the fault matrix of issue 9:
// whatever a registry or a proxy in front of it answers, a digest comes
// from manifest bytes hashed here. Each faulty answer is a per-image error
// naming the registry, leaves no digest, no pin and no cache entry, and a
// later run against the healed registry pins correctly with the same cache.
func TestResolveRefusesUnverifiedManifests(t *testing.T) {
	for _, f := range regtest.ManifestFaults() {
		t.Run(f.Name, func(t *testing.T) {
			var fault atomic.Pointer[regtest.ManifestFault]
			rec := &recorder{}
			host := testRegistry(t, func(h http.Handler) http.Handler { return rec.wrap(regtest.Inject(h, "/library/broken/", &fault)) })
			p := populate(t, host, append([]family{{repo: "library/broken", tags: []string{"1.2.3", "1.2", "1"}}}, fixtureFamilies...))
			rec.reset()
			fault.Store(&f)
			cache := t.TempDir()
			reqs := []Request{{Ref: "broken:1", Precise: true}, {Ref: "broken:1.2.3"}, {Ref: "broken@" + p.digestOf(t, "library/broken:1")}, {Ref: "redis:7-alpine", Precise: true}}

			got := newTestResolver(t, host, WithCacheDir(cache)).Resolve(context.Background(), reqs)
			for _, q := range reqs[:3] {
				res := got[q.Ref]
				if !errors.Is(res.Err, ErrBadResponse) && !errors.Is(res.Err, ErrDigestMismatch) {
					t.Errorf("Resolve(%q) error = %v, want ErrBadResponse or ErrDigestMismatch", q.Ref, res.Err)
				}
				if res.Digest != "" || res.Tag != "" {
					t.Errorf("Resolve(%q) = %s, want no digest and no tag from an unverified answer", q.Ref, describe(res))
				}
				if res.Err != nil && !strings.Contains(res.Err.Error(), host) {
					t.Errorf("Resolve(%q) error %q does not name the registry %s", q.Ref, res.Err, host)
				}
			}
			if res := got["redis:7-alpine"]; res.Err != nil || res.Tag != "7.4.1-alpine" {
				t.Errorf("Resolve(redis:7-alpine) = %s, want it pinned despite the fault elsewhere", describe(res))
			}
			if n := rec.count("GET", "/library/broken/manifests/"); n != 3 {
				t.Errorf("%d manifest GETs for the faulty image, want 3 (one per reference, no retry of a wrong answer): %v", n, rec.all())
			}
			dc := newDiskCache(cache, time.Hour, time.Hour, time.Now)
			for _, key := range []string{"docker.io/library/broken:1", "docker.io/library/broken:1.2.3", "docker.io/library/broken@" + p.digestOf(t, "library/broken:1")} {
				if e, ok := dc.get(kindDigest, key, true); ok {
					t.Errorf("cache holds %s → %s after an unverified answer", key, e.Digest)
				}
			}

			fault.Store(nil)
			rec.reset()
			healed := newTestResolver(t, host, WithCacheDir(cache)).Resolve(context.Background(), reqs)
			want := p.digestOf(t, "library/broken:1")
			for _, q := range reqs[:3] {
				if res := healed[q.Ref]; res.Err != nil || res.Digest != want || res.Cached {
					t.Errorf("healthy run: Resolve(%q) = %s, want digest %s fetched afresh", q.Ref, describe(res), want)
				}
			}
			if res := healed["broken:1"]; res.Tag != "1.2.3" {
				t.Errorf("healthy run: Resolve(broken:1).Tag = %q, want 1.2.3", res.Tag)
			}
		})
	}
}
