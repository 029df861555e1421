package main

import (
	"context"
	"fmt"
	"io"

	"github.com/composefix/composefix/config"
	"github.com/composefix/composefix/pipeline"
	"github.com/composefix/composefix/registry"
	"github.com/urfave/cli/v2"
)

// updateRules are what `composefix update` runs: the bumps, the images it
// could not check, and those the registry does not have.
func updateRules() []string { return []string{"CF003", "CF004", "CF006"} }

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
			s.updateRun = true
			if err := s.configure(s, s.configFile); err != nil {
				return err
			}
			return update(c.Context, s, c.String("summary"), out, errOut)
		},
	}
}

// update runs the fix pipeline with the update rules: discover, load,
// resolve newer versions, bump, then print a diff or write, and the
// summary table when asked.
func update(ctx context.Context, s *settings, summaryPath string, out, errOut io.Writer) error {
	bumps := pipeline.NewBumps(s.fixers)
	r, err := runFiles(ctx, s, out, errOut, bumps.Add)
	if err != nil {
		return err
	}
	var summaryErr error
	if summaryPath != "" {
		if err := pipeline.AtomicWrite(summaryPath, []byte(bumps.Table()), 0o644); err != nil {
			summaryErr = fmt.Errorf("writing the summary: %w", err)
			fmt.Fprintf(errOut, "composefix: %v\n", summaryErr)
		}
	}
	return exit(s, r, errOut, summaryErr)
}
