package report

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/fixers"
)

// GitHub writes one GitHub Actions workflow command per finding
// (::error, ::warning or ::notice for info) and one ::error per file that
// could not be processed, so that the Actions runner turns them into
// annotations on the pull request. Paths are as given on the command line;
// positions refer to each file's original bytes. The fix, when there is
// one, follows the message on a second line.
func GitHub(w io.Writer, files []File, opts ...Option) error {
	o := buildOptions(opts)
	var b strings.Builder
	for i := range files {
		f := &files[i]
		if f.Err != nil {
			githubFileError(&b, f)
			continue
		}
		for _, fd := range f.Findings {
			_, cmd := levelOf(fd.Severity)
			props := [][2]string{{"file", fd.Path}}
			if start, end := span(fd.Pos, fd.End); start.Line > 0 {
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
			props = append(props, [2]string{"title", title})
			writeCommand(&b, cmd, props, fd.Message+fixNote(fd))
		}
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("writing GitHub workflow commands: %w", err)
	}
	return nil
}

// fixNote is the line about a finding's fix added under its message.
func fixNote(fd fixers.Finding) string {
	switch {
	case fd.Fix == nil:
		return ""
	case fd.Applied:
		return "\nfix: " + fd.Fix.Title
	case fd.Fix.Safety == fixers.Unsafe:
		return "\nfix with --unsafe-fixes: " + fd.Fix.Title
	case fd.Fix.Safety == fixers.DisplayOnly:
		return "\nsuggestion: " + fd.Fix.Title
	}
	return "\nfix: " + fd.Fix.Title
}

func githubFileError(b *strings.Builder, f *File) {
	props := [][2]string{{"file", f.Path}}
	msg := f.Err.Error()
	var pe *compose.PosError
	if errors.As(f.Err, &pe) && pe.Line > 0 {
		props = append(props, [2]string{"line", strconv.Itoa(pe.Line)}, [2]string{"col", strconv.Itoa(max(pe.Col, 1))})
		msg = pe.Msg
		if pe.Err != nil {
			msg += ": " + pe.Err.Error()
		}
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
