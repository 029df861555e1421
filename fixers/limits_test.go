package fixers

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/internal/golden"
	"github.com/google/go-cmp/cmp"
)

// TestGoldenUnsafe runs the golden cases of the unsafe rules' directories
// (CF3xx and the seed replays) again with unsafe fixes on, comparing with
// <case>.unsafe.golden.yaml and <case>.unsafe.findings; TestGolden covers
// the default run, where unsafe fixes are only shown. Each case also checks
// the promise (output loads, a second run changes nothing, no collateral
// lines, compose-go loads the output when it loads the input).
func TestGoldenUnsafe(t *testing.T) {
	root := filepath.Join(golden.RepoRoot(t), "testdata", "golden")
	var inputs []string
	for _, pattern := range []string{"CF3*/*.input.yaml", "seeds/*.input.yaml"} {
		m, err := filepath.Glob(filepath.Join(root, pattern))
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, m...)
	}
	if len(inputs) == 0 {
		t.Fatalf("no unsafe golden cases under %s", root)
	}
	sort.Strings(inputs)
	for _, in := range inputs {
		dir := filepath.Dir(in)
		name := strings.TrimSuffix(filepath.Base(in), ".input.yaml")
		t.Run(filepath.Base(dir)+"/"+name, func(t *testing.T) {
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			opts := Options{Rules: goldenRules(t, dir), UnsafeFixes: true, Config: seedConfig(name)}
			d, err := compose.Load(filepath.Base(in), src)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			res, err := Run(d, opts)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			golden.Check(t, filepath.Join(dir, name+".unsafe.golden.yaml"), res.Output)
			golden.Check(t, filepath.Join(dir, name+".unsafe.findings"), []byte(formatFindings(res.Findings)))
			checkPromise(t, filepath.Base(in), src, opts)
		})
	}
}

// seedConfig returns the configuration a seed replay runs with: the
// production audit gives app and ml-service more than the application
// class, which .composefix.yaml expresses per service.
func seedConfig(name string) *Config {
	cfg := DefaultConfig()
	if name == "compose-prod" {
		cfg.Limits.Services = map[string]ServiceResources{
			"app":        {ResourceLimits: ResourceLimits{CPUs: "2", Memory: "2G"}},
			"ml-service": {ResourceLimits: ResourceLimits{CPUs: "2", Memory: "4G"}},
		}
	}
	return cfg
}

// TestLimitsConfig checks the per-class, per-service and per-image overrides
// and the reservation cap.
func TestLimitsConfig(t *testing.T) {
	src := `services:
  db:
    image: postgres:16.4
  api:
    image: acme/api:1.4.2
  worker:
    image: registry.internal/team/worker:2.0
  small:
    image: redis:7.4.1
  off:
    image: redis:7.4.1
`
	cfg := DefaultConfig()
	cfg.Limits = LimitsConfig{
		Classes: map[string]ResourceLimits{
			"database": {Memory: "4G"},
			"batch":    {CPUs: "4", Memory: "8G", ReservationMemory: "2G"},
		},
		Services: map[string]ServiceResources{
			"api":   {Class: "database", ResourceLimits: ResourceLimits{CPUs: "3"}},
			"small": {ResourceLimits: ResourceLimits{Memory: "128M"}},
			"off":   {Disable: true},
		},
		Images: []ImageClassRule{{Pattern: "registry.internal/*", Class: "batch"}},
	}
	d, err := compose.Load("compose.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(d, Options{Rules: []*Rule{limitsRule()}, UnsafeFixes: true, Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	want := `services:
  db:
    image: postgres:16.4
    deploy:
      resources:
        limits:
          cpus: "2"
          memory: 4G
        reservations:
          memory: 1G
  api:
    image: acme/api:1.4.2
    deploy:
      resources:
        limits:
          cpus: "3"
          memory: 4G
        reservations:
          memory: 1G
  worker:
    image: registry.internal/team/worker:2.0
    deploy:
      resources:
        limits:
          cpus: "4"
          memory: 8G
        reservations:
          memory: 2G
  small:
    image: redis:7.4.1
    deploy:
      resources:
        limits:
          cpus: "1"
          memory: 128M
        reservations:
          memory: 128M
  off:
    image: redis:7.4.1
`
	if d := cmp.Diff(want, string(res.Output)); d != "" {
		t.Errorf("Run with limits overrides: output mismatch (-want +got):\n%s", d)
	}
}

// TestLimitsNotApplied checks that without opt-in the limits are shown but
// not written, and that enabling the rule alone applies them.
func TestLimitsNotApplied(t *testing.T) {
	src := "services:\n  db:\n    image: postgres:16.4\n"
	for _, tc := range []struct {
		name    string
		opts    Options
		applied bool
	}{
		{"default", Options{}, false},
		{"unsafe-fixes", Options{UnsafeFixes: true}, true},
		{"rule enabled", Options{UnsafeRules: map[string]bool{resourceLimitsID: true}}, true},
		{"other rule enabled", Options{UnsafeRules: map[string]bool{"CF501": true}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := compose.Load("compose.yaml", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			tc.opts.Rules = []*Rule{limitsRule()}
			res, err := Run(d, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Findings) != 1 {
				t.Fatalf("Run(%q) findings = %d, want 1", tc.name, len(res.Findings))
			}
			if got := res.Findings[0].Applied; got != tc.applied || res.Changed() != tc.applied {
				t.Errorf("Run(%q): applied = %v, changed = %v; want %v", tc.name, got, res.Changed(), tc.applied)
			}
		})
	}
}

// TestLimitsProject checks that limits set for a service in another file of
// the project are not added again.
func TestLimitsProject(t *testing.T) {
	base, err := compose.Load("compose.yaml", []byte("services:\n  db:\n    image: postgres:16.4\n    deploy:\n      resources:\n        limits:\n          memory: 1G\n  api:\n    image: acme/api:1.0.0\n"))
	if err != nil {
		t.Fatal(err)
	}
	override, err := compose.Load("compose.override.yaml", []byte("services:\n  db:\n    environment:\n      A: b\n  api:\n    mem_limit: 1g\n  cache:\n    image: redis:7.4.1\n"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(override, Options{Rules: []*Rule{limitsRule()}, UnsafeFixes: true, Project: []*compose.Document{base, override}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range res.Findings {
		got = append(got, f.Message)
	}
	want := []string{`service "cache" has no resource limits; expected cache limits (cpus "1", memory 512M, 256M reserved)`}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Run(override) findings mismatch (-want +got):\n%s", d)
	}
}
