package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/pipeline"
	"github.com/composefix/composefix/registry"
	"github.com/composefix/composefix/report"
)

// fix is the default command: the pipeline over the named files, its
// product in the chosen format, and the exit status.
func fix(ctx context.Context, s *settings, in io.Reader, out, errOut io.Writer) error {
	if s.stdin() {
		return fixStdin(ctx, s, in, out, errOut)
	}
	r, sumErr, err := runFiles(ctx, s, out, errOut, nil)
	if err != nil {
		return err
	}
	return exit(s, r, errOut, sumErr)
}

// runFiles runs the pipeline over the files s names, once per
// configuration that applies to some of them, and prints its product in
// the chosen format; also, when set, hands each file to each. sumErr is a
// failure to write the step summary, already reported: like a failed
// `update --summary`, it makes the run exit 2 after the product is printed.
func runFiles(ctx context.Context, s *settings, out, errOut io.Writer, each func(*pipeline.File)) (_ pipeline.Result, sumErr, err error) {
	start := time.Now()
	groups, errs := s.groups()
	for _, err := range errs {
		var ue *usageError
		if errors.As(err, &ue) {
			return pipeline.Result{}, nil, err // a bad configuration file
		}
		fmt.Fprintf(errOut, "%v\n", err)
	}
	total := pipeline.Result{DiscoverErrs: errs, Summary: report.Summary{Write: s.write}}
	text := &pipeline.Text{Out: out, Err: errOut, Write: s.write, Color: s.color, SourceLines: s.sourceLines, ErrColor: s.errColor}
	var files []report.File // machine formats and the step summary render the run as a whole
	// The files an invalid configuration kept from the run are listed
	// and counted as not processed, in every format; the configuration's
	// own entry carries its error (which the text format has already
	// printed) and is not counted, as it is not a compose file. A path
	// given that discovery could not use is listed and counted as a file
	// that failed: the run exits 2 for it, and a reader of a machine
	// format must see why.
	var notRun report.Summary
	list := func(fs ...report.File) {
		for _, f := range fs {
			notRun.Add(&f)
			if s.format != "text" || s.stepSummary != "" {
				files = append(files, f)
			}
		}
	}
	for _, err := range errs {
		var ce *configError
		if !errors.As(err, &ce) {
			list(pathErrorFile(err))
			continue
		}
		if s.format == "text" {
			ce.printNotProcessed(errOut)
		}
		list(ce.reportFiles()...)
	}
	var diffs strings.Builder
	for _, g := range groups {
		o := g.options(errOut)
		r := pipeline.Run(ctx, o, func(f *pipeline.File) {
			if s.format == "text" {
				text.File(f)
			} else if f.Err != nil {
				fmt.Fprintf(errOut, "%v\n", f.Err)
			}
			if s.format != "text" || s.stepSummary != "" {
				// Kept only for a product rendered whole: the text
				// format streams, and memory stays that of one file.
				files = append(files, f.File)
			}
			if s.stepSummary != "" && f.Changed() {
				diffs.WriteString(pipeline.Diff(f))
			}
			if each != nil {
				each(f)
			}
		})
		for _, err := range r.DiscoverErrs { // a -f file gone since groups found it
			list(pathErrorFile(err))
		}
		total = addResult(total, r)
	}
	total.Summary.Elapsed = time.Since(start)
	listed := total.Summary // the summary of the files listed
	listed.Files += notRun.Files
	listed.Failed += notRun.Failed
	if s.stepSummary != "" {
		if sumErr = appendStepSummary(s.stepSummary, files, listed, diffs.String()); sumErr != nil {
			fmt.Fprintf(errOut, "composefix: %v\n", sumErr)
		}
	}
	if s.format == "text" {
		text.Summary(listed)
		if err := text.OutErr(); err != nil {
			return total, sumErr, fmt.Errorf("writing the diff: %w", err)
		}
		return total, sumErr, nil
	}
	return total, sumErr, writeReport(out, s.format, files, listed)
}

// pathErrorFile is the reports' entry for a path given that discovery
// could not use (it does not exist, is not a regular file, or is a
// directory holding no compose file): a file that failed, under the path
// its error names (discovery's errors are compose.PosErrors naming the
// path as given, or as found under a directory given), with no file to
// annotate.
func pathErrorFile(err error) report.File {
	f := report.File{Err: err, NoFile: true}
	var pe *compose.PosError
	if errors.As(err, &pe) {
		f.Path = pe.Path
	}
	return f
}

// appendStepSummary appends the run's Markdown summary to the file GitHub
// Actions names in GITHUB_STEP_SUMMARY, which other steps append to too.
func appendStepSummary(path string, files []report.File, sum report.Summary, diff string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("writing the step summary: %w", err)
	}
	if err := report.StepSummary(f, files, sum, diff); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// addResult adds the result of one group's run to the run's.
func addResult(t, r pipeline.Result) pipeline.Result {
	t.DiscoverErrs = append(t.DiscoverErrs, r.DiscoverErrs...)
	t.RegistryErr = errors.Join(t.RegistryErr, r.RegistryErr)
	a, b := &t.Summary, r.Summary
	a.Files += b.Files
	a.Changed += b.Changed
	a.Failed += b.Failed
	a.Applied += b.Applied
	a.Unsafe += b.Unsafe
	a.Errors += b.Errors
	a.Warnings += b.Warnings
	a.Infos += b.Infos
	a.Lookups += b.Lookups
	a.Requests += b.Requests
	a.CacheHits += b.CacheHits
	return t
}

// exit reports a registry failure and picks the exit status: 2 when a path,
// a file, the registry or extra failed; with --check, 1 when something would
// change or an error-level finding remains.
func exit(s *settings, r pipeline.Result, errOut io.Writer, extra error) error {
	if r.RegistryErr != nil {
		fmt.Fprintf(errOut, "composefix: %v\n", r.RegistryErr)
	}
	switch {
	case r.Failed() || extra != nil:
		return exitStatus(exitError)
	case s.check && (r.Summary.Changed > 0 || r.Summary.Errors > 0):
		return exitStatus(exitChanges)
	}
	return nil
}

// fixStdin reads one document from stdin and writes the fixed document to
// stdout (the input unchanged when it cannot be fixed, so an editor never
// loses text).
func fixStdin(ctx context.Context, s *settings, in io.Reader, out, errOut io.Writer) error {
	if s.stdinName != "" && !s.configFixed {
		// The configuration that applies to the file the input stands for.
		sf, err := s.forFile(s.stdinName)
		if err != nil {
			return err // run echoes the input, unread
		}
		s = sf
	}
	o := s.pipelineOptions(errOut)
	o.StdinName = s.stdinName
	doc := out // the text format's product: the fixed document
	if s.format != "text" {
		doc = io.Discard // a machine format's product is the report
	}
	r, regErr, err := pipeline.Stdin(ctx, o, in, doc)
	if err != nil {
		return err
	}
	// "<stdin>" is no file of the checkout: GitHub annotations and SARIF
	// locations name none.
	r.NoFile = s.stdinName == ""
	r.Stdin = r.NoFile
	// The text format's product is the fixed document: its findings'
	// fixes are made. A machine format's product is the report, which
	// shows them to apply.
	r.Printed = s.format == "text"
	var sum report.Summary
	sum.Add(&r)
	if s.format != "text" {
		if err := writeReport(out, s.format, []report.File{r}, sum); err != nil {
			return err
		}
	}
	if r.Err != nil {
		fmt.Fprintf(errOut, "%v\n", r.Err)
		return exitStatus(exitError)
	}
	if s.format == "text" {
		report.Findings(errOut, &r)
	}
	if regErr != nil {
		fmt.Fprintf(errOut, "composefix: %v\n", regErr)
		return exitStatus(exitError)
	}
	if s.check && (sum.Changed > 0 || sum.Errors > 0) {
		return exitStatus(exitChanges)
	}
	return nil
}

// echoStdin copies the document on stdin to stdout unchanged when a run on
// stdin fails before reading it (a command line that does not parse, a
// bad flag value, an invalid configuration), as pipeline.Stdin does on
// any later error: an editor filtering its text through `composefix -`
// replaces the text with stdout, exit status or not. run calls it, the
// one place that sees every such error. A machine format's product is the
// report, which a usage error does not print; format is --format as given
// ("": not given, the text format).
func echoStdin(format string, in io.Reader, out io.Writer) {
	if !slices.Contains(formats(), format) || format == "text" {
		_, _ = io.Copy(out, in) // the run's error is reported; a failed echo adds nothing to it
	}
}

// hooks change how a run goes, for tests only: a process runs with none.
type hooks struct {
	// pipeline, when set, sees and changes the options of each pipeline
	// run: tests take small files down the large-file path
	// (pipeline.Options.LargeFrom) to check that the product is the same.
	pipeline func(*pipeline.Options)
}

// pipelineOptions turns the settings into what the pipeline reads.
func (s *settings) pipelineOptions(messages io.Writer) pipeline.Options {
	o := pipeline.Options{
		Paths:        s.paths,
		ProjectFiles: s.projectFile,
		ProjectDir:   s.projectDir,
		Projects:     s.configFile.ProjectPaths(),
		Write:        s.write,
		Rules:        s.rules,
		Fixers:       s.fixers,
		UnsafeFixes:  s.unsafeFixes,
		UnsafeRules:  s.unsafeRules,
		Registry:     append(s.reg.options(), registry.WithRunStart(s.start), registry.WithInspectProgress(s.progress.Layers), registry.WithRetryProgress(s.progress.Retry), registry.WithBeforeNetwork(s.armInterrupt)),
		ImageFacts:   s.reg.imageFacts,
		Policy:       s.reg.policyFor,
		MinAge:       s.reg.minAgeFor,
		Restrict:     s.restrict,
		Progress:     s.progress,
		Messages:     messages,
		WorkDir:      s.wd,
	}
	if s.hooks.pipeline != nil {
		s.hooks.pipeline(&o)
	}
	return o
}
