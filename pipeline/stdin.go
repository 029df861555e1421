package pipeline

import (
	"context"
	"fmt"
	"io"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/fixers"
	"github.com/composefix/composefix/report"
)

// StdinName is the path findings name for a document read from stdin.
const StdinName = "<stdin>"

// Stdin fixes the one document r holds and writes the product to w: the
// fixed document, or, on any error, the whole input unchanged, whatever its
// size, so that an editor piping its text through composefix never loses
// any. res.Err says why the document could not be fixed; regErr is a
// registry failure (the input is echoed then too); err is a failure to read
// r or write w, after what was read has been echoed.
//
// o.StdinName, when set, is the path the document stands for: findings name
// it, and the files of its project (a base beside an override, files it
// includes) are read from disk as context, with the document in its place.
func Stdin(ctx context.Context, o Options, r io.Reader, w io.Writer) (res report.File, regErr, err error) {
	o.wd = workDir(o.WorkDir) // "": abs asks filepath.Abs
	src, err := io.ReadAll(io.LimitReader(r, compose.MaxSize+1))
	name := o.StdinName
	if name == "" {
		name = StdinName
	}
	res = report.File{Path: name, Original: src, Output: src}
	if err != nil {
		_, _ = w.Write(src)
		return res, nil, fmt.Errorf("reading stdin: %w", err)
	}
	if len(src) > compose.MaxSize {
		// Echo what was read, then stream the rest: the input is not
		// held in memory whole.
		res.Err = &compose.PosError{Path: name, Msg: fmt.Sprintf("input is larger than the %d-byte limit", compose.MaxSize)}
		if _, err := w.Write(src); err != nil {
			return res, nil, fmt.Errorf("writing stdout: %w", err)
		}
		if _, err := io.Copy(w, r); err != nil {
			return res, nil, fmt.Errorf("echoing stdin: %w", err)
		}
		return res, nil, nil
	}
	if d, err := compose.Load(name, src); err != nil {
		res.Err = err
	} else {
		var resolved fixers.Resolutions
		resolved, _, regErr = resolveImages(ctx, &o, []*compose.Document{d})
		opts := o.fixerOptions(resolved)
		if o.StdinName != "" {
			pr, err := newGrouping(o.wd, nil, o.Projects, o.Ignored, []string{name}).project(newContextLoader(o.wd, d, nil), name)
			if err != nil {
				res.Err = err
				_, werr := w.Write(res.Output)
				return res, regErr, werr
			}
			opts.Project, opts.MergedFiles = pr.docs, pr.merged
			if _, elsewhere := projectDirs(&o, []string{name})[name]; !elsewhere {
				opts.Unloaded = pr.unloaded // as fixAll: paths resolve from the project directory
			}
		}
		opts.TreeUnread = true // nothing reads d after the rules
		if fr, err := fixers.Run(d, opts); err != nil {
			res.Err = err
		} else if regErr == nil {
			res.Output, res.Findings = fr.Output, fr.Findings
		} else {
			// Reported, but the input is echoed: no fix reaches stdout.
			res.Findings = fr.Findings
			for i := range res.Findings {
				res.Findings[i].Applied = false
			}
		}
	}
	if _, err := w.Write(res.Output); err != nil {
		return res, regErr, fmt.Errorf("writing stdout: %w", err)
	}
	return res, regErr, nil
}
