package main

import (
	"os"
	"slices"
	"strings"

	"github.com/composefix/composefix/internal/suggest"
	"github.com/urfave/cli/v2"
)

// flagSet is what interspersed needs to know of a command's flags: their
// names, and whether each takes a value. A slice searched by name rather
// than a map of every name: a command line names a few flags, and the
// maps of every command's flag names were a fifth of the allocations of
// building the app and reading --version (issue 14).
type flagSet struct {
	flags []flagInfo // help's, the command's flags, then extra names, the last of a name deciding
	names []string   // the flags' long names, for suggestions
}

// flagInfo is one flag: its names and whether it takes a value.
type flagInfo struct {
	names []string
	takes bool
}

// flagsOf returns the set of flags, with help's names and the extra
// names, which take no value (the flags urfave/cli adds to the app).
func flagsOf(flags []cli.Flag, extra ...string) flagSet {
	fs := flagSet{flags: make([]flagInfo, 0, len(flags)+2), names: make([]string, 0, len(flags))}
	fs.flags = append(fs.flags, flagInfo{names: []string{"h", "help"}})
	for _, f := range flags {
		takes := false
		if d, ok := f.(cli.DocGenerationFlag); ok {
			takes = d.TakesValue()
		}
		names := f.Names() // urfave/cli recomputes them with a regexp on each call
		fs.flags = append(fs.flags, flagInfo{names: names, takes: takes})
		fs.names = append(fs.names, names[0])
	}
	if len(extra) > 0 {
		fs.flags = append(fs.flags, flagInfo{names: extra})
	}
	return fs
}

// lookup reports whether the set has a flag called name and whether it
// takes a value; of two flags of one name, the later decides.
func (fs flagSet) lookup(name string) (takes, ok bool) {
	for i := len(fs.flags) - 1; i >= 0; i-- {
		if slices.Contains(fs.flags[i].names, name) {
			return fs.flags[i].takes, true
		}
	}
	return false, false
}

func (fs flagSet) has(name string) bool { _, ok := fs.lookup(name); return ok }

// takes reports whether the set has a flag called name that takes a
// value.
func (fs flagSet) takes(name string) bool { t, _ := fs.lookup(name); return t }

// argument is one command-line argument, with the value that follows a
// flag that takes one.
type argument struct {
	flag  string // the flag's name without dashes and value; "" for a positional
	words []string
}

// commandLine is a command line as interspersed read it.
type commandLine struct {
	args []string // rearranged for urfave/cli
	// stdin says that the default command was asked to read stdin (`-`
	// its only path), and format is the last --format given ("": none):
	// known also when the command line does not parse, whose error must
	// then echo the input as the command's own errors do.
	stdin  bool
	format string
}

// interspersed rearranges args so that urfave/cli, which stops reading
// flags at the first positional argument, reads every flag wherever it is:
// flags before a subcommand's name that the subcommand defines move after
// it, and flags after paths move before them. Everything after "--" stays
// positional. A flag that no command in reach defines is a usage error,
// with the nearest flag name as a suggestion.
func interspersed(app *cli.App, args []string) (commandLine, error) {
	if len(args) == 0 || args[len(args)-1] == "--generate-bash-completion" {
		return commandLine{args: args}, nil // urfave/cli wants the completion flag last, as shells put it
	}
	root := flagsOf(app.Flags, "version", "v", "generate-bash-completion") // added by urfave/cli
	cmdFlagSets := make([]flagSet, len(app.Commands))
	for i, c := range app.Commands {
		cmdFlagSets[i] = flagsOf(c.Flags)
	}
	// Before the subcommand's name is seen, a flag takes a value when it
	// does for the app or for any subcommand.
	anyCmdTakes := func(name string) bool {
		return root.takes(name) || slices.ContainsFunc(cmdFlagSets, func(fs flagSet) bool { return fs.takes(name) })
	}
	// refused reports whether word is a flag the default command does not
	// define, with no value after "=": it does not parse, and the word
	// after it may be its value.
	refused := func(word string) bool {
		name, _, hasValue := strings.Cut(strings.TrimLeft(word, "-"), "=")
		return len(word) > 1 && word[0] == '-' && word != "--" && !hasValue && !root.has(name)
	}
	var cmd *cli.Command
	var cmdFlags flagSet
	var flags []argument
	var positional []string
	// unknownValue marks the positionals that follow a flag no command
	// defines, with no value of its own: each may be that flag's value.
	var unknownValue []bool
	var format string // the last --format's value
	help := false     // help was asked (-h, --help), of the app or the subcommand
	rest := args[1:]
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		if a == "--" {
			positional = append(positional, rest[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			if cmd == nil && len(positional) == 0 {
				if i := slices.IndexFunc(app.Commands, func(c *cli.Command) bool { return c.HasName(a) }); i >= 0 {
					cmd, cmdFlags = app.Commands[i], cmdFlagSets[i]
					continue
				}
			}
			positional = append(positional, a)
			unknownValue = append(unknownValue, i > 0 && refused(rest[i-1]))
			continue
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		arg := argument{flag: name, words: []string{a}}
		var takes bool
		if cmd == nil {
			takes = anyCmdTakes(name)
		} else if t, ok := cmdFlags.lookup(name); ok {
			takes = t
		} else {
			takes = root.takes(name)
		}
		if takes && !hasValue && i+1 < len(rest) {
			i++
			arg.words = append(arg.words, rest[i])
		}
		if name == "format" {
			format = arg.value()
		}
		if name == "h" || name == "help" {
			help = !hasValue || arg.value() != "false"
		}
		flags = append(flags, arg)
	}
	// With help asked, urfave/cli reads the first path as a help topic
	// (`composefix compose.yaml --help` was `composefix help
	// compose.yaml`: "No help topic", exit 2), where a user who added
	// --help to a command line wants the help of what it runs: the paths
	// are left out, and help shows as with none (`help TOPIC`, the help
	// command's own argument, stays). No run reads stdin.
	if help && (cmd == nil || cmd.Name != "help") {
		positional = nil
	}
	cl := commandLine{stdin: cmd == nil && !help && onlyStdin(positional, unknownValue), format: format}
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
				return cl, usagef("unknown flag %s; did you mean --%s?", f.words[0], best)
			}
			return cl, usagef("unknown flag %s", f.words[0])
		}
	}
	// "composefix check" means --check, unless a file is called check.
	if cmd == nil && len(positional) > 0 && root.has(positional[0]) && len(positional[0]) > 1 {
		if _, err := os.Stat(positional[0]); err != nil {
			return cl, usagef("%q is neither a file nor a command; did you mean --%s?", positional[0], positional[0])
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
	cl.args = append(out, positional...)
	return cl, nil
}

// onlyStdin reports whether `-` is the only path that positional can
// name, maybe[i] saying that positional[i] may instead be the value of the
// unknown flag before it (a flag of a newer version, say): then the
// command line, which does not parse, still asked to read stdin.
func onlyStdin(positional []string, maybe []bool) bool {
	var paths, values []string
	for i, p := range positional {
		if i < len(maybe) && maybe[i] {
			values = append(values, p)
		} else {
			paths = append(paths, p)
		}
	}
	return slices.Equal(paths, []string{"-"}) || len(paths) == 0 && slices.Contains(values, "-")
}

// value is the value given to a flag, "" when none was.
func (a argument) value() string {
	if _, v, ok := strings.Cut(a.words[0], "="); ok {
		return v
	}
	if len(a.words) > 1 {
		return a.words[1]
	}
	return ""
}
