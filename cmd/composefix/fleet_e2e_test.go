package main

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/composefix/composefix/internal/regtest"
)

// TestE2EFleetSharesOneProxyRegistry is the fleet recipe of
// docs/ci-recipes.md: every runner resolves through one docker-registry in
// proxy mode (a pull-through cache) in front of the upstream registry,
// each with a disk cache of its own. A runner whose disk cache is empty
// gets manifests, configs and blobs from the proxy; the upstream serves
// nothing but the proxy's tag freshness checks, and with the upstream gone
// the proxy still answers alone.
func TestE2EFleetSharesOneProxyRegistry(t *testing.T) {
	noDockerConfig(t)
	upstream := regtest.Distribution(t, "")
	regtest.Push(t, upstream, nil, updateFamilies)

	// The proxy reaches the upstream only through this counting handler;
	// down makes it refuse, as an unreachable upstream would.
	var down atomic.Bool
	rl := &requestLog{}
	target, _ := url.Parse("http://" + upstream)
	forward := rl.wrap(httputil.NewSingleHostReverseProxy(target))
	counting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			http.Error(w, "upstream down", http.StatusServiceUnavailable)
			return
		}
		forward.ServeHTTP(w, r)
	}))
	t.Cleanup(counting.Close)
	proxy := regtest.ProxyDistribution(t, counting.URL)

	files := map[string]string{"compose.yaml": "services:\n  cache:\n    image: redis:7.4.1-alpine\n  db:\n    image: postgres:16.4\n"}
	runner := func(name string) (diff, summary string) {
		t.Helper()
		dir := writeFiles(t, files)
		sum := filepath.Join(t.TempDir(), "summary.md")
		out, errOut, code := runCLI(t, dir, "", "update", "--summary", sum, "--registry-mirror", "docker.io=http://"+proxy, "--cache-dir", t.TempDir())
		if code != exitOK {
			t.Fatalf("%s: exit %d; stderr:\n%s", name, code, errOut)
		}
		return out, readFile(t, sum)
	}

	firstDiff, firstSummary := runner("first runner")
	if !strings.Contains(firstDiff, "+    image: redis:7.4.3-alpine\n") || !strings.Contains(firstSummary, "| redis | patch | 7.4.1-alpine | 7.4.3-alpine | 2024-12-03 |") {
		t.Fatalf("first runner through the proxy:\n%s\n%s", firstDiff, firstSummary)
	}
	if rl.count(http.MethodGet, "/blobs/") == 0 {
		t.Fatalf("the first runner's answers did not come from the upstream through the proxy:\n%s", rl)
	}

	// The proxy stores what it fetched after answering: wait until it
	// answers for every blob the first runner read without the upstream.
	waitStored(t, proxy, rl)

	// A second runner, empty disk cache: content comes from the proxy.
	rl.reset()
	diff, summary := runner("second runner")
	if diff != firstDiff || summary != firstSummary {
		t.Errorf("second runner answered differently:\n%s\n%s", diff, summary)
	}
	if n := rl.count(http.MethodGet, "/blobs/") + rl.count(http.MethodGet, "/manifests/sha256:"); n != 0 {
		t.Errorf("the upstream served %d manifests or blobs to the second runner, want 0:\n%s", n, rl)
	}
	// What reaches the upstream is the proxy's freshness check of each tag
	// the runner must resolve (a listing carries no digests): the pinned
	// tag and the newest its policy allows, one HEAD each, and one tag
	// list per repository; no tag beyond those is looked up.
	for _, c := range []struct {
		method, part string
		want         int
	}{
		{http.MethodHead, "/manifests/", 4},
		{http.MethodGet, "/manifests/", 0},
		{http.MethodGet, "/tags/list", 2},
	} {
		if n := rl.count(c.method, c.part); n != c.want {
			t.Errorf("upstream: %d %s %s for the second runner, want %d:\n%s", n, c.method, c.part, c.want, rl)
		}
	}
	t.Logf("upstream requests for the second runner (the proxy's tag checks):\n%s", rl)

	// The upstream gone: a third runner, empty disk cache, still gets every
	// answer from the proxy, and the upstream serves nothing.
	down.Store(true)
	rl.reset()
	diff, summary = runner("third runner")
	if diff != firstDiff || summary != firstSummary {
		t.Errorf("third runner, upstream down, answered differently:\n%s\n%s", diff, summary)
	}
	if n := rl.count("", "/"); n != 0 {
		t.Errorf("the upstream served %d requests while down, want 0:\n%s", n, rl)
	}
}

// waitStored waits, at most 10s, until the proxy at host holds every blob
// rl saw the upstream serve: a HEAD for each reaches the upstream no more.
func waitStored(t *testing.T, host string, rl *requestLog) {
	t.Helper()
	rl.mu.Lock()
	var blobs []string
	for k := range rl.m {
		if m, p, _ := strings.Cut(k, " "); m == http.MethodGet && strings.Contains(p, "/blobs/") {
			blobs = append(blobs, p)
		}
	}
	rl.mu.Unlock()
	for i := 0; ; i++ {
		rl.reset()
		for _, p := range blobs {
			resp, err := http.Head("http://" + host + p)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
		}
		if rl.count("", "/blobs/") == 0 {
			return
		}
		if i == 100 {
			t.Fatalf("the proxy did not store the blobs in 10s:\n%s", rl)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestE2EUpdateAgainstTheDistributionRegistry runs update against the real
// registry with images that carry labels and created dates: the summary
// shows each update's type, date and links, majors first, and a warm run
// sends no request at all.
func TestE2EUpdateAgainstTheDistributionRegistry(t *testing.T) {
	noDockerConfig(t)
	host := regtest.Distribution(t, "")
	regtest.Push(t, host, nil, updateFamilies)
	rl := &requestLog{}
	counted := regtest.Proxy(t, host, rl.wrap)
	dir := writeFiles(t, map[string]string{
		"compose.yaml": "services:\n  cache:\n    image: redis:${REDIS_TAG}\n  db:\n    image: postgres:16.4\n",
		".env":         "# pinned by composefix\r\nREDIS_TAG=7.4.1-alpine\r\n",
	})
	cache := t.TempDir()
	sum := filepath.Join(t.TempDir(), "summary.md")
	args := []string{"update", "--policy", "major", "--summary", sum, "--registry-mirror", "docker.io=http://" + counted, "--cache-dir", cache}
	_, errOut, code := runCLI(t, dir, "", args...)
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, errOut)
	}
	want := majorSummary(".env")
	if got := readFile(t, sum); got != want {
		t.Errorf("summary:\n%s\nwant:\n%s", got, want)
	}
	if rl.count(http.MethodGet, "/blobs/") == 0 {
		t.Fatalf("the cold run read no config blob:\n%s", rl)
	}
	t.Logf("cold run: %d requests:\n%s", rl.count("", "/"), rl)
	checkWarmUpdate(t, rl, dir, args, sum, want)
}
