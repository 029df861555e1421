package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/composefix/composefix/internal/regtest"

	"github.com/google/go-containerregistry/pkg/authn"
)

// TestCLIPrintsNoRegistrySecret: registry answers that carry secrets (a
// redirect to a signed URL that breaks off, an error body repeating an
// upstream's Authorization header, userinfo and token) fail the lookup;
// whatever the format, neither stdout nor stderr nor the cache holds them,
// and the failure is still reported.
func TestCLIPrintsNoRegistrySecret(t *testing.T) {
	noDockerConfig(t)
	secrets := []string{"SIG-5ecret-1b2c", "AKIA-CRED-9f8e", "UPSTREAM-bearer-0a1b", "UPW-5ecret-c3d4", "QS-t0ken-e5f6"}
	var leaky atomic.Bool
	host := regtest.InProcess(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch {
			case !leaky.Load():
				next.ServeHTTP(w, r)
			case strings.HasPrefix(r.URL.Path, "/cdn/"):
				w.Header().Set("Content-Length", "1000")
				w.WriteHeader(http.StatusOK)
				w.Write([]byte("{"))
			case strings.Contains(r.URL.Path, "/library/redis/manifests/"):
				http.Redirect(w, r, "http://"+r.Host+"/cdn/blob?X-Amz-Credential=AKIA-CRED-9f8e&X-Amz-Signature=SIG-5ecret-1b2c", http.StatusTemporaryRedirect)
			case strings.Contains(r.URL.Path, "/library/postgres/manifests/"):
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusInternalServerError)
				msg := "upstream refused Authorization: Bearer UPSTREAM-bearer-0a1b at https://proxy:UPW-5ecret-c3d4@upstream.example/v2/x?access_token=QS-t0ken-e5f6"
				json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]string{{"code": "UNKNOWN", "message": msg}}})
			default:
				next.ServeHTTP(w, r)
			}
		})
	})
	pushFamilies(t, host, authn.Anonymous, cliFamilies)
	leaky.Store(true)
	in := "services:\n  cache:\n    image: redis:7-alpine\n  db:\n    image: postgres:16\n"
	for _, format := range []string{"text", "json", "sarif", "github"} {
		t.Run(format, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"compose.yaml": in})
			cache := t.TempDir()
			out, errOut, code := runCLI(t, dir, "", "--format", format, "--select", "CF0", "--retries", "1",
				"--registry-mirror", "docker.io=http://"+host, "--cache-dir", cache)
			if code != exitError {
				t.Errorf("exit %d, want %d (a registry failure); stderr:\n%s", code, exitError, errOut)
			}
			if !strings.Contains(out+errOut, "library/postgres:16") || !strings.Contains(out+errOut, "library/redis:7-alpine") {
				t.Errorf("the failures are not reported; stdout:\n%s\nstderr:\n%s", out, errOut)
			}
			for _, s := range secrets {
				if strings.Contains(out, s) || strings.Contains(errOut, s) {
					t.Errorf("output carries the secret %q; stdout:\n%s\nstderr:\n%s", s, out, errOut)
				}
				filepath.WalkDir(cache, func(p string, d os.DirEntry, err error) error {
					if err == nil && !d.IsDir() {
						if b, _ := os.ReadFile(p); strings.Contains(string(b), s) {
							t.Errorf("cache file %s carries the secret %q", p, s)
						}
					}
					return nil
				})
			}
		})
	}
}

// TestMirrorFlagErrorPrintsNoSecret: a --registry-mirror value without
// HOST= is a usage error that quotes what was given, but not the
// credentials or the token of a URL pasted there by mistake.
func TestMirrorFlagErrorPrintsNoSecret(t *testing.T) {
	dir := writeFiles(t, map[string]string{"compose.yaml": "services:\n  web:\n    image: nginx:1.27.3\n"})
	for _, mirror := range []string{
		"https://ci-bot:MIRROR-pw-7a1b@mirror.example.com",
		"https://mirror.example.com/v2?access_token=MIRROR-tok-2c3d",
		// No scheme: not a URL to a scrubber looking for "://".
		"ci-bot:MIRROR-pw-7a1b@mirror.example.com",
	} {
		_, errOut, code := runCLI(t, dir, "", "--registry-mirror", mirror, "--cache-dir", t.TempDir())
		if code != exitError {
			t.Errorf("--registry-mirror %s: exit %d, want %d; stderr:\n%s", mirror, code, exitError, errOut)
		}
		if !strings.Contains(errOut, "--registry-mirror") || !strings.Contains(errOut, "mirror.example.com") {
			t.Errorf("--registry-mirror %s: the error does not say which value; stderr:\n%s", mirror, errOut)
		}
		for _, s := range []string{"MIRROR-pw-7a1b", "MIRROR-tok-2c3d"} {
			if strings.Contains(errOut, s) {
				t.Errorf("--registry-mirror %s: stderr carries the secret %q:\n%s", mirror, s, errOut)
			}
		}
	}
}
