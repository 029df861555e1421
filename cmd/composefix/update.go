package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/composefix/composefix/fixers"
	"github.com/composefix/composefix/internal/plural"

	"github.com/urfave/cli/v2"

	"github.com/composefix/composefix/config"
	"github.com/composefix/composefix/pipeline"
	"github.com/composefix/composefix/registry"
)

// updateRules are what `composefix update` runs: the bumps, the images it
// could not check, and those the registry does not have.
func updateRules() []string { return []string{"CF003", "CF004", "CF006"} }

// updateCommand is `composefix update [PATH ...]`.
func updateCommand(out, errOut io.Writer, h hooks) *cli.Command {
	var flags []cli.Flag
	// Wrapped first: a bare urfave/cli flag's Names runs a regular
	// expression, about 1.4% of a --version process's CPU (issue 14).
	for _, f := range cachedNames(fixFlags()) {
		switch f.Names()[0] {
		case "select":
			flags = append(flags, &cli.StringFlag{Name: "select", Usage: "also run these rules: CF001 pins floating tags, which update otherwise only reports"})
		case "ignore", "unsafe-fixes": // update runs its own rules, all safe
		default:
			flags = append(flags, f)
		}
	}
	flags = append(flags,
		&cli.StringFlag{Name: "policy", Usage: "how far versions may move: patch, minor or major (default: update.policy in the config file, else minor)"},
		&cli.StringFlag{Name: "min-age", Usage: "adopt only releases at least `DURATION` old, such as 3d or 12h (default: update.min_age in the config file, else none)"},
		&cli.StringFlag{Name: "summary", Usage: "write a Markdown table of the updates (image, type, versions, release date, files, links) to `FILE`, for a pull-request body"},
		&cli.StringFlag{Name: "plan", Usage: "write the updates as a JSON plan of pull-request groups (files, patch, summary, branch) to `FILE`; nothing is written"},
		&cli.StringFlag{Name: "apply-group", Usage: "apply only the updates of the plan group `NAME` (see --plan)"},
	)
	return &cli.Command{
		Name:      "update",
		Usage:     "bump pinned image versions within the update policy; a diff unless --write",
		ArgsUsage: "[PATH ...]",
		Flags:     cachedNames(flags),
		Action: func(c *cli.Context) error {
			ctx, arm, stop := interruptible(c.Context)
			defer stop()
			arm() // update asks the registry for every image
			s, err := readSettings(c, updateFlags)
			if err != nil {
				return err
			}
			s.hooks = h
			u := updateRun{summary: c.String("summary"), plan: c.String("plan"), group: c.String("apply-group")}
			if (u.plan != "" || u.group != "") && s.fixers.Images.PinFloating {
				return usagef("--select CF001 pins are not grouped; pin floating tags in a run of their own first")
			}
			return update(ctx, s, u, out, errOut)
		},
	}
}

// updateFlags reads update's own flags into s before its configuration
// is read (readSettings reports their errors with the configuration's):
// its rules, and the --policy and --min-age that replace the file's; and
// checks the flags that do not go together.
func updateFlags(c *cli.Context, s *settings) error {
	var errs []error
	if s.stdin() {
		errs = append(errs, usagef("update does not read stdin; name the files or directories"))
	}
	switch plan := c.String("plan"); {
	case plan != "" && c.String("apply-group") != "":
		errs = append(errs, usagef("--plan and --apply-group do not go together: plan first, then apply one group per branch"))
	case plan != "" && s.write:
		errs = append(errs, usagef("--plan writes no compose file; drop --write"))
	}
	if p := c.String("policy"); p != "" {
		if pol, err := registry.ParsePolicy(p); err != nil {
			errs = append(errs, usagef("--policy: %v", err))
		} else {
			s.reg.policy = config.Policy(pol.String())
		}
	}
	if a := c.String("min-age"); a != "" {
		if age, err := config.ParseAge(a); err != nil {
			errs = append(errs, usagef("--min-age: %v", err))
		} else {
			s.reg.minAge = &age
		}
	}
	s.updateRun, s.updateSelect = true, updateRules()
	if c.String("select") != "" {
		extra, err := fixers.Select(fixers.Rules(), splitList(c.String("select")), nil)
		if err != nil {
			errs = append(errs, usagef("--select: %v", err))
		}
		for _, r := range extra {
			if r.ID != "CF001" {
				errs = append(errs, usagef("--select %s: update runs CF001 besides its own rules, nothing else", r.ID))
			}
		}
		if len(extra) > 0 && len(errs) == 0 { // CF001, and nothing else
			s.updateSelect = append(s.updateSelect, "CF001")
		}
	}
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	return &usageError{errors.Join(errs...)}
}

// updateRun is what an update writes besides the files.
type updateRun struct {
	summary string // Markdown summary file
	plan    string // JSON plan file
	group   string // the one group to apply
}

// update runs the fix pipeline with the update rules: discover, load,
// resolve newer versions, bump, then print a diff or write, and the
// summary when asked; or writes the plan of groups.
func update(ctx context.Context, s *settings, u updateRun, out, errOut io.Writer) error {
	groupBy := s.reg.update.GroupBy
	if u.plan != "" {
		groups, errs := s.groups()
		total := pipeline.Result{DiscoverErrs: errs}
		for _, err := range errs {
			var ue *usageError
			if errors.As(err, &ue) {
				return err
			}
			fmt.Fprintf(errOut, "%v\n", err)
			// The plan has no place for files' errors: stderr lists
			// those an invalid configuration kept out of it, as the
			// text format does.
			var ce *configError
			if errors.As(err, &ce) {
				ce.printNotProcessed(errOut)
			}
		}
		var runs []pipeline.Options
		for _, g := range groups {
			o := g.options(errOut)
			runs = append(runs, o)
		}
		plan, rs := pipeline.MakePlan(ctx, runs, groupBy)
		for _, r := range rs {
			total = addResult(total, r)
		}
		r := total
		b, err := json.MarshalIndent(plan, "", "  ")
		if err == nil {
			err = pipeline.AtomicWrite(u.plan, append(b, '\n'), 0o644)
		}
		if err != nil {
			err = fmt.Errorf("writing the plan: %w", err)
			fmt.Fprintf(errOut, "composefix: %v\n", err)
		} else {
			fmt.Fprintf(errOut, "composefix: %d update %s in the plan\n", len(plan.Groups), plural.Noun(len(plan.Groups), "group"))
		}
		return exit(s, r, errOut, err)
	}
	var updates []pipeline.Update
	if u.group != "" {
		s.restrict = pipeline.OnlyGroup(u.group, groupBy)
	}
	r, extra, err := runFiles(ctx, s, out, errOut, func(f *pipeline.File) {
		for _, up := range f.Updates {
			if u.group == "" || pipeline.GroupName(up, groupBy) == u.group {
				updates = append(updates, up)
			}
		}
	})
	if err != nil {
		return err
	}
	if u.group != "" && len(updates) == 0 && r.RegistryErr == nil {
		err := errors.New("no update belongs to group " + u.group + "; `update --plan` lists the groups")
		fmt.Fprintf(errOut, "composefix: %v\n", err)
		extra = errors.Join(extra, err)
	}
	if u.summary != "" {
		if err := pipeline.AtomicWrite(u.summary, []byte(pipeline.Summary(updates)), 0o644); err != nil {
			err = fmt.Errorf("writing the summary: %w", err)
			fmt.Fprintf(errOut, "composefix: %v\n", err)
			extra = errors.Join(extra, err)
		}
	}
	return exit(s, r, errOut, extra)
}

// minAgeFor returns the minimum release age of an image: the first
// update.images entry matching it that sets min_age, else --min-age, else
// update.min_age, else none.
func (rs registrySettings) minAgeFor(r fixers.ImageRef) time.Duration {
	for _, ip := range rs.update.Images {
		if ip.HasMinAge && fixers.MatchImage(ip.Pattern, r) {
			return ip.MinAge
		}
	}
	if rs.minAge != nil {
		return *rs.minAge
	}
	return rs.update.MinAge
}
