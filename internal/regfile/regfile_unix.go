//go:build unix

package regfile

import (
	"io"
	"io/fs"
	"os"
	"syscall"
)

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
	return readLimited(&fdReader{fd: fd, path: path}, st.Size, limit)
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
