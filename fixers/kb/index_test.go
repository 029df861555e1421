package kb

import (
	"fmt"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestIndexAgreesWithScan checks that the index answers exactly as the
// linear scans it replaces, over the embedded data plus in-house entries
// that put globs and literals before, after and inside embedded families.
func TestIndexAgreesWithScan(t *testing.T) {
	hs, _ := Healthchecks()
	maps, _ := ImageClasses()
	extra := []Healthcheck{
		{Name: "inhouse-glob", Images: []string{"acme/*"}, Class: "cache"},
		{Name: "inhouse-pg-old", Images: []string{"postgres"}, Tags: `^9\.`, Class: "application"},
		{Name: "inhouse-redis-6", Images: []string{"redis", "acme/cache-*"}, Versions: "<7", Class: "web"},
		{Name: "inhouse-mixed", Images: []string{"acme/api", "acme/worker-?"}, Tags: `^2`, Class: "web"},
		// Validate refuses it; built anyway, the index (which compiles tag
		// expressions at first use) must still agree with the scan: no tag.
		{Name: "inhouse-bad-tags", Images: []string{"acme/bad"}, Tags: `(`, Class: "web"},
	}
	entries := Merge(hs, extra)
	mappings := append([]ImageClass{{Image: "redis", Class: "web"}, {Image: "grafana/*", Class: "cache"}}, maps...)
	x, err := NewIndex(entries, mappings)
	if err != nil {
		t.Fatal(err)
	}
	images := []string{
		"postgres", "postgres:9.6", "postgres:16-alpine", "docker.io/library/postgres:15",
		"redis:7", "grafana/grafana", "acme/api:2.1", "acme/api:1.0", "acme/worker-1:2", "acme/other",
		"haproxytech/haproxy-alpine:2.9", "postgres:9.2-alpine", "postgres:9.2", "mariadb:10.6", "mariadb:11", "mariadb:latest",
		"clickhouse/clickhouse-server:24-distroless", "redis:6.2", "acme/cache-1:6", "acme/cache-1:7", "unknown/thing", "", "nginx@sha256:abc", "Bitnami/PostgreSQL", "acme/bad:1",
	}
	for _, h := range hs {
		for _, img := range h.Images {
			images = append(images, img, img+":latest", img+":1.2-alpine")
		}
	}
	// The embedded index parses each entry's clauses and builds its maps
	// (Params) at its first match, not when it is built: it must answer as
	// the scan over the embedded entries, whole entries, at every creation
	// date the built clauses tell apart.
	embedded, err := EmbeddedIndex()
	if err != nil {
		t.Fatal(err)
	}
	scanned, err := NewIndex(hs, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, img := range images {
		for _, created := range []time.Time{{}, time.Date(2022, 6, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)} {
			want, wok := LookupAt(hs, img, created)
			got, gok := embedded.LookupAt(img, created)
			if d := cmp.Diff(want, got); wok != gok || d != "" {
				t.Errorf("EmbeddedIndex().LookupAt(%q, %v) = %v; want %v (-want +got):\n%s", img, created, gok, wok, d)
			}
			if d := cmp.Diff(scanned.Alternatives(img, created), embedded.Alternatives(img, created)); d != "" {
				t.Errorf("EmbeddedIndex().Alternatives(%q, %v) (-want +got):\n%s", img, created, d)
			}
		}
		want, wok := Lookup(entries, img)
		got, gok := x.Lookup(img)
		if wok != gok || want.Name != got.Name {
			t.Errorf("Index.Lookup(%q) = %q, %v; want %q, %v", img, got.Name, gok, want.Name, wok)
		}
		if w, g := ClassOf(entries, mappings, img), x.ClassOf(img); w != g {
			t.Errorf("Index.ClassOf(%q) = %q, want %q", img, g, w)
		}
	}
}

func TestAlternatives(t *testing.T) {
	x, err := NewIndex(mustHealthchecks(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	names := func(hs []Healthcheck) []string {
		var out []string
		for _, h := range hs {
			out = append(out, h.Name)
		}
		return out
	}
	tests := []struct {
		image string
		want  []string
	}{
		// The picked entry first, then the family's other variants.
		{"nginx:1.27", []string{"nginx", "nginx-alpine-slim", "nginx-legacy-alpine", "nginx-legacy"}},
		{"nginx:1.13-alpine", []string{"nginx-legacy-alpine", "nginx-alpine-slim", "nginx-legacy", "nginx"}},
		// No-fix entries never appear; the older loki's wget check does.
		{"grafana/loki:3.6.0", []string{"loki"}},
		{"acme/api:1", nil},
	}
	for _, tt := range tests {
		if d := cmp.Diff(tt.want, names(x.Alternatives(tt.image, time.Time{}))); d != "" {
			t.Errorf("Alternatives(%q) (-want +got):\n%s", tt.image, d)
		}
	}
}

// TestIndexRenderAgrees checks that Index.Render, which parses each
// template once, renders as Healthcheck.Render for every embedded entry,
// twice (the second from the parsed templates), for services that leave
// the parameters empty and that set them, and keeps one template per
// entry and element it could not substitute.
func TestIndexRenderAgrees(t *testing.T) {
	hs := mustHealthchecks(t)
	x, err := NewIndex(hs, nil)
	if err != nil {
		t.Fatal(err)
	}
	services := []Service{
		{},
		{Environment: map[string]string{"REDIS_PASSWORD": "it's", "PORT": "8080"}, Command: []string{"--port", "6380", "--requirepass", "s3cr3t"}, Ports: []string{"9000"}},
	}
	templates := map[testKey]bool{}
	exprs := map[string]bool{} // the Match expressions Render compiles
	for _, h := range hs {
		for _, s := range services {
			want, werr := h.Render(s)
			for range 2 {
				got, gerr := x.Render(h, s)
				if !cmp.Equal(got, want) || fmt.Sprint(gerr) != fmt.Sprint(werr) {
					t.Errorf("%s: Index.Render = %q, %v; want %q, %v", h.Name, got, gerr, want, werr)
				}
			}
			compile := func(expr string) (*regexp.Regexp, error) { exprs[expr] = true; return regexp.Compile(expr) }
			if values, err := h.paramValues(s, compile); err == nil && h.NoFix == "" {
				for _, elem := range h.Test[1:] {
					if _, ok := substitute(elem, values); !ok {
						templates[testKey{h.Name, elem}] = true
					}
				}
			}
		}
	}
	if len(templates) == 0 {
		t.Fatal("no entry needs a template: the test checks nothing")
	}
	if len(x.tests) != len(templates) {
		t.Errorf("the index parsed %d templates, want %d", len(x.tests), len(templates))
	}
	if len(exprs) == 0 {
		t.Fatal("no entry's parameter has a match expression: the test checks nothing")
	}
	if len(x.matches) != len(exprs) {
		t.Errorf("the index compiled %d match expressions, want %d", len(x.matches), len(exprs))
	}
	for expr := range exprs {
		if a, _ := x.compileMatch(expr); a != x.matches[expr].re {
			t.Errorf("compileMatch(%q) compiled it again", expr)
		}
	}
	if len(x.rendered.out) == 0 {
		t.Error("Index.Render kept no rendered test: every service renders its template again")
	}
}

// TestIndexRenderMemoBounded: the rendered tests an index keeps stop at
// maxRendered, however many distinct values a run meets, and a test
// rendered past that is still right.
func TestIndexRenderMemoBounded(t *testing.T) {
	hs := mustHealthchecks(t)
	x, err := NewIndex(hs, nil)
	if err != nil {
		t.Fatal(err)
	}
	h, ok := x.Lookup("redis:7")
	if !ok {
		t.Fatal("no entry for redis:7")
	}
	for i := range maxRendered + 10 {
		s := Service{Image: "redis:7", Command: []string{"redis-server", "--port", strconv.Itoa(1000 + i)}}
		got, err := x.Render(h, s)
		want, werr := h.Render(s)
		if !cmp.Equal(got, want) || fmt.Sprint(err) != fmt.Sprint(werr) {
			t.Fatalf("port %d: Index.Render = %q, %v; want %q, %v", 1000+i, got, err, want, werr)
		}
	}
	if n := len(x.rendered.out); n != maxRendered {
		t.Errorf("the index keeps %d rendered tests, want %d", n, maxRendered)
	}
}

// TestEmbeddedClausesParse: the embedded index parses clauses lazily and
// takes an entry whose clauses do not parse as matching nothing; the
// generated tables must therefore hold none such.
func TestEmbeddedClausesParse(t *testing.T) {
	hs, _ := Healthchecks()
	for i := range hs {
		var c entryClauses
		if err := c.parse(&hs[i]); err != nil {
			t.Error(err)
		}
	}
	// And a bad clause, built anyway, matches nothing rather than anything.
	// (An index as the embedded one is made: its clauses unparsed.)
	x := &Index{
		entries: []Healthcheck{{Name: "bad", Images: []string{"acme/bad"}, Versions: ">=x"}},
		clauses: make([]entryClauses, 1),
		repos:   repoIndex{{"acme/bad", []int{0}}},
	}
	if h, ok := x.Lookup("acme/bad:1"); ok {
		t.Errorf("an entry whose versions do not parse matched: %q", h.Name)
	}
	if _, err := NewIndex([]Healthcheck{{Name: "bad", Images: []string{"acme/bad"}, Versions: ">=x"}}, nil); err == nil {
		t.Error("NewIndex accepted a versions clause that does not parse")
	}
}
