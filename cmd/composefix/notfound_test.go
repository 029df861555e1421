package main

import (
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/fixers"
	"github.com/composefix/composefix/internal/golden"
	"github.com/composefix/composefix/registry"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/authn"
)

// TestCLIMissingImageFailsCheck: a repository or tag the registry does not
// have (404) used to be an info finding, so --check passed a typo that
// fails at deploy (issue 10). It is an error at the image, and --check
// fails; the run itself is not a registry failure.
func TestCLIMissingImageFailsCheck(t *testing.T) {
	noDockerConfig(t)
	host, _ := memRegistry(t)
	pushFamilies(t, host, authn.Anonymous, cliFamilies)
	// A floating tag (looked up to be pinned) and a precise one (looked up
	// for its image facts only).
	in := "services:\n  cache:\n    image: redis:7-alpnie\n  app:\n    image: nosuch/app:1.0.0\n  db:\n    image: postgres:16\n"
	dir := writeFiles(t, map[string]string{"compose.yaml": in})
	args := []string{"--select", "CF0,CF101", "--registry-mirror", "docker.io=http://" + host, "--cache-dir", t.TempDir()}

	out, errOut, code := runCLI(t, dir, "", append([]string{"--check"}, args...)...)
	if code != exitChanges {
		t.Errorf("--check: exit %d, want 1; stdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	for _, want := range []string{
		`compose.yaml:3:12: error: image "redis:7-alpnie" does not exist: looking up the digest of docker.io/library/redis:7-alpnie: not found: the registry has no tag "7-alpnie" [CF006]`,
		`compose.yaml:5:12: error: image "nosuch/app:1.0.0" does not exist: looking up the digest of docker.io/nosuch/app:1.0.0: not found: the registry has no repository docker.io/nosuch/app [CF006]`,
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks\n%s\ngot:\n%s", want, errOut)
		}
	}
	if strings.Contains(errOut, "[CF003]") || strings.Contains(errOut, "[CF005]") || !strings.Contains(out, "+    image: postgres:16.6") {
		t.Errorf("want postgres pinned and no other finding about the missing images; stdout:\n%s\nstderr:\n%s", out, errOut)
	}
	if _, errOut, code := runCLI(t, dir, "", args...); code != exitOK || !strings.Contains(errOut, "remaining findings: 2 errors") {
		t.Errorf("without --check: exit %d, want 0 (a missing image is a finding, not a registry failure); stderr:\n%s", code, errOut)
	}
}

// TestCLIWarmUpdateOverTheCorpusSendsNothing: `composefix update` over the
// whole corpus, against a registry that has only a few of its images, asks
// nothing the second time: found and missing answers are both cached
// (issue 14 measured 90 requests, all for 404s). --refresh asks again.
func TestCLIWarmUpdateOverTheCorpusSendsNothing(t *testing.T) {
	args, rl := corpusUpdate(t)
	rl.reset()
	cold, coldErr, code := runCLI(t, t.TempDir(), "", args...)
	if code == exitError && strings.Contains(coldErr, "resolving") {
		t.Fatalf("cold update: registry failure; stderr:\n%s", coldErr)
	}
	if rl.count("", "") == 0 || !strings.Contains(coldErr, "[CF006]") || !strings.Contains(cold, `+    image: "nginx:1.25.5-alpine"`) {
		t.Fatalf("cold update asked nothing, found nothing missing or bumped nothing; requests:\n%s\nstdout:\n%s", rl, cold)
	}
	t.Logf("cold update over the corpus: %d requests", rl.count("", ""))

	rl.reset()
	warm, warmErr, _ := runCLI(t, t.TempDir(), "", args...)
	if n := rl.count("", ""); n != 0 {
		t.Errorf("warm update sent %d requests, want 0:\n%s", n, rl)
	}
	if warm != cold || stripSummary(warmErr) != stripSummary(coldErr) {
		t.Errorf("warm update printed something else than the cold one:\n%s", cmp.Diff(cold+stripSummary(coldErr), warm+stripSummary(warmErr)))
	}

	rl.reset()
	runCLI(t, t.TempDir(), "", append([]string{args[0], "--refresh"}, args[1:]...)...)
	if rl.count(http.MethodGet, "/manifests/") == 0 {
		t.Errorf("update --refresh asked nothing:\n%s", rl)
	}
}

// corpusUpdate returns the arguments of `composefix update` over the whole
// corpus, every registry it names mirrored at a test registry that has
// only a few of its images (most answers are 404s), with a fresh cache.
func corpusUpdate(t testing.TB) ([]string, *requestLog) {
	t.Helper()
	noDockerConfig(t)
	files := golden.CorpusFiles(t)
	host, rl := memRegistry(t)
	pushFamilies(t, host, authn.Anonymous, []tagFamily{
		{repo: "library/redis", tags: []string{"7.4.1-alpine", "7.4-alpine", "7-alpine", "alpine"}},
		{repo: "library/redis", tags: []string{"7.2.5-alpine", "7.2-alpine"}},
		{repo: "library/postgres", tags: []string{"16.6-alpine", "16-alpine"}},
		{repo: "library/postgres", tags: []string{"16.9-alpine"}},
		{repo: "library/nginx", tags: []string{"1.25.4-alpine", "1.25-alpine"}},
		{repo: "library/nginx", tags: []string{"1.25.5-alpine"}},
	})
	args := []string{"update", "--cache-dir", t.TempDir()}
	// Every registry the corpus names goes to the test registry: a test
	// never reaches a public one.
	for _, h := range corpusRegistries(t, files) {
		args = append(args, "--registry-mirror", h+"=http://"+host)
	}
	return append(args, files...), rl
}

// BenchmarkUpdateCorpusRequests reports the registry requests of a cold
// and of a warm `composefix update` over the corpus (issue 14's target for
// the warm run: 0, with 404s cached) and the warm run's time.
func BenchmarkUpdateCorpusRequests(b *testing.B) {
	args, rl := corpusUpdate(b)
	rl.reset()
	runCLI(b, b.TempDir(), "", args...)
	cold := rl.count("", "")
	rl.reset()
	runs := 0
	for b.Loop() {
		runCLI(b, b.TempDir(), "", args...)
		runs++
	}
	b.ReportMetric(float64(cold), "cold-requests")
	b.ReportMetric(float64(rl.count("", ""))/float64(runs), "warm-requests")
}

// corpusRegistries returns the registry hosts of every image in files.
func corpusRegistries(t testing.TB, files []string) []string {
	t.Helper()
	hosts := map[string]bool{registry.DockerHub: true}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		d, err := compose.Load(filepath.Base(f), src)
		if err != nil {
			continue
		}
		for _, r := range fixers.ImageRefs(d, &fixers.Config{}) {
			text, _, err := registry.LiteralImage(r.Text)
			if err != nil {
				continue
			}
			if ref, err := registry.ParseReference(text); err == nil {
				hosts[ref.Registry] = true
			}
		}
	}
	out := make([]string, 0, len(hosts))
	for h := range hosts {
		out = append(out, h)
	}
	sort.Strings(out)
	return out
}

// stripSummary drops the summary lines, whose request counts and run time
// differ between a cold and a warm run over the same input.
func stripSummary(s string) string {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		if !strings.HasPrefix(l, "composefix: ") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}
