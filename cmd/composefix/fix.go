package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/diff"
	"github.com/composefix/composefix/fixers"
	"golang.org/x/sync/errgroup"
)

// fileResult is what happened to one input file.
type fileResult struct {
	path   string
	res    *fixers.Result // nil when err is set
	err    error          // could not read, parse, fix or write
	digest [32]byte       // of the bytes read, checked again before writing
	size   int64
}

// fix is the default command: discover, load, analyse, fix, then print a
// diff or write.
func fix(ctx context.Context, s *settings, in io.Reader, out, errOut io.Writer) error {
	start := time.Now()
	if len(s.paths) == 1 && s.paths[0] == "-" {
		return fixStdin(s, in, out, errOut)
	}
	paths := append(append([]string(nil), s.projectFile...), s.paths...)
	files, discoverErrs := compose.Discover(paths)
	results := make([]fileResult, len(files))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for i, path := range files {
		g.Go(func() error {
			results[i] = processFile(ctx, s, path)
			return nil
		})
	}
	_ = g.Wait() // processFile reports errors per file

	failed := len(discoverErrs) > 0
	for _, err := range discoverErrs {
		fmt.Fprintf(errOut, "%v\n", err)
	}
	if len(files) == 0 && len(discoverErrs) == 0 {
		fmt.Fprintf(errOut, "composefix: no compose files found in %s\n", strings.Join(paths, ", "))
	}
	var sum summary
	for i := range results {
		r := &results[i]
		sum.files++
		if r.err == nil && s.write && r.res.Changed() {
			r.err = writeFile(r.path, r.res.Output, r.size, r.digest)
		}
		if r.err != nil {
			failed = true
			fmt.Fprintf(errOut, "%v\n", r.err)
			continue
		}
		printFindings(errOut, r.res.Findings)
		sum.add(r.res)
		if r.res.Changed() && !s.write {
			fmt.Fprint(out, diff.Unified(diffPath(r.path), r.res.Original, r.res.Output, diff.WithColor(s.color)))
		}
	}
	sum.print(errOut, s, time.Since(start))
	switch {
	case failed:
		return exitStatus(exitError)
	case s.check && (sum.changed > 0 || sum.errors > 0):
		return exitStatus(exitChanges)
	}
	return nil
}

// processFile reads, loads and fixes one file; it never writes.
func processFile(ctx context.Context, s *settings, path string) fileResult {
	r := fileResult{path: path}
	if err := ctx.Err(); err != nil {
		r.err = err
		return r
	}
	src, err := readLimited(path)
	if err != nil {
		r.err = err
		return r
	}
	r.size, r.digest = int64(len(src)), sha256.Sum256(src)
	r.res, r.err = fixBytes(s, path, src)
	return r
}

func fixBytes(s *settings, path string, src []byte) (*fixers.Result, error) {
	d, err := compose.Load(path, src)
	if err != nil {
		return nil, err
	}
	return fixers.Run(d, fixers.Options{
		Rules:       s.rules,
		Config:      s.fixers,
		UnsafeFixes: s.unsafeFixes,
		UnsafeRules: s.unsafeRules,
	})
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
func fixStdin(s *settings, in io.Reader, out, errOut io.Writer) error {
	src, err := io.ReadAll(io.LimitReader(in, compose.MaxSize+1))
	if err != nil {
		return fmt.Errorf("reading stdin: %w", err)
	}
	if len(src) > compose.MaxSize {
		return fmt.Errorf("<stdin>: input is larger than the %d-byte limit", compose.MaxSize)
	}
	res, err := fixBytes(s, "<stdin>", src)
	if err != nil {
		out.Write(src)
		fmt.Fprintf(errOut, "%v\n", err)
		return exitStatus(exitError)
	}
	out.Write(res.Output)
	printFindings(errOut, res.Findings)
	var sum summary
	sum.files = 1
	sum.add(res)
	if s.check && (sum.changed > 0 || sum.errors > 0) {
		return exitStatus(exitChanges)
	}
	return nil
}

// writeFile replaces path atomically with data: a temporary file in the same
// directory, the original mode, fsync, rename. A symlink's target is written
// and the link kept. It refuses when the file changed since it was read.
func writeFile(path string, data []byte, size int64, digest [32]byte) error {
	target, err := resolveLink(path)
	if err != nil {
		return &compose.PosError{Path: path, Msg: "cannot write", Err: err}
	}
	cur, err := os.ReadFile(target)
	if err != nil {
		return &compose.PosError{Path: path, Msg: "cannot write", Err: unwrapPath(err)}
	}
	if int64(len(cur)) != size || sha256.Sum256(cur) != digest {
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

func printFindings(w io.Writer, fs []fixers.Finding) {
	for _, f := range fs {
		note := ""
		switch {
		case f.Applied:
			note = " (fixed)"
		case f.Fix != nil && f.Fix.Safety == fixers.Unsafe:
			note = " (fix available with --unsafe-fixes)"
		}
		fmt.Fprintf(w, "%s:%d:%d: %s: %s [%s]%s\n", f.Path, f.Pos.Line, f.Pos.Col, f.Severity, f.Message, f.RuleID, note)
	}
}

// summary counts what a run did, for the closing line on stderr.
type summary struct {
	files, changed, applied, unsafe int
	errors, warnings, infos         int
}

func (s *summary) add(r *fixers.Result) {
	if r.Changed() {
		s.changed++
	}
	for _, f := range r.Findings {
		switch {
		case f.Applied:
			s.applied++
		case f.Fix != nil && f.Fix.Safety == fixers.Unsafe:
			s.unsafe++
		}
		if f.Applied {
			continue // fixed: no longer a finding that remains
		}
		switch f.Severity {
		case fixers.Error:
			s.errors++
		case fixers.Warning:
			s.warnings++
		default:
			s.infos++
		}
	}
}

func (s *summary) print(w io.Writer, st *settings, elapsed time.Duration) {
	verb := "would change"
	if st.write {
		verb = "changed"
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "composefix: %d %s scanned, %d %s; %d %s", s.files, plural(s.files, "file"), s.changed, verb, s.applied, plural(s.applied, "fix"))
	if st.write {
		b.WriteString(" applied")
	} else {
		b.WriteString(" to apply")
	}
	if s.unsafe > 0 {
		fmt.Fprintf(&b, ", %d more with --unsafe-fixes", s.unsafe)
	}
	fmt.Fprintf(&b, "; remaining findings: %d %s, %d %s, %d info (%s)\n",
		s.errors, plural(s.errors, "error"), s.warnings, plural(s.warnings, "warning"), s.infos, elapsed.Round(time.Millisecond))
	w.Write(b.Bytes())
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	if strings.HasSuffix(word, "x") {
		return word + "es"
	}
	return word + "s"
}

// sortedKeys returns a map's keys sorted.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
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
