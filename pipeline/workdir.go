package pipeline

import (
	"os"
	"path/filepath"
)

// workDir makes paths absolute against the working directory read once
// for the run. filepath.Abs reads it again on every call (os.Getwd: two
// stat system calls), and a run asks for absolute paths about fifteen
// times per file: on the corpus that was some 1,600 of its 2,000 stats.
// A run does not change directory, so the answers are filepath.Abs's.
type workDir string

// newWorkDir returns given, the working directory as the caller read it
// for the whole run (Options.WorkDir), or else reads it; "" when it cannot
// be read, and then abs falls back to filepath.Abs, which reports the
// error.
func newWorkDir(given string) workDir {
	if given != "" {
		return workDir(given)
	}
	wd, _ := os.Getwd()
	return workDir(wd)
}

// abs is filepath.Abs(path) without its system calls.
func (w workDir) abs(path string) (string, error) {
	if filepath.IsAbs(path) {
		return filepath.Clean(path), nil
	}
	if w == "" {
		return filepath.Abs(path)
	}
	return filepath.Join(string(w), path), nil
}
