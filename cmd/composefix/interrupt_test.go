//go:build linux

package main

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/composefix/composefix/internal/regtest"
)

// TestInterruptEndsARunGracefully: Ctrl-C during a run that waits on a
// registry cancels the run, which reports and exits 2, rather than the
// signal killing the process. The interrupt handler is installed by the
// commands that do work, not at process start (issue 14: startup), so
// this checks it is still there when a run needs it. SIGTERM, what a
// Kubernetes CronJob, systemd or a CI runner sends to stop a scheduled
// run, is handled the same: it used to kill a --write run between a
// temporary file's creation and its rename, leaving the file behind.
func TestInterruptEndsARunGracefully(t *testing.T) {
	bin := filepath.Join(buildComposefix(t), "composefix")
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) { checkInterrupted(t, bin, sig) })
	}
}

func checkInterrupted(t *testing.T, bin string, sig os.Signal) {
	asked := make(chan struct{}, 1)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	host := regtest.InProcess(t, func(http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case asked <- struct{}{}:
			default:
			}
			select { // hang until the test ends or the client gives up
			case <-release:
			case <-r.Context().Done():
			}
		})
	})
	work := t.TempDir()
	file := filepath.Join(work, "compose.yaml")
	if err := os.WriteFile(file, []byte("services:\n  web:\n    image: "+host+"/acme/web:1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--cache-dir", filepath.Join(work, "cache"), "--retries", "0", file)
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "CI=true")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-asked:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("composefix never asked the registry; stderr:\n%s", stderr.String())
	}
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("composefix did not end after %v; stderr:\n%s", sig, stderr.String())
	}
	ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		t.Fatalf("composefix was killed by %v; want the run cancelled and reported. stderr:\n%s", ws.Signal(), stderr.String())
	}
	if code := cmd.ProcessState.ExitCode(); code != exitError {
		t.Errorf("exit status %d, want %d; stderr:\n%s", code, exitError, stderr.String())
	}
}

// TestInterruptibleArmsOnDemand: an armed handler turns an interrupt into
// a cancelled context; stop ends it, and arming after stop installs
// nothing (a run that never armed pays for no signal handling: issue 14).
func TestInterruptibleArmsOnDemand(t *testing.T) {
	ctx, arm, stop := interruptible(context.Background())
	arm()
	arm() // idempotent
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("an interrupt did not cancel the armed context")
	}
	stop()

	ctx, arm, stop = interruptible(context.Background())
	stop()
	arm() // after stop: nothing to install, nothing left running
	if ctx.Err() == nil {
		t.Error("stop did not cancel the context")
	}
}

// TestCancelledRunNamesEachFile: the files an interrupted run did not
// reach were each reported as a bare "context canceled", hundreds of lines
// that named no file. Each names its file and says why; none is written.
func TestCancelledRunNamesEachFile(t *testing.T) {
	dir := writeFiles(t, map[string]string{"a/compose.yaml": needsFix, "b/compose.yaml": needsFix})
	t.Chdir(dir)
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errOut strings.Builder
	code := run(ctx, []string{"composefix", "-w", "--offline", "."}, strings.NewReader(""), &out, &errOut)
	if code != exitError {
		t.Errorf("exit %d, want %d", code, exitError)
	}
	for _, f := range []string{"a/compose.yaml", "b/compose.yaml"} {
		if want := filepath.FromSlash(f) + ": not processed: interrupted"; !strings.Contains(errOut.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut.String())
		}
		if got := readFile(t, filepath.Join(dir, f)); got != needsFix {
			t.Errorf("%s was written:\n%s", f, got)
		}
		assertNoTempFiles(t, filepath.Join(dir, filepath.Dir(f)))
	}
	for _, line := range strings.Split(errOut.String(), "\n") {
		if line == "context canceled" {
			t.Errorf("a bare %q line names no file:\n%s", line, errOut.String())
			break
		}
	}
}
