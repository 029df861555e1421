package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// workflowBlock matches a fenced YAML block of a Markdown file.
var workflowBlock = regexp.MustCompile("(?s)```yaml\n(.*?)```")

// TestDocumentedWorkflowsLint checks every GitHub Actions workflow in
// docs/github-actions.md with actionlint v1.7.12 (tools/actionlint, a
// module of its own): syntax, expressions, job needs and outputs, matrix
// values, inputs of popular actions.
func TestDocumentedWorkflowsLint(t *testing.T) {
	md, err := os.ReadFile(filepath.Join("..", "..", "docs", "github-actions.md"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var files []string
	scheduled := false
	for _, m := range workflowBlock.FindAllSubmatch(md, -1) {
		src := string(m[1])
		if !strings.Contains(src, "\njobs:") {
			continue // a fragment, not a workflow
		}
		f := filepath.Join(dir, fmt.Sprintf("workflow-%d.yml", len(files)+1))
		if err := os.WriteFile(f, m[1], 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
		if strings.Contains(src, "--plan") {
			scheduled = true
			for _, want := range []string{"schedule:", "matrix:", "fromJSON(needs.plan.outputs.groups)", "--apply-group", "create-pull-request", "matrix.group.branch"} {
				if !strings.Contains(src, want) {
					t.Errorf("the scheduled workflow lacks %q", want)
				}
			}
		}
	}
	if len(files) < 3 || !scheduled {
		t.Fatalf("found %d workflows in docs/github-actions.md, the scheduled plan + matrix one: %v", len(files), scheduled)
	}
	cmd := exec.Command("go", append([]string{"run", "."}, files...)...)
	cmd.Dir = filepath.Join("..", "..", "tools", "actionlint")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("actionlint on docs/github-actions.md: %v\n%s", err, out)
	}
}
