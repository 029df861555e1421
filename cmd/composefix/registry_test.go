package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/composefix/composefix/fixers"
	"github.com/composefix/composefix/internal/regtest"

	"github.com/google/go-containerregistry/pkg/authn"
)

// requestLog counts the requests a test registry answers, by
// "METHOD /path".
type requestLog struct {
	mu sync.Mutex
	m  map[string]int
}

func (l *requestLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		if l.m == nil {
			l.m = map[string]int{}
		}
		l.m[r.Method+" "+r.URL.Path]++
		l.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

func (l *requestLog) reset() {
	l.mu.Lock()
	l.m = nil
	l.mu.Unlock()
}

// count returns how many requests matched method (any when "") and whose
// path contains part.
func (l *requestLog) count(method, part string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for k, c := range l.m {
		m, p, _ := strings.Cut(k, " ")
		if (method == "" || m == method) && strings.Contains(p, part) {
			n += c
		}
	}
	return n
}

func (l *requestLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	keys := make([]string, 0, len(l.m))
	for k, c := range l.m {
		keys = append(keys, fmt.Sprintf("%s ×%d", k, c))
	}
	sort.Strings(keys)
	return strings.Join(keys, "\n")
}

// memRegistry serves go-containerregistry's in-memory registry on
// 127.0.0.1, counting requests, and returns its host:port.
func memRegistry(t testing.TB) (string, *requestLog) {
	t.Helper()
	rl := &requestLog{}
	return regtest.InProcess(t, rl.wrap), rl
}

// tagFamily is a set of tags carrying one pushed image (or index).
type tagFamily struct {
	repo  string // below the registry: library/redis
	tags  []string
	index bool
}

// pushFamilies pushes random content under each family's tags and returns
// "repo:tag" → digest.
func pushFamilies(t testing.TB, host string, auth authn.Authenticator, fams []tagFamily) map[string]string {
	t.Helper()
	out := make([]regtest.Family, len(fams))
	for i, f := range fams {
		out[i] = regtest.Family{Repo: f.repo, Tags: f.tags, Index: f.index}
	}
	return regtest.Push(t, host, auth, out)
}

// noDockerConfig points the default keychain at an empty Docker config, so
// that no test reads the developer's credentials.
func noDockerConfig(t testing.TB) {
	t.Helper()
	t.Setenv("DOCKER_CONFIG", t.TempDir())
}

var cliFamilies = []tagFamily{
	{repo: "library/redis", tags: []string{"7.4.1-alpine", "7.4-alpine", "7-alpine", "alpine"}},
	{repo: "library/redis", tags: []string{"7.4.0-alpine"}},
	{repo: "library/redis", tags: []string{"7.4.3-alpine"}},
	{repo: "library/redis", tags: []string{"7.5.0-alpine"}},
	{repo: "library/redis", tags: []string{"8.0.0-alpine"}},
	{repo: "library/redis", tags: []string{"7.4.3-bookworm"}},
	{repo: "library/traefik", tags: []string{"v3.2.3", "v3.2", "v3", "latest"}, index: true},
	{repo: "library/traefik", tags: []string{"v3.2.2"}},
	{repo: "library/postgres", tags: []string{"16.6", "16"}},
}

func TestCLIPinsFloatingTagsFromTheRegistry(t *testing.T) {
	noDockerConfig(t)
	host, rl := memRegistry(t)
	pushFamilies(t, host, authn.Anonymous, cliFamilies)
	rl.reset()
	in := "services:\n" +
		"  cache:\n    image: redis:7-alpine # the cache\n" +
		"  proxy:\n    image: \"docker.io/library/traefik\"\n" +
		"  db:\n    image: ${PG_IMAGE:-postgres:16}\n" +
		"  app:\n    image: ${APP_IMAGE}\n" +
		"  gone:\n    image: nosuch/image:1\n" +
		"  built:\n    build: .\n    image: redis:7-alpine\n"
	dir := writeFiles(t, map[string]string{"compose.yaml": in})
	cache := t.TempDir()
	_, errOut, code := runCLI(t, dir, "", "-w", "--select", "CF0", "--registry-mirror", "docker.io=http://"+host, "--cache-dir", cache)
	if code != exitOK {
		t.Fatalf("exit %d, want 0; stderr:\n%s", code, errOut)
	}
	want := "services:\n" +
		"  cache:\n    image: redis:7.4.1-alpine # the cache\n" +
		"  proxy:\n    image: \"docker.io/library/traefik:v3.2.3\"\n" +
		"  db:\n    image: ${PG_IMAGE:-postgres:16.6}\n" +
		"  app:\n    image: ${APP_IMAGE}\n" +
		"  gone:\n    image: nosuch/image:1\n" +
		"  built:\n    build: .\n    image: redis:7-alpine\n"
	if got := readFile(t, filepath.Join(dir, "compose.yaml")); got != want {
		t.Errorf("pinned file:\n%s\nwant:\n%s", got, want)
	}
	for _, s := range []string{
		`info: image "${APP_IMAGE}" depends on the environment`,
		`error: image "nosuch/image:1" does not exist: looking up the digest of docker.io/nosuch/image:1: not found: the registry has no repository docker.io/nosuch/image [CF006]`,
	} {
		if !strings.Contains(errOut, s) {
			t.Errorf("stderr lacks %q:\n%s", s, errOut)
		}
	}
	// The precise search stays within its bound: one GET for the tag, at
	// most 10 candidates each.
	if n := rl.count(http.MethodGet, "/manifests/"); n > 3*11+1 {
		t.Errorf("%d manifest GETs for 4 references, want at most %d:\n%s", n, 3*11+1, rl)
	}
	if n := rl.count(http.MethodHead, ""); n != 0 {
		t.Errorf("%d HEADs, want 0 (digests come from manifest bytes hashed here):\n%s", n, rl)
	}
	t.Logf("requests for 4 references:\n%s", rl)
}

func TestCLIDigestPinOneRequestPerReference(t *testing.T) {
	noDockerConfig(t)
	host, rl := memRegistry(t)
	digests := pushFamilies(t, host, authn.Anonymous, cliFamilies)
	rl.reset()
	files := map[string]string{}
	spellings := []string{"redis:7.4.1-alpine", "docker.io/library/redis:7.4.1-alpine", "index.docker.io/redis:7.4.1-alpine"}
	for i := range 50 {
		files[fmt.Sprintf("p%02d/compose.yaml", i)] = "services:\n  cache:\n    image: " + spellings[i%len(spellings)] + "\n"
	}
	dir := writeFiles(t, files)
	cache := t.TempDir()
	args := []string{"--select", "CF001", "--pin", "digest", "--registry-mirror", "docker.io=http://" + host, "--cache-dir", cache}
	out, errOut, code := runCLI(t, dir, "", args...)
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, errOut)
	}
	if n := rl.count(http.MethodGet, "/manifests/"); n != 1 {
		t.Errorf("manifest GETs = %d for one reference in 50 files, want 1:\n%s", n, rl)
	}
	if n := rl.count(http.MethodHead, "") + rl.count(http.MethodGet, "/tags/"); n != 0 {
		t.Errorf("HEADs and tag lists = %d, want 0 for a digest pin:\n%s", n, rl)
	}
	d := digests["library/redis:7.4.1-alpine"]
	if got := strings.Count(out, "+    image: "); got != 50 || !strings.Contains(out, "+    image: redis:7.4.1-alpine@"+d+"\n") {
		t.Errorf("diff pins %d images, want 50 with %s:\n%.600s", got, d, out)
	}
	t.Logf("cold run, 50 files, 3 spellings of one reference:\n%s", rl)
	if !strings.Contains(errOut, "1 image looked up") {
		t.Errorf("summary does not count one lookup:\n%s", errOut)
	}

	rl.reset()
	out2, errOut, code := runCLI(t, dir, "", args...)
	if code != exitOK || out2 != out {
		t.Fatalf("warm run: exit %d, same diff %v; stderr:\n%s", code, out2 == out, errOut)
	}
	if rl.String() != "" {
		t.Errorf("warm cache made requests, want none:\n%s", rl)
	}

	rl.reset()
	if _, errOut, code := runCLI(t, dir, "", append(args, "--refresh")...); code != exitOK || rl.count(http.MethodGet, "/manifests/") != 1 {
		t.Errorf("--refresh: exit %d, want one manifest GET again:\n%s\nstderr:\n%s", code, rl, errOut)
	}
}

func TestCLIStaleDigestIsRefreshed(t *testing.T) {
	noDockerConfig(t)
	host, _ := memRegistry(t)
	old := pushFamilies(t, host, authn.Anonymous, []tagFamily{{repo: "library/redis", tags: []string{"7.4.1-alpine"}}})
	cur := pushFamilies(t, host, authn.Anonymous, []tagFamily{{repo: "library/redis", tags: []string{"7.4.1-alpine"}}})
	o, c := old["library/redis:7.4.1-alpine"], cur["library/redis:7.4.1-alpine"]
	if o == c {
		t.Fatal("random images share a digest")
	}
	dir := writeFiles(t, map[string]string{"compose.yaml": "services:\n  cache:\n    image: redis:7.4.1-alpine@" + o + "\n"})
	_, errOut, code := runCLI(t, dir, "", "-w", "--select", "CF0", "--registry-mirror", "docker.io=http://"+host, "--cache-dir", t.TempDir())
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, errOut)
	}
	if got, want := readFile(t, filepath.Join(dir, "compose.yaml")), "services:\n  cache:\n    image: redis:7.4.1-alpine@"+c+"\n"; got != want {
		t.Errorf("file:\n%s\nwant:\n%s", got, want)
	}
	if !strings.Contains(errOut, "[CF002]") {
		t.Errorf("stderr lacks the stale-digest finding:\n%s", errOut)
	}
}

func TestCLIOfflineWithEmptyCacheIsNotAnError(t *testing.T) {
	noDockerConfig(t)
	in := "services:\n  cache:\n    image: redis:7-alpine\n"
	dir := writeFiles(t, map[string]string{"compose.yaml": in})
	out, errOut, code := runCLI(t, dir, "", "--select", "CF0,CF201", "--offline", "--cache-dir", t.TempDir())
	if code != exitOK {
		t.Fatalf("exit %d, want 0; stderr:\n%s", code, errOut)
	}
	if !strings.Contains(errOut, `info: image "redis:7-alpine" is not resolved: offline and not in the cache [CF003]`) {
		t.Errorf("stderr lacks the unresolved finding:\n%s", errOut)
	}
	if !strings.Contains(out, "+    restart: unless-stopped") || strings.Contains(out, "-    image:") {
		t.Errorf("diff should add restart and leave the image:\n%s", out)
	}
}

// TestCLIOfflineKeepsIgnoresOfRulesThatCouldNotRun: offline with nothing
// cached the pin rule cannot check the image, so its ignore comment is not
// reported as silencing nothing (removing it would get the image pinned on
// the next online run).
func TestCLIOfflineKeepsIgnoresOfRulesThatCouldNotRun(t *testing.T) {
	noDockerConfig(t)
	in := "services:\n  cache:\n    image: redis:7-alpine # composefix:ignore CF001 -- tracks 7\n    restart: always\n"
	dir := writeFiles(t, map[string]string{"compose.yaml": in})
	_, errOut, code := runCLI(t, dir, "", "--select", "CF0,CF900", "--offline", "--cache-dir", t.TempDir())
	if code != exitOK {
		t.Fatalf("exit %d, want 0; stderr:\n%s", code, errOut)
	}
	if strings.Contains(errOut, "CF900") {
		t.Errorf("offline run claims the ignore is unused:\n%s", errOut)
	}
}

func TestCLIRegistryDownExitsTwoAfterWriting(t *testing.T) {
	noDockerConfig(t)
	closed := closedAddr(t)
	in := "services:\n  cache:\n    image: redis:7-alpine\n"
	dir := writeFiles(t, map[string]string{"compose.yaml": in})
	_, errOut, code := runCLI(t, dir, "", "-w", "--select", "CF0,CF201", "--registry-mirror", "docker.io=http://"+closed, "--cache-dir", t.TempDir())
	if code != exitError {
		t.Fatalf("exit %d, want 2; stderr:\n%s", code, errOut)
	}
	want := "services:\n  cache:\n    image: redis:7-alpine\n    restart: unless-stopped\n"
	if got := readFile(t, filepath.Join(dir, "compose.yaml")); got != want {
		t.Errorf("file after a registry failure:\n%s\nwant the other fixes written:\n%s", got, want)
	}
	if !strings.Contains(errOut, "composefix: resolving 1 image failed:") || !strings.Contains(errOut, "registry unavailable") {
		t.Errorf("stderr lacks the registry failure:\n%s", errOut)
	}
}

// closedAddr returns a loopback address nothing listens on: a registry
// that is down.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// TestCLIStdinEchoesInputOnRegistryFailure checks that, on standard input,
// a registry failure exits 2 with the input echoed unchanged: exit 2 means
// stdout is the input, whatever failed.
func TestCLIStdinEchoesInputOnRegistryFailure(t *testing.T) {
	noDockerConfig(t)
	closed := closedAddr(t)
	in := "services:\n  cache:\n    image: redis:7-alpine\n"
	out, errOut, code := runCLI(t, t.TempDir(), in, "--select", "CF0,CF201", "--registry-mirror", "docker.io=http://"+closed, "--cache-dir", t.TempDir(), "-")
	if code != exitError {
		t.Fatalf("exit %d, want 2; stderr:\n%s", code, errOut)
	}
	if out != in {
		t.Errorf("stdout after a registry failure:\n%s\nwant the input unchanged:\n%s", out, in)
	}
	if strings.Contains(errOut, "(fixed)") {
		t.Errorf("stderr claims a fix that stdout does not carry:\n%s", errOut)
	}
}

func TestCLIUpdate(t *testing.T) {
	noDockerConfig(t)
	host, rl := memRegistry(t)
	digests := pushFamilies(t, host, authn.Anonymous, cliFamilies)
	files := map[string]string{
		"a/compose.yaml": "services:\n  cache:\n    image: redis:7.4.1-alpine\n  proxy:\n    image: traefik:v3.2.2\n",
		"b/compose.yaml": "services:\n  cache:\n    image: redis:7.4.1-alpine@" + digests["library/redis:7.4.1-alpine"] + "\n",
		"c/compose.yaml": "services:\n  cache:\n    image: redis:7-alpine\n",
	}
	mirror := []string{"--registry-mirror", "docker.io=http://" + host, "--cache-dir", t.TempDir()}
	tests := []struct {
		name, policy string
		want         map[string]string // file → expected image lines
		table        string
	}{
		{
			name: "patch", policy: "patch",
			want: map[string]string{
				"a/compose.yaml": "image: redis:7.4.3-alpine\n  proxy:\n    image: traefik:v3.2.3\n",
				"b/compose.yaml": "image: redis:7.4.3-alpine@" + digests["library/redis:7.4.3-alpine"] + "\n",
			},
			table: "| image | type | from | to | released | files | links |\n|---|---|---|---|---|---|---|\n" +
				"| redis | patch | 7.4.1-alpine | 7.4.3-alpine | unknown | a/compose.yaml, b/compose.yaml | [Docker Hub](https://hub.docker.com/_/redis) |\n" +
				"| traefik | patch | v3.2.2 | v3.2.3 | unknown | a/compose.yaml | [Docker Hub](https://hub.docker.com/_/traefik) |\n",
		},
		{
			name: "minor (default)",
			want: map[string]string{
				"a/compose.yaml": "image: redis:7.5.0-alpine\n",
				"b/compose.yaml": "image: redis:7.5.0-alpine@" + digests["library/redis:7.5.0-alpine"] + "\n",
			},
		},
		{
			name: "major", policy: "major",
			want: map[string]string{"a/compose.yaml": "image: redis:8.0.0-alpine\n"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, files)
			summary := filepath.Join(t.TempDir(), "summary.md")
			args := append([]string{"update", "-w", "--summary", summary}, mirror...)
			if tt.policy != "" {
				args = append(args, "--policy", tt.policy)
			}
			rl.reset()
			_, errOut, code := runCLI(t, dir, "", args...)
			if code != exitOK {
				t.Fatalf("exit %d; stderr:\n%s", code, errOut)
			}
			for f, w := range tt.want {
				if got := readFile(t, filepath.Join(dir, f)); !strings.Contains(got, w) {
					t.Errorf("%s after update:\n%s\nwant it to contain %q", f, got, w)
				}
			}
			if got := readFile(t, filepath.Join(dir, "c/compose.yaml")); got != files["c/compose.yaml"] {
				t.Errorf("update touched a floating tag:\n%s", got)
			}
			if strings.Contains(readFile(t, filepath.Join(dir, "a/compose.yaml")), "bookworm") {
				t.Errorf("update changed the suffix")
			}
			if tt.table != "" {
				if got := readFile(t, summary); got != tt.table {
					t.Errorf("summary:\n%s\nwant:\n%s", got, tt.table)
				}
			}
			// Everything is current now: --check passes and the summary
			// says so.
			args = append([]string{"update", "--check", "--summary", summary}, mirror...)
			if tt.policy != "" {
				args = append(args, "--policy", tt.policy)
			}
			if _, errOut, code := runCLI(t, dir, "", args...); code != exitOK {
				t.Errorf("update --check after update: exit %d, want 0; stderr:\n%s", code, errOut)
			}
			if got := readFile(t, summary); !strings.HasPrefix(got, "No newer image versions") {
				t.Errorf("summary with nothing newer = %q", got)
			}
		})
	}

	dir := writeFiles(t, files)
	if _, errOut, code := runCLI(t, dir, "", append([]string{"update", "--check"}, mirror...)...); code != exitChanges {
		t.Errorf("update --check with newer versions: exit %d, want 1; stderr:\n%s", code, errOut)
	}
	if got := readFile(t, filepath.Join(dir, "a/compose.yaml")); got != files["a/compose.yaml"] {
		t.Errorf("update --check wrote the file")
	}
	// The default run never bumps.
	if out, errOut, code := runCLI(t, dir, "", append([]string{"--select", "CF0"}, mirror...)...); code != exitOK || strings.Contains(out, "7.5.0") {
		t.Errorf("default run: exit %d, diff:\n%s\nstderr:\n%s", code, out, errOut)
	}
}

func TestCLIRegistryUsageErrors(t *testing.T) {
	dir := writeFiles(t, map[string]string{"compose.yaml": needsFix})
	for _, args := range [][]string{
		{"--pin", "tag"},
		{"--registry-mirror", "docker.io"},
		{"--registry-mirror", "docker.io=ftp://mirror"},
		{"--registry-mirror", "docker.io=http://mirror.example.com"}, // plain http to a remote host
		{"--offline", "--refresh"},
		{"--concurrency", "0"},
		{"update", "--policy", "sideways"},
	} {
		_, errOut, code := runCLI(t, dir, "", args...)
		if code != exitError || !strings.Contains(errOut, "composefix: ") {
			t.Errorf("composefix %s: exit %d, want 2 with a message; stderr:\n%s", strings.Join(args, " "), code, errOut)
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, "compose.yaml")); err != nil || string(b) != needsFix {
		t.Errorf("a usage error changed the file")
	}
}

func TestExplainImageRulesHaveExamples(t *testing.T) {
	for _, id := range []string{"CF001", "CF002", "CF003", "CF004", "pin-image", "update-available"} {
		out, _, code := runCLI(t, t.TempDir(), "", "explain", id)
		if code != exitOK || !strings.Contains(out, "Before:") || !strings.Contains(out, "After:") {
			t.Errorf("explain %s: exit %d, output lacks Before:/After::\n%s", id, code, out)
		}
	}
}

// TestExplainEveryRule: `composefix explain` covers every rule of the
// table, by ID and by name, with an example (issue 11 asks it of CF103;
// each new rule since must meet it too). CF900's "After" is prose.
func TestExplainEveryRule(t *testing.T) {
	rules := fixers.Rules()
	if len(rules) < 20 {
		t.Fatalf("fixers.Rules() holds %d rules, want the whole table", len(rules))
	}
	for _, r := range rules {
		for _, token := range []string{r.ID, r.Name} {
			out, _, code := runCLI(t, t.TempDir(), "", "explain", token)
			if code != exitOK || !strings.HasPrefix(out, r.ID+" "+r.Name) || !strings.Contains(out, "\nBefore:") || !strings.Contains(out, "\nAfter") {
				t.Errorf("explain %s: exit %d, want %s's text with a Before/After example:\n%s", token, code, r.ID, out)
			}
		}
	}
}

func TestCLIRegistrySettingsFromTheConfigFile(t *testing.T) {
	noDockerConfig(t)
	host, _ := memRegistry(t)
	digests := pushFamilies(t, host, authn.Anonymous, append([]tagFamily{{repo: "library/traefik", tags: []string{"v3.3.0"}}}, cliFamilies...))
	cfg := "pin: digest\nmirrors:\n  index.docker.io: http://" + host + "\ncache_ttl: 5m\n" +
		"ignore_images:\n  - acme/*\n" +
		"update:\n  policy: major\n  images:\n    traefik: patch\n"
	files := map[string]string{
		".composefix.yaml": cfg,
		"compose.yaml":     "services:\n  cache:\n    image: redis:7-alpine\n  in-house:\n    image: acme/api:1\n",
	}
	dir := writeFiles(t, files)
	cache := []string{"--cache-dir", t.TempDir()}
	out, errOut, code := runCLI(t, dir, "", append([]string{"--select", "CF0"}, cache...)...)
	if code != exitOK || !strings.Contains(out, "+    image: redis:7-alpine@"+digests["library/redis:7-alpine"]+"\n") {
		t.Errorf("pin: digest and the mirror from the file: exit %d, diff:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if strings.Contains(errOut, "acme") || !strings.Contains(errOut, "; 1 image looked up") {
		t.Errorf("an ignored image was looked up or reported:\n%s", errOut)
	}
	out, errOut, code = runCLI(t, dir, "", append([]string{"--select", "CF0", "--pin", "version"}, cache...)...)
	if code != exitOK || !strings.Contains(out, "+    image: redis:7.4.1-alpine\n") {
		t.Errorf("--pin version over the file's digest: exit %d, diff:\n%s\nstderr:\n%s", code, out, errOut)
	}

	// The pattern "traefik" matches the long spelling too.
	files["compose.yaml"] = "services:\n  cache:\n    image: redis:7.4.1-alpine\n  proxy:\n    image: docker.io/library/traefik:v3.2.2\n"
	dir = writeFiles(t, files)
	out, errOut, code = runCLI(t, dir, "", append([]string{"update"}, cache...)...)
	if code != exitOK || !strings.Contains(out, "+    image: redis:8.0.0-alpine\n") || !strings.Contains(out, "+    image: docker.io/library/traefik:v3.2.3\n") {
		t.Errorf("update with policy major and traefik: patch from the file: exit %d, diff:\n%s\nstderr:\n%s", code, out, errOut)
	}
}

func TestCLIOneRefusedImageLeavesTheOthersPinned(t *testing.T) {
	noDockerConfig(t)
	host, _ := memRegistry(t)
	pushFamilies(t, host, authn.Anonymous, cliFamilies)
	// A front that refuses one repository, as a private repository does
	// without credentials.
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/v2/library/traefik/") {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`)
			return
		}
		proxy := &http.Client{}
		req, _ := http.NewRequestWithContext(r.Context(), r.Method, "http://"+host+r.URL.RequestURI(), r.Body)
		req.Header = r.Header.Clone()
		resp, err := proxy.Do(req)
		if err != nil {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	}))
	t.Cleanup(refusing.Close)
	in := "services:\n  cache:\n    image: redis:7-alpine\n  proxy:\n    image: traefik:latest\n"
	dir := writeFiles(t, map[string]string{"compose.yaml": in})
	_, errOut, code := runCLI(t, dir, "", "-w", "--select", "CF0", "--registry-mirror", "docker.io="+refusing.URL, "--cache-dir", t.TempDir())
	if code != exitError {
		t.Errorf("exit %d, want 2; stderr:\n%s", code, errOut)
	}
	want := "services:\n  cache:\n    image: redis:7.4.1-alpine\n  proxy:\n    image: traefik:latest\n"
	if got := readFile(t, filepath.Join(dir, "compose.yaml")); got != want {
		t.Errorf("file:\n%s\nwant the other image pinned and the refused one untouched:\n%s", got, want)
	}
	if !strings.Contains(errOut, `image "traefik:latest" is not resolved:`) || !strings.Contains(errOut, "unauthorized") {
		t.Errorf("stderr lacks the refused image:\n%s", errOut)
	}
}

func TestCLINoLookupsWithoutImageRules(t *testing.T) {
	noDockerConfig(t)
	host, rl := memRegistry(t)
	dir := writeFiles(t, map[string]string{"compose.yaml": "services:\n  cache:\n    image: redis:7-alpine\n"})
	_, errOut, code := runCLI(t, dir, "", "--select", "CF201", "--registry-mirror", "docker.io=http://"+host, "--cache-dir", t.TempDir())
	if code != exitOK || rl.String() != "" {
		t.Errorf("--select CF201: exit %d, requests:\n%s\nstderr:\n%s", code, rl, errOut)
	}
	if _, _, code := runCLI(t, dir, "", "--select", "CF001", "--registry-mirror", "docker.io=http://"+host, "--cache-dir", t.TempDir()); code != exitOK || rl.count("", "/manifests/") == 0 {
		t.Errorf("--select CF001: exit %d, no manifest request; the test is not testing anything:\n%s", code, rl)
	}
}

// TestTimeoutAndRetriesBoundASilentRegistry points an image at a registry
// that accepts connections and never answers: --timeout and --retries
// decide how long the run waits, and the image is a registry error.
func TestTimeoutAndRetriesBoundASilentRegistry(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		var conns []net.Conn // held open, never answered
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	dir := writeFiles(t, map[string]string{"compose.yaml": "services:\n  app:\n    image: " + ln.Addr().String() + "/app:1\n"})
	for _, tt := range []struct {
		args []string
		bad  string
	}{
		{[]string{"--timeout", "200ms", "--retries", "1"}, ""},
		{[]string{"--timeout", "soon"}, `--timeout "soon": expected a positive duration`},
		{[]string{"--retries", "-1"}, "--retries must not be negative"},
	} {
		start := time.Now()
		_, errOut, code := runCLI(t, dir, "", append(tt.args, "--cache-dir", t.TempDir(), ".")...)
		took := time.Since(start)
		if tt.bad != "" {
			if code != exitError || !strings.Contains(errOut, tt.bad) {
				t.Errorf("%q: exit %d; stderr:\n%s", tt.args, code, errOut)
			}
			continue
		}
		// Two attempts of 200ms and a backoff: far below the defaults'
		// 4 x 10s; the bound is loose for a loaded machine.
		if code != exitError || !strings.Contains(errOut, "timed out") || took > 15*time.Second {
			t.Errorf("%q: exit %d after %s; stderr:\n%s", tt.args, code, took, errOut)
		}
	}
}
