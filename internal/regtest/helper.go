package regtest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// FailingCredentialHelper installs docker-credential-<name> on PATH for the
// test: it prints secret on its standard output, as a confused helper
// does, and exits 1. It returns a file the helper creates when it runs, so
// that a test can tell it really ran.
func FailingCredentialHelper(t testing.TB, name, secret string) string {
	t.Helper()
	bin := t.TempDir()
	ran := filepath.Join(t.TempDir(), "ran")
	script := fmt.Sprintf("#!/bin/sh\ntouch %q\necho '{\"ServerURL\":\"x\",\"Username\":\"ci\",\"Secret\":\"%s\"}'\nexit 1\n", ran, secret)
	if err := os.WriteFile(filepath.Join(bin, "docker-credential-"+name), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	return ran
}

// HelperConfig writes dir/config.json naming credential helper for host
// and points DOCKER_CONFIG at dir for the test.
func HelperConfig(t testing.TB, dir, host, helper string) {
	t.Helper()
	b, err := json.Marshal(map[string]any{"credHelpers": map[string]string{host: helper}})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DOCKER_CONFIG", dir)
}
