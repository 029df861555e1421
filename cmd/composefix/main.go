package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"

	_ "github.com/composefix/composefix/internal/mainstack" // before the libraries' initialisation
	"github.com/urfave/cli/v2"
)

// Exit codes, as in DESIGN.md.
const (
	exitOK      = 0 // success; with --check, nothing to change
	exitChanges = 1 // --check only: something would change, or an error-level finding remains
	exitError   = 2 // usage error, unreadable or unparsable file, registry failure
)

func main() {
	tuneGC()
	os.Exit(run(context.Background(), os.Args, os.Stdin, os.Stdout, os.Stderr))
}

// interruptible returns ctx, cancelled by an interrupt (Ctrl-C) or SIGTERM
// once arm has been called and until stop is: a run then ends as a
// cancelled run, reported, with no temporary file left behind. SIGTERM is
// how schedulers (a Kubernetes CronJob, systemd, CI runners) stop a run;
// unhandled, it killed a --write run between creating a temporary file and
// renaming it. The commands that read,
// write or ask a registry (the default one, update and init) make it as
// they start, not the process, and arm it before they write a file or
// reach out of the process: os/signal's first Notify starts a goroutine
// that keeps a thread locked of its own and another waiting for signals,
// about 11% of `--version`'s CPU time and 0.4 ms of a 3-line file's
// (issue 14). A run without --write that the disk cache answers has
// nothing to clean up: an interrupt ends it as it ends any program.
func interruptible(parent context.Context) (ctx context.Context, arm, stop func()) {
	ctx, cancel := context.WithCancel(parent)
	var (
		mu    sync.Mutex
		sigs  chan os.Signal // nil until armed
		ended = make(chan struct{})
	)
	arm = func() {
		mu.Lock()
		defer mu.Unlock()
		if sigs != nil || ctx.Err() != nil {
			return
		}
		sigs = make(chan os.Signal, 1)
		signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
		go func() {
			select {
			case <-sigs:
				cancel()
			case <-ended:
			}
		}()
	}
	stop = func() {
		mu.Lock()
		defer mu.Unlock()
		if sigs != nil {
			signal.Stop(sigs)
			close(ended)
			sigs = nil // ctx is cancelled below: arm installs nothing again
		}
		cancel()
	}
	return ctx, arm, stop
}

// run is the whole program minus process setup, so tests can call it.
func run(ctx context.Context, args []string, in io.Reader, out, errOut io.Writer) int {
	return runHooked(ctx, args, in, out, errOut, hooks{})
}

// runHooked is run with the tests' hooks.
func runHooked(ctx context.Context, args []string, in io.Reader, out, errOut io.Writer, h hooks) int {
	stdin := &readMark{r: in}
	app := newApp(stdin, out, errOut, h)
	// urfave/cli calls os.Exit from inside Run for ExitCoder errors unless told not to.
	app.ExitErrHandler = func(*cli.Context, error) {}
	app.Setup() // adds the help command, which interspersed must know
	cl, err := interspersed(app, args)
	if err == nil {
		err = withoutEmptySuggestion(app.RunContext(ctx, cl.args))
	}
	if err != nil && cl.stdin && !stdin.read {
		// Every error of a run on stdin that did not read it (a command
		// line that does not parse, which stops before the action; a bad
		// flag value or configuration, which the action returns before
		// fixStdin reads) echoes the input here, the one place: an
		// editor filtering its text through `composefix -` keeps it.
		// A run that read it has echoed it (pipeline.Stdin) or printed
		// its report already.
		echoStdin(cl.format, stdin, out)
	}
	return exitCode(err, errOut)
}

// withoutEmptySuggestion drops the suggestion urfave/cli appends to an
// error when no name is near what was given: a help topic such as `-`
// (`composefix - --help`) got "No help topic for '-'. Did you mean \"\"?".
func withoutEmptySuggestion(err error) error {
	var ec cli.ExitCoder
	if !errors.As(err, &ec) {
		return err
	}
	if msg, ok := strings.CutSuffix(err.Error(), ". "+fmt.Sprintf(cli.SuggestDidYouMeanTemplate, "")); ok {
		return cli.Exit(msg, ec.ExitCode())
	}
	return err
}

// readMark is stdin, remembering whether anything read it: a run that
// read it has echoed it or printed its product.
type readMark struct {
	r    io.Reader
	read bool
}

func (m *readMark) Read(p []byte) (int, error) {
	m.read = true
	return m.r.Read(p)
}

// exitStatus carries an exit code out of an action whose messages were
// already printed.
type exitStatus int

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// usageError is a bad flag, argument or configuration.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return &usageError{fmt.Errorf(format, args...)} }

// exitCode is the only place that picks an exit code.
func exitCode(err error, errOut io.Writer) int {
	if err == nil {
		return exitOK
	}
	var st exitStatus
	if errors.As(err, &st) {
		return int(st)
	}
	for _, e := range standalone(err, nil) {
		fmt.Fprintf(errOut, "composefix: %v\n", e)
	}
	return exitError
}

// standalone appends to errs the errors err stands for, each to be said
// on a line of its own: a usage error joined from several (bad flags and a
// bad configuration) printed its second after a bare line break, without
// the "composefix: " every other error line carries. An error that wraps
// a joined one with words of its own stays one.
func standalone(err error, errs []error) []error {
	if ue, ok := err.(*usageError); ok {
		return standalone(ue.err, errs)
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			errs = standalone(e, errs)
		}
		return errs
	}
	return append(errs, err)
}
