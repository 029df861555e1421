package pipeline

import (
	"crypto/sha256"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/composefix/composefix/internal/e2e"
)

// smallFSEnv names, in the child process TestWriteOutOfSpace starts, the
// directory where a tmpfs too small for the new file is mounted.
const smallFSEnv = "COMPOSEFIX_TEST_SMALLFS"

// TestWriteOutOfSpace: a write that runs out of space (ENOSPC) names the
// file being written once, says it is unchanged, and leaves the temporary
// file's name out (it is removed). It used to say "writing X:
// write /dir/.X.tmp: no space left on device", the temporary path twice.
// The full disk is a tmpfs of two pages, mounted in a user and mount
// namespace (unshare) in which this test runs itself again: no global
// hook in the write code, and no disk filled.
func TestWriteOutOfSpace(t *testing.T) {
	dir := os.Getenv(smallFSEnv)
	if dir == "" {
		unshare := e2e.Tool(t, "unshare", "apt-get install -y util-linux")
		// A missing program fails under COMPOSEFIX_E2E=1 (e2e.Tool), since
		// .ci/run installs what is missing; a kernel that will not mount in
		// a user namespace is nothing .ci/run can install, and failing there
		// would fail CI for the machine, not for composefix: it skips, and
		// says so, in every mode.
		unavailable := func(out []byte) {
			t.Helper()
			t.Skipf("cannot mount a small tmpfs in a user namespace (the kernel or its policy forbids it; not installable): %s", out)
		}
		// Unprivileged user namespaces may be off (a sysctl, AppArmor):
		// unshare itself fails, before the child could say so.
		if out, err := exec.Command(unshare, "-rm", "true").CombinedOutput(); err != nil {
			unavailable(out)
		}
		dir := t.TempDir()
		cmd := exec.Command(unshare, "-rm", "sh", "-c",
			`mount -t tmpfs -o size=8k tmpfs "$1" || exit 97; exec "$2" -test.run='^TestWriteOutOfSpace$' -test.v`,
			"sh", dir, os.Args[0])
		cmd.Env = append(os.Environ(), smallFSEnv+"="+dir)
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if errors.As(err, &exit) && exit.ExitCode() == 97 {
			unavailable(out)
		}
		if err != nil || !strings.Contains(string(out), "--- PASS: TestWriteOutOfSpace") {
			t.Errorf("in a full tmpfs: %v\n%s", err, out)
		}
		return
	}
	old := []byte("services: {}\n")
	big := []byte(strings.Repeat("# more than the tmpfs holds\n", 1000))
	writeFix := func(path string) error {
		return writeFile(path, big, old, sha256.Sum256(old), newTempSweep(time.Now()))
	}
	atomic := func(path string) error { return AtomicWrite(path, big, 0o644) }
	for _, tc := range []struct {
		name  string
		exist bool // the file is there before the write
		// The file is written through a symbolic link outside the full
		// disk: the error names the link once, as given, then the target
		// it failed at (lost with the temporary file's name).
		link  bool
		write func(path string) error
	}{
		{"--write", true, false, writeFix},
		{"AtomicWrite", true, false, atomic},
		{"CreateNew", false, false, func(path string) error { return CreateNew(path, big, 0o644) }},
		{"--write through a link", true, true, writeFix},
		{"AtomicWrite through a link", true, true, atomic},
	} {
		t.Run(tc.name, func(t *testing.T) {
			target := filepath.Join(dir, "compose.yaml")
			os.Remove(target)
			if tc.exist {
				if err := os.WriteFile(target, old, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			path := target
			if tc.link {
				path = filepath.Join(t.TempDir(), "compose.yaml")
				if err := os.Symlink(target, path); err != nil {
					t.Fatal(err)
				}
			}
			err := tc.write(path)
			if err == nil {
				t.Fatal("no error, want one saying the disk is full")
			}
			msg := err.Error()
			t.Log(msg)
			if strings.Count(msg, path) != 1 || !strings.Contains(msg, "no space left on device") ||
				!strings.Contains(msg, "unchanged") && !strings.Contains(msg, "not created") || strings.Contains(msg, tempMarker) {
				t.Errorf("error: %s\nwant it to name %s once, say it was not changed (or created) and why, and not the temporary file", msg, path)
			}
			if tc.link && (!strings.HasPrefix(msg, path) || !strings.Contains(msg, target)) {
				t.Errorf("error: %s\nwant it to name the link %s first, then its target %s", msg, path, target)
			}
			got, err := os.ReadFile(target)
			switch {
			case tc.exist && string(got) != string(old):
				t.Errorf("file now %q (%v), want it unchanged", got, err)
			case !tc.exist && !errors.Is(err, os.ErrNotExist):
				t.Errorf("file created (%v), want none", err)
			}
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if e.Name() != "compose.yaml" {
					t.Errorf("left behind: %s", e.Name())
				}
			}
		})
	}
}
