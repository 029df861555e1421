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
	// changes nothing for a regular file.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, &ModeError{Path: path, Mode: info.Mode()}
	}
	src, err := readAll(io.LimitReader(f, limit+1), min(info.Size(), limit)+1)
	if err != nil {
		return nil, err
	}
	if int64(len(src)) > limit {
		return nil, ErrTooLarge
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
