package main

import (
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
)

// TestCLIRefreshAsksOncePerRun: each configuration group is a pipeline run
// of its own, and --refresh made each one ignore the cache, so an image two
// groups share was fetched twice (issue: two groups sharing redis:7-alpine
// sent 11 requests, the tag list, the manifest and the /v2/ check twice).
// --refresh distrusts what was cached before the run started, not what the
// run itself cached: a refreshed run asks what a cold run asks, once.
func TestCLIRefreshAsksOncePerRun(t *testing.T) {
	noDockerConfig(t)
	host, rl := memRegistry(t)
	pushFamilies(t, host, authn.Anonymous, cliFamilies)
	compose := "services:\n  cache:\n    image: redis:7-alpine\n"
	dir := writeFiles(t, map[string]string{
		".git/HEAD":          "",
		"a/.composefix.yaml": "select: [CF001, CF101]\n",
		"a/compose.yaml":     compose,
		"b/.composefix.yaml": "select: [CF001, CF101, CF401]\n",
		"b/compose.yaml":     compose,
	})
	args := []string{"--registry-mirror", "docker.io=http://" + host, "--cache-dir", t.TempDir(), "a", "b"}

	rl.reset()
	cold, errOut, code := runCLI(t, dir, "", args...)
	if code != exitOK || strings.Count(cold, "+    image: redis:7.4.1-alpine") != 2 {
		t.Fatalf("cold run: exit %d, want both files pinned to 7.4.1-alpine; stdout:\n%s\nstderr:\n%s", code, cold, errOut)
	}
	coldLog := rl.String()
	for _, part := range []string{"/v2/", "/tags/list", "/manifests/7.4.1-alpine", "/blobs/"} {
		if n := rl.count("", part); n == 0 {
			t.Fatalf("cold run asked nothing for %s:\n%s", part, coldLog)
		}
	}

	rl.reset()
	out, errOut, code := runCLI(t, dir, "", append([]string{"--refresh"}, args...)...)
	if code != exitOK || out != cold {
		t.Fatalf("--refresh: exit %d, same diff as the cold run %v; stderr:\n%s", code, out == cold, errOut)
	}
	if got := rl.String(); got != coldLog {
		t.Errorf("--refresh over two groups sharing an image sent\n%s\nwant what the cold run sent, each once:\n%s", got, coldLog)
	}
}
