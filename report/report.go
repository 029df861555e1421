package report

import (
	"time"

	"github.com/composefix/composefix/fixers"
)

// File is what a run did to one input file.
type File struct {
	Path     string // as given on the command line (or found under a given directory)
	Original []byte
	Output   []byte           // equals Original when nothing changed or Err is set
	Findings []fixers.Finding // positions in Original
	Written  bool             // --write replaced the file
	Err      error            // the file could not be read, parsed, fixed or written
	// Config marks an invalid configuration file's error: reports show
	// it, but it is not a compose file, so no count of files counts it.
	Config bool
	// NoFile marks an input that names no file to annotate: a path given
	// that does not exist or is a directory holding no compose file (its
	// Err; it counts as a file that failed, since the user named it), or a
	// document read from stdin without --stdin-filename ("<stdin>").
	// GitHub annotations about it name no file, which GitHub would refuse
	// or could not place; their message names the path.
	NoFile bool
	// Stdin marks a document read from stdin without --stdin-filename
	// (NoFile too): "<stdin>" is a label, not a path, so SARIF gives its
	// locations no URI, which code scanning would take for a file of the
	// checkout, but a description.
	Stdin bool
	// Printed marks a document whose fixed text was the product, printed
	// in place of a diff (stdin in the text format): its fixes are made,
	// as a written file's are, though no file was written.
	Printed bool
}

// FixesMade reports whether the fixes applied to f's output were made, not
// only shown: the file was written or its fixed document printed. A dry
// run's fixes (in a diff, or only counted by --check and the machine
// formats) are still to apply, and every format says so: "(fixed)" of a
// file left as it was sends its reader to a file that lacks the fix.
func (f *File) FixesMade() bool { return f.Written || f.Printed }

// Changed reports whether the output differs from the input.
func (f *File) Changed() bool { return f.Err == nil && string(f.Original) != string(f.Output) }

// Summary counts what a run did.
type Summary struct {
	Files    int // files scanned
	Changed  int // files changed (or that would change in a dry run)
	Failed   int // files with an error: "not processed" in every summary
	Applied  int // fixes applied (or to apply in a dry run)
	Unsafe   int // fixes available with --unsafe-fixes
	Errors   int // remaining findings by severity (applied fixes excluded)
	Warnings int
	Infos    int
	// Registry work.
	Lookups   int // unique image references resolved
	Requests  int // HTTP round trips
	CacheHits int
	Elapsed   time.Duration
	Write     bool // files were written, not only shown
}

// Add counts one file.
func (s *Summary) Add(f *File) {
	if f.Config {
		return // not a compose file: reported, never counted
	}
	s.Files++
	if f.Err != nil {
		s.Failed++ // its findings, if any (a refused write), still count
	}
	if f.Changed() {
		s.Changed++
	}
	for _, fd := range f.Findings {
		switch {
		case fd.Applied:
			s.Applied++
			continue // fixed: no longer a finding that remains
		case fd.Fix != nil && fd.Fix.Safety == fixers.Unsafe:
			s.Unsafe++
		}
		switch fd.Severity {
		case fixers.Error:
			s.Errors++
		case fixers.Warning:
			s.Warnings++
		default:
			s.Infos++
		}
	}
}
