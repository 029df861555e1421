package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/internal/e2e"
	_ "github.com/composefix/composefix/internal/golden"
	"github.com/composefix/composefix/internal/namedpipe"
)

// runCLI runs composefix in dir with args and returns stdout, stderr and the
// exit code.
func runCLI(t testing.TB, dir, stdin string, args ...string) (string, string, int) {
	t.Helper()
	return runCLIHooked(t, dir, stdin, hooks{}, args...)
}

// runCLIHooked is runCLI with the tests' hooks.
func runCLIHooked(t testing.TB, dir, stdin string, h hooks, args ...string) (string, string, int) {
	t.Helper()
	t.Chdir(dir)
	// Isolate the default disk cache (tests that need credentials set
	// DOCKER_CONFIG themselves); inputs here name only precise tags, so
	// no test reaches a registry.
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("GITHUB_STEP_SUMMARY", "") // tests that want one set it after
	var out, errOut bytes.Buffer
	code := runHooked(context.Background(), append([]string{"composefix"}, args...), strings.NewReader(stdin), &out, &errOut, h)
	return out.String(), errOut.String(), code
}

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const needsFix = "services:\n  web:\n    image: nginx:1.27.3\n"

// clean has nothing any rule would change or report.
const clean = `services:
  web:
    image: nginx:1.27.3
    user: "101"
    restart: unless-stopped
    logging:
      driver: local
    healthcheck:
      test: ["CMD", "true"]
    security_opt: ["no-new-privileges:true"]
    deploy:
      resources:
        limits: {cpus: "0.5", memory: 256M}
`

func TestDryRunPrintsDiffAndWritesNothing(t *testing.T) {
	dir := writeFiles(t, map[string]string{"compose.yaml": needsFix})
	out, errOut, code := runCLI(t, dir, "")
	if code != exitOK {
		t.Fatalf("exit %d, want 0; stderr:\n%s", code, errOut)
	}
	if !strings.HasPrefix(out, "--- a/compose.yaml\n+++ b/compose.yaml\n") || !strings.Contains(out, "+    restart: unless-stopped\n") {
		t.Errorf("stdout is not the expected diff:\n%s", out)
	}
	if got := readFile(t, filepath.Join(dir, "compose.yaml")); got != needsFix {
		t.Errorf("dry run changed the file:\n%s", got)
	}
	if !strings.Contains(errOut, "compose.yaml:2:3: warning: service \"web\" has no restart policy") {
		t.Errorf("stderr lacks the finding:\n%s", errOut)
	}
	if strings.Contains(out, "\x1b") {
		t.Errorf("colour codes on stdout that is not a terminal")
	}
}

func TestDiffAppliesWithGitAndPatch(t *testing.T) {
	for _, tool := range []string{"git", "patch"} {
		e2e.Tool(t, tool, "apt-get install -y "+tool)
	}
	files := map[string]string{
		"compose.yaml":           needsFix,
		"sub/docker-compose.yml": "version: '3'\r\nservices:\r\n  db:\r\n    image: postgres:16.4.0\r\n",
	}
	dir := writeFiles(t, files)
	out, errOut, code := runCLI(t, dir, "")
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, errOut)
	}
	fixed := writeFiles(t, files)
	if _, _, code := runCLI(t, fixed, "", "--write"); code != exitOK {
		t.Fatal("--write failed")
	}
	for _, cmd := range [][]string{{"git", "apply", "--check", "-"}, {"patch", "-p1", "--dry-run", "-s"}, {"patch", "-p1", "-s"}} {
		c := exec.Command(cmd[0], cmd[1:]...)
		c.Dir = dir
		c.Stdin = strings.NewReader(out)
		if b, err := c.CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", cmd, err, b)
		}
	}
	for name := range files {
		if got, want := readFile(t, filepath.Join(dir, name)), readFile(t, filepath.Join(fixed, name)); got != want {
			t.Errorf("%s after patch -p1 differs from --write:\n%q\n%q", name, got, want)
		}
	}
}

func TestWriteIsAtomicKeepsModeAndIsIdempotent(t *testing.T) {
	dir := writeFiles(t, map[string]string{"compose.yaml": needsFix})
	path := filepath.Join(dir, "compose.yaml")
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runCLI(t, dir, "", "-w")
	if code != exitOK || out != "" {
		t.Fatalf("exit %d, stdout %q; stderr:\n%s", code, out, errOut)
	}
	got := readFile(t, path)
	if !strings.Contains(got, "restart: unless-stopped") {
		t.Errorf("file not fixed:\n%s", got)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600", st.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
	// A second run finds nothing to change.
	_, _, code = runCLI(t, dir, "", "--check")
	if code != exitOK {
		t.Errorf("second run --check exit %d, want 0", code)
	}
	if again := readFile(t, path); again != got {
		t.Errorf("second run changed the file")
	}
}

func TestWriteThroughSymlinkKeepsLink(t *testing.T) {
	dir := writeFiles(t, map[string]string{"real/compose.yaml": needsFix})
	link := filepath.Join(dir, "compose.yaml")
	if err := os.Symlink(filepath.Join("real", "compose.yaml"), link); err != nil {
		t.Skipf("symlinks unsupported: %v", err)
	}
	// The same file reached through the directory, the link and its path
	// is processed once.
	_, errOut, code := runCLI(t, dir, "", "-w", ".", "compose.yaml", "real/compose.yaml")
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, errOut)
	}
	if !strings.Contains(errOut, "1 file scanned") {
		t.Errorf("file processed more than once:\n%s", errOut)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Errorf("symlink replaced by a file")
	}
	if got := readFile(t, filepath.Join(dir, "real", "compose.yaml")); !strings.Contains(got, "restart:") {
		t.Errorf("target not written:\n%s", got)
	}
}

func TestCheckExitCodes(t *testing.T) {
	tests := []struct {
		name string
		body string
		want int
	}{
		{"changes pending", needsFix, exitChanges},
		{"nothing to change", clean, exitOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"compose.yaml": tt.body})
			_, errOut, code := runCLI(t, dir, "", "--check")
			if code != tt.want {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.want, errOut)
			}
		})
	}
}

func TestCleanFileIsByteIdentical(t *testing.T) {
	dir := writeFiles(t, map[string]string{"compose.yaml": clean})
	out, _, code := runCLI(t, dir, "", "-w")
	if code != exitOK || out != "" {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
	if got := readFile(t, filepath.Join(dir, "compose.yaml")); got != clean {
		t.Errorf("clean file changed:\n%s", got)
	}
}

func TestStdinToStdout(t *testing.T) {
	dir := t.TempDir()
	out, errOut, code := runCLI(t, dir, needsFix, "-")
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, errOut)
	}
	if !strings.HasPrefix(out, "x-logging: &default-logging\n") || !strings.Contains(out, "    restart: unless-stopped\n") {
		t.Errorf("stdout is not the fixed document:\n%s", out)
	}
	if !strings.Contains(errOut, "<stdin>:2:3:") {
		t.Errorf("findings do not name <stdin>:\n%s", errOut)
	}
}

// TestStdinErrorEchoesTheWholeInput checks that stdin mode echoes its
// input unchanged with exit 2 on any error, whatever the input's size: a
// 20 MB input used to come back as its first 8 MiB + 1 byte.
//
// A usage error (a bad flag value, an invalid configuration, the working
// directory's or the one --stdin-filename's file gets) printed nothing, so
// an editor filtering its text through `composefix -` (vim's :%!) lost
// it; it echoes too. So does a command line that does not parse (a word
// for a number, an unknown flag), which never reached the action that
// echoes; with a machine format, whose product is the report, a usage
// error prints nothing on stdout.
func TestStdinErrorEchoesTheWholeInput(t *testing.T) {
	big := "services:\n  web:\n    image: nginx:1.27.3\n" + strings.Repeat("# padding line\n", (20<<20)/15)
	bad := map[string]string{".composefix.yaml": "bogus_key: 1\n"}
	tests := []struct {
		name, in, want string
		files          map[string]string // in the working directory
		args           []string          // before "-"
		after          []string          // after "-"
		quiet          bool              // a machine format: nothing on stdout
	}{
		{name: "larger than the limit", in: big, want: "limit"},
		{name: "invalid YAML", in: "services:\n  web: [\n", want: "invalid YAML"},
		{name: "two documents", in: "services: {}\n---\nservices: {}\n", want: "second YAML document"},
		{name: "an invalid configuration", in: needsFix, want: "bogus_key", files: bad},
		{name: "an invalid --config", in: needsFix, want: "bogus_key", files: bad, args: []string{"--config", ".composefix.yaml"}},
		{name: "the --stdin-filename file's invalid configuration", in: needsFix, want: "bogus_key",
			files: map[string]string{"app/.composefix.yaml": "bogus_key: 1\n"}, args: []string{"--stdin-filename", "app/compose.yaml"}},
		{name: "an unknown rule in --select", in: needsFix, want: `"NOPE"`, args: []string{"--select", "NOPE"}},
		// Command lines that do not parse: urfave/cli's refusals, and
		// composefix's own of a flag no command defines.
		{name: "a word for a number", in: needsFix, want: `invalid value "x" for flag -concurrency`, args: []string{"--concurrency", "x"}},
		{name: "a word for a number after the path", in: needsFix, want: `invalid value "x" for flag -retries`, after: []string{"--retries=x"}},
		{name: "a word for a boolean", in: needsFix, want: `invalid boolean value "maybe"`, args: []string{"--image-facts=maybe"}},
		{name: "an unknown flag", in: needsFix, want: "unknown flag --offlin; did you mean --offline?", args: []string{"--offlin"}},
		// The word after an unknown flag may be its value (a flag of a
		// newer version in an editor's command line): `-` is still the
		// only path the command line can mean, and the input was lost.
		{name: "an unknown flag and its value", in: needsFix, want: "unknown flag --inspect-budgett", args: []string{"--inspect-budgett", "1GiB"}},
		{name: "an unknown flag and its value after the path", in: needsFix, want: "unknown flag --inspect-budgett", after: []string{"--inspect-budgett", "1GiB"}},
		{name: "a word for a number, text format", in: needsFix, want: "-concurrency", args: []string{"--format", "text", "--concurrency", "x"}},
		{name: "a word for a number, JSON", in: needsFix, want: "-concurrency", args: []string{"--format=json", "--concurrency", "x"}, quiet: true},
		{name: "an unknown flag, SARIF", in: needsFix, want: "--offlin", args: []string{"--offlin"}, after: []string{"--format", "sarif"}, quiet: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append(append(append([]string{"--offline"}, tt.args...), "-"), tt.after...)
			out, errOut, code := runCLI(t, writeFiles(t, tt.files), tt.in, args...)
			if code != exitError {
				t.Errorf("exit %d, want 2", code)
			}
			want := tt.in
			if tt.quiet {
				want = ""
			}
			if out != want {
				t.Errorf("stdout holds %d bytes, want %d: the input unchanged, or nothing for a machine format", len(out), len(want))
			}
			if !strings.Contains(errOut, tt.want) {
				t.Errorf("stderr lacks %q:\n%.500s", tt.want, errOut)
			}
		})
	}
}

func TestBadInputExitsTwoAndOthersStillProcessed(t *testing.T) {
	posRE := regexp.MustCompile(`^bad\.yml(:\d+:\d+)?: `)
	tests := []struct {
		name    string
		body    string
		wantPos bool
		want    string
	}{
		{"invalid YAML", "services:\n  web: [\n", true, "invalid YAML"},
		{"duplicate keys", "services:\n  web:\n    image: a\n    image: b\n", true, `duplicate key "image"`},
		{"alias bomb", "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\nservices: {}\n", true, "alias"},
		{"non-mapping root", "- a\n- b\n", true, "expected a mapping"},
		{"not compose", "name: x\nfoo: bar\n", true, "no top-level services key"},
		{"binary", "services:\x00\x01\x02", true, "binary data"},
		{"empty", "", false, "empty file"},
		{"invalid UTF-8", "services:\n  web:\n    image: \xff\xfe\n", true, "invalid UTF-8"},
		{"too large", "services: {}\n" + strings.Repeat("# padding line\n", (20<<20)/15), false, "limit"},
		// compose merges a second document into the first: fixing half is
		// refused where the second starts.
		{"two documents", "services:\n  web:\n    image: nginx:1.27.3\n---\nservices:\n  db:\n    image: redis:7.2.4\n", true, "a second YAML document"},
		{"UTF-16", "\xff\xfes\x00e\x00r\x00v\x00i\x00c\x00e\x00s\x00:\x00\n\x00", false, "UTF-16"},
		{"CR-only line endings", "services:\r  web:\r    image: nginx:1.27.3\r", true, "CR-only line endings"},
		{"tab on line 1", "\tservices:\n", true, "invalid YAML"},
		{"depth limit on line 1", "services: " + strings.Repeat("[", 10001) + "\n", true, "exceeded max depth"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"bad.yml": tt.body, "compose.yaml": needsFix})
			_, errOut, code := runCLI(t, dir, "", "-w", "bad.yml", "compose.yaml")
			if code != exitError {
				t.Errorf("exit %d, want 2", code)
			}
			var line string
			for _, l := range strings.Split(errOut, "\n") {
				if strings.HasPrefix(l, "bad.yml") {
					line = l
				}
			}
			if line == "" || !strings.Contains(line, tt.want) {
				t.Fatalf("no one-line error mentioning %q for bad.yml; stderr:\n%s", tt.want, errOut)
			}
			if m := posRE.FindStringSubmatch(line); m == nil || tt.wantPos && m[1] == "" {
				t.Errorf("error %q does not name file:line:col", line)
			}
			if got := readFile(t, filepath.Join(dir, "bad.yml")); got != tt.body {
				t.Errorf("bad file was written")
			}
			if got := readFile(t, filepath.Join(dir, "compose.yaml")); !strings.Contains(got, "restart:") {
				t.Errorf("the good file was not processed")
			}
		})
	}
}

// TestNonRegularFilesAreRefusedWithoutBlocking checks that a named pipe
// or a device named as a path is an error (exit 2) that neither blocks the
// run nor keeps the other files from being fixed: a FIFO used to block
// forever.
func TestNonRegularFilesAreRefusedWithoutBlocking(t *testing.T) {
	dir := writeFiles(t, map[string]string{"compose.yaml": needsFix})
	if err := namedpipe.Make(filepath.Join(dir, "pipe.yaml")); err != nil {
		t.Skipf("cannot make a named pipe: %v", err)
	}
	type result struct {
		errOut string
		code   int
	}
	done := make(chan result, 1)
	t.Chdir(dir)
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	go func() {
		var out, errOut bytes.Buffer
		code := run(context.Background(), []string{"composefix", "-w", "pipe.yaml", os.DevNull, "compose.yaml"}, strings.NewReader(""), &out, &errOut)
		done <- result{errOut.String(), code}
	}()
	select {
	case r := <-done:
		if r.code != exitError {
			t.Errorf("exit %d, want 2; stderr:\n%s", r.code, r.errOut)
		}
		for _, want := range []string{"pipe.yaml: cannot read a named pipe (FIFO)", os.DevNull + ": cannot read a device"} {
			if !strings.Contains(r.errOut, want) {
				t.Errorf("stderr lacks %q:\n%s", want, r.errOut)
			}
		}
		if got := readFile(t, filepath.Join(dir, "compose.yaml")); !strings.Contains(got, "restart:") {
			t.Errorf("the regular file was not fixed")
		}
	case <-time.After(20 * time.Second):
		t.Fatal("composefix blocked on a named pipe")
	}
}

func TestMissingPathExitsTwo(t *testing.T) {
	dir := writeFiles(t, map[string]string{"compose.yaml": needsFix})
	_, errOut, code := runCLI(t, dir, "", "nope.yaml", "compose.yaml")
	if code != exitError || !strings.Contains(errOut, "nope.yaml: cannot read") {
		t.Errorf("exit %d; stderr:\n%s", code, errOut)
	}
}

func TestDiscoverySkipsVendoredDirectories(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"compose.yaml":                      needsFix,
		"deploy/docker-compose.prod.yml":    needsFix,
		"node_modules/x/compose.yaml":       needsFix,
		"vendor/y/docker-compose.yml":       needsFix,
		".git/compose.yaml":                 needsFix,
		"notes.yaml":                        needsFix,
		"deploy/compose.override.yaml.orig": needsFix,
	})
	out, _, _ := runCLI(t, dir, "")
	got := regexp.MustCompile(`(?m)^--- a/(.*)$`).FindAllStringSubmatch(out, -1)
	var names []string
	for _, m := range got {
		names = append(names, m[1])
	}
	want := []string{"compose.yaml", "deploy/docker-compose.prod.yml"}
	if strings.Join(names, ",") != strings.Join(want, ",") {
		t.Errorf("diffed files = %v, want %v", names, want)
	}
}

func TestSelectAndIgnore(t *testing.T) {
	tests := []struct {
		args []string
		want []string // rule IDs in the findings
		code int
	}{
		{[]string{"--select", "CF201"}, []string{"CF201"}, exitOK},
		{[]string{"--select", "restart-policy,CF6"}, []string{"CF201", "CF601"}, exitOK},
		{[]string{"--select", "CF2,CF4,CF6", "--ignore", "CF2,logging-anchor"}, []string{"CF601"}, exitOK},
		{[]string{"--select", "CF999"}, nil, exitError},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"compose.yaml": "version: '3'\n" + needsFix})
			_, errOut, code := runCLI(t, dir, "", tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.code, errOut)
			}
			ids := regexp.MustCompile(`\[(CF\d+)\]`).FindAllStringSubmatch(errOut, -1)
			seen := map[string]bool{}
			var got []string
			for _, m := range ids {
				if !seen[m[1]] {
					seen[m[1]] = true
					got = append(got, m[1])
				}
			}
			sort.Strings(got)
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("rules reported = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRulesAndVersion(t *testing.T) {
	out, _, code := runCLI(t, t.TempDir(), "", "rules")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if !regexp.MustCompile(`^CF\d{3}\t[a-z-]+\t(safe|unsafe|display-only)\t\S`).MatchString(line) {
			t.Errorf("rules line %q is not ID, name, safety, summary", line)
		}
	}
	out, _, code = runCLI(t, t.TempDir(), "", "--version")
	if code != exitOK || !strings.Contains(out, version) {
		t.Errorf("--version: exit %d, %q", code, out)
	}
	out, _, code = runCLI(t, t.TempDir(), "", "explain", "restart-policy")
	if code != exitOK || !strings.Contains(out, "Before:") || !strings.Contains(out, "After:") {
		t.Errorf("explain: exit %d, %q", code, out)
	}
}

func TestConfigErrorNamesPosition(t *testing.T) {
	dir := writeFiles(t, map[string]string{"compose.yaml": needsFix, ".composefix.yaml": "select: [CF201]\npinn: digest\n"})
	_, errOut, code := runCLI(t, dir, "")
	if code != exitError || !strings.Contains(errOut, ".composefix.yaml:2:1:") {
		t.Errorf("exit %d; stderr:\n%s", code, errOut)
	}
}

func TestMaxSizeMatchesCompose(t *testing.T) {
	if compose.MaxSize < 1<<20 {
		t.Errorf("compose.MaxSize = %d: too small for real files", compose.MaxSize)
	}
}

func TestOverrideJoinsItsBase(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"compose.yaml":          "services:\n  web:\n    image: nginx:1.27.3\n    restart: always\n",
		"compose.override.yaml": "services:\n  web:\n    ports: [\"8080:80\"]\n  debug:\n    image: busybox:1.37.0\n",
	})
	out, errOut, code := runCLI(t, dir, "", "--select", "CF201")
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, errOut)
	}
	// web has restart in the base: the override does not add it again;
	// debug exists only in the override and gets it there.
	if strings.Contains(errOut, `"web"`) || !strings.Contains(errOut, `compose.override.yaml:4:3: warning: service "debug"`) {
		t.Errorf("findings:\n%s", errOut)
	}
	if strings.Count(out, "+    restart:") != 1 {
		t.Errorf("diff:\n%s", out)
	}
}

func TestProjectFilesWithF(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"base.yml": "services:\n  web:\n    image: nginx:1.27.3\n",
		"prod.yml": "services:\n  web:\n    restart: always\n",
	})
	// With -f the files form one project: prod.yml sets restart for web.
	_, errOut, _ := runCLI(t, dir, "", "--select", "CF201", "-f", "base.yml", "-f", "prod.yml")
	if strings.Contains(errOut, "restart policy") {
		t.Errorf("restart reported although prod.yml sets it:\n%s", errOut)
	}
	// As independent files, base.yml lacks restart.
	_, errOut, _ = runCLI(t, dir, "", "--select", "CF201", "base.yml", "prod.yml")
	if !strings.Contains(errOut, `base.yml:2:3: warning: service "web" has no restart policy`) {
		t.Errorf("independent files: %s", errOut)
	}
}

func TestConfigSetsLoggingAnchorOptions(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"compose.yaml":     needsFix,
		".composefix.yaml": "logging:\n  driver: local\n  options:\n    max-file: \"3\"\n    max-size: 10m\n",
	})
	out, errOut, code := runCLI(t, dir, "", "--select", "CF401")
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, errOut)
	}
	// Known options keep the audits' order whatever the file's order.
	want := "+x-logging: &default-logging\n+  driver: local\n+  options:\n+    max-size: \"10m\"\n+    max-file: \"3\"\n"
	if !strings.Contains(out, want) {
		t.Errorf("diff lacks the configured anchor %q:\n%s", want, out)
	}
}

func TestIncludedAndExtendedFilesAreContext(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		// common.yml and db.yml are not given: they are read for what they
		// set, never fixed.
		"common.yml": "services:\n  base:\n    image: nginx:1.27.3\n    logging:\n      driver: local\n",
		"db.yml":     "services:\n  db:\n    image: postgres:16.4\n    healthcheck:\n      test: [\"CMD\", \"pg_isready\"]\n",
		"compose.yaml": `include:
  - db.yml
services:
  web:
    extends:
      file: common.yml
      service: base
    depends_on: [db]
`,
	})
	out, errOut, code := runCLI(t, dir, "", "--select", "CF102,CF201,CF401,CF602", "compose.yaml")
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, errOut)
	}
	// web inherits logging from common.yml but no restart policy; db,
	// defined in the included file, has a healthcheck to wait for.
	for _, want := range []string{
		`compose.yaml:4:3: warning: service "web" has no restart policy`,
		`[CF102]`,
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if strings.Contains(errOut, "CF401") || strings.Contains(errOut, "CF602") {
		t.Errorf("findings for settings another file of the project makes:\n%s", errOut)
	}
	if !strings.Contains(out, "condition: service_healthy") {
		t.Errorf("depends_on not upgraded:\n%s", out)
	}
	for _, f := range []string{"common.yml", "db.yml"} {
		if strings.Contains(out, "a/"+f) {
			t.Errorf("context file %s is in the diff", f)
		}
	}
}

// TestByteOrderMarkIsKept checks that a file starting with a UTF-8
// byte-order mark, which compose accepts, is fixed and keeps its mark: it
// used to fail CF401's verification.
func TestByteOrderMarkIsKept(t *testing.T) {
	dir := writeFiles(t, map[string]string{"compose.yaml": "\ufeff" + needsFix})
	_, errOut, code := runCLI(t, dir, "", "-w", "--offline")
	if code != exitOK {
		t.Fatalf("exit %d, want 0; stderr:\n%s", code, errOut)
	}
	got := readFile(t, filepath.Join(dir, "compose.yaml"))
	if !strings.HasPrefix(got, "\ufeffx-logging:") || !strings.Contains(got, "restart: unless-stopped") {
		t.Errorf("written file:\n%q\nwant the mark kept first and the fixes applied", got)
	}
}

// TestMessagesPointIntoTheFileTheyName checks that every position in the
// messages about a file is one of its lines: a duplicate depends_on item
// was reported at d.yaml:23:9 in an 8-line file, a line of the text after
// a first pass of fixes.
func TestMessagesPointIntoTheFileTheyName(t *testing.T) {
	const src = "services:\n  web:\n    image: nginx:1.27.3\n    depends_on:\n      - db\n      - db\n  db:\n    image: redis:7.2.4\n"
	dir := writeFiles(t, map[string]string{"d.yaml": src})
	for _, args := range [][]string{{"d.yaml"}, {"--unsafe-fixes", "d.yaml"}} {
		_, errOut, _ := runCLI(t, dir, "", append([]string{"--offline"}, args...)...)
		for _, m := range regexp.MustCompile(`d\.yaml:(\d+):(\d+)`).FindAllStringSubmatch(errOut, -1) {
			if line, _ := strconv.Atoi(m[1]); line < 1 || line > strings.Count(src, "\n") {
				t.Errorf("%v: message at %s in a %d-line file:\n%s", args, m[0], strings.Count(src, "\n"), errOut)
			}
		}
	}
}
