package main

import (
	"maps"
	"os"
	"strings"

	"github.com/composefix/composefix/internal/suggest"
	"github.com/urfave/cli/v2"
)

// flagSet is what interspersed needs to know of a command's flags.
type flagSet struct {
	value map[string]bool // name or alias -> takes a value
	names []string        // long names, for suggestions
}

func flagsOf(flags []cli.Flag) flagSet {
	fs := flagSet{value: map[string]bool{"h": false, "help": false}}
	for _, f := range flags {
		takes := false
		if d, ok := f.(cli.DocGenerationFlag); ok {
			takes = d.TakesValue()
		}
		names := f.Names() // urfave/cli recomputes them with a regexp on each call
		for _, n := range names {
			fs.value[n] = takes
		}
		fs.names = append(fs.names, names[0])
	}
	return fs
}

func (fs flagSet) has(name string) bool { _, ok := fs.value[name]; return ok }

// argument is one command-line argument, with the value that follows a
// flag that takes one.
type argument struct {
	flag  string // the flag's name without dashes and value; "" for a positional
	words []string
}

// interspersed rearranges args so that urfave/cli, which stops reading
// flags at the first positional argument, reads every flag wherever it is:
// flags before a subcommand's name that the subcommand defines move after
// it, and flags after paths move before them. Everything after "--" stays
// positional. A flag that no command in reach defines is a usage error,
// with the nearest flag name as a suggestion.
func interspersed(app *cli.App, args []string) ([]string, error) {
	if len(args) == 0 || args[len(args)-1] == "--generate-bash-completion" {
		return args, nil // urfave/cli wants the completion flag last, as shells put it
	}
	root := flagsOf(app.Flags)
	for _, b := range []string{"version", "v", "generate-bash-completion"} {
		root.value[b] = false // added by urfave/cli
	}
	// Before the subcommand's name is seen, a flag takes a value when it
	// does for the app or for any subcommand.
	anyCmd := maps.Clone(root.value)
	cmdFlagSets := make(map[*cli.Command]flagSet, len(app.Commands))
	for _, c := range app.Commands {
		cmdFlagSets[c] = flagsOf(c.Flags)
		for n, takes := range cmdFlagSets[c].value {
			anyCmd[n] = anyCmd[n] || takes
		}
	}
	var cmd *cli.Command
	var cmdFlags flagSet
	var flags []argument
	var positional []string
	rest := args[1:]
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		if a == "--" {
			positional = append(positional, rest[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			if cmd == nil && len(positional) == 0 {
				if c := app.Command(a); c != nil {
					cmd, cmdFlags = c, cmdFlagSets[c]
					continue
				}
			}
			positional = append(positional, a)
			continue
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		arg := argument{flag: name, words: []string{a}}
		takes := anyCmd[name]
		if cmd != nil {
			takes = cmdFlags.value[name] || !cmdFlags.has(name) && root.value[name]
		}
		if takes && !hasValue && i+1 < len(rest) {
			i++
			arg.words = append(arg.words, rest[i])
		}
		flags = append(flags, arg)
	}
	// Flags are checked once the subcommand is known, wherever it was.
	var before, after []string
	for _, f := range flags {
		switch {
		case cmd != nil && cmdFlags.has(f.flag):
			after = append(after, f.words...)
		case root.has(f.flag):
			before = append(before, f.words...)
		default:
			known := root.names
			if cmd != nil {
				known = cmdFlags.names
			}
			if best := suggest.Closest(f.flag, known); best != "" {
				return nil, usagef("unknown flag %s; did you mean --%s?", f.words[0], best)
			}
			return nil, usagef("unknown flag %s", f.words[0])
		}
	}
	// "composefix check" means --check, unless a file is called check.
	if cmd == nil && len(positional) > 0 && root.has(positional[0]) && len(positional[0]) > 1 {
		if _, err := os.Stat(positional[0]); err != nil {
			return nil, usagef("%q is neither a file nor a command; did you mean --%s?", positional[0], positional[0])
		}
	}
	out := append([]string{args[0]}, before...)
	if cmd != nil {
		out = append(append(out, cmd.Name), after...)
	}
	for _, p := range positional {
		if len(p) > 1 && p[0] == '-' {
			out = append(out, "--") // a path that looks like a flag
			break
		}
	}
	return append(out, positional...), nil
}
