package ignore

import (
	"errors"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/composefix/composefix/internal/e2e"
)

// TestGitAgrees asks real git (git check-ignore) about each pattern and
// file and compares its answer with Git.Ignored's: bracket expressions are
// where go-git's glob dialect and git's wildmatch part ("[!a]" is "not a"
// in git, the set {!, a} in path.Match).
//
// A known difference it leaves out: a "/" inside a bracket ("[a/b]x") is
// a member that never matches for git, while go-git cuts the pattern there
// and matches nothing.
func TestGitAgrees(t *testing.T) {
	git := e2e.Tool(t, "git", "apt-get install -y git")
	tests := []struct {
		pattern string
		files   []string
	}{
		{"compose.[!p]*.yaml", []string{"compose.dev.yaml", "compose.prod.yaml", "compose.!x.yaml"}},
		{"[!a]", []string{"a", "b", "!"}},
		{"[^a]", []string{"a", "b", "^"}},
		{"[!!]x", []string{"!x", "ax"}},
		{"[!]a]x", []string{"]x", "ax", "bx"}},
		{"[]a]x", []string{"]x", "ax", "bx"}},
		{`\[!a]`, []string{"[!a]", "b"}},
		{`[\!a]x`, []string{"!x", "ax", "bx"}},
		{"[-a]x", []string{"-x", "ax", "bx"}},
		{"[a-]x", []string{"-x", "ax", "bx"}},
		{"[a-c]x", []string{"bx", "dx", "-x"}},
		{"[!a-c]x", []string{"bx", "dx"}},
		{"[a-c-e]x", []string{"bx", "dx", "-x"}},
		{"[[:digit:]]x", []string{"1x", "ax", ":x"}},
		{"[![:digit:]]x", []string{"1x", "ax"}},
		{"[[:alpha:]_]x", []string{"Qx", "_x", "1x"}},
		{"[[:foo:]]x", []string{"fx", "]x"}},
		{"[[:digit]x", []string{"[x", "dx", "1x"}},
		{"[[]x", []string{"[x", "ax"}},
		{"[!]", []string{"!", "]"}},
		{"[a", []string{"[a", "a"}},
		{"sub/[!a]/c.yaml", []string{"sub/b/c.yaml", "sub/a/c.yaml"}},
		{"!*", nil}, // a bare negation: nothing ignored
		{"[[:punct:]]x", []string{"!x", "@x", "_x", "~x", "ax", "[x", "`x"}},
		{"[[:space:]]x", []string{" x", "\tx", "ax"}},
		{"[[:xdigit:]][[:upper:]]", []string{"aB", "gB", "ab"}},
		{"[[:alnum:][:punct:]]x", []string{"ax", "!x", " x"}},
		{"x?", []string{"xé", "xa"}},
		{"x??", []string{"xé", "xab"}},
		{"x[!a]", []string{"xé", "xb"}},
		{"x[!a][!a]", []string{"xé"}},
		{"x[é]", []string{"xé"}},
		{"x[a-é]", []string{"xé", "xb"}},
		// path.Match's "*" steps bytes, so it can stop inside a rune, whose
		// byte then reads as utf8.RuneError, which a negated set matched.
		{"*[!é]", []string{"é", "xé", "xa"}},
		{"*[!cé]?", []string{"é", "cé", "abé"}},
		{"é*/[!a]", []string{"éd/b", "éd/a", "e/b"}},
		{"a**b", []string{"ab", "axxb", "a/b", "ax/yb"}},
		{"a/**", []string{"a/b/c"}},
		{"**/a", []string{"a", "b/a", "b/c/a"}},
		{"a/**/b", []string{"a/b", "a/x/b", "a/x/y/b"}},
		{"foo\\ ", []string{"foo ", "foo\\"}},
		{"foo\\", []string{"foo\\", "foo"}},
		{"x\\  ", []string{"x ", "x  ", "x\\"}}, // git keeps the escaped space, drops the one after
		{"x\\\\ ", []string{"x\\", "x\\ "}},     // an escaped backslash does not escape the space
		{"\\!x", []string{"!x"}},
		{"\\#x", []string{"#x"}},
		{"A.yaml", []string{"a.yaml"}},
		{"*", []string{"a", ".hidden"}},
		{"[a-c", []string{"[a-c", "a"}},
		{"[z-a]x", []string{"mx", "zx"}},
		{"[\\]]x", []string{"]x"}},
		{"[a\\-c]x", []string{"-x", "bx"}},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			root := t.TempDir()
			if out, err := exec.Command(git, "init", "-q", root).CombinedOutput(); err != nil {
				t.Fatalf("git init: %v: %s", err, out)
			}
			files := map[string]string{".gitignore": tt.pattern + "\n"}
			for _, f := range tt.files {
				files[f] = ""
			}
			write(t, root, files)
			g := NewGit()
			for _, f := range tt.files {
				cmd := exec.Command(git, "check-ignore", "-q", "--no-index", "--", f)
				cmd.Dir = root
				err := cmd.Run()
				var exit *exec.ExitError
				if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
					t.Fatalf("git check-ignore %s: %v", f, err)
				}
				want := err == nil
				if got := g.Ignored(filepath.Join(root, f), false); got != want {
					t.Errorf("pattern %q, file %q: ignored %v, git says %v", tt.pattern, f, got, want)
				}
			}
		})
	}
}

// TestCheckWildmatch: Check judges a pattern as git reads its brackets.
func TestCheckWildmatch(t *testing.T) {
	tests := []struct {
		pattern string
		bad     bool
	}{
		{"[]a]", false},        // "]" first is a member for git
		{"[!]a]", false},       // and after the negation
		{"[-a][a-]", false},    // "-" first or last is a member
		{"[[:digit:]]", false}, // a class
		{"[[:foo:]]", true},    // git knows no such class: matches nothing
		{"[!]", true},          // unclosed: its "]" is a member
		{"[]", true},
	}
	for _, tt := range tests {
		if err := Check(tt.pattern); (err != nil) != tt.bad {
			t.Errorf("Check(%q) = %v, want an error: %v", tt.pattern, err, tt.bad)
		}
	}
}
