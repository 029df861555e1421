package registry

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/composefix/composefix/internal/regtest"
	"github.com/google/go-cmp/cmp"
)

// releaseFamilies carry created times and labels; the fake clock stands at
// 2025-01-02, so 7.5.0 is one day old and 7.4.3 thirty.
var releaseFamilies = []regtest.Family{
	{Repo: "library/redis", Tags: []string{"7.4.1"}, Created: day(2024, 11, 1)},
	{Repo: "library/redis", Tags: []string{"7.4.3"}, Created: day(2024, 12, 3), Index: true,
		Labels: map[string]string{"org.opencontainers.image.source": "https://github.com/redis/redis"}},
	{Repo: "library/redis", Tags: []string{"7.5.0"}, Created: day(2025, 1, 1),
		Labels: map[string]string{"org.opencontainers.image.source": "https://github.com/redis/redis"}},
	{Repo: "library/redis", Tags: []string{"7.6.0"}}, // no created time at all
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestResolveReleasesAndMinimumAge(t *testing.T) {
	var rc recorder
	host := testRegistry(t, rc.wrap)
	p := pushed(regtest.Push(t, host, nil, releaseFamilies))
	cache := t.TempDir()
	minor := PolicyMinor
	tests := []struct {
		name    string
		minAge  time.Duration
		want    string // Newer[0]
		created time.Time
		held    []string
	}{
		{name: "no minimum age: 7.6.0 has no release date", want: "7.6.0"},
		{name: "7.6.0 of unknown age is held", minAge: time.Hour, want: "7.5.0", created: day(2025, 1, 1), held: []string{"7.6.0"}},
		{name: "a week", minAge: 7 * 24 * time.Hour, want: "7.4.3", created: day(2024, 12, 3), held: []string{"7.6.0", "7.5.0"}},
		{name: "a year holds everything", minAge: 365 * 24 * time.Hour, held: []string{"7.6.0", "7.5.0", "7.4.3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newTestResolver(t, host, WithCacheDir(cache))
			got := r.Resolve(context.Background(), []Request{{Ref: "redis:7.4.1", Policy: &minor, Releases: true, MinAge: tt.minAge}})["redis:7.4.1"]
			if got.Err != nil {
				t.Fatal(got.Err)
			}
			if tt.want == "" {
				if len(got.Newer) != 0 {
					t.Errorf("Newer = %v, want none", got.Newer)
				}
			} else if got.Newer[0] != (TagDigest{Tag: tt.want, Digest: p.digestOf(t, "library/redis:"+tt.want)}) {
				t.Errorf("Newer[0] = %v, want %s", got.Newer[0], tt.want)
			} else if got.NewerRelease == nil || !got.NewerRelease.Created.Equal(tt.created) {
				t.Errorf("NewerRelease = %+v, want created %v", got.NewerRelease, tt.created)
			}
			if d := cmp.Diff(tt.held, got.Held); d != "" {
				t.Errorf("Held (-want +got):\n%s", d)
			}
		})
	}

	// The index's release is read from its linux/amd64 image, labels too.
	r := newTestResolver(t, host, WithCacheDir(cache))
	got := r.Resolve(context.Background(), []Request{{Ref: "redis:7.4.1", Policy: &minor, Releases: true, MinAge: 7 * 24 * time.Hour}})["redis:7.4.1"]
	if got.NewerRelease == nil || got.NewerRelease.Labels["org.opencontainers.image.source"] != "https://github.com/redis/redis" {
		t.Errorf("release of the index 7.4.3 = %+v, want its source label", got.NewerRelease)
	}

	// Warm: every answer comes from the disk cache, no request at all.
	rc.reset()
	r = newTestResolver(t, host, WithCacheDir(cache))
	got = r.Resolve(context.Background(), []Request{{Ref: "redis:7.4.1", Policy: &minor, Releases: true, MinAge: time.Hour}})["redis:7.4.1"]
	if got.Err != nil || !got.Cached || got.Newer[0].Tag != "7.5.0" || got.NewerRelease == nil {
		t.Errorf("warm: %s release %+v", describe(got), got.NewerRelease)
	}
	if n := len(rc.all()); n != 0 {
		t.Errorf("warm run sent %d requests, want 0:\n%s", n, strings.Join(rc.all(), "\n"))
	}
}

func TestResolveReleaseOfARefreshedDigest(t *testing.T) {
	host := testRegistry(t, nil)
	p := pushed(regtest.Push(t, host, nil, []regtest.Family{{Repo: "library/redis", Tags: []string{"7.4.1"}, Created: day(2025, 1, 1)}}))
	old := "sha256:" + strings.Repeat("0", 64)
	minor := PolicyMinor
	ref := "redis:7.4.1@" + old
	r := newTestResolver(t, host)
	got := r.Resolve(context.Background(), []Request{{Ref: ref, Policy: &minor, MinAge: 7 * 24 * time.Hour}})[ref]
	if got.Err != nil || got.Digest != p.digestOf(t, "library/redis:7.4.1") || got.Release == nil || !got.Release.Created.Equal(day(2025, 1, 1)) || !got.Young {
		t.Errorf("Resolve(%s) = %s release %+v young %v, want the new digest, its date and young", ref, describe(got), got.Release, got.Young)
	}
}

func TestReleaseConfigMustHashToItsDigest(t *testing.T) {
	host := testRegistry(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.Contains(r.URL.Path, "/blobs/") {
				w.Write([]byte(`{"created":"2020-01-01T00:00:00Z","config":{}}`))
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	regtest.Push(t, host, nil, releaseFamilies[:3])
	minor := PolicyMinor
	r := newTestResolver(t, host)
	got := r.Resolve(context.Background(), []Request{{Ref: "redis:7.4.1", Policy: &minor, Releases: true}})["redis:7.4.1"]
	if !errors.Is(got.Err, ErrDigestMismatch) || len(got.Newer) != 0 {
		t.Errorf("a config blob hashing elsewhere: %s, want ErrDigestMismatch and no update", describe(got))
	}
}

func TestReleaseOfflineIsOptionalWithoutMinimumAge(t *testing.T) {
	host := testRegistry(t, nil)
	regtest.Push(t, host, nil, releaseFamilies[:3])
	cache := t.TempDir()
	minor := PolicyMinor
	// Fill the cache without releases, as a run of an older version would.
	r := newTestResolver(t, host, WithCacheDir(cache))
	if got := r.Resolve(context.Background(), []Request{{Ref: "redis:7.4.1", Policy: &minor}})["redis:7.4.1"]; got.Err != nil {
		t.Fatal(got.Err)
	}
	r = newTestResolver(t, host, WithCacheDir(cache), WithOffline(true))
	got := r.Resolve(context.Background(), []Request{{Ref: "redis:7.4.1", Policy: &minor, Releases: true}})["redis:7.4.1"]
	if got.Err != nil || len(got.Newer) == 0 || got.Newer[0].Tag != "7.5.0" || got.NewerRelease != nil {
		t.Errorf("offline without the release: %s release %+v, want 7.5.0 and no release", describe(got), got.NewerRelease)
	}
	got = r.Resolve(context.Background(), []Request{{Ref: "redis:7.4.1", Policy: &minor, MinAge: time.Hour}})["redis:7.4.1"]
	if !errors.Is(got.Err, ErrOffline) {
		t.Errorf("offline with a minimum age and no release: %s, want ErrOffline", describe(got))
	}
}

// A stale digest's replacement is read twice in one run, for the update's
// release and for the image facts: its config must still cost one GET
// (here with WithRefresh, where the disk cache cannot absorb the second
// read), and its manifest one GET besides the tag's.
func TestReleaseAndFactsShareOneConfigRead(t *testing.T) {
	var rc recorder
	host := testRegistry(t, rc.wrap)
	p := pushed(regtest.Push(t, host, nil, releaseFamilies))
	old := p.digestOf(t, "library/redis:7.4.3") // written beside 7.4.1, which moved
	minor := PolicyMinor
	ref := "redis:7.4.1@" + old
	rc.reset()
	r := newTestResolver(t, host, WithRefresh(true))
	got := r.Resolve(context.Background(), []Request{{Ref: ref, Policy: &minor, Releases: true, Platforms: []string{DefaultPlatform}}})[ref]
	if got.Err != nil {
		t.Fatal(got.Err)
	}
	if got.Release == nil || !got.Release.Created.Equal(day(2024, 11, 1)) {
		t.Errorf("Release = %+v, want created 2024-11-01", got.Release)
	}
	if f := got.Facts[DefaultPlatform]; f.Err != nil || !f.Created.Equal(day(2024, 11, 1)) {
		t.Errorf("Facts = %+v, want created 2024-11-01", f)
	}
	if n := rc.count(http.MethodGet, "/blobs/"); n != 2 { // 7.4.1's config, and the newer 7.6.0's for its release
		t.Errorf("config blob GETs = %d, want 2:\n%s", n, strings.Join(rc.all(), "\n"))
	}
	if n := rc.count(http.MethodGet, "/manifests/"+got.Digest); n != 0 {
		t.Errorf("GETs of the manifest by digest = %d, want 0 (the tag's answer is those bytes):\n%s", n, strings.Join(rc.all(), "\n"))
	}
}

// An index serving no linux/amd64 image takes its release from its first
// image, while its linux/amd64 facts say it is not served: releases and
// facts pick from an index through one function with one difference.
func TestReleaseOfIndexWithoutAMD64(t *testing.T) {
	host := testRegistry(t, func(h http.Handler) http.Handler { return h })
	arm := regtest.Image(t, regtest.ImageSpec{Architecture: "arm64", Created: day(2024, 10, 1)})
	s390 := regtest.Image(t, regtest.ImageSpec{Architecture: "s390x", Created: day(2024, 9, 1)})
	regtest.PushImage(t, host, "library/redis:7.4.1", regtest.Image(t, regtest.ImageSpec{Created: day(2024, 8, 1)}))
	regtest.PushIndex(t, host, "library/redis:7.4.2", regtest.Index(t, arm, s390))
	minor := PolicyMinor
	r := newTestResolver(t, host)
	got := r.Resolve(context.Background(), []Request{{Ref: "redis:7.4.1", Policy: &minor, Releases: true}})["redis:7.4.1"]
	if got.Err != nil {
		t.Fatal(got.Err)
	}
	if got.NewerRelease == nil || !got.NewerRelease.Created.Equal(day(2024, 10, 1)) {
		t.Errorf("NewerRelease = %+v, want the arm64 image's, created 2024-10-01", got.NewerRelease)
	}
	got = r.Resolve(context.Background(), []Request{{Ref: "redis:7.4.2", Platforms: []string{DefaultPlatform}}})["redis:7.4.2"]
	f := got.Facts[DefaultPlatform]
	if f.Err != nil || !f.Unserved || !cmp.Equal(f.Platforms, []string{"linux/arm64", "linux/s390x"}) {
		t.Errorf("Facts = %+v, want unserved with platforms linux/arm64, linux/s390x", f)
	}
}

// A release read from a config that fails verification is an error and is
// never cached: the next run, against a healthy registry and the same
// cache, reads the true release.
func TestReleaseFromTamperedConfigIsNotCached(t *testing.T) {
	var tamper atomic.Bool
	host := testRegistry(t, tamperBlobs(&tamper, `"2025-01-01`, `"2020-01-01`))
	regtest.Push(t, host, nil, releaseFamilies[:3])
	tamper.Store(true)
	minor := PolicyMinor
	cache := t.TempDir()
	req := []Request{{Ref: "redis:7.4.1", Policy: &minor, Releases: true}}
	got := newTestResolver(t, host, WithCacheDir(cache)).Resolve(context.Background(), req)["redis:7.4.1"]
	if !errors.Is(got.Err, ErrDigestMismatch) || got.NewerRelease != nil {
		t.Fatalf("tampered config: %s, release %+v; want ErrDigestMismatch and no release", describe(got), got.NewerRelease)
	}
	tamper.Store(false)
	got = newTestResolver(t, host, WithCacheDir(cache)).Resolve(context.Background(), req)["redis:7.4.1"]
	if got.Err != nil || got.NewerRelease == nil || !got.NewerRelease.Created.Equal(day(2025, 1, 1)) {
		t.Errorf("after the registry recovers: %s, release %+v; want 7.5.0 created 2025-01-01", describe(got), got.NewerRelease)
	}
}
