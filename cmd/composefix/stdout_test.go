package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

// fullWriter fails every write, as stdout does on a full disk.
type fullWriter struct{}

func (fullWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// TestProductWriteFailureExits2 checks that a product that could not be
// written to stdout is an error in every format: "composefix > fixes.patch"
// on a full disk must not exit 0 with half a patch.
func TestProductWriteFailureExits2(t *testing.T) {
	dir := writeFiles(t, map[string]string{"compose.yaml": needsFix})
	t.Chdir(dir)
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("GITHUB_STEP_SUMMARY", "")
	for _, format := range []string{"text", "json", "sarif", "github"} {
		var errOut bytes.Buffer
		code := run(context.Background(), []string{"composefix", "--offline", "--format", format, "compose.yaml"}, strings.NewReader(""), fullWriter{}, &errOut)
		if code != exitError || !strings.Contains(errOut.String(), "no space left on device") {
			t.Errorf("--format %s to a full stdout: exit %d, stderr %q; want exit %d naming the write error", format, code, errOut.String(), exitError)
		}
	}
}

// TestCommandWriteFailureExits2 checks the same for the commands whose
// product is text: rules, explain and version.
func TestCommandWriteFailureExits2(t *testing.T) {
	for _, args := range [][]string{{"rules"}, {"explain", "CF001"}, {"version"}} {
		var errOut bytes.Buffer
		code := run(context.Background(), append([]string{"composefix"}, args...), strings.NewReader(""), fullWriter{}, &errOut)
		if code != exitError || !strings.Contains(errOut.String(), "no space left on device") {
			t.Errorf("composefix %s to a full stdout: exit %d, stderr %q; want exit %d naming the write error", strings.Join(args, " "), code, errOut.String(), exitError)
		}
	}
}
