package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestEnvFileVotesOfFilesNotGiven: docker compose reads a directory's .env
// for every compose file there, whichever ones composefix is given (a
// pre-commit hook passes only the staged ones). Bumping a variable that
// another file of the directory uses for another image used to break that
// file: acme/api:7.4.3-alpine does not exist.
func TestEnvFileVotesOfFilesNotGiven(t *testing.T) {
	mirror, _, _ := updateRegistry(t)
	for _, tc := range []struct {
		name, other, want, stderr string
	}{
		{"another image", "services:\n  api:\n    image: acme/api:${TAG}\n", "TAG=7.4.1-alpine\n",
			`acme/api:${TAG} in compose.prod.yaml wants "7.4.1-alpine"); left as is [CF004]`},
		{"the same image", "services:\n  cache2:\n    image: redis:${TAG}\n", "TAG=7.4.3-alpine\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{
				"compose.yaml":      "services:\n  cache:\n    image: redis:${TAG}\n",
				"compose.prod.yaml": tc.other,
				".env":              "TAG=7.4.1-alpine\n",
			})
			_, errOut, code := runCLI(t, dir, "", append([]string{"update", "-w", "compose.yaml"}, mirror...)...)
			if code != exitOK {
				t.Fatalf("exit %d; stderr:\n%s", code, errOut)
			}
			if got := readFile(t, filepath.Join(dir, ".env")); got != tc.want {
				t.Errorf(".env = %q, want %q; stderr:\n%s", got, tc.want, errOut)
			}
			if !strings.Contains(errOut, tc.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tc.stderr, errOut)
			}
		})
	}
}
