package main

import (
	"io"

	"github.com/composefix/composefix/report"
)

// formats lists the values --format accepts.
func formats() []string { return []string{"text", "json", "sarif", "github"} }

// writeReport writes a machine-readable report (every format but text) to
// out. It is the whole of stdout: no diff, no summary line.
func writeReport(out io.Writer, format string, files []report.File, sum report.Summary) error {
	opts := []report.Option{report.WithToolVersion(currentVersion())}
	switch format {
	case "json":
		return report.JSON(out, files, sum, opts...)
	case "sarif":
		return report.SARIF(out, files, opts...)
	case "github":
		return report.GitHub(out, files, opts...)
	}
	return usagef("unknown --format %q", format)
}
