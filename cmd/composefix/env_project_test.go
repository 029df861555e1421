package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEnvFileOfTheProjectDirectory: docker compose reads .env from the
// project directory, which for a -f list is the first file's directory
// (or --project-directory), not each file's own. A .env beside a later -f
// file is not read; a -f file elsewhere interpolates from the project's.
func TestEnvFileOfTheProjectDirectory(t *testing.T) {
	mirror, _, digests := updateRegistry(t)
	old, stale := digests["library/redis:7.4.1-alpine"], digests["library/redis:7.4.3-alpine"]
	files := map[string]string{
		"app/compose.yaml":  "services:\n  web:\n    image: nginx\n",
		"app/.env":          "TAG=7.4.1-alpine@" + stale + "\n",
		"deploy/cache.yaml": "services:\n  cache:\n    image: redis:${TAG}\n",
		"deploy/.env":       "TAG=6\n",
		"elsewhere/.env":    "TAG=7.4.1-alpine@" + stale + "\n",
	}
	for _, tc := range []struct {
		name    string
		args    []string
		changed string // the .env that gets the fresh digest
		config  string // .composefix.yaml
	}{
		{"first file's directory", []string{"-f", "app/compose.yaml", "-f", "deploy/cache.yaml"}, "app/.env", ""},
		{"--project-directory", []string{"--project-directory", "elsewhere", "-f", "app/compose.yaml", "-f", "deploy/cache.yaml"}, "elsewhere/.env", ""},
		{"a declared project", []string{"app/compose.yaml", "deploy/cache.yaml"}, "app/.env", "projects:\n  - [app/compose.yaml, deploy/cache.yaml]\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, files)
			if tc.config != "" {
				if err := os.WriteFile(filepath.Join(dir, ".composefix.yaml"), []byte(tc.config), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			args := append(append([]string{"-w", "--select", "CF002,CF003"}, tc.args...), mirror...)
			_, errOut, code := runCLI(t, dir, "", args...)
			if code != exitOK {
				t.Fatalf("exit %d; stderr:\n%s", code, errOut)
			}
			for name, src := range files {
				want := src
				if name == tc.changed {
					want = "TAG=7.4.1-alpine@" + old + "\n"
				}
				if got := readFile(t, filepath.Join(dir, name)); got != want {
					t.Errorf("%s = %q, want %q; stderr:\n%s", name, got, want, errOut)
				}
			}
			want := tc.changed + `:1:5: warning: image "redis:7.4.1-alpine@` + stale + `" pins digest ` + stale[:19] +
				`, but tag "7.4.1-alpine" now points at ` + old[:19] + ` (TAG in deploy/cache.yaml) [CF002] (fixed)`
			if !strings.Contains(errOut, want) {
				t.Errorf("stderr lacks %q:\n%s", want, errOut)
			}
			// Idempotent: the fresh digest is what the tag points at.
			_, errOut, code = runCLI(t, dir, "", append([]string{"--check", "--select", "CF002"}, append(tc.args, mirror...)...)...)
			if code != exitOK {
				t.Errorf("--check after -w: exit %d; stderr:\n%s", code, errOut)
			}
		})
	}
}

// TestEnvFileStaleDigest: CF002 refreshes a digest pinned in .env in the
// normal run, as CF001 pins a .env value, with the same diff and checks.
func TestEnvFileStaleDigest(t *testing.T) {
	mirror, _, digests := updateRegistry(t)
	old, stale := digests["library/redis:7.4.1-alpine"], digests["library/redis:7.4.3-alpine"]
	dir := writeFiles(t, map[string]string{
		"compose.yaml": "services:\n  cache:\n    image: redis:${TAG}\n",
		".env":         "# pinned\nTAG=\"7.4.1-alpine@" + stale + "\" # keep\n",
	})
	out, errOut, code := runCLI(t, dir, "", append([]string{"--select", "CF002"}, mirror...)...)
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, errOut)
	}
	if !strings.Contains(out, "--- a/.env\n+++ b/.env\n") || !strings.Contains(out, "+TAG=\"7.4.1-alpine@"+old+"\" # keep\n") {
		t.Errorf("diff lacks the .env change:\n%s", out)
	}
	if !strings.Contains(errOut, "[CF002]") {
		t.Errorf("stderr lacks a CF002 finding:\n%s", errOut)
	}
	// Under update, CF004 refreshes digests; CF002 stays out of its way.
	_, errOut, code = runCLI(t, dir, "", append([]string{"update"}, mirror...)...)
	if code != exitOK || strings.Contains(errOut, "[CF002]") {
		t.Errorf("update: exit %d; stderr:\n%s", code, errOut)
	}
}

// TestEnvFileValueNotEditable: a .env value composefix cannot rewrite in
// place is left as is, and the finding says why. The reason used to print
// as "<nil>": envfile.Set's errors wrapped nothing, and the pipeline
// printed what they wrapped.
func TestEnvFileValueNotEditable(t *testing.T) {
	mirror, _, digests := updateRegistry(t)
	stale := digests["library/redis:7.4.3-alpine"]
	env := "V=7.4.1-alpine@" + stale + "\nTAG=${V}\n"
	dir := writeFiles(t, map[string]string{
		"compose.yaml": "services:\n  cache:\n    image: redis:${TAG}\n",
		".env":         env,
	})
	_, errOut, code := runCLI(t, dir, "", append([]string{"-w", "--select", "CF002"}, mirror...)...)
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, errOut)
	}
	if got := readFile(t, filepath.Join(dir, ".env")); got != env {
		t.Errorf(".env = %q, want it unchanged", got)
	}
	if !strings.Contains(errOut, "; but variable TAG cannot be edited: its value is interpolated") || strings.Contains(errOut, "<nil>") {
		t.Errorf("stderr does not say why TAG is left:\n%s", errOut)
	}
}
