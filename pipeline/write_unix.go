//go:build unix

package pipeline

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// owner is a file's user and group; uid -1 leaves the new file as created.
type owner struct{ uid, gid int }

var noOwner = owner{uid: -1, gid: -1}

func ownerOf(info fs.FileInfo) owner {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return owner{uid: int(st.Uid), gid: int(st.Gid)}
	}
	return noOwner
}

func linkCount(info fs.FileInfo) uint64 {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Nlink)
	}
	return 1
}

// apply gives f the owner, when it does not have it already. A process
// that may not (not root, or not in the group) gets an error: the file
// keeps its old owner or is not written at all.
func (o owner) apply(f *os.File) error {
	if o.uid < 0 {
		return nil
	}
	info, err := f.Stat()
	if err != nil {
		return err
	}
	if ownerOf(info) == o {
		return nil
	}
	if err := f.Chown(o.uid, o.gid); err != nil {
		return fmt.Errorf("the new file cannot keep the owner %d:%d (%w); run composefix as the file's owner or as root", o.uid, o.gid, unwrapPath(err))
	}
	return nil
}

// processAlive reports whether a process with this ID exists (signal 0
// checks without sending anything; EPERM means it exists, owned by
// another user).
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
