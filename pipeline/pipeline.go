package pipeline

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"maps"
	"strings"
	"time"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/fixers"
	"github.com/composefix/composefix/registry"
	"github.com/composefix/composefix/report"
	"golang.org/x/sync/errgroup"
)

// Options say what a run reads, which rules it runs and how it resolves
// images. The zero value of each field is a sensible default except Rules
// and Fixers, which the caller fills.
type Options struct {
	Paths        []string // files and directories to search
	StdinName    string   // the path a document on stdin stands for (Stdin); "": <stdin>, no project
	ProjectFiles []string // -f files: one project, merged in order
	// ProjectDir is the -f project's directory, whose .env it reads
	// (--project-directory); "": the first -f file's, as docker compose.
	ProjectDir string
	// Projects are declared projects (.composefix.yaml), each merged in
	// order: a given file named in one is analysed with it, not with the
	// project its name suggests. Files not given are read as context.
	Projects [][]string
	// Ignored reports files that a checkout does not have (git ignores
	// them): such a base or override found on disk is not read as context.
	// Nil: none.
	Ignored func(path string) bool
	Write   bool // write changed files in place (atomically)

	Rules       []*fixers.Rule
	Fixers      *fixers.Config
	UnsafeFixes bool
	UnsafeRules map[string]bool // unsafe fixes enabled per rule ID

	Registry []registry.Option // how the resolver is built
	// ImageFacts asks the registry for each image's config (user,
	// HEALTHCHECK, platforms) for the rules that read it.
	ImageFacts bool
	// Policy gives an image's update policy; read only when
	// Fixers.Images.Update is set. Nil: minor.
	Policy func(fixers.ImageRef) registry.Policy
	// MinAge gives an image's minimum release age: newer versions younger
	// than it are not adopted yet. Read only when Fixers.Images.Update is
	// set. Nil: none.
	MinAge func(fixers.ImageRef) time.Duration
	// Reuse, when set, holds the resolutions of an earlier run over the
	// same files: the run asks the registry nothing and reads these.
	Reuse fixers.Resolutions
	// Restrict, when set, sees every resolution before the rules do and may
	// change it in place (`update --apply-group` withholds the updates of
	// other groups).
	Restrict func(fixers.Resolutions)
	Progress Progress // nil: no progress

	// Messages receives what is neither product nor finding: "no compose
	// files found", discovery errors. Nil: discarded.
	Messages io.Writer

	envs map[string]*envProject // by directory: the .env files of the run's projects
	dirs map[string]string      // by input path: its project directory
}

// Progress is told how registry resolution advances.
type Progress interface {
	Start(total int)
	Update(done, cacheHits int)
	Done()
}

// File is one input file's result. Doc and Resolved are shared with the
// rest of the run and must not be changed.
type File struct {
	report.File
	Doc      *compose.Document  // nil when the file could not be read or loaded, and for .env files
	Resolved fixers.Resolutions // every resolution of the run
	// Regions locate every change of Output against Original; the diff
	// is built from them.
	Regions []compose.Region
	Config  *fixers.Config // the configuration the file was fixed with (its project's .env included)
	// Updates are the image updates made in the file (update runs only).
	Updates []Update
}

// Result is what a run did as a whole.
type Result struct {
	Summary      report.Summary
	DiscoverErrs []error
	// RegistryErr is a registry failure (unreachable, refused, throttled):
	// everything else was still fixed and written.
	RegistryErr error
}

// Failed reports whether the run should exit with an error: a path, a file
// or the registry failed.
func (r *Result) Failed() bool {
	return len(r.DiscoverErrs) > 0 || r.Summary.Failed > 0 || r.RegistryErr != nil
}

// input is one file as read and loaded.
type input struct {
	path   string
	src    []byte
	doc    *compose.Document // nil when err is set
	err    error
	digest [32]byte // of src, checked again before writing
}

// Run discovers, loads, resolves, fixes and (with Write) writes the files
// o names, and calls each with every file's result in input order.
func Run(ctx context.Context, o Options, each func(*File)) Result {
	start := time.Now()
	msgs := o.Messages
	if msgs == nil {
		msgs = io.Discard
	}
	paths := append(append([]string(nil), o.ProjectFiles...), o.Paths...)
	files, discoverErrs := compose.Discover(paths)
	if len(files) == 0 && len(discoverErrs) == 0 {
		fmt.Fprintf(msgs, "composefix: no compose files found in %s\n", strings.Join(paths, ", "))
	}
	for _, err := range discoverErrs {
		fmt.Fprintf(msgs, "%v\n", err)
	}
	r := Result{DiscoverErrs: discoverErrs}
	inputs := loadAll(ctx, files)
	o.dirs = projectDirs(&o, inputs)
	o.envs = loadEnvs(&o, inputs)
	var resolved fixers.Resolutions
	var rstats registryStats
	if o.Reuse != nil {
		resolved = maps.Clone(o.Reuse)
	} else {
		var regErr error
		resolved, rstats, regErr = resolveImages(ctx, &o, docsOf(inputs))
		r.RegistryErr = regErr
	}
	if o.Restrict != nil {
		o.Restrict(resolved)
	}
	loader := newContextLoader(inputs)
	groups, groupErrs := projects(loader, o.ProjectFiles, o.Projects, o.Ignored, inputs)
	for i := range inputs {
		if err := groupErrs[inputs[i].path]; err != nil && inputs[i].err == nil {
			inputs[i].doc, inputs[i].err = nil, err
		}
	}
	envResults := fixEnvs(&o, loader, inputs, resolved)
	loader = nil // it holds every document: let them go as files are handed over

	r.Summary = report.Summary{Write: o.Write, Lookups: rstats.lookups, Requests: rstats.requests, CacheHits: rstats.cacheHits}
	if o.Write {
		// Temporary files a killed run left go, even where nothing
		// changes now.
		removeStaleTempsIn(files, time.Now())
	}
	// Each file's project, by index: once a file is handed over, its
	// document and project go, so that memory falls as the run goes.
	projs := make([]project, len(inputs))
	for i := range inputs {
		projs[i] = groups[inputs[i].path]
	}
	groups = nil
	fixAll(ctx, &o, inputs, projs, resolved, func(i int, res *File) {
		if res.Err == nil && o.Write && res.Changed() {
			writeResult(&res.File, writeFile(res.Path, res.Output, inputs[i].src, inputs[i].digest))
		}
		r.Summary.Add(&res.File)
		if each != nil {
			res.Doc, res.Resolved, res.Config = inputs[i].doc, resolved, o.configFor(inputs[i].path)
			res.Updates = composeUpdates(res)
			each(res)
		}
		inputs[i].doc, inputs[i].src, projs[i] = nil, nil, project{}
	})
	for _, e := range envResults {
		res := &e.File
		if res.Err == nil && o.Write && res.Changed() {
			writeResult(&res.File, writeFile(res.Path, res.Output, res.Original, e.digest))
		}
		r.Summary.Add(&res.File)
		if each != nil {
			res.Resolved, res.Config, res.Updates = resolved, e.cfg, e.updates
			each(res)
		}
	}
	r.Summary.Elapsed = time.Since(start)
	return r
}

// writeResult records how writing res went. A refused write keeps the
// file's findings, none of them fixed: they still stand in the file.
func writeResult(res *report.File, err error) {
	if err == nil {
		res.Written = true
		return
	}
	res.Err = err
	for i := range res.Findings {
		res.Findings[i].Applied = false
	}
}

// loadAll reads and loads files concurrently; results keep input order.
func loadAll(ctx context.Context, files []string) []input {
	inputs := make([]input, len(files))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for i, path := range files {
		g.Go(func() error {
			in := input{path: path}
			if in.err = ctx.Err(); in.err == nil {
				if in.src, in.err = compose.ReadFile(path); in.err == nil {
					in.digest = sha256.Sum256(in.src)
					in.doc, in.err = compose.Load(path, in.src)
				}
			}
			inputs[i] = in
			return nil
		})
	}
	_ = g.Wait() // errors are per file
	return inputs
}

func docsOf(inputs []input) []*compose.Document {
	var docs []*compose.Document
	for _, in := range inputs {
		if in.doc != nil {
			docs = append(docs, in.doc)
		}
	}
	return docs
}

// fixAll runs the rules over every loaded document concurrently and hands
// each result to emit in input order, as soon as it and every one before
// it are done; a result is dropped once emitted. At most window results
// wait to be emitted, so results do not pile up behind a slow file.
func fixAll(ctx context.Context, o *Options, inputs []input, projects []project, resolved fixers.Resolutions, emit func(int, *File)) {
	const window = 16
	results := make([]File, len(inputs))
	ready := make([]chan struct{}, len(inputs))
	for i := range ready {
		ready[i] = make(chan struct{})
	}
	slots := make(chan struct{}, window) // taken when a file starts, freed when it is emitted
	g, _ := errgroup.WithContext(ctx)
	g.SetLimit(4)
	go func() {
		for i, in := range inputs {
			slots <- struct{}{}
			g.Go(func() error {
				defer close(ready[i])
				r := File{File: report.File{Path: in.path, Original: in.src, Output: in.src, Err: in.err}}
				if in.doc != nil {
					opts := o.fixerOptions(resolved)
					opts.Config = o.configFor(in.path)
					opts.Project, opts.MergedFiles = projects[i].docs, projects[i].merged
					opts.Overlays = projects[i].overlays
					res, err := fixers.Run(in.doc, opts)
					if err != nil {
						r.Err = err
					} else {
						r.Output, r.Findings, r.Regions = res.Output, withoutOps(res.Findings), res.Regions
					}
				}
				results[i] = r
				return nil
			})
		}
	}()
	for i := range inputs {
		<-ready[i]
		emit(i, &results[i])
		results[i] = File{}
		<-slots
	}
	_ = g.Wait() // every file was emitted: nothing is left running but returns
}

// withoutOps drops the tree operations from the findings' fixes: they
// served verification inside fixers.Run, and their new nodes are most of
// what a file's result would otherwise keep alive until the run ends.
// Reports read the edits.
func withoutOps(fs []fixers.Finding) []fixers.Finding {
	for i := range fs {
		if fx := fs[i].Fix; fx != nil && len(fx.Change.Ops) > 0 {
			c := *fx
			c.Change.Ops = nil
			fs[i].Fix = &c
		}
	}
	return fs
}

func (o *Options) fixerOptions(resolved fixers.Resolutions) fixers.Options {
	return fixers.Options{
		Rules:       o.Rules,
		Resolved:    resolved,
		Config:      o.Fixers,
		UnsafeFixes: o.UnsafeFixes,
		UnsafeRules: o.UnsafeRules,
	}
}
