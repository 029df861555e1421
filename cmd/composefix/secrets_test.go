package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/composefix/composefix/internal/regtest"

	"github.com/google/go-containerregistry/pkg/authn"
)

// TestCredentialHelperSecretNeverPrinted: a Docker credential helper that
// prints its secret and exits 1 once had the secret copied into CF003 in
// every output format (issue 9). Every format, the update summary and the
// cache must be free of it, while the failure itself is still reported.
func TestCredentialHelperSecretNeverPrinted(t *testing.T) {
	const secret = "cli-helper-S3cret-b71f"
	host, _ := memRegistry(t)
	pushFamilies(t, host, authn.Anonymous, cliFamilies)
	ran := regtest.FailingCredentialHelper(t, "xyz", secret)
	regtest.HelperConfig(t, t.TempDir(), host, "xyz")
	in := "services:\n  cache:\n    image: redis:7-alpine\n  proxy:\n    image: traefik:v3.2.2\n"
	cache := t.TempDir()
	mirror := []string{"--registry-mirror", "docker.io=http://" + host, "--cache-dir", cache}

	for _, format := range []string{"text", "json", "sarif", "github"} {
		t.Run(format, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"compose.yaml": in})
			out, errOut, code := runCLI(t, dir, "", append([]string{"--select", "CF0", "--format", format}, mirror...)...)
			if code != exitError {
				t.Errorf("exit %d, want 2 for refused credentials; stderr:\n%s", code, errOut)
			}
			if !strings.Contains(out+errOut, "looking up credentials for "+host) {
				t.Errorf("the credential failure is not reported:\nstdout:\n%s\nstderr:\n%s", out, errOut)
			}
			if strings.Contains(out+errOut, secret) {
				t.Errorf("--format %s prints the helper's secret:\nstdout:\n%s\nstderr:\n%s", format, out, errOut)
			}
		})
	}
	t.Run("update summary", func(t *testing.T) {
		dir := writeFiles(t, map[string]string{"compose.yaml": in})
		summary := filepath.Join(t.TempDir(), "summary.md")
		out, errOut, code := runCLI(t, dir, "", append([]string{"update", "--summary", summary}, mirror...)...)
		if code != exitError {
			t.Errorf("update: exit %d, want 2; stderr:\n%s", code, errOut)
		}
		b, err := os.ReadFile(summary)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(out+errOut+string(b), secret) {
			t.Errorf("update prints the helper's secret:\nstdout:\n%s\nstderr:\n%s\nsummary:\n%s", out, errOut, b)
		}
	})
	if _, err := os.Stat(ran); err != nil {
		t.Fatalf("the credential helper never ran: %v", err)
	}
	assertNoSecret(t, secret, "", cache)
}
