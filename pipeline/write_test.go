package pipeline

import (
	"context"
	"crypto/sha256"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/composefix/composefix/fixers"
)

// TestRemoveStaleTemps checks that a run removes the temporary files a
// killed run left beside the file it writes (they used to stay forever),
// and only those: older than staleAfter, of a process that is gone, with
// composefix's name.
func TestRemoveStaleTemps(t *testing.T) {
	gone := deadPID(t)
	old := time.Now().Add(-2 * staleAfter)
	dir := t.TempDir()
	files := map[string]struct {
		age  time.Time
		kept bool
	}{
		".compose.yaml.composefix-" + strconv.Itoa(gone) + "-123456.tmp":    {old, false},
		".compose.yaml.composefix-" + strconv.Itoa(gone) + "-9.tmp":         {time.Now(), true}, // maybe being renamed
		".compose.yaml.composefix-" + strconv.Itoa(os.Getpid()) + "-77.tmp": {old, true},        // its process runs
		".other.yml.composefix-" + strconv.Itoa(gone) + "-5.tmp":            {old, false},
		"compose.yaml.composefix-" + strconv.Itoa(gone) + "-5.tmp":          {old, true}, // not hidden: not ours
		".compose.yaml.composefix-" + strconv.Itoa(gone) + "-5.yaml":        {old, true},
		".compose.yaml.composefix-abc-5.tmp":                                {old, true},
		".compose.yaml.composefix-123456":                                   {old, true}, // an older naming: no process to check
		".compose.yaml.composefix-" + strconv.Itoa(gone) + "-5.tmp.keep":    {old, true},
		"compose.yaml": {old, true},
	}
	for name, f := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, f.age, f.age); err != nil {
			t.Fatal(err)
		}
	}
	src := []byte("services: {}\n")
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := writeFile(filepath.Join(dir, "compose.yaml"), []byte("services: {}\n# x\n"), src, sha256.Sum256(src), newTempSweep(time.Now())); err != nil {
		t.Fatal(err)
	}
	for name, f := range files {
		_, err := os.Stat(filepath.Join(dir, name))
		if kept := err == nil; kept != f.kept {
			t.Errorf("%s kept = %v, want %v", name, kept, f.kept)
		}
	}
}

// TestTempSweepOncePerDirectory: a run reads each directory it writes in
// once for stale temporary files, not once per file written: with 5,000
// files in one directory, --write read the directory 5,000 times. A file
// written through a symlink is written, and its temporary file created,
// in its target's directory, which is swept when first written in, even
// though the link's directory was swept already. A stale file that
// appears in a swept directory during the run stays: the directory is not
// read again.
func TestTempSweepOncePerDirectory(t *testing.T) {
	gone := deadPID(t)
	old := time.Now().Add(-2 * staleAfter)
	stale := func(dir, base string, n int) string {
		t.Helper()
		p := filepath.Join(dir, "."+base+tempMarker+strconv.Itoa(gone)+"-"+strconv.Itoa(n)+".tmp")
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
		return p
	}
	exists := func(p string) bool { _, err := os.Lstat(p); return err == nil }
	src := []byte("services: {}\n")
	out := []byte("services: {}\n# fixed\n")
	links, targets := t.TempDir(), t.TempDir()
	for _, p := range []string{filepath.Join(links, "a.yaml"), filepath.Join(links, "b.yaml"), filepath.Join(targets, "t.yaml"), filepath.Join(targets, "u.yaml")} {
		if err := os.WriteFile(p, src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := filepath.Join(links, "l.yaml")
	if err := os.Symlink(filepath.Join(targets, "t.yaml"), link); err != nil {
		t.Skipf("cannot make a symlink: %v", err)
	}
	write := func(sweep *tempSweep, name string) {
		t.Helper()
		if err := writeFile(name, out, src, sha256.Sum256(src), sweep); err != nil {
			t.Fatal(err)
		}
	}

	sweep := newTempSweep(time.Now())
	first := stale(links, "a.yaml", 1)
	write(sweep, filepath.Join(links, "a.yaml"))
	if exists(first) {
		t.Errorf("the first write in %s kept the stale %s", links, filepath.Base(first))
	}
	later := stale(links, "b.yaml", 2)
	write(sweep, filepath.Join(links, "b.yaml"))
	if !exists(later) {
		t.Errorf("the second write in %s read it again: %s removed", links, filepath.Base(later))
	}

	inTarget := stale(targets, "t.yaml", 3)
	write(sweep, link)
	if exists(inTarget) {
		t.Errorf("writing through %s kept the stale %s in the target's directory", filepath.Base(link), filepath.Base(inTarget))
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("the link %s was replaced: %v", link, err)
	}
	laterInTarget := stale(targets, "u.yaml", 4)
	write(sweep, filepath.Join(targets, "u.yaml"))
	if !exists(laterInTarget) {
		t.Errorf("a write in %s after the one through the link read it again: %s removed", targets, filepath.Base(laterInTarget))
	}

	// The next run sweeps again.
	if err := os.WriteFile(filepath.Join(links, "a.yaml"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	write(newTempSweep(time.Now()), filepath.Join(links, "a.yaml"))
	if exists(later) {
		t.Errorf("a new run kept the stale %s", filepath.Base(later))
	}
}

// deadPID returns the ID of a process that has exited.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skipf("cannot run a process: %v", err)
	}
	if processAlive(cmd.Process.Pid) {
		t.Skip("the exited process's ID is already reused")
	}
	return cmd.Process.Pid
}

// TestRunRemovesStaleTempsWhereNothingChanges checks that a --write run
// removes a killed run's temporary file beside a file it reads, even when
// that file needs no change.
func TestRunRemovesStaleTempsWhereNothingChanges(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(path, []byte("services: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(dir, ".compose.yaml.composefix-"+strconv.Itoa(deadPID(t))+"-1.tmp")
	if err := os.WriteFile(stale, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-2 * staleAfter)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	r := Run(context.Background(), Options{Paths: []string{path}, Write: true, Fixers: fixers.DefaultConfig()}, nil)
	if r.Failed() || r.Summary.Changed != 0 {
		t.Fatalf("run: %+v", r)
	}
	if _, err := os.Stat(stale); err == nil {
		t.Errorf("stale temporary file %s kept", filepath.Base(stale))
	}
}

// TestCreateTempIsRecognised checks that a temporary file from createTemp,
// which `composefix init` also writes through, carries the name stale-temp
// cleanup removes: init used to name its own ".<name>.composefix-<random>"
// files, which a killed init left behind for good.
func TestCreateTempIsRecognised(t *testing.T) {
	f, err := createTemp(t.TempDir(), ".composefix.yaml", 0o600, newTempSweep(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(f.Name())
	f.Close()
	if pid, ok := tempPID(filepath.Base(f.Name())); !ok || pid != os.Getpid() {
		t.Errorf("tempPID(%q) = %d, %v, want %d, true", filepath.Base(f.Name()), pid, ok, os.Getpid())
	}
}

// TestAtomicWriteKeepsAnExistingFile checks that rewriting an existing
// summary or plan file keeps its mode and, through a symlink, the link:
// AtomicWrite used to give every file mode perm (a private 0600 summary
// became world-readable) and to replace a symlink with a plain file.
func TestAtomicWriteKeepsAnExistingFile(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "summary.md")
	if err := os.WriteFile(target, []byte("old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(target, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.md")
	if err := os.Symlink("summary.md", link); err != nil {
		t.Fatal(err)
	}
	if err := AtomicWrite(link, []byte("new\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the symlink was replaced: %v, %v", fi, err)
	}
	info, err := os.Stat(target)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(target); string(got) != "new\n" {
		t.Errorf("target = %q, want %q", got, "new\n")
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600 kept", info.Mode().Perm())
	}
	// A new file gets perm less the umask, as os.WriteFile's does.
	fresh, probe := filepath.Join(dir, "plan.json"), filepath.Join(dir, "probe")
	if err := AtomicWrite(fresh, []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(probe, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	got, err1 := os.Stat(fresh)
	want, err2 := os.Stat(probe)
	if err := errors.Join(err1, err2); err != nil || got.Mode().Perm() != want.Mode().Perm() {
		t.Errorf("new file: %v, %v; want mode %v", got, err, want.Mode().Perm())
	}
}

// TestCreateNewKeepsAFileThatAppeared: a new summary, plan or
// configuration file is put in place without replacing a file that
// appeared at its path after composefix looked (another process, a second
// run): AtomicWrite renamed over it, and nothing of it was kept.
func TestCreateNewKeepsAFileThatAppeared(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "plan.json")
	if err := CreateNew(path, []byte("new\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(path); err != nil || string(got) != "new\n" {
		t.Fatalf("created %q, %v; want %q", got, err, "new\n")
	}
	if err := os.WriteFile(path, []byte("theirs\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := CreateNew(path, []byte("ours\n"), 0o644)
	if !errors.Is(err, fs.ErrExist) {
		t.Errorf("CreateNew over a file = %v, want an error wrapping fs.ErrExist", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "theirs\n" {
		t.Errorf("the file that appeared now reads %q, want it kept", got)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only plan.json (no temporary file left)", len(entries))
	}
}
