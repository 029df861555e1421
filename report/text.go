package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/composefix/composefix/fixers"
	"github.com/composefix/composefix/internal/plural"
)

// Findings writes f's findings as "path:line:col: severity: message [ID]",
// one per line, with a note for applied ones ("(fixed)" when f.FixesMade,
// else "(fix to apply)") and ones fixable with --unsafe-fixes. They go out
// in one write: a write each was a system call per finding (1,836 for the
// corpus run).
func Findings(w io.Writer, f *File) {
	fs := f.Findings
	if len(fs) == 0 {
		return
	}
	made := f.FixesMade()
	b := make([]byte, 0, findingsSize(fs))
	for i := range fs {
		b = appendFinding(b, &fs[i], fs[i].Severity.String(), made)
	}
	w.Write(b)
}

// appendFinding appends f's line as Findings writes it, its severity
// spelt sev (coloured or not); made is its file's FixesMade.
func appendFinding(b []byte, f *fixers.Finding, sev string, made bool) []byte {
	b = append(b, f.Path...)
	b = append(b, ':')
	b = strconv.AppendInt(b, int64(f.Pos.Line), 10)
	b = append(b, ':')
	b = strconv.AppendInt(b, int64(f.Pos.Col), 10)
	b = append(b, ": "...)
	b = append(b, sev...)
	b = append(b, ": "...)
	b = append(b, f.Message...)
	b = append(b, " ["...)
	b = append(b, f.RuleID...)
	b = append(b, ']')
	b = append(b, note(f, made)...)
	return append(b, '\n')
}

// findingsSize is about the bytes Findings writes for fs, so that its
// buffer is allocated once.
func findingsSize(fs []fixers.Finding) int {
	n := 0
	for i := range fs {
		n += len(fs[i].Path) + len(fs[i].Message) + 64
	}
	return n
}

// verbs are how a summary words its changed files and fixes: a dry run
// wrote nothing, so its files would change and its fixes are to apply.
// The text summary line and the step summary share them, so that both say
// the same of the same run.
func (s Summary) verbs() (changed, fixes string) {
	if s.Write {
		return "changed", "applied"
	}
	return "would change", "to apply"
}

// SummaryLine writes the one-line summary that closes a text run.
func SummaryLine(w io.Writer, s Summary) {
	var b strings.Builder
	verb, fixVerb := s.verbs()
	fmt.Fprintf(&b, "composefix: %d %s scanned, %d %s", s.Files, plural.Noun(s.Files, "file"), s.Changed, verb)
	if s.Failed > 0 {
		fmt.Fprintf(&b, ", %d not processed", s.Failed) // as the step summary and the GitHub notice say
	}
	fmt.Fprintf(&b, "; %d %s %s", s.Applied, plural.Noun(s.Applied, "fix"), fixVerb)
	if s.Unsafe > 0 {
		fmt.Fprintf(&b, ", %d more with --unsafe-fixes", s.Unsafe)
	}
	fmt.Fprintf(&b, "; remaining findings: %d %s, %d %s, %d info",
		s.Errors, plural.Noun(s.Errors, "error"), s.Warnings, plural.Noun(s.Warnings, "warning"), s.Infos)
	if s.Lookups > 0 || s.CacheHits > 0 {
		fmt.Fprintf(&b, "; %d %s looked up (%d %s, %d cache %s)", s.Lookups, plural.Noun(s.Lookups, "image"),
			s.Requests, plural.Noun(s.Requests, "request"), s.CacheHits, plural.Noun(s.CacheHits, "hit"))
	}
	fmt.Fprintf(&b, " (%s)\n", s.Elapsed.Round(time.Millisecond))
	io.WriteString(w, b.String())
}
