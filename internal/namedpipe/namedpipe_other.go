//go:build !unix

package namedpipe

import (
	"errors"
	"fmt"
)

func mkfifo(path string) error {
	return fmt.Errorf("making a named pipe at %s: %w", path, errors.ErrUnsupported)
}
