package fixers

import (
	"errors"
	"strings"
	"testing"

	"github.com/composefix/composefix/compose"
	_ "github.com/composefix/composefix/internal/golden"
	"github.com/google/go-cmp/cmp"
)

// Digests of the hand-made resolutions.
var (
	dRedis7   = "sha256:" + strings.Repeat("a", 64)
	dRedisOld = "sha256:" + strings.Repeat("0", 64)
	dTraefik  = "sha256:" + strings.Repeat("b", 64)
	dPostgres = "sha256:" + strings.Repeat("c", 64)
	dNew      = "sha256:" + strings.Repeat("d", 64)
)

// pinResolutions is what a registry would say about the test images.
func pinResolutions() Resolutions {
	return Resolutions{
		"redis:7-alpine":                  {Digest: dRedis7, Tag: "7.4.1-alpine"},
		"redis:7":                         {Digest: dRedis7, Tag: "7.4.1"},
		"redis":                           {Digest: dRedis7, Tag: "7.4.1"},
		"docker.io/library/redis:7":       {Digest: dRedis7, Tag: "7.4.1"},
		"redis:7.4.1-alpine":              {Digest: dRedis7, Tag: "7.4.1-alpine", Newer: []TagDigest{{"7.4.3-alpine", dNew}, {"7.4.2-alpine", ""}}},
		"redis:7.4.1-alpine@" + dRedisOld: {Digest: dRedis7, Tag: "7.4.1-alpine"},
		"redis:7@" + dRedisOld:            {Digest: dRedis7, Tag: "7.4.1"},
		"redis:7.4.1@" + dRedis7:          {Digest: dRedis7, Tag: "7.4.1"},
		"traefik:latest":                  {Digest: dTraefik, Tag: "v3.2.3"},
		"nightly/app:latest":              {Digest: dTraefik},
		"postgres:16.4":                   {Digest: dPostgres, Tag: "16.4", Newer: []TagDigest{{"16.6", dNew}}},
		"redis:7.4-alpine":                {Digest: dRedis7, Tag: "7.4.1-alpine"},
		"postgres:16":                     {Digest: dPostgres, Tag: "16.6"},
		"minio/minio:latest":              {Digest: dTraefik, Tag: "RELEASE.2024-12-13T22-19-12Z"},
		"gone:1":                          {Err: errors.New("looking up the digest of docker.io/library/gone:1: not found")},
		"offline:1":                       {Err: errors.New("offline and not in the cache")},
	}
}

type pinCase struct {
	name     string
	in       string
	cfg      func(*Config)
	resolved Resolutions // nil: pinResolutions()
	want     string      // "" means unchanged
	findings []string    // "RULE message", in order
}

func runPin(t *testing.T, tc pinCase) (string, []string) {
	t.Helper()
	cfg := DefaultConfig()
	if tc.cfg != nil {
		tc.cfg(cfg)
	}
	res := tc.resolved
	if res == nil {
		res = pinResolutions()
	}
	rules, err := Select(Rules(), []string{"CF0"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	d, err := compose.Load("compose.yaml", []byte(tc.in))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	r, err := Run(d, Options{Rules: rules, Resolved: res, Config: cfg})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	var fs []string
	for _, f := range r.Findings {
		fs = append(fs, f.RuleID+" "+f.Message)
	}
	// A second run over the output changes nothing.
	d2, err := compose.Load("compose.yaml", r.Output)
	if err != nil {
		t.Fatalf("output does not load: %v\n%s", err, r.Output)
	}
	r2, err := Run(d2, Options{Rules: rules, Resolved: res, Config: cfg})
	if err != nil {
		t.Fatalf("second Run: %v", err)
	}
	if r2.Changed() {
		t.Errorf("second run changed the output again:\n%s", r2.Output)
	}
	return string(r.Output), fs
}

func TestPin(t *testing.T) {
	digestMode := func(c *Config) { c.Pin = PinDigest }
	bothMode := func(c *Config) { c.Pin = PinVersionAndDigest }
	tests := []pinCase{
		{
			name:     "floating tag to precise version keeps suffix",
			in:       "services:\n  cache:\n    image: redis:7-alpine # cache\n",
			want:     "services:\n  cache:\n    image: redis:7.4.1-alpine # cache\n",
			findings: []string{`CF001 image "redis:7-alpine" is a floating tag; expected the precise tag "7.4.1-alpine" that carries the same digest`},
		},
		{
			name:     "digest mode keeps the tag as written",
			in:       "services:\n  cache:\n    image: redis:7-alpine\n",
			cfg:      digestMode,
			want:     "services:\n  cache:\n    image: redis:7-alpine@" + dRedis7 + "\n",
			findings: []string{`CF001 image "redis:7-alpine" has no digest; expected sha256:aaaaaaaaaaaa`},
		},
		{
			name:     "version+digest writes both",
			in:       "services:\n  cache:\n    image: redis:7-alpine\n",
			cfg:      bothMode,
			want:     "services:\n  cache:\n    image: redis:7.4.1-alpine@" + dRedis7 + "\n",
			findings: []string{`CF001 image "redis:7-alpine" is a floating tag; expected "7.4.1-alpine" with its digest`},
		},
		{
			name:     "version+digest on a precise tag adds the digest",
			in:       "services:\n  cache:\n    image: redis:7.4.1-alpine\n",
			cfg:      bothMode,
			want:     "services:\n  cache:\n    image: redis:7.4.1-alpine@" + dRedis7 + "\n",
			findings: []string{`CF001 image "redis:7.4.1-alpine" has no digest; expected sha256:aaaaaaaaaaaa`},
		},
		{
			name:     "untagged image is latest",
			in:       "services:\n  cache:\n    image: redis\n",
			want:     "services:\n  cache:\n    image: redis:7.4.1\n",
			findings: []string{`CF001 image "redis" is a floating tag; expected the precise tag "7.4.1" that carries the same digest`},
		},
		{
			name:     "untagged image under digest mode gets latest and the digest",
			in:       "services:\n  cache:\n    image: redis\n",
			cfg:      digestMode,
			want:     "services:\n  cache:\n    image: redis:latest@" + dRedis7 + "\n",
			findings: []string{`CF001 image "redis" has no digest; expected sha256:aaaaaaaaaaaa`},
		},
		{
			name: "precise tag left alone under version",
			in:   "services:\n  cache:\n    image: redis:7.4.1-alpine\n",
		},
		{
			name: "two-component version without a more precise tag left alone",
			in:   "services:\n  db:\n    image: postgres:16.4\n",
		},
		{
			name:     "two-component version refined to the precise tag with its digest",
			in:       "services:\n  cache:\n    image: redis:7.4-alpine\n",
			want:     "services:\n  cache:\n    image: redis:7.4.1-alpine\n",
			findings: []string{`CF001 image "redis:7.4-alpine" is a floating tag; expected the precise tag "7.4.1-alpine" that carries the same digest`},
		},
		{
			name:     "one-component version pinned",
			in:       "services:\n  db:\n    image: postgres:16\n",
			want:     "services:\n  db:\n    image: postgres:16.6\n",
			findings: []string{`CF001 image "postgres:16" is a floating tag; expected the precise tag "16.6" that carries the same digest`},
		},
		{
			name:     "date versions",
			in:       "services:\n  s3:\n    image: minio/minio:latest\n",
			want:     "services:\n  s3:\n    image: minio/minio:RELEASE.2024-12-13T22-19-12Z\n",
			findings: []string{`CF001 image "minio/minio:latest" is a floating tag; expected the precise tag "RELEASE.2024-12-13T22-19-12Z" that carries the same digest`},
		},
		{
			name:     "v prefix",
			in:       "services:\n  proxy:\n    image: traefik:latest\n",
			want:     "services:\n  proxy:\n    image: traefik:v3.2.3\n",
			findings: []string{`CF001 image "traefik:latest" is a floating tag; expected the precise tag "v3.2.3" that carries the same digest`},
		},
		{
			name:     "no precise tag falls back to a digest pin",
			in:       "services:\n  app:\n    image: nightly/app:latest\n",
			want:     "services:\n  app:\n    image: nightly/app:latest@" + dTraefik + "\n",
			findings: []string{`CF001 image "nightly/app:latest" is a floating tag and no more precise tag carries its digest; expected a digest pin`},
		},
		{
			name:     "interpolation default pinned inside the braces",
			in:       "services:\n  cache:\n    image: ${REDIS_IMAGE:-redis:7}\n",
			want:     "services:\n  cache:\n    image: ${REDIS_IMAGE:-redis:7.4.1}\n",
			findings: []string{`CF001 image "redis:7" is a floating tag; expected the precise tag "7.4.1" that carries the same digest`},
		},
		{
			name:     "quoted interpolation default",
			in:       "services:\n  cache:\n    image: \"${REDIS_IMAGE-redis:7}\"\n",
			cfg:      digestMode,
			want:     "services:\n  cache:\n    image: \"${REDIS_IMAGE-redis:7@" + dRedis7 + "}\"\n",
			findings: []string{`CF001 image "redis:7" has no digest; expected sha256:aaaaaaaaaaaa`},
		},
		{
			name:     "interpolation without default is unresolved",
			in:       "services:\n  app:\n    image: ${APP_IMAGE}\n  other:\n    image: ${REGISTRY:-docker.io}/app:1\n",
			findings: []string{`CF003 image "${APP_IMAGE}" depends on the environment; only a literal default such as ${VAR:-redis:7} can be resolved`, `CF003 image "${REGISTRY:-docker.io}/app:1" depends on the environment; only a literal default such as ${VAR:-redis:7} can be resolved`},
		},
		{
			name:     "registry errors are unresolved, the rest still pinned",
			in:       "services:\n  a:\n    image: gone:1\n  b:\n    image: offline:1\n  c:\n    image: redis:7\n",
			want:     "services:\n  a:\n    image: gone:1\n  b:\n    image: offline:1\n  c:\n    image: redis:7.4.1\n",
			findings: []string{`CF003 image "gone:1" is not resolved: looking up the digest of docker.io/library/gone:1: not found`, `CF003 image "offline:1" is not resolved: offline and not in the cache`, `CF001 image "redis:7" is a floating tag; expected the precise tag "7.4.1" that carries the same digest`},
		},
		{
			name: "build and image: the image names the build output",
			in:   "services:\n  app:\n    build: .\n    image: redis:7\n",
		},
		{
			name:     "ignore patterns in any Docker Hub spelling",
			in:       "services:\n  a:\n    image: redis:7\n  b:\n    image: docker.io/library/redis:7\n  c:\n    image: traefik:latest\n",
			cfg:      func(c *Config) { c.IgnoreImages = []string{"docker.io/library/redis"} },
			want:     "services:\n  a:\n    image: redis:7\n  b:\n    image: docker.io/library/redis:7\n  c:\n    image: traefik:v3.2.3\n",
			findings: []string{`CF001 image "traefik:latest" is a floating tag; expected the precise tag "v3.2.3" that carries the same digest`},
		},
		{
			name: "anchor in an x- template pinned once",
			in: "x-redis: &redis\n  image: redis:7\n  restart: always\n\nservices:\n  a:\n    <<: *redis\n  b:\n    <<: *redis\n" +
				"  c:\n    image: &img traefik:latest\n  d:\n    image: *img\n",
			want: "x-redis: &redis\n  image: redis:7.4.1\n  restart: always\n\nservices:\n  a:\n    <<: *redis\n  b:\n    <<: *redis\n" +
				"  c:\n    image: &img traefik:v3.2.3\n  d:\n    image: *img\n",
			findings: []string{`CF001 image "redis:7" is a floating tag; expected the precise tag "7.4.1" that carries the same digest`, `CF001 image "traefik:latest" is a floating tag; expected the precise tag "v3.2.3" that carries the same digest`},
		},
		{
			name:     "quoted images keep their quotes",
			in:       "services:\n  a:\n    image: 'redis:7'\n  b:\n    image: \"traefik:latest\"\n",
			want:     "services:\n  a:\n    image: 'redis:7.4.1'\n  b:\n    image: \"traefik:v3.2.3\"\n",
			findings: []string{`CF001 image "redis:7" is a floating tag; expected the precise tag "7.4.1" that carries the same digest`, `CF001 image "traefik:latest" is a floating tag; expected the precise tag "v3.2.3" that carries the same digest`},
		},
		{
			name:     "docker.io/library spelling kept",
			in:       "services:\n  a:\n    image: docker.io/library/redis:7\n",
			want:     "services:\n  a:\n    image: docker.io/library/redis:7.4.1\n",
			findings: []string{`CF001 image "docker.io/library/redis:7" is a floating tag; expected the precise tag "7.4.1" that carries the same digest`},
		},
		{
			name:     "stale digest beside a precise tag",
			in:       "services:\n  a:\n    image: redis:7.4.1-alpine@" + dRedisOld + "\n",
			want:     "services:\n  a:\n    image: redis:7.4.1-alpine@" + dRedis7 + "\n",
			findings: []string{`CF002 image "redis:7.4.1-alpine@` + dRedisOld + `" pins digest sha256:000000000000, but tag "7.4.1-alpine" now points at sha256:aaaaaaaaaaaa`},
		},
		{
			name:     "stale digest beside a floating tag also gets the precise tag",
			in:       "services:\n  a:\n    image: redis:7@" + dRedisOld + "\n",
			want:     "services:\n  a:\n    image: redis:7.4.1@" + dRedis7 + "\n",
			findings: []string{`CF002 image "redis:7@` + dRedisOld + `" pins digest sha256:000000000000, but tag "7" now points at sha256:aaaaaaaaaaaa`},
		},
		{
			name:     "CRLF and no final newline",
			in:       "services:\r\n  cache:\r\n    image: redis:7-alpine",
			want:     "services:\r\n  cache:\r\n    image: redis:7.4.1-alpine",
			findings: []string{`CF001 image "redis:7-alpine" is a floating tag; expected the precise tag "7.4.1-alpine" that carries the same digest`},
		},
		{
			name:     "flow mapping",
			in:       "services:\n  cache: {image: redis, restart: always}\n",
			cfg:      bothMode,
			want:     "services:\n  cache: {image: redis:7.4.1@" + dRedis7 + ", restart: always}\n",
			findings: []string{`CF001 image "redis" is a floating tag; expected "7.4.1" with its digest`},
		},
		{
			name:     "double-quoted with an escape is rewritten whole",
			in:       "services:\n  cache:\n    image: \"redis:\\x37\"\n",
			want:     "services:\n  cache:\n    image: \"redis:7.4.1\"\n",
			findings: []string{`CF001 image "redis:7" is a floating tag; expected the precise tag "7.4.1" that carries the same digest`},
		},
		{
			name: "current digest left alone",
			in:   "services:\n  a:\n    image: redis:7.4.1@" + dRedis7 + "\n",
		},
		{
			name:     "no resolution, no finding",
			in:       "services:\n  a:\n    image: unknown:1\n",
			resolved: Resolutions{},
		},
		{
			name: "update mode does not pin, only bumps",
			in:   "services:\n  a:\n    image: redis:7.4.1-alpine\n  b:\n    image: redis:7\n",
			cfg:  func(c *Config) { c.Images.Update = true },
			want: "services:\n  a:\n    image: redis:7.4.3-alpine\n  b:\n    image: redis:7\n",
			// CF001 and CF002 stay silent in update mode although selected;
			// CF004 says the floating tag must be pinned first.
			findings: []string{
				`CF004 image "redis:7.4.1-alpine" has a newer release "7.4.3-alpine"`,
				`CF004 image "redis:7" is a floating tag; it must be pinned before it can be updated (composefix update --select CF001, or composefix -w --select CF001)`,
			},
		},
		{
			name: "update pins a floating tag when asked to",
			in:   "services:\n  a:\n    image: redis:7.4.1-alpine\n  b:\n    image: redis:7\n",
			cfg:  func(c *Config) { c.Images.Update, c.Images.PinFloating = true, true },
			want: "services:\n  a:\n    image: redis:7.4.3-alpine\n  b:\n    image: redis:7.4.1\n",
			findings: []string{
				`CF004 image "redis:7.4.1-alpine" has a newer release "7.4.3-alpine"`,
				`CF001 image "redis:7" is a floating tag; expected the precise tag "7.4.1" that carries the same digest`,
			},
		},
		{
			name: "images read from .env are left to the pipeline",
			in:   "services:\n  a:\n    image: redis:${TAG}\n  b:\n    image: ${IMAGE:-redis:7}\n",
			cfg: func(c *Config) {
				c.Images.Update = true
				c.Images.Env = map[string]string{"TAG": "7.4.1-alpine", "IMAGE": "redis:7.4.1-alpine"}
			},
		},
		{
			name:     "update keeps a digest beside the new tag",
			in:       "services:\n  db:\n    image: postgres:16.4@" + dRedisOld + "\n",
			cfg:      func(c *Config) { c.Images.Update = true },
			resolved: Resolutions{"postgres:16.4@" + dRedisOld: {Digest: dPostgres, Newer: []TagDigest{{"16.6", dNew}}}},
			want:     "services:\n  db:\n    image: postgres:16.6@" + dNew + "\n",
			findings: []string{`CF004 image "postgres:16.4@` + dRedisOld + `" has a newer release "16.6"`},
		},
		{
			name:     "update refreshes a stale digest when nothing is newer",
			in:       "services:\n  db:\n    image: postgres:16.4@" + dRedisOld + "\n",
			cfg:      func(c *Config) { c.Images.Update = true },
			resolved: Resolutions{"postgres:16.4@" + dRedisOld: {Digest: dPostgres}},
			want:     "services:\n  db:\n    image: postgres:16.4@" + dPostgres + "\n",
			findings: []string{`CF004 image "postgres:16.4@` + dRedisOld + `" pins digest sha256:000000000000, but tag "16.4" now points at sha256:cccccccccccc`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, fs := runPin(t, tc)
			want := tc.want
			if want == "" {
				want = tc.in
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("output mismatch (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tc.findings, fs); d != "" {
				t.Errorf("findings mismatch (-want +got):\n%s", d)
			}
		})
	}
}

// TestPinWithoutResolutions: the goldens and the corpus run without a
// registry; the image rules must then stay silent rather than report every
// image as unresolved.
func TestPinWithoutResolutions(t *testing.T) {
	_, fs := runPin(t, pinCase{in: "services:\n  a:\n    image: ${X}\n  b:\n    image: redis:7\n", resolved: Resolutions(nil)})
	// runPin substitutes pinResolutions for nil, so call Run directly.
	rules, _ := Select(Rules(), []string{"CF0"}, nil)
	d, err := compose.Load("compose.yaml", []byte("services:\n  a:\n    image: ${X}\n  b:\n    image: redis:7\n"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Run(d, Options{Rules: rules})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Findings) != 0 || r.Changed() {
		t.Errorf("Run without resolutions = %d findings, changed %v; want none", len(r.Findings), r.Changed())
	}
	if len(fs) == 0 {
		t.Errorf("with resolutions the same file has no findings; the test is not testing anything")
	}
}

func TestUpdateRuleOffByDefault(t *testing.T) {
	rules, _ := Select(Rules(), []string{"CF004"}, nil)
	d, err := compose.Load("compose.yaml", []byte("services:\n  a:\n    image: redis:7.4.1-alpine\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, update := range []bool{false, true} {
		cfg := DefaultConfig()
		cfg.Images.Update = update
		r, err := Run(d, Options{Rules: rules, Resolved: pinResolutions(), Config: cfg})
		if err != nil {
			t.Fatal(err)
		}
		if r.Changed() != update {
			t.Errorf("CF004 with Images.Update=%v changed the file: %v, want %v", update, r.Changed(), update)
		}
	}
}

func TestImageRefs(t *testing.T) {
	src := `x-base: &base
  image: redis:7
services:
  a:
    <<: *base
  b:
    <<: *base
    build: .
  c:
    image: ${IMG:-registry.example.com:5000/team/app:1.2}
  d:
    image: ${IMG}
  e:
    image: ghcr.io/acme/api@sha256:` + strings.Repeat("e", 64) + `
  f:
    image: internal.example.com/x:1
  g:
    image: "redis"
  h:
    build: ./h
`
	d, err := compose.Load("compose.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.IgnoreImages = []string{"internal.example.com/*"}
	type row struct {
		Service, Text     string
		Offset            int
		Name, Tag, Digest string
		Implicit          bool
		Skip              string
		Ask, Precise      bool
	}
	var got []row
	for _, r := range ImageRefs(d, cfg) {
		ask, precise := r.Lookup(cfg)
		got = append(got, row{r.Service, r.Text, r.Offset, r.Name, r.Tag, r.Digest, r.ImplicitTag, r.Skip.String(), ask, precise})
	}
	want := []row{
		{"a", "redis:7", 0, "redis", "7", "", false, "built by the service", false, false},                                                    // b builds from the shared template
		{"c", "registry.example.com:5000/team/app:1.2", 7, "registry.example.com:5000/team/app", "1.2", "", false, "not skipped", true, true}, // major.minor may have a more precise tag
		{"d", "", 0, "", "", "", false, "depends on the environment", false, false},
		{"e", "ghcr.io/acme/api@sha256:" + strings.Repeat("e", 64), 0, "ghcr.io/acme/api", "", "sha256:" + strings.Repeat("e", 64), false, "not skipped", false, false},
		{"f", "internal.example.com/x:1", 0, "internal.example.com/x", "1", "", false, "ignored by configuration", false, false},
		{"g", "redis", 0, "redis", "latest", "", true, "not skipped", true, true},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("ImageRefs mismatch (-want +got):\n%s", d)
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		image        string
		mode         PinMode
		update       bool
		ask, precise bool
	}{
		{"redis:7.4.1", PinVersion, false, false, false},
		{"redis:7.4.1", PinDigest, false, true, false},
		{"redis:7.4.1", PinVersionAndDigest, false, true, false},
		{"redis:7", PinVersion, false, true, true},
		{"redis:7.4-alpine", PinVersion, false, true, true},
		{"redis:7.4-alpine", PinVersionAndDigest, false, true, true},
		{"redis:latest", PinVersion, false, true, true},
		{"redis:7", PinDigest, false, true, false},
		{"redis:7@sha256:" + strings.Repeat("a", 64), PinVersion, false, true, true},
		{"redis:7.4.1", PinVersion, true, true, false},
		{"redis:latest", PinVersion, true, false, false},
		// Floating although they look like versions (issue 10).
		{"mcr.microsoft.com/mssql/server:2019-latest", PinVersion, false, true, true},
		{"acme/app:1.2.3-stable", PinVersion, false, true, true},
		{"ubuntu:22.04", PinVersion, false, true, true},
		{"traefik:cantal", PinVersion, false, true, true},
	}
	for _, tt := range tests {
		cfg := DefaultConfig()
		cfg.Pin, cfg.Images.Update = tt.mode, tt.update
		p, _ := splitImage(tt.image)
		r := ImageRef{Text: tt.image, Name: p.name, Tag: p.tag, Digest: p.digest}
		if ask, precise := r.Lookup(cfg); ask != tt.ask || precise != tt.precise {
			t.Errorf("Lookup(%q, %s, update %v) = %v, %v, want %v, %v", tt.image, tt.mode, tt.update, ask, precise, tt.ask, tt.precise)
		}
	}
}

func TestVersionComponents(t *testing.T) {
	tests := []struct {
		tag string
		n   int
		ok  bool
	}{
		{"7", 1, true}, {"7-alpine", 1, true}, {"7.4", 2, true}, {"7.4.1-alpine", 3, true},
		{"v3.2.3", 3, true}, {"21.0.5_11-jdk", 4, true}, {"3.14.0a3-alpine", 3, true},
		{"RELEASE.2024-12-13T22-19-12Z", 6, true}, {"version-1.2.3", 3, true},
		{"latest", 0, false}, {"alpine", 0, false}, {"alpine3.20", 0, false}, {"stable", 0, false},
		{"20241213", 0, false}, {"1234abc", 0, false}, {"sha-1.2.3", 0, false}, {"", 0, false},
	}
	for _, tt := range tests {
		n, ok := versionComponents(tt.tag)
		if n != tt.n || ok != tt.ok {
			t.Errorf("versionComponents(%q) = %d, %v, want %d, %v", tt.tag, n, ok, tt.n, tt.ok)
		}
	}
}

func TestPlanUpdate(t *testing.T) {
	r := ImageRef{Text: "redis:7.4.1-alpine", Name: "redis", Tag: "7.4.1-alpine"}
	res := Resolution{Digest: dRedis7, Newer: []TagDigest{{"7.4.3-alpine", dNew}}}
	tests := []struct {
		mode PinMode
		want ImageBump
	}{
		{PinVersion, ImageBump{Name: "redis", From: "7.4.1-alpine", To: "7.4.3-alpine"}},
		{PinVersionAndDigest, ImageBump{Name: "redis", From: "7.4.1-alpine", To: "7.4.3-alpine", Digest: dNew}},
	}
	for _, tt := range tests {
		got, ok := PlanUpdate(r, res, tt.mode)
		if !ok || got != tt.want {
			t.Errorf("PlanUpdate(%s) = %+v, %v, want %+v, true", tt.mode, got, ok, tt.want)
		}
	}
	if _, ok := PlanUpdate(r, Resolution{Digest: dRedis7}, PinVersion); ok {
		t.Errorf("PlanUpdate with nothing newer = ok, want false")
	}
}

func TestImageRulesDocs(t *testing.T) {
	for _, r := range imageRules() {
		if !strings.Contains(r.Doc, "Before:") || !strings.Contains(r.Doc, "After:") || r.Summary == "" {
			t.Errorf("rule %s lacks a summary or a Before:/After: example", r.ID)
		}
	}
}

// TestMatchImageSpellings checks that an image pattern (ignore_images,
// update.images) names a Docker Hub image in any of its spellings, and
// another registry's image only as that registry's.
func TestMatchImageSpellings(t *testing.T) {
	for _, tt := range []struct {
		pattern, image string
		want           bool
	}{
		{"redis", "redis:7", true},
		{"redis", "docker.io/library/redis:7", true},
		{"redis", "index.docker.io/redis:7", true},
		{"docker.io/library/redis", "redis:7", true},
		{"docker.io/library/redis:7*", "redis:7.4.1", true},
		{"bitnami/*", "docker.io/bitnami/redis:7", true},
		{"redis", "ghcr.io/acme/redis:7", false},
		{"ghcr.io/acme/*", "ghcr.io/acme/team/api:1", true},
		{"postgres", "redis:7", false},
		// "Registry" is a host only because of its capitals: Docker Hub's
		// registry/app is another image, which a pattern for it must not
		// ignore or govern (the old longName lowercased the host, and did).
		{"registry/app", "Registry/app:1", false},
		{"docker.io/registry/app", "Registry/app:1", false},
		{"Registry/*", "Registry/app:1", true},
		{"registry/app", "registry/app:1", true},
	} {
		r, ok := ParseImageRef(tt.image)
		if !ok {
			t.Fatalf("ParseImageRef(%q) failed", tt.image)
		}
		if got := MatchImage(tt.pattern, r); got != tt.want {
			t.Errorf("MatchImage(%q, %q) = %t, want %t (spellings %q)", tt.pattern, tt.image, got, tt.want, ImageSpellings(r))
		}
	}
}
