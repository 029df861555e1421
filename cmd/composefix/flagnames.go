package main

import "github.com/urfave/cli/v2"

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
			out[i] = boolFlag{f, f.Names()}
			if f.DisableDefaultText || f.Hidden {
				out[i] = f // urfave/cli reads these from a *cli.BoolFlag only
			}
		case *cli.StringFlag:
			out[i] = stringFlag{f, f.Names()}
		case *cli.StringSliceFlag:
			out[i] = stringSliceFlag{f, f.Names()}
		case *cli.IntFlag:
			out[i] = intFlag{f, f.Names()}
		default:
			out[i] = f
		}
	}
	return out
}
