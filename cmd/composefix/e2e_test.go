package main

import (
	"bytes"
	"encoding/base64"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/composefix/composefix/internal/regtest"

	"github.com/google/go-containerregistry/pkg/authn"
)

// e2eImages are the tag families of testdata/e2e/compose.yaml, laid out as
// on Docker Hub: each floating tag shares its digest with one precise tag,
// beside older releases and other variants that must not be chosen.
var e2eImages = []tagFamily{
	{repo: "library/traefik", tags: []string{"v3.2.3", "v3.2", "v3", "latest"}, index: true},
	{repo: "library/traefik", tags: []string{"v3.2.2"}},
	{repo: "library/postgres", tags: []string{"16.6", "16", "latest"}, index: true},
	{repo: "library/postgres", tags: []string{"16.5"}},
	{repo: "library/redis", tags: []string{"7.4.1-alpine", "7.4-alpine", "7-alpine", "alpine"}},
	{repo: "library/redis", tags: []string{"7.4.0-alpine"}},
	{repo: "library/redis", tags: []string{"7.4.1-bookworm", "7-bookworm"}},
	{repo: "clamav/clamav", tags: []string{"1.4.1", "1.4", "stable", "latest"}},
	{repo: "clamav/clamav", tags: []string{"1.3.2", "1.3"}},
	{repo: "minio/minio", tags: []string{"RELEASE.2024-12-13T22-19-12Z", "latest"}},
	{repo: "minio/minio", tags: []string{"RELEASE.2024-11-07T00-52-20Z"}},
}

// e2ePins are the rewrites expected in testdata/e2e/compose.yaml.
var e2ePins = []struct{ from, to string }{
	{"image: traefik:latest", "image: traefik:v3.2.3"},
	{"image: postgres:16\n", "image: postgres:16.6\n"},
	{`image: "redis:7-alpine"`, `image: "redis:7.4.1-alpine"`},
	{"image: clamav/clamav:stable", "image: clamav/clamav:1.4.1"},
	{"&minio-image minio/minio:latest", "&minio-image minio/minio:RELEASE.2024-12-13T22-19-12Z"},
}

// writeDockerConfig writes $HOME/.docker/config.json with auths (host →
// "user:password") under a temporary HOME, as `docker login` does.
func writeDockerConfig(t *testing.T, auths map[string]string) {
	t.Helper()
	home := t.TempDir()
	dir := filepath.Join(home, ".docker")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	regtest.DockerConfig(t, dir, auths)
	t.Setenv("HOME", home)
}

func TestE2EPinsARealisticFileAgainstTheDistributionRegistry(t *testing.T) {
	const user, pass = "composefix", "e2e-Pa55word-never-printed"
	htpasswd := regtest.Htpasswd(t, user, pass)
	src, err := os.ReadFile(filepath.Join("testdata", "e2e", "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	want := string(src)
	for _, p := range e2ePins {
		if !strings.Contains(want, p.from) {
			t.Fatalf("testdata/e2e/compose.yaml lacks %q", p.from)
		}
		want = strings.Replace(want, p.from, p.to, 1)
	}
	tests := []struct {
		name     string
		htpasswd string
	}{
		{name: "plain"},
		{name: "htpasswd basic auth", htpasswd: htpasswd},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host := regtest.Distribution(t, tt.htpasswd)
			var push authn.Authenticator = authn.Anonymous
			auths := map[string]string{}
			if tt.htpasswd != "" {
				push = &authn.Basic{Username: user, Password: pass}
				auths[host] = user + ":" + pass
			}
			pushFamilies(t, host, push, e2eImages)
			writeDockerConfig(t, auths)

			dir := writeFiles(t, map[string]string{"compose.yaml": string(src)})
			cache := t.TempDir()
			args := []string{"-w", "--select", "CF0", "--registry-mirror", "docker.io=http://" + host, "--cache-dir", cache}
			out, errOut, code := runCLI(t, dir, "", args...)
			if code != exitOK {
				t.Fatalf("exit %d, want 0; stderr:\n%s", code, errOut)
			}
			if got := readFile(t, filepath.Join(dir, "compose.yaml")); got != want {
				t.Errorf("pinned file:\n%s\nwant:\n%s", got, want)
			}
			if !strings.Contains(errOut, "5 images looked up") {
				t.Errorf("summary does not count 5 lookups (the build output and the anchor's aliases are not looked up):\n%s", errOut)
			}
			assertNoSecret(t, pass, out+errOut, cache)

			// Idempotent: a second run has nothing left to pin.
			out, errOut, code = runCLI(t, dir, "", append([]string{"--check"}, args[1:]...)...)
			if code != exitOK || out != "" {
				t.Errorf("second run: exit %d, diff:\n%s\nstderr:\n%s", code, out, errOut)
			}

			if tt.htpasswd != "" {
				writeDockerConfig(t, map[string]string{host: user + ":wrong-" + pass})
				dir := writeFiles(t, map[string]string{"compose.yaml": string(src)})
				out, errOut, code := runCLI(t, dir, "", "-w", "--select", "CF0", "--registry-mirror", "docker.io=http://"+host, "--cache-dir", t.TempDir())
				if code != exitError || !strings.Contains(errOut, "unauthorized") {
					t.Errorf("wrong password: exit %d, want 2 naming the refusal; stderr:\n%s", code, errOut)
				}
				if got := readFile(t, filepath.Join(dir, "compose.yaml")); got != string(src) {
					t.Errorf("wrong password: the file was pinned anyway:\n%s", got)
				}
				assertNoSecret(t, pass, out+errOut, "")
			}
		})
	}
}

// assertNoSecret fails when the password appears in the output or in any
// file of the cache directory.
func assertNoSecret(t *testing.T, secret, output, cacheDir string) {
	t.Helper()
	encoded := base64.StdEncoding.EncodeToString([]byte("composefix:" + secret))
	for _, s := range []string{secret, encoded} {
		if strings.Contains(output, s) {
			t.Errorf("output contains a credential:\n%s", output)
		}
	}
	if cacheDir == "" {
		return
	}
	err := filepath.WalkDir(cacheDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(b, []byte(secret)) || bytes.Contains(b, []byte(encoded)) {
			t.Errorf("cache file %s contains a credential", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
