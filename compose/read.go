package compose

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"

	"github.com/composefix/composefix/internal/regfile"
)

// ReadFile reads the compose file at path, refusing without blocking what
// is not a regular file (a named pipe would wait for a writer forever, a
// device may never end) and, without reading it whole, a file larger than
// MaxSize. Every error is a *PosError naming path.
func ReadFile(path string) ([]byte, error) {
	src, err := regfile.Read(path, MaxSize)
	var me *regfile.ModeError
	switch {
	case err == nil:
		return src, nil
	case errors.As(err, &me):
		if err := CheckRegular(path, me.Mode); err != nil {
			return nil, err
		}
		// A directory, which CheckRegular lets through for discovery:
		// said as reading it says it.
		return nil, &PosError{Path: path, Msg: "cannot read", Err: syscall.EISDIR}
	case errors.Is(err, regfile.ErrTooLarge):
		return nil, &PosError{Path: path, Msg: fmt.Sprintf("file is larger than the %d-byte limit", MaxSize)}
	default:
		return nil, &PosError{Path: path, Msg: "cannot read", Err: unwrapPathError(err)}
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
