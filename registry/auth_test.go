package registry

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
)

// hubAuth simulates Docker Hub in front of a registry: Bearer token auth
// with a token endpoint on the same host (realm /token), and the
// ratelimit-limit/ratelimit-remaining headers on manifest GETs. Each GET
// uses up one request of the quota (as a pull does on Docker Hub); past it the answer is 429. Repositories
// under private/ need user:pass at the token endpoint.
type hubAuth struct {
	user, pass string
	open       atomic.Bool // pass everything through (while the test pushes)
	limit      int
	window     int // seconds

	mu        sync.Mutex
	remaining int
	tooMany   int // 429s served
	tokens    int // tokens issued
}

func (h *hubAuth) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h.open.Load() {
			next.ServeHTTP(w, r)
			return
		}
		if r.URL.Path == "/token" {
			h.token(w, r)
			return
		}
		repo := ""
		if p := strings.TrimPrefix(r.URL.Path, "/v2/"); p != r.URL.Path && p != "" {
			for _, sep := range []string{"/manifests/", "/tags/", "/blobs/"} {
				if i := strings.Index(p, sep); i >= 0 {
					repo = p[:i]
				}
			}
		}
		want := "Bearer token-" + repo
		if r.URL.Path == "/v2/" {
			want = "Bearer token-"
		}
		if r.Header.Get("Authorization") != want && !(r.URL.Path == "/v2/" && strings.HasPrefix(r.Header.Get("Authorization"), "Bearer token-")) {
			challenge := fmt.Sprintf(`Bearer realm="http://%s/token",service="test-registry"`, r.Host)
			if repo != "" {
				challenge += fmt.Sprintf(`,scope="repository:%s:pull"`, repo)
			}
			w.Header().Set("WWW-Authenticate", challenge)
			http.Error(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`, http.StatusUnauthorized)
			return
		}
		if r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/manifests/") && h.limit > 0 {
			h.mu.Lock()
			if h.remaining <= 0 {
				h.tooMany++
				h.mu.Unlock()
				w.Header().Set("Retry-After", "3600")
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			h.remaining--
			w.Header().Set("ratelimit-limit", fmt.Sprintf("%d;w=%d", h.limit, h.window))
			w.Header().Set("ratelimit-remaining", fmt.Sprintf("%d;w=%d", h.remaining, h.window))
			h.mu.Unlock()
		}
		next.ServeHTTP(w, r)
	})
}

func (h *hubAuth) token(w http.ResponseWriter, r *http.Request) {
	scope := r.URL.Query().Get("scope")
	repo := strings.TrimSuffix(strings.TrimPrefix(scope, "repository:"), ":pull")
	if strings.HasPrefix(repo, "private/") {
		u, p, ok := r.BasicAuth()
		if !ok || u != h.user || p != h.pass {
			http.Error(w, `{"details":"incorrect username or password"}`, http.StatusUnauthorized)
			return
		}
	}
	h.mu.Lock()
	h.tokens++
	h.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"token": "token-" + repo, "expires_in": 300})
}

func TestResolveTokenAuth(t *testing.T) {
	hub := &hubAuth{user: "alice", pass: "hunter2-token-secret"}
	rec := &recorder{}
	host := testRegistry(t, func(h http.Handler) http.Handler { return rec.wrap(hub.wrap(h)) })
	hub.open.Store(true)
	p := populate(t, host, append([]family{{repo: "private/app", tags: []string{"1.2.3", "1.2", "1"}}}, fixtureFamilies...))
	hub.open.Store(false)
	rec.reset()

	keychain := staticKeychain{host: authn.FromConfig(authn.AuthConfig{Username: "alice", Password: "wrong-password-xyz"})}
	r := newTestResolver(t, host, WithKeychain(keychain))
	got := r.Resolve(context.Background(), []Request{
		{Ref: "redis:7-alpine", Precise: true},
		{Ref: "redis:7", Precise: true},
		{Ref: "traefik:v3", Precise: true},
		{Ref: "docker.io/private/app:1", Precise: true},
	})
	for _, ref := range []string{"redis:7-alpine", "redis:7", "traefik:v3"} {
		if res := got[ref]; res.Err != nil || res.Tag == "" || res.Digest != p.digestOf(t, res.Ref.Repository+":"+res.Ref.Tag) {
			t.Errorf("Resolve(%q) = %s, want a precise tag behind token auth", ref, describe(res))
		}
	}
	priv := got["docker.io/private/app:1"]
	if !errors.Is(priv.Err, ErrUnauthorized) {
		t.Errorf("Resolve(private/app:1) with a wrong password = %s, want ErrUnauthorized", describe(priv))
	}
	if strings.Contains(priv.Err.Error(), "wrong-password-xyz") {
		t.Errorf("error %q contains the password", priv.Err)
	}
	if n := rec.countPath("GET", "/v2/"); n != 1 {
		t.Errorf("pinged %d times, want once per run", n)
	}
	// One token per repository: library/redis, library/traefik, private/app (refused).
	if hub.tokens != 2 { // read after Resolve returned: no request is in flight
		t.Errorf("%d tokens issued, want 2 (one per public repository)", hub.tokens)
	}

	good := newTestResolver(t, host, WithKeychain(staticKeychain{host: authn.FromConfig(authn.AuthConfig{Username: "alice", Password: "hunter2-token-secret"})}))
	res := good.Resolve(context.Background(), []Request{{Ref: "docker.io/private/app:1", Precise: true}})["docker.io/private/app:1"]
	if res.Err != nil || res.Tag != "1.2.3" {
		t.Errorf("Resolve(private/app:1) with credentials = %s, want Tag 1.2.3", describe(res))
	}
}

// staticKeychain answers for one registry host.
type staticKeychain map[string]authn.Authenticator

func (k staticKeychain) Resolve(res authn.Resource) (authn.Authenticator, error) {
	if a, ok := k[res.RegistryStr()]; ok {
		return a, nil
	}
	return authn.Anonymous, nil
}

var _ authn.Keychain = staticKeychain{}

func TestResolvePacing(t *testing.T) {
	refs := []string{"redis:7-alpine", "redis:7", "redis:6", "redis:latest", "redis:alpine", "redis:bookworm", "redis:7.4.1", "redis:7.4", "redis:7.4.0", "redis:6.2"}
	tests := []struct {
		name      string
		remaining int
		wantOK    int
		wantPaced bool
	}{
		{name: "plenty of quota", remaining: 100, wantOK: 10},
		{name: "quota low: spread the rest, never 429", remaining: 6, wantOK: 6, wantPaced: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hub := &hubAuth{limit: 100, window: 60}
			hub.open.Store(true)
			host := testRegistry(t, hub.wrap)
			populate(t, host, fixtureFamilies)
			hub.open.Store(false)
			hub.mu.Lock()
			hub.remaining = tt.remaining
			hub.mu.Unlock()
			clk := newFakeClock()
			r := newTestResolver(t, host, WithJobs(1), withClock(clk))
			var reqs []Request
			for _, ref := range refs {
				reqs = append(reqs, Request{Ref: ref})
			}
			got := r.Resolve(context.Background(), reqs)
			ok := 0
			for ref, res := range got {
				switch {
				case res.Err == nil:
					ok++
				case !errors.Is(res.Err, ErrRateLimited):
					t.Errorf("Resolve(%q) error = %v, want success or ErrRateLimited", ref, res.Err)
				}
			}
			if ok != tt.wantOK {
				t.Errorf("%d references resolved, want %d", ok, tt.wantOK)
			}
			if hub.tooMany != 0 {
				t.Errorf("the registry answered 429 %d times, want 0: the pacer should stop first", hub.tooMany)
			}
			if paced := r.Stats().Paced > 0; paced != tt.wantPaced {
				t.Errorf("paced = %v (%s, sleeps %v), want %v", paced, r.Stats().Paced, clk.sleeps(), tt.wantPaced)
			}
		})
	}
}

func TestResolveBasicAuthFromDockerConfig(t *testing.T) {
	const user, pass = "bob", "s3cret-basic-pw-42"
	basic := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if u, p, ok := r.BasicAuth(); !ok || u != user || p != pass {
				w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
				http.Error(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`, http.StatusUnauthorized)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	var guarded atomic.Bool
	host := testRegistry(t, whileOn(&guarded, basic))
	p := populate(t, host, fixtureFamilies)
	guarded.Store(true)

	tests := []struct {
		name     string
		password string // "" writes no credentials
		want     error
	}{
		{name: "no credentials", want: ErrUnauthorized},
		{name: "wrong password", password: "not-the-" + pass, want: ErrUnauthorized},
		{name: "right password", password: pass},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfgDir := t.TempDir()
			auths := map[string]any{}
			if tt.password != "" {
				auths[host] = map[string]string{"auth": base64.StdEncoding.EncodeToString([]byte(user + ":" + tt.password))}
			}
			b, _ := json.Marshal(map[string]any{"auths": auths})
			if err := os.WriteFile(filepath.Join(cfgDir, "config.json"), b, 0o600); err != nil {
				t.Fatal(err)
			}
			t.Setenv("DOCKER_CONFIG", cfgDir)
			cacheDir := t.TempDir()
			r := newTestResolver(t, host, WithKeychain(authn.DefaultKeychain), WithCacheDir(cacheDir))
			refs := []string{"redis:7-alpine", "traefik:latest", "minio/minio"}
			var reqs []Request
			for _, ref := range refs {
				reqs = append(reqs, Request{Ref: ref, Precise: true})
			}
			got := r.Resolve(context.Background(), reqs)
			secrets := []string{pass, tt.password, base64.StdEncoding.EncodeToString([]byte(user + ":" + tt.password))}
			for _, ref := range refs {
				res := got[ref]
				if tt.want == nil {
					if res.Err != nil || res.Tag == "" || res.Digest != p.digestOf(t, res.Ref.Repository+":"+res.Ref.Tag) {
						t.Errorf("Resolve(%q) = %s, want a precise tag", ref, describe(res))
					}
					continue
				}
				if !errors.Is(res.Err, tt.want) {
					t.Errorf("Resolve(%q) error = %v, want %v", ref, res.Err, tt.want)
					continue
				}
				for _, s := range secrets {
					if s != "" && strings.Contains(res.Err.Error(), s) {
						t.Errorf("Resolve(%q) error %q contains a credential", ref, res.Err)
					}
				}
			}
			files := 0
			filepath.WalkDir(cacheDir, func(path string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				files++
				b, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				for _, s := range secrets {
					if s != "" && strings.Contains(string(b), s) {
						t.Errorf("cache file %s contains a credential", path)
					}
				}
				return nil
			})
			if tt.want == nil && files == 0 {
				t.Error("no cache files written: the credential check saw nothing")
			}
		})
	}
}

func TestMirrorGetsNoDockerHubCredentials(t *testing.T) {
	var sawAuth atomic.Int32
	host := testRegistry(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "" {
				sawAuth.Add(1)
			}
			h.ServeHTTP(w, r)
		})
	})
	populate(t, host, fixtureFamilies)
	sawAuth.Store(0)
	hub := authn.FromConfig(authn.AuthConfig{Username: "hubuser", Password: "hub-password"})
	r := newTestResolver(t, host, WithKeychain(staticKeychain{"index.docker.io": hub, "docker.io": hub}))
	res := r.Resolve(context.Background(), []Request{{Ref: "redis:7", Precise: true}})["redis:7"]
	if res.Err != nil || res.Tag != "7.4.1" {
		t.Fatalf("Resolve(redis:7) through the mirror = %s, want Tag 7.4.1", describe(res))
	}
	if n := sawAuth.Load(); n != 0 {
		t.Errorf("the mirror received %d requests with Docker Hub's credentials, want 0", n)
	}
}

// panicKeychain fails in the worst way.
type panicKeychain struct{}

func (panicKeychain) Resolve(authn.Resource) (authn.Authenticator, error) { panic("keychain exploded") }

func TestResolveNeverPanics(t *testing.T) {
	host := testRegistry(t, func(h http.Handler) http.Handler { return h })
	r := newTestResolver(t, host, WithKeychain(panicKeychain{}))
	got := r.Resolve(context.Background(), []Request{{Ref: "redis:7"}, {Ref: "traefik:v3", Precise: true}})
	for ref, res := range got {
		if !errors.Is(res.Err, ErrInternal) || !strings.Contains(res.Err.Error(), "keychain exploded") {
			t.Errorf("Resolve(%q) with a panicking keychain = %s, want an internal error", ref, describe(res))
		}
	}
	if len(got) != 2 {
		t.Errorf("Resolve returned %d results, want 2", len(got))
	}
}
