package registry

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/composefix/composefix/internal/regtest"
)

// factsFixture pushes the images the facts tests read: a two-platform
// index with a HEALTHCHECK and OCI labels, and a single-platform image with
// a USER under two tags.
func factsFixture(t testing.TB, host string) (web, app string) {
	t.Helper()
	webCfg := v1.Config{
		User:         "101",
		Env:          []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "NGINX_VERSION=1.27.3"},
		ExposedPorts: map[string]struct{}{"80/tcp": {}, "443/tcp": {}},
		Entrypoint:   []string{"/docker-entrypoint.sh"},
		Cmd:          []string{"nginx", "-g", "daemon off;"},
		Healthcheck:  &v1.HealthConfig{Test: []string{"CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1/ || exit 1"}, Interval: 30 * time.Second},
		Labels: map[string]string{
			"org.opencontainers.image.version":  "1.27.3",
			"org.opencontainers.image.source":   "https://github.com/nginx/docker-nginx",
			"org.opencontainers.image.revision": "0123abc",
			"org.opencontainers.image.created":  "2024-11-26T18:00:00Z",
		},
	}
	layer := regtest.Layer{Files: []regtest.File{{Name: "bin", Dir: true}, {Name: "bin/busybox", Size: 16}, {Name: "bin/sh", Link: "busybox"}}}
	amd := regtest.Image(t, regtest.ImageSpec{Layers: []regtest.Layer{layer}, Config: webCfg, Created: time.Date(2024, 11, 26, 18, 0, 0, 0, time.UTC)})
	armCfg := webCfg
	armCfg.User = "102" // tells the platforms apart
	arm := regtest.Image(t, regtest.ImageSpec{Architecture: "arm64", Variant: "v8", Layers: []regtest.Layer{layer}, Config: armCfg})
	web = regtest.PushIndex(t, host, "acme/web:1.27", regtest.Index(t, amd, arm))
	one := regtest.Image(t, regtest.ImageSpec{Layers: []regtest.Layer{{Gzip: true, Files: []regtest.File{{Name: "app", Size: 8}}}},
		Config: v1.Config{User: "app", Env: []string{"PATH=/usr/bin:/bin"}}})
	app = regtest.PushImage(t, host, "acme/app:2.0.1", one)
	regtest.PushImage(t, host, "acme/app:2.0", one)
	return web, app
}

func TestFacts(t *testing.T) {
	rec := &recorder{}
	host := testRegistry(t, rec.wrap)
	web, app := factsFixture(t, host)
	reqs := []Request{
		{Ref: host + "/acme/web:1.27", Platforms: []string{"linux/amd64", "linux/arm64", "linux/s390x"}},
		{Ref: host + "/acme/app:2.0.1", Platforms: []string{"linux/amd64", "linux/arm64"}},
		{Ref: host + "/acme/app:2.0", Platforms: []string{"linux/amd64"}},
	}
	cache := t.TempDir()
	r := newTestResolver(t, host, WithCacheDir(cache))
	rec.reset()
	got := r.Resolve(context.Background(), reqs)

	webFacts := got[host+"/acme/web:1.27"]
	if webFacts.Err != nil || webFacts.Digest != web {
		t.Fatalf("web: %s, want digest %s", describe(webFacts), web)
	}
	platforms := []string{"linux/amd64", "linux/arm64/v8"}
	want := Facts{
		Platforms:    platforms,
		User:         "101",
		Healthcheck:  []string{"CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1/ || exit 1"},
		ExposedPorts: []string{"443/tcp", "80/tcp"},
		Entrypoint:   []string{"/docker-entrypoint.sh"},
		Cmd:          []string{"nginx", "-g", "daemon off;"},
		Path:         []string{"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"},
		Labels: map[string]string{
			"org.opencontainers.image.version":  "1.27.3",
			"org.opencontainers.image.source":   "https://github.com/nginx/docker-nginx",
			"org.opencontainers.image.revision": "0123abc",
			"org.opencontainers.image.created":  "2024-11-26T18:00:00Z",
		},
		Created: time.Date(2024, 11, 26, 18, 0, 0, 0, time.UTC),
	}
	opts := cmp.Options{cmpopts.IgnoreFields(Facts{}, "Layers", "Cached"), cmpopts.EquateEmpty()}
	if d := cmp.Diff(want, webFacts.Facts["linux/amd64"], opts); d != "" {
		t.Errorf("web linux/amd64 facts (-want +got):\n%s", d)
	}
	if f := webFacts.Facts["linux/amd64"]; len(f.Layers) != 1 {
		t.Errorf("web linux/amd64 layers = %v, want one", f.Layers)
	}
	// linux/arm64 is served by the index's linux/arm64/v8 entry.
	if f := webFacts.Facts["linux/arm64"]; f.User != "102" || f.Unserved || f.Err != nil {
		t.Errorf("web linux/arm64 facts = %+v, want the arm64 image's (user 102)", f)
	}
	if f := webFacts.Facts["linux/s390x"]; !f.Unserved || f.Err != nil || !cmp.Equal(f.Platforms, platforms) {
		t.Errorf("web linux/s390x facts = %+v, want unserved with platforms %v", f, platforms)
	}
	for _, ref := range []string{"acme/app:2.0.1", "acme/app:2.0"} {
		res := got[host+"/"+ref]
		if res.Digest != app {
			t.Fatalf("%s: %s, want digest %s", ref, describe(res), app)
		}
		if f := res.Facts["linux/amd64"]; f.User != "app" || f.Unserved || f.Err != nil || !cmp.Equal(f.Platforms, []string{"linux/amd64"}) {
			t.Errorf("%s linux/amd64 facts = %+v, want user app on linux/amd64", ref, f)
		}
	}
	if f := got[host+"/acme/app:2.0.1"].Facts["linux/arm64"]; !f.Unserved {
		t.Errorf("app linux/arm64 facts = %+v, want unserved (a single linux/amd64 image)", f)
	}

	// Cold cost beyond resolving: web's two served platforms cost one
	// platform manifest and one config each; app (a single image, one
	// digest behind two tags) costs one config. The index itself was read
	// when the tag was looked up.
	if n := rec.count(http.MethodGet, "/blobs/"); n != 3 {
		t.Errorf("cold run: %d blob GETs, want 3 (two web configs, one app config):\n%s", n, strings.Join(rec.all(), "\n"))
	}
	if n := rec.count(http.MethodGet, "/manifests/sha256:"); n != 2 {
		t.Errorf("cold run: %d manifest GETs by digest, want 2 (web's platforms):\n%s", n, strings.Join(rec.all(), "\n"))
	}
	if n := rec.count(http.MethodGet, "/manifests/"); n != 2+3 {
		t.Errorf("cold run: %d manifest GETs, want 5 (three tags, two platforms)", n)
	}

	// Warm: nothing goes to the network.
	rec.reset()
	warm := newTestResolver(t, host, WithCacheDir(cache)).Resolve(context.Background(), reqs)
	if n := len(rec.all()); n != 0 {
		t.Errorf("warm run: %d requests, want 0:\n%s", n, strings.Join(rec.all(), "\n"))
	}
	for ref, res := range got {
		if d := cmp.Diff(res.Facts, warm[ref].Facts, opts, cmpopts.EquateErrors()); d != "" {
			t.Errorf("%s: warm facts differ (-cold +warm):\n%s", ref, d)
		}
	}

	// Offline, even with the tag answers expired, the cached facts serve.
	off := newTestResolver(t, host, WithCacheDir(cache), WithOffline(true), WithTTL(time.Nanosecond))
	offRes := off.Resolve(context.Background(), reqs[:1])
	if f := offRes[host+"/acme/web:1.27"].Facts["linux/amd64"]; f.Err != nil || f.User != "101" {
		t.Errorf("offline facts = %+v, want the cached ones", f)
	}
	if n := len(rec.all()); n != 0 {
		t.Errorf("offline run: %d requests, want 0", n)
	}
}

// Every blob is checked against its digest: a config whose bytes do not
// hash to the digest the manifest names is an error and is not cached.
func TestFactsVerifyConfig(t *testing.T) {
	var tamper atomic.Bool
	tamper.Store(true)
	host := testRegistry(t, tamperBlobs(&tamper, `"app"`, `"root"`))
	_, app := factsFixture(t, host)
	cache := t.TempDir()
	reqs := []Request{{Ref: host + "/acme/app:2.0.1", Platforms: []string{"linux/amd64"}}}
	res := newTestResolver(t, host, WithCacheDir(cache)).Resolve(context.Background(), reqs)[host+"/acme/app:2.0.1"]
	if res.Digest != app {
		t.Fatalf("resolve: %s", describe(res))
	}
	f := res.Facts["linux/amd64"]
	if !errors.Is(f.Err, ErrDigestMismatch) {
		t.Fatalf("facts with a tampered config: err = %v, want ErrDigestMismatch", f.Err)
	}
	if f.User != "" {
		t.Errorf("facts with a tampered config: user %q, want none read", f.User)
	}
	tamper.Store(false)
	res = newTestResolver(t, host, WithCacheDir(cache)).Resolve(context.Background(), reqs)[host+"/acme/app:2.0.1"]
	if f := res.Facts["linux/amd64"]; f.Err != nil || f.User != "app" {
		t.Errorf("after the registry recovers: %+v, want user app (nothing tampered was cached)", f)
	}
}

// tamperBlobs returns a handler wrapper that, while on is set, replaces the
// first old with new in every blob served, as a broken proxy might.
func tamperBlobs(on *atomic.Bool, old, new string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !on.Load() || r.Method != http.MethodGet || !strings.Contains(r.URL.Path, "/blobs/") {
				next.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			body := bytes.Replace(rec.Body.Bytes(), []byte(old), []byte(new), 1)
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.Header().Del("Content-Length")
			w.WriteHeader(rec.Code)
			_, _ = w.Write(body)
		})
	}
}

// A config blob is small: it goes through the buffered path with its
// per-attempt timeout and retries, not the streamed path meant for layers.
// Here the first answer stalls after its headers; the retry serves it.
func TestFactsRetryStalledConfig(t *testing.T) {
	var armed, stalled atomic.Bool
	host := testRegistry(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if armed.Load() && r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/blobs/") && stalled.CompareAndSwap(false, true) {
				w.Header().Set("Content-Length", "4096")
				w.WriteHeader(http.StatusOK)
				w.Write([]byte("{"))
				w.(http.Flusher).Flush()
				<-r.Context().Done() // until the client gives up
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	_, app := factsFixture(t, host)
	armed.Store(true)
	r := newTestResolver(t, host, WithRequestTimeout(200*time.Millisecond), WithTotalTimeout(3*time.Second))
	ref := host + "/acme/app:2.0.1"
	got := r.Resolve(context.Background(), []Request{{Ref: ref, Platforms: []string{"linux/amd64"}}})[ref]
	if got.Err != nil || got.Digest != app {
		t.Fatalf("Resolve = %s, want %s", describe(got), app)
	}
	if f := got.Facts["linux/amd64"]; f.Err != nil || f.User != "app" {
		t.Errorf("Facts = %+v, want user \"app\" after a retry", f)
	}
}
