// Package pollcheck tells tests whether the Go runtime's network poller
// has started in this process. Its first use creates an epoll instance
// and an event fd and leaves a thread waiting on them: a cost every run
// that never touches the network should not pay (issue 14: startup). A
// test reads Started in a child process of its own (Child), since the
// test binary itself may have started the poller.
package pollcheck

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Started reports whether the process has an epoll descriptor open,
// which only the poller opens in a Go program. It skips t where
// /proc/self/fd cannot be read.
func Started(t testing.TB) bool {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("cannot list the open descriptors: %v", err)
	}
	for _, fd := range fds {
		if target, _ := os.Readlink(filepath.Join("/proc/self/fd", fd.Name())); target == "anon_inode:[eventpoll]" {
			return true
		}
	}
	return false
}

// RunChild runs the test t again in a child process (this test binary)
// with the environment variable env set to value, and fails t unless the
// child passes; t skips when the child skipped (Started cannot see the
// descriptors: no /proc on darwin or windows). The test tells it is the
// child by env being set.
func RunChild(t *testing.T, env, value string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+t.Name()+"$", "-test.v")
	cmd.Env = append(os.Environ(), env+"="+value)
	out, err := cmd.CombinedOutput()
	if err == nil && strings.Contains(string(out), "--- SKIP: "+t.Name()) {
		t.Skipf("the child process skipped:\n%s", out)
	}
	if err != nil || !strings.Contains(string(out), "--- PASS: "+t.Name()) {
		t.Fatalf("the child process: %v\n%s", err, out)
	}
}
