package pipeline

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/composefix/composefix/compose"
)

// writeFile replaces path with data atomically, keeping what the file was:
// its owner and group, its mode with the setuid, setgid and sticky bits,
// and, through a symlink, the link (its target is written). It refuses,
// writing nothing, when the file changed since it was read, when the new
// file cannot keep the owner or mode, when the file has more than one
// hard link (a rename would split the links into two files, one of them
// left unfixed), and when its mode lets no one write it. sweep is the
// run's: it removes stale temporary files from the directory written in,
// once per run.
func writeFile(path string, data, read []byte, digest [32]byte, sweep *tempSweep) error {
	target, info, err := existing(path)
	if err != nil {
		return &compose.PosError{Path: path, Msg: "cannot write", Err: unwrapPath(err)}
	}
	if err := splitsLinks(info); err != nil {
		return &compose.PosError{Path: path, Msg: "not written: " + err.Error() + "; apply the diff instead (composefix without --write)"}
	}
	if info.Mode()&0o222 == 0 {
		// Someone marked it read-only: a rename, which only the
		// directory's permission governs, would still replace it. The
		// mode bits decide, not access(2), which lets root write anything.
		return &compose.PosError{Path: path, Msg: fmt.Sprintf("not written: the file is read-only (mode %04o); make it writable, or apply the diff instead (composefix without --write)", info.Mode().Perm())}
	}
	cur, err := os.ReadFile(target)
	if err != nil {
		return &compose.PosError{Path: path, Msg: "cannot write", Err: unwrapPath(err)}
	}
	if len(cur) != len(read) || sha256.Sum256(cur) != digest {
		return changedError(path)
	}
	if err := replaceKeeping(target, info, data, sweep); err != nil {
		return &compose.PosError{Path: path, Msg: notReplaced, Err: atTarget(path, target, err)}
	}
	return nil
}

// atTarget names, after the path given, the symbolic link's target that a
// replacement failed at: the error leaves out the temporary file's name,
// which was the only one naming the target's directory.
func atTarget(path, target string, err error) error {
	if target == path {
		return err
	}
	return fmt.Errorf("at its target %s: %w", target, err)
}

// notReplaced says that a replacement failed and left the file as it
// was (replaceFile); the error after it says why, without the temporary
// file's name.
const notReplaced = "not written, the file is unchanged"

// keptMode is what a replaced file keeps of its mode.
const keptMode = fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky

// existing returns the file path names, through any symlinks, and its
// information.
func existing(path string) (target string, info fs.FileInfo, err error) {
	if target, err = filepath.EvalSymlinks(path); err != nil {
		return "", nil, err
	}
	info, err = os.Stat(target)
	return target, info, err
}

// maxLinks is how many symlinks a path may go through, as on Linux.
const maxLinks = 40

// danglingTarget returns the path a new file at path is created at: path
// itself when nothing is there, or the name a dangling symlink (a chain
// of them) ends at, each link's target read relative to the link's real
// directory. Renaming over the link itself would replace it with a plain
// file. A target whose directory does not exist is refused: creating
// directories a link names is more than writing a file.
func danglingTarget(path string) (string, error) {
	p := path
	for hops := 0; ; hops++ {
		fi, err := os.Lstat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist) && p == path:
			return path, nil
		case errors.Is(err, fs.ErrNotExist):
			return p, nil
		case err != nil:
			return "", err
		case fi.Mode()&fs.ModeSymlink == 0:
			// Appeared since existing looked: write nothing over it.
			return "", fmt.Errorf("%s appeared while it was being written", p)
		case hops == maxLinks:
			return "", fmt.Errorf("more than %d symlinks", maxLinks)
		}
		link, err := os.Readlink(p)
		if err != nil {
			return "", err
		}
		sep := string(filepath.Separator)
		if !filepath.IsAbs(link) {
			link = p[:strings.LastIndex(p, sep)+1] + link // beside the link
		}
		// The target's directory, symlinks resolved, so that the next
		// link's relative target reads from where it really is. Split, not
		// cleaned: EvalSymlinks takes a ".." after a linked directory from
		// where that directory really is, as the kernel does, where Clean
		// would drop the directory's name.
		dir, name := ".", link
		if i := strings.LastIndex(link, sep); i >= 0 {
			dir, name = link[:i+1], link[i+1:]
		}
		if name == "" || name == "." || name == ".." {
			return "", fmt.Errorf("it is a symlink to %s, a directory", link)
		}
		dir, err = filepath.EvalSymlinks(dir)
		if errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("it is a symlink to %s, whose directory does not exist", link)
		}
		if err != nil {
			return "", fmt.Errorf("it is a symlink to %s: %w", link, err)
		}
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return "", fmt.Errorf("it is a symlink to %s, whose directory %s is not a directory", link, filepath.Dir(link))
		}
		p = filepath.Join(dir, name)
	}
}

// splitsLinks refuses a file with more than one hard link: a rename would
// split the links into two files, one of them keeping the old content.
func splitsLinks(info fs.FileInfo) error {
	if n := linkCount(info); n > 1 {
		return fmt.Errorf("the file has %d hard links, which replacing it would split", n)
	}
	return nil
}

// replaceKeeping replaces the existing file target (info) with data,
// keeping its owner and group and its mode with the setuid, setgid and
// sticky bits.
func replaceKeeping(target string, info fs.FileInfo, data []byte, sweep *tempSweep) error {
	return replaceFile(target, data, &kept{mode: info.Mode() & keptMode, owner: ownerOf(info)}, sweep)
}

// AtomicWrite writes data to a temporary file beside path, syncs it and
// renames it over path: readers see the old or the new file, never a
// half-written one. A new file gets mode perm less the umask. An existing file is
// replaced as --write replaces a compose file: it keeps its owner, group
// and mode bits, through a symlink the link stays and its target is
// replaced, and a file with more than one hard link is refused. So is
// an existing path that is not a regular file (a rename would replace a
// FIFO or a device node such as /dev/null with a plain file), and one
// whose information cannot be read (a symlink loop, a directory it may
// not search): only a path that does not exist is created, or the
// missing target of a dangling symlink, whose directory must exist.
func AtomicWrite(path string, data []byte, perm os.FileMode) error {
	target, info, err := existing(path)
	switch {
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s not written: %w", path, err)
	case err != nil:
		// Nothing there, or a dangling symlink: its target is created, as
		// `echo > link` would, and the link kept.
		target, err := danglingTarget(path)
		if err != nil {
			return fmt.Errorf("%s not written: %w", path, err)
		}
		return CreateNew(target, data, perm)
	case !info.Mode().IsRegular():
		return fmt.Errorf("%s not written: not a regular file (%v)", path, info.Mode().Type())
	}
	if err := splitsLinks(info); err != nil {
		return fmt.Errorf("%s not written: %w", path, err)
	}
	if err := replaceKeeping(target, info, data, newTempSweep(time.Now())); err != nil {
		return fmt.Errorf("%s %s: %w", path, notReplaced, atTarget(path, target, err))
	}
	return nil
}

// tempMarker names composefix's temporary files: ".<name>.composefix-<pid>-<random>.tmp"
// beside the file they replace. The process ID lets a later run tell a
// temporary file left by a killed run from one a running process writes.
const tempMarker = ".composefix-"

// staleAfter is how old a temporary file of a process that is gone must be
// before a later run removes it. A write takes milliseconds; the margin
// covers clocks and process IDs reused soon after.
const staleAfter = 5 * time.Minute

// createTemp creates the temporary file that will replace base in dir,
// with mode perm less the process's umask (as any program's new file),
// named so that a later run recognises and removes it when the process was
// killed before renaming it (see tempMarker). It first removes such stale
// files from dir, unless sweep has this run. Every writer of a file composefix replaces or creates
// uses it (writeTemp), so there is one naming scheme to clean up after.
// It is os.CreateTemp with a mode: os.CreateTemp always creates 0600, and
// a chmod afterwards cannot know the umask without changing it
// (process-wide state).
func createTemp(dir, base string, perm fs.FileMode, sweep *tempSweep) (*os.File, error) {
	sweep.dir(dir)
	prefix := filepath.Join(dir, "."+base+tempMarker+strconv.Itoa(os.Getpid())+"-")
	for range 10000 {
		f, err := os.OpenFile(prefix+strconv.FormatUint(uint64(rand.Uint32()), 10)+".tmp", os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, &fs.PathError{Op: "createtemp", Path: prefix + "*.tmp", Err: fs.ErrExist}
}

// replaceFile writes data to a temporary file in path's directory with
// keep's mode and owner (writeTemp) and renames it over path. On any error
// the temporary file is removed and path is untouched; the error names
// neither, the caller names path.
func replaceFile(path string, data []byte, keep *kept, sweep *tempSweep) error {
	name, err := writeTemp(path, data, 0o600, keep, sweep)
	if err != nil {
		return err
	}
	if err := os.Rename(name, path); err != nil {
		os.Remove(name)
		return renameFailed(err)
	}
	return nil
}

// renameFailed is the error of a rename of the new file into place,
// without its two names (unwrapPath): the caller names the file.
func renameFailed(err error) error {
	return fmt.Errorf("moving the new file into place: %w", unwrapPath(err))
}

// CreateNew creates path with data and mode perm less the umask, from a
// synced temporary file beside it, never over a file: one that appears
// at path meanwhile (another process, a second run) is kept, and the
// error wraps fs.ErrExist. A hard link puts the new file in place, since
// link(2), unlike rename(2), never replaces; on a file system without
// hard links a rename follows one more check.
func CreateNew(path string, data []byte, perm fs.FileMode) error {
	name, err := writeTemp(path, data, perm, nil, newTempSweep(time.Now()))
	if err != nil {
		return fmt.Errorf("%s not created: %w", path, err)
	}
	defer os.Remove(name) // after a link, the extra name; after a rename, nothing
	err = os.Link(name, path)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, fs.ErrExist):
		return fmt.Errorf("%s appeared while composefix was creating it: %w", path, fs.ErrExist)
	}
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("%s appeared while composefix was creating it: %w", path, fs.ErrExist)
	}
	if err := os.Rename(name, path); err != nil {
		return fmt.Errorf("%s not created: %w", path, renameFailed(err))
	}
	return nil
}

// writeTemp writes data to a new temporary file beside path (createTemp,
// mode perm less the umask), gives it keep's owner and mode when keep is
// set (checking the mode held), syncs and closes it, and returns its name.
// On any error it is removed, and the error leaves its name out: the
// caller names the file being written, and a second, removed path only
// repeated it ("writing X: write /dir/.X.tmp: no space left on device").
// sweep removes stale temporary files first (createTemp).
func writeTemp(path string, data []byte, perm fs.FileMode, keep *kept, sweep *tempSweep) (name string, err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := createTemp(dir, base, perm, sweep)
	if err != nil {
		return "", fmt.Errorf("cannot create a temporary file in %s: %w", dir, unwrapPath(err))
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
			err = unwrapPath(err)
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return "", err
	}
	if keep != nil {
		if err = keep.apply(tmp); err != nil {
			return "", err
		}
	}
	if err = tmp.Sync(); err != nil {
		return "", err
	}
	if err = tmp.Close(); err != nil {
		return "", err
	}
	return tmp.Name(), nil
}

// kept is what the replacement of an existing file keeps of it.
type kept struct {
	mode  fs.FileMode // permission bits with setuid, setgid and sticky
	owner owner
}

// apply gives tmp the kept owner and mode and checks that the mode held.
func (k *kept) apply(tmp *os.File) error {
	// Owner first: changing it clears the setuid and setgid bits.
	if err := k.owner.apply(tmp); err != nil {
		return err
	}
	if err := tmp.Chmod(k.mode); err != nil {
		return err
	}
	// The kernel drops setgid silently for a group the process is not in.
	info, err := tmp.Stat()
	if err != nil {
		return err
	}
	if got := info.Mode() & keptMode; got != k.mode {
		return fmt.Errorf("the new file cannot keep the mode %v (it got %v); run composefix as the file's owner or as root", k.mode, got)
	}
	return nil
}

// removeStaleTemps removes the temporary files composefix left in dir,
// killed between creating and renaming them: those older than staleAfter
// whose process is gone. Failures are ignored: this is housekeeping.
func removeStaleTemps(dir string, now time.Time) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		pid, ok := tempPID(e.Name())
		if !ok || !e.Type().IsRegular() {
			continue
		}
		info, err := e.Info()
		if err != nil || now.Sub(info.ModTime()) < staleAfter || processAlive(pid) {
			continue
		}
		os.Remove(filepath.Join(dir, e.Name()))
	}
}

// tempSweep removes stale temporary files (removeStaleTemps) from each
// directory a run writes in, or reads from with --write, once per run: a
// directory read for every file written in it made --write over many
// files in one directory quadratic (5,000 files: 130,000 getdents calls).
// A file written through a symlink is written, and its temporary file
// created, in its target's directory, which is swept when first written
// in. A run makes one (newTempSweep) and hands it to every write; a
// single write (AtomicWrite, CreateNew) makes its own.
type tempSweep struct {
	now time.Time // staleness is judged against the run's start
	mu  sync.Mutex
	// swept holds each directory swept, cleaned: the same directory
	// spelled differently (relative, through a symlinked directory) may
	// be swept twice, which only costs a read.
	swept map[string]bool
}

func newTempSweep(now time.Time) *tempSweep {
	return &tempSweep{now: now, swept: map[string]bool{}}
}

// dir sweeps dir unless it was swept in this run.
func (s *tempSweep) dir(dir string) {
	dir = filepath.Clean(dir)
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.swept[dir] {
		s.swept[dir] = true
		removeStaleTemps(dir, s.now)
	}
}

// dirsOf sweeps the directory of each file.
func (s *tempSweep) dirsOf(files []string) {
	for _, f := range files {
		s.dir(filepath.Dir(f))
	}
}

// tempPID returns the process ID in a temporary file's name, and whether
// the name is one of composefix's temporary files.
func tempPID(name string) (int, bool) {
	if !strings.HasPrefix(name, ".") || !strings.HasSuffix(name, ".tmp") {
		return 0, false
	}
	i := strings.LastIndex(name, tempMarker)
	if i < 0 {
		return 0, false
	}
	pid, rnd, ok := strings.Cut(strings.TrimSuffix(name[i+len(tempMarker):], ".tmp"), "-")
	if !ok || rnd == "" {
		return 0, false
	}
	n, err := strconv.Atoi(pid)
	if err != nil || n <= 0 {
		return 0, false
	}
	return n, true
}
