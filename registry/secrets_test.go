package registry

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
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
