package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/composefix/composefix/internal/e2e"
	"go.yaml.in/yaml/v3"
)

// actionSteps returns action.yml's steps.
func actionSteps(t *testing.T) []actionStep {
	t.Helper()
	var action struct {
		Runs struct{ Steps []actionStep }
	}
	if err := yaml.Unmarshal(repoFile(t, "action.yml"), &action); err != nil {
		t.Fatalf("parsing action.yml: %v", err)
	}
	return action.Runs.Steps
}

// runStep runs one step's script with bash as the runner would: env holds
// the step's env (inputs already substituted) and the runner's variables;
// it returns what the step wrote to GITHUB_OUTPUT and GITHUB_PATH, its
// stdout and its exit code.
func runStep(t *testing.T, step actionStep, env map[string]string) (outputs, path, stdout string, code int) {
	t.Helper()
	bash := e2e.Tool(t, "bash", "apt-get install -y bash")
	dir := t.TempDir()
	outFile, pathFile := filepath.Join(dir, "output"), filepath.Join(dir, "path")
	cmd := exec.Command(bash, "--noprofile", "--norc", "-eo", "pipefail", "-c", step.Run)
	cmd.Env = append(os.Environ(), "GITHUB_OUTPUT="+outFile, "GITHUB_PATH="+pathFile, "RUNNER_TEMP="+dir)
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	o, _ := os.ReadFile(outFile)
	p, _ := os.ReadFile(pathFile)
	return string(o), string(p), out.String(), code
}

// releaseArchive is a tar.gz holding a composefix "binary" (a script).
func releaseArchive(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	body := []byte("#!/bin/sh\necho composefix from the release\n")
	if err := tw.WriteHeader(&tar.Header{Name: "composefix", Mode: 0o755, Size: int64(len(body))}); err != nil {
		t.Fatal(err)
	}
	tw.Write(body)
	tw.Close()
	gz.Close()
	return buf.Bytes()
}

// TestActionDownloadsTheReleaseBinary runs the action's download step
// against a release served on 127.0.0.1: the archive for the runner is
// fetched, checked against checksums.txt and put on the PATH; a wrong
// checksum fails the step; a release without a binary, or a ref that is
// not a release, leaves the build to the next steps.
func TestActionDownloadsTheReleaseBinary(t *testing.T) {
	for tool, pkg := range map[string]string{"curl": "curl", "tar": "tar", "awk": "gawk", "sha256sum": "coreutils"} {
		e2e.Tool(t, tool, "apt-get install -y "+pkg)
	}
	var download actionStep
	for _, s := range actionSteps(t) {
		if s.ID == "download" {
			download = s
		}
	}
	archive := releaseArchive(t)
	sum := fmt.Sprintf("%x", sha256.Sum256(archive))
	const asset = "composefix_1.2.3_linux_arm64.tar.gz"
	checksums := map[string]string{
		"v1.2.3": sum + "  " + asset + "\n" + strings.Repeat("0", 64) + "  composefix_1.2.3_linux_amd64.tar.gz\n",
		"v6.6.6": strings.Repeat("0", 64) + "  " + asset + "\n",
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tag, name, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		switch {
		case name == "checksums.txt" && checksums[tag] != "":
			fmt.Fprint(w, checksums[tag])
		case (tag == "v1.2.3" || tag == "v6.6.6") && name == strings.Replace(asset, "1.2.3", strings.TrimPrefix(tag, "v"), 1):
			w.Write(archive)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	runner := map[string]string{"RUNNER_OS": "Linux", "RUNNER_ARCH": "ARM64", "COMPOSEFIX_RELEASE_URL": srv.URL}
	with := func(kv ...string) map[string]string {
		env := map[string]string{}
		for k, v := range runner {
			env[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			env[kv[i]] = kv[i+1]
		}
		return env
	}

	t.Run("the action's own release tag", func(t *testing.T) {
		outputs, path, log, code := runStep(t, download, with("VERSION", "", "ACTION_REF", "v1.2.3"))
		if code != 0 || !strings.Contains(outputs, "installed=true") {
			t.Fatalf("exit %d, outputs %q; log:\n%s", code, outputs, log)
		}
		bin := filepath.Join(strings.TrimSpace(path), "composefix")
		got, err := exec.Command(bin).Output()
		if err != nil || string(got) != "composefix from the release\n" {
			t.Errorf("running %s: %q, %v", bin, got, err)
		}
	})
	t.Run("a checksum mismatch fails", func(t *testing.T) {
		outputs, path, log, code := runStep(t, download, with("VERSION", "v6.6.6", "ACTION_REF", "main"))
		if code != 2 || path != "" || strings.Contains(outputs, "installed=true") || !strings.Contains(log, "does not match the release's checksums.txt") {
			t.Errorf("exit %d, PATH %q, outputs %q; log:\n%s", code, path, outputs, log)
		}
	})
	t.Run("no release binary: build from source", func(t *testing.T) {
		outputs, path, log, code := runStep(t, download, with("VERSION", "v9.9.9", "ACTION_REF", "main"))
		if code != 0 || path != "" || !strings.Contains(outputs, "installed=false") || !strings.Contains(outputs, "tag=v9.9.9") {
			t.Errorf("exit %d, PATH %q, outputs %q; log:\n%s", code, path, outputs, log)
		}
	})
	t.Run("a branch ref: build from source", func(t *testing.T) {
		outputs, _, log, code := runStep(t, download, with("VERSION", "", "ACTION_REF", "main"))
		if code != 0 || !strings.Contains(outputs, "installed=false") || !strings.Contains(outputs, "tag=\n") {
			t.Errorf("exit %d, outputs %q; log:\n%s", code, outputs, log)
		}
	})
	t.Run("latest is refused", func(t *testing.T) {
		_, _, log, code := runStep(t, download, with("VERSION", "latest"))
		if code != 2 || !strings.Contains(log, "not 'latest'") {
			t.Errorf("exit %d; log:\n%s", code, log)
		}
	})
}

// buildComposefix builds the command into a temporary directory, for
// tests that run it as a program.
func buildComposefix(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds a binary")
	}
	goTool := e2e.Tool(t, "go", "install Go from https://go.dev/dl")
	dir := t.TempDir()
	if out, err := exec.Command(goTool, "build", "-o", filepath.Join(dir, "composefix"), ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return dir
}

// TestActionRunWritesTheStepSummary runs the action's run step as the
// runner would, with composefix on the PATH and a temporary
// GITHUB_STEP_SUMMARY: the annotations come errors first with their counts,
// and the summary gets the counts per rule and the diff.
func TestActionRunWritesTheStepSummary(t *testing.T) {
	var run actionStep
	for _, s := range actionSteps(t) {
		if s.ID == "run" {
			run = s
		}
	}
	bin := buildComposefix(t)
	work := writeFiles(t, map[string]string{"compose.yaml": "services:\n  web:\n    image: nginx:1.27.3\n    privileged: true\n  worker:\n    image: nginx:1.27.3\n"})
	summary := filepath.Join(t.TempDir(), "summary.md")
	if err := os.WriteFile(summary, []byte("earlier step\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(work)
	outputs, _, log, code := runStep(t, run, map[string]string{
		"PATH":                bin + string(os.PathListSeparator) + os.Getenv("PATH"),
		"PATHS":               ".",
		"ARGS":                "--check --offline --cache-dir " + t.TempDir(),
		"FORMAT":              "github",
		"SARIF":               "false",
		"GITHUB_STEP_SUMMARY": summary,
		"XDG_CACHE_HOME":      t.TempDir(),
	})
	if code != 1 || !strings.Contains(outputs, "exit-code=1") {
		t.Errorf("exit %d, outputs %q, want 1 (fixes pending); log:\n%s", code, outputs, log)
	}
	var commands []string
	for _, l := range strings.Split(log, "\n") {
		if strings.HasPrefix(l, "::") {
			commands = append(commands, l[:strings.Index(l[2:], " ")+2])
		}
	}
	if len(commands) < 4 || commands[0] != "::notice" || commands[1] != "::error" || !strings.HasPrefix(log, "::notice title=composefix::1 error, ") {
		t.Errorf("annotations %q: want the counts, then errors first; log:\n%s", commands, log)
	}
	if !strings.Contains(log, "title=CF201 restart-policy (2 in this file)") {
		t.Errorf("CF201's two findings are not one annotation; log:\n%s", log)
	}
	got := readFile(t, summary)
	// With SARIF, composefix runs twice; the summary is written once.
	sarifSummary := filepath.Join(t.TempDir(), "summary.md")
	_, _, log, _ = runStep(t, run, map[string]string{
		"PATH":                bin + string(os.PathListSeparator) + os.Getenv("PATH"),
		"PATHS":               ".",
		"ARGS":                "--check --offline --cache-dir " + t.TempDir(),
		"FORMAT":              "github",
		"SARIF":               "true",
		"SARIF_FILE":          filepath.Join(t.TempDir(), "composefix.sarif"),
		"GITHUB_STEP_SUMMARY": sarifSummary,
		"XDG_CACHE_HOME":      t.TempDir(),
	})
	if n := strings.Count(readFile(t, sarifSummary), "### composefix"); n != 1 {
		t.Errorf("with sarif: true the summary has %d composefix sections, want 1; log:\n%s", n, log)
	}
	for _, want := range []string{
		"earlier step\n### composefix\n",
		"1 file scanned, 1 would change;",
		"| CF506 | privileged | error | 1 | 0 |",
		"| CF201 | restart-policy | warning | 2 | 2 |",
		"<details><summary>Diff (1 file)</summary>",
		"```diff\n--- a/compose.yaml\n+++ b/compose.yaml\n",
		"+    restart: unless-stopped",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("step summary lacks %q:\n%s", want, got)
		}
	}
}

// TestStepSummaryWriteFailureExits2 checks that a GITHUB_STEP_SUMMARY that
// cannot be written fails the run (exit 2), as a failed `update --summary`
// does, while the product is still printed whole.
func TestStepSummaryWriteFailureExits2(t *testing.T) {
	dir := writeFiles(t, map[string]string{"compose.yaml": "services:\n  web:\n    image: nginx:1.27.3\n"})
	t.Chdir(dir)
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("GITHUB_STEP_SUMMARY", filepath.Join(dir, "missing", "summary.md"))
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"composefix", "--offline"}, strings.NewReader(""), &out, &errOut)
	if code != exitError {
		t.Errorf("exit %d, want %d; stderr:\n%s", code, exitError, errOut.String())
	}
	if !strings.Contains(errOut.String(), "writing the step summary") {
		t.Errorf("stderr does not name the step summary:\n%s", errOut.String())
	}
	if !strings.Contains(out.String(), "+    restart: unless-stopped") {
		t.Errorf("the diff is not printed:\n%s", out.String())
	}
}
