package fixers

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/fixers/kb"
	"github.com/composefix/composefix/internal/golden"
	"github.com/google/go-cmp/cmp"
	"github.com/sirupsen/logrus"
)

// TestKnowledgeBaseGoldens checks that every knowledge-base entry is
// exercised by a golden case: some service in testdata/golden/CF101 has an
// image the entry is chosen for.
func TestKnowledgeBaseGoldens(t *testing.T) {
	entries, err := kb.Healthchecks()
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) == 0 {
		t.Fatal("the knowledge base holds no healthcheck: nothing to cover")
	}
	inputs, err := filepath.Glob(filepath.Join(golden.RepoRoot(t), "testdata", "golden", "CF101", "*.input.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]bool{}
	for _, in := range inputs {
		src, err := os.ReadFile(in)
		if err != nil {
			t.Fatal(err)
		}
		d, err := compose.Load(in, src)
		if err != nil {
			t.Fatalf("Load(%s): %v", in, err)
		}
		for _, s := range services(d) {
			if e, ok := kb.Lookup(entries, imageOf(s)); ok {
				covered[e.Name] = true
			}
		}
	}
	for _, e := range entries {
		if e.Built != "" && e.Tags == "" && e.Versions == "" {
			continue // applies only by an image's date from facts, which goldens lack: TestMariaDBCheckByCreated
		}
		if !covered[e.Name] {
			t.Errorf("knowledge-base entry %q (images %q, tags %q) has no golden case in testdata/golden/CF101", e.Name, e.Images, e.Tags)
		}
	}
}

// runRules runs rules over src and returns the output.
func runRules(t *testing.T, src string, opts Options) *Result {
	t.Helper()
	d, err := compose.Load("compose.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(d, opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return res
}

func TestHealthConfig(t *testing.T) {
	src := `services:
  api:
    image: registry.internal/team/api:1.4.2
  worker:
    image: registry.internal/team/worker:1.4.2
  db:
    image: postgres:16.4
  cache:
    image: redis:7.4.1
`
	cfg := DefaultConfig()
	cfg.Health.Healthchecks = []HealthOverride{
		{Image: "registry.internal/*", Test: []string{"CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/healthz"}, Interval: "15s"},
		{Service: "worker", Test: []string{"CMD-SHELL", "test -f /tmp/alive"}, Retries: 2},
		{Image: "postgres", Test: []string{"CMD", "pg_isready"}, Timeout: "3s"},
		{Service: "cache", Disable: true},
	}
	res := runRules(t, src, Options{Rules: []*Rule{healthcheckRule()}, Config: cfg})
	want := `services:
  api:
    image: registry.internal/team/api:1.4.2
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/healthz"]
      interval: 15s
  worker:
    image: registry.internal/team/worker:1.4.2
    healthcheck:
      test: ["CMD-SHELL", "test -f /tmp/alive"]
      retries: 2
  db:
    image: postgres:16.4
    healthcheck:
      test: ["CMD", "pg_isready"]
      interval: 10s
      timeout: 3s
      retries: 5
      start_period: 30s
  cache:
    image: redis:7.4.1
`
	if d := cmp.Diff(want, string(res.Output)); d != "" {
		t.Errorf("Run with healthcheck overrides: output mismatch (-want +got):\n%s", d)
	}
	if len(res.Findings) != 3 {
		t.Errorf("Run with healthcheck overrides: %d findings, want 3 (cache is turned off)", len(res.Findings))
	}
}

// TestHealthProject checks multi-file awareness: a healthcheck set in the
// base file is not added in the override, a dependency defined in the base
// is not undefined, and its healthcheck there counts for the condition.
func TestHealthProject(t *testing.T) {
	base, err := compose.Load("compose.yaml", []byte(`services:
  db:
    image: postgres:16.4
    healthcheck:
      test: ["CMD-SHELL", "pg_isready"]
  cache:
    image: redis:7.4.1
`))
	if err != nil {
		t.Fatal(err)
	}
	src := `services:
  db:
    environment:
      POSTGRES_USER: app
  api:
    image: acme/api:1.4.2
    depends_on: [db, cache]
`
	override, err := compose.Load("compose.override.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(override, Options{Rules: healthRules(), Project: []*compose.Document{base, override}})
	if err != nil {
		t.Fatal(err)
	}
	want := `services:
  db:
    environment:
      POSTGRES_USER: app
  api:
    image: acme/api:1.4.2
    depends_on: {db: {condition: service_healthy}, cache: {condition: service_started}}
`
	if d := cmp.Diff(want, string(res.Output)); d != "" {
		t.Errorf("Run(override): output mismatch (-want +got):\n%s", d)
	}
	for _, f := range res.Findings {
		if f.RuleID == undefinedServiceID {
			t.Errorf("Run(override): unexpected finding %q", f.Message)
		}
	}
}

// TestDependsOnAlone checks that depends_on never asks for service_healthy
// of a service without a healthcheck: run without the healthcheck rule, a
// dependency that would get one waits for start. That condition is then
// written, so a later run with every rule keeps it.
func TestDependsOnAlone(t *testing.T) {
	src := `services:
  api:
    image: acme/api:1.4.2
    depends_on: [db, migrate]
  db:
    image: postgres:16.4
  migrate:
    image: acme/api:1.4.2
`
	res := runRules(t, src, Options{Rules: []*Rule{dependsOnRule()}})
	want := strings.Replace(src, "[db, migrate]", "{db: {condition: service_started}, migrate: {condition: service_completed_successfully}}", 1)
	if d := cmp.Diff(want, string(res.Output)); d != "" {
		t.Errorf("Run(depends_on alone): output mismatch (-want +got):\n%s", d)
	}
	again := runRules(t, string(res.Output), Options{Rules: healthRules()})
	if !strings.Contains(string(again.Output), "db: {condition: service_started}") || !strings.Contains(string(again.Output), "pg_isready") {
		t.Errorf("Run(all health rules) on the result changed the written condition of db or added no healthcheck:\n%s", again.Output)
	}
}

func TestMatchImagePattern(t *testing.T) {
	for _, tc := range []struct {
		pattern, image string
		want           bool
	}{
		{"redis", "redis:7.4.1", true},
		{"redis", "docker.io/library/redis:7.4.1", true},
		{"redis:7*", "redis:7.4.1", true},
		{"redis:6*", "redis:7.4.1", false},
		{"acme/*", "acme/api:1.0", true},
		{"acme/*", "acme/team/api:1.0", true}, // "/*" covers everything below, as in config.MatchImage
		{"acme/*", "other/api:1.0", false},
		{"registry.internal/*", "registry.internal/team/app:1.2", true},
		{"registry.internal:5000/*", "registry.internal:5000/app@sha256:abc", true},
		{"postgres", "postgis/postgis:16", false},
	} {
		if got := matchImagePattern(tc.pattern, tc.image); got != tc.want {
			t.Errorf("matchImagePattern(%q, %q) = %v, want %v", tc.pattern, tc.image, got, tc.want)
		}
	}
}

func TestKBService(t *testing.T) {
	src := `services:
  a:
    image: redis:7.4.1
    command: redis-server --port 6380 --requirepass "two words"
    environment:
      - A=1
      - EMPTY
    ports:
      - "127.0.0.1:8080:80/tcp"
      - target: 443
        published: 8443
    expose:
      - "9000"
  b:
    image: postgres:16.4
    command: ["postgres", "-c", "port=5433"]
    environment:
      POSTGRES_USER: app
      UNSET:
`
	d, err := compose.Load("compose.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	ss := services(d)
	want := []kb.Service{
		{Image: "redis:7.4.1", Environment: map[string]string{"A": "1"}, Command: []string{"redis-server", "--port", "6380", "--requirepass", "two words"}, Ports: []string{"80", "443", "9000"}},
		{Image: "postgres:16.4", Environment: map[string]string{"POSTGRES_USER": "app"}, Command: []string{"postgres", "-c", "port=5433"}},
	}
	for i, s := range ss {
		if got := kbService(s, imageOf(s)); !cmp.Equal(got, want[i]) {
			t.Errorf("kbService(%s) mismatch (-want +got):\n%s", s.Name, cmp.Diff(want[i], got))
		}
	}
}

// TestCorpusUnsafe runs every rule over the corpus with the resource limits
// applied and checks the promise (TestCorpus runs the default, safe-only,
// set). Other families' unsafe fixes stay off so that a failure here is
// this family's.
func TestCorpusUnsafe(t *testing.T) {
	if testing.Short() {
		t.Skip("corpus run skipped in -short mode")
	}
	files := golden.CorpusFiles(t)
	logrus.SetOutput(io.Discard)
	opts := Options{Rules: Rules(), UnsafeRules: map[string]bool{resourceLimitsID: true}}
	var total corpusTotals
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			total.add(checkPromise(t, path, src, opts))
		})
	}
	t.Logf("corpus with resource limits: %d files, %d changed, %d fixes applied, %d changed lines, %d collateral lines",
		total.files, total.changed, total.fixes, total.lines, total.collateral)
	total.checkProbed(t)
	if total.byRule[resourceLimitsID] == 0 {
		t.Errorf("no fix of %s applied on the corpus: the run checks nothing of it", resourceLimitsID)
	}
}

// A condition waiting for a healthcheck that CF101 adds in the same run
// lands in the same pass as that healthcheck, or not at all: never
// service_healthy for a service left without one.
func TestDependsOnNeedsTheHealthcheck(t *testing.T) {
	src := `services:
  api:
    image: acme/api:1.4.2
    depends_on: [db]
  web:
    image: acme/web:1.0.0
    depends_on:
      db:
  db:%s
    image: postgres:16.4
`
	unsafeHC := healthcheckRule()
	unsafeHC.Safety = Unsafe
	tests := []struct {
		name    string
		comment string // on db's key line
		rules   []*Rule
		unsafe  bool
		healthy bool // both conditions and the healthcheck land
	}{
		{name: "with the healthcheck, in one pass", rules: healthRules(), healthy: true},
		{name: "healthcheck suppressed", comment: " # composefix:ignore CF101", rules: healthRules()},
		{name: "healthcheck not opted in", rules: []*Rule{unsafeHC, dependsOnRule()}},
		{name: "healthcheck opted in", rules: []*Rule{unsafeHC, dependsOnRule()}, unsafe: true, healthy: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := fmt.Sprintf(src, tt.comment)
			res := runRules(t, in, Options{Rules: tt.rules, UnsafeFixes: tt.unsafe})
			out := string(res.Output)
			if got := strings.Count(out, "service_healthy"); tt.healthy && got != 2 || !tt.healthy && got != 0 {
				t.Errorf("service_healthy written %d times, want it twice only with the healthcheck:\n%s", got, out)
			}
			if got := strings.Contains(out, "pg_isready"); got != tt.healthy {
				t.Errorf("healthcheck added: %v, want %v:\n%s", got, tt.healthy, out)
			}
			if want := map[bool]int{true: 1, false: 0}[tt.healthy]; res.Passes != want {
				t.Errorf("Passes = %d, want %d", res.Passes, want)
			}
			for _, f := range res.Findings {
				if f.RuleID == dependsOnID && f.Applied != tt.healthy || f.RuleID == dependsOnID && !tt.healthy && f.Fix != nil {
					t.Errorf("%s %q: applied %v, fix %v; want applied %v and, unapplied, no fix to offer", f.RuleID, f.Message, f.Applied, f.Fix, tt.healthy)
				}
			}
		})
	}
}

// TestQuietPlansStayInTheirPass: a pass that only looks for fixes makes
// healthcheck plans without reasons (healthCtx.noFix). An analysis of the
// same document that reports every finding, sharing the run memo, must not
// read those plans: its finding would lose the reason why there is no fix.
func TestQuietPlansStayInTheirPass(t *testing.T) {
	d := mustLoad(t, "compose.yaml", "services:\n  app:\n    image: acme/app:1.2.3\n")
	opts, err := withDefaults(Options{Rules: []*Rule{healthcheckRule()}})
	if err != nil {
		t.Fatal(err)
	}
	opts.schema = &schemaMemo{}
	opts.memo = newRunMemo()
	quiet := opts
	quiet.fixing = true
	if fs, err := analyze(d, quiet); err != nil || len(fs) != 0 {
		t.Fatalf("analyze(fixing) = %v, %v; want no finding (none has a fix)", fs, err)
	}
	fs, err := analyze(d, opts)
	if err != nil {
		t.Fatal(err)
	}
	want := `service "app" has no healthcheck and gets none: the knowledge base has no healthcheck for image "acme/app:1.2.3"; add one by hand or in .composefix.yaml`
	if len(fs) != 1 || fs[0].Message != want {
		t.Fatalf("analyze after a fixing pass = %v, want one finding %q", fs, want)
	}
}
