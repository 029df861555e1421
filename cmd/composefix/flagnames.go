package main

import (
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

// urfave/cli computes a flag's names with a regular expression on every
// Names call, and finds a flag by scanning every flag's names: before an
// action runs it asks IsSet of each flag, which scans the flags before it,
// so a run made about a thousand Names calls (3% of a 3-line file's whole
// process, issue 14). The types below compute the names once. Each embeds
// the urfave/cli flag, so every other method, and every interface the
// flag implements (help, completion, categories), is the flag's own.

type (
	boolFlag struct {
		*cli.BoolFlag
		names []string
	}
	stringFlag struct {
		*cli.StringFlag
		names []string
	}
	stringSliceFlag struct {
		*cli.StringSliceFlag
		names []string
	}
	intFlag struct {
		*cli.IntFlag
		names []string
	}
)

func (f boolFlag) Names() []string        { return f.names }
func (f stringFlag) Names() []string      { return f.names }
func (f stringSliceFlag) Names() []string { return f.names }
func (f intFlag) Names() []string         { return f.names }

// cachedNames returns flags with each flag's names computed once. A flag
// of another type is kept as it is, and so is a bool flag whose help or
// completion urfave/cli decides by its concrete type.
func cachedNames(flags []cli.Flag) []cli.Flag {
	out := make([]cli.Flag, len(flags))
	for i, f := range flags {
		switch f := f.(type) {
		case *cli.BoolFlag:
			out[i] = boolFlag{f, flagNames(f.Name, f.Aliases)}
			if f.DisableDefaultText || f.Hidden {
				out[i] = f // urfave/cli reads these from a *cli.BoolFlag only
			}
		case *cli.StringFlag:
			out[i] = stringFlag{f, flagNames(f.Name, f.Aliases)}
		case *cli.StringSliceFlag:
			out[i] = stringSliceFlag{f, flagNames(f.Name, f.Aliases)}
		case *cli.IntFlag:
			out[i] = intFlag{f, flagNames(f.Name, f.Aliases)}
		default:
			out[i] = f
		}
	}
	return out
}

// flagNames is cli.FlagNames(name, aliases) without its regular
// expression, which cuts each name at its first comma or space (the v1
// form "name, n"): a name with neither is itself, and computing the
// names of every flag of every command with the expression cost about 1%
// of a 3-line file's whole process (issue 14).
func flagNames(name string, aliases []string) []string {
	if strings.ContainsAny(name, ", ") || slices.ContainsFunc(aliases, func(a string) bool { return strings.ContainsAny(a, ", ") }) {
		return cli.FlagNames(name, aliases)
	}
	return append([]string{name}, aliases...)
}
