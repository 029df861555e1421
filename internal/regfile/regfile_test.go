package regfile

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/composefix/composefix/internal/namedpipe"
	"github.com/composefix/composefix/internal/pollcheck"

	_ "github.com/composefix/composefix/internal/golden" // defines -update for go test ./... -update
)

// TestReadSizes: the buffer is sized from the file's size, so the sizes
// around the first guess and the limit are where a read could stop short,
// run over or miss the end.
func TestReadSizes(t *testing.T) {
	const limit = 5000
	dir := t.TempDir()
	for _, size := range []int{0, 1, 511, 512, 513, 4096, limit - 1, limit, limit + 1, 2 * limit} {
		src := bytes.Repeat([]byte("a: b\n"), size/5+1)[:size]
		path := filepath.Join(dir, "f")
		if err := os.WriteFile(path, src, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := Read(path, limit)
		switch {
		case size > limit:
			if !errors.Is(err, ErrTooLarge) {
				t.Errorf("Read of %d bytes, limit %d: err = %v, want ErrTooLarge", size, limit, err)
			}
		case err != nil:
			t.Errorf("Read of %d bytes: %v", size, err)
		case !bytes.Equal(got, src):
			t.Errorf("Read of %d bytes returned %d bytes, not the file", size, len(got))
		}
	}
}

// TestReadRefuses: what is not a regular file is a *ModeError saying what
// it is, and a named pipe does not block; a failed open is the
// *fs.PathError of the open.
func TestReadRefuses(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := namedpipe.Make(fifo); err != nil {
		t.Skipf("cannot make a named pipe: %v", err)
	}
	for path, want := range map[string]fs.FileMode{dir: fs.ModeDir, fifo: fs.ModeNamedPipe, "/dev/null": fs.ModeDevice} {
		done := make(chan error, 1)
		go func() { _, err := Read(path, 100); done <- err }()
		select {
		case err := <-done:
			var me *ModeError
			if !errors.As(err, &me) || me.Path != path || me.Mode&want == 0 {
				t.Errorf("Read(%q) error = %v, want a *ModeError with mode %v", path, err, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("Read(%q) blocked", path)
		}
	}
	missing := filepath.Join(dir, "missing")
	_, err := Read(missing, 100)
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Op != "open" || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Read(%q) error = %v, want the open's *fs.PathError for a missing file", missing, err)
	}
}

// pollerChildEnv is set, to the file to read, in the child process
// TestReadLeavesThePollerAlone runs its reads in.
const pollerChildEnv = "COMPOSEFIX_REGFILE_POLLER_CHILD"

// TestReadLeavesThePollerAlone: reading a regular file, or refusing a
// directory, does not start the runtime's network poller. Opened
// non-blocking through os, a file is registered with it, and the first
// registration creates an epoll instance and an event fd and leaves a
// thread waiting on them: four system calls and a thread wake-up in every
// run, for nothing a regular file can use (issue 14: startup). The reads
// run in a child process, whose poller nothing else has started.
func TestReadLeavesThePollerAlone(t *testing.T) {
	path := os.Getenv(pollerChildEnv)
	if path == "" {
		path = filepath.Join(t.TempDir(), "f")
		if err := os.WriteFile(path, []byte("a: b\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		pollcheck.RunChild(t, pollerChildEnv, path)
		return
	}
	if pollcheck.Started(t) {
		t.Fatal("the poller was started before Read ran")
	}
	if got, err := Read(path, 100); err != nil || string(got) != "a: b\n" {
		t.Fatalf("Read = %q, %v", got, err)
	}
	if pollcheck.Started(t) {
		t.Error("reading a regular file started the network poller (an epoll descriptor is open)")
	}
	var me *ModeError
	if _, err := Read(filepath.Dir(path), 100); !errors.As(err, &me) || me.Mode&fs.ModeDir == 0 {
		t.Fatalf("Read of a directory: %v, want a *ModeError", err)
	}
	if pollcheck.Started(t) {
		t.Error("refusing a directory started the network poller (an epoll descriptor is open)")
	}
}
