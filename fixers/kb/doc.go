// Package kb holds composefix's knowledge bases as embedded data: which
// healthcheck works inside which image (healthchecks.yaml), the default
// resource limits per class of image (limits.yaml), and the service names that
// mark one-shot jobs (oneshot.yaml), with a small typed API over them.
//
// It owns the data, its decoding and validation (unknown keys are errors),
// image-name normalisation for lookups, and rendering a healthcheck test
// command from a service's command and environment. It deliberately does not
// own rules: deciding whether a service needs a healthcheck, editing YAML,
// or reading .composefix.yaml are the jobs of packages fixers and config.
// The embedded data is decoded and validated at build time into generated
// tables (tables_gen.go, checked against the YAML by TestTables), so a run
// pays nothing for it; Index answers lookups without scanning the entries.
package kb
