package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/composefix/composefix/config"
	"github.com/composefix/composefix/fixers"
	"github.com/google/go-cmp/cmp"
)

// Tests of applyHealthConfig and applyLimitsConfig: the healthchecks and
// resources sections of .composefix.yaml mapped onto fixers.Config.

func TestApplyHealthAndLimitsConfig(t *testing.T) {
	src := `healthchecks:
  - image: registry.internal/*
    test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/healthz"]
    interval: 15s
  - service: cache
    disable: true
resources:
  classes:
    database: {memory: 4G}
    batch: {cpus: 4, memory: 8G}
  services:
    api: {class: batch, cpus: "3"}
    off: {disable: true}
  images:
    registry.internal/*: batch
`
	cfg, err := config.Parse(".composefix.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	fc := fixers.DefaultConfig()
	if err := applyHealthConfig(fc, cfg); err != nil {
		t.Fatalf("applyHealthConfig: %v", err)
	}
	if err := applyLimitsConfig(fc, cfg); err != nil {
		t.Fatalf("applyLimitsConfig: %v", err)
	}
	wantHealth := fixers.HealthConfig{Healthchecks: []fixers.HealthOverride{
		{Image: "registry.internal/*", Test: []string{"CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/healthz"}, Interval: "15s"},
		{Service: "cache", Disable: true},
	}}
	if d := cmp.Diff(wantHealth, fc.Health); d != "" {
		t.Errorf("applyHealthConfig mismatch (-want +got):\n%s", d)
	}
	wantLimits := fixers.LimitsConfig{
		Classes: map[string]fixers.ResourceLimits{"database": {Memory: "4G"}, "batch": {CPUs: "4", Memory: "8G"}},
		Services: map[string]fixers.ServiceResources{
			"api": {Class: "batch", ResourceLimits: fixers.ResourceLimits{CPUs: "3"}},
			"off": {Disable: true},
		},
		Images: []fixers.ImageClassRule{{Pattern: "registry.internal/*", Class: "batch"}},
	}
	if d := cmp.Diff(wantLimits, fc.Limits); d != "" {
		t.Errorf("applyLimitsConfig mismatch (-want +got):\n%s", d)
	}
}

func TestApplyLimitsConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
	}{
		{"service class", "resources:\n  services:\n    api:\n      class: databse\n", `.composefix.yaml:4:7: unknown resource class "databse" for service "api"`},
		{"image class", "resources:\n  images:\n    acme/*: cache\n    redis: kache\n", `.composefix.yaml:4:12: unknown resource class "kache" for images "redis"`},
		{"incomplete new class", "resources:\n  classes:\n    batch:\n      memory: 8G\n", `.composefix.yaml:3:5: resource class "batch" is not built in`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := config.Parse(".composefix.yaml", []byte(tc.src))
			if err != nil {
				t.Fatal(err)
			}
			err = applyLimitsConfig(fixers.DefaultConfig(), cfg)
			var ue *usageError
			if !errors.As(err, &ue) || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("applyLimitsConfig(%q) = %v, want a usage error starting %q", tc.src, err, tc.want)
			}
		})
	}
}
