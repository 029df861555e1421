package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/composefix/composefix/config"
	"github.com/google/go-cmp/cmp"
)

func TestInitWritesTemplate(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string // the file written, relative to the working directory
	}{
		{"default", []string{"init"}, config.FileName},
		{"config flag", []string{"init", "--config", "conf/custom.yaml"}, "conf/custom.yaml"},
		{"global config flag", []string{"--config", "conf/global.yaml", "init"}, "conf/global.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.Mkdir(filepath.Join(dir, "conf"), 0o755); err != nil {
				t.Fatal(err)
			}
			out, errOut, code := runCLI(t, dir, "", tt.args...)
			if code != exitOK {
				t.Fatalf("composefix %s: exit %d, want 0; stderr:\n%s", strings.Join(tt.args, " "), code, errOut)
			}
			if out != "" {
				t.Errorf("composefix %s printed %q on stdout, want nothing", strings.Join(tt.args, " "), out)
			}
			if !strings.Contains(errOut, tt.want) {
				t.Errorf("stderr = %q, want it to name %s", errOut, tt.want)
			}
			path := filepath.Join(dir, tt.want)
			if d := cmp.Diff(config.DefaultTemplate, readFile(t, path)); d != "" {
				t.Errorf("%s mismatch (-want +got):\n%s", tt.want, d)
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if want := newFileMode(t, dir); runtime.GOOS != "windows" && fi.Mode().Perm() != want {
				t.Errorf("mode of %s = %v, want %v (0644 less the umask)", tt.want, fi.Mode().Perm(), want)
			}
			// The template is valid (and, commented out, empty) configuration.
			if _, err := config.Load(path); err != nil {
				t.Errorf("config.Load(%q) = %v, want no error", tt.want, err)
			}
			assertNoTempFiles(t, filepath.Dir(path))
		})
	}
}

func TestInitRefusesToOverwrite(t *testing.T) {
	const existing = "select: [CF2]\n"
	dir := writeFiles(t, map[string]string{config.FileName: existing})
	out, errOut, code := runCLI(t, dir, "", "init")
	if code != exitError {
		t.Errorf("init over an existing file: exit %d, want %d", code, exitError)
	}
	if out != "" {
		t.Errorf("stdout = %q, want nothing", out)
	}
	if !strings.Contains(errOut, "already exists") || !strings.Contains(errOut, "--force") {
		t.Errorf("stderr = %q, want it to say the file exists and name --force", errOut)
	}
	if got := readFile(t, filepath.Join(dir, config.FileName)); got != existing {
		t.Errorf("the existing file became %q, want %q kept", got, existing)
	}
	assertNoTempFiles(t, dir)
}

// TestInitRefusesBesideTheOtherName: init wrote .composefix.yaml beside an
// existing .composefix.yml (exit 0), and from then on every run failed
// every file that configuration governs ("exists too; keep one"). It
// refuses instead, --force included (it would replace neither), and
// writes nothing.
func TestInitRefusesBesideTheOtherName(t *testing.T) {
	for _, c := range []struct {
		name            string
		existing, write string
		args            []string
	}{
		{"default", config.AltFileName, config.FileName, []string{"init"}},
		{"--force", config.AltFileName, config.FileName, []string{"init", "--force"}},
		{"--config .yml", config.FileName, "conf/" + config.AltFileName, []string{"init", "--config", "conf/" + config.AltFileName}},
	} {
		t.Run(c.name, func(t *testing.T) {
			existing := filepath.Join(filepath.Dir(c.write), c.existing)
			dir := writeFiles(t, map[string]string{existing: "select: [CF2]\n"})
			out, errOut, code := runCLI(t, dir, "", c.args...)
			if code != exitError || out != "" {
				t.Errorf("exit %d, stdout %q; want exit %d and nothing", code, out, exitError)
			}
			if !strings.Contains(errOut, filepath.FromSlash(existing)) {
				t.Errorf("stderr does not name %s:\n%s", existing, errOut)
			}
			if _, err := os.Lstat(filepath.Join(dir, c.write)); err == nil {
				t.Errorf("%s was written beside %s", c.write, existing)
			}
			assertNoTempFiles(t, filepath.Dir(filepath.Join(dir, c.write)))
		})
	}
}

func TestInitForceOverwritesKeepingMode(t *testing.T) {
	dir := writeFiles(t, map[string]string{config.FileName: "select: [CF2]\n"})
	path := filepath.Join(dir, config.FileName)
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	initForce(t, dir)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("mode after init --force = %v, want 0600 kept", fi.Mode().Perm())
	}
	assertNoTempFiles(t, dir)
}

// TestInitForceWritesANewFile: with --force and no file yet, init
// creates it as without --force: the template, mode 0644 less the umask, no temporary
// file left.
func TestInitForceWritesANewFile(t *testing.T) {
	dir := writeFiles(t, map[string]string{".git/HEAD": ""})
	path := filepath.Join(dir, config.FileName)
	initForce(t, dir)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := newFileMode(t, dir); runtime.GOOS != "windows" && fi.Mode().Perm() != want {
		t.Errorf("mode of the new file = %v, want %v (0644 less the umask)", fi.Mode().Perm(), want)
	}
	assertNoTempFiles(t, dir)
}

func TestInitForceWritesThroughSymlink(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges on Windows")
	}
	dir := writeFiles(t, map[string]string{"shared/composefix.yaml": "select: [CF2]\n"})
	link := filepath.Join(dir, config.FileName)
	if err := os.Symlink(filepath.Join("shared", "composefix.yaml"), link); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := runCLI(t, dir, "", "init", "--force"); code != exitOK {
		t.Fatalf("init --force: exit %d, want 0; stderr:\n%s", code, errOut)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("%s is no longer a symlink (%v)", config.FileName, err)
	}
	if got := readFile(t, filepath.Join(dir, "shared", "composefix.yaml")); got != config.DefaultTemplate {
		t.Errorf("the link's target holds %d bytes, want the %d-byte template", len(got), len(config.DefaultTemplate))
	}
}

func TestInitToStdout(t *testing.T) {
	dir := t.TempDir()
	out, errOut, code := runCLI(t, dir, "", "init", "--config", "-")
	if code != exitOK {
		t.Fatalf("init --config -: exit %d, want 0; stderr:\n%s", code, errOut)
	}
	if out != config.DefaultTemplate {
		t.Errorf("init --config - printed %d bytes, want the %d-byte template", len(out), len(config.DefaultTemplate))
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("init --config - wrote %d files, want none", len(entries))
	}
}

func TestInitErrors(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"argument", []string{"init", "extra"}, "takes no arguments"},
		{"directory", []string{"init", "--config", "sub"}, "is a directory"},
		{"missing directory", []string{"init", "--config", "nowhere/conf.yaml"}, "writing configuration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
				t.Fatal(err)
			}
			_, errOut, code := runCLI(t, dir, "", tt.args...)
			if code != exitError {
				t.Errorf("composefix %s: exit %d, want %d", strings.Join(tt.args, " "), code, exitError)
			}
			if !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("composefix %s: stderr = %q, want it to contain %q", strings.Join(tt.args, " "), errOut, tt.wantErr)
			}
		})
	}
}

// assertNoTempFiles fails when dir holds a leftover temporary file of an
// atomic write.
// newFileMode is the mode a program's new 0644 file gets in dir: 0644
// less the umask of whoever runs the tests.
func newFileMode(t *testing.T, dir string) fs.FileMode {
	t.Helper()
	probe := filepath.Join(dir, "umask-probe")
	if err := os.WriteFile(probe, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(probe)
	fi, err := os.Stat(probe)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

// initForce runs init --force in dir and checks that it succeeded and
// wrote the template.
func initForce(t *testing.T, dir string) {
	t.Helper()
	if _, errOut, code := runCLI(t, dir, "", "init", "--force"); code != exitOK {
		t.Fatalf("init --force: exit %d, want 0; stderr:\n%s", code, errOut)
	}
	if got := readFile(t, filepath.Join(dir, config.FileName)); got != config.DefaultTemplate {
		t.Errorf("init --force wrote %d bytes, want the %d-byte template", len(got), len(config.DefaultTemplate))
	}
}

func assertNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".composefix-") {
			t.Errorf("temporary file %s left in %s", e.Name(), dir)
		}
	}
}

// TestInitForceKeepsOwnerAndMode: init --force replaced an existing file
// through a writer that kept only its permission bits, so as root it
// turned a nobody:nogroup file into root's (its owner could no longer read
// it) and dropped setgid. It now writes through the same path as --write:
// owner, group and mode bits kept.
func TestInitForceKeepsOwnerAndMode(t *testing.T) {
	for _, tt := range ownerModeCases(t) {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{config.FileName: "select: [CF2]\n"})
			path := filepath.Join(dir, config.FileName)
			setOwnerMode(t, path, tt.uid, tt.gid, tt.mode)
			initForce(t, dir)
			assertOwnerMode(t, path, tt.uid, tt.gid, tt.mode)
			assertNoTempFiles(t, dir)
		})
	}
}

// TestInitForceRefusesAFileWithHardLinks: replacing a file with two hard
// links splits them, leaving the other name with the old content; --write
// refuses such a file, and init --force replaced it. It now refuses too,
// writing nothing.
func TestInitForceRefusesAFileWithHardLinks(t *testing.T) {
	dir := writeFiles(t, map[string]string{config.FileName: "select: [CF2]\n"})
	path := filepath.Join(dir, config.FileName)
	other := filepath.Join(dir, "shared.yaml")
	if err := os.Link(path, other); err != nil {
		t.Skipf("hard links unsupported: %v", err)
	}
	_, errOut, code := runCLI(t, dir, "", "init", "--force")
	if code != exitError || !strings.Contains(errOut, "the file has 2 hard links") {
		t.Errorf("init --force: exit %d, want 2 and the refusal explained; stderr:\n%s", code, errOut)
	}
	if got := readFile(t, path); got != "select: [CF2]\n" {
		t.Errorf("the linked file was written:\n%s", got)
	}
	a, _ := os.Stat(path)
	b, _ := os.Stat(other)
	if !os.SameFile(a, b) {
		t.Errorf("the hard links were split")
	}
	assertNoTempFiles(t, dir)
}

// TestInitForceThroughTheOtherName: with .composefix.yml a symlink to
// .composefix.yaml, the two are one configuration (config.Find), so
// init --force rewrites it as it would without the link, and the link
// stays; init refused, as if they were two files.
func TestInitForceThroughTheOtherName(t *testing.T) {
	dir := writeFiles(t, map[string]string{config.FileName: "select: [CF2]\n"})
	if err := os.Symlink(config.FileName, filepath.Join(dir, config.AltFileName)); err != nil {
		t.Skipf("cannot make a symlink: %v", err)
	}
	initForce(t, dir)
	if got := readFile(t, filepath.Join(dir, config.FileName)); got != config.DefaultTemplate {
		t.Errorf("%s = %q, want the template", config.FileName, got)
	}
	if fi, err := os.Lstat(filepath.Join(dir, config.AltFileName)); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("%s is no longer a symlink: %v, %v", config.AltFileName, fi, err)
	}
}
