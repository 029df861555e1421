package pipeline

import (
	"fmt"
	"sort"
	"strings"

	"github.com/composefix/composefix/fixers"
)

// Bumps collects the version bumps `update` made (CF004 fixes written, or
// shown in the diff), grouped by image and versions, for the summary table
// of a pull request. Add it each file as the run hands it over.
type Bumps struct {
	config *fixers.Config
	rows   map[[3]string]*bump
}

// bump is one row of the summary: an image moved from one version to
// another, in some files.
type bump struct {
	image, from, to string
	files           []string
}

// NewBumps returns an empty collector for a run with configuration fc.
func NewBumps(fc *fixers.Config) *Bumps {
	return &Bumps{config: fc, rows: map[[3]string]*bump{}}
}

// Add records the bumps applied to one file.
func (b *Bumps) Add(f *File) {
	d := f.Doc
	if d == nil || f.Err != nil {
		return
	}
	applied := map[int]bool{}
	for _, fd := range f.Findings {
		if fd.RuleID == "CF004" && fd.Applied {
			applied[fd.Span.Start] = true
		}
	}
	if len(applied) == 0 {
		return
	}
	for _, ref := range fixers.ImageRefs(d, b.config) {
		sp, err := d.NodeSpan(ref.Node)
		if err != nil || !applied[sp.Start] {
			continue
		}
		res := f.Resolved[ref.Text]
		from, to := ref.Tag, ref.Tag
		if up, ok := fixers.PlanUpdate(ref, res, b.config.Pin); ok {
			to = up.To
		} else {
			from += "@" + shortDigest(ref.Digest)
			to += "@" + shortDigest(res.Digest)
		}
		key := [3]string{ref.Name, from, to}
		if b.rows[key] == nil {
			b.rows[key] = &bump{image: ref.Name, from: from, to: to}
		}
		if fs, p := b.rows[key].files, DiffPath(f.Path); len(fs) == 0 || fs[len(fs)-1] != p {
			b.rows[key].files = append(b.rows[key].files, p)
		}
	}
}

// Table renders the summary for a pull-request body: a Markdown table
// sorted by image and versions, or a sentence when nothing moved.
func (b *Bumps) Table() string {
	rows := make([]bump, 0, len(b.rows))
	for _, r := range b.rows {
		rows = append(rows, *r)
	}
	sort.Slice(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if a.image != b.image {
			return a.image < b.image
		}
		if a.from != b.from {
			return a.from < b.from
		}
		return a.to < b.to
	})
	if len(rows) == 0 {
		return "No newer image versions within the update policy.\n"
	}
	var sb strings.Builder
	sb.WriteString("| image | from | to | files |\n|---|---|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(&sb, "| %s | %s | %s | %s |\n", mdCell(r.image), mdCell(r.from), mdCell(r.to), mdCell(strings.Join(r.files, ", ")))
	}
	return sb.String()
}

// mdCell escapes what would break a Markdown table cell.
func mdCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

// shortDigest abbreviates a digest for the summary: "sha256:0123456789ab".
func shortDigest(d string) string {
	if alg, hex, ok := strings.Cut(d, ":"); ok && len(hex) > 12 {
		return alg + ":" + hex[:12]
	}
	return d
}
