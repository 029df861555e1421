package registry

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/composefix/composefix/internal/regtest"

	"github.com/google/go-containerregistry/pkg/authn"
)

func TestCredentialHelperOutputNeverInErrors(t *testing.T) {
	const secret = "helper-S3cret-4f9a1c"
	host := testRegistry(t, nil)
	populate(t, host, fixtureFamilies)
	ran := regtest.FailingCredentialHelper(t, "xyz", secret)
	regtest.HelperConfig(t, t.TempDir(), host, "xyz")
	cache := t.TempDir()
	r, err := New(WithMirror("docker.io", "http://"+host), WithCacheDir(cache))
	if err != nil {
		t.Fatal(err)
	}
	got := r.Resolve(context.Background(), []Request{{Ref: "redis:7", Precise: true}, {Ref: "traefik:v3"}})
	if _, err := os.Stat(ran); err != nil {
		t.Fatalf("the credential helper never ran: %v", err)
	}
	if len(got) != 2 {
		t.Fatalf("Resolve returned %d results, want 2: the checks below would see nothing", len(got))
	}
	for ref, res := range got {
		if !errors.Is(res.Err, ErrUnauthorized) {
			t.Errorf("Resolve(%q) error = %v, want ErrUnauthorized", ref, res.Err)
			continue
		}
		if msg := res.Err.Error(); strings.Contains(msg, secret) || !strings.Contains(msg, host) {
			t.Errorf("Resolve(%q) error = %q, want the registry named and no helper output", ref, msg)
		}
	}
	assertNotInDir(t, cache, secret)
}

// TestEchoedCredentialsAreRedacted: a registry that repeats the request's
// Authorization header and the decoded password in its error body, which
// go-containerregistry copies into its error, must not get them printed.
func TestEchoedCredentialsAreRedacted(t *testing.T) {
	const user, pass = "alice", "echo-Pa55-7d1e"
	basic := base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
	echo := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			authz := r.Header.Get("Authorization")
			if authz == "" {
				w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			if r.URL.Path == "/v2/" {
				next.ServeHTTP(w, r)
				return
			}
			u, p, _ := r.BasicAuth()
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			msg := fmt.Sprintf("denied: Authorization: %s (user %s, password %s)", authz, u, p)
			json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]string{{"code": "DENIED", "message": msg}}})
		})
	}
	var guarded atomic.Bool
	host := testRegistry(t, whileOn(&guarded, echo))
	populate(t, host, fixtureFamilies)
	guarded.Store(true)
	kc := staticKeychain{host: authn.FromConfig(authn.AuthConfig{Username: user, Password: pass})}
	res := newTestResolver(t, host, WithKeychain(kc)).Resolve(context.Background(), []Request{{Ref: "redis:7"}})["redis:7"]
	if !errors.Is(res.Err, ErrUnauthorized) {
		t.Fatalf("Resolve(redis:7) error = %v, want ErrUnauthorized", res.Err)
	}
	msg := res.Err.Error()
	if !strings.Contains(msg, "denied") {
		t.Errorf("error %q lost the registry's message; the test proves nothing", msg)
	}
	for _, s := range []string{pass, basic} {
		if strings.Contains(msg, s) {
			t.Errorf("error %q carries the credential %q", msg, s)
		}
	}
}

// assertNotInDir fails when any file under dir contains s.
func assertNotInDir(t *testing.T, dir, s string) {
	t.Helper()
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if b, err := os.ReadFile(path); err == nil && strings.Contains(string(b), s) {
			t.Errorf("%s contains the secret", path)
		}
		return nil
	})
}

// hangingKeychain is a credential helper that never answers, until release
// is closed.
type hangingKeychain struct{ release chan struct{} }

func (k hangingKeychain) Resolve(authn.Resource) (authn.Authenticator, error) {
	<-k.release
	return authn.Anonymous, nil
}

// TestHangingCredentialHelperIsBounded: a credential helper that never
// exits (one waiting for a prompt nobody sees) used to hold the run
// forever, past every timeout. The run's deadline must end the lookup with
// a per-image error.
func TestHangingCredentialHelperIsBounded(t *testing.T) {
	host := testRegistry(t, nil)
	populate(t, host, fixtureFamilies)
	k := hangingKeychain{release: make(chan struct{})}
	defer close(k.release)
	r, err := New(WithMirror("docker.io", "http://"+host), WithCacheDir(t.TempDir()),
		WithKeychain(k), WithTotalTimeout(500*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan map[string]Result, 1)
	go func() { done <- r.Resolve(context.Background(), []Request{{Ref: "redis:7", Precise: true}}) }()
	select {
	case got := <-done:
		if res := got["redis:7"]; res.Err == nil || res.Digest != "" {
			t.Errorf("Resolve = %s, want an error and no digest", describe(res))
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Resolve waited for the credential helper past its deadline")
	}
}

// leakyAnswers are registry (or CDN, or proxy) answers that carry secrets
// the run never recorded: signed redirect URLs, credentials in a URL's
// userinfo, a status line or an error body repeating an Authorization
// header. Each fails in a way that is retried, so that the retry reasons
// are exercised as well as the final error.
func leakyAnswers() []struct {
	name    string
	secrets []string
	serve   http.HandlerFunc // answers GET /v2/library/redis/manifests/…
} {
	truncated := func(w http.ResponseWriter) {
		// A body shorter than announced: net/http closes the connection,
		// the client reads an unexpected EOF (a temporary error).
		w.Header().Set("Content-Length", "1000")
		w.WriteHeader(http.StatusOK)
		w.Write([]byte("{\"schemaVe"))
	}
	return []struct {
		name    string
		secrets []string
		serve   http.HandlerFunc
	}{
		{
			name:    "signed redirect",
			secrets: []string{"SIG-5ecret-1b2c", "AKIA-CRED-9f8e"},
			serve: func(w http.ResponseWriter, r *http.Request) {
				if strings.HasPrefix(r.URL.Path, "/cdn/") {
					truncated(w)
					return
				}
				http.Redirect(w, r, "http://"+r.Host+"/cdn/blob?X-Amz-Credential=AKIA-CRED-9f8e&X-Amz-Signature=SIG-5ecret-1b2c", http.StatusTemporaryRedirect)
			},
		},
		{
			name:    "userinfo redirect",
			secrets: []string{"ghp-USER-t0ken-5a", "PW-in-url-8c7d"},
			serve: func(w http.ResponseWriter, r *http.Request) {
				if strings.HasPrefix(r.URL.Path, "/cdn/") {
					truncated(w)
					return
				}
				http.Redirect(w, r, "http://ghp-USER-t0ken-5a:PW-in-url-8c7d@"+r.Host+"/cdn/blob", http.StatusFound)
			},
		},
		{
			name:    "status line",
			secrets: []string{"st4tus-5ecret-e1"},
			serve: func(w http.ResponseWriter, r *http.Request) {
				conn, buf, err := w.(http.Hijacker).Hijack()
				if err != nil {
					return
				}
				defer conn.Close()
				buf.WriteString("HTTP/1.1 503 token=st4tus-5ecret-e1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
				buf.Flush()
			},
		},
		{
			name:    "echoed upstream credentials",
			secrets: []string{"UPSTREAM-bearer-0a1b", "UPW-5ecret-c3d4", "QS-t0ken-e5f6"},
			serve: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusInternalServerError)
				msg := "upstream refused Authorization: Bearer UPSTREAM-bearer-0a1b at https://proxy:UPW-5ecret-c3d4@upstream.example/v2/x?access_token=QS-t0ken-e5f6"
				json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]string{{"code": "UNKNOWN", "message": msg}}})
			},
		},
	}
}

// TestNoSecretInRegistryOutput runs each leaky answer over real HTTP and
// looks for its secrets everywhere the registry layer reports to: the
// per-image error (its text and its whole chain), the retry reasons, the
// facts' notes and the disk cache. The error still says what failed.
func TestNoSecretInRegistryOutput(t *testing.T) {
	for _, tt := range leakyAnswers() {
		t.Run(tt.name, func(t *testing.T) {
			var armed atomic.Bool
			host := testRegistry(t, whileOn(&armed, func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if strings.Contains(r.URL.Path, "/library/redis/manifests/") || strings.HasPrefix(r.URL.Path, "/cdn/") {
						tt.serve(w, r)
						return
					}
					next.ServeHTTP(w, r)
				})
			}))
			populate(t, host, fixtureFamilies)
			armed.Store(true)
			cache := t.TempDir()
			var mu sync.Mutex
			var reasons []string
			r := newTestResolver(t, host, WithCacheDir(cache), WithRetryProgress(func(ev Retry) {
				mu.Lock()
				defer mu.Unlock()
				reasons = append(reasons, ev.Reason)
			}))
			res := r.Resolve(context.Background(), []Request{{Ref: "redis:7", Precise: true, Platforms: []string{"linux/amd64"}}})["redis:7"]
			if !errors.Is(res.Err, ErrUnavailable) {
				t.Fatalf("Resolve(redis:7) error = %v, want ErrUnavailable", res.Err)
			}
			if !strings.Contains(res.Err.Error(), "library/redis:7") {
				t.Errorf("error %q no longer names the image", res.Err)
			}
			if len(reasons) == 0 {
				t.Fatal("no retry reported; the reasons are not exercised")
			}
			assertNoSecretInChain(t, res.Err, tt.secrets...)
			for _, f := range res.Facts {
				assertNoSecretInChain(t, f.Err, tt.secrets...)
				reasons = append(reasons, f.FilesNote)
			}
			for _, why := range reasons {
				for _, s := range tt.secrets {
					if strings.Contains(why, s) {
						t.Errorf("retry reason %q carries the secret %q", why, s)
					}
				}
			}
			for _, s := range tt.secrets {
				assertNotInDir(t, cache, s)
			}
		})
	}
}

// TestCallerCancelStaysVisible: redaction hides the raw chain, but a
// caller can still tell its own cancellation from the registry's failure.
func TestCallerCancelStaysVisible(t *testing.T) {
	host := testRegistry(t, inject("/library/redis/manifests/", "", stall))
	r := newTestResolver(t, host, WithRequestTimeout(time.Minute))
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	res := r.Resolve(ctx, []Request{{Ref: "redis:7"}})["redis:7"]
	if !errors.Is(res.Err, context.Canceled) {
		t.Errorf("Resolve(redis:7) after cancel: error = %v, want errors.Is context.Canceled", res.Err)
	}
	var ue *url.Error
	if errors.As(res.Err, &ue) {
		t.Errorf("errors.As(%v, *url.Error) = true: the raw error is reachable", res.Err)
	}
}
