package pipeline

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"maps"
	"strings"
	"sync"
	"time"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/fixers"
	"github.com/composefix/composefix/registry"
	"github.com/composefix/composefix/report"
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
	// Discovered says that Paths are discovery's product already
	// (compose.DiscoverWith: regular files, each once) and ProjectFiles
	// is empty: Run does not search them again, which costs a stat and a
	// symlink walk per file.
	Discovered bool

	Rules       []*fixers.Rule
	Fixers      *fixers.Config
	UnsafeFixes bool
	UnsafeRules map[string]bool // unsafe fixes enabled per rule ID

	Registry []registry.Option // how the resolver is built
	// ImageFacts asks the registry for each image's config (user,
	// HEALTHCHECK, platforms) for the rules that read it.
	ImageFacts bool
	// Policy gives an image's update policy; read only when
	// Fixers.Images.Update is set. Nil: minor. It must answer alike for
	// every use of one reference text (ImageRef.Text), which Resolutions
	// hold one answer for; spellings of one image may differ, and the
	// registry answers each under its own. The CLI's per-image patterns
	// match the text, and each configuration's files are a run of their own.
	Policy func(fixers.ImageRef) registry.Policy
	// MinAge gives an image's minimum release age: newer versions younger
	// than it are not adopted yet. Read only when Fixers.Images.Update is
	// set. Nil: none. Like Policy, it must answer alike for one text.
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

	// WorkDir is the working directory, when the caller has read it
	// already (the CLI reads it once for the whole run and its
	// configuration lookups). "": Run reads it.
	WorkDir string

	// LargeFrom is fixers.Options.LargeFrom: tests take small files down
	// the large-file path (findings parked, the input's tree let go) to
	// check that it gives what the usual one gives. 0 everywhere else.
	LargeFrom int

	wd   workDir                // the working directory, read once
	envs map[string]*envProject // by directory: the .env files of the run's projects
	dirs map[string]string      // by input path: its project directory
	// first gives the second pass's context loaders the inputs as the
	// first pass read them (nil: as they are on disk).
	first *firstRead
	// keepBudget replaces the const keepBudget when not 0 (tests); below
	// 0, no document is kept.
	keepBudget int
}

// Progress is told how registry resolution advances.
type Progress interface {
	Start(total int)
	Update(done, cacheHits int)
	Done()
}

// File is one input file's result. Its Document and Resolved are shared
// with the rest of the run and must not be changed.
type File struct {
	report.File
	// doc is the file's document (see Document), whose tree may be gone:
	// only Document reads it, but for its bytes and line index (Diff).
	doc      *compose.Document
	Resolved fixers.Resolutions // every resolution of the run
	// Regions locate every change of Output against Original; the diff
	// is built from them.
	Regions []compose.Region
	// output is the output of fixers.Run, and outputLines its line
	// starts (fixers.Result.OutputLines).
	output      []byte
	outputLines []int
	Config      *fixers.Config // the configuration the file was fixed with (its project's .env included)
	// Updates are the image updates made in the file (update runs only).
	Updates []Update
	// wd is the run's working directory, which the diff's path is
	// relative to ("": read it again).
	wd workDir
}

// Document returns the file's document, nil when the file could not be
// read or loaded, and for .env files. A large file fixed alone lets its
// tree go during its run, and the run reads nothing of it afterwards
// (fixers.Options.TreeUnread): the tree is parsed again here, at the first
// call, so that a caller that reads it (update's list of updates) finds
// it, and a run that does not (fixing, reporting: the 8 MiB benchmark
// file) pays no parse for it. Files are handed over one at a time; two
// goroutines must not call it at once.
func (f *File) Document() *compose.Document {
	if f.doc != nil {
		if err := f.doc.ReloadTree(); err != nil {
			// The same bytes loaded before, under the same limit.
			panic(fmt.Sprintf("pipeline: loading %s again: %v", f.Path, err))
		}
	}
	return f.doc
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

// input is one file as the run's first pass saw it: what the run needs of
// it before fixing. Beyond keepBudget its bytes and tree are not kept:
// the file is read again when its turn to be fixed comes, so that memory
// is bounded by the files being fixed, not by the run.
type input struct {
	path   string
	err    error    // reading or loading it, or a file merged before it
	digest [32]byte // of the bytes read, checked when it is read again; set when the run writes or doc is not kept
	dollar bool     // it interpolates a variable
	// envRefs are its images read from its project's .env variables.
	envRefs []fixers.ImageRef
	// doc is the document kept from the first pass, while the run's kept
	// documents stay within keepBudget, and always for a run's only file:
	// loading a file again costs a parse, a large share of a small run.
	doc *compose.Document
}

// keepBudget bounds what the first pass keeps of the documents it loaded,
// as estimated by keepCost: the first files of a run are fixed from the
// trees already built, the rest are read again, so memory stays flat in
// the number of files (at most about 8 MiB above a streamed run;
// the 53 corpus files cost 4.9 MiB).
const keepBudget = 8 << 20

// keepCost estimates the memory a loaded document holds: a tree of about
// 24 bytes per source byte (the 8 MiB benchmark file's tree takes 165 MB),
// and the document's own indexes, about 8 KiB for the smallest file
// (the 10,000-file benchmark kept about 14 KB per file before streaming).
func keepCost(src []byte) int { return 24*len(src) + 8<<10 }

// Run discovers, loads, resolves, fixes and (with Write) writes the files
// o names, and calls each with every file's result in input order.
//
// It reads the files twice. A first pass lists what must be known of
// every file before any is fixed (its image references, whether it loads,
// what it reads from .env); registry resolution then sees every reference
// at once. The second pass loads each file again with its project, fixes
// it and hands it over, a few at a time, in input order.
func Run(ctx context.Context, o Options, each func(*File)) Result {
	start := time.Now()
	msgs := o.Messages
	if msgs == nil {
		msgs = io.Discard
	}
	paths := append(append([]string(nil), o.ProjectFiles...), o.Paths...)
	files, discoverErrs := paths, []error(nil)
	if !o.Discovered || len(o.ProjectFiles) > 0 {
		files, discoverErrs = compose.Discover(paths)
	}
	if len(files) == 0 && len(discoverErrs) == 0 {
		fmt.Fprintf(msgs, "composefix: no compose files found in %s\n", strings.Join(paths, ", "))
	}
	for _, err := range discoverErrs {
		fmt.Fprintf(msgs, "%v\n", err)
	}
	r := Result{DiscoverErrs: discoverErrs}
	o.wd = newWorkDir(o.WorkDir)
	o.dirs = projectDirs(&o, files)
	refs := newRefCollector(&o)
	if o.Write {
		// Only a run that writes changes the inputs under its feet.
		o.first = newFirstRead(o.wd)
	}
	inputs := scanAll(ctx, &o, files, refs)
	failed := map[string]error{} // absolute path -> error, of the inputs that failed
	var loaded []string
	first := o.first
	for _, in := range inputs {
		if in.err != nil {
			if abs, err := o.wd.abs(in.path); err == nil {
				failed[abs] = in.err
			}
		} else {
			loaded = append(loaded, in.path)
			if first != nil {
				first.digests[first.abs(in.path)] = in.digest
			}
		}
	}
	// Grouping into projects (a look for each file's base and overrides
	// on disk) needs only which inputs loaded: it runs while the registry
	// resolves, which shares nothing with it.
	grouped := make(chan *grouping, 1)
	group := func() {
		g := newGrouping(o.wd, o.ProjectFiles, o.Projects, o.Ignored, loaded)
		if first != nil {
			first.need(g, loaded)
		}
		grouped <- g
	}
	if len(loaded) > 1 {
		go group()
	} else {
		// One file (a pre-commit hook, an editor): its grouping is a few
		// stats, and a goroutine would wake an idle processor for them.
		group()
	}
	var resolved fixers.Resolutions
	var rstats registryStats
	if o.Reuse != nil {
		resolved = maps.Clone(o.Reuse)
	} else {
		var regErr error
		resolved, rstats, regErr = resolveCollected(ctx, &o, refs)
		r.RegistryErr = regErr
	}
	refs = nil
	if o.Restrict != nil {
		o.Restrict(resolved)
	}
	groups := <-grouped
	groupErrs := groups.groupErrs(failed, loaded)
	for i := range inputs {
		if err := groupErrs[inputs[i].path]; err != nil && inputs[i].err == nil {
			inputs[i].err = err
		}
	}
	envResults := fixEnvs(&o, inputs, resolved)

	r.Summary = report.Summary{Write: o.Write, Lookups: rstats.lookups, Requests: rstats.requests, CacheHits: rstats.cacheHits}
	var sweep *tempSweep
	if o.Write {
		// Temporary files a killed run left go, even where nothing
		// changes now.
		sweep = newTempSweep(time.Now())
		sweep.dirsOf(files)
	}
	fixAll(ctx, &o, inputs, groups, failed, resolved, func(i int, res *File, src []byte) {
		if res.Err == nil && o.Write && res.Changed() {
			first.rewriting(res.Path, src)
			writeResult(&res.File, writeFile(res.Path, res.Output, src, inputs[i].digest, sweep))
		}
		r.Summary.Add(&res.File)
		if each != nil {
			res.Resolved, res.Config, res.wd = resolved, o.configFor(inputs[i].path), o.wd
			res.Updates = composeUpdates(res) // names the file relative to res.wd
			each(res)
		}
		inputs[i].envRefs = nil
	})
	for _, e := range envResults {
		res := &e.File
		if res.Err == nil && o.Write && res.Changed() {
			writeResult(&res.File, writeFile(res.Path, res.Output, res.Original, e.digest, sweep))
		}
		r.Summary.Add(&res.File)
		if each != nil {
			res.Resolved, res.Config, res.Updates, res.wd = resolved, e.cfg, e.updates, o.wd
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

// inOrder runs work on 0..n-1 concurrently, a few at a time, and hands
// each result to emit in index order, as soon as it and every one before
// it are done; a result is dropped once emitted. At most a window of
// results wait to be emitted, so results do not pile up behind a slow one,
// and what it keeps does not grow with n.
func inOrder[T any](n int, work func(int) T, emit func(int, T)) {
	if n == 1 {
		// One file (a pre-commit hook, an editor): goroutines would only
		// wake an idle processor and start a thread for it (issue 14:
		// startup).
		emit(0, work(0))
		return
	}
	const window = 16
	// queue holds, in index order, where each started result will be
	// delivered; its capacity is the window.
	queue := make(chan chan T, window)
	type job struct {
		i    int
		done chan T
	}
	jobs := make(chan job)
	// A few long-lived workers rather than a goroutine per file: a new
	// goroutine starts on a small stack, which the parser and the rules
	// grow again, copying it each time, for every file (issue 14: 2-3% of
	// the corpus run's CPU). A worker's stack grows once.
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				j.done <- work(j.i)
			}
		}()
	}
	go func() {
		defer close(queue)
		defer close(jobs)
		for i := range n {
			done := make(chan T, 1)
			queue <- done
			jobs <- job{i, done}
		}
	}()
	i := 0
	for done := range queue {
		emit(i, <-done)
		i++
	}
	wg.Wait() // every result was emitted: nothing is left running but returns
}

// workers is how many files inOrder works on at once.
const workers = 4

// scanAll is the run's first pass: it reads and loads each file, adds its
// image references to refs in input order, reads the .env files of the
// project directories of the files that load, and keeps of each file only
// what the run needs before fixing it (input).
func scanAll(ctx context.Context, o *Options, files []string, refs *refCollector) []input {
	var mu sync.Mutex // guards envs
	envs := map[string]*envProject{}
	env := func(dir string) *envProject {
		mu.Lock()
		defer mu.Unlock()
		e, ok := envs[dir]
		if !ok {
			e = loadEnv(o, dir)
			envs[dir] = e
		}
		return e
	}
	type scanned struct {
		in   input
		refs docRefs
		// reaches are the files it includes or extends, which may be
		// inputs too (firstRead)
		reaches []string
	}
	inputs := make([]input, len(files))
	kept, budget := 0, keepBudget // kept: the keepCost of the documents inputs hold
	if o.keepBudget != 0 {
		budget = o.keepBudget
	}
	inOrder(len(files), func(i int) scanned {
		path := files[i]
		s := scanned{in: input{path: path}}
		if s.in.err = interrupted(ctx, path); s.in.err != nil {
			return s
		}
		src, err := compose.ReadFile(path)
		if err != nil {
			s.in.err = err
			return s
		}
		if o.Write {
			// Checked before the file is replaced. A dry run needs it only
			// for a file read again (see the keep budget below).
			s.in.digest = sha256.Sum256(src)
		}
		d, err := compose.Load(path, src)
		if err != nil {
			s.in.err = err
			return s
		}
		s.in.dollar = bytes.IndexByte(src, '$') >= 0
		e := env(o.envDir(path))
		cfg := e.config(o.Fixers)
		if e != nil && e.err == nil {
			s.in.envRefs = envRefs(d, cfg)
		}
		s.refs = refs.scan(d, cfg)
		if o.first != nil {
			s.reaches = d.References()
		}
		s.in.doc = d
		return s
	}, func(i int, s scanned) {
		if d := s.in.doc; d != nil && len(files) > 1 {
			if cost := keepCost(d.Src); kept+cost <= budget {
				kept += cost
			} else {
				s.in.doc = nil
				if !o.Write {
					s.in.digest = sha256.Sum256(d.Src) // reload checks it
				}
			}
		}
		inputs[i] = s.in
		refs.add(s.refs)
		if o.first != nil {
			for _, p := range s.reaches {
				o.first.needed[o.first.abs(p)] = true
			}
		}
	})
	o.envs = envs
	return inputs
}

// reload returns the document of in for fixing: the one the first pass
// kept, or the file read and loaded again, which must still be what the
// first pass read.
func reload(in input) (*compose.Document, []byte, error) {
	if in.doc != nil {
		return in.doc, in.doc.Src, nil
	}
	src, err := compose.ReadFile(in.path)
	if err != nil {
		return nil, src, err
	}
	if sha256.Sum256(src) != in.digest {
		return nil, src, changedError(in.path)
	}
	d, err := compose.Load(in.path, src)
	return d, src, err
}

// fixAll is the run's second pass: it reads each file that loaded again,
// with the documents of its project, runs the rules, and hands each result
// to emit in input order with the bytes it was fixed from. A file that
// changed since the first pass is not fixed: its images were resolved as
// they were.
func fixAll(ctx context.Context, o *Options, inputs []input, groups *grouping, failed map[string]error, resolved fixers.Resolutions, emit func(int, *File, []byte)) {
	type fixed struct {
		res File
		src []byte
	}
	inOrder(len(inputs), func(i int) fixed {
		in := inputs[i]
		r := File{File: report.File{Path: in.path, Err: in.err}}
		if in.err != nil {
			// Reported with its bytes, when they can be read, as a file
			// that loads.
			if src, err := compose.ReadFile(in.path); err == nil {
				r.Original, r.Output = src, src
			}
			return fixed{res: r}
		}
		if r.Err = interrupted(ctx, in.path); r.Err != nil {
			return fixed{res: r}
		}
		d, src, err := reload(in)
		inputs[i].doc = nil
		r.Original, r.Output, r.Err = src, src, err
		if err != nil {
			return fixed{res: r, src: src}
		}
		c := newContextLoader(o.wd, d, failed)
		c.first = o.first
		pr, err := groups.project(c, in.path)
		if err == nil && c.changed != nil {
			// A file it reads (included, say, by a file that is no input)
			// was rewritten by this run, unforeseen: analysed without it,
			// or with its new bytes, it would be fixed otherwise than the
			// dry run shows.
			err = &compose.PosError{Path: in.path, Msg: "not analysed", Err: c.changed} // c.changed says to run again
		}
		if err != nil {
			r.Err = err
			return fixed{res: r, src: src}
		}
		opts := o.fixerOptions(resolved)
		opts.Config = o.configFor(in.path)
		opts.Project, opts.MergedFiles, opts.Overlays = pr.docs, pr.merged, pr.overlays
		if _, elsewhere := o.dirs[in.path]; !elsewhere {
			// compose resolves a file's include: and extends: file: paths
			// from its project directory; pr.unloaded took them from the
			// file's own, and where the two differ (a later -f file,
			// --project-directory, a declared project) CF604 would fail a
			// project compose loads.
			opts.Unloaded = pr.unloaded
		}
		// Nothing here reads d's tree after the rules: File.Document
		// gives it back to a caller that does.
		opts.TreeUnread = true
		res, err := fixers.Run(d, opts)
		if err != nil {
			r.Err = err
		} else {
			r.Output, r.Findings, r.Regions = res.Output, withoutOps(res.Findings), res.Regions
			r.output, r.outputLines = res.Output, res.OutputLines
		}
		r.doc = d
		return fixed{res: r, src: src}
	}, func(i int, f fixed) {
		emit(i, &f.res, f.src)
	})
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
		LargeFrom:   o.LargeFrom,
	}
}

// interrupted is the error of a file a cancelled run did not process, nil
// while ctx is live. It names the file: a bare "context canceled" for each
// file an interrupt left was hundreds of lines that named none.
func interrupted(ctx context.Context, path string) error {
	if err := ctx.Err(); err != nil {
		return &compose.PosError{Path: path, Msg: "not processed: interrupted", Err: err}
	}
	return nil
}
