package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/diff"
	"github.com/composefix/composefix/fixers"
	"github.com/composefix/composefix/report"
	"golang.org/x/sync/errgroup"
)

// input is one file as read and loaded.
type input struct {
	path   string
	src    []byte
	doc    *compose.Document // nil when err is set
	err    error
	digest [32]byte // of src, checked again before writing
}

// fix is the default command: discover, load, resolve images, analyse and
// fix, then print a diff (or another format) or write.
func fix(ctx context.Context, s *settings, in io.Reader, out, errOut io.Writer) error {
	if len(s.paths) == 1 && s.paths[0] == "-" {
		return fixStdin(ctx, s, in, out, errOut)
	}
	r := runFiles(ctx, s, errOut)
	if err := emit(s, r.results, r.sum, out, errOut); err != nil {
		return err
	}
	return r.exit(s, errOut, nil)
}

// fileRun is what a pass over the named files did.
type fileRun struct {
	inputs       []input
	results      []report.File // in input order
	resolved     fixers.Resolutions
	sum          report.Summary
	discoverErrs []error
	regErr       error // registry failure: reported after everything else
}

// runFiles discovers, loads, resolves, fixes and (with --write) writes the
// files s names; the caller reports the results.
func runFiles(ctx context.Context, s *settings, errOut io.Writer) fileRun {
	start := time.Now()
	paths := append(append([]string(nil), s.projectFile...), s.paths...)
	files, discoverErrs := compose.Discover(paths)
	if len(files) == 0 && len(discoverErrs) == 0 {
		fmt.Fprintf(errOut, "composefix: no compose files found in %s\n", strings.Join(paths, ", "))
	}
	r := fileRun{discoverErrs: discoverErrs}
	r.inputs = loadAll(ctx, files)
	var rstats registryStats
	r.resolved, rstats, r.regErr = resolveImages(ctx, s, docsOf(r.inputs))
	r.results = fixAll(ctx, s, r.inputs, projects(s, r.inputs), r.resolved)

	r.sum = report.Summary{Write: s.write, Lookups: rstats.lookups, Requests: rstats.requests, CacheHits: rstats.cacheHits}
	for i := range r.results {
		res := &r.results[i]
		if res.Err == nil && s.write && res.Changed() {
			if res.Err = writeFile(res.Path, res.Output, r.inputs[i].src, r.inputs[i].digest); res.Err == nil {
				res.Written = true
			}
		}
		r.sum.Add(res)
	}
	r.sum.Elapsed = time.Since(start)
	for _, err := range discoverErrs {
		fmt.Fprintf(errOut, "%v\n", err)
	}
	return r
}

// exit reports a registry failure and picks the exit status: 2 when a path,
// a file, the registry or extra failed; with --check, 1 when something would
// change or an error-level finding remains.
func (r fileRun) exit(s *settings, errOut io.Writer, extra error) error {
	if r.regErr != nil {
		fmt.Fprintf(errOut, "composefix: %v\n", r.regErr)
	}
	switch {
	case len(r.discoverErrs) > 0 || r.sum.Failed > 0 || r.regErr != nil || extra != nil:
		return exitStatus(exitError)
	case s.check && (r.sum.Changed > 0 || r.sum.Errors > 0):
		return exitStatus(exitChanges)
	}
	return nil
}

// emit writes the run's product to out and its messages to errOut in the
// chosen format.
func emit(s *settings, results []report.File, sum report.Summary, out, errOut io.Writer) error {
	if s.format != "text" {
		for _, r := range results {
			if r.Err != nil {
				fmt.Fprintf(errOut, "%v\n", r.Err)
			}
		}
		return writeReport(out, s.format, results, sum)
	}
	for _, r := range results {
		if r.Err != nil {
			fmt.Fprintf(errOut, "%v\n", r.Err)
			continue
		}
		if s.sourceLines {
			report.FindingsWithSource(errOut, &r, s.errColor)
		} else {
			report.Findings(errOut, r.Findings)
		}
		if r.Changed() && !s.write {
			fmt.Fprint(out, diff.Unified(diffPath(r.Path), r.Original, r.Output, diff.WithColor(s.color)))
		}
	}
	report.SummaryLine(errOut, sum)
	return nil
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
				if in.src, in.err = readLimited(path); in.err == nil {
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

// projects maps each loaded file to the documents of its project: the -f
// files form one project; among the other files an override joins its base
// in the same directory, as docker compose does.
func projects(s *settings, inputs []input) map[string][]*compose.Document {
	byPath := map[string]*compose.Document{}
	var paths []string
	for _, in := range inputs {
		if in.doc != nil {
			byPath[in.path] = in.doc
			paths = append(paths, in.path)
		}
	}
	var groups [][]string
	explicit := map[string]bool{}
	if len(s.projectFile) > 0 {
		var group []string
		for _, f := range s.projectFile {
			explicit[f] = true
			group = append(group, f)
		}
		groups = append(groups, group)
	}
	var rest []string
	for _, p := range paths {
		if !explicit[p] {
			rest = append(rest, p)
		}
	}
	groups = append(groups, compose.GroupProjects(rest)...)
	refs := referencedDocs(inputs)
	out := map[string][]*compose.Document{}
	for _, g := range groups {
		var docs []*compose.Document
		for _, p := range g {
			if d := byPath[p]; d != nil {
				docs = append(docs, d)
			}
		}
		// Files reached through include: or extends: file: come last: they
		// are read for what they set, and own no service of the group.
		seen := map[*compose.Document]bool{}
		for _, d := range docs {
			seen[d] = true
		}
		for _, p := range g {
			for _, r := range refs[p] {
				if !seen[r] {
					seen[r] = true
					docs = append(docs, r)
				}
			}
		}
		for _, p := range g {
			out[p] = docs
		}
	}
	return out
}

// maxReferenceDepth bounds how far include: and extends: file: chains are
// followed.
const maxReferenceDepth = 8

// referencedDocs loads, for each input, the files it reaches through
// include: and extends: file: (transitively), each once. They are context,
// not fixed: a file that cannot be read or loaded is skipped, since docker
// compose itself reports it.
func referencedDocs(inputs []input) map[string][]*compose.Document {
	loaded := map[string]*compose.Document{} // absolute path -> document
	for _, in := range inputs {
		if in.doc != nil {
			if abs, err := filepath.Abs(in.path); err == nil {
				loaded[abs] = in.doc
			}
		}
	}
	load := func(path string) *compose.Document {
		abs, err := filepath.Abs(path)
		if err != nil {
			return nil
		}
		if d, ok := loaded[abs]; ok {
			return d
		}
		loaded[abs] = nil // a failed load is not retried
		src, err := readLimited(path)
		if err != nil {
			return nil
		}
		d, err := compose.LoadWith(path, src, compose.LoadOptions{AllowNonCompose: true})
		if err != nil {
			return nil
		}
		loaded[abs] = d
		return d
	}
	out := map[string][]*compose.Document{}
	for _, in := range inputs {
		if in.doc == nil {
			continue
		}
		var docs []*compose.Document
		seen := map[*compose.Document]bool{in.doc: true}
		frontier := []*compose.Document{in.doc}
		for depth := 0; depth < maxReferenceDepth && len(frontier) > 0; depth++ {
			var next []*compose.Document
			for _, d := range frontier {
				for _, ref := range d.References() {
					if r := load(ref); r != nil && !seen[r] {
						seen[r] = true
						docs = append(docs, r)
						next = append(next, r)
					}
				}
			}
			frontier = next
		}
		out[in.path] = docs
	}
	return out
}

// fixAll runs the rules over every loaded document concurrently.
func fixAll(ctx context.Context, s *settings, inputs []input, projects map[string][]*compose.Document, resolved fixers.Resolutions) []report.File {
	results := make([]report.File, len(inputs))
	g, _ := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for i, in := range inputs {
		g.Go(func() error {
			r := report.File{Path: in.path, Original: in.src, Output: in.src, Err: in.err}
			if in.doc != nil {
				opts := fixerOptions(s, resolved)
				opts.Project = projects[in.path]
				res, err := fixers.Run(in.doc, opts)
				if err != nil {
					r.Err = err
				} else {
					r.Output, r.Findings = res.Output, res.Findings
				}
			}
			results[i] = r
			return nil
		})
	}
	_ = g.Wait()
	return results
}

func fixerOptions(s *settings, resolved fixers.Resolutions) fixers.Options {
	return fixers.Options{
		Rules:       s.rules,
		Resolved:    resolved,
		Config:      s.fixers,
		UnsafeFixes: s.unsafeFixes,
		UnsafeRules: s.unsafeRules,
	}
}

// readLimited reads a file, refusing one larger than compose.MaxSize
// without reading it whole.
func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &compose.PosError{Path: path, Msg: "cannot read", Err: unwrapPath(err)}
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, compose.MaxSize+1))
	if err != nil {
		return nil, &compose.PosError{Path: path, Msg: "cannot read", Err: unwrapPath(err)}
	}
	if len(src) > compose.MaxSize {
		return nil, &compose.PosError{Path: path, Msg: fmt.Sprintf("file is larger than the %d-byte limit", compose.MaxSize)}
	}
	return src, nil
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// fixStdin reads one document from stdin and writes the fixed document to
// stdout (the input unchanged when it cannot be fixed, so an editor never
// loses text).
func fixStdin(ctx context.Context, s *settings, in io.Reader, out, errOut io.Writer) error {
	src, err := io.ReadAll(io.LimitReader(in, compose.MaxSize+1))
	if err != nil {
		return fmt.Errorf("reading stdin: %w", err)
	}
	const name = "<stdin>"
	r := report.File{Path: name, Original: src, Output: src}
	if len(src) > compose.MaxSize {
		r.Err = &compose.PosError{Path: name, Msg: fmt.Sprintf("input is larger than the %d-byte limit", compose.MaxSize)}
	}
	var regErr error
	if r.Err == nil {
		d, err := compose.Load(name, src)
		if err != nil {
			r.Err = err
		} else {
			var resolved fixers.Resolutions
			resolved, _, regErr = resolveImages(ctx, s, []*compose.Document{d})
			if res, err := fixers.Run(d, fixerOptions(s, resolved)); err != nil {
				r.Err = err
			} else {
				r.Output, r.Findings = res.Output, res.Findings
			}
		}
	}
	out.Write(r.Output)
	if r.Err != nil {
		fmt.Fprintf(errOut, "%v\n", r.Err)
		return exitStatus(exitError)
	}
	report.Findings(errOut, r.Findings)
	if regErr != nil {
		fmt.Fprintf(errOut, "composefix: %v\n", regErr)
		return exitStatus(exitError)
	}
	var sum report.Summary
	sum.Add(&r)
	if s.check && (sum.Changed > 0 || sum.Errors > 0) {
		return exitStatus(exitChanges)
	}
	return nil
}

// writeFile replaces path atomically with data: a temporary file in the same
// directory, the original mode, fsync, rename. A symlink's target is written
// and the link kept. It refuses when the file changed since it was read.
func writeFile(path string, data, read []byte, digest [32]byte) error {
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return &compose.PosError{Path: path, Msg: "cannot write", Err: unwrapPath(err)}
	}
	cur, err := os.ReadFile(target)
	if err != nil {
		return &compose.PosError{Path: path, Msg: "cannot write", Err: unwrapPath(err)}
	}
	if len(cur) != len(read) || sha256.Sum256(cur) != digest {
		return &compose.PosError{Path: path, Msg: "not written: the file changed while composefix was running"}
	}
	info, err := os.Stat(target)
	if err != nil {
		return &compose.PosError{Path: path, Msg: "cannot write", Err: unwrapPath(err)}
	}
	if err := atomicWrite(target, data, info.Mode().Perm()); err != nil {
		return &compose.PosError{Path: path, Msg: "cannot write", Err: err}
	}
	return nil
}

// diffPath is the path a diff names: relative to the working directory when
// the file is under it, so that `git apply` and `patch -p1` find it.
func diffPath(path string) string {
	if !filepath.IsAbs(path) {
		return path
	}
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	rel, err := filepath.Rel(wd, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return path
	}
	return rel
}
