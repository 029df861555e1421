//go:build unix

package pipeline

import (
	"crypto/sha256"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestAtomicWriteRefusesWhatItCannotReplace: an existing path that is not
// a regular file (a FIFO, a device node, a socket), or one whose
// information cannot be read, is not written. AtomicWrite used to rename
// its file over a FIFO, as it would over /dev/null for a root run's
// `update --summary /dev/null`, and to write a fresh file, owner and mode
// its own, where it could not tell what was there.
func TestAtomicWriteRefusesWhatItCannotReplace(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "summary.md")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no FIFO: %v", err)
	}
	if err := AtomicWrite(fifo, []byte("new\n"), 0o644); err == nil {
		t.Error("AtomicWrite over a FIFO: no error, want a refusal")
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was replaced: %v, %v", fi, err)
	}

	loop := filepath.Join(dir, "plan.json")
	if err := os.Symlink("plan.json", loop); err != nil {
		t.Fatal(err)
	}
	if err := AtomicWrite(loop, []byte("{}\n"), 0o644); err == nil {
		t.Error("AtomicWrite through a symlink loop: no error, want a refusal")
	}
	if fi, err := os.Lstat(loop); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the symlink was replaced: %v, %v", fi, err)
	}
}

// TestNewFilesFollowTheUmask: a file composefix creates (a summary or
// plan of update, a configuration of init) gets its mode as any program's
// new file does, with the user's umask taken off. A plan holds a patch
// whose context lines quote the compose files; with umask 077 it was
// still world-readable (0644), as was the temporary file init renames.
// The umask is the process's: this test runs alone (not in parallel).
func TestNewFilesFollowTheUmask(t *testing.T) {
	defer syscall.Umask(syscall.Umask(0o077))
	dir := t.TempDir()

	plan := filepath.Join(dir, "plan.patch")
	if err := AtomicWrite(plan, []byte("--- a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tmp, err := createTemp(dir, ".composefix.yaml", 0o644, newTempSweep(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	tmp.Close()
	defer os.Remove(tmp.Name())

	for _, path := range []string{plan, tmp.Name()} {
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := info.Mode().Perm(); got != 0o600 {
			t.Errorf("%s: mode %v under umask 077, want -rw-------", filepath.Base(path), got)
		}
	}
}

// TestAtomicWriteThroughADanglingSymlink: a symlink whose target does not
// exist (a summary linked into a directory that a clean checkout left
// empty) keeps the link and creates the target, as `echo > link` does,
// with a new file's mode; following links in chains, relative to each
// link's own directory. A target whose directory is missing too is
// refused with an error naming the link and the target. AtomicWrite used
// to rename its file over the link, replacing it with a plain file.
func TestAtomicWriteThroughADanglingSymlink(t *testing.T) {
	for _, tc := range []struct {
		name  string
		links map[string]string // link (in the test directory) -> target as written; "@" stands for the directory
		write string            // the path written, in the test directory
		want  string            // the file created, in the test directory; "" for a refusal
	}{
		{"relative", map[string]string{"summary.md": "out/summary.md"}, "summary.md", "out/summary.md"},
		{"absolute", map[string]string{"summary.md": "@/out/summary.md"}, "summary.md", "out/summary.md"},
		{"relative to the link's directory", map[string]string{"out/plan.json": "../plans/plan.json"}, "out/plan.json", "plans/plan.json"},
		{"a chain", map[string]string{"summary.md": "out/link.md", "out/link.md": "final.md"}, "summary.md", "out/final.md"},
		{"through a linked directory", map[string]string{"summary.md": "alias/summary.md", "alias": "out"}, "summary.md", "out/summary.md"},
		// The link is read from its real directory (out), not lexically from
		// the linked one (plans/alias): ".." climbs from out, as the kernel's does.
		{"written through a linked directory", map[string]string{"plans/alias": "../out", "out/plan.json": "../plans/plan.json"}, "plans/alias/plan.json", "plans/plan.json"},
		// ".." after a linked directory in the target climbs from where
		// that directory really is (plans, to the test directory), not
		// lexically (to out), as the kernel's does.
		{"dot-dot after a linked directory in the target", map[string]string{"out/up": "../plans", "summary.md": "out/up/../final.md"}, "summary.md", "final.md"},
		{"target directory missing", map[string]string{"summary.md": "gone/summary.md"}, "summary.md", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, d := range []string{"out", "plans"} {
				if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			for link, target := range tc.links {
				if target[0] == '@' {
					target = dir + target[1:]
				}
				if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
					t.Fatal(err)
				}
			}
			err := AtomicWrite(filepath.Join(dir, tc.write), []byte("new\n"), 0o644)
			for link := range tc.links {
				if fi, lerr := os.Lstat(filepath.Join(dir, link)); lerr != nil || fi.Mode()&os.ModeSymlink == 0 {
					t.Errorf("the symlink %s was replaced: %v, %v", link, fi, lerr)
				}
			}
			if tc.want == "" {
				if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, tc.write)) || !strings.Contains(err.Error(), "gone/summary.md") {
					t.Errorf("error %v, want a refusal naming the link and its target", err)
				}
				if _, serr := os.Stat(filepath.Join(dir, "gone")); serr == nil {
					t.Error("the missing directory was created")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got, rerr := os.ReadFile(filepath.Join(dir, tc.want)); rerr != nil || string(got) != "new\n" {
				t.Errorf("%s = %q, %v; want %q", tc.want, got, rerr, "new\n")
			}
		})
	}
}

// TestWriteRefusesAnOwnerItCannotKeep checks that a process that may not
// give the new file the old one's owner writes nothing and says why: a
// non-root run used to change the file's group. The write runs in a child
// process as nobody, on a root-owned file in a directory nobody may write.
func TestWriteRefusesAnOwnerItCannotKeep(t *testing.T) {
	if dir := os.Getenv("COMPOSEFIX_TEST_WRITE_AS"); dir != "" {
		path := filepath.Join(dir, "compose.yaml")
		src, _ := os.ReadFile(path)
		err := writeFile(path, []byte("services: {}\n# fixed\n"), src, sha256.Sum256(src), newTempSweep(time.Now()))
		if err == nil {
			os.Exit(3)
		}
		os.Stderr.WriteString(err.Error())
		os.Exit(4)
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root to run the write as another user")
	}
	dir := t.TempDir()
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if err := os.Chmod(d, 0o777); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "compose.yaml")
	src := []byte("services: {}\n")
	if err := os.WriteFile(path, src, 0o666); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o666); err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// The test binary may sit in a directory only root can enter.
	bin := filepath.Join(dir, "test.bin")
	if err := exec.Command("cp", exe, bin).Run(); err != nil {
		t.Skipf("cannot copy the test binary: %v", err)
	}
	if err := os.Chmod(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run=^TestWriteRefusesAnOwnerItCannotKeep$")
	cmd.Env = append(os.Environ(), "COMPOSEFIX_TEST_WRITE_AS="+dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 4 {
		t.Fatalf("child: %v, want exit 4 (refused); stderr:\n%s", err, stderr.String())
	}
	if want := "not written, the file is unchanged: the new file cannot keep the owner 0:0"; !strings.Contains(stderr.String(), want) {
		t.Errorf("error %q, want it to contain %q", stderr.String(), want)
	}
	if got, _ := os.ReadFile(path); string(got) != string(src) {
		t.Errorf("file written: %q", got)
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) == 0 {
		t.Fatalf("listing %s (the file is there): %d entries, %v", dir, len(entries), err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), tempMarker) {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}
