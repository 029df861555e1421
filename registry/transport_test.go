package registry

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestPacer(t *testing.T) {
	start := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	header := func(limit, remaining string) http.Header {
		h := http.Header{}
		h.Set("ratelimit-limit", limit)
		h.Set("ratelimit-remaining", remaining)
		return h
	}
	p := newPacer(5)
	// Nothing known: no delay.
	if d, err := p.reserve("hub", start); d != 0 || err != nil {
		t.Errorf("reserve before any headers = %s, %v, want 0, nil", d, err)
	}
	// Plenty left: no delay.
	p.observe("hub", header("100;w=21600", "76;w=21600"))
	if d, err := p.reserve("hub", start); d != 0 || err != nil {
		t.Errorf("reserve with 76 left = %s, %v, want 0, nil", d, err)
	}
	// Other hosts are unaffected.
	p.observe("slow", header("10;w=60", "4;w=60"))
	if d, err := p.reserve("hub", start); d != 0 || err != nil {
		t.Errorf("reserve on hub after slow's headers = %s, %v, want 0, nil", d, err)
	}
	// 4 left in 60s: 60/4 = 15s, then 60/3 = 20s, 60/2 = 30s, 60/1 = 60s apart; then none.
	want := []time.Duration{0, 15 * time.Second, 35 * time.Second, 65 * time.Second}
	var got []time.Duration
	for range want {
		d, err := p.reserve("slow", start)
		if err != nil {
			t.Fatalf("reserve on slow: %v", err)
		}
		got = append(got, d)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("paced delays mismatch (-want +got):\n%s", d)
	}
	if _, err := p.reserve("slow", start); !errors.Is(err, ErrRateLimited) {
		t.Errorf("reserve with the quota used up: error = %v, want ErrRateLimited", err)
	}
	// A fresh window from the registry lifts the stop.
	p.observe("slow", header("10;w=60", "10;w=60"))
	if _, err := p.reserve("slow", start.Add(2*time.Minute)); err != nil {
		t.Errorf("reserve after a new window: %v", err)
	}
}

func TestParseRateLimit(t *testing.T) {
	tests := []struct {
		in     string
		n      int
		window time.Duration
		ok     bool
	}{
		{in: "100;w=21600", n: 100, window: 6 * time.Hour, ok: true},
		{in: "76", n: 76, ok: true},
		{in: " 5 ; w=60 ", n: 5, window: time.Minute, ok: true},
		{in: "0;w=60", n: 0, window: time.Minute, ok: true},
		{in: "", ok: false},
		{in: "many", ok: false},
		{in: "-1;w=60", ok: false},
	}
	for _, tt := range tests {
		n, w, ok := parseRateLimit(tt.in)
		if n != tt.n || w != tt.window || ok != tt.ok {
			t.Errorf("parseRateLimit(%q) = %d, %s, %v, want %d, %s, %v", tt.in, n, w, ok, tt.n, tt.window, tt.ok)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{in: "3", want: 3 * time.Second, ok: true},
		{in: "0", want: 0, ok: true},
		{in: "Thu, 02 Jan 2025 03:04:15 GMT", want: 10 * time.Second, ok: true},
		{in: "Thu, 02 Jan 2025 03:00:00 GMT", want: 0, ok: true}, // in the past
		{in: "", ok: false},
		{in: "soon", ok: false},
		{in: "-5", ok: false},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.in != "" {
			h.Set("Retry-After", tt.in)
		}
		got, ok := retryAfter(h, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("retryAfter(%q) = %s, %v, want %s, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestBackoff(t *testing.T) {
	newRT := func(seed uint64) *retryTransport {
		return &retryTransport{backoffBase: 100 * time.Millisecond, backoffMax: time.Second, rng: rand.New(rand.NewPCG(seed, seed))}
	}
	a, b := newRT(7), newRT(7)
	for n := range 8 {
		da, db := a.backoff(n), b.backoff(n)
		if da != db {
			t.Errorf("backoff(%d) differs between equal seeds: %s and %s", n, da, db)
		}
		full := min(100*time.Millisecond<<n, time.Second)
		if da < full/2 || da > full {
			t.Errorf("backoff(%d) = %s, want within [%s, %s]", n, da, full/2, full)
		}
	}
}

func TestParseChallenge(t *testing.T) {
	tests := []struct {
		in     []string
		scheme string
		params map[string]string
	}{
		{
			in:     []string{`Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/redis:pull"`},
			scheme: "Bearer",
			params: map[string]string{"realm": "https://auth.docker.io/token", "service": "registry.docker.io", "scope": "repository:library/redis:pull"},
		},
		{in: []string{`Basic realm="Registry Realm"`}, scheme: "Basic", params: map[string]string{"realm": "Registry Realm"}},
		{in: []string{`Basic realm=plain, charset="UTF-8"`}, scheme: "Basic", params: map[string]string{"realm": "plain", "charset": "UTF-8"}},
		{in: []string{`Basic realm="x"`, `Bearer realm="https://t/token"`}, scheme: "Bearer", params: map[string]string{"realm": "https://t/token"}},
		{in: []string{`Bearer realm="a \"quoted\" realm"`}, scheme: "Bearer", params: map[string]string{"realm": `a "quoted" realm`}},
	}
	for _, tt := range tests {
		scheme, params := parseChallenge(tt.in)
		if scheme != tt.scheme || !cmp.Equal(params, tt.params) {
			t.Errorf("parseChallenge(%q) = %q, %v, want %q, %v", tt.in, scheme, params, tt.scheme, tt.params)
		}
	}
}

// urlRecorder is an inner transport that records URLs and answers 200.
type urlRecorder struct{ urls []string }

func (u *urlRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	u.urls = append(u.urls, r.URL.String())
	return &http.Response{StatusCode: 200, Header: http.Header{}, Body: http.NoBody, Request: r}, nil
}

func TestSchemePolicy(t *testing.T) {
	inner := &urlRecorder{}
	r, err := New(WithTransport(inner), WithCacheDir(""), WithInsecure("registry.lan:5000"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		url     string
		want    string // URL sent; "" when refused
		wantErr string
	}{
		{url: "http://ghcr.io/v2/", want: "https://ghcr.io/v2/"},
		{url: "http://10.0.0.5:5000/v2/", want: "https://10.0.0.5:5000/v2/"},
		{url: "https://ghcr.io/v2/", want: "https://ghcr.io/v2/"},
		{url: "http://127.0.0.1:5000/v2/", want: "http://127.0.0.1:5000/v2/"},
		{url: "http://localhost:5000/v2/", want: "http://localhost:5000/v2/"},
		{url: "http://[::1]:5000/v2/", want: "http://[::1]:5000/v2/"},
		{url: "http://registry.lan:5000/v2/", want: "http://registry.lan:5000/v2/"},
		{url: "https://127.0.0.1:5000/v2/", wantErr: "plain-http registry"},
	}
	for _, tt := range tests {
		inner.urls = nil
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, tt.url, nil)
		_, err := r.rt.RoundTrip(req)
		switch {
		case tt.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || len(inner.urls) != 0 {
				t.Errorf("RoundTrip(%s) = %v after %v, want an error %q and no request", tt.url, err, inner.urls, tt.wantErr)
			}
		case err != nil:
			t.Errorf("RoundTrip(%s): %v", tt.url, err)
		case len(inner.urls) != 1 || inner.urls[0] != tt.want:
			t.Errorf("RoundTrip(%s) sent %v, want [%s]", tt.url, inner.urls, tt.want)
		}
	}
}

func TestNewRejectsBadOptions(t *testing.T) {
	tests := []struct {
		name string
		opts []Option
		want string
	}{
		{name: "jobs", opts: []Option{WithJobs(0)}, want: "jobs must be at least 1"},
		{name: "plain mirror", opts: []Option{WithMirror("docker.io", "http://mirror.example.com")}, want: "uses plain http"},
		{name: "mirror credentials", opts: []Option{WithMirror("docker.io", "https://u:p@mirror.example.com")}, want: "carries credentials"},
		{name: "mirror scheme", opts: []Option{WithMirror("docker.io", "ftp://mirror.example.com")}, want: "scheme must be http or https"},
		{name: "mirror host", opts: []Option{WithMirror("docker.io/library", "https://mirror.example.com")}, want: "expected a registry host"},
		{name: "offline without cache", opts: []Option{WithCacheDir(""), WithOffline(true)}, want: "offline mode needs a cache directory"},
		{name: "offline and refresh", opts: []Option{WithCacheDir("x"), WithOffline(true), WithRefresh(true)}, want: "exclude each other"},
		{name: "ttl", opts: []Option{WithTTL(0)}, want: "TTL must be positive"},
		{name: "backoff", opts: []Option{WithBackoff(time.Second, time.Millisecond)}, want: "backoff needs"},
		{name: "retries", opts: []Option{WithRetries(-1)}, want: "retries must not be negative"},
		{name: "candidates", opts: []Option{WithMaxCandidates(0)}, want: "max candidates"},
		// A mirror URL's credentials are no more printed than a registry's.
		{name: "mirror scheme with credentials", opts: []Option{WithMirror("docker.io", "ftp://u:pw-5ecret-1@mirror.example.com")}, want: "scheme must be http or https"},
		{name: "mirror query token", opts: []Option{WithMirror("docker.io", "https://mirror.example.com/?token=pw-5ecret-1")}, want: "query and fragment are not allowed"},
		{name: "mirror unparsable", opts: []Option{WithMirror("docker.io", "https://u:pw-5ecret-1@mirror.example.com/%zz")}, want: "parsing mirror URL for docker.io"},
		// Without "://", url.Parse reads "u" as the scheme and the rest as
		// opaque, or no scheme and a path with a query: the text quoted
		// back is no URL to Scrub, yet carries the same secrets.
		{name: "mirror without scheme, with credentials", opts: []Option{WithMirror("docker.io", "u:pw-5ecret-1@mirror.example.com")}, want: "scheme must be http or https"},
		{name: "mirror without scheme, with a query token", opts: []Option{WithMirror("docker.io", "mirror.example.com/?sig=pw-5ecret-1")}, want: "scheme must be http or https"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.opts...)
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "pw-5ecret-1") {
				t.Errorf("New(%s) error = %v, want one containing %q and no secret", tt.name, err, tt.want)
			}
		})
	}
	if _, err := New(WithMirror("docker.io", "http://registry.lan:5000"), WithInsecure("registry.lan:5000"), WithCacheDir("")); err != nil {
		t.Errorf("New with a plain mirror named insecure: %v", err)
	}
}

func TestMirrorSpellingsAndPathPrefix(t *testing.T) {
	rec := &recorder{}
	host := testRegistry(t, rec.wrap)
	p := populate(t, host, []family{{repo: "proxy/library/redis", tags: []string{"7.4.1", "7"}}})
	rec.reset()
	// A mirror named under index.docker.io serves every Docker Hub spelling,
	// below the mirror URL's path.
	r := newTestResolver(t, host, WithMirror("index.docker.io", "http://"+host+"/proxy/"))
	refs := []string{"redis:7", "docker.io/library/redis:7", "registry-1.docker.io/redis:7"}
	var reqs []Request
	for _, ref := range refs {
		reqs = append(reqs, Request{Ref: ref, Precise: true})
	}
	got := r.Resolve(context.Background(), reqs)
	for _, ref := range refs {
		res := got[ref]
		if res.Err != nil || res.Digest != p.digestOf(t, "proxy/library/redis:7") || res.Tag != "7.4.1" || res.Ref.Registry != "docker.io" || res.Ref.Original != ref {
			t.Errorf("Resolve(%q) = %s, ref %+v, want the mirror's answer under the original reference", ref, describe(res), res.Ref)
		}
	}
	if n := rec.countPath("GET", "/v2/proxy/library/redis/manifests/7"); n != 1 {
		t.Errorf("GET through the mirror path sent %d times, want 1; requests: %v", n, rec.all())
	}
}

// TestRetryProgress reports each retry with its reason and wait: a 429's
// Retry-After, then a 503's backoff.
func TestRetryProgress(t *testing.T) {
	var armed atomic.Bool
	fault := inject("/library/redis/manifests/", "", firstN(2, func(w http.ResponseWriter, r *http.Request, next http.Handler, n int) {
		if n == 1 {
			w.Header().Set("Retry-After", "2")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	host := testRegistry(t, whileOn(&armed, fault))
	populate(t, host, fixtureFamilies)
	armed.Store(true)
	var mu sync.Mutex
	var got []Retry
	r := newTestResolver(t, host, withClock(newFakeClock()), WithRetryProgress(func(ev Retry) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, ev)
	}))
	res := r.Resolve(context.Background(), []Request{{Ref: "redis:7"}})
	if err := res["redis:7"].Err; err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	if len(got) != 2 {
		t.Fatalf("retries reported: %+v, want 2", got)
	}
	if ev := got[0]; ev.Attempt != 1 || ev.Of != 3 || ev.Wait != 2*time.Second || !ev.RetryAfter || ev.Reason != "429 Too Many Requests" || ev.Host != host {
		t.Errorf("first retry = %+v, want attempt 1 of 3 after the 2s Retry-After of a 429 from %s", ev, host)
	}
	if ev := got[1]; ev.Attempt != 2 || ev.RetryAfter || ev.Reason != "503 Service Unavailable" || ev.Wait <= 0 {
		t.Errorf("second retry = %+v, want attempt 2 with a backoff after a 503", ev)
	}
}
