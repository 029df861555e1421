package pipeline

import (
	"crypto/sha256"
	"path/filepath"
	"sync"

	"github.com/composefix/composefix/compose"
)

// firstRead lets the run's second pass analyse each file with its project
// as the first pass read it. A file's project (its base or override, the
// named overlays of a base, the files it includes or extends) is read
// again from disk when the file is fixed, and may hold other inputs of
// the run: with --write, an input handed over earlier has been rewritten
// by then, and analysing a later file with the rewritten one would make
// --write write something other than the dry run's diff (a base seeing
// the healthcheck its override gained in this run, for one). So the
// inputs another input may read are kept as they were read when they are
// rewritten, and an input read as context that is neither what the first
// pass read nor kept is refused as changed.
type firstRead struct {
	wd      workDir             // the working directory, for absolute paths without a system call each
	digests map[string][32]byte // absolute path -> digest the first pass read, of the inputs that loaded
	needed  map[string]bool     // absolute path -> another input's project may read it

	mu     sync.Mutex        // guards before: rewriting runs beside the loaders
	before map[string][]byte // absolute path -> bytes before this run rewrote it, of needed inputs
}

func newFirstRead(wd workDir) *firstRead {
	return &firstRead{wd: wd, digests: map[string][32]byte{}, needed: map[string]bool{}, before: map[string][]byte{}}
}

// abs is filepath.Abs with the working directory read once.
func (f *firstRead) abs(path string) string {
	if abs, err := f.wd.abs(path); err == nil {
		return abs
	}
	return filepath.Clean(path)
}

// need marks the inputs (loaded, by path) that another input's project may
// read: those merged with another file, and the named overlays (read as
// context by their base). The files inputs include or extend were marked
// by the first pass.
func (f *firstRead) need(g *grouping, loaded []string) {
	for p, files := range g.groups {
		for _, file := range files {
			if file != p {
				f.needed[f.abs(file)] = true
			}
		}
	}
	for _, p := range loaded {
		if compose.IsOverlay(p) {
			f.needed[f.abs(p)] = true
		}
	}
}

// rewriting is told, before the input at path is rewritten, the bytes it
// was fixed from; they are kept when another input may read it later.
func (f *firstRead) rewriting(path string, src []byte) {
	if f == nil {
		return
	}
	abs := f.abs(path)
	if !f.needed[abs] {
		return
	}
	f.mu.Lock()
	f.before[abs] = src
	f.mu.Unlock()
}

// asRead returns src, just read from path, as the first pass read it: src
// itself, or the bytes kept before this run rewrote it. An input that
// changed otherwise is an error: it would be analysed from bytes other
// than those its images were resolved for.
func (f *firstRead) asRead(abs, path string, src []byte) ([]byte, error) {
	want, ok := f.digests[abs]
	if !ok || sha256.Sum256(src) == want {
		return src, nil
	}
	// Checked after reading: rewriting keeps the bytes before the file is
	// replaced, so a read that saw the new file finds them here.
	f.mu.Lock()
	b, kept := f.before[abs]
	f.mu.Unlock()
	if kept {
		return b, nil
	}
	return nil, changedError(path)
}
