// Package regfile reads a regular file whole, up to a size limit, without
// ever blocking on something that is not a file. compose reads compose,
// .env and ignore files with it and config reads .composefix.yaml; each
// turns its errors into its own messages, so the reading itself (the
// non-blocking open, the mode check, the bounded read into a buffer of the
// file's size) is written once.
package regfile

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// ErrTooLarge is returned by Read for a file longer than its limit.
var ErrTooLarge = errors.New("file is larger than the limit")

// ModeError is returned by Read for a path that is not a regular file.
type ModeError struct {
	Path string
	Mode fs.FileMode // the type bits say what it is
}

func (e *ModeError) Error() string { return e.Path + ": not a regular file" }

// Read returns the contents of the regular file at path. It refuses a
// named pipe, socket, device or directory with a *ModeError (a named pipe
// would wait for a writer forever, a device may never end) and a file
// longer than limit bytes with ErrTooLarge, without reading more than
// limit+1 bytes. Other errors are the *fs.PathError of the failed open,
// stat or read (Op "open", "stat", "read").
func Read(path string, limit int64) ([]byte, error) {
	// O_NONBLOCK: opening a named pipe waits for a writer otherwise. It
	// changes nothing for a regular file. The descriptor is read with
	// system calls, not through an os.File: os registers a descriptor
	// opened non-blocking with the runtime's network poller, whose first
	// registration creates an epoll instance and an event fd and leaves a
	// thread waiting on them, in every run, for nothing a regular file
	// can use (issue 14: startup).
	fd, err := ignoringEINTR(func() (int, error) {
		return syscall.Open(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	})
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	if _, err := ignoringEINTR(func() (int, error) { return 0, syscall.Fstat(fd, &st) }); err != nil {
		return nil, &fs.PathError{Op: "stat", Path: path, Err: err}
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return nil, notRegular(path, fd)
	}
	src, err := readAll(io.LimitReader(&fdReader{fd: fd, path: path}, limit+1), min(st.Size, limit)+1)
	if err != nil {
		return nil, err
	}
	if int64(len(src)) > limit {
		return nil, ErrTooLarge
	}
	return src, nil
}

// notRegular is the *ModeError for the descriptor fd of path, which is
// not a regular file, with its mode as os.File's Stat says it. The
// descriptor is made blocking first (fstat and close never wait), which
// keeps os.NewFile from registering it with the poller.
func notRegular(path string, fd int) error {
	dup, err := syscall.Dup(fd)
	if err != nil {
		return &fs.PathError{Op: "stat", Path: path, Err: err}
	}
	if err := syscall.SetNonblock(dup, false); err != nil {
		syscall.Close(dup)
		return &fs.PathError{Op: "stat", Path: path, Err: err}
	}
	f := os.NewFile(uintptr(dup), path)
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	return &ModeError{Path: path, Mode: info.Mode()}
}

// fdReader reads a descriptor as os.File does: a read error is an
// *fs.PathError "read", the end of the file io.EOF.
type fdReader struct {
	fd   int
	path string
}

func (r *fdReader) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	n, err := ignoringEINTR(func() (int, error) { return syscall.Read(r.fd, b) })
	switch {
	case err != nil:
		return 0, &fs.PathError{Op: "read", Path: r.path, Err: err}
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

// ignoringEINTR calls f until it is not interrupted by a signal, as os
// does for its system calls.
func ignoringEINTR(f func() (int, error)) (int, error) {
	for {
		n, err := f()
		if err != syscall.EINTR {
			return n, err
		}
	}
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
