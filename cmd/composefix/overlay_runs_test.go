package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestOverlayRunningAnotherProgramGetsNoDefaultsInTheBase: a base is used
// alone and under each of its overlays (docker compose -f compose.yaml -f
// compose.prod.yaml). A healthcheck or restart policy chosen for what the
// base runs was written into it even where an overlay runs something else:
// prod's httpd got nginx's curl check (httpd has no curl), and prod's
// pg_dump job got restart: unless-stopped, which runs it again and again.
func TestOverlayRunningAnotherProgramGetsNoDefaultsInTheBase(t *testing.T) {
	for _, tc := range []struct {
		name, base, prod, want string
	}{
		{"another image", "services:\n  web:\n    image: nginx:1.27.3\n    restart: always\n",
			"services:\n  web:\n    image: httpd:2.4.62\n",
			`compose.yaml:2:3: warning: service "web" has no healthcheck and gets none: compose.prod.yaml, an overlay of this file, runs another image or command for it; add one by hand, here or in the overlay [CF101]`},
		{"a one-shot entrypoint", "services:\n  backup:\n    image: postgres:16.4\n",
			"services:\n  backup:\n    entrypoint: [\"pg_dump\", \"-h\", \"db\"]\n",
			`compose.yaml:2:3: warning: service "backup" has no restart policy; compose.prod.yaml, an overlay of this file, runs another image or command for it: set one by hand, here or in the overlay [CF201]`},
		// compose merges the overlay's healthcheck into the base's: the
		// timings of one added to the base would replace prod's defaults.
		{"a healthcheck of the overlay's own", "services:\n  db:\n    image: mysql:8.4.3\n    restart: always\n",
			"services:\n  db:\n    healthcheck:\n      test: [\"CMD\", \"mysqladmin\", \"ping\"]\n",
			`compose.yaml:2:3: warning: service "db" has no healthcheck and gets none: compose.prod.yaml, an overlay of this file, sets one, which one added here would change; add one by hand [CF101]`},
	} {
		for _, args := range [][]string{{"."}, {"compose.yaml"}} {
			t.Run(tc.name+" "+args[0], func(t *testing.T) {
				dir := writeFiles(t, map[string]string{"compose.yaml": tc.base, "compose.prod.yaml": tc.prod})
				_, errOut, code := runCLI(t, dir, "", append([]string{"--offline", "--select", "CF101,CF201", "-w"}, args...)...)
				if code != exitOK {
					t.Fatalf("exit %d; stderr:\n%s", code, errOut)
				}
				if got := readFile(t, filepath.Join(dir, "compose.yaml")); got != tc.base {
					t.Errorf("the base got defaults that do not fit its overlay:\n%s", got)
				}
				if !strings.Contains(errOut, tc.want) {
					t.Errorf("stderr lacks %q:\n%s", tc.want, errOut)
				}
			})
		}
	}
}
