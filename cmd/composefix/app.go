package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/composefix/composefix/fixers"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"
)

func newApp(in io.Reader, out, errOut io.Writer, h hooks) *cli.App {
	app := &cli.App{
		Name:      "composefix",
		Usage:     "fix Docker Compose files for production and show the changes as a diff",
		UsageText: "composefix [flags] [PATH ...]\ncomposefix -          (stdin to stdout)\ncomposefix rules | explain RULE",
		Version:   currentVersion(),
		// Setup fills a zero Compiled by a stat of the executable, a
		// system call on every run for a field nothing prints: no help
		// template of ours shows it, and urfave/cli's own read it
		// nowhere. Any non-zero time skips the stat (issue 14).
		Compiled:  time.Unix(0, 0),
		Reader:    in,
		Writer:    out,
		ErrWriter: errOut,
		Flags:     cachedNames(fixFlags()),
		// A usage error (unknown flag) exits 2 with the message on stderr.
		OnUsageError: func(_ *cli.Context, err error, _ bool) error { return usagef("%v", err) },
		Action: func(c *cli.Context) error {
			ctx, arm, stop := interruptible(c.Context)
			defer stop()
			s, err := readSettings(c, nil)
			if err != nil {
				return err // with `-`, run echoes the input, unread
			}
			// Writing files needs the handler from the start; the
			// registry arms it before it reaches out (WithBeforeNetwork).
			s.armInterrupt, s.hooks = arm, h
			if s.write {
				arm()
			}
			return fix(ctx, s, in, out, errOut)
		},
		Commands: []*cli.Command{
			{
				Name:  "rules",
				Usage: "list the rules: ID, name, safety, summary",
				Action: func(c *cli.Context) error {
					if err := noArgs(c); err != nil {
						return err
					}
					return printRules(out)
				},
			},
			{
				Name:      "explain",
				Usage:     "print a rule's documentation with a before/after example",
				ArgsUsage: "RULE",
				Action: func(c *cli.Context) error {
					if c.NArg() != 1 {
						return usagef("explain takes one rule ID or name, got %d arguments", c.NArg())
					}
					return explain(out, c.Args().First())
				},
			},
			{
				Name:  "version",
				Usage: "print composefix's version",
				Action: func(c *cli.Context) error {
					if err := noArgs(c); err != nil {
						return err
					}
					return writeOut(out, "composefix version "+c.App.Version+"\n")
				},
			},
			updateCommand(out, errOut, h),
			completionCommand(out),
			initCommand(out),
		},
		EnableBashCompletion: true,
		Suggest:              true,
	}
	return app
}

func fixFlags() []cli.Flag {
	flags := []cli.Flag{
		&cli.BoolFlag{Name: "write", Aliases: []string{"w"}, Usage: "rewrite files in place (atomic)"},
		&cli.BoolFlag{Name: "check", Usage: "exit 1 if anything would change or an error-level finding remains"},
		&cli.StringSliceFlag{Name: "file", Aliases: []string{"f"}, Usage: "files that form one project, merged in order (repeatable)"},
		&cli.StringFlag{Name: "project-directory", Usage: "the -f project's directory, whose .env it reads (default: the first -f file's, as docker compose)"},
		&cli.StringFlag{Name: "format", Value: "text", Usage: "output format: " + strings.Join(formats(), ", ")},
		&cli.StringFlag{Name: "select", Usage: "rule IDs, ID prefixes or names to run, comma separated"},
		&cli.StringFlag{Name: "ignore", Usage: "rule IDs, ID prefixes or names to skip, comma separated"},
		&cli.BoolFlag{Name: "unsafe-fixes", Usage: "also apply fixes that can change behaviour"},
		&cli.StringFlag{Name: "config", Usage: "configuration file for every file (default: each file's nearest .composefix.yaml, up to the repository root)"},
		&cli.StringSliceFlag{Name: "exclude", Usage: "leave out paths matching `PATTERN` (.gitignore syntax, relative to the working directory; repeatable)"},
		&cli.BoolFlag{Name: "no-color", Usage: "never colour the output"},
		&cli.StringFlag{Name: "stdin-filename", Usage: "with -, the `PATH` the document on stdin stands for: findings name it, and its configuration and project (a base beside an override) apply"},
	}
	return append(flags, registryFlags()...)
}

// noArgs refuses an argument to a command that takes none: ignoring it
// would hide a typo (a rule meant for explain, a path meant for a fix run).
func noArgs(c *cli.Context) error {
	if c.NArg() > 0 {
		return usagef("%s takes no arguments, got %q", c.Command.Name, c.Args().First())
	}
	return nil
}

// printRules writes the rule table; the error is stdout's, as for every
// product.
func printRules(out io.Writer) error {
	var b strings.Builder
	for _, r := range fixers.Rules() {
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\n", r.ID, r.Name, r.Safety, r.Summary)
	}
	return writeOut(out, b.String())
}

// writeOut writes a product to stdout and names the failure.
func writeOut(out io.Writer, s string) error {
	if _, err := io.WriteString(out, s); err != nil {
		return fmt.Errorf("writing stdout: %w", err)
	}
	return nil
}

func explain(out io.Writer, token string) error {
	for _, r := range fixers.Rules() {
		if strings.EqualFold(r.ID, token) || strings.EqualFold(r.Name, token) {
			return writeOut(out, fmt.Sprintf("%s %s (%s, %s)\n\n%s\n", r.ID, r.Name, r.Safety, r.Severity, r.Doc))
		}
	}
	return usagef("unknown rule %q; `composefix rules` lists them", token)
}

// isTerminal reports whether w is a terminal. A character device need not
// be one: /dev/null is, and a run whose output is thrown away there (a
// benchmark, `2>/dev/null`) would format source lines and carets for
// nobody. The fd is read through SyscallConn: File.Fd would switch the
// file to blocking mode.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	sc, err := f.SyscallConn()
	if err != nil {
		return false
	}
	tty := false
	if err := sc.Control(func(fd uintptr) { tty = term.IsTerminal(int(fd)) }); err != nil {
		return false
	}
	return tty
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
