// Package pipeline runs composefix over files: discover the compose files
// the paths name, read each once to list its image references (its tree is
// kept only for the first files, within a small budget), resolve every
// reference at once through the registry, group the files into projects,
// then read each file again (unless its tree was kept) with its project as
// the first pass read it (firstRead: with Write, an input read as another's
// context may have been rewritten by then), run
// the rules, and hand each file's result to the caller in input order as
// soon as it and the files before it are fixed (writing it first with
// Options.Write), then drop it: memory is that of the projects being
// fixed, not of the run.
// The default command, stdin mode and `update` all go through it; it also
// renders the text product (findings, and diffs built from the fixes'
// regions) and the update summary table.
//
// It deliberately knows nothing about flags, terminals, exit codes or the
// choice of output format: cmd/composefix reads those and passes values
// down. Network access stays in package registry; rules stay in fixers.
package pipeline
