package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/composefix/composefix/internal/namedpipe"
)

// TestSideFilesThatArePipesDoNotBlock checks the files composefix reads
// beside the ones it is given: the .env of a project and the ignore files
// of git. A named pipe in their place used to block the run forever, with
// nothing written; it must neither block nor keep compose.yaml from being
// fixed.
func TestSideFilesThatArePipesDoNotBlock(t *testing.T) {
	for _, tc := range []struct {
		name     string
		compose  string
		fifo     string
		args     []string
		wantCode int
		wantErr  string // in stderr
	}{
		// An unreadable .env matters only to a file that interpolates.
		{".env", needsFix, ".env", []string{"-w", "compose.yaml"}, exitOK, ""},
		{".env of a file with variables", "services:\n  web:\n    image: nginx:${TAG:-1.27.3}\n", ".env", []string{"-w", "compose.yaml"}, exitError, ".env: cannot read a named pipe"},
		// An unreadable ignore file ignores nothing, as git does.
		{".gitignore", needsFix, ".gitignore", []string{"-w", "."}, exitOK, ""},
		{".git/info/exclude", needsFix, ".git/info/exclude", []string{"-w", "."}, exitOK, ""},
		// The base of an overlay: without it the overlay would be taken
		// for a file of its own and get defaults that replace the base's.
		{"base of an overlay", "", "compose.yaml", []string{"-w", "compose.prod.yaml"}, exitError, "compose.prod.yaml: not analysed: compose.yaml, merged before it, cannot be loaded"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{"compose.yaml": tc.compose, ".git/info/.keep": ""}
			if tc.compose == "" {
				files = map[string]string{"compose.prod.yaml": needsFix}
			}
			dir := writeFiles(t, files)
			if err := namedpipe.Make(filepath.Join(dir, tc.fifo)); err != nil {
				t.Skipf("cannot make a named pipe: %v", err)
			}
			t.Chdir(dir)
			t.Setenv("XDG_CACHE_HOME", t.TempDir())
			type result struct {
				errOut string
				code   int
			}
			done := make(chan result, 1)
			go func() {
				var out, errOut bytes.Buffer
				code := run(context.Background(), append([]string{"composefix", "--offline"}, tc.args...), strings.NewReader(""), &out, &errOut)
				done <- result{errOut.String(), code}
			}()
			select {
			case r := <-done:
				if r.code != tc.wantCode || !strings.Contains(r.errOut, tc.wantErr) {
					t.Errorf("exit %d, want %d and %q in stderr:\n%s", r.code, tc.wantCode, tc.wantErr, r.errOut)
				}
				if tc.compose == "" && readFile(t, filepath.Join(dir, "compose.prod.yaml")) != needsFix {
					t.Errorf("the overlay was written without its base")
				}
				if tc.wantCode == exitOK && !strings.Contains(readFile(t, filepath.Join(dir, "compose.yaml")), "restart:") {
					t.Errorf("compose.yaml was not fixed; stderr:\n%s", r.errOut)
				}
			case <-time.After(20 * time.Second):
				// Unblock the reader so that the test binary can end.
				if f, err := os.OpenFile(filepath.Join(dir, tc.fifo), os.O_WRONLY, 0); err == nil {
					f.Close()
				}
				t.Fatalf("composefix blocked on the named pipe %s", tc.fifo)
			}
		})
	}
}
