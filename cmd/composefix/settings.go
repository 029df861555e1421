package main

import (
	"errors"
	"io/fs"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/composefix/composefix/config"
	"github.com/composefix/composefix/fixers"
	"github.com/composefix/composefix/ignore"
	"github.com/urfave/cli/v2"
)

// settings are the flags and configuration, read once and passed down.
type settings struct {
	paths       []string
	projectFile []string // -f files, one project
	projectDir  string   // --project-directory: the -f project's .env directory
	write       bool
	check       bool
	format      string
	color       bool // colour the diff on stdout
	sourceLines bool // findings on stderr show their source line and a caret (a terminal)
	errColor    bool // colour findings on stderr
	rules       []*fixers.Rule
	unsafeFixes bool
	unsafeRules map[string]bool
	fixers      *fixers.Config
	configFile  *config.File
	reg         registrySettings // how images are resolved (registry.go)
	progress    *progress        // the registry progress line on stderr (disabled off a terminal)
	stepSummary string           // GITHUB_STEP_SUMMARY: append a Markdown summary of the run there
	stdinName   string           // --stdin-filename: the path a document on stdin stands for

	// configFixed is set by --config: that file applies to every file.
	// Otherwise each file gets the nearest .composefix.yaml (configs.go).
	configFixed bool
	// configs finds and loads each directory's configuration once for
	// the whole run: the working directory's, read here, is also the one
	// every file beside it gets.
	configs *configFinder
	// cwdConfigErr is the working directory's invalid configuration,
	// when no --config replaces it: like a nested one, it keeps only the
	// files it governs from the run, and groups reports it on itself.
	cwdConfigErr error
	// wd is the working directory, read once for the run: configFinder
	// and the pipeline resolve relative paths against this one reading.
	wd      string
	exclude []string // --exclude patterns, relative to the working directory
	// updateRun is set by `composefix update`: its rules, newer versions
	// looked up, whatever a configuration file selects.
	updateRun bool
	// configure sets what a configuration file decides, under the flags;
	// it keeps the command line it was read from for each file's own
	// configuration.
	configure func(s *settings, cfg *config.File) error
	// updateSelect are the rules `composefix update` runs (its own, and
	// CF001 with --select CF001).
	updateSelect []string
	restrict     func(fixers.Resolutions) // update --apply-group: withhold other groups' updates
	// start is when the run started, read once: every configuration
	// group's resolver gets it, so that --refresh distrusts what earlier
	// runs cached but not what another group of this run just fetched.
	start time.Time
	// armInterrupt installs the interrupt handler (interruptible) before
	// the run reaches out of the process; nil: none.
	armInterrupt func()
	hooks        hooks // tests' (runHooked)
}

// stdin reports whether the run reads one document from stdin ("-" as
// the only path), which readSettings, fix and update each treat apart.
func (s *settings) stdin() bool { return len(s.paths) == 1 && s.paths[0] == "-" }

// readSettings reads the flags and the configuration. commandFlags, when
// set, reads a command's own flags into s before any configuration is
// read (update's --policy, --min-age and --select).
//
// Every usage error of the flags is reported with the configuration's
// error, the flags' first, so that one run names everything to correct:
// a bad --format or update --policy alone was shown, and the invalid
// configuration met on the next run.
func readSettings(c *cli.Context, commandFlags func(*cli.Context, *settings) error) (*settings, error) {
	s := &settings{
		start:       time.Now(),
		paths:       c.Args().Slice(),
		projectFile: c.StringSlice("file"),
		projectDir:  c.String("project-directory"),
		write:       c.Bool("write"),
		check:       c.Bool("check"),
		format:      c.String("format"),
		unsafeFixes: c.Bool("unsafe-fixes"),
	}
	var flagErrs []error // the flags' own usage errors
	if !slices.Contains(formats(), s.format) {
		flagErrs = append(flagErrs, usagef("unknown --format %q; expected one of %s", s.format, strings.Join(formats(), ", ")))
	}
	if commandFlags != nil {
		if err := commandFlags(c, s); err != nil {
			flagErrs = append(flagErrs, err)
		}
	}
	_, noColor := os.LookupEnv("NO_COLOR")
	s.color = !c.Bool("no-color") && !noColor && isTerminal(c.App.Writer)
	s.sourceLines = isTerminal(c.App.ErrWriter)
	s.stepSummary = os.Getenv("GITHUB_STEP_SUMMARY")
	s.errColor = s.sourceLines && !c.Bool("no-color") && !noColor
	if s.projectDir != "" && len(s.projectFile) == 0 {
		flagErrs = append(flagErrs, usagef("--project-directory is the directory of the -f files' project; give -f too"))
	} else if s.projectDir != "" {
		// compose refuses a project directory it cannot enter; reading no
		// .env from it would fix the files against the wrong variables.
		if err := checkDir(s.projectDir); err != nil {
			flagErrs = append(flagErrs, usagef("--project-directory %q: %v", s.projectDir, err))
		}
	}
	if len(s.paths) == 0 && len(s.projectFile) == 0 {
		s.paths = []string{"."}
	}
	if len(s.paths) > 1 && slices.Contains(s.paths, "-") {
		flagErrs = append(flagErrs, usagef("- (stdin) cannot be combined with other paths"))
	}
	if s.stdinName = c.String("stdin-filename"); s.stdinName != "" && !s.stdin() {
		flagErrs = append(flagErrs, usagef("--stdin-filename names the document read from stdin; give - as the only path"))
	}
	s.progress = newProgress(c.App.ErrWriter, progressEnabled(s.format, c.App.ErrWriter, os.Getenv))
	s.configFixed = c.String("config") != ""
	s.exclude = c.StringSlice("exclude")
	for _, p := range s.exclude {
		if err := ignore.Check(p); err != nil {
			flagErrs = append(flagErrs, usagef("--exclude %q: %v", p, err))
		}
	}
	knowledge, err := fixers.LoadKnowledge() // once per run: every file and pass shares it
	if err != nil {
		return nil, err
	}
	s.configure = func(s *settings, cfg *config.File) error { return configure(c, knowledge, s, cfg) }
	wd, err := os.Getwd() // once: every path below is resolved against it
	if err != nil {
		return nil, err
	}
	s.wd = wd
	s.configs = newConfigFinder(wd)
	cfg, err := s.loadConfig(c.String("config"))
	if err == nil {
		err = s.configure(s, cfg)
	}
	if err != nil {
		if ferr := s.configure(s, nil); ferr != nil {
			flagErrs = append(flagErrs, ferr)
		}
	}
	if len(flagErrs) > 0 {
		return nil, flagsAndConfigError(flagErrs, err)
	}
	if err != nil {
		// --config names one configuration for every file, and stdin
		// has no files to list, so theirs stays a usage error; but the
		// nearest .composefix.yaml fails only the files it governs, in
		// the reports as a nested one does (groups): the machine
		// formats printed nothing at all for it. With --stdin-filename
		// the run's configuration is that file's, which fixStdin finds
		// (forFile): this one fails the run when it is that one.
		if s.configFixed || s.stdin() && s.stdinName == "" {
			return nil, err
		}
		s.cwdConfigErr = err
	}
	return s, nil
}

// flagsAndConfigError is the usage error when the flags alone are wrong
// (flagErrs) and, when cfgErr is set, so is the run with its
// configuration: all of them, the flags' first, so that one run names
// everything to correct (only the configuration's was shown). When cfgErr
// is one of the flags' own errors (a configuration stops at the first bad
// flag it meets, such as --select's unknown rule), it is said once; a
// configuration error configure would have met after that flag shows on
// the next run. The working directory's configuration, which otherwise
// fails only the files it governs, is reported here too: a usage error
// stops the run before any file.
func flagsAndConfigError(flagErrs []error, cfgErr error) error {
	errs := slices.Clip(flagErrs)
	if cfgErr != nil && !slices.ContainsFunc(errs, func(e error) bool { return e.Error() == cfgErr.Error() }) {
		errs = append(errs, cfgErr)
	}
	if len(errs) == 1 {
		return errs[0]
	}
	return &usageError{errors.Join(errs...)}
}

// configure sets in s what cfg (nil: none) decides, under the flags of c:
// the rules, the unsafe fixes per rule, what rules read, and how images
// are resolved.
func configure(c *cli.Context, knowledge *fixers.Knowledge, s *settings, cfg *config.File) error {
	s.configFile = cfg
	all := fixers.Rules()
	sel := splitList(c.String("select"))
	ign := splitList(c.String("ignore"))
	var err error
	if cfg != nil {
		if len(sel) == 0 {
			sel, err = ruleNames(all, cfg.Path, cfg.Select)
			if err != nil {
				return err
			}
		}
		cfgIgn, err := ruleNames(all, cfg.Path, cfg.Ignore)
		if err != nil {
			return err
		}
		ign = append(ign, cfgIgn...)
	}
	if s.updateRun {
		sel, ign = s.updateSelect, nil
	}
	if s.rules, err = fixers.Select(all, sel, ign); err != nil {
		return usagef("%v", err)
	}
	s.unsafeRules = map[string]bool{}
	if cfg != nil {
		for _, r := range all {
			if on, set := cfg.UnsafeFixesFor(r.ID, r.Name); set && on {
				s.unsafeRules[r.ID] = true
			}
		}
	}
	if s.fixers, err = fixerConfig(cfg, knowledge); err != nil {
		return err
	}
	if s.fixers.Severity, err = severities(all, cfg); err != nil {
		return err
	}
	s.fixers.Images.Update = s.updateRun
	s.fixers.Images.PinFloating = s.updateRun && slices.Contains(s.updateSelect, "CF001")
	policy, minAge := s.reg.policy, s.reg.minAge // --policy and --min-age, which the file does not change
	if s.reg, err = readRegistrySettings(c, cfg, s.fixers); err != nil {
		return err
	}
	s.reg.policy, s.reg.minAge = policy, minAge
	return nil
}

// loadConfig reads --config, or .composefix.yaml found from the working
// directory up; nil when there is none.
func (s *settings) loadConfig(path string) (*config.File, error) {
	if path == "" {
		return s.configs.forDir(".")
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, &usageError{err}
	}
	return cfg, nil
}

// ruleNames checks config rule references against the rule table, naming
// the position of an unknown one.
func ruleNames(all []*fixers.Rule, path string, refs []config.RuleRef) ([]string, error) {
	var out []string
	var errs []error
	for _, ref := range refs {
		if ref.Name == "all" {
			continue
		}
		if _, err := fixers.Select(all, []string{ref.Name}, nil); err != nil {
			// A *config.Error, as the file's own problems are, so that
			// the reports place it at its position.
			errs = append(errs, &config.Error{Path: path, Line: ref.Line, Col: ref.Col, Msg: err.Error()})
			continue
		}
		out = append(out, ref.Name)
	}
	if len(errs) > 0 {
		return nil, &usageError{errors.Join(errs...)}
	}
	return out, nil
}

// fixerConfig turns the configuration file into what rules read.
func fixerConfig(cfg *config.File, knowledge *fixers.Knowledge) (*fixers.Config, error) {
	fc := fixers.DefaultConfig()
	fc.Knowledge = knowledge
	if cfg == nil {
		return fc, nil
	}
	if cfg.Logging.Driver != "" {
		fc.Logging.Driver = cfg.Logging.Driver
	}
	if len(cfg.Logging.Options) > 0 {
		// Known options first, in the audits' order, then the rest sorted.
		order := map[string]int{"max-size": 1, "max-file": 2, "compress": 3}
		keys := make([]string, 0, len(cfg.Logging.Options))
		for k := range cfg.Logging.Options {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			oi, oj := order[keys[i]], order[keys[j]]
			if (oi == 0) != (oj == 0) {
				return oi != 0
			}
			if oi != oj {
				return oi < oj
			}
			return keys[i] < keys[j]
		})
		fc.Logging.Options = nil
		for _, k := range keys {
			fc.Logging.Options = append(fc.Logging.Options, fixers.KeyValue{Key: k, Value: cfg.Logging.Options[k]})
		}
	}
	fc.IgnoreImages = cfg.IgnoreImages
	for _, apply := range []func(*fixers.Config, *config.File) error{
		applyImagesConfig, applyHealthConfig, applyLimitsConfig, applySecurityConfig,
	} {
		if err := apply(fc, cfg); err != nil {
			return nil, err
		}
	}
	return fc, nil
}

// severities maps each rule the configuration file gives a severity to
// that severity, after checking every rule reference against the table.
func severities(all []*fixers.Rule, cfg *config.File) (map[string]fixers.Severity, error) {
	if cfg == nil || len(cfg.Severity) == 0 {
		return nil, nil
	}
	refs := make([]config.RuleRef, len(cfg.Severity))
	for i, o := range cfg.Severity {
		refs[i] = o.Rule
	}
	if _, err := ruleNames(all, cfg.Path, refs); err != nil {
		return nil, err
	}
	levels := map[string]fixers.Severity{
		config.SeverityError: fixers.Error, config.SeverityWarning: fixers.Warning, config.SeverityInfo: fixers.Info,
	}
	out := map[string]fixers.Severity{}
	for _, r := range all {
		if l := cfg.SeverityFor(r.ID, r.Name); l != "" {
			out[r.ID] = levels[l]
		}
	}
	return out, nil
}

// checkDir says why dir is not a directory composefix can use: missing,
// a file, or unreadable.
func checkDir(dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return errors.New("no such directory")
	case err != nil:
		if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
			return pe.Err // its path is the flag's value, named already
		}
		return err
	case !fi.IsDir():
		return errors.New("not a directory")
	}
	return nil
}
