package pipeline

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/composefix/composefix/diff"
	"github.com/composefix/composefix/report"
)

// Text renders the text product: each file's findings on Err and, unless
// the run writes, its diff on Out.
type Text struct {
	Out, Err    io.Writer
	Write       bool  // files were written: no diff
	Color       bool  // colour the diff
	SourceLines bool  // findings show their source line and a caret
	ErrColor    bool  // colour the findings
	outErr      error // the first failed write of the product to Out
}

// OutErr returns the first error writing a diff to Out: the product is
// then incomplete (a full disk under "composefix > fixes.patch"), which the
// run must not report as a success.
func (t *Text) OutErr() error { return t.outErr }

// File prints one file's result.
func (t *Text) File(r *File) {
	if r.Err != nil {
		// A file that could not be read has no findings; one whose write
		// was refused keeps them, none fixed.
		fmt.Fprintf(t.Err, "%v\n", r.Err)
	}
	if t.SourceLines {
		report.FindingsWithSource(t.Err, &r.File, t.ErrColor)
	} else {
		report.Findings(t.Err, &r.File)
	}
	if r.Changed() && !t.Write {
		if _, err := io.WriteString(t.Out, Diff(r, diff.WithColor(t.Color))); err != nil && t.outErr == nil {
			t.outErr = err
		}
	}
}

// Diff returns the unified diff of a file's fixes, built from the regions
// the edits cover (linear, minimal hunks); "" when nothing changed.
func Diff(r *File, opts ...diff.Option) string {
	regions := make([]diff.Region, len(r.Regions))
	for i, g := range r.Regions {
		regions[i] = diff.Region{AStart: g.Old.Start, AEnd: g.Old.End, BStart: g.New.Start, BEnd: g.New.End}
	}
	if d := r.doc; d != nil && r.outputLines != nil && sameSlice(d.Src, r.Original) && sameSlice(r.output, r.Output) {
		// The line starts Load and verification found, of these very
		// bytes: the diff need not find them again. They stay when the
		// run let the tree go (File.Document), which this reads nothing
		// of.
		opts = append(opts[:len(opts):len(opts)], diff.WithLineStarts(d.LineStarts(), r.outputLines))
	}
	return diff.Edited(r.wd.diffPath(r.Path), r.Original, r.Output, regions, opts...)
}

// sameSlice reports whether a and b are the same bytes in memory.
func sameSlice(a, b []byte) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// Summary prints the run's summary line.
func (t *Text) Summary(sum report.Summary) { report.SummaryLine(t.Err, sum) }

// DiffPath is the path a diff names: relative to the working directory when
// the file is under it, so that `git apply` and `patch -p1` find it.
func DiffPath(path string) string {
	if !filepath.IsAbs(path) {
		return path
	}
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	return relTo(wd, path)
}

// diffPath is DiffPath against the run's working directory, without
// reading it again for every changed file (os.Getwd: two stat system
// calls, on the serial path that prints the diffs).
func (w workDir) diffPath(path string) string {
	if w == "" || !filepath.IsAbs(path) {
		return DiffPath(path)
	}
	return relTo(string(w), path)
}

// relTo is path relative to the working directory wd, when under it.
func relTo(wd, path string) string {
	rel, err := filepath.Rel(wd, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return path
	}
	return rel
}
