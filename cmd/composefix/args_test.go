package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// parsed is what a command's action saw.
type parsed struct {
	command string
	set     bool   // the flag under test was set
	value   string // its value, as printed
	args    []string
}

// parseArgs runs the real app on args with every action replaced by one
// that records what it was given about flag.
func parseArgs(t *testing.T, flag string, args ...string) (parsed, error) {
	t.Helper()
	app := newApp(strings.NewReader(""), io.Discard, io.Discard, hooks{})
	app.ExitErrHandler = func(*cli.Context, error) {}
	var got parsed
	capture := func(name string) cli.ActionFunc {
		return func(c *cli.Context) error {
			got = parsed{command: name, set: c.IsSet(flag), value: fmt.Sprint(c.Value(flag)), args: c.Args().Slice()}
			return nil
		}
	}
	app.Action = capture("")
	for _, c := range app.Commands {
		c.Action = capture(c.Name)
	}
	app.Setup()
	cl, err := interspersed(app, append([]string{"composefix"}, args...))
	if err != nil {
		return got, err
	}
	return got, app.RunContext(context.Background(), cl.args)
}

// flagWords is how the test writes a flag: with a value when it takes one.
func flagWords(f cli.Flag) []string {
	name := "--" + f.Names()[0]
	// An int flag, as urfave/cli's type or wrapped by cachedNames.
	if _, ok := f.(interface{ Get(*cli.Context) int }); ok {
		return []string{name, "3"}
	}
	if d, ok := f.(cli.DocGenerationFlag); ok && d.TakesValue() {
		return []string{name, "v1"}
	}
	return []string{name}
}

func joinArgs(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// TestEveryFlagInEveryPosition gives each flag of the default command and
// of update before the paths, between them and after them, and before and
// after the subcommand's name: every position means the same.
func TestEveryFlagInEveryPosition(t *testing.T) {
	paths := []string{"a.yaml", "dir"}
	if n := len(fixFlags()); n < 10 {
		t.Fatalf("fixFlags() holds %d flags: the table below would test almost nothing", n)
	}
	updateFlags := 0
	for _, f := range fixFlags() {
		fw := flagWords(f)
		for _, args := range [][]string{
			joinArgs(fw, paths),
			joinArgs(paths, fw),
			joinArgs(paths[:1], fw, paths[1:]),
		} {
			got, err := parseArgs(t, f.Names()[0], args...)
			if err != nil || got.command != "" || !got.set || !slices.Equal(got.args, paths) || len(fw) == 2 && !strings.Contains(got.value, fw[1]) {
				t.Errorf("composefix %s: %+v, %v; want --%s set and paths %q", strings.Join(args, " "), got, err, f.Names()[0], paths)
			}
		}
	}
	for _, cmd := range newApp(nil, io.Discard, io.Discard, hooks{}).Commands {
		if cmd.Name != "update" {
			continue
		}
		for _, f := range cmd.Flags {
			updateFlags++
			fw := flagWords(f)
			for _, args := range [][]string{
				joinArgs(fw, []string{"update"}, paths),
				joinArgs([]string{"update"}, fw, paths),
				joinArgs([]string{"update"}, paths, fw),
				joinArgs([]string{"update"}, paths[:1], fw, paths[1:]),
			} {
				got, err := parseArgs(t, f.Names()[0], args...)
				if err != nil || got.command != "update" || !got.set || !slices.Equal(got.args, paths) || len(fw) == 2 && !strings.Contains(got.value, fw[1]) {
					t.Errorf("composefix %s: %+v, %v; want update with --%s set and paths %q", strings.Join(args, " "), got, err, f.Names()[0], paths)
				}
			}
		}
	}
	if updateFlags == 0 {
		t.Error("no update command with flags found: its positions were not tested")
	}
}

func TestInterspersedArguments(t *testing.T) {
	for _, tt := range []struct {
		args    []string
		command string
		want    []string // positional arguments
		err     string
	}{
		{args: []string{"examples/compose.yaml", "--offline"}, want: []string{"examples/compose.yaml"}},
		{args: []string{"-w", "a.yaml", "-f", "b.yaml"}, want: []string{"a.yaml"}},
		{args: []string{"--format=json", "-", "--offline"}, want: []string{"-"}},
		{args: []string{"a.yaml", "--", "--weird.yaml"}, want: []string{"a.yaml", "--weird.yaml"}},
		{args: []string{"--offline", "update", "."}, command: "update", want: []string{"."}},
		{args: []string{"explain", "CF201", "--no-color"}, command: "explain", want: []string{"CF201"}},
		{args: []string{"./update"}, want: []string{"./update"}},
		{args: []string{"a.yaml", "update"}, want: []string{"a.yaml", "update"}}, // a path named update
		{args: []string{"version"}, command: "version"},
		{args: []string{"--offlin", "a.yaml"}, err: "unknown flag --offlin; did you mean --offline?"},
		{args: []string{"update", "--polcy", "patch"}, err: "unknown flag --polcy; did you mean --policy?"},
		{args: []string{"--zzz"}, err: "unknown flag --zzz"},
		{args: []string{"check"}, err: `"check" is neither a file nor a command; did you mean --check?`},
	} {
		got, err := parseArgs(t, "offline", tt.args...)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("composefix %s: error %v, want %q", strings.Join(tt.args, " "), err, tt.err)
			}
			continue
		}
		if err != nil || got.command != tt.command || !slices.Equal(got.args, tt.want) {
			t.Errorf("composefix %s: %+v, %v; want command %q, args %q", strings.Join(tt.args, " "), got, err, tt.command, tt.want)
		}
	}
}

// TestOfflineAfterThePathStaysOffline is the case that went online: a flag
// after the path was read as a path.
func TestOfflineAfterThePathStaysOffline(t *testing.T) {
	dir := writeFiles(t, map[string]string{"compose.yaml": "services:\n  web:\n    image: nginx:latest\n"})
	_, errOut, code := runCLI(t, dir, "", "compose.yaml", "--offline", "--cache-dir", t.TempDir())
	if code != exitOK || !strings.Contains(errOut, "offline and not in the cache") {
		t.Errorf("exit %d; stderr:\n%s", code, errOut)
	}
}

func TestHelpAndVersionCommands(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"help", "update"}, {"version"}, {"--version"}} {
		out, errOut, code := runCLI(t, t.TempDir(), "", args...)
		if code != exitOK || out == "" {
			t.Errorf("composefix %s: exit %d, stdout %q, stderr %q", strings.Join(args, " "), code, out, errOut)
		}
	}
}

// TestHelpWithPaths: -h or --help on a command line with paths shows the
// help of what it runs, as without the paths. urfave/cli read the first
// path as a help topic (`composefix compose.yaml --help` was `composefix
// help compose.yaml`: "No help topic for 'compose.yaml'", exit 2), and
// `-` as one too; no run reads stdin, so its input is not echoed.
// `help TOPIC` keeps its topic.
func TestHelpWithPaths(t *testing.T) {
	dir := writeFiles(t, map[string]string{"compose.yaml": needsFix})
	for _, c := range []struct {
		ref  []string // the same help asked without paths
		args [][]string
	}{
		{[]string{"--help"}, [][]string{{"compose.yaml", "--help"}, {"--help", "compose.yaml"}, {"-h", "compose.yaml"}, {"-", "--help"}, {"--help", "-"}, {"-", "-h"}, {"--format", "json", "-", "--help"}, {"compose.yaml", "--help=true"}}},
		{[]string{"update", "--help"}, [][]string{{"update", "compose.yaml", "--help"}, {"--help", "update", "compose.yaml"}, {"update", "-h", "-"}}},
	} {
		refOut, refErr, refCode := runCLI(t, dir, "", c.ref...)
		if refCode != exitOK || !strings.Contains(refOut, "USAGE") {
			t.Fatalf("%q: exit %d, stdout %q, stderr %q; want the help", c.ref, refCode, refOut, refErr)
		}
		for _, args := range c.args {
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				out, errOut, code := runCLI(t, dir, needsFix, args...)
				if code != refCode || out != refOut || errOut != refErr {
					t.Errorf("exit %d, stdout %q, stderr %q; want %q's: exit %d, stdout %q, stderr %q", code, out, errOut, c.ref, refCode, refOut, refErr)
				}
			})
		}
	}
	// The help command's argument is a topic.
	if out, errOut, code := runCLI(t, dir, needsFix, "help", "-"); code != exitError || out != "" || errOut != "composefix: No help topic for '-'\n" {
		t.Errorf("help -: exit %d, stdout %q, stderr %q; want exit %d, no stdout, \"No help topic for '-'\"", code, out, errOut, exitError)
	}
	// --help=false asks for no help: a run on stdin, which echoes its
	// input on a usage error.
	if out, _, code := runCLI(t, dir, needsFix, "--help=false", "--pin", "bogus", "-"); code != exitError || out != needsFix {
		t.Errorf("--help=false --pin bogus -: exit %d, stdout %q; want %d and the input echoed", code, out, exitError)
	}
}

// TestCompletionFlagStaysLast: shells append --generate-bash-completion,
// which urfave/cli reads only as the last argument.
func TestCompletionFlagStaysLast(t *testing.T) {
	app := newApp(strings.NewReader(""), io.Discard, io.Discard, hooks{})
	app.Setup()
	args := []string{"composefix", "update", "a.yaml", "--offline", "--generate-bash-completion"}
	cl, err := interspersed(app, args)
	if err != nil || !slices.Equal(cl.args, args) {
		t.Errorf("interspersed(%q) = %q, %v; want it unchanged", args, cl.args, err)
	}
}

// TestAFileNamedLikeAFlag: "check" is a path when there is one.
func TestAFileNamedLikeAFlag(t *testing.T) {
	dir := writeFiles(t, map[string]string{"check/compose.yaml": clean})
	if _, errOut, code := runCLI(t, dir, "", append(offline(t), "check")...); code != exitOK {
		t.Errorf("composefix check with a directory check: exit %d; stderr:\n%s", code, errOut)
	}
}

// TestOnlyStdin: a command line refused for an unknown flag still asked
// to read stdin when `-` is its only path once the words that may be that
// flag's value are left out, and only then (the input is echoed for it).
func TestOnlyStdin(t *testing.T) {
	for _, c := range []struct {
		positional []string
		maybe      []bool
		want       bool
	}{
		{[]string{"-"}, nil, true},
		{[]string{"-"}, []bool{true}, true},                          // --offlin -
		{[]string{"1GiB", "-"}, []bool{true, false}, true},           // --budgett 1GiB -
		{[]string{"-", "1GiB"}, []bool{false, true}, true},           // - --budgett 1GiB
		{[]string{"x", "-"}, []bool{true, true}, true},               // --a x --b -
		{[]string{"-", "compose.yaml"}, []bool{true, false}, false},  // --budgett - compose.yaml
		{[]string{"1GiB"}, []bool{true}, false},                      // --budgett 1GiB
		{[]string{"-", "-"}, nil, false},                             // - -
		{[]string{"compose.yaml", "-"}, []bool{false, false}, false}, // compose.yaml -
	} {
		if got := onlyStdin(c.positional, c.maybe); got != c.want {
			t.Errorf("onlyStdin(%q, %v) = %v, want %v", c.positional, c.maybe, got, c.want)
		}
	}
}
