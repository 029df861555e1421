package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWriteKeepsOwnerAndMode checks that --write keeps a file's owner,
// group and mode bits: as root it turned nobody:nogroup 640 into
// root:root 640, so the owner could no longer read its own file, and it
// dropped setuid (4755 became 755).
func TestWriteKeepsOwnerAndMode(t *testing.T) {
	for _, tt := range ownerModeCases(t) {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"compose.yaml": needsFix})
			path := filepath.Join(dir, "compose.yaml")
			setOwnerMode(t, path, tt.uid, tt.gid, tt.mode)
			_, errOut, code := runCLI(t, dir, "", "-w", "--offline")
			if code != exitOK {
				t.Fatalf("exit %d; stderr:\n%s", code, errOut)
			}
			if got := readFile(t, path); !strings.Contains(got, "restart: unless-stopped") {
				t.Fatalf("file not fixed:\n%s", got)
			}
			assertOwnerMode(t, path, tt.uid, tt.gid, tt.mode)
		})
	}
}

// ownerModeCase is an owner, group and mode a rewritten file must keep.
type ownerModeCase struct {
	name     string
	uid, gid int
	mode     fs.FileMode
}

// ownerModeCases are the owners and modes that every writer replacing a
// file must keep (--write, init --force): another owner, setuid, setgid.
// Giving a file another owner needs root; elsewhere the test skips.
func ownerModeCases(t *testing.T) []ownerModeCase {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to give the file another owner")
	}
	const nobody, nogroup = 65534, 65534
	return []ownerModeCase{
		{"another owner", nobody, nogroup, 0o640},
		{"setuid", 0, 0, 0o755 | fs.ModeSetuid},
		{"setgid and another group", 0, nogroup, 0o750 | fs.ModeSetgid},
		{"another owner and setuid", nobody, nogroup, 0o750 | fs.ModeSetuid},
	}
}

// setOwnerMode gives path the owner uid:gid and mode (as root).
func setOwnerMode(t *testing.T, path string, uid, gid int, mode fs.FileMode) {
	t.Helper()
	if err := os.Chown(path, uid, gid); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

// assertOwnerMode checks that path kept the owner uid:gid and the mode
// with its setuid, setgid and sticky bits.
func assertOwnerMode(t *testing.T, path string, uid, gid int, mode fs.FileMode) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if u, g := fileOwner(t, info); u != uid || g != gid {
		t.Errorf("owner %d:%d, want %d:%d kept", u, g, uid, gid)
	}
	if got := info.Mode() & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky); got != mode {
		t.Errorf("mode %v, want %v kept", got, mode)
	}
}

// TestWriteRefusesAFileWithHardLinks checks the choice for a file with
// more than one hard link: it is not written (a rename split the links
// into two inodes, silently leaving one name unfixed), the error says why,
// the exit code is 2 and the other files are still written.
func TestWriteRefusesAFileWithHardLinks(t *testing.T) {
	dir := writeFiles(t, map[string]string{"a/compose.yaml": needsFix, "b/compose.yaml": needsFix})
	path := filepath.Join(dir, "a", "compose.yaml")
	if err := os.Link(path, filepath.Join(dir, "a", "compose.linked.yaml.bak")); err != nil {
		t.Skipf("hard links unsupported: %v", err)
	}
	_, errOut, code := runCLI(t, dir, "", "-w", "--offline")
	if code != exitError {
		t.Errorf("exit %d, want 2; stderr:\n%s", code, errOut)
	}
	if !strings.Contains(errOut, filepath.Join("a", "compose.yaml")+": not written: the file has 2 hard links") {
		t.Errorf("stderr does not explain the refusal:\n%s", errOut)
	}
	if got := readFile(t, path); got != needsFix {
		t.Errorf("the linked file was written:\n%s", got)
	}
	a, _ := os.Stat(path)
	b, _ := os.Stat(filepath.Join(dir, "a", "compose.linked.yaml.bak"))
	if !os.SameFile(a, b) {
		t.Errorf("the hard links were split")
	}
	if got := readFile(t, filepath.Join(dir, "b", "compose.yaml")); !strings.Contains(got, "restart:") {
		t.Errorf("the other file was not written")
	}
	assertNoTempFiles(t, filepath.Join(dir, "a"))
}

// TestRefusedWriteKeepsFindings checks that a file whose write is refused
// still reports its findings, as not fixed, in every format and in the
// summary: they used to vanish, and the summary said "0 warnings".
func TestRefusedWriteKeepsFindings(t *testing.T) {
	tests := []struct {
		format string
		want   []string // in stdout and stderr together
	}{
		{"text", []string{"[CF201]", "1 not processed"}},
		{"json", []string{`"rule": "CF201"`, `"applied": false`}},
		{"sarif", []string{`"ruleId": "CF201"`}},
		{"github", []string{"CF201", "1 file not processed"}},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"compose.yaml": needsFix})
			path := filepath.Join(dir, "compose.yaml")
			if err := os.Link(path, filepath.Join(dir, "linked.bak")); err != nil {
				t.Skipf("hard links unsupported: %v", err)
			}
			out, errOut, code := runCLI(t, dir, "", "-w", "--offline", "--format", tt.format)
			if code != exitError {
				t.Errorf("exit %d, want 2", code)
			}
			all := out + errOut
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("output lacks %q:\n%s", w, all)
				}
			}
			if strings.Contains(all, "(fixed)") {
				t.Errorf("a finding of the unwritten file says fixed:\n%s", all)
			}
		})
	}
}

// TestWriteRefusesAReadOnlyFile: --write replaced a file whose mode gives
// no one write permission (0444), by a rename the directory allows: a
// file someone marked read-only was rewritten unattended. It is refused
// now, left untouched, with an error naming its mode (exit 2), while the
// other files are written. The mode bits decide, not access(2): as root,
// which may write anything, the file is still refused. A file someone may
// write, and a symlink (whose own mode means nothing) to a writable file,
// are written.
func TestWriteRefusesAReadOnlyFile(t *testing.T) {
	for _, tt := range []struct {
		name    string
		mode    fs.FileMode
		link    bool // a/compose.yaml is a symlink to the file
		refused bool
	}{
		{"0444", 0o444, false, true},
		{"0400", 0o400, false, true},
		{"0555", 0o555, false, true},
		{"0440", 0o440, false, true},
		{"through a symlink", 0o444, true, true},
		{"0644", 0o644, false, false},
		{"0600", 0o600, false, false},
		{"group-writable only", 0o464, false, false},
		{"a symlink to a writable file", 0o644, true, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"a/real.yaml": needsFix, "b/compose.yaml": needsFix})
			path := filepath.Join(dir, "a", "compose.yaml")
			real := filepath.Join(dir, "a", "real.yaml")
			if tt.link {
				if err := os.Symlink("real.yaml", path); err != nil {
					t.Skipf("cannot make a symlink: %v", err)
				}
			} else if err := os.Rename(real, path); err != nil {
				t.Fatal(err)
			} else {
				real = path
			}
			if err := os.Chmod(real, tt.mode); err != nil {
				t.Fatal(err)
			}
			_, errOut, code := runCLI(t, dir, "", "-w", "--offline", ".")
			if got := readFile(t, filepath.Join(dir, "b", "compose.yaml")); !strings.Contains(got, "restart: unless-stopped") {
				t.Errorf("the other file was not written; stderr:\n%s", errOut)
			}
			got := readFile(t, real)
			if !tt.refused {
				if code != exitOK || !strings.Contains(got, "restart: unless-stopped") {
					t.Errorf("exit %d, file fixed %v; want 0 and fixed; stderr:\n%s", code, got != needsFix, errOut)
				}
				return
			}
			if code != exitError {
				t.Errorf("exit %d, want %d", code, exitError)
			}
			if got != needsFix {
				t.Errorf("the read-only file was written:\n%s", got)
			}
			if info, err := os.Stat(real); err != nil || info.Mode().Perm() != tt.mode {
				t.Errorf("mode after the run %v (%v), want %v", info.Mode().Perm(), err, tt.mode)
			}
			want := filepath.Join("a", "compose.yaml") + ": not written: the file is read-only (mode " + fmt.Sprintf("%04o", tt.mode) + ")"
			if n := strings.Count(errOut, want); n != 1 {
				t.Errorf("stderr holds %q %d times, want once:\n%s", want, n, errOut)
			}
			assertNoTempFiles(t, filepath.Join(dir, "a"))
		})
	}
}
