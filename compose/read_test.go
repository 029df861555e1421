package compose

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/composefix/composefix/internal/namedpipe"
)

// TestReadFileSizes: ReadFile sizes its buffer from the file's size, so
// the sizes around its first guess and the limit are where a read could
// stop short, run over or miss the end.
func TestReadFileSizes(t *testing.T) {
	dir := t.TempDir()
	for _, size := range []int{0, 1, 511, 512, 513, 4096, 100_000, MaxSize} {
		src := bytes.Repeat([]byte("a: b\n"), size/5+1)[:size]
		path := filepath.Join(dir, "compose.yaml")
		if err := os.WriteFile(path, src, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := ReadFile(path)
		if err != nil {
			t.Fatalf("ReadFile of %d bytes: %v", size, err)
		}
		if !bytes.Equal(got, src) {
			t.Errorf("ReadFile of %d bytes returned %d bytes, not the file", size, len(got))
		}
	}
}

// TestReadFileOverLimit: one byte over MaxSize is refused.
func TestReadFileOverLimit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "compose.yaml")
	if err := os.WriteFile(path, make([]byte, MaxSize+1), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ReadFile(path)
	var pe *PosError
	if !errors.As(err, &pe) {
		t.Fatalf("ReadFile of MaxSize+1 bytes: err = %v, want a *PosError", err)
	}
}

// TestReadFileLongerThanStat: a file may hold more than its size said
// (it grew, or is a kernel file whose size reads 0); it is still read
// whole.
func TestReadFileLongerThanStat(t *testing.T) {
	const path = "/proc/self/status" // size 0, content of about 1 KB
	want, err := os.ReadFile(path)
	if err != nil || len(want) == 0 {
		t.Skipf("no %s to read: %v", path, err)
	}
	got, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// The status of two reads differs in a few counters, not in length
	// by more than a little; what matters is that it was not cut at 0 or
	// at the first buffer.
	if len(got) < len(want)/2 || !bytes.HasPrefix(got, []byte("Name:")) {
		t.Errorf("ReadFile(%s) = %d bytes %q..., want about %d", path, len(got), got[:min(len(got), 20)], len(want))
	}
}

// TestReadFileErrors: every refusal is a *PosError naming the path, in
// the words the CLI prints.
func TestReadFileErrors(t *testing.T) {
	dir := t.TempDir()
	huge := filepath.Join(dir, "huge.yaml")
	if err := os.WriteFile(huge, make([]byte, MaxSize+1), 0o644); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo.yaml")
	if err := namedpipe.Make(fifo); err != nil {
		t.Skipf("cannot make a named pipe: %v", err)
	}
	missing := filepath.Join(dir, "missing.yaml")
	tests := []struct {
		path, want string
	}{
		{missing, missing + ": cannot read: no such file or directory"},
		{dir, dir + ": cannot read: is a directory"},
		{fifo, fifo + ": cannot read a named pipe (FIFO); composefix reads regular files only"},
		{huge, huge + ": file is larger than the 8388608-byte limit"},
	}
	for _, tt := range tests {
		_, err := ReadFile(tt.path)
		var pe *PosError
		if !errors.As(err, &pe) || err.Error() != tt.want {
			t.Errorf("ReadFile(%q) error = %v, want a *PosError %q", tt.path, err, tt.want)
		}
	}
	if _, err := ReadFile(missing); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadFile(%q) error = %v, want one wrapping fs.ErrNotExist", missing, err)
	}
}
