package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/config"
	"github.com/composefix/composefix/ignore"
	"github.com/composefix/composefix/pipeline"
	"github.com/composefix/composefix/report"
)

// group is the files one configuration applies to, with the settings it
// makes.
type group struct {
	s           *settings
	paths       []string // files, as discovered
	projectFile []string // the -f files, when they belong to this group
	// ignored reports what git ignores: such a base or override is not
	// read as context, so that a run sees the project as a checkout does.
	ignored func(path string, isDir bool) bool
}

// options returns what the group's pipeline run reads.
func (g group) options(messages io.Writer) pipeline.Options {
	o := g.s.pipelineOptions(messages)
	o.Paths, o.ProjectFiles = g.paths, g.projectFile
	// groups discovered the paths; -f files are discovered apart from
	// them, and the pipeline's own discovery removes a file named in both.
	o.Discovered = len(g.projectFile) == 0
	if g.ignored != nil {
		o.Ignored = func(path string) bool { return g.ignored(path, false) }
	}
	return o
}

// groups discovers the files s names and groups them by the configuration
// that applies to each: --config for all, or else each file's nearest
// .composefix.yaml up to its repository root. Directory search skips what
// git ignores; exclude patterns (--exclude, and the configuration's
// exclude: relative to its file) leave out files found or named. The -f
// files stay one project, under the first one's configuration.
func (s *settings) groups() ([]group, []error) {
	cfgs := s.configs
	cliExclude := ignore.Exclude(ignore.Parse(".", s.exclude))
	git := ignore.NewGit()
	excluded := func(path string, isDir bool) bool {
		if cliExclude.Excluded(path, isDir) {
			return true
		}
		if s.configFixed {
			return excludesOf(s.configFile).Excluded(path, isDir)
		}
		dir := path
		if !isDir {
			dir = filepath.Dir(path)
		}
		cfg, err := cfgs.forDir(dir)
		return err == nil && excludesOf(cfg).Excluded(path, isDir)
	}
	opts := compose.DiscoverOptions{Ignored: git.Ignored, Excluded: excluded}
	files, errs := compose.DiscoverWith(s.paths, opts)
	projectFiles, perrs := compose.DiscoverWith(s.projectFile, compose.DiscoverOptions{})
	errs = onePerPath(append(errs, perrs...))

	var out []group
	index := map[string]int{} // configuration path -> group
	// groupFor also returns the path of the configuration it read, when
	// known, so that an invalid one is reported on itself.
	groupFor := func(file string) (int, string, error) {
		var cfg *config.File
		if s.configFixed {
			cfg = s.configFile
		} else {
			var err error
			dir := filepath.Dir(file)
			if cfg, err = cfgs.forDir(dir); err != nil {
				return 0, cfgs.pathFor(dir), err
			}
		}
		key := ""
		if cfg != nil {
			key = cfg.Path
		}
		if i, ok := index[key]; ok {
			return i, key, nil
		}
		gs := s
		if !s.configFixed && !sameConfig(cfg, s.configFile) {
			cp := *s
			if err := s.configure(&cp, cfg); err != nil {
				return 0, key, err
			}
			gs = &cp
		}
		index[key] = len(out)
		out = append(out, group{s: gs, ignored: git.Ignored})
		return len(out) - 1, key, nil
	}
	// A file whose configuration is invalid is not processed; the error
	// is reported once, as a file's error rather than a usage error, so
	// the files other configurations govern still are: one bad
	// .composefix.yaml used to stop a whole repository's run.
	// The error remembers the files it kept from the run, which every
	// format lists as not processed (text and update's plan on stderr).
	// The main command and update treat it alike, the working
	// directory's configuration included.
	reported := map[string]*configError{}
	badConfig := func(err error, path string, files ...string) {
		var ue *usageError
		if errors.As(err, &ue) {
			err = ue.err
		}
		ce := reported[err.Error()]
		if ce == nil {
			ce = &configError{err: err, path: path}
			reported[err.Error()] = ce
			errs = append(errs, ce)
		}
		ce.files = append(ce.files, files...)
	}
	if len(projectFiles) > 0 {
		if i, path, err := groupFor(projectFiles[0]); err != nil {
			badConfig(err, path, projectFiles...)
		} else {
			out[i].projectFile = projectFiles
		}
	}
	for _, f := range files {
		i, path, err := groupFor(f)
		if err != nil {
			badConfig(err, path, f)
			continue
		}
		out[i].paths = append(out[i].paths, f)
	}
	if s.cwdConfigErr != nil {
		// Reported even when it governs no file found (once: badConfig
		// knows it when a file's group met it again).
		badConfig(s.cwdConfigErr, cfgs.pathFor(s.wd))
	}
	return out, errs
}

// configError is an invalid configuration and the files it governs,
// which were not processed. Its message is the configuration's error.
type configError struct {
	err   error
	path  string // the configuration's path; "" when not known (the working directory could not be resolved)
	files []string
}

func (e *configError) Error() string { return e.err.Error() }
func (e *configError) Unwrap() error { return e.err }

// reportFiles is the error as the reports that list files show it, once:
// on the configuration itself, at its position when it has one, as a
// file's parse error is; then each file it governs as not processed,
// naming the configuration, so that a reviewer reading annotations sees
// why. The configuration's entry is marked, so that no count of compose
// files counts it.
func (e *configError) reportFiles() []report.File {
	var out []report.File
	var ce *config.Error
	path := e.path
	switch {
	case errors.As(e.err, &ce):
		// The first problem's position is the location; the message
		// keeps any further ones, with theirs.
		msg := strings.TrimPrefix(e.err.Error(), fmt.Sprintf("%s:%d:%d: ", ce.Path, ce.Line, ce.Col))
		path = ce.Path
		out = append(out, report.File{Path: path, Config: true, Err: &compose.PosError{Path: path, Line: ce.Line, Col: ce.Col, Msg: msg}})
	case path != "":
		out = append(out, report.File{Path: path, Config: true, Err: e.err})
	}
	for _, f := range e.files {
		err := fmt.Errorf("not processed: its configuration %s is invalid", path)
		if path == "" { // no entry of its own holds the error
			err = fmt.Errorf("not processed: its configuration is invalid: %w", e.err)
		}
		out = append(out, report.File{Path: f, Err: err})
	}
	return out
}

// printNotProcessed lists on w, one a line, the files e kept from the
// run, naming the configuration (its own error is printed apart).
func (e *configError) printNotProcessed(w io.Writer) {
	for _, f := range e.reportFiles() {
		if !f.Config {
			fmt.Fprintf(w, "%s: %v\n", f.Path, f.Err)
		}
	}
}

// configFinder finds and loads each directory's configuration once. It
// is not safe for concurrent use.
type configFinder struct {
	wd     string                  // the working directory, read once for the run
	found  map[string]string       // absolute directory -> configuration path ("": none)
	loaded map[string]*config.File // configuration path -> file
	failed map[string]error        // configuration path -> why it cannot be used
}

func newConfigFinder(wd string) *configFinder {
	return &configFinder{wd: wd, found: map[string]string{}, loaded: map[string]*config.File{}, failed: map[string]error{}}
}

// forDir returns the configuration that applies to files in dir: the
// nearest .composefix.yaml up to the repository root, or nil. Its path is
// relative to the working directory when it can be, as messages show it.
// A configuration that cannot be used (ambiguous, unreadable, invalid)
// is an error, and pathFor names its file.
func (f *configFinder) forDir(dir string) (*config.File, error) {
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(f.wd, dir) // what filepath.Abs does, without asking the kernel again
	}
	path, ok := f.found[dir]
	if !ok {
		var err error
		path, err = config.Find(dir)
		var fe *config.FindError
		switch {
		case errors.As(err, &fe):
			// Reported on the file it names, as one that does not load.
			fe.Path = f.rel(fe.Path)
			if fe.Other != "" {
				fe.Other = f.rel(fe.Other)
			}
			path = fe.Path
			f.failed[path] = err
		case err != nil:
			return nil, &usageError{err}
		case path != "":
			path = f.rel(path)
		}
		f.found[dir] = path
	}
	if path == "" {
		return nil, nil
	}
	if err := f.failed[path]; err != nil {
		return nil, &usageError{err}
	}
	if cfg, ok := f.loaded[path]; ok {
		return cfg, nil
	}
	cfg, err := config.Load(path)
	if err != nil {
		f.failed[path] = err
		return nil, &usageError{err}
	}
	f.loaded[path] = cfg
	return cfg, nil
}

// rel is path relative to the working directory when it can be, as
// messages show paths.
func (f *configFinder) rel(path string) string {
	if rel, err := filepath.Rel(f.wd, path); err == nil {
		return rel
	}
	return path
}

// pathFor is the configuration path forDir found for dir, "" when it
// found none or failed before finding one.
func (f *configFinder) pathFor(dir string) string {
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(f.wd, dir)
	}
	return f.found[dir]
}

// sameConfig reports whether two configurations are the same file.
func sameConfig(a, b *config.File) bool {
	if a == nil || b == nil || a == b {
		return a == b
	}
	pa, _ := filepath.Abs(a.Path)
	pb, _ := filepath.Abs(b.Path)
	return pa == pb
}

// excludesOf returns cfg's exclude patterns, relative to its directory.
func excludesOf(cfg *config.File) ignore.Exclude {
	if cfg == nil || len(cfg.Exclude) == 0 {
		return nil
	}
	return ignore.Parse(filepath.Dir(cfg.Path), cfg.Exclude)
}

// forFile returns the settings for one file: s under the configuration
// nearest to it (its directory's .composefix.yaml, up to the repository
// root), as groups decides for files found on disk.
func (s *settings) forFile(path string) (*settings, error) {
	cfg, err := s.configs.forDir(filepath.Dir(path))
	if err != nil || sameConfig(cfg, s.configFile) {
		return s, err
	}
	cp := *s
	if err := s.configure(&cp, cfg); err != nil {
		return nil, err
	}
	return &cp, nil
}

// onePerPath keeps the first of discovery's errors about one path, by its
// cleaned absolute path: discovery lists a file reached twice once, under
// its first spelling, but reports a path it cannot use each time it is
// given, so that `missing.yaml ./missing.yaml` was two files that failed
// in every format and count. Errors that name no path are all kept.
func onePerPath(errs []error) []error {
	seen := map[string]bool{}
	kept := errs[:0]
	for _, err := range errs {
		var pe *compose.PosError
		if errors.As(err, &pe) && pe.Path != "" {
			key, aerr := filepath.Abs(pe.Path) // cleaned
			if aerr != nil {
				key = filepath.Clean(pe.Path)
			}
			if seen[key] {
				continue
			}
			seen[key] = true
		}
		kept = append(kept, err)
	}
	return kept
}
