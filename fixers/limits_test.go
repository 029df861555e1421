package fixers

import (
	"testing"

	"github.com/composefix/composefix/compose"
	"github.com/google/go-cmp/cmp"
)

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
