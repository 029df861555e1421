// Package report renders the results of a run for people and machines:
// text findings, JSON, SARIF 2.1.0 and GitHub Actions workflow commands. It
// only formats what it is given; it never decides exit codes, never reads
// files and never touches the network. The unified diff itself is package
// diff's.
package report
