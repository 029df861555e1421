package main

import (
	"strings"
	"testing"
)

// TestUsageErrorsForValuesAcceptedSilently checks that a flag value or an
// argument the CLI cannot honour is a usage error (exit 2, one line naming
// the flag or command and the value) rather than a run that quietly does
// something else: each case here used to exit 0.
func TestUsageErrorsForValuesAcceptedSilently(t *testing.T) {
	files := map[string]string{"compose.yaml": "services:\n  web:\n    image: nginx:1.27.3\n", "afile": "x\n"}
	tests := []struct {
		name string
		args []string
		want string // the one line on stderr contains it
	}{
		{"--project-directory missing", []string{"--offline", "--project-directory", "nonexistent", "-f", "compose.yaml"}, `--project-directory "nonexistent"`},
		{"--project-directory a file", []string{"--offline", "--project-directory", "afile", "-f", "compose.yaml"}, `--project-directory "afile": not a directory`},
		{"--exclude invalid glob", []string{"--offline", "--exclude", "[", "."}, `--exclude "[": syntax error in pattern`},
		{"--exclude invalid glob after a valid one", []string{"--offline", "--exclude", "vendor", "--exclude", "app/[a-", "."}, `--exclude "app/[a-"`},
		{"rules with an argument", []string{"rules", "extra"}, `rules takes no arguments, got "extra"`},
		{"version with an argument", []string{"version", "extra"}, `version takes no arguments, got "extra"`},
		{"explain with two rules", []string{"explain", "CF101", "CF201"}, "explain takes one rule ID or name, got 2 arguments"},
		{"init with an argument", []string{"init", "extra"}, "init takes no arguments"},
		{"completion with two shells", []string{"completion", "bash", "zsh"}, "completion takes one shell"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, files)
			out, errOut, code := runCLI(t, dir, "", tt.args...)
			if code != exitError {
				t.Errorf("exit %d, want 2; stdout:\n%s", code, out)
			}
			lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
			if len(lines) != 1 || !strings.Contains(lines[0], tt.want) {
				t.Errorf("stderr is not one line containing %q:\n%s", tt.want, errOut)
			}
		})
	}
}
