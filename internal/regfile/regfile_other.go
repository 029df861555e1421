//go:build !unix

package regfile

import (
	"os"
	"syscall"
)

// Read returns the contents of the regular file at path. It refuses a
// named pipe, socket, device or directory with a *ModeError and a file
// longer than limit bytes with ErrTooLarge, without reading more than
// limit+1 bytes. Other errors are the *fs.PathError of the failed open,
// stat or read (Op "open", "stat", "read"). Where there is no poller to
// keep out of it (see the Unix Read), it reads through os.
func Read(path string, limit int64) ([]byte, error) {
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
	return readLimited(f, info.Size(), limit)
}
