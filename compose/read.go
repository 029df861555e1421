package compose

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// ReadFile reads the compose file at path, refusing without blocking what
// is not a regular file (a named pipe would wait for a writer forever, a
// device may never end) and, without reading it whole, a file larger than
// MaxSize. Every error is a *PosError naming path.
func ReadFile(path string) ([]byte, error) {
	// O_NONBLOCK: opening a named pipe waits for a writer otherwise. It
	// changes nothing for a regular file.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, &PosError{Path: path, Msg: "cannot read", Err: unwrapPathError(err)}
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, &PosError{Path: path, Msg: "cannot read", Err: unwrapPathError(err)}
	}
	if err := CheckRegular(path, info.Mode()); err != nil {
		return nil, err
	}
	src, err := readAll(io.LimitReader(f, MaxSize+1), min(info.Size(), MaxSize)+1)
	if err != nil {
		return nil, &PosError{Path: path, Msg: "cannot read", Err: unwrapPathError(err)}
	}
	if len(src) > MaxSize {
		return nil, &PosError{Path: path, Msg: fmt.Sprintf("file is larger than the %d-byte limit", MaxSize)}
	}
	return src, nil
}

// readAll is io.ReadAll into a buffer of size bytes to begin with: the
// file's size and one byte to see its end, as os.ReadFile does. io.ReadAll
// starts at 512 bytes and grows, which allocated 2.3 times the corpus's
// bytes (issue 14); a file that grows while read still reads whole.
func readAll(r io.Reader, size int64) ([]byte, error) {
	b := make([]byte, 0, max(size, 512))
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			if errors.Is(err, io.EOF) {
				return b, nil
			}
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // grow
		}
	}
}

// CheckRegular returns a *PosError naming what path is when mode is not
// that of a regular file (or a directory, which discovery searches).
func CheckRegular(path string, mode fs.FileMode) error {
	var what string
	switch {
	case mode.IsRegular(), mode.IsDir():
		return nil
	case mode&fs.ModeNamedPipe != 0:
		what = "a named pipe (FIFO)"
	case mode&fs.ModeSocket != 0:
		what = "a socket"
	case mode&fs.ModeDevice != 0:
		what = "a device"
	default:
		what = "not a regular file"
	}
	return &PosError{Path: path, Msg: "cannot read " + what + "; composefix reads regular files only"}
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
