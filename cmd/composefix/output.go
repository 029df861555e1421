package main

import (
	"io"

	"github.com/composefix/composefix/report"
)

// formats lists the values --format accepts.
func formats() []string { return []string{"text"} }

// writeReport writes a machine-readable report (every format but text) to
// out.
func writeReport(out io.Writer, format string, files []report.File, sum report.Summary) error {
	return usagef("unknown --format %q", format) // TODO(#6): json, sarif, github
}
