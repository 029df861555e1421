// Package pipeline runs composefix over files: discover the compose files
// the paths name, group them into projects, load them, resolve every image
// reference at once through the registry, run the rules, and hand each
// file's result to the caller in input order as soon as it and the files
// before it are fixed (writing it first with Options.Write), then drop it.
// The default command, stdin mode and `update` all go through it; it also
// renders the text product (findings, and diffs built from the fixes'
// regions) and the update summary table.
//
// It deliberately knows nothing about flags, terminals, exit codes or the
// choice of output format: cmd/composefix reads those and passes values
// down. Network access stays in package registry; rules stay in fixers.
package pipeline
