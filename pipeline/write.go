package pipeline

import (
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"

	"github.com/composefix/composefix/compose"
)

// writeFile replaces path atomically with data: a temporary file in the same
// directory, the original mode, fsync, rename. A symlink's target is written
// and the link kept. It refuses when the file changed since it was read.
func writeFile(path string, data, read []byte, digest [32]byte) error {
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return &compose.PosError{Path: path, Msg: "cannot write", Err: unwrapPath(err)}
	}
	cur, err := os.ReadFile(target)
	if err != nil {
		return &compose.PosError{Path: path, Msg: "cannot write", Err: unwrapPath(err)}
	}
	if len(cur) != len(read) || sha256.Sum256(cur) != digest {
		return &compose.PosError{Path: path, Msg: "not written: the file changed while composefix was running"}
	}
	info, err := os.Stat(target)
	if err != nil {
		return &compose.PosError{Path: path, Msg: "cannot write", Err: unwrapPath(err)}
	}
	if err := AtomicWrite(target, data, info.Mode().Perm()); err != nil {
		return &compose.PosError{Path: path, Msg: "cannot write", Err: err}
	}
	return nil
}

// AtomicWrite writes data to a temporary file beside path, with mode perm,
// syncs it and renames it over path: readers see the old or the new file,
// never a half-written one.
func AtomicWrite(path string, data []byte, perm os.FileMode) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".composefix-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("writing %s: %w", tmp.Name(), err)
	}
	if err = tmp.Chmod(perm); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
