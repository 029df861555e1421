package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/composefix/composefix/fixers"
	"github.com/composefix/composefix/internal/golden"
)

// rulesTable renders the README's rule table from the rule table.
func rulesTable() string {
	var b strings.Builder
	b.WriteString("| ID | name | safety | severity | what it does |\n|---|---|---|---|---|\n")
	for _, r := range fixers.Rules() {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", r.ID, r.Name, r.Safety, r.Severity, strings.ReplaceAll(r.Summary, "|", `\|`))
	}
	return b.String()
}

// TestREADMERules fails when the README's rule table drifts from the rule
// table; -update rewrites it.
func TestREADMERules(t *testing.T) {
	path := filepath.Join(golden.RepoRoot(t), "README.md")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const startMark, endMark = "<!-- rules:start", "<!-- rules:end -->"
	text := string(src)
	i := strings.Index(text, startMark)
	j := strings.Index(text, endMark)
	if i < 0 || j < i {
		t.Fatalf("README.md lacks the %q ... %q markers", startMark, endMark)
	}
	i += strings.Index(text[i:], "\n") + 1
	got := text[i:j]
	want := rulesTable()
	if got == want {
		return
	}
	if golden.Updating() {
		if err := os.WriteFile(path, []byte(text[:i]+want+text[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md rule table is stale; run go test ./cmd/composefix -update\n got:\n%s\nwant:\n%s", got, want)
}
