package fixers

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"syscall"

	"github.com/composefix/composefix/compose"
)

const missingFileID = "CF604"

func missingFileRule() *Rule {
	return &Rule{
		ID: missingFileID, Name: "missing-project-file", Safety: DisplayOnly, Severity: Error,
		Summary: "include: or extends: file: names a local file that cannot be loaded",
		Doc: `A file the project includes or extends that cannot be loaded is an error.

docker compose refuses a project whose include: entry (any of its paths) or extends:
file: names a local file that is missing, is not a file (a directory), cannot be read or
is not valid YAML ("open base.yaml: no such file or directory"), or whose include entry's
env_file names a file that is missing, a directory or unreadable (compose has no
required: false form there; /dev/null is skipped). composefix cannot see what such a file
defines either, so the services that extend it, and the project as a whole, are not
fully checked. An included file that loads is reported too when a file it includes or
extends in turn cannot be loaded ("it reaches ..."), since compose loads them all; the
files of an include setting project_directory, an include's later paths (compose takes
their own paths from the first's directory) and the bases an extended file extends in
turn are not followed. Relative paths, an include's later paths and env_file included,
are taken from the directory of the file that names them (for an included file's
env_file, compose takes it from the directory it is run in: the project's is assumed);
a file compose reads from another project directory (a -f file after the first, one with
--project-directory, a declared project's file outside its first file's directory) is
not checked, nor is a file compose loads that composefix cannot read (an empty file,
several YAML documents), nor the env_file of a file two includes away or more, which
compose takes from another directory than its own.
Remote paths (oci://, git@, git::, http(s)://) and paths with an interpolation ($VAR)
are not checked. There is no automatic fix.

Before:
  include:
    - shared/logging.yaml # no such file
  services:
    api:
      extends: {file: base.yaml, service: app}

After: restore the file, or correct the path.`,
		Check: checkMissingFiles,
	}
}

func checkMissingFiles(p *Pass) error {
	if len(p.unloaded) == 0 {
		return nil
	}
	for _, ref := range p.Document.ReferenceNodes() {
		err := p.unloaded[ref.Key()]
		if err == nil {
			continue
		}
		err = reachedFrom(err, p.Document.Path)
		what := "include names"
		switch {
		case ref.Extends:
			what = "extends: file: names"
		case ref.EnvFile:
			what = "include env_file: names"
		}
		p.Report(ref.Node, nil, "%s %q, which cannot be loaded (%s); the project is not fully checked", what, ref.Node.Value, loadFailure(err))
	}
	return nil
}

// ReachedError says that a file loads but reaches, through its own
// include: or extends: file:, a file (Path) that cannot be loaded (Err):
// docker compose loads every file an include reaches.
type ReachedError struct {
	Path string
	Err  error
}

func (e *ReachedError) Error() string { return fmt.Sprintf("reaching %s: %v", e.Path, e.Err) }

func (e *ReachedError) Unwrap() error { return e.Err }

// reachedFrom returns err with a ReachedError's path made relative to the
// directory of from, the file the finding is in, as its own paths are.
func reachedFrom(err error, from string) error {
	var re *ReachedError
	if !errors.As(err, &re) {
		return err
	}
	if rel, e := filepath.Rel(filepath.Dir(from), re.Path); e == nil {
		return &ReachedError{Path: rel, Err: re.Err}
	}
	return re
}

// loadFailure says in a few words why a file could not be loaded.
func loadFailure(err error) string {
	var pe *compose.PosError
	var re *ReachedError
	switch {
	case errors.As(err, &re):
		return fmt.Sprintf("it reaches %q: %s", re.Path, loadFailure(re.Err))
	case errors.Is(err, fs.ErrNotExist):
		return "not found"
	case errors.Is(err, syscall.EISDIR):
		return "not a file"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	case errors.As(err, &pe) && pe.Line > 0:
		return fmt.Sprintf("cannot be parsed at %d:%d", pe.Line, pe.Col)
	case errors.As(err, &pe):
		return pe.Text()
	}
	return err.Error()
}
