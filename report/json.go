package report

import (
	"fmt"
	"io"

	"github.com/composefix/composefix/fixers"
)

// JSONVersion is the version of the JSON document JSON writes. It changes
// only when a field is removed or changes meaning; new fields may appear in
// the same version. See docs/json-format.md.
const JSONVersion = 1

// File statuses in JSON output.
const (
	StatusChanged   = "changed"   // the fixes change the file (written with --write)
	StatusUnchanged = "unchanged" // nothing to change
	StatusError     = "error"     // the file could not be read, parsed, fixed or written
)

type jsonDoc struct {
	Version int         `json:"version"`
	Files   []jsonFile  `json:"files"`
	Summary jsonSummary `json:"summary"`
}

type jsonFile struct {
	Path     string         `json:"path"`
	Status   string         `json:"status"`
	Written  bool           `json:"written"`
	Error    string         `json:"error,omitempty"`
	Findings *streamedArray `json:"findings"` // of jsonFinding
}

type jsonFinding struct {
	Rule      string   `json:"rule"`
	Name      string   `json:"name"`
	Severity  string   `json:"severity"`
	Safety    string   `json:"safety"`
	Path      string   `json:"path"`
	Line      int      `json:"line"`
	Column    int      `json:"column"`
	EndLine   int      `json:"end_line"`
	EndColumn int      `json:"end_column"`
	Message   string   `json:"message"`
	Fix       *jsonFix `json:"fix,omitempty"`
}

type jsonFix struct {
	Title   string     `json:"title"`
	Safety  string     `json:"safety"`
	Applied bool       `json:"applied"`
	Edits   []jsonEdit `json:"edits"`
}

type jsonEdit struct {
	Start       int    `json:"start"`
	End         int    `json:"end"`
	StartLine   int    `json:"start_line"`
	StartColumn int    `json:"start_column"`
	EndLine     int    `json:"end_line"`
	EndColumn   int    `json:"end_column"`
	NewText     string `json:"new_text"`
}

type jsonSummary struct {
	Files        int  `json:"files"`
	Changed      int  `json:"changed"`
	Failed       int  `json:"failed"`
	FixesApplied int  `json:"fixes_applied"`
	FixesUnsafe  int  `json:"fixes_unsafe"`
	Errors       int  `json:"errors"`
	Warnings     int  `json:"warnings"`
	Infos        int  `json:"infos"`
	Lookups      int  `json:"lookups"`
	Requests     int  `json:"requests"`
	CacheHits    int  `json:"cache_hits"`
	Write        bool `json:"write"`
}

// JSON writes one JSON document describing files and sum (see
// docs/json-format.md). Positions and edit offsets refer to each file's
// original bytes. The elapsed time is left out so that the same input and
// cache give the same bytes.
func JSON(w io.Writer, files []File, sum Summary, opts ...Option) error {
	return writeJSON(w, files, sum, &streamer{}, opts...)
}

// writeJSON is JSON with its findings written by s.
func writeJSON(w io.Writer, files []File, sum Summary, s *streamer, opts ...Option) error {
	o := buildOptions(opts)
	doc := jsonDoc{Version: JSONVersion, Files: make([]jsonFile, 0, len(files)), Summary: jsonSummary{
		Files: sum.Files, Changed: sum.Changed, Failed: sum.Failed,
		FixesApplied: sum.Applied, FixesUnsafe: sum.Unsafe,
		Errors: sum.Errors, Warnings: sum.Warnings, Infos: sum.Infos,
		Lookups: sum.Lookups, Requests: sum.Requests, CacheHits: sum.CacheHits,
		Write: sum.Write,
	}}
	for i := range files {
		doc.Files = append(doc.Files, jsonFileOf(&o, &files[i], s))
	}
	if err := s.write(w, doc); err != nil {
		return fmt.Errorf("writing the JSON report: %w", err)
	}
	return nil
}

// jsonFileOf is f's entry in the report; its findings are made as they
// are written (see streamer).
func jsonFileOf(o *options, f *File, s *streamer) jsonFile {
	jf := jsonFile{Path: f.Path, Status: status(f), Written: f.Written}
	if f.Err != nil {
		jf.Error = f.Err.Error()
	}
	var idx *lineIndex
	jf.Findings = s.array(len(f.Findings), func(i int) any {
		fd := &f.Findings[i]
		start, end := span(fd.Pos, fd.End)
		jfd := jsonFinding{
			Rule: fd.RuleID, Severity: fd.Severity.String(), Path: fd.Path,
			Line: start.Line, Column: start.Col, EndLine: end.Line, EndColumn: end.Col,
			Message: fd.Message,
		}
		if r := o.rule(fd.RuleID); r != nil {
			jfd.Name, jfd.Safety = r.Name, r.Safety.String()
		} else if fd.Fix != nil {
			jfd.Safety = fd.Fix.Safety.String()
		}
		if fd.Fix != nil {
			if idx == nil {
				idx = newLineIndex(f.Original)
			}
			jfd.Fix = &jsonFix{Title: fd.Fix.Title, Safety: fd.Fix.Safety.String(), Applied: fd.Applied, Edits: []jsonEdit{}}
			for _, e := range fd.Fix.Change.Edits {
				s, t := idx.pos(e.Start), idx.pos(e.End)
				jfd.Fix.Edits = append(jfd.Fix.Edits, jsonEdit{
					Start: e.Start, End: e.End,
					StartLine: s.Line, StartColumn: s.Col, EndLine: t.Line, EndColumn: t.Col,
					NewText: e.New,
				})
			}
		}
		return jfd
	})
	return jf
}

func status(f *File) string {
	switch {
	case f.Err != nil:
		return StatusError
	case f.Changed():
		return StatusChanged
	}
	return StatusUnchanged
}

// levelOf maps a severity to the SARIF level and the GitHub command.
func levelOf(s fixers.Severity) (sarif, github string) {
	switch s {
	case fixers.Error:
		return "error", "error"
	case fixers.Warning:
		return "warning", "warning"
	}
	return "note", "notice"
}
