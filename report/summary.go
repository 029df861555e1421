package report

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/composefix/composefix/fixers"
)

// MaxSummaryDiff bounds the diff in a step summary, in bytes: GitHub
// accepts up to 1 MiB of summary per step.
const MaxSummaryDiff = 512 << 10

// StepSummary writes a Markdown summary of a run for GitHub's job summary
// (the file GITHUB_STEP_SUMMARY names): the counts, worded as the text
// summary line words them, a table of findings per rule (how many, how
// many fixed or, in a dry run, to apply, as the summary line and the
// findings' notes say), and diff, the run's unified diff,
// in a collapsible block.
func StepSummary(w io.Writer, files []File, sum Summary, diff string, opts ...Option) error {
	o := buildOptions(opts)
	var b strings.Builder
	b.WriteString("### composefix\n\n")
	verb, fixVerb := sum.verbs()
	fmt.Fprintf(&b, "%s scanned, %d %s", count(sum.Files, "file"), sum.Changed, verb)
	if sum.Failed > 0 {
		fmt.Fprintf(&b, ", %d not processed", sum.Failed)
	}
	fmt.Fprintf(&b, "; %s %s", count(sum.Applied, "fix"), fixVerb)
	if sum.Unsafe > 0 {
		fmt.Fprintf(&b, ", %d more with `--unsafe-fixes`", sum.Unsafe)
	}
	fmt.Fprintf(&b, "; remaining: %s, %s, %d info.\n\n", count(sum.Errors, "error"), count(sum.Warnings, "warning"), sum.Infos)
	type row struct {
		id, name string
		sev      fixers.Severity
		n, fixed int
	}
	rows := map[string]*row{}
	for _, f := range files {
		for _, fd := range f.Findings {
			r := rows[fd.RuleID]
			if r == nil {
				r = &row{id: fd.RuleID, sev: fd.Severity}
				if rule := o.rule(fd.RuleID); rule != nil {
					r.name = rule.Name
				}
				rows[fd.RuleID] = r
			}
			r.sev = max(r.sev, fd.Severity)
			r.n++
			if fd.Applied {
				r.fixed++
			}
		}
	}
	if len(rows) > 0 {
		list := make([]*row, 0, len(rows))
		for _, r := range rows {
			list = append(list, r)
		}
		sort.Slice(list, func(i, j int) bool {
			if list[i].sev != list[j].sev {
				return list[i].sev > list[j].sev
			}
			return list[i].id < list[j].id
		})
		// In a dry run nothing is fixed yet: the column counts the fixes
		// to apply, worded as the summary line and the annotations word them.
		fixed := "fixed"
		if !sum.Write {
			fixed = "to apply"
		}
		fmt.Fprintf(&b, "| rule | name | severity | findings | %s |\n|---|---|---|---:|---:|\n", fixed)
		for _, r := range list {
			fmt.Fprintf(&b, "| %s | %s | %s | %d | %d |\n", r.id, r.name, r.sev, r.n, r.fixed)
		}
		b.WriteString("\n")
	}
	if diff != "" {
		note := ""
		if len(diff) > MaxSummaryDiff {
			cut := strings.LastIndexByte(diff[:MaxSummaryDiff], '\n') + 1
			note = fmt.Sprintf("\n(diff cut at %d of %d bytes; run composefix to see it whole)\n", cut, len(diff))
			diff = diff[:cut]
		}
		fence := "```"
		for strings.Contains(diff, fence) {
			fence += "`"
		}
		fmt.Fprintf(&b, "<details><summary>Diff (%s)</summary>\n\n%sdiff\n%s%s\n</details>\n%s\n", count(sum.Changed, "file"), fence, diff, fence, note)
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("writing the step summary: %w", err)
	}
	return nil
}
