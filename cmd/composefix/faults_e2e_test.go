package main

import (
	"encoding/json"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/composefix/composefix/internal/regtest"

	"github.com/google/go-containerregistry/pkg/authn"
)

// TestE2EFaultyAnswersAreNeverPinned runs issue 9's fault matrix through
// the CLI against the real distribution registry, with a fault-injecting
// proxy in front of it that corrupts the answers for traefik and redis:
// neither is pinned nor re-pinned (CF002 keeps a correct digest), the run
// exits 2 naming the proxy, nothing about them is cached, minio (behind
// the same proxy, answered truly) is pinned, and the next run against the
// healed proxy, with the same cache, pins correctly.
func TestE2EFaultyAnswersAreNeverPinned(t *testing.T) {
	noDockerConfig(t)
	reg := regtest.Distribution(t, "")
	digests := pushFamilies(t, reg, authn.Anonymous, e2eImages)
	var fault atomic.Pointer[regtest.ManifestFault]
	proxy := regtest.Proxy(t, reg, func(h http.Handler) http.Handler { return regtest.Inject(h, "/library/", &fault) })

	redis := "redis:7.4.1-alpine@" + digests["library/redis:7.4.1-alpine"]
	in := "services:\n  proxy:\n    image: traefik:latest\n  cache:\n    image: " + redis + "\n  store:\n    image: minio/minio:latest\n"
	faulty := strings.Replace(in, "minio/minio:latest", "minio/minio:RELEASE.2024-12-13T22-19-12Z", 1)
	healed := strings.Replace(faulty, "traefik:latest", "traefik:v3.2.3", 1)
	for _, f := range regtest.ManifestFaults() {
		t.Run(f.Name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"compose.yaml": in})
			cache := t.TempDir()
			args := []string{"-w", "--select", "CF0", "--registry-mirror", "docker.io=http://" + proxy, "--cache-dir", cache}

			fault.Store(&f)
			_, errOut, code := runCLI(t, dir, "", args...)
			if code != exitError {
				t.Errorf("faulty registry: exit %d, want 2; stderr:\n%s", code, errOut)
			}
			if got := readFile(t, filepath.Join(dir, "compose.yaml")); got != faulty {
				t.Errorf("faulty registry: file\n%s\nwant only minio pinned:\n%s", got, faulty)
			}
			for _, s := range []string{"registry " + proxy + " answered GET", `traefik:latest`, redis} {
				if !strings.Contains(errOut, s) {
					t.Errorf("faulty registry: stderr lacks %q:\n%s", s, errOut)
				}
			}
			for _, line := range strings.Split(errOut, "\n") {
				if strings.Contains(line, "[CF002]") || strings.Contains(line, "(fixed)") && !strings.Contains(line, "minio") {
					t.Errorf("faulty registry: a fix was reported for a faulty image: %s", line)
				}
			}
			keys := cachedKeys(t, cache)
			if !strings.Contains(strings.Join(keys, "\n"), "minio/minio") {
				t.Errorf("faulty registry: cache lacks minio's verified answer (keys %q): the check below would see nothing", keys)
			}
			for _, key := range keys {
				if strings.Contains(key, "/library/") {
					t.Errorf("faulty registry: cache holds %s", key)
				}
			}

			fault.Store(nil)
			_, errOut, code = runCLI(t, dir, "", args...)
			if code != exitOK {
				t.Errorf("healed registry: exit %d, want 0; stderr:\n%s", code, errOut)
			}
			if got := readFile(t, filepath.Join(dir, "compose.yaml")); got != healed {
				t.Errorf("healed registry: file\n%s\nwant:\n%s", got, healed)
			}
		})
	}
}

// cachedKeys returns the key of every registry cache entry under dir.
func cachedKeys(t *testing.T, dir string) []string {
	t.Helper()
	var keys []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var e struct{ Key string }
		if err := json.Unmarshal(b, &e); err != nil {
			t.Errorf("cache file %s: %v", path, err)
		}
		keys = append(keys, e.Key)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return keys
}
