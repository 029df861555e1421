package registry

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/composefix/composefix/internal/regtest"
)

// The base layer of the file-facts images: busybox with applets as a
// symlink and a hardlink, bash, curl (deleted again by a whiteout above),
// a file without an execute bit, a merged-usr /sbin, and /opt/old (hidden
// again by an opaque directory above).
var baseLayer = regtest.Layer{Gzip: true, Files: []regtest.File{
	{Name: "bin", Dir: true},
	{Name: "bin/busybox", Size: 64},
	{Name: "bin/sh", Link: "busybox"},
	{Name: "bin/wget", Hard: "bin/busybox"},
	{Name: "bin/bash", Size: 32},
	{Name: "usr", Dir: true},
	{Name: "usr/bin", Dir: true},
	{Name: "usr/bin/curl", Size: 16},
	{Name: "usr/bin/README", Size: 8, Mode: 0o644},
	{Name: "usr/sbin", Dir: true},
	{Name: "usr/sbin/tool", Size: 8},
	{Name: "sbin", Link: "usr/sbin"},
	{Name: "opt", Dir: true},
	{Name: "opt/old", Size: 8},
}}

var topLayers = []regtest.Layer{
	{Files: []regtest.File{ // uncompressed
		{Name: "usr/bin/.wh.curl"},
		{Name: "usr/local/bin", Dir: true},
		{Name: "usr/local/bin/app", Size: 8},
		{Name: "usr/local/bin/nc", Link: "/bin/busybox"},
		{Name: "usr/local/bin/dangling", Link: "/nowhere"},
	}},
	{Gzip: true, Files: []regtest.File{
		{Name: "opt/.wh..wh..opq"},
		{Name: "opt/new", Size: 8},
	}},
}

func filesImage(t testing.TB, extra ...regtest.Layer) v1.Image {
	t.Helper()
	layers := append([]regtest.Layer{baseLayer}, topLayers...)
	return regtest.Image(t, regtest.ImageSpec{
		Layers: append(layers, extra...),
		Config: v1.Config{Env: []string{"PATH=/usr/local/bin:/usr/bin:/bin:/sbin"}},
	})
}

// baseLayerOf returns the digest and size of img's first layer.
func baseLayerOf(t testing.TB, img v1.Image) (v1.Hash, int64) {
	t.Helper()
	ls, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	d, err := ls[0].Digest()
	if err != nil {
		t.Fatal(err)
	}
	size, err := ls[0].Size()
	if err != nil {
		t.Fatal(err)
	}
	return d, size
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestFileFacts(t *testing.T) {
	rec := &recorder{}
	host := testRegistry(t, rec.wrap)
	regtest.PushImage(t, host, "acme/tools:1", filesImage(t))
	// Shares every layer of acme/tools:1 and adds one.
	regtest.PushImage(t, host, "acme/more:1", filesImage(t, regtest.Layer{Files: []regtest.File{{Name: "usr/bin/jq", Size: 8}}}))
	cache := t.TempDir()
	req := func(ref string) []Request {
		return []Request{{Ref: host + "/" + ref, Platforms: []string{"linux/amd64"}}}
	}
	rec.reset()
	r := newTestResolver(t, host, WithCacheDir(cache), WithInspectFiles(true))
	f := r.Resolve(context.Background(), req("acme/tools:1"))[host+"/acme/tools:1"].Facts["linux/amd64"]
	if f.Err != nil || f.Files == nil {
		t.Fatalf("facts = %+v, want files", f)
	}
	wantPrograms := []string{"app", "bash", "busybox", "nc", "sh", "tool", "wget"}
	if d := cmp.Diff(wantPrograms, keys(f.Files.Programs)); d != "" {
		t.Errorf("programs (-want +got):\n%s", d)
	}
	for _, p := range []string{"/bin/sh", "/bin/wget", "/usr/local/bin/nc", "/opt/new", "/usr/sbin/tool", "/sbin/tool", "/bin/busybox"} {
		if !f.Files.Paths[p] {
			t.Errorf("paths lack %s: %v", p, keys(f.Files.Paths))
		}
	}
	for _, p := range []string{"/usr/bin/curl", "/usr/bin/README", "/opt/old", "/usr/local/bin/dangling"} {
		if f.Files.Paths[p] {
			t.Errorf("paths have %s, which is deleted, dangling or not executable", p)
		}
	}
	if d := cmp.Diff([]string{"/bin/bash", "/bin/sh"}, f.Files.Shells); d != "" {
		t.Errorf("shells (-want +got):\n%s", d)
	}
	if n := rec.count(http.MethodGet, "/blobs/"); n != 1+3 {
		t.Errorf("cold: %d blob GETs, want 4 (config and three layers):\n%s", n, strings.Join(rec.all(), "\n"))
	}

	// A second image sharing the three layers reads only its own.
	rec.reset()
	f2 := newTestResolver(t, host, WithCacheDir(cache), WithInspectFiles(true)).Resolve(context.Background(), req("acme/more:1"))[host+"/acme/more:1"].Facts["linux/amd64"]
	if f2.Files == nil || !f2.Files.Programs["jq"] || !f2.Files.Programs["wget"] {
		t.Fatalf("acme/more facts = %+v, want jq and wget", f2)
	}
	if n := rec.count(http.MethodGet, "/blobs/"); n != 1+1 {
		t.Errorf("shared layers: %d blob GETs, want 2 (config and the new layer):\n%s", n, strings.Join(rec.all(), "\n"))
	}

	// Warm: nothing; offline: the listings serve.
	rec.reset()
	warm := newTestResolver(t, host, WithCacheDir(cache), WithInspectFiles(true)).Resolve(context.Background(), req("acme/tools:1"))[host+"/acme/tools:1"].Facts["linux/amd64"]
	if n := len(rec.all()); n != 0 || warm.Files == nil || !cmp.Equal(warm.Files, f.Files) {
		t.Errorf("warm: %d requests, files %+v; want 0 and the cold ones", n, warm.Files)
	}
	off := newTestResolver(t, host, WithCacheDir(cache), WithInspectFiles(true), WithOffline(true)).Resolve(context.Background(), req("acme/tools:1"))[host+"/acme/tools:1"].Facts["linux/amd64"]
	if off.Files == nil {
		t.Errorf("offline: %+v, want the cached files", off)
	}

	// Over budget: no files, a note, and the config facts still.
	small := newTestResolver(t, host, WithInspectFiles(true), WithInspectBudget(100)).Resolve(context.Background(), req("acme/tools:1"))[host+"/acme/tools:1"].Facts["linux/amd64"]
	if small.Files != nil || !strings.Contains(small.FilesNote, "over the layer inspection budget") || small.Err != nil || len(small.Path) == 0 {
		t.Errorf("over budget: %+v, want no files, a note and the config's facts", small)
	}

	// WithRefresh downloads the layers again although their listings are
	// cached: the budget bounds those downloads too.
	rec.reset()
	later := newFakeClock()
	later.advance(time.Minute) // a later run: refresh distrusts what earlier runs cached
	fresh := newTestResolver(t, host, WithCacheDir(cache), WithInspectFiles(true), WithRefresh(true), WithInspectBudget(100), withClock(later)).Resolve(context.Background(), req("acme/tools:1"))[host+"/acme/tools:1"].Facts["linux/amd64"]
	if fresh.Files != nil || !strings.Contains(fresh.FilesNote, "over the layer inspection budget") || rec.count(http.MethodGet, "/blobs/") != 1 {
		t.Errorf("refreshing over budget: %+v and %d blob GETs, want no files, a note and only the config", fresh, rec.count(http.MethodGet, "/blobs/"))
	}

	// Without WithInspectFiles nothing about files is read.
	rec.reset()
	plain := newTestResolver(t, host).Resolve(context.Background(), req("acme/tools:1"))[host+"/acme/tools:1"].Facts["linux/amd64"]
	if plain.Files != nil || plain.FilesNote != "" || rec.count(http.MethodGet, "/blobs/") != 1 {
		t.Errorf("without inspection: %+v and %d blob GETs, want no files and only the config", plain, rec.count(http.MethodGet, "/blobs/"))
	}
}

func TestFileFactsCancelled(t *testing.T) {
	host := testRegistry(t, nil)
	regtest.PushImage(t, host, "acme/tools:1", filesImage(t))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res := newTestResolver(t, host, WithInspectFiles(true)).Resolve(ctx, []Request{{Ref: host + "/acme/tools:1", Platforms: []string{"linux/amd64"}}})
	if f := res[host+"/acme/tools:1"].Facts["linux/amd64"]; f.Files != nil {
		t.Errorf("cancelled run read files: %+v", f)
	}
}

// A layer whose bytes do not hash to its digest is never listed or cached.
func TestFileFactsVerifyLayers(t *testing.T) {
	var tamper atomic.Bool
	tamper.Store(true)
	host := testRegistry(t, tamperBlobs(&tamper, "usr/local/bin/app", "usr/local/bin/xyz"))
	regtest.PushImage(t, host, "acme/tools:1", filesImage(t))
	cache := t.TempDir()
	reqs := []Request{{Ref: host + "/acme/tools:1", Platforms: []string{"linux/amd64"}}}
	f := newTestResolver(t, host, WithCacheDir(cache), WithInspectFiles(true)).Resolve(context.Background(), reqs)[host+"/acme/tools:1"].Facts["linux/amd64"]
	if f.Files != nil || !strings.Contains(f.FilesNote, "digest") {
		t.Fatalf("tampered layer: files %v, note %q; want none and a digest error", f.Files, f.FilesNote)
	}
	tamper.Store(false)
	f = newTestResolver(t, host, WithCacheDir(cache), WithInspectFiles(true)).Resolve(context.Background(), reqs)[host+"/acme/tools:1"].Facts["linux/amd64"]
	if f.Files == nil || !f.Files.Programs["app"] || f.Files.Programs["xyz"] {
		t.Errorf("after the registry recovers: %+v, want app and no xyz (nothing tampered was cached)", f.Files)
	}
}

// A registry that streams a layer without end (a hostile or broken one)
// is read no further than the layer's size from its verified manifest:
// the listing fails on the digest at once instead of downloading until
// the run's deadline, past the byte budget.
func TestFileFactsEndlessLayerIsBounded(t *testing.T) {
	img := filesImage(t)
	d, _ := baseLayerOf(t, img)
	var streamed atomic.Int64
	host := testRegistry(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/blobs/"+d.String()) {
				next.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
			zeros := make([]byte, 32<<10)
			for r.Context().Err() == nil {
				n, err := w.Write(zeros)
				streamed.Add(int64(n))
				if err != nil {
					return
				}
			}
		})
	})
	regtest.PushImage(t, host, "acme/tools:1", img)
	reqs := []Request{{Ref: host + "/acme/tools:1", Platforms: []string{"linux/amd64"}}}
	r := newTestResolver(t, host, WithInspectFiles(true), WithTotalTimeout(15*time.Second))
	f := r.Resolve(context.Background(), reqs)[host+"/acme/tools:1"].Facts["linux/amd64"]
	if f.Files != nil || !strings.Contains(f.FilesNote, "hashes to") {
		t.Fatalf("endless layer: files %v, note %q; want none and a digest error", f.Files, f.FilesNote)
	}
	if n := streamed.Load(); n > 64<<20 {
		t.Errorf("the server streamed %d bytes past the layer before the client let go", n)
	}
}

// A cached layer listing that does not decode is a miss: it is never
// used, its layer is downloaded again within the inspection budget (the
// budget used to skip it, since the file existed, and the download then
// went past it), the answer does not count as cached (progress and
// Facts.Cached), and the listing is written anew.
func TestFileFactsCorruptListingIsAMissWithinTheBudget(t *testing.T) {
	rec := &recorder{}
	host := testRegistry(t, rec.wrap)
	img := filesImage(t)
	regtest.PushImage(t, host, "acme/tools:1", img)
	base, size := baseLayerOf(t, img)
	cache := t.TempDir()
	reqs := []Request{{Ref: host + "/acme/tools:1", Platforms: []string{"linux/amd64"}}}
	type run struct {
		facts           Facts
		cached, blobs   int   // progress's cached answers; blob GETs
		streamed, total int64 // layer bytes read; the most bytes planned
		misses          int
	}
	resolve := func(opts ...Option) run {
		t.Helper()
		rec.reset()
		var out run
		var streamed, total atomic.Int64
		r := newTestResolver(t, host, append([]Option{WithCacheDir(cache), WithInspectFiles(true),
			WithProgress(func(_, _, cached int) { out.cached = cached }),
			WithInspectProgress(func(n, planned int64) { streamed.Add(n); total.Store(max(total.Load(), planned)) })}, opts...)...)
		out.facts = r.Resolve(context.Background(), reqs)[host+"/acme/tools:1"].Facts["linux/amd64"]
		out.blobs, out.streamed, out.total = rec.count(http.MethodGet, "/blobs/"), streamed.Load(), total.Load()
		out.misses = r.Stats().CacheMisses
		return out
	}
	cold := resolve()
	if cold.facts.Files == nil {
		t.Fatalf("cold: %+v, want files", cold.facts)
	}
	c := newDiskCache(cache, time.Hour, time.Hour, time.Now)
	for _, corrupt := range []string{`{"digest":"` + base.String() + `","entries":[{"p":"/bin/sh","t":`, "", `{"digest":"sha256:00","entries":[]}`, `{"digest":"` + base.String() + `"}`} {
		write := func() {
			t.Helper()
			if err := os.WriteFile(c.listingPath(base), []byte(corrupt), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		write()
		// Over budget for the base layer alone: nothing is downloaded, and
		// the corrupt listing is not used.
		small := resolve(WithInspectBudget(size - 1))
		if small.facts.Files != nil || !strings.Contains(small.facts.FilesNote, "over the layer inspection budget") || small.blobs != 0 {
			t.Errorf("%q, budget below the layer: files %v, note %q, %d blob GETs; want no files, the budget's note and none", corrupt, small.facts.Files, small.facts.FilesNote, small.blobs)
		}
		// Within the budget: the layer is downloaded once and counted.
		write()
		again := resolve(WithInspectBudget(size))
		if again.facts.Files == nil || !cmp.Equal(again.facts.Files, cold.facts.Files) {
			t.Errorf("%q: files %+v (note %q), want the cold ones", corrupt, again.facts.Files, again.facts.FilesNote)
		}
		if again.blobs != 1 || again.streamed != size || again.total < again.streamed {
			t.Errorf("%q: %d blob GETs streaming %d bytes of %d planned; want the layer's %d bytes once, planned", corrupt, again.blobs, again.streamed, again.total, size)
		}
		if again.facts.Cached || again.cached != 0 || again.misses == 0 {
			t.Errorf("%q: Facts.Cached %v, %d cached in progress, %d cache misses; want a download counted as such", corrupt, again.facts.Cached, again.cached, again.misses)
		}
		// Written anew: warm again.
		if warm := resolve(); warm.blobs != 0 || !warm.facts.Cached || warm.cached != 1 {
			t.Errorf("%q: after the download, %d blob GETs, cached %v; want the listing cached", corrupt, warm.blobs, warm.facts.Cached)
		}
	}
}

// Two images of one run sharing their base layer download it once, so
// the budget charges it once: a budget equal to the distinct layer bytes
// inspects both (charging each image its own layers used to count the
// base twice and report the second image over the budget, although
// nothing more would have been downloaded). The progress total plans
// each layer once too. One byte less leaves one image uninspected.
func TestFileFactsSharedLayerChargedOnce(t *testing.T) {
	rec := &recorder{}
	host := testRegistry(t, rec.wrap)
	imgs := map[string]v1.Image{
		"acme/api:1": filesImage(t, regtest.Layer{Files: []regtest.File{{Name: "usr/bin/api", Size: 8}}}),
		"acme/web:1": filesImage(t, regtest.Layer{Gzip: true, Files: []regtest.File{{Name: "usr/bin/web", Size: 16}}}),
	}
	distinct := map[v1.Hash]int64{}
	var reqs []Request
	for ref, img := range imgs {
		regtest.PushImage(t, host, ref, img)
		reqs = append(reqs, Request{Ref: host + "/" + ref, Platforms: []string{"linux/amd64"}})
		ls, err := img.Layers()
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range ls {
			d, err := l.Digest()
			if err != nil {
				t.Fatal(err)
			}
			if distinct[d], err = l.Size(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(distinct) != 5 {
		t.Fatalf("%d distinct layers, want 5 (three shared, one of each image's own)", len(distinct))
	}
	var want int64
	for _, size := range distinct {
		want += size
	}
	for _, tc := range []struct {
		budget    int64
		inspected int
	}{
		{want, 2},
		{want - 1, 1},
	} {
		rec.reset()
		var streamed, planned atomic.Int64
		res := newTestResolver(t, host, WithInspectFiles(true), WithInspectBudget(tc.budget),
			WithInspectProgress(func(n, total int64) {
				streamed.Add(n)
				// Reports come from parallel downloads: a Load then Store
				// could put back a smaller total over a larger one.
				for cur := planned.Load(); total > cur && !planned.CompareAndSwap(cur, total); cur = planned.Load() {
				}
			})).Resolve(context.Background(), reqs)
		inspected := 0
		for ref := range imgs {
			f := res[host+"/"+ref].Facts["linux/amd64"]
			if f.Files != nil {
				inspected++
			} else if !strings.Contains(f.FilesNote, "over the layer inspection budget") {
				t.Errorf("budget %d: %s has no files and the note %q, want the budget's", tc.budget, ref, f.FilesNote)
			}
		}
		if inspected != tc.inspected {
			t.Errorf("budget %d of %d distinct layer bytes: %d images inspected, want %d", tc.budget, want, inspected, tc.inspected)
		}
		if tc.inspected < 2 {
			continue
		}
		if n := rec.count(http.MethodGet, "/blobs/"); n != 2+len(distinct) {
			t.Errorf("budget %d: %d blob GETs, want %d (two configs and each distinct layer once):\n%s", tc.budget, n, 2+len(distinct), strings.Join(rec.all(), "\n"))
		}
		if streamed.Load() != want || planned.Load() != want {
			t.Errorf("budget %d: streamed %d of %d planned bytes, want %d of %d (each layer planned once)", tc.budget, streamed.Load(), planned.Load(), want, want)
		}
	}
}
