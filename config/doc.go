// Package config owns .composefix.yaml: finding it in a directory or the
// nearest parent (Find), decoding it from the yaml.v3 node tree so that every
// problem is reported as file:line:col (Load, Parse), validating every value
// (pin modes, update policies, durations, byte sizes, CPU counts, glob
// patterns, mirror URLs, healthcheck commands), the commented default file
// written by `composefix init` (DefaultTemplate), and the rule lookups the
// CLI makes (UnsafeFixesFor, RuleRef.Matches). The CLI maps the rest onto
// fixers.Config, where the rules apply it.
//
// It deliberately does not know the rule table, the built-in resource
// classes or the healthcheck knowledge base (they live in fixers, which this
// package must not import): rule references and class names are kept as
// written, with their positions, so the CLI can report an unknown rule or
// class at file:line:col. It does not normalise image references either
// (Docker Hub aliases are registry's business); image patterns match the
// spelling the caller passes. It never merges command-line flags: a zero
// value means "not set" and the caller decides what wins.
package config
