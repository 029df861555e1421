package config

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMatchImage(t *testing.T) {
	tests := []struct {
		pattern, image string
		want           bool
	}{
		{"redis", "redis", true},
		{"redis", "redis:7.2", true},
		{"redis", "redis@sha256:abc", true},
		{"redis", "redis:7@sha256:abc", true},
		{"redis", "redis/redis-stack", false},
		{"redis", "bitnami/redis", false},
		{"redis:7*", "redis:7.2", true},
		{"redis:7*", "redis:6", false},
		{"acme/*", "acme/api:1.2", true},
		{"acme/*", "acme", false},
		{"acme/*", "acme/team/api", true}, // "/*" covers deeper paths
		{"acme/api*", "acme/api-gateway:2", true},
		{"acme/api*", "acme/apis/x", false},
		{"registry.internal/*", "registry.internal/team/app:1.2", true},
		{"registry.internal/*", "registry.internal:5000/app", false},
		{"registry.internal:5000/*", "registry.internal:5000/app:1", true},
		{"localhost:5000/app", "localhost:5000/app", true}, // the port is not a tag
		{"*", "redis", true},
		{"*", "library/redis", false}, // "*" stops at "/"
		{"docker.io/library/*", "docker.io/library/redis:7", true},
		{"docker.io/library/*", "redis:7", false}, // config does not normalise
		{"[", "redis", false},
		{"redis", "", false},
	}
	for _, tt := range tests {
		if got := MatchImage(tt.pattern, tt.image); got != tt.want {
			t.Errorf("MatchImage(%q, %q) = %t, want %t", tt.pattern, tt.image, got, tt.want)
		}
	}
}

func TestRuleRefMatches(t *testing.T) {
	tests := []struct {
		ref, id, name string
		want          bool
	}{
		{"CF001", "CF001", "pin-image", true},
		{"cf001", "CF001", "pin-image", true},
		{"pin-image", "CF001", "pin-image", true},
		{"CF0", "CF001", "pin-image", true},
		{"CF", "CF001", "pin-image", true},
		{"CF1", "CF001", "pin-image", false},
		{"CF0010", "CF001", "pin-image", false},
		{"all", "CF001", "pin-image", true},
		{"ALL", "CF001", "pin-image", true},
		{"pin", "CF001", "pin-image", false}, // names are not prefixes
		{"C", "CF001", "pin-image", false},
	}
	for _, tt := range tests {
		if got := (RuleRef{Name: tt.ref}).Matches(tt.id, tt.name); got != tt.want {
			t.Errorf("RuleRef{%q}.Matches(%q, %q) = %t, want %t", tt.ref, tt.id, tt.name, got, tt.want)
		}
	}
}

func parse(t *testing.T, src string) *File {
	t.Helper()
	f, err := Parse("c.yaml", []byte(src))
	if err != nil {
		t.Fatalf("Parse(%q) error: %v", src, err)
	}
	return f
}

func TestUnsafeFixesFor(t *testing.T) {
	f := parse(t, "unsafe_fixes:\n  all: true\n  CF3: false\n  CF30: true\n  port-binding: false\n")
	tests := []struct {
		id, name     string
		enabled, set bool
	}{
		{"CF501", "no-new-privileges", true, true}, // all
		{"CF310", "resource-limits", false, true},  // CF3 beats all
		{"CF301", "memory-limits", true, true},     // CF30 beats CF3
		{"CF502", "port-binding", false, true},     // the name beats all
	}
	for _, tt := range tests {
		enabled, set := f.UnsafeFixesFor(tt.id, tt.name)
		if enabled != tt.enabled || set != tt.set {
			t.Errorf("UnsafeFixesFor(%q, %q) = %t, %t, want %t, %t", tt.id, tt.name, enabled, set, tt.enabled, tt.set)
		}
	}

	only := parse(t, "unsafe_fixes: {CF5: true}\n")
	if enabled, set := only.UnsafeFixesFor("CF301", "x"); enabled || set {
		t.Errorf("UnsafeFixesFor(CF301) with only CF5 = %t, %t, want false, false", enabled, set)
	}
	all := parse(t, "unsafe_fixes: true\n")
	if enabled, set := all.UnsafeFixesFor("CF301", "x"); !enabled || !set {
		t.Errorf("UnsafeFixesFor(CF301) with unsafe_fixes: true = %t, %t, want true, true", enabled, set)
	}
	var none *File
	if enabled, set := none.UnsafeFixesFor("CF301", "x"); enabled || set {
		t.Errorf("nil File UnsafeFixesFor = %t, %t, want false, false", enabled, set)
	}
}

func TestIgnoresImage(t *testing.T) {
	f := parse(t, "ignore_images: [\"registry.internal/*\", acme/*, \"*-dev\"]\n")
	for image, want := range map[string]bool{
		"registry.internal/team/app:1": true,
		"acme/api":                     true,
		"app-dev:latest":               true,
		"redis:7":                      false,
		"ghcr.io/acme/api":             false,
	} {
		if got := f.IgnoresImage(image); got != want {
			t.Errorf("IgnoresImage(%q) = %t, want %t", image, got, want)
		}
	}
	var none *File
	if none.IgnoresImage("acme/api") {
		t.Errorf("nil File IgnoresImage = true, want false")
	}
}

func TestUpdatePolicyFor(t *testing.T) {
	f := parse(t, "update:\n  policy: patch\n  images:\n    postgres: minor\n    acme/*: major\n    acme/db: patch\n")
	tests := []struct {
		image string
		want  Policy
	}{
		{"postgres:16.4", PolicyMinor},
		{"acme/db:1", PolicyMajor}, // first match wins
		{"redis:7.4.1", PolicyPatch},
	}
	for _, tt := range tests {
		if got := f.Update.For(tt.image); got != tt.want {
			t.Errorf("Update.For(%q) = %q, want %q", tt.image, got, tt.want)
		}
	}
	if got := (UpdatePolicy{}).For("redis"); got != DefaultPolicy {
		t.Errorf("UpdatePolicy{}.For(redis) = %q, want %q", got, DefaultPolicy)
	}
}

func TestResources(t *testing.T) {
	f := parse(t, `resources:
  classes:
    database: {memory: 4g}
  services:
    api: {class: database, cpus: "3"}
    batch: {disable: true}
  images:
    acme/pg*: database
    acme/*: application
`)
	r := f.Resources
	classes := []struct {
		service, image, want string
		ok                   bool
	}{
		{"api", "node:22", "database", true},
		{"db", "acme/pg16", "database", true},
		{"web", "acme/web", "application", true},
		{"cache", "redis:7", "", false},
	}
	for _, tt := range classes {
		got, ok := r.ClassFor(tt.service, tt.image)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ClassFor(%q, %q) = %q, %t, want %q, %t", tt.service, tt.image, got, ok, tt.want, tt.ok)
		}
	}

	base := Limits{CPUs: "2", Memory: "2g", ReservationMemory: "1g"}
	limits := []struct {
		service, class string
		want           Limits
		disabled       bool
	}{
		{"api", "database", Limits{CPUs: "3", Memory: "4g", ReservationMemory: "1g"}, false},
		{"db", "database", Limits{CPUs: "2", Memory: "4g", ReservationMemory: "1g"}, false},
		{"web", "application", base, false},
		{"batch", "application", base, true},
	}
	for _, tt := range limits {
		got, disabled := r.LimitsFor(tt.service, tt.class, base)
		if d := cmp.Diff(tt.want, got); d != "" || disabled != tt.disabled {
			t.Errorf("LimitsFor(%q, %q) disabled = %t, want %t; limits (-want +got):\n%s", tt.service, tt.class, disabled, tt.disabled, d)
		}
	}
}

func TestHealthcheckFor(t *testing.T) {
	f := parse(t, `healthchecks:
  - image: acme/*
    test: [CMD, /bin/check]
  - service: api
    test: [CMD, /bin/api-check]
  - image: acme/migrate
    disable: true
`)
	tests := []struct {
		service, image string
		wantLine       int // of the entry; 0 for none
	}{
		{"api", "acme/api", 4}, // the service entry beats an earlier image entry
		{"web", "acme/web", 2},
		{"migrate", "acme/migrate", 2}, // first image match wins
		{"built", "", 0},
		{"cache", "redis", 0},
	}
	for _, tt := range tests {
		h, ok := f.HealthcheckFor(tt.service, tt.image)
		if ok != (tt.wantLine != 0) || h.Line != tt.wantLine {
			t.Errorf("HealthcheckFor(%q, %q) = line %d, %t, want line %d", tt.service, tt.image, h.Line, ok, tt.wantLine)
		}
	}
	var none *File
	if _, ok := none.HealthcheckFor("api", "acme/api"); ok {
		t.Errorf("nil File HealthcheckFor = ok, want none")
	}
}
