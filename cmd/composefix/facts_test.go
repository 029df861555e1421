package main

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/composefix/composefix/internal/regtest"
)

// pushFactsImages pushes three in-house images the knowledge base does not
// know: web declares its own HEALTHCHECK and USER, root declares neither,
// and armonly serves linux/arm64 only.
func pushFactsImages(t *testing.T, host string) {
	t.Helper()
	layer := regtest.Layer{Gzip: true, Files: []regtest.File{{Name: "bin", Dir: true}, {Name: "bin/busybox", Size: 32}, {Name: "bin/sh", Link: "busybox"}, {Name: "bin/wget", Link: "busybox"}}}
	web := regtest.Image(t, regtest.ImageSpec{Layers: []regtest.Layer{layer}, Config: v1.Config{
		User:        "101",
		Env:         []string{"PATH=/bin"},
		Healthcheck: &v1.HealthConfig{Test: []string{"CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/health"}, Interval: 10 * time.Second},
		Labels:      map[string]string{"org.opencontainers.image.version": "1.0.0"},
	}})
	regtest.PushImage(t, host, "acme/web:1.0.0", web)
	root := regtest.Image(t, regtest.ImageSpec{Layers: []regtest.Layer{layer}, Config: v1.Config{Env: []string{"PATH=/bin"}}})
	regtest.PushImage(t, host, "acme/root:1.0.0", root)
	arm := regtest.Image(t, regtest.ImageSpec{Architecture: "arm64", Layers: []regtest.Layer{layer}, Config: v1.Config{User: "1000"}})
	regtest.PushIndex(t, host, "acme/armonly:2.0.0", regtest.Index(t, arm))
}

func factsCompose(host string) string {
	return "services:\n" +
		"  web:\n    image: " + host + "/acme/web:1.0.0\n" +
		"  api:\n    image: " + host + "/acme/root:1.0.0\n    depends_on: [web]\n" +
		"  arm:\n    image: " + host + "/acme/armonly:2.0.0\n"
}

// checkFactsRun runs composefix over factsCompose against host and checks
// what image facts change: no healthcheck for an image with its own, its
// dependents wait for service_healthy, the config's USER decides CF509, an
// unserved platform is an error.
func checkFactsRun(t *testing.T, host string, count func() int, reset func()) {
	t.Helper()
	dir := writeFiles(t, map[string]string{"compose.yaml": factsCompose(host)})
	cache := t.TempDir()
	args := []string{"-w", "--select", "CF005,CF101,CF102,CF509", "--cache-dir", cache}
	reset()
	_, errOut, code := runCLI(t, dir, "", args...)
	if code != exitOK {
		t.Fatalf("exit %d, want 0; stderr:\n%s", code, errOut)
	}
	got, err := os.ReadFile(filepath.Join(dir, "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(factsCompose(host), "depends_on: [web]", "depends_on: {web: {condition: service_healthy}}", 1)
	if string(got) != want {
		t.Errorf("file:\n%s\nwant:\n%s\nstderr:\n%s", got, want, errOut)
	}
	for _, w := range []string{
		`error: image "` + host + `/acme/armonly:2.0.0" does not serve platform "linux/amd64" that service "arm" runs on; it serves "linux/arm64" [CF005]`,
		`info: service "api" runs as root: the config of image "` + host + `/acme/root:1.0.0" sets no USER (or root) and the service sets no user [CF509]`,
		`service "api" has no healthcheck and gets none`,
	} {
		if !strings.Contains(errOut, w) {
			t.Errorf("stderr lacks %q:\n%s", w, errOut)
		}
	}
	for _, unwanted := range []string{`service "web" has no healthcheck`, `"web" runs as root`, `"arm" runs as root`} {
		if strings.Contains(errOut, unwanted) {
			t.Errorf("stderr has %q:\n%s", unwanted, errOut)
		}
	}
	// Cold: per single-platform image its tag's manifest and its config;
	// for the arm64-only index its tag's manifest (no amd64 image to read).
	if n := count(); n != 5 {
		t.Errorf("cold run: %d manifest and blob GETs, want 5", n)
	}
	// Warm: everything from the cache.
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(factsCompose(host)), 0o644); err != nil {
		t.Fatal(err)
	}
	reset()
	if _, errOut, code := runCLI(t, dir, "", args...); code != exitOK || count() != 0 {
		t.Errorf("warm run: exit %d, %d GETs, want 0 and 0; stderr:\n%s", code, count(), errOut)
	}
	// --check fails on the unserved platform, an error-level finding.
	if _, _, code := runCLI(t, dir, "", "--check", "--select", "CF005", "--cache-dir", cache); code != exitChanges {
		t.Errorf("--check with an unserved platform: exit %d, want %d", code, exitChanges)
	}
	// Offline with nothing cached: the rules fall back without a word.
	_, errOut, code = runCLI(t, dir, "", "--offline", "--select", "CF005,CF101", "--cache-dir", t.TempDir())
	if code != exitOK || strings.Contains(errOut, "CF005") {
		t.Errorf("offline, empty cache: exit %d, want 0 and no CF005; stderr:\n%s", code, errOut)
	}
	// Offline with the cache warm: the facts serve, the platform error too.
	if _, errOut, _ := runCLI(t, dir, "", "--offline", "--select", "CF005", "--cache-dir", cache); !strings.Contains(errOut, "does not serve platform") {
		t.Errorf("offline, warm cache: stderr lacks the unserved platform:\n%s", errOut)
	}
	// Turned off: no request, and the rules fall back to the knowledge base.
	reset()
	_, errOut, code = runCLI(t, dir, "", "--image-facts=false", "--select", "CF005,CF101,CF102,CF509", "--cache-dir", t.TempDir())
	if code != exitOK || count() != 0 || strings.Contains(errOut, "CF005") || !strings.Contains(errOut, `service "web" has no healthcheck and gets none`) {
		t.Errorf("--image-facts=false: exit %d, %d GETs; stderr:\n%s", code, count(), errOut)
	}
}

// pushInspectImages pushes knowledge-base images whose files differ from
// what the knowledge base expects: an nginx without curl (busybox only)
// and a typesense without bash, under Docker Hub names.
func pushInspectImages(t *testing.T, host string) {
	t.Helper()
	busybox := regtest.Layer{Gzip: true, Files: []regtest.File{
		{Name: "bin", Dir: true}, {Name: "bin/busybox", Size: 64}, {Name: "bin/sh", Link: "busybox"}, {Name: "bin/wget", Hard: "bin/busybox"},
	}}
	nginx := regtest.Image(t, regtest.ImageSpec{Layers: []regtest.Layer{busybox, {Files: []regtest.File{{Name: "usr/sbin/nginx", Size: 16}}}},
		Config: v1.Config{Env: []string{"PATH=/usr/sbin:/usr/bin:/bin"}}})
	regtest.PushImage(t, host, "library/nginx:1.27.3", nginx)
	typesense := regtest.Image(t, regtest.ImageSpec{Layers: []regtest.Layer{{Files: []regtest.File{{Name: "opt/typesense-server", Size: 16}}}},
		Config: v1.Config{Env: []string{"PATH=/opt:/usr/bin:/bin"}}})
	regtest.PushImage(t, host, "typesense/typesense:27.1", typesense)
}

const inspectCompose = `services:
  web:
    image: nginx:1.27.3
  search:
    image: typesense/typesense:27.1
`

// checkInspectRun runs composefix --inspect-files against a registry
// mirroring Docker Hub at host.
func checkInspectRun(t *testing.T, host string, count func() int, reset func()) {
	t.Helper()
	dir := writeFiles(t, map[string]string{"compose.yaml": inspectCompose})
	cache := t.TempDir()
	args := []string{"-w", "--select", "CF101", "--inspect-files", "--registry-mirror", "docker.io=http://" + host, "--cache-dir", cache}
	reset()
	_, errOut, code := runCLI(t, dir, "", args...)
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, errOut)
	}
	got, err := os.ReadFile(filepath.Join(dir, "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// nginx has no curl here: busybox wget, the alpine-slim check, fits.
	if !strings.Contains(string(got), `test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:80/"]`) || strings.Contains(string(got), "curl") {
		t.Errorf("web did not get the wget check:\n%s", got)
	}
	if strings.Contains(string(got), "bash") {
		t.Errorf("search got a bash check although the image has no bash:\n%s", got)
	}
	want := `service "search" has no healthcheck and gets none: image "typesense/typesense:27.1" has none of the programs the knowledge base's checks for it run: it lacks bash [CF101]`
	if !strings.Contains(errOut, want) {
		t.Errorf("stderr lacks %q:\n%s", want, errOut)
	}
	// Cold: per image its manifest, its config and each of its layers.
	if n := count(); n != (1+1+2)+(1+1+1) {
		t.Errorf("cold run: %d manifest and blob GETs, want 7", n)
	}
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(inspectCompose), 0o644); err != nil {
		t.Fatal(err)
	}
	reset()
	if _, errOut, code := runCLI(t, dir, "", args...); code != exitOK || count() != 0 {
		t.Errorf("warm run: exit %d, %d GETs, want 0 and 0; stderr:\n%s", code, count(), errOut)
	}
	// A budget too small for the layers falls back to the knowledge base
	// and says so.
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(inspectCompose), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errOut, code = runCLI(t, dir, "", "--select", "CF101", "--inspect-files", "--inspect-budget", "10", "--registry-mirror", "docker.io=http://"+host, "--cache-dir", t.TempDir())
	if code != exitOK || !strings.Contains(errOut, `service "web" has no healthcheck; dependents cannot wait for it to be ready; its layers were not inspected:`) || !strings.Contains(errOut, "over the layer inspection budget, so the knowledge base chose the command") {
		t.Errorf("over budget: exit %d; stderr:\n%s", code, errOut)
	}
}

// getsOf counts the manifest and blob GETs a request log saw.
func getsOf(rl *requestLog) func() int {
	return func() int { return rl.count(http.MethodGet, "/manifests/") + rl.count(http.MethodGet, "/blobs/") }
}

// TestCLIImageFactsAndFiles runs the config-facts and file-facts checks
// against the in-process registry and, end to end, against the
// distribution registry behind a counting proxy (it runs in its own
// process).
func TestCLIImageFactsAndFiles(t *testing.T) {
	checks := []struct {
		name  string
		push  func(*testing.T, string)
		check func(*testing.T, string, func() int, func())
	}{
		{"config facts", pushFactsImages, checkFactsRun},
		{"file facts", pushInspectImages, checkInspectRun},
	}
	for _, c := range checks {
		t.Run(c.name+"/in-process", func(t *testing.T) {
			noDockerConfig(t)
			host, rl := memRegistry(t)
			c.push(t, host)
			c.check(t, host, getsOf(rl), rl.reset)
		})
		t.Run(c.name+"/E2E distribution", func(t *testing.T) {
			noDockerConfig(t)
			backend := regtest.Distribution(t, "")
			c.push(t, backend)
			rl := &requestLog{}
			srv := httptest.NewServer(rl.wrap(httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: backend})))
			t.Cleanup(srv.Close)
			c.check(t, strings.TrimPrefix(srv.URL, "http://"), getsOf(rl), rl.reset)
		})
	}
}

// TestCLIMariaDBCheckByCreated: the config's created date travels from the
// registry to CF101, which picks mariadb's check by it (see
// docs/healthchecks.md): a 10.x tag rebuilt in 2024 gets healthcheck.sh, an
// image built in 2022 gets mysqladmin whatever its tag.
func TestCLIMariaDBCheckByCreated(t *testing.T) {
	noDockerConfig(t)
	host, _ := memRegistry(t)
	for tag, created := range map[string]time.Time{
		"10.6":   time.Date(2024, 5, 20, 9, 0, 0, 0, time.UTC),
		"11.4.2": time.Date(2022, 11, 3, 9, 0, 0, 0, time.UTC),
	} {
		img := regtest.Image(t, regtest.ImageSpec{Created: created, Config: v1.Config{Env: []string{"PATH=/usr/local/bin:/usr/bin:/bin"}}})
		regtest.PushImage(t, host, "library/mariadb:"+tag, img)
	}
	dir := writeFiles(t, map[string]string{"compose.yaml": "services:\n  new:\n    image: mariadb:10.6\n  old:\n    image: mariadb:11.4.2\n"})
	out, errOut, code := runCLI(t, dir, "", "--select", "CF101", "--registry-mirror", "docker.io=http://"+host, "--cache-dir", t.TempDir())
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, errOut)
	}
	newPart, oldPart, ok := strings.Cut(out, "   old:\n")
	if !ok || !strings.Contains(newPart, `+      MARIADB_AUTO_UPGRADE: "1"`) || !strings.Contains(newPart, `+      test: ["CMD", "healthcheck.sh", "--connect"`) ||
		!strings.Contains(oldPart, `+      test: ["CMD", "mysqladmin", "ping"`) {
		t.Errorf("want healthcheck.sh (with MARIADB_AUTO_UPGRADE) for new and mysqladmin for old; diff:\n%s\nstderr:\n%s", out, errOut)
	}
}
