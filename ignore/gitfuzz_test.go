package ignore

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/composefix/composefix/internal/e2e"
)

// TestGitAgreesRandom compares Git.Ignored with real git on random
// patterns and names (seeded, so a failure repeats): one .gitignore of
// one pattern per directory, one git check-ignore for all the paths.
// COMPOSEFIX_GITFUZZ=N runs N patterns instead of the quick default.
func TestGitAgreesRandom(t *testing.T) {
	git := e2e.Tool(t, "git", "apt-get install -y git")
	n := 300
	if s := os.Getenv("COMPOSEFIX_GITFUZZ"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			t.Fatal(err)
		}
	}
	rng := rand.New(rand.NewSource(14))
	patAtoms := []string{"a", "b", "c", "!", "^", "-", "]", "[", ":", `\`, "*", "?", "/", "é", "[:digit:]", "[:alpha:]", "[:punct:]", "[:foo:]", "**", "1", "A", " "}
	setAtoms := []string{"a", "c", "z", "!", "^", "-", "]", "[", ":", `\`, "é", "1", "A", "[:digit:]", "[:alpha:]", "[:upper:]", "[:foo:]", "[:", ":]", "a-c", "z-a", "-]"}
	nameAtoms := []string{"a", "b", "c", "!", "^", "-", "]", "[", ":", `\`, "é", "1", "A", " ", "*", "?"}
	pick := func(atoms []string, min, max int) string {
		var b strings.Builder
		for k := min + rng.Intn(max-min+1); k > 0; k-- {
			b.WriteString(atoms[rng.Intn(len(atoms))])
		}
		return b.String()
	}
	root := t.TempDir()
	if out, err := exec.Command(git, "init", "-q", root).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v: %s", err, out)
	}
	files := map[string]string{}
	patterns := make([]string, n)
	var paths []string
	seen := map[string]bool{}
	for i := range patterns {
		p := pick(patAtoms, 1, 6)
		if i%2 == 1 { // a bracket expression, where git's and go-git's dialects part
			p = pick([]string{"", "", "a", "*", "?"}, 1, 1) + "[" + pick(setAtoms, 0, 5) + "]" + pick([]string{"", "", "a", "*", "?"}, 1, 1)
		}
		if strings.TrimSpace(p) == "" || strings.HasPrefix(p, "#") {
			p = "a" + p
		}
		if known(p) {
			p = "a" // a difference left on purpose (see known)
		}
		patterns[i] = p
		dir := fmt.Sprintf("d%d", i)
		files[dir+"/.gitignore"] = p + "\n"
		for j := 0; j < 40; j++ {
			name := pick(nameAtoms, 1, 4)
			if rng.Intn(4) == 0 {
				name += "/" + pick(nameAtoms, 1, 3)
			}
			if j < 20 { // names shaped like the pattern, so that many match
				name = strings.NewReplacer("[:digit:]", "1", "[:alpha:]", "a", "[:punct:]", "!", "[:foo:]", "f", "**", "a", "*", "ab", "?", "c").Replace(p)
				name = strings.Trim(strings.ReplaceAll(name, "//", "/"), "/")
				for k := rng.Intn(3); k > 0 && name != ""; k-- { // mutate a byte or two
					at := rng.Intn(len(name))
					name = name[:at] + nameAtoms[rng.Intn(len(nameAtoms))] + name[at+1:]
				}
			}
			if name == "" || strings.Contains(name, "//") || strings.HasPrefix(name, "/") || strings.HasSuffix(name, "/") {
				continue
			}
			bad := false
			for _, part := range strings.Split(name, "/") {
				if part == "." || part == ".." || part == ".git" || !utf8Valid(part) {
					bad = true
				}
			}
			if !bad && !seen[dir+"/"+name] {
				seen[dir+"/"+name] = true
				paths = append(paths, dir+"/"+name)
			}
		}
	}
	write(t, root, files)
	var in bytes.Buffer
	for _, p := range paths {
		in.WriteString(p)
		in.WriteByte(0)
	}
	cmd := exec.Command(git, "-c", "core.ignorecase=false", "check-ignore", "--no-index", "--stdin", "-z", "-v", "-n")
	cmd.Dir = root
	cmd.Stdin = &in
	out, err := cmd.Output()
	if err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatalf("git check-ignore: %v", err)
		}
	}
	fields := strings.Split(string(out), "\x00")
	want := map[string]bool{}
	for k := 0; k+3 < len(fields); k += 4 {
		pat := fields[k+2]
		want[fields[k+3]] = pat != "" && !strings.HasPrefix(pat, "!")
	}
	g := NewGit()
	bad := 0
	for _, p := range paths {
		w, ok := want[p]
		if !ok {
			t.Fatalf("git said nothing about %q", p)
		}
		if got := g.Ignored(filepath.Join(root, p), false); got != w {
			i, _ := strconv.Atoi(strings.TrimPrefix(p[:strings.IndexByte(p, '/')], "d"))
			if bad++; bad <= 400 {
				t.Errorf("pattern %q, file %q: ignored %v, git says %v", patterns[i], p[strings.IndexByte(p, '/')+1:], got, w)
			}
		}
	}
	t.Logf("%d patterns, %d paths, %d disagreements", n, len(paths), bad)
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

// known reports a pattern whose difference from git is known and left:
// a "/" inside a bracket or escaped (go-git cuts the pattern there); a "**" that is
// not a whole segment of a pattern holding a "/" (go-git never matches
// it, git reads it as "*"); an empty segment ("//x", "a//b": go-git skips
// it, git does not); a pattern of only "/" and "**" ("/**": go-git
// matches nothing, git everything below); a directory-only pattern ending
// in "**/" ("*/**/": go-git also matches the files below); one ending in
// "/**" ("a/**": go-git also matches a file "a", git only what is below a
// directory "a"). Outside a
// segment of its own, git 2.39 reads "**" as "*" except right after a "/"
// or the pattern's leading literal part and before a "/" or the end
// ("a**/b" matches "ax/y/b"), which go-git cannot say.
func known(p string) bool {
	p = strings.TrimPrefix(trimSpaces(p), "!")
	if strings.HasSuffix(p, "**/") || strings.HasSuffix(p, "/**") || strings.Contains(p, `\/`) {
		return true
	}
	if strings.Trim(p, "/*") == "" && strings.Contains(p, "/") {
		return true
	}
	if strings.Contains(p, "//") || strings.HasPrefix(p, "/") && strings.Contains(p[1:], "/") && strings.HasPrefix(p[1:], "/") {
		return true
	}
	if open := strings.IndexByte(p, '['); open >= 0 && strings.Contains(p[open:], "/") {
		return true
	}
	if strings.Contains(p, "/") {
		for _, seg := range strings.Split(p, "/") {
			if strings.Contains(seg, "**") && seg != "**" {
				return true
			}
		}
	}
	return false
}
