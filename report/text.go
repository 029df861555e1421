package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/composefix/composefix/fixers"
)

// Findings writes findings as "path:line:col: severity: message [ID]", one
// per line, with a note for fixed ones and ones fixable with --unsafe-fixes.
func Findings(w io.Writer, fs []fixers.Finding) {
	for _, f := range fs {
		note := ""
		switch {
		case f.Applied:
			note = " (fixed)"
		case f.Fix != nil && f.Fix.Safety == fixers.Unsafe:
			note = " (fix available with --unsafe-fixes)"
		}
		fmt.Fprintf(w, "%s:%d:%d: %s: %s [%s]%s\n", f.Path, f.Pos.Line, f.Pos.Col, f.Severity, f.Message, f.RuleID, note)
	}
}

// SummaryLine writes the one-line summary that closes a text run.
func SummaryLine(w io.Writer, s Summary) {
	var b strings.Builder
	verb, fixVerb := "would change", "to apply"
	if s.Write {
		verb, fixVerb = "changed", "applied"
	}
	fmt.Fprintf(&b, "composefix: %d %s scanned, %d %s", s.Files, plural(s.Files, "file"), s.Changed, verb)
	if s.Failed > 0 {
		fmt.Fprintf(&b, ", %d failed", s.Failed)
	}
	fmt.Fprintf(&b, "; %d %s %s", s.Applied, plural(s.Applied, "fix"), fixVerb)
	if s.Unsafe > 0 {
		fmt.Fprintf(&b, ", %d more with --unsafe-fixes", s.Unsafe)
	}
	fmt.Fprintf(&b, "; remaining findings: %d %s, %d %s, %d info",
		s.Errors, plural(s.Errors, "error"), s.Warnings, plural(s.Warnings, "warning"), s.Infos)
	if s.Lookups > 0 || s.CacheHits > 0 {
		fmt.Fprintf(&b, "; %d %s looked up (%d %s, %d cache %s)", s.Lookups, plural(s.Lookups, "image"),
			s.Requests, plural(s.Requests, "request"), s.CacheHits, plural(s.CacheHits, "hit"))
	}
	fmt.Fprintf(&b, " (%s)\n", s.Elapsed.Round(time.Millisecond))
	io.WriteString(w, b.String())
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	if strings.HasSuffix(word, "x") {
		return word + "es"
	}
	return word + "s"
}
