package diff

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/composefix/composefix/internal/e2e"
	"github.com/composefix/composefix/internal/golden"
)

// numbered returns n lines "line 1\n" ... "line n\n".
func numbered(n int) string {
	var sb strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&sb, "line %d\n", i)
	}
	return sb.String()
}

// replaceLines returns s with its 1-based lines replaced per repl.
func replaceLines(s string, repl map[int]string) string {
	lines := splitLines(s)
	for i, r := range repl {
		lines[i-1] = r
	}
	return strings.Join(lines, "")
}

const composeA = `# production stack
services:
  web:
    image: nginx:latest
    ports:
      - "80:80"
    depends_on:
      - db

  db:
    image: postgres
    environment:
      POSTGRES_PASSWORD: example
    volumes:
      - data:/var/lib/postgresql/data

volumes:
  data:
`

const composeB = `# production stack
services:
  web:
    image: nginx:1.27.3
    restart: unless-stopped
    ports:
      - "80:80"
    depends_on:
      - db

  db:
    image: postgres:17.2
    restart: unless-stopped
    environment:
      POSTGRES_PASSWORD: example
    volumes:
      - data:/var/lib/postgresql/data
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U postgres"]

volumes:
  data:
`

type unifiedCase struct {
	name   string // also the golden file's base name
	path   string
	a, b   string
	opts   []Option
	zero   bool // the diff has hunks without context (git apply needs --unidiff-zero)
	noE2E  string
	gnuDif string // why GNU diff -u may print other hunks; "" when it must match
}

func unifiedCases() []unifiedCase {
	crlf := func(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }
	return []unifiedCase{
		{name: "compose-fix", path: "compose.yaml", a: composeA, b: composeB},
		{name: "dot-slash-path", path: "./compose.yaml", a: "a\nb\n", b: "a\nc\n"},
		{name: "subdir-path", path: "sub/dir/docker-compose.yml", a: "a\nb\n", b: "a\nc\n"},
		{name: "absolute-path", path: "/srv/app/compose.yaml", a: "a\nb\n", b: "a\nc\n"},
		{name: "path-with-space", path: "my app/compose.yaml", a: "a\nb\n", b: "a\nc\n"},
		{name: "path-non-ascii", path: "café/compose.yaml", a: "a\nb\n", b: "a\nc\n"},
		{name: "first-line", path: "compose.yaml", a: numbered(10), b: replaceLines(numbered(10), map[int]string{1: "first\n"})},
		{name: "last-line", path: "compose.yaml", a: numbered(10), b: replaceLines(numbered(10), map[int]string{10: "last\n"})},
		{name: "first-and-last-one-hunk", path: "compose.yaml", a: numbered(8), b: replaceLines(numbered(8), map[int]string{1: "first\n", 8: "last\n"})},
		{name: "first-and-last-two-hunks", path: "compose.yaml", a: numbered(20), b: replaceLines(numbered(20), map[int]string{1: "first\n", 20: "last\n"})},
		// Changes at lines 5 and 12 leave 6 unchanged lines between them:
		// 3 lines of context after the first and 3 before the second touch,
		// so GNU diff prints one hunk.
		{name: "merge-gap-6", path: "compose.yaml", a: numbered(20), b: replaceLines(numbered(20), map[int]string{5: "five\n", 12: "twelve\n"})},
		// With 7 lines between, one line separates the contexts: two hunks.
		{name: "split-gap-7", path: "compose.yaml", a: numbered(20), b: replaceLines(numbered(20), map[int]string{5: "five\n", 13: "thirteen\n"})},
		{name: "insert-only", path: "compose.yaml", a: numbered(10), b: replaceLines(numbered(10), map[int]string{5: "line 5\ninserted\n"})},
		{name: "delete-only", path: "compose.yaml", a: numbered(10), b: replaceLines(numbered(10), map[int]string{5: "", 6: ""})},
		{name: "crlf", path: "compose.yaml", a: crlf(composeA), b: crlf(composeB)},
		{name: "crlf-no-final-newline", path: "compose.yaml", a: strings.TrimSuffix(crlf(composeA), "\r\n"), b: strings.TrimSuffix(crlf(composeB), "\r\n")},
		{name: "crlf-mixed-line-change", path: "compose.yaml", a: "a\r\nb\r\nc\r\n", b: "a\r\nb\nc\r\n"},
		{name: "no-newline-added", path: "compose.yaml", a: "a\nb\nc", b: "a\nb\nc\n"},
		{name: "no-newline-removed", path: "compose.yaml", a: "a\nb\nc\n", b: "a\nb\nc"},
		{name: "no-newline-both-context", path: "compose.yaml", a: "a\nb\nc\nd", b: "a\nB\nc\nd"},
		{name: "no-newline-both-last-changed", path: "compose.yaml", a: "a\nb\nc\nd", b: "a\nb\nc\nD"},
		{name: "no-newline-single-line", path: "compose.yaml", a: "x", b: "y"},
		{name: "no-newline-to-empty", path: "compose.yaml", a: "x", b: ""},
		{name: "empty-a", path: "compose.yaml", a: "", b: "services:\n  web:\n    image: nginx:1.27\n"},
		{name: "empty-b", path: "compose.yaml", a: "services:\n  web:\n    image: nginx:1.27\n", b: ""},
		{name: "non-ascii", path: "compose.yaml", a: "# Überblick: 日本語\nname: café\nemoji: 🐳\n", b: "# Überblick: 日本語\nname: crème brûlée\nemoji: 🐳\n"},
		{name: "invalid-utf8", path: "compose.yaml", a: "a\n\xff\xfe\nc\n", b: "a\n\xff\xfd\nc\n"},
		{name: "whole-file", path: "compose.yaml", a: "a\nb\nc\n", b: "x\ny\n"},
		{name: "blank-lines", path: "compose.yaml", a: "a\n\n\nb\n", b: "a\n\nb\n"},
		{name: "repeated-lines", path: "compose.yaml", a: "    restart: always\n    restart: always\nx\n    restart: always\n", b: "    restart: always\nx\n    restart: always\n    restart: always\n",
			gnuDif: "several minimal alignments exist; go-diff and GNU diff may pick different ones"},
		{name: "context-0", path: "compose.yaml", a: numbered(12), b: replaceLines(numbered(12), map[int]string{3: "line 3\nnew\n", 9: "nine\n"}), opts: []Option{WithContext(0)}, zero: true},
		{name: "context-0-top", path: "compose.yaml", a: "a\nb\n", b: "new\na\nb\n", opts: []Option{WithContext(0)}, zero: true},
		{name: "context-1", path: "compose.yaml", a: numbered(12), b: replaceLines(numbered(12), map[int]string{3: "three\n", 6: "six\n", 10: "ten\n"}), opts: []Option{WithContext(1)}},
		{name: "context-negative", path: "compose.yaml", a: "a\nb\nc\n", b: "a\nB\nc\n", opts: []Option{WithContext(-2)}, zero: true},
		{name: "color", path: "compose.yaml", a: composeA, b: composeB, opts: []Option{WithColor(true)}, noE2E: "coloured output is for terminals, not for patch tools"},
		{name: "color-no-newline", path: "my app/compose.yaml", a: "a\nb", b: "a\nc", opts: []Option{WithColor(true)}, noE2E: "coloured output is for terminals, not for patch tools"},
		{name: "color-off", path: "compose.yaml", a: "a\nb\n", b: "a\nc\n", opts: []Option{WithColor(true), WithColor(false)}},
	}
}

func TestUnified(t *testing.T) {
	for _, tc := range unifiedCases() {
		t.Run(tc.name, func(t *testing.T) {
			got := Unified(tc.path, []byte(tc.a), []byte(tc.b), tc.opts...)
			golden.Check(t, filepath.Join("testdata", tc.name+".golden"), []byte(got))
			if tc.noE2E != "" {
				return
			}
			applied, shapes, err := applyUnified(tc.a, got)
			if err != nil {
				t.Fatalf("applying Unified(%q, ...): %v\n%s", tc.path, err, got)
			}
			if applied != tc.b {
				t.Errorf("applying Unified(%q, ...) = %q, want %q", tc.path, applied, tc.b)
			}
			o := defaultOptions()
			for _, opt := range tc.opts {
				opt(&o)
			}
			if err := checkShapes(shapes, len(splitLines(tc.a)), o.context); err != nil {
				t.Errorf("Unified(%q, ...) hunks: %v\n%s", tc.path, err, got)
			}
		})
	}
}

// TestUnifiedEqual checks that equal inputs give no diff at all, not even
// headers, so the CLI can print nothing for an unchanged file.
func TestUnifiedEqual(t *testing.T) {
	for _, s := range []string{"", "a", "a\n", "a\r\nb\r\n", composeA} {
		for _, opts := range [][]Option{nil, {WithColor(true)}, {WithContext(0)}} {
			if got := Unified("compose.yaml", []byte(s), []byte(s), opts...); got != "" {
				t.Errorf("Unified(%q, %q, %q) = %q, want \"\"", "compose.yaml", s, s, got)
			}
		}
	}
}

var ansiEscape = regexp.MustCompile("\x1b\\[[0-9;]*m")

// TestColor checks that escapes appear only with WithColor(true), and that
// removing them gives exactly the plain diff.
func TestColor(t *testing.T) {
	for _, tc := range unifiedCases() {
		plain := Unified(tc.path, []byte(tc.a), []byte(tc.b), WithContext(2))
		if strings.Contains(plain, "\x1b") {
			t.Errorf("Unified(%q, ...) without colour contains an escape:\n%q", tc.path, plain)
		}
		colored := Unified(tc.path, []byte(tc.a), []byte(tc.b), WithContext(2), WithColor(true))
		if !strings.Contains(colored, "\x1b[") {
			t.Errorf("Unified(%q, ..., WithColor(true)) has no escape:\n%q", tc.path, colored)
		}
		if d := cmp.Diff(plain, ansiEscape.ReplaceAllString(colored, "")); d != "" {
			t.Errorf("Unified(%q, ..., WithColor(true)) without escapes differs from the plain diff (-plain +stripped):\n%s", tc.path, d)
		}
	}
}

func TestHeaderName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"compose.yaml", "compose.yaml"},
		{"./compose.yaml", "compose.yaml"},
		{"././compose.yaml", "compose.yaml"},
		{"sub//dir/./compose.yaml", "sub/dir/compose.yaml"},
		{"sub/../compose.yaml", "compose.yaml"},
		{"../other/compose.yaml", "../other/compose.yaml"},
		{"/srv/app/compose.yaml", "srv/app/compose.yaml"},
		{"my app/compose.yaml", "my app/compose.yaml"},
	}
	for _, tt := range tests {
		if got := headerName(tt.in); got != tt.want {
			t.Errorf("headerName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestQuoteName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a/compose.yaml", "a/compose.yaml"},
		{"a/my app/compose.yaml", "a/my app/compose.yaml"},
		{"a/café.yaml", `"a/caf\303\251.yaml"`},
		{"a/tab\there", `"a/tab\there"`},
		{"a/new\nline", `"a/new\nline"`},
		{`a/quote"d`, `"a/quote\"d"`},
		{`a/back\slash`, `"a/back\\slash"`},
		{"a/bell\a\x01\x7f", `"a/bell\a\001\177"`},
	}
	for _, tt := range tests {
		if got := quoteName(tt.in); got != tt.want {
			t.Errorf("quoteName(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// TestQuoteNameMatchesGit compares quoteName with the names git itself
// prints for files with awkward names.
func TestQuoteNameMatchesGit(t *testing.T) {
	git := e2e.Tool(t, "git", "apt-get install -y git")
	for _, name := range []string{"plain.yaml", "my app.yaml", "café.yaml", `back\slash.yaml`, "quo\"te.yaml", "tab\tname.yaml"} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, name), []byte("a\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		other := filepath.Join(dir, "other")
		if err := os.WriteFile(other, []byte("b\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(git, "diff", "--no-index", "--no-color", name, "other")
		cmd.Dir = dir
		cmd.Env = gitEnv(dir)
		out, err := cmd.Output()
		var exit *exec.ExitError
		if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
			t.Fatalf("git diff --no-index %q: %v", name, err)
		}
		var header string
		for _, l := range strings.Split(string(out), "\n") {
			if strings.HasPrefix(l, "--- ") {
				header = l
			}
		}
		want := Unified(name, []byte("a\n"), []byte("b\n"))
		want = strings.SplitN(want, "\n", 2)[0]
		if header != want {
			t.Errorf("git diff --no-index %q header = %q, Unified header = %q", name, header, want)
		}
	}
}

// TestWithContext checks the hunk boundaries for several context sizes with
// the oracle applier.
func TestWithContext(t *testing.T) {
	a := numbered(40)
	b := replaceLines(a, map[int]string{1: "one\n", 9: "nine\n", 10: "", 20: "twenty\nmore\n", 33: "x\n", 40: "forty"})
	for _, n := range []int{0, 1, 2, 3, 4, 5, 8, 100} {
		got := Unified("compose.yaml", []byte(a), []byte(b), WithContext(n))
		applied, shapes, err := applyUnified(a, got)
		if err != nil {
			t.Fatalf("applying Unified(WithContext(%d)): %v\n%s", n, err, got)
		}
		if applied != b {
			t.Errorf("applying Unified(WithContext(%d)) = %q, want %q", n, applied, b)
		}
		if err := checkShapes(shapes, 40, n); err != nil {
			t.Errorf("Unified(WithContext(%d)) hunks: %v\n%s", n, err, got)
		}
	}
}

// TestMatchesGNUDiff compares the hunks with GNU diff -u's for every case
// whose minimal diff is unique.
func TestMatchesGNUDiff(t *testing.T) {
	diffBin := e2e.Tool(t, "diff", "apt-get install -y diffutils")
	for _, tc := range unifiedCases() {
		if tc.gnuDif != "" || tc.noE2E != "" {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			o := defaultOptions()
			for _, opt := range tc.opts {
				opt(&o)
			}
			dir := t.TempDir()
			fa, fb := filepath.Join(dir, "a"), filepath.Join(dir, "b")
			writeFile(t, fa, tc.a)
			writeFile(t, fb, tc.b)
			cmd := exec.Command(diffBin, fmt.Sprintf("-U%d", o.context), "a", "b")
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "LC_ALL=C")
			out, err := cmd.Output()
			var exit *exec.ExitError
			if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
				t.Fatalf("diff -u: %v", err)
			}
			got := Unified(tc.path, []byte(tc.a), []byte(tc.b), tc.opts...)
			if d := cmp.Diff(hunks(string(out)), hunks(got)); d != "" {
				t.Errorf("Unified(%q, ...) hunks differ from GNU diff -u (-diff +Unified):\n%s", tc.path, d)
			}
		})
	}
}

// hunks drops the two header lines of a unified diff.
func hunks(s string) string {
	if i := strings.Index(s, "\n@@ "); i >= 0 {
		return s[i+1:]
	}
	return s
}

// TestPatchTools runs the real git apply and GNU patch on every case and
// compares the patched file with b byte for byte.
func TestPatchTools(t *testing.T) {
	for _, tc := range unifiedCases() {
		if tc.noE2E != "" {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			patch := Unified(tc.path, []byte(tc.a), []byte(tc.b), tc.opts...)
			rel := headerName(tc.path)
			t.Run("git-apply", func(t *testing.T) {
				git := e2e.Tool(t, "git", "apt-get install -y git")
				dir := t.TempDir()
				run(t, dir, gitEnv(dir), git, "init", "-q", ".")
				writeFile(t, filepath.Join(dir, rel), tc.a)
				pf := filepath.Join(t.TempDir(), "fix.patch")
				writeFile(t, pf, patch)
				args := []string{"apply", "--whitespace=nowarn"}
				if tc.zero {
					args = append(args, "--unidiff-zero")
				}
				run(t, dir, gitEnv(dir), git, append(append(args, "--check"), pf)...)
				run(t, dir, gitEnv(dir), git, append(args, pf)...)
				checkFile(t, filepath.Join(dir, rel), tc.b)
			})
			t.Run("patch", func(t *testing.T) {
				patchBin := e2e.Tool(t, "patch", "apt-get install -y patch")
				dir := t.TempDir()
				writeFile(t, filepath.Join(dir, rel), tc.a)
				pf := filepath.Join(t.TempDir(), "fix.patch")
				writeFile(t, pf, patch)
				// -f: never ask, never guess that the patch is reversed;
				// --fuzz=0: context must match exactly.
				args := []string{"-p1", "-f", "--fuzz=0", "--no-backup-if-mismatch", "-i", pf}
				for _, dry := range []bool{true, false} {
					a := args
					if dry {
						a = append([]string{"--dry-run"}, args...)
					}
					out := run(t, dir, append(os.Environ(), "LC_ALL=C"), patchBin, a...)
					if strings.Contains(out, "offset") || strings.Contains(out, "fuzz") {
						t.Errorf("patch %s applied hunks loosely:\n%s", strings.Join(a, " "), out)
					}
				}
				checkFile(t, filepath.Join(dir, rel), tc.b)
			})
		})
	}
}

// gitEnv isolates git from the user's and the system's configuration and
// from any repository the test happens to run inside.
func gitEnv(home string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GIT_") {
			env = append(env, kv)
		}
	}
	return append(env, "HOME="+home, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "LC_ALL=C")
}

// run runs a command in dir and returns its combined output, failing the
// test when it exits non-zero.
func run(t *testing.T, dir string, env []string, bin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stdin = bytes.NewReader(nil)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(bin), strings.Join(args, " "), err, out)
	}
	return string(out)
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func checkFile(t *testing.T, path, want string) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading the patched file: %v", err)
	}
	if string(got) != want {
		t.Errorf("patched %s = %q, want %q", filepath.Base(path), got, want)
	}
}

// splitLines splits s after each "\n", as lines does, into strings.
func splitLines(str string) []string {
	l := newLines([]byte(str))
	out := make([]string, l.n())
	for i := range out {
		out[i] = string(l.span(i, i+1))
	}
	return out
}

// TestOneRunIsDiffmatchpatch: wherever oneRun answers, it answers as
// diffmatchpatch does, sideways shifts included, over texts of a few
// kinds of lines where runs that repeat their neighbours are common.
func TestOneRunIsDiffmatchpatch(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a\n", "b\n", "c\n", "a", "  x: 1\r\n"}
	text := func(n int) []byte {
		var sb strings.Builder
		for i := 0; i < n; i++ {
			l := alphabet[rng.IntN(len(alphabet))]
			if !strings.HasSuffix(l, "\n") && i < n-1 {
				l += "\n"
			}
			sb.WriteString(l)
		}
		return []byte(sb.String())
	}
	answered, shifted, replaced := 0, 0, 0
	for range 20000 {
		a := text(rng.IntN(7))
		// b is a with one run of lines inserted or deleted, or another text.
		b := text(rng.IntN(7))
		la := newLines(a)
		if n := la.n(); n > 0 && rng.IntN(3) > 0 {
			i := rng.IntN(n + 1)
			if rng.IntN(2) == 0 {
				b = slices.Concat(la.span(0, i), text(1+rng.IntN(3)), la.span(i, n))
			} else {
				j := i + rng.IntN(n-i+1)
				b = slices.Concat(la.span(0, i), la.span(j, n))
			}
		}
		lb := newLines(b)
		got, ok := oneRun(la, lb)
		if !ok {
			continue
		}
		answered++
		want := dmpChanges(string(a), string(b), la.n(), lb.n())
		if !slices.Equal(got, want) {
			t.Fatalf("oneRun(%q, %q) = %v, diffmatchpatch says %v", a, b, got, want)
		}
		if len(got) == 1 && got[0].A != lineSpanPre(la, lb) {
			shifted++
		}
		if len(got) == 1 && got[0].Del > 0 && got[0].Ins > 0 {
			replaced++
		}
	}
	if answered < 5000 || shifted < 100 || replaced < 100 {
		t.Errorf("oneRun answered %d cases, %d of them shifted, %d replaced: too few to compare", answered, shifted, replaced)
	}
}

// lineSpanPre counts the lines a and b begin with alike.
func lineSpanPre(a, b lines) int {
	i := 0
	for i < a.n() && i < b.n() && bytes.Equal(a.span(i, i+1), b.span(i, i+1)) {
		i++
	}
	return i
}

// TestRenderSize checks that render's estimate is room for the whole
// diff, so that the builder never grows, and not much more than it.
func TestRenderSize(t *testing.T) {
	// A long diff of short lines, where the bytes per line count most.
	long := map[int]string{}
	for i := 1; i <= 3000; i += 4 {
		long[i] = fmt.Sprintf("new %d\n", i)
	}
	cases := append(unifiedCases(), unifiedCase{name: "long", path: "compose.yaml", a: numbered(3000), b: replaceLines(numbered(3000), long)})
	for _, tc := range cases {
		for _, extra := range [][]Option{nil, {WithColor(true)}, {WithContext(0)}, {WithContext(5), WithColor(true)}} {
			o := defaultOptions()
			for _, opt := range append(slices.Clone(tc.opts), extra...) {
				opt(&o)
			}
			linesA, linesB := newLines([]byte(tc.a)), newLines([]byte(tc.b))
			changes := lineChanges(linesA, linesB)
			got := len(render(tc.path, &o, changes, linesA, linesB))
			size := renderSize(tc.path, &o, changes, linesA, linesB)
			if size < got || size > 2*got+512 {
				t.Errorf("%s %+v: renderSize = %d for a diff of %d bytes, want at least it and at most twice it plus 512", tc.name, o, size, got)
			}
		}
	}
}
