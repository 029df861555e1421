//go:build unix

package pipeline

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
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
	tmp, err := CreateTemp(filepath.Join(dir, ".composefix.yaml"), 0o644)
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
