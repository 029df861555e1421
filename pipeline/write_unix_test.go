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
