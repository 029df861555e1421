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
)

// ErrTooLarge is returned by Read for a file longer than its limit.
var ErrTooLarge = errors.New("file is larger than the limit")

// ModeError is returned by Read for a path that is not a regular file.
type ModeError struct {
	Path string
	Mode fs.FileMode // the type bits say what it is
}

func (e *ModeError) Error() string { return e.Path + ": not a regular file" }

// readLimited reads r, a file of size bytes, up to limit+1 bytes, and
// refuses a file longer than limit with ErrTooLarge.
func readLimited(r io.Reader, size, limit int64) ([]byte, error) {
	src, err := readAll(io.LimitReader(r, limit+1), min(size, limit)+1)
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
