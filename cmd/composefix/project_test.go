package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/sirupsen/logrus"
)

const (
	// overlayBase sets restart and logging for web and db.
	overlayBase = `services:
  web:
    image: nginx:1.27.3
    restart: always
    logging:
      driver: local
  db:
    image: postgres:16.4
    restart: always
    logging:
      driver: local
`
	// overlayProd is used as docker compose -f compose.yaml -f
	// compose.prod.yaml: it mentions web and db without defining them,
	// and defines worker.
	overlayProd = `services:
  web:
    environment:
      MODE: production
  db:
    command: postgres -c max_connections=200
  worker:
    image: busybox:1.37.0
    command: ["sleep", "infinity"]
`
)

// TestOverlayWriteKeepsBaseValues is issue 10's acceptance test: after
// --write, compose-go's merged model of the overlay project keeps the
// base's restart and logging values, whether the directory is given or
// the overlay alone (as pre-commit passes a staged file).
func TestOverlayWriteKeepsBaseValues(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"directory", []string{"--offline", "--write", "."}},
		{"directory with unsafe fixes", []string{"--offline", "--write", "--unsafe-fixes", "."}},
		{"overlay alone", []string{"--offline", "--write", "compose.prod.yaml"}},
		{"overlay alone with unsafe fixes", []string{"--offline", "--write", "--unsafe-fixes", "compose.prod.yaml"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"compose.yaml": overlayBase, "compose.prod.yaml": overlayProd})
			before := mergedServices(t, dir, "compose.yaml", "compose.prod.yaml")
			if _, errOut, code := runCLI(t, dir, "", tc.args...); code != exitOK {
				t.Fatalf("exit %d; stderr:\n%s", code, errOut)
			}
			after := mergedServices(t, dir, "compose.yaml", "compose.prod.yaml")
			for _, name := range []string{"web", "db"} {
				b, a := before[name], after[name]
				if a.Restart != b.Restart {
					t.Errorf("%s: merged restart = %q, want the base's %q", name, a.Restart, b.Restart)
				}
				if a.Logging == nil || b.Logging == nil || a.Logging.Driver != b.Logging.Driver || len(a.Logging.Options) != len(b.Logging.Options) {
					t.Errorf("%s: merged logging = %+v, want the base's %+v", name, a.Logging, b.Logging)
				}
			}
			// worker is the overlay's own service: its defaults go there.
			if w := after["worker"]; w.Restart == "" {
				t.Errorf("worker: no restart policy added in the overlay that defines it:\n%s", readFile(t, filepath.Join(dir, "compose.prod.yaml")))
			}
		})
	}
}

// mergedServices loads files of dir merged in order with compose-go, as
// `docker compose -f a -f b` does, and returns the services by name.
func mergedServices(t *testing.T, dir string, files ...string) map[string]types.ServiceConfig {
	t.Helper()
	logrus.SetOutput(io.Discard) // compose-go's warnings are noise here
	details := types.ConfigDetails{WorkingDir: dir, Environment: types.Mapping{}}
	for _, f := range files {
		src, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		details.ConfigFiles = append(details.ConfigFiles, types.ConfigFile{Filename: filepath.Join(dir, f), Content: src})
	}
	p, err := loader.LoadWithContext(context.Background(), details, func(o *loader.Options) {
		o.SetProjectName("overlay", true)
		o.SkipResolveEnvironment = true
		o.ResolvePaths = false
	})
	if err != nil {
		t.Fatalf("compose-go refuses %s: %v", strings.Join(files, " + "), err)
	}
	return p.Services
}

// TestConfigDeclaresProjects checks projects declared in .composefix.yaml:
// a compose.<name>.yaml declared as a project of its own is standalone
// (it gets its defaults), and files declared together are merged even
// when their names say nothing.
func TestConfigDeclaresProjects(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		".composefix.yaml":  "projects:\n  - [compose.test.yaml]\n  - [app.yml, deploy/prod.yml]\n",
		"compose.yaml":      overlayBase,
		"compose.test.yaml": "services:\n  web:\n    image: nginx:1.27.3\n",
		"app.yml":           "services:\n  api:\n    image: busybox:1.37.0\n    restart: always\n",
		"deploy/prod.yml":   "services:\n  api:\n    environment:\n      MODE: production\n",
	})
	_, errOut, code := runCLI(t, dir, "", "--offline", "--select", "CF201", ".", "app.yml", "deploy/prod.yml")
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, errOut)
	}
	if !strings.Contains(errOut, `compose.test.yaml:2:3: warning: service "web" has no restart policy`) {
		t.Errorf("the standalone compose.test.yaml is treated as an overlay:\n%s", errOut)
	}
	if strings.Contains(errOut, "prod.yml:2:3") {
		t.Errorf("deploy/prod.yml is analysed without app.yml, which defines api:\n%s", errOut)
	}
}

// TestOverlayWithUnreadableBase checks that an overlay whose base exists
// but cannot be loaded is not fixed: without the base, composefix cannot
// tell which services the overlay only adjusts, and a default added there
// would replace the base's value once the base is repaired.
func TestOverlayWithUnreadableBase(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"compose.yaml":      "services:\n  web: [\n",
		"compose.prod.yaml": overlayProd,
	})
	_, errOut, code := runCLI(t, dir, "", "--offline", "--write", "compose.prod.yaml")
	if code != exitError {
		t.Errorf("exit %d, want %d; stderr:\n%s", code, exitError, errOut)
	}
	if !strings.Contains(errOut, "compose.prod.yaml: not analysed: compose.yaml, merged before it, cannot be loaded") {
		t.Errorf("stderr does not name the base:\n%s", errOut)
	}
	if got := readFile(t, filepath.Join(dir, "compose.prod.yaml")); got != overlayProd {
		t.Errorf("the overlay was written:\n%s", got)
	}
}

// TestOverrideMakesAJob checks that the base is analysed as compose
// merges it with its override: an override giving a service a one-shot
// entrypoint makes the base's service a job (restart: "no").
func TestOverrideMakesAJob(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"compose.yaml":          "services:\n  backup:\n    image: postgres:16.4\n",
		"compose.override.yaml": "services:\n  backup:\n    entrypoint: [\"pg_dump\", \"-f\", \"/backup/db.sql\"]\n",
	})
	if _, errOut, code := runCLI(t, dir, "", "--offline", "--select", "CF201", "--write", "."); code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, errOut)
	}
	if got := readFile(t, filepath.Join(dir, "compose.yaml")); !strings.Contains(got, `restart: "no"`) {
		t.Errorf("compose.yaml:\n%s", got)
	}
}

// TestGitIgnoredOverrideIsNotContext checks that an override git ignores
// (a developer's local settings) is not read as context for its base: the
// base is analysed as a checkout sees it, so a laptop and CI agree.
func TestGitIgnoredOverrideIsNotContext(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		".git/HEAD":             "",
		".gitignore":            "compose.override.yaml\n",
		"compose.yaml":          "services:\n  web:\n    image: nginx:1.27.3\n",
		"compose.override.yaml": "services:\n  web:\n    restart: always\n",
	})
	for _, arg := range []string{".", "compose.yaml"} {
		_, errOut, code := runCLI(t, dir, "", "--offline", "--select", "CF201", arg)
		if code != exitOK {
			t.Fatalf("exit %d; stderr:\n%s", code, errOut)
		}
		if !strings.Contains(errOut, `compose.yaml:2:3: warning: service "web" has no restart policy`) {
			t.Errorf("%s: the git-ignored override hides the base's finding:\n%s", arg, errOut)
		}
	}
}

// TestOverlayOnStdin checks an editor's view of an overlay: the document
// on stdin stands for compose.prod.yaml, so the base beside it is context
// and no default lands in the overlay.
func TestOverlayOnStdin(t *testing.T) {
	dir := writeFiles(t, map[string]string{"compose.yaml": overlayBase})
	out, errOut, code := runCLI(t, dir, overlayProd, "--offline", "--select", "CF201,CF401", "--stdin-filename", "compose.prod.yaml", "-")
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, errOut)
	}
	_, svcs, _ := strings.Cut(out, "services:")
	before, after, ok := strings.Cut(svcs, "  worker:")
	if !ok || strings.Contains(before, "restart") || strings.Contains(before, "logging") || !strings.Contains(after, "restart: unless-stopped") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", out, errOut)
	}
}

// TestDeclaredProjectSpelling checks that a file is found in its declared
// project however it is spelt, so only files merged before it must load.
func TestDeclaredProjectSpelling(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		".composefix.yaml": "projects:\n  - [app.yml, prod.yml, missing.yml]\n",
		"app.yml":          "services:\n  api:\n    image: busybox:1.37.0\n    restart: always\n",
		"prod.yml":         "services:\n  api:\n    environment:\n      MODE: production\n",
	})
	_, errOut, code := runCLI(t, dir, "", "--offline", "--select", "CF201", "./prod.yml")
	if code != exitOK {
		t.Errorf("exit %d; stderr:\n%s", code, errOut)
	}
}
