package pipeline

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/composefix/composefix/fixers"
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
