package ignore

import (
	"os"
	"path/filepath"
	"testing"
)

func write(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestGitIgnored(t *testing.T) {
	root := t.TempDir()
	write(t, root, map[string]string{
		".git/HEAD":         "ref: refs/heads/main\n",
		".git/info/exclude": "local/\n",
		".gitignore":        "# build output\nbuild/\n*.generated.yaml\n!keep.generated.yaml\n",
		"sub/.gitignore":    "compose.tmp.yaml\n/only-here.yaml\n",
	})
	tests := []struct {
		path  string
		isDir bool
		want  bool
	}{
		{"build", true, true},
		{"build", false, false}, // build/ names directories only
		{"sub/build", true, true},
		{"x.generated.yaml", false, true},
		{"sub/x.generated.yaml", false, true},
		{"keep.generated.yaml", false, false},
		{"sub/compose.tmp.yaml", false, true},
		{"compose.tmp.yaml", false, false}, // sub's .gitignore covers sub only
		{"sub/only-here.yaml", false, true},
		{"sub/deeper/only-here.yaml", false, false}, // anchored to sub
		{"local", true, true},
		{"compose.yaml", false, false},
	}
	g := NewGit()
	for _, tt := range tests {
		if got := g.Ignored(filepath.Join(root, tt.path), tt.isDir); got != tt.want {
			t.Errorf("Ignored(%q, dir %v) = %v, want %v", tt.path, tt.isDir, got, tt.want)
		}
	}
}

func TestGitIgnoresNothingOutsideARepository(t *testing.T) {
	root := t.TempDir()
	write(t, root, map[string]string{".gitignore": "*.yaml\n"})
	if NewGit().Ignored(filepath.Join(root, "compose.yaml"), false) {
		t.Error("a .gitignore outside a repository ignored a file")
	}
}

func TestExcluded(t *testing.T) {
	root := t.TempDir()
	ex := Exclude(Parse(filepath.Join(root, "cfg"), []string{"legacy/", "*.prod.yaml", "/top.yaml", "deep/**/x.yaml"}))
	tests := []struct {
		path  string
		isDir bool
		want  bool
	}{
		{"cfg/legacy", true, true},
		{"cfg/legacy/compose.yaml", false, true}, // inside an excluded directory
		{"cfg/a/legacy/compose.yaml", false, true},
		{"cfg/compose.prod.yaml", false, true},
		{"cfg/compose.yaml", false, false},
		{"cfg/top.yaml", false, true},
		{"cfg/a/top.yaml", false, false},
		{"cfg/deep/a/b/x.yaml", false, true},
		{"other/legacy/compose.yaml", false, false}, // outside the patterns' directory
	}
	for _, tt := range tests {
		if got := ex.Excluded(filepath.Join(root, tt.path), tt.isDir); got != tt.want {
			t.Errorf("Excluded(%q, dir %v) = %v, want %v", tt.path, tt.isDir, got, tt.want)
		}
	}
}

// TestCheck refuses exactly the patterns go-git can never match because a
// segment is a malformed glob, and accepts the valid ones.
func TestCheck(t *testing.T) {
	tests := []struct {
		pattern string
		bad     bool
	}{
		{"*.dev.yaml", false},
		{"legacy/", false},
		{"!keep.yaml", false},
		{"deep/**/x.yaml", false},
		{"[!a]", false},
		{`\!x`, false},
		{`foo\ `, false},
		{"[a", true},
		{"app/[a-", true},
		{`foo\`, true},
		{"[a/b]", true},   // valid as a whole; go-git matches "[a" and "b]"
		{`a\/b`, true},    // valid as a whole; go-git matches `a\` and "b"
		{`foo\  `, false}, // git trims to `foo\ ` (go-git alone trimmed to `foo\`, which matched nothing)
	}
	for _, tt := range tests {
		if err := Check(tt.pattern); (err != nil) != tt.bad {
			t.Errorf("Check(%q) = %v, want an error: %v", tt.pattern, err, tt.bad)
		}
	}
}
