//go:build unix

package main

import (
	"io/fs"
	"syscall"
	"testing"
)

// fileOwner is the owner and group that info (from os.Stat) records.
func fileOwner(t *testing.T, info fs.FileInfo) (uid, gid int) {
	t.Helper()
	st := info.Sys().(*syscall.Stat_t)
	return int(st.Uid), int(st.Gid)
}
