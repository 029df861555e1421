package pipeline

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/composefix/composefix/fixers"
	"go.yaml.in/yaml/v3"
)

// TestEnvUsersReadContextFiles checks that a compose file of a .env's
// directory that was not given (a base beside a given override) is read
// as context for the .env fix, its images listed: docker compose reads the
// .env for it too. The run does not keep the trees of the first pass, so
// the .env fix reads such a file itself.
func TestEnvUsersReadContextFiles(t *testing.T) {
	dir := t.TempDir()
	for name, src := range map[string]string{
		"compose.yaml":          "services:\n  cache:\n    image: redis:${TAG}\n",
		"compose.override.yaml": "services:\n  cache:\n    restart: always\n",
		".env":                  "TAG=7.4.1\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	override := filepath.Join(dir, "compose.override.yaml")
	o := &Options{Fixers: fixers.DefaultConfig()}
	o.dirs = projectDirs(o, []string{override})
	o.envs = map[string]*envProject{dir: loadEnv(o, dir)}
	inputs := []input{{path: override}}
	given := map[string]bool{override: true}
	var refs []fixers.ImageRef
	for _, u := range envUsers(o, inputs, given, dir) {
		if u.path == filepath.Join(dir, "compose.yaml") {
			refs = u.refs
		}
	}
	if len(refs) != 1 || refs[0].EnvVar != "TAG" {
		t.Errorf("envUsers lists the base compose.yaml with images %+v, want redis:${TAG} read from TAG", refs)
	}
}

// TestEnvFindingsKeepConfiguredSeverity checks that a .env finding has the
// severity the configuration gives its rule (severity: in .composefix.yaml),
// as a compose file's finding of the same rule has: --check and the
// reports must not tell the two apart.
func TestEnvFindingsKeepConfiguredSeverity(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ".env"), []byte("TAG=7.4\nDB=16\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := fixers.DefaultConfig()
	cfg.Severity = map[string]fixers.Severity{"CF001": fixers.Error}
	e := loadEnv(&Options{Fixers: cfg}, dir)
	if e == nil || e.err != nil {
		t.Fatalf("loadEnv: %+v", e)
	}
	node := func(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: v} }
	choices := []envChoice{
		// TAG: one image, one new value: a fix.
		{ref: fixers.ImageRef{EnvVar: "TAG", Node: node("redis:${TAG}")}, shown: "compose.yaml", value: "7.4.1", ruleID: "CF001", message: "pin TAG"},
		// DB: two images that disagree: a finding without a fix.
		{ref: fixers.ImageRef{EnvVar: "DB", Node: node("postgres:${DB}")}, shown: "compose.yaml", value: "16.4", ruleID: "CF001", message: "pin DB"},
		{ref: fixers.ImageRef{EnvVar: "DB", Node: node("postgres:${DB}-alpine")}, shown: "compose.yaml", value: "16.3"},
	}
	res := fixEnv(e, choices)
	if len(res.Findings) != 2 {
		t.Fatalf("fixEnv made %d findings, want 2 (a fix for TAG, a disagreement for DB): %+v", len(res.Findings), res.Findings)
	}
	for _, f := range res.Findings {
		if f.Severity != fixers.Error {
			t.Errorf("finding %q has severity %v, want %v as configured for %s", f.Message, f.Severity, fixers.Error, f.RuleID)
		}
	}
}
