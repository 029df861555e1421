package fixers

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// Image facts passed in with the resolutions change what the CF1xx rules
// and CF509 decide; without them the knowledge base decides alone.
func TestRulesUseImageFacts(t *testing.T) {
	src := `services:
  web:
    image: acme/web:1.0.0
  api:
    image: acme/api:2.1.0
    depends_on: [web]
  db:
    image: postgres:16.4
    platform: linux/arm64
  cache:
    image: redis:7.4.1
    user: "999"
  arm:
    image: acme/arm:1.0.0
  broken:
    image: acme/broken:1.0.0
`
	resolved := Resolutions{
		"acme/web:1.0.0": {Facts: map[string]ImageFacts{DefaultPlatform: {
			Platforms: []string{"linux/amd64"}, User: "nginx",
			Healthcheck: []string{"CMD-SHELL", "wget -q -O- http://127.0.0.1/"},
		}}},
		"acme/api:2.1.0": {Facts: map[string]ImageFacts{DefaultPlatform: {Platforms: []string{"linux/amd64"}, User: "0:0"}}},
		// db runs on arm64: the amd64 facts (no USER) must not be read.
		"postgres:16.4": {Facts: map[string]ImageFacts{
			DefaultPlatform: {Platforms: []string{"linux/amd64", "linux/arm64"}},
			"linux/arm64":   {Platforms: []string{"linux/amd64", "linux/arm64"}, User: "postgres"},
		}},
		"acme/arm:1.0.0":    {Facts: map[string]ImageFacts{DefaultPlatform: {Platforms: []string{"linux/arm64/v8"}, Unserved: true}}},
		"acme/broken:1.0.0": {Facts: map[string]ImageFacts{DefaultPlatform: {Err: errors.New("registry unavailable")}}},
	}
	rules, err := Select(Rules(), []string{"CF005", "CF101", "CF102", "CF509"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	res := runRules(t, src, Options{Rules: rules, Resolved: resolved})
	out := string(res.Output)
	findings := formatFindings(res.Findings)
	if strings.Contains(out, "  web:\n    image: acme/web:1.0.0\n    healthcheck:") {
		t.Errorf("web got a healthcheck although its image declares one:\n%s", out)
	}
	if !strings.Contains(out, "depends_on: {web: {condition: service_healthy}}") {
		t.Errorf("api does not wait for web's image healthcheck:\n%s", out)
	}
	for _, want := range []string{
		`service "api" runs as root: the config of image "acme/api:2.1.0" sets no USER (or root)`,
		`error: image "acme/arm:1.0.0" does not serve platform "linux/amd64" that service "arm" runs on; it serves "linux/arm64/v8" [CF005]`,
		`info: the config of image "acme/broken:1.0.0" for "linux/amd64" could not be read (registry unavailable); rules use the knowledge base only [CF005]`,
	} {
		if !strings.Contains(findings, want) {
			t.Errorf("findings lack %q:\n%s", want, findings)
		}
	}
	for _, unwanted := range []string{`service "web" has no healthcheck`, `"web" runs as root`, `"db" runs as root`, `"cache" runs as root`} {
		if strings.Contains(findings, unwanted) {
			t.Errorf("findings have %q:\n%s", unwanted, findings)
		}
	}

	// Without facts: web is an unknown image (no fix), api only waits for
	// web's start, and postgres runs as root per the knowledge base.
	res = runRules(t, src, Options{Rules: rules})
	findings = formatFindings(res.Findings)
	for _, want := range []string{`service "web" has no healthcheck and gets none`, `service "db" runs as root: image "postgres:16.4" starts as root`} {
		if !strings.Contains(findings, want) {
			t.Errorf("without facts, findings lack %q:\n%s", want, findings)
		}
	}
	if strings.Contains(string(res.Output), "service_healthy") {
		t.Errorf("without facts, api waits for service_healthy:\n%s", res.Output)
	}
}

// With file facts CF101 writes the first knowledge-base check whose
// program the image holds, and none when it holds none of them.
func TestHealthcheckFromFileFacts(t *testing.T) {
	src := `services:
  web:
    image: nginx:1.27
  slim:
    image: nginx:1.27
    platform: linux/arm64
  bare:
    image: nginx:1.27
    platform: linux/s390x
  loki:
    image: grafana/loki:3.6.0
  budget:
    image: nginx:1.27
    platform: linux/ppc64le
`
	busybox := &FileFacts{
		Programs: map[string]bool{"busybox": true, "wget": true, "sh": true, "nginx": true},
		Paths:    map[string]bool{"/bin/busybox": true, "/bin/wget": true, "/bin/sh": true, "/usr/sbin/nginx": true},
	}
	bare := &FileFacts{Programs: map[string]bool{"nginx": true}, Paths: map[string]bool{"/usr/sbin/nginx": true}}
	resolved := Resolutions{
		"nginx:1.27": {Facts: map[string]ImageFacts{
			// curl is gone: the alpine-slim variant's wget check fits.
			DefaultPlatform: {Files: busybox},
			"linux/arm64":   {Files: busybox},
			"linux/s390x":   {Files: bare},
			"linux/ppc64le": {FilesNote: "its layers were not inspected: 2.93GiB of layers, 2GiB of the 2GiB budget left: over the layer inspection budget"},
		}},
		// A loki image that still has busybox gets the wget check although
		// the knowledge base expects none from 3.6.0 on.
		"grafana/loki:3.6.0": {Facts: map[string]ImageFacts{DefaultPlatform: {Files: busybox}}},
	}
	rules, err := Select(Rules(), []string{"CF101"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	res := runRules(t, src, Options{Rules: rules, Resolved: resolved})
	out, findings := string(res.Output), formatFindings(res.Findings)
	wget := `test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:80/"]`
	if n := strings.Count(out, wget); n != 2 {
		t.Errorf("%d wget checks, want 2 (web and slim):\n%s", n, out)
	}
	if !strings.Contains(out, `test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:3100/ready"]`) {
		t.Errorf("loki with busybox did not get the wget check:\n%s", out)
	}
	if !strings.Contains(out, `test: ["CMD", "curl", "-sS", "-o", "/dev/null", "http://127.0.0.1:80/"]`) {
		t.Errorf("over budget, the knowledge base's curl check should be used:\n%s", out)
	}
	for _, want := range []string{
		`service "bare" has no healthcheck and gets none: image "nginx:1.27" has none of the programs the knowledge base's checks for it run: it lacks curl, wget, bash [CF101]`,
		`service "budget" has no healthcheck; dependents cannot wait for it to be ready; its layers were not inspected: 2.93GiB of layers, 2GiB of the 2GiB budget left: over the layer inspection budget, so the knowledge base chose the command [CF101] (fixed)`,
	} {
		if !strings.Contains(findings, want) {
			t.Errorf("findings lack %q:\n%s", want, findings)
		}
	}
}

// A mariadb image's config date decides its check where facts give it:
// the healthcheck user that healthcheck.sh --innodb_initialized logs in
// with, and MARIADB_AUTO_UPGRADE=1 writing it for older data directories,
// reached the images in the release of 2024-02-12; every image built
// before 2023 is a 10.x one, with mysqladmin. Without a date the tag's
// version decides, as before.
func TestMariaDBCheckByCreated(t *testing.T) {
	day := func(s string) time.Time {
		d, err := time.Parse("2006-01-02", s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	const mysqladmin, script = `"mysqladmin", "ping"`, `"healthcheck.sh", "--connect"`
	tests := []struct {
		name, image, created, want string
	}{
		{"11.x tag, image from 2022", "mariadb:11.4.2", "2022-11-03", mysqladmin},
		{"10.x tag, image rebuilt in 2024", "mariadb:10.6", "2024-05-20", script},
		{"10.x tag, image from before the user was written on upgrade", "mariadb:10.11.6", "2023-11-13", mysqladmin},
		{"10.x tag, image of the release that writes it", "mariadb:10.11.7", "2024-02-12", script},
		{"11.x tag, image from 2023", "mariadb:11.1.2", "2023-08-14", script},
		{"10.x tag, no date", "mariadb:10.6", "", mysqladmin},
		{"11.x tag, no date", "mariadb:11.4", "", script},
	}
	rules, err := Select(Rules(), []string{"CF101"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "services:\n  db:\n    image: " + tt.image + "\n"
			f := ImageFacts{Platforms: []string{DefaultPlatform}}
			if tt.created != "" {
				f.Created = day(tt.created)
			}
			resolved := Resolutions{tt.image: {Facts: map[string]ImageFacts{DefaultPlatform: f}}}
			out := string(runRules(t, src, Options{Rules: rules, Resolved: resolved}).Output)
			if !strings.Contains(out, tt.want) {
				t.Errorf("image %q created %q: output lacks %s:\n%s", tt.image, tt.created, tt.want, out)
			}
		})
	}
}
