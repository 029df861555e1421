package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestEnvUsersShareTheProjectsContext checks that a compose file read as
// context for a project (a base not given, beside its override) is the
// same document the .env fix reads: it used to be read and loaded a second
// time for each .env.
func TestEnvUsersShareTheProjectsContext(t *testing.T) {
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
	inputs := loadAll(context.Background(), []string{override})
	loader := newContextLoader(inputs)
	groups, errs := projects(loader, nil, nil, nil, inputs)
	if len(errs) > 0 || len(groups[override].docs) != 2 {
		t.Fatalf("projects = %+v, %v; want the base and the override", groups, errs)
	}
	base := groups[override].docs[0]
	found := false
	for _, in := range envUsers(&Options{}, loader, inputs, dir) {
		if in.path == filepath.Join(dir, "compose.yaml") {
			found = true
			if in.doc != base {
				t.Errorf("envUsers loaded %s again instead of using the project's document", in.path)
			}
		}
	}
	if !found {
		t.Errorf("envUsers did not list the base compose.yaml")
	}
}
