package config

import (
	"testing"
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

func TestSeverityFor(t *testing.T) {
	f := parse(t, "severity:\n  all: info\n  CF5: error\n  CF50: warning\n  unresolved-image: error\n")
	for _, tt := range []struct{ id, name, want string }{
		{"CF201", "restart-policy", "info"},    // all
		{"CF510", "x", "error"},                // CF5 beats all
		{"CF503", "x", "warning"},              // CF50 beats CF5
		{"CF003", "unresolved-image", "error"}, // the name beats all
	} {
		if got := f.SeverityFor(tt.id, tt.name); got != tt.want {
			t.Errorf("SeverityFor(%q, %q) = %q, want %q", tt.id, tt.name, got, tt.want)
		}
	}
	if got := parse(t, "severity: {CF5: error}\n").SeverityFor("CF301", "x"); got != "" {
		t.Errorf("SeverityFor(CF301) with only CF5 = %q, want \"\"", got)
	}
	var none *File
	if got := none.SeverityFor("CF301", "x"); got != "" {
		t.Errorf("nil File SeverityFor = %q, want \"\"", got)
	}
}

func TestSeverityErrors(t *testing.T) {
	for src, want := range map[string]string{
		"severity: error\n":             `c.yaml:1:11: severity: found "error"; expected a mapping of rule IDs, ID prefixes or names to error, warning or info`,
		"severity:\n  CF003: fatal\n":   `c.yaml:2:10: severity.CF003: found "fatal"; expected "error", "warning" or "info"`,
		"severity:\n  \"a b\": error\n": `c.yaml:2:3: severity: found "a b"; expected a rule ID ("CF001"), an ID prefix ("CF1"), a rule name or "all"`,
	} {
		_, err := Parse("c.yaml", []byte(src))
		if err == nil || err.Error() != want {
			t.Errorf("Parse(%q) error = %v, want %s", src, err, want)
		}
	}
}
