package fixers

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"

	"github.com/composefix/composefix/compose"
)

const missingFileID = "CF604"

func missingFileRule() *Rule {
	return &Rule{
		ID: missingFileID, Name: "missing-project-file", Safety: DisplayOnly, Severity: Error,
		Summary: "include: or extends: file: names a local file that cannot be loaded",
		Doc: `A file the project includes or extends that cannot be loaded is an error.

docker compose refuses a project whose include: entry or extends: file: names a local
file that is missing, is not a file (a directory), cannot be read or is not valid YAML
("open base.yaml: no such file or directory"). composefix cannot see what that file
defines either, so the services that extend it, and the project as a whole, are not
fully checked. Relative paths are taken from the directory of the file that names them.
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
		err := p.unloaded[ref.Path]
		if err == nil {
			continue
		}
		what := "include names"
		if ref.Extends {
			what = "extends: file: names"
		}
		p.Report(ref.Node, nil, "%s %q, which cannot be loaded (%s); the project is not fully checked", what, ref.Node.Value, loadFailure(err))
	}
	return nil
}

// loadFailure says in a few words why a file could not be loaded.
func loadFailure(err error) string {
	var pe *compose.PosError
	switch {
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
