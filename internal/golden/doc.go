// Package golden compares test output with golden files and rewrites them
// under -update. Every package with tests imports it so that
// `go test ./... -update` never fails with "flag provided but not defined".
package golden
