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

// Stdin fixes the one document r holds. The result's Output is the input
// unchanged when it cannot be fixed, so an editor never loses text; its Err
// says why. regErr is a registry failure (the fixes that need no registry
// are still made); err is a failure to read r.
func Stdin(ctx context.Context, o Options, r io.Reader) (res report.File, regErr, err error) {
	src, err := io.ReadAll(io.LimitReader(r, compose.MaxSize+1))
	if err != nil {
		return res, nil, fmt.Errorf("reading stdin: %w", err)
	}
	res = report.File{Path: StdinName, Original: src, Output: src}
	if len(src) > compose.MaxSize {
		res.Err = &compose.PosError{Path: StdinName, Msg: fmt.Sprintf("input is larger than the %d-byte limit", compose.MaxSize)}
		return res, nil, nil
	}
	d, err := compose.Load(StdinName, src)
	if err != nil {
		res.Err = err
		return res, nil, nil
	}
	var resolved fixers.Resolutions
	resolved, _, regErr = resolveImages(ctx, &o, []*compose.Document{d})
	if fr, err := fixers.Run(d, o.fixerOptions(resolved)); err != nil {
		res.Err = err
	} else {
		res.Output, res.Findings = fr.Output, fr.Findings
	}
	return res, regErr, nil
}
