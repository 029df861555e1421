package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/composefix/composefix/config"
	"github.com/composefix/composefix/fixers"
	"github.com/composefix/composefix/registry"
	"github.com/composefix/composefix/report"
	"github.com/urfave/cli/v2"
)

// updateRules are what `composefix update` runs: the bumps, and the images
// it could not check.
func updateRules() []string { return []string{"CF003", "CF004"} }

// updateCommand is `composefix update [PATH ...]`.
func updateCommand(out, errOut io.Writer) *cli.Command {
	var flags []cli.Flag
	for _, f := range fixFlags() {
		switch f.Names()[0] {
		case "select", "ignore", "unsafe-fixes": // update runs its own rules, all safe
		default:
			flags = append(flags, f)
		}
	}
	flags = append(flags,
		&cli.StringFlag{Name: "policy", Usage: "how far versions may move: patch, minor or major (default: update.policy in the config file, else minor)"},
		&cli.StringFlag{Name: "summary", Usage: "write a Markdown table of the bumps (image, from, to, files) to `FILE`, for a pull-request body"},
	)
	return &cli.Command{
		Name:      "update",
		Usage:     "bump pinned image versions within the update policy; a diff unless --write",
		ArgsUsage: "[PATH ...]",
		Flags:     flags,
		Action: func(c *cli.Context) error {
			s, err := readSettings(c)
			if err != nil {
				return err
			}
			if len(s.paths) == 1 && s.paths[0] == "-" {
				return usagef("update does not read stdin; name the files or directories")
			}
			if p := c.String("policy"); p != "" {
				pol, err := registry.ParsePolicy(p)
				if err != nil {
					return usagef("--policy: %v", err)
				}
				s.reg.policy = config.Policy(pol.String())
			}
			if s.rules, err = fixers.Select(fixers.Rules(), updateRules(), nil); err != nil {
				return err
			}
			s.fixers.Images.Update = true
			return update(c.Context, s, c.String("summary"), out, errOut)
		},
	}
}

// update runs the fix pipeline with the update rules: discover, load,
// resolve newer versions, bump, then print a diff or write, and the
// summary table when asked.
func update(ctx context.Context, s *settings, summaryPath string, out, errOut io.Writer) error {
	r := runFiles(ctx, s, errOut)
	if err := emit(s, r.results, r.sum, out, errOut); err != nil {
		return err
	}
	var summaryErr error
	if summaryPath != "" {
		table := bumpTable(bumps(s, r.inputs, r.results, r.resolved))
		if err := atomicWrite(summaryPath, []byte(table), 0o644); err != nil {
			summaryErr = fmt.Errorf("writing the summary: %w", err)
			fmt.Fprintf(errOut, "composefix: %v\n", summaryErr)
		}
	}
	return r.exit(s, errOut, summaryErr)
}

// bump is one row of the summary: an image moved from one version to
// another, in some files.
type bump struct {
	image, from, to string
	files           []string
}

// bumps lists the CF004 fixes that were applied (written, or shown in the
// diff), grouped by image and versions.
func bumps(s *settings, inputs []input, results []report.File, resolved fixers.Resolutions) []bump {
	rows := map[[3]string]*bump{}
	for i, r := range results {
		d := inputs[i].doc
		if d == nil || r.Err != nil {
			continue
		}
		applied := map[int]bool{}
		for _, f := range r.Findings {
			if f.RuleID == "CF004" && f.Applied {
				applied[f.Span.Start] = true
			}
		}
		for _, ref := range fixers.ImageRefs(d, s.fixers) {
			sp, err := d.NodeSpan(ref.Node)
			if err != nil || !applied[sp.Start] {
				continue
			}
			res := resolved[ref.Text]
			from, to := ref.Tag, ref.Tag
			if b, ok := fixers.PlanUpdate(ref, res, s.fixers.Pin); ok {
				to = b.To
			} else {
				from += "@" + shortDigest(ref.Digest)
				to += "@" + shortDigest(res.Digest)
			}
			key := [3]string{ref.Name, from, to}
			if rows[key] == nil {
				rows[key] = &bump{image: ref.Name, from: from, to: to}
			}
			if fs, p := rows[key].files, diffPath(r.Path); len(fs) == 0 || fs[len(fs)-1] != p {
				rows[key].files = append(rows[key].files, p)
			}
		}
	}
	out := make([]bump, 0, len(rows))
	for _, b := range rows {
		out = append(out, *b)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.image != b.image {
			return a.image < b.image
		}
		if a.from != b.from {
			return a.from < b.from
		}
		return a.to < b.to
	})
	return out
}

// bumpTable renders the summary for a pull-request body.
func bumpTable(rows []bump) string {
	if len(rows) == 0 {
		return "No newer image versions within the update policy.\n"
	}
	var b strings.Builder
	b.WriteString("| image | from | to | files |\n|---|---|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", mdCell(r.image), mdCell(r.from), mdCell(r.to), mdCell(strings.Join(r.files, ", ")))
	}
	return b.String()
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
