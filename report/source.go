package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/composefix/composefix/fixers"
)

// ANSI colours for terminal output, by severity.
const (
	colorReset   = "\x1b[0m"
	colorError   = "\x1b[1;31m"
	colorWarning = "\x1b[1;33m"
	colorInfo    = "\x1b[1;36m"
)

// FindingsWithSource writes f's findings as Findings does, each followed by
// its source line and a caret underline of its range, as a terminal shows
// them. With color, the severity and the underline are coloured. A finding
// about the whole file (line 0) gets no source line.
func FindingsWithSource(w io.Writer, f *File, color bool) {
	idx := newLineIndex(f.Original)
	var b strings.Builder
	b.Grow(findingsSize(f.Findings) + 160*len(f.Findings)) // each has two more lines, the source and the carets
	var line []byte
	for _, fd := range f.Findings {
		sev := fd.Severity.String()
		paint := ""
		if color {
			paint = severityColor(fd.Severity)
			sev = paint + sev + colorReset
		}
		line = appendFinding(line[:0], &fd, sev, f.FixesMade())
		b.Write(line)
		start, end := span(fd.Pos, fd.End)
		if start.Line < 1 || start.Line > len(idx.starts) {
			continue
		}
		text := idx.line(start.Line)
		runes := []rune(text)
		from := min(max(start.Col-1, 0), len(runes))
		to := len(runes)
		if end.Line == start.Line {
			to = min(max(end.Col-1, from), len(runes))
		}
		width := max(to-from, 1)
		// Keep tabs under tabs so the carets line up however wide they are.
		var pad strings.Builder
		for _, r := range runes[:from] {
			if r == '\t' {
				pad.WriteByte('\t')
			} else {
				pad.WriteByte(' ')
			}
		}
		num := fmt.Sprint(start.Line)
		gutter := strings.Repeat(" ", len(num))
		carets := strings.Repeat("^", width)
		if color {
			carets = paint + carets + colorReset
		}
		fmt.Fprintf(&b, " %s | %s\n %s | %s%s\n", num, text, gutter, pad.String(), carets)
	}
	io.WriteString(w, b.String())
}

// Notes Findings adds to an applied finding: its fix was made (FixesMade),
// or it is in the diff, to apply, as the summary line counts it.
const (
	noteFixed   = " (fixed)"
	noteToApply = " (fix to apply)"
)

// note is the suffix Findings adds for applied and unsafe-fixable
// findings; made is the file's FixesMade.
func note(f *fixers.Finding, made bool) string {
	switch {
	case f.Applied && made:
		return noteFixed
	case f.Applied:
		return noteToApply
	case f.Fix != nil && f.Fix.Safety == fixers.Unsafe:
		return " (fix available with --unsafe-fixes)"
	}
	return ""
}

func severityColor(s fixers.Severity) string {
	switch s {
	case fixers.Error:
		return colorError
	case fixers.Warning:
		return colorWarning
	}
	return colorInfo
}

// line returns the text of 1-based line n without its line ending.
func (x *lineIndex) line(n int) string {
	start := x.starts[n-1]
	end := len(x.src)
	if n < len(x.starts) {
		end = x.starts[n]
	}
	return strings.TrimRight(string(x.src[start:end]), "\r\n")
}
