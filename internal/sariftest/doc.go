// Package sariftest compiles the SARIF 2.1.0 JSON schema kept in
// ../shared/schemas, for the tests that validate composefix's SARIF output
// (package report's renderer and the CLI's --format sarif).
package sariftest
