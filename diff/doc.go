// Package diff renders the unified diff composefix prints in a dry run.
//
// It owns one thing: turning the original bytes of a file and the fixed
// bytes into a unified diff that `git apply` and `patch -p1` accept, run
// from the directory the path is relative to. Lines are compared with
// github.com/sergi/go-diff's line mode, with no time limit so that the same
// input always gives the same diff; hunks carry 3 lines of context by
// default and merge when their contexts touch or overlap, as in GNU
// diff -u. Lines are compared and printed byte for byte: CRLF endings, a
// missing final newline ("\ No newline at end of file") and non-UTF-8 bytes
// come through unchanged.
//
// composefix's own changes go through Edited: the fixes are byte edits
// whose regions are known, so only the lines they touch are compared
// (linear in the file size, minimal hunks); Unified compares whole files
// and serves any other pair of texts.
//
// It deliberately does not decide whether to colour (the CLI looks at the
// terminal, NO_COLOR and --no-color and passes WithColor), read or write
// files, emit "diff --git"/"index" lines, or describe file creation,
// deletion, renames or modes: composefix only ever changes the contents of
// files that exist. Paths are printed as given, cleaned and with one
// leading "/" dropped, like git diff --no-index; making them relative to
// the working directory is the caller's job: `git apply` and `patch -p1`
// resolve the names against the directory they run in, and both refuse
// names that climb out of it with "..".
package diff
