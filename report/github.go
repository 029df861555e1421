package report

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/composefix/composefix/fixers"
	"github.com/composefix/composefix/internal/plural"
)

// GitHub writes GitHub Actions workflow commands that the runner turns into
// annotations on the pull request. GitHub shows only the first ten
// annotations of each level per step, so the output is ordered and grouped
// to make those count: first a notice with the counts, then one ::error per
// file that could not be processed (on no file for a path given that names
// none, File.NoFile), then the findings by severity (errors
// first), one annotation per rule and file at the rule's first finding in
// the file, naming the other lines it applies to. Paths are as given on the
// command line; positions refer to each file's original bytes. The fix,
// when there is one, follows the message. The annotations about a File
// with NoFile (a document on stdin with no name) name no file, since
// GitHub places an annotation only on a file of the commit: their message
// starts with the path and position, as the text format's findings do.
//
// The notice counts every finding by severity, those a fix resolves
// included, because each of them has an annotation; Summary's Errors,
// Warnings and Infos (the text summary line and the step summary's
// "remaining") count only the findings left after the fixes.
func GitHub(w io.Writer, files []File, opts ...Option) error {
	o := buildOptions(opts)
	var b strings.Builder
	type group struct {
		first  *fixers.Finding
		lines  []int // of the other findings
		n      int
		noFile bool // File.NoFile: annotated on no file
		made   bool // File.FixesMade: an applied fix is "fixed", else "to apply"
	}
	var groups []*group
	index := map[string]*group{}
	var counts [3]int // by severity
	failed, configs := 0, 0
	for i := range files {
		f := &files[i]
		switch {
		case f.Err != nil && f.Config:
			configs++ // annotated, but not a compose file
		case f.Err != nil:
			failed++ // a refused write still has its findings
		}
		for j := range f.Findings {
			fd := &f.Findings[j]
			counts[fd.Severity]++
			key := fmt.Sprint(fd.Severity, "\x00", fd.RuleID, "\x00", fd.Path)
			g := index[key]
			if g == nil {
				g = &group{first: fd, noFile: f.NoFile, made: f.FixesMade()}
				index[key] = g
				groups = append(groups, g)
			} else {
				g.lines = append(g.lines, fd.Pos.Line)
			}
			g.n++
		}
	}
	total := fmt.Sprintf("%s, %s, %s", count(counts[fixers.Error], "error"), count(counts[fixers.Warning], "warning"), count(counts[fixers.Info], "notice"))
	if failed > 0 {
		total += fmt.Sprintf("; %s not processed", count(failed, "file"))
	}
	if configs > 0 {
		total += fmt.Sprintf("; %s invalid", count(configs, "configuration"))
	}
	total += fmt.Sprintf(" (%s, by rule and file)", count(len(groups)+failed+configs, "annotation"))
	writeCommand(&b, "notice", [][2]string{{"title", "composefix"}}, total)
	for i := range files {
		if files[i].Err != nil {
			githubFileError(&b, &files[i], files)
		}
	}
	sort.SliceStable(groups, func(i, j int) bool { return groups[i].first.Severity > groups[j].first.Severity })
	for _, g := range groups {
		fd := g.first
		_, cmd := levelOf(fd.Severity)
		var props [][2]string
		prefix := "" // where, when no property says it
		if start, end := span(fd.Pos, fd.End); g.noFile {
			// The message names the input and position, as the text
			// format's finding does.
			prefix = fd.Path + ": "
			if start.Line > 0 {
				prefix = fmt.Sprintf("%s:%d:%d: ", fd.Path, start.Line, start.Col)
			}
		} else if props = append(props, [2]string{"file", fd.Path}); start.Line > 0 {
			props = append(props, [2]string{"line", strconv.Itoa(start.Line)})
			if end.Line != start.Line {
				// GitHub ignores columns on annotations spanning lines.
				props = append(props, [2]string{"endLine", strconv.Itoa(end.Line)})
			} else {
				props = append(props,
					[2]string{"col", strconv.Itoa(start.Col)},
					[2]string{"endLine", strconv.Itoa(end.Line)},
					// GitHub's endColumn is inclusive; ours is exclusive.
					[2]string{"endColumn", strconv.Itoa(max(start.Col, end.Col-1))})
			}
		}
		title := fd.RuleID
		if r := o.rule(fd.RuleID); r != nil {
			title += " " + r.Name
		}
		msg := prefix + fd.Message + fixNote(fd, g.made)
		if g.n > 1 {
			title += fmt.Sprintf(" (%d in this file)", g.n)
			msg += "\nalso at " + lineList(g.lines)
		}
		props = append(props, [2]string{"title", title})
		writeCommand(&b, cmd, props, msg)
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("writing GitHub workflow commands: %w", err)
	}
	return nil
}

// count is "1 error", "3 errors".
func count(n int, word string) string { return strconv.Itoa(n) + " " + plural.Noun(n, word) }

// lineList names lines: "line 7", "lines 7, 9 and 12", each once.
func lineList(lines []int) string {
	var ls []string
	seen := map[int]bool{}
	for _, l := range lines {
		if l > 0 && !seen[l] {
			seen[l] = true
			ls = append(ls, strconv.Itoa(l))
		}
	}
	switch len(ls) {
	case 0:
		return "other places in the file"
	case 1:
		return "line " + ls[0]
	}
	return "lines " + strings.Join(ls[:len(ls)-1], ", ") + " and " + ls[len(ls)-1]
}

// fixNote is the line about a finding's fix added under its message,
// worded as the text format's note: "fixed" when the fix was made (made:
// the file's FixesMade), "fix to apply" when it is in the run's diff; a
// fix the run did not apply is only named.
func fixNote(fd *fixers.Finding, made bool) string {
	switch {
	case fd.Fix == nil:
		return ""
	case fd.Applied && made:
		return "\nfixed: " + fd.Fix.Title
	case fd.Applied:
		return "\nfix to apply: " + fd.Fix.Title
	case fd.Fix.Safety == fixers.Unsafe:
		return "\nfix with --unsafe-fixes: " + fd.Fix.Title
	case fd.Fix.Safety == fixers.DisplayOnly:
		return "\nsuggestion: " + fd.Fix.Title
	}
	return "\nfix: " + fd.Fix.Title
}

func githubFileError(b *strings.Builder, f *File, files []File) {
	path, msg, pe := fileErrorAt(f, files)
	var props [][2]string
	switch {
	case f.NoFile:
		msg = f.Err.Error() // names the path, which no property does
	case pe != nil:
		props = append(props, [2]string{"file", path}, [2]string{"line", strconv.Itoa(pe.Line)}, [2]string{"col", strconv.Itoa(max(pe.Col, 1))})
	default:
		props = append(props, [2]string{"file", path})
	}
	props = append(props, [2]string{"title", "composefix"})
	writeCommand(b, "error", props, msg)
}

// writeCommand writes "::cmd k=v,k=v::message" with GitHub's escaping.
func writeCommand(b *strings.Builder, cmd string, props [][2]string, msg string) {
	b.WriteString("::")
	b.WriteString(cmd)
	for i, p := range props {
		if i == 0 {
			b.WriteByte(' ')
		} else {
			b.WriteByte(',')
		}
		b.WriteString(p[0])
		b.WriteByte('=')
		b.WriteString(escapeProperty(p[1]))
	}
	b.WriteString("::")
	b.WriteString(escapeData(msg))
	b.WriteByte('\n')
}

// escapeData escapes a workflow command's message as the Actions runner
// expects (see @actions/core's command.ts).
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a workflow command's property value: the data
// escapes plus ':' and ','.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
