package main

import (
	"strings"
	"testing"

	"github.com/composefix/composefix/config"
)

// TestSeverityOverride makes the unresolved-image finding (info by
// default) an error through .composefix.yaml: it prints as an error and
// fails --check, where the default passes.
func TestSeverityOverride(t *testing.T) {
	const floating = "services:\n  web:\n    image: nginx:latest\n"
	for _, tt := range []struct {
		name, config string
		code         int
		want         string
	}{
		{"default", "", exitOK, "info: image \"nginx:latest\" is not resolved"},
		{"by ID", "severity: {CF003: error}\n", exitChanges, "error: image \"nginx:latest\" is not resolved"},
		{"by prefix and name", "severity:\n  CF0: warning\n  unresolved-image: error\n", exitChanges, "error: image"},
		{"by prefix", "severity: {CF0: warning}\n", exitOK, "warning: image"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{"compose.yaml": floating}
			if tt.config != "" {
				files[".composefix.yaml"] = tt.config
			}
			dir := writeFiles(t, files)
			_, errOut, code := runCLI(t, dir, "", append(offline(t), "--check", "--select", "CF003", ".")...)
			if code != tt.code || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, want %d; stderr should contain %q:\n%s", code, tt.code, tt.want, errOut)
			}
		})
	}
}

// TestSeverityUnknownRuleNamesPosition checks rule references in severity
// against the rule table.
func TestSeverityUnknownRuleNamesPosition(t *testing.T) {
	dir := writeFiles(t, map[string]string{"compose.yaml": needsFix, ".composefix.yaml": "severity:\n  CF999: error\n"})
	_, errOut, code := runCLI(t, dir, "", offline(t)...)
	if code != exitError || !strings.Contains(errOut, ".composefix.yaml:2:3:") {
		t.Errorf("exit %d, want %d naming .composefix.yaml:2:3; stderr:\n%s", code, exitError, errOut)
	}
}

// TestInitTemplateUncommentedLoads uncomments every line of the template
// `composefix init` writes and runs with it: every rule it names exists,
// every value is valid, and the run succeeds.
func TestInitTemplateUncommentedLoads(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"compose.yaml":     needsFix,
		".composefix.yaml": config.UncommentTemplate(config.DefaultTemplate),
	})
	_, errOut, code := runCLI(t, dir, "", offline(t)...)
	if code != exitOK {
		t.Errorf("exit %d with the uncommented template, want %d; stderr:\n%s", code, exitOK, errOut)
	}
}
