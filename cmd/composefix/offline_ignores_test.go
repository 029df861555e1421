package main

import (
	"strings"
	"testing"
)

// TestCLIOfflineKeepsIgnoresOfRegistryRules: offline with nothing cached,
// no registry rule can check an image, so CF900 must not call its ignore
// comment unused. Removing an ignore of CF006 (missing image) or CF005
// (platform not served) as told would make the next online run fail.
func TestCLIOfflineKeepsIgnoresOfRegistryRules(t *testing.T) {
	for _, tc := range []struct{ rule, service string }{
		{"CF006", "    image: acme/app:1.4.2 # composefix:ignore CF006 -- pushed by the release job\n"},
		{"CF005", "    image: acme/app:1.4.2\n    platform: linux/s390x # composefix:ignore CF005 -- built on the host\n"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			noDockerConfig(t)
			in := "services:\n  app:\n" + tc.service + "    restart: always\n"
			dir := writeFiles(t, map[string]string{"compose.yaml": in})
			_, errOut, code := runCLI(t, dir, "", "--select", "CF0,CF900", "--pin", "version+digest", "--offline", "--cache-dir", t.TempDir())
			if code != exitOK {
				t.Fatalf("exit %d, want 0; stderr:\n%s", code, errOut)
			}
			if strings.Contains(errOut, "CF900") {
				t.Errorf("offline run claims the ignore of %s is unused:\n%s", tc.rule, errOut)
			}
		})
	}
}
