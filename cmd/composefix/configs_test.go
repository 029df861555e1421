package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/composefix/composefix/config"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// changedFiles returns the files a dry run's diff names, sorted.
func changedFiles(out string) []string {
	var names []string
	for _, m := range regexp.MustCompile(`(?m)^--- a/(.*)$`).FindAllStringSubmatch(out, -1) {
		names = append(names, m[1])
	}
	sort.Strings(names)
	return names
}

// TestNearestConfigAppliesToEachFile checks that each file gets the
// nearest .composefix.yaml from its own directory up to the repository
// root: `composefix sub/` used to ignore sub/.composefix.yaml, reading
// only the working directory's.
func TestNearestConfigAppliesToEachFile(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		".git/HEAD":               "",
		".composefix.yaml":        "select: [CF401]\n",
		"compose.yaml":            needsFix,
		"sub/.composefix.yaml":    "select: [CF201]\n",
		"sub/compose.yaml":        needsFix,
		"sub/deeper/compose.yaml": needsFix,
	})
	for _, args := range [][]string{{"."}, {"sub", "compose.yaml"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			out, errOut, code := runCLI(t, dir, "", append([]string{"--offline"}, args...)...)
			if code != exitOK {
				t.Fatalf("exit %d; stderr:\n%s", code, errOut)
			}
			for _, f := range strings.Split(out, "--- a/")[1:] {
				name, _, _ := strings.Cut(f, "\n")
				restart, logging := strings.Contains(f, "+    restart:"), strings.Contains(f, "+    logging:")
				wantRestart := strings.HasPrefix(name, "sub/")
				if restart != wantRestart || logging == wantRestart {
					t.Errorf("%s: restart added %v, logging added %v; want only %s from its nearest configuration", name, restart, logging, map[bool]string{true: "restart", false: "logging"}[wantRestart])
				}
			}
			if got := changedFiles(out); len(got) == 0 {
				t.Errorf("no diff:\n%s", errOut)
			}
		})
	}
}

// TestConfigSearchStopsAtTheRepositoryRoot checks that a configuration
// above the repository does not apply inside it.
func TestConfigSearchStopsAtTheRepositoryRoot(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		".composefix.yaml":  "select: [CF401]\n",
		"repo/.git/HEAD":    "",
		"repo/compose.yaml": needsFix,
	})
	out, errOut, code := runCLI(t, filepath.Join(dir, "repo"), "", "--offline")
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, errOut)
	}
	if !strings.Contains(out, "+    restart:") {
		t.Errorf("the configuration above the repository applied:\n%s", out)
	}
}

// TestExcludeAndGitignore checks that directory search skips what
// .gitignore ignores and what exclude patterns name (in the configuration,
// relative to it, and with --exclude), and that an excluded file named on
// the command line is left out too: no path could be excluded, and
// .gitignore was not read.
func TestExcludeAndGitignore(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		".git/HEAD":               "",
		".gitignore":              "build/\n*.local.yaml\nlocal/\n",
		"compose.yaml":            needsFix,
		"compose.local.yaml":      needsFix,
		"local/compose.yaml":      needsFix,
		"build/compose.yaml":      needsFix,
		"app/.composefix.yaml":    "exclude: [legacy/, compose.dev.yaml]\n",
		"app/compose.yaml":        needsFix,
		"app/compose.dev.yaml":    needsFix,
		"app/legacy/compose.yaml": needsFix,
		"other/compose.dev.yaml":  needsFix, // app's exclude does not reach here
		"other/skip/compose.yaml": needsFix,
	})
	out, errOut, code := runCLI(t, dir, "", "--offline", "--exclude", "other/skip", ".", "app/legacy/compose.yaml")
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, errOut)
	}
	want := []string{"app/compose.yaml", "compose.yaml", "other/compose.dev.yaml"}
	if got := changedFiles(out); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("files fixed %v, want %v", got, want)
	}
	// A file named on the command line is read even if git ignores it.
	out, _, _ = runCLI(t, dir, "", "--offline", "local/compose.yaml")
	if got := changedFiles(out); len(got) != 1 {
		t.Errorf("a git-ignored file named on the command line was skipped: %v", got)
	}
}

// TestPathWithoutComposeFilesIsAnError checks that a path holding no
// compose file exits 2: --check on a mistyped path used to pass.
func TestPathWithoutComposeFilesIsAnError(t *testing.T) {
	dir := writeFiles(t, map[string]string{"compose.yaml": clean, "docs/readme.md": "x"})
	_, errOut, code := runCLI(t, dir, "", "--check", "--offline", "docs")
	if code != exitError {
		t.Errorf("exit %d, want 2; stderr:\n%s", code, errOut)
	}
	if !strings.Contains(errOut, "docs: no compose files found") {
		t.Errorf("stderr does not name the path:\n%s", errOut)
	}
}

// TestPathWithEveryComposeFileExcluded checks that a directory whose
// compose files are all excluded says so: it said "no compose files
// found", as if the path were mistyped. It still exits 2.
func TestPathWithEveryComposeFileExcluded(t *testing.T) {
	dir := writeFiles(t, map[string]string{"compose.yaml": clean, "compose.dev.yaml": clean})
	_, errOut, code := runCLI(t, dir, "", "--check", "--offline", "--exclude", "*", ".")
	if code != exitError {
		t.Errorf("exit %d, want 2; stderr:\n%s", code, errOut)
	}
	if !strings.Contains(errOut, "2 found, all excluded") {
		t.Errorf("stderr does not say the files were excluded:\n%s", errOut)
	}
}

// TestOneWorkingDirectory: the run reads the working directory once, and
// the pipeline gets that reading with the rest of its options instead of
// reading it again for each group's run.
func TestOneWorkingDirectory(t *testing.T) {
	s := &settings{wd: "/run/wd", configs: newConfigFinder("/run/wd")}
	g := group{s: s, paths: []string{"compose.yaml"}}
	if got := g.options(io.Discard).WorkDir; got != s.wd || got != s.configs.wd {
		t.Errorf("pipeline WorkDir = %q, want the run's %q, as configFinder has it (%q)", got, s.wd, s.configs.wd)
	}
}

// TestConfigFinderLooksUpEachDirectoryOnce: the working directory's
// configuration, read with the flags, is the very one the files beside it
// get (one walk up, one read), whether a directory is named relative to
// the working directory or absolutely.
func TestConfigFinderLooksUpEachDirectoryOnce(t *testing.T) {
	dir := writeFiles(t, map[string]string{".composefix.yaml": "select: [CF101]\n", "sub/x": ""})
	t.Chdir(dir)
	f := newConfigFinder(dir)
	var first *config.File
	for _, d := range []string{".", dir, "sub", filepath.Join(dir, "sub")} {
		cfg, err := f.forDir(d)
		if err != nil || cfg == nil {
			t.Fatalf("forDir(%q) = %v, %v; want the configuration", d, cfg, err)
		}
		if first == nil {
			first = cfg
		} else if cfg != first {
			t.Errorf("forDir(%q) read the configuration again", d)
		}
	}
	if len(f.found) != 2 || len(f.loaded) != 1 {
		t.Errorf("found %v, loaded %d files; want 2 directories looked up and 1 file read", f.found, len(f.loaded))
	}
}

// TestBadNestedConfigurationFailsOnlyItsFiles: an invalid
// .composefix.yaml in one directory stopped the whole run, so a scheduled
// run over a repository wrote nothing. The files it governs are not
// processed and the run exits 2 naming it; the other files are.
func TestBadNestedConfigurationFailsOnlyItsFiles(t *testing.T) {
	for _, cfg := range []string{"rules: [bad\n", "bogus_key: 1\n"} {
		t.Run(cfg, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{
				"a/compose.yaml": needsFix, "a/.composefix.yaml": cfg,
				"b/compose.yaml": needsFix,
			})
			_, errOut, code := runCLI(t, dir, "", "-w", "--offline", ".")
			if code != exitError {
				t.Errorf("exit %d, want %d", code, exitError)
			}
			if want := filepath.Join("a", ".composefix.yaml") + ":1:"; !strings.Contains(errOut, want) {
				t.Errorf("stderr does not name the configuration (%s):\n%s", want, errOut)
			}
			if got := readFile(t, filepath.Join(dir, "a", "compose.yaml")); got != needsFix {
				t.Errorf("a file under the invalid configuration was written:\n%s", got)
			}
			if got := readFile(t, filepath.Join(dir, "b", "compose.yaml")); !strings.Contains(got, "restart:") {
				t.Errorf("the other file was not written; stderr:\n%s", errOut)
			}
		})
	}
}

// TestBadNestedConfigurationReachesTheReports: an invalid nested
// .composefix.yaml made the run exit 2 with the error on stderr only, so
// a reviewer reading SARIF, GitHub annotations or JSON saw nothing wrong.
// Then an error without a position (or one whose position only its
// message held) listed only the governed files, never the configuration,
// each repeating the whole error, and the JSON summary counted the
// configuration as a file. The reports carry the error once, on the
// configuration (at its position when it has one), list each file it
// governs as not processed, and count compose files only.
func TestBadNestedConfigurationReachesTheReports(t *testing.T) {
	cfg := filepath.Join("a", ".composefix.yaml")
	governed := filepath.Join("a", "compose.yaml")
	for _, c := range []struct {
		name   string
		config string // the configuration's text, "->target" for a symbolic link, or "both" (see bothConfigs)
		token  string // in the error's message, which appears once
		line   int    // the error's position; 0: none
	}{
		{"unknown key", "bogus_key: 1\n", "bogus_key", 1},
		{"unknown rule", "select: [NOPE]\n", "NOPE", 1},
		{"not a regular file", "->/dev/null", "not a regular file", 0},
		// The error names both files; it was on each governed file, and
		// no entry was the configuration's.
		{"two configurations", "both", filepath.Join("a", config.AltFileName), 0},
	} {
		for format, want := range map[string][]string{
			"sarif":  {`"uri": "a/.composefix.yaml"`, `"uri": "a/compose.yaml"`, "not processed"},
			"github": {"::error file=" + cfg, "::error file=" + governed + ",title=composefix::not processed", "; 1 file not processed"},
			"json":   {`"path": "` + cfg + `"`, `"path": "` + governed + `"`, "not processed", `"files": 2,`, `"failed": 1,`},
			// stderr: the text format lists and counts them alike.
			"text": {cfg + ":", governed + ": not processed: its configuration " + cfg + " is invalid", "2 files scanned", "1 not processed"},
		} {
			t.Run(c.name+"/"+format, func(t *testing.T) {
				files := map[string]string{"a/compose.yaml": needsFix, "b/compose.yaml": needsFix}
				switch {
				case c.config == "both":
					bothConfigs(files, "a/")
				case !strings.HasPrefix(c.config, "->"):
					files["a/.composefix.yaml"] = c.config
				}
				dir := writeFiles(t, files)
				if target, ok := strings.CutPrefix(c.config, "->"); ok {
					if err := os.Symlink(target, filepath.Join(dir, cfg)); err != nil {
						t.Fatal(err)
					}
				}
				out, errOut, code := runCLI(t, dir, "", "--offline", "--format", format, ".")
				if code != exitError {
					t.Errorf("exit %d, want %d", code, exitError)
				}
				if c.line > 0 {
					want = append(want, map[string]string{
						"sarif":  fmt.Sprintf(`"startLine": %d`, c.line),
						"github": fmt.Sprintf("::error file=%s,line=%d,", cfg, c.line),
						"json":   fmt.Sprintf(`"error": "%s:%d:`, cfg, c.line),
						"text":   fmt.Sprintf("%s:%d:", cfg, c.line),
					}[format])
				}
				got := out
				if format == "text" {
					got = errOut
				}
				for _, w := range want {
					if !strings.Contains(got, w) {
						t.Errorf("%s output lacks %q:\n%s\nstderr:\n%s", format, w, out, errOut)
					}
				}
				if n := strings.Count(got, c.token); n != 1 {
					t.Errorf("the error (%q) is in the %s output %d times, want once:\n%s", c.token, format, n, got)
				}
				if format != "sarif" {
					return
				}
				inst, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
				if err != nil {
					t.Fatalf("SARIF output is not JSON: %v", err)
				}
				if err := sarifSchema(t).Validate(inst); err != nil {
					t.Errorf("SARIF output does not validate: %v", err)
				}
			})
		}
	}
}

// bothConfigs adds to files a valid .composefix.yaml and .composefix.yml
// in dir (with its trailing slash): one directory holding both is an
// error, never a silent choice.
func bothConfigs(files map[string]string, dir string) {
	files[dir+config.FileName] = "select: [CF201]\n"
	files[dir+config.AltFileName] = "select: [CF401]\n"
}

// TestBadWorkingDirectoryConfigurationReachesTheReports: an invalid
// .composefix.yaml in the working directory was a usage error, so the
// machine formats printed nothing at all and a reviewer saw no
// annotation. It is reported as a nested one is, on itself, with every
// file it governs not processed; --config and stdin keep the usage error.
func TestBadWorkingDirectoryConfigurationReachesTheReports(t *testing.T) {
	for _, c := range []struct {
		name  string
		files func(map[string]string)
		token string // in the error's message, which appears once
		at    bool   // the error has a position, 1:1
	}{
		{"unknown key", func(f map[string]string) { f[config.FileName] = "bogus_key: 1\n" }, "bogus_key", true},
		{"two configurations", func(f map[string]string) { bothConfigs(f, "") }, config.AltFileName, false},
	} {
		for format, want := range map[string][]string{
			"sarif":  {`"uri": ".composefix.yaml"`, `"uri": "a/compose.yaml"`, `"uri": "b/compose.yaml"`},
			"github": {"::error file=.composefix.yaml,", "::error file=a/compose.yaml,title=composefix::not processed", "; 2 files not processed; 1 configuration invalid"},
			"json":   {`"path": ".composefix.yaml"`, `"path": "b/compose.yaml"`, `"files": 2,`, `"failed": 2,`},
		} {
			t.Run(c.name+"/"+format, func(t *testing.T) {
				files := map[string]string{"a/compose.yaml": needsFix, "b/compose.yaml": needsFix}
				c.files(files)
				dir := writeFiles(t, files)
				out, errOut, code := runCLI(t, dir, "", "--offline", "--format", format, ".")
				if code != exitError {
					t.Errorf("exit %d, want %d", code, exitError)
				}
				if c.at {
					want = append(want, map[string]string{
						"sarif":  `"startLine": 1`,
						"github": "::error file=.composefix.yaml,line=1,",
						"json":   `"error": ".composefix.yaml:1:1: `,
					}[format])
				}
				for _, w := range want {
					if !strings.Contains(out, w) {
						t.Errorf("%s output lacks %q:\n%s\nstderr:\n%s", format, w, out, errOut)
					}
				}
				if n := strings.Count(out, c.token); n != 1 {
					t.Errorf("the error (%q) is in the %s output %d times, want once:\n%s", c.token, format, n, out)
				}
			})
		}
	}
	for name, args := range map[string][]string{
		"--config": {"--config", ".composefix.yaml", "."},
		"stdin":    {"-"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"compose.yaml": needsFix, ".composefix.yaml": "bogus_key: 1\n"})
			out, errOut, code := runCLI(t, dir, needsFix, append([]string{"--offline", "--format", "json"}, args...)...)
			if code != exitError || out != "" || !strings.Contains(errOut, "bogus_key") {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d, the error on stderr only", code, out, errOut, exitError)
			}
		})
	}
}

// TestBadFlagsAndConfigurationAreBothReported: with an unknown rule in
// --select and an invalid configuration, only the configuration's error
// was printed, so the user fixed it and met the flags' on the next run.
// Both are the usage error now, the flags' first; a bad flag alone is
// reported once. Each reads as a usage error alone does, after
// "composefix: " (the second had no prefix).
func TestBadFlagsAndConfigurationAreBothReported(t *testing.T) {
	for _, c := range []struct {
		name   string
		config string // the working directory's .composefix.yaml
		args   []string
		want   []string // in stderr, each once
	}{
		{"working directory", "bogus_key: 1\n", []string{"--select", "NOPE", "."}, []string{`"NOPE"`, "bogus_key"}},
		{"--config", "bogus_key: 1\n", []string{"--select", "NOPE", "--config", config.FileName, "."}, []string{`"NOPE"`, "bogus_key"}},
		{"a rule the configuration names", "ignore: [BAD]\n", []string{"--select", "NOPE", "."}, []string{`"NOPE"`, `"BAD"`}},
		{"update", "bogus_key: 1\n", []string{"update", "--pin", "bogus", "."}, []string{`"bogus"`, "bogus_key"}},
		{"stdin", "bogus_key: 1\n", []string{"--ignore", "NOPE", "-"}, []string{`"NOPE"`, "bogus_key"}},
		// update's own flags and --format were checked apart, and only
		// their error was shown.
		{"update --policy", "bogus_key: 1\n", []string{"update", "--policy", "nope", "."}, []string{`"nope"`, "bogus_key"}},
		{"update --min-age", "bogus_key: 1\n", []string{"update", "--min-age", "nope", "."}, []string{`"nope"`, "bogus_key"}},
		{"update --select", "bogus_key: 1\n", []string{"update", "--select", "NOPE", "."}, []string{`"NOPE"`, "bogus_key"}},
		{"update --select, a rule update does not run", "bogus_key: 1\n", []string{"update", "--select", "CF201", "."}, []string{"CF201", "bogus_key"}},
		{"update --policy and --config", "bogus_key: 1\n", []string{"update", "--policy", "nope", "--config", config.FileName, "."}, []string{`"nope"`, "bogus_key"}},
		{"update --policy and --min-age", "bogus_key: 1\n", []string{"update", "--policy", "nope", "--min-age", "soon", "."}, []string{`"nope"`, `"soon"`, "bogus_key"}},
		{"update --plan and --apply-group", "bogus_key: 1\n", []string{"update", "--plan", "p.json", "--apply-group", "g", "."}, []string{"do not go together", "bogus_key"}},
		{"update on stdin", "bogus_key: 1\n", []string{"update", "-"}, []string{"update does not read stdin", "bogus_key"}},
		{"--format", "bogus_key: 1\n", []string{"--format", "xml", "."}, []string{`"xml"`, "bogus_key"}},
		{"--exclude", "bogus_key: 1\n", []string{"--exclude", "a/**b/[", "."}, []string{"--exclude", "bogus_key"}},
		{"--project-directory without -f", "bogus_key: 1\n", []string{"--project-directory", "nowhere", "."}, []string{"--project-directory", "bogus_key"}},
		{"--format and --config", "bogus_key: 1\n", []string{"--format", "xml", "--config", config.FileName, "."}, []string{`"xml"`, "bogus_key"}},
		{"--format and --select", "bogus_key: 1\n", []string{"--format", "xml", "--select", "NOPE", "."}, []string{`"xml"`, `"NOPE"`, "bogus_key"}},
		// The flags' error was the configuration's too (--select replaces
		// its select): once.
		{"a bad flag and a valid configuration", "select: [CF201]\n", []string{"--select", "NOPE", "."}, []string{`"NOPE"`}},
		{"a bad update flag and a valid configuration", "select: [CF201]\n", []string{"update", "--policy", "nope", "."}, []string{`"nope"`}},
		{"--format and a valid configuration", "select: [CF201]\n", []string{"--format", "xml", "."}, []string{`"xml"`}},
	} {
		for _, format := range []string{"text", "json"} {
			t.Run(c.name+"/"+format, func(t *testing.T) {
				dir := writeFiles(t, map[string]string{"compose.yaml": needsFix, config.FileName: c.config})
				out, errOut, code := runCLI(t, dir, needsFix, append([]string{"--offline", "--format", format}, c.args...)...)
				wantOut := "" // a usage error's product
				if c.name == "stdin" && format == "text" {
					wantOut = needsFix // the input, echoed for an editor
				}
				if code != exitError || out != wantOut {
					t.Errorf("exit %d, stdout %q; want exit %d and %q on stdout", code, out, exitError, wantOut)
				}
				for _, w := range c.want {
					if n := strings.Count(errOut, w); n != 1 {
						t.Errorf("stderr holds %q %d times, want once:\n%s", w, n, errOut)
					}
				}
				for _, l := range strings.Split(strings.TrimSuffix(errOut, "\n"), "\n") {
					if !strings.HasPrefix(l, "composefix: ") {
						t.Errorf("stderr line %q lacks the \"composefix: \" prefix:\n%s", l, errOut)
					}
				}
			})
		}
	}
}

// TestExitCodePrefixesEachJoinedError: every error line on stderr starts
// with "composefix: ", each error of a joined one too, nested or wrapped
// in a usage error, and an error's own line breaks are left alone.
func TestExitCodePrefixesEachJoinedError(t *testing.T) {
	a, b, c := errors.New("a is wrong"), errors.New("b is wrong"), errors.New("c is wrong")
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"one", a, "composefix: a is wrong\n"},
		{"usage error", usagef("bad %s", "flag"), "composefix: bad flag\n"},
		{"joined", &usageError{errors.Join(a, b)}, "composefix: a is wrong\ncomposefix: b is wrong\n"},
		{"nested", &usageError{errors.Join(a, errors.Join(b, nil, c))}, "composefix: a is wrong\ncomposefix: b is wrong\ncomposefix: c is wrong\n"},
		{"wrapped join", fmt.Errorf("reading: %w", errors.Join(a, b)), "composefix: reading: a is wrong\nb is wrong\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var errOut strings.Builder
			if code := exitCode(tc.err, &errOut); code != exitError {
				t.Errorf("exit %d, want %d", code, exitError)
			}
			if errOut.String() != tc.want {
				t.Errorf("stderr %q, want %q", errOut.String(), tc.want)
			}
		})
	}
}

// TestConfigLookupFailureReachesTheReports: a configuration that cannot
// even be looked at (here a symbolic link to itself: stat fails) had no
// path, so with no compose file found the machine formats printed a
// document without the error (SARIF's run "successful") and exit 2, and
// with one each file carried the whole error. The error is on the
// configuration's entry in a valid document, and a governed file points
// at it.
func TestConfigLookupFailureReachesTheReports(t *testing.T) {
	for _, withFile := range []bool{false, true} {
		for format, want := range map[string][]string{
			"json":   {`"path": ".composefix.yaml"`, `"error": "finding configuration .composefix.yaml: `},
			"sarif":  {`"uri": ".composefix.yaml"`, `"executionSuccessful": false`, `"text": "finding configuration .composefix.yaml: `},
			"github": {"::error file=.composefix.yaml,title=composefix::finding configuration .composefix.yaml: ", "1 configuration invalid"},
		} {
			t.Run(fmt.Sprintf("%s/compose file %v", format, withFile), func(t *testing.T) {
				files := map[string]string{}
				if withFile {
					files["compose.yaml"] = needsFix
					want = append(want, "not processed: its configuration .composefix.yaml is invalid")
				}
				dir := writeFiles(t, files)
				if err := os.Symlink(config.FileName, filepath.Join(dir, config.FileName)); err != nil {
					t.Fatal(err)
				}
				out, errOut, code := runCLI(t, dir, "", "--offline", "--format", format, ".")
				if code != exitError {
					t.Errorf("exit %d, want %d", code, exitError)
				}
				for _, w := range want {
					if !strings.Contains(out, w) {
						t.Errorf("%s output lacks %q:\n%s\nstderr:\n%s", format, w, out, errOut)
					}
				}
				if n := strings.Count(out, "finding configuration"); n != 1 {
					t.Errorf("the error is in the %s output %d times, want once:\n%s", format, n, out)
				}
				if format == "github" {
					return
				}
				inst, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
				if err != nil {
					t.Fatalf("%s output is not JSON: %v", format, err)
				}
				if format == "sarif" {
					if err := sarifSchema(t).Validate(inst); err != nil {
						t.Errorf("SARIF output does not validate: %v", err)
					}
				}
			})
		}
	}
}

// TestUpdateBadConfiguration: update stopped at an invalid working
// directory's .composefix.yaml (a usage error: no report, no plan, no
// file updated) but ran every other file past an invalid nested one.
// Both fail only the files they govern now, as in the main command: the
// report carries the error on the configuration and lists its files as
// not processed, a plan is written for the other files (stderr names the
// configuration and its files), and the run exits 2.
func TestUpdateBadConfiguration(t *testing.T) {
	for _, where := range []string{"", "a/"} {
		cfg := filepath.FromSlash(where + config.FileName)
		notRun := filepath.Join("a", "compose.yaml") + ": not processed: its configuration " + cfg + " is invalid"
		for _, mode := range []string{"json", "plan"} {
			t.Run(fmt.Sprintf("%q/%s", where, mode), func(t *testing.T) {
				dir := writeFiles(t, map[string]string{
					where + config.FileName: "bogus_key: 1\n",
					"a/compose.yaml":        needsFix,
					// b has a valid configuration of its own.
					"b/compose.yaml": needsFix, "b/" + config.FileName: "",
				})
				plan := filepath.Join(t.TempDir(), "plan.json")
				args := []string{"--offline", "update", "--format", "json", "."}
				if mode == "plan" {
					args = []string{"--offline", "update", "--plan", plan, "."}
				}
				out, errOut, code := runCLI(t, dir, "", args...)
				if code != exitError {
					t.Errorf("exit %d, want %d; stderr:\n%s", code, exitError, errOut)
				}
				if n := strings.Count(errOut, "bogus_key"); n != 1 {
					t.Errorf("stderr names the configuration's error %d times, want once:\n%s", n, errOut)
				}
				want := []string{`"path": "` + cfg + `"`, `"path": "b/compose.yaml"`, `"error": "not processed: its configuration ` + cfg + ` is invalid"`}
				got := out
				if mode == "plan" {
					want, got = []string{notRun}, errOut
					if _, err := os.Stat(plan); err != nil {
						t.Errorf("no plan for the other files: %v", err)
					}
				}
				for _, w := range want {
					if !strings.Contains(got, w) {
						t.Errorf("update %s output lacks %q:\n%s\nstderr:\n%s", mode, w, out, errOut)
					}
				}
			})
		}
	}
}

// TestConfigurationUnderTwoNamesIsOne: a .composefix.yml that is a
// symlink to the .composefix.yaml beside it failed every file of the
// directory as governed by two configurations ("exists too; keep one").
// It is one configuration: it applies, and its error, when it has one,
// is reported once.
func TestConfigurationUnderTwoNamesIsOne(t *testing.T) {
	for _, c := range []struct {
		name, config string
		code         int
		want, not    []string // in stderr
	}{
		{"valid", "ignore: [CF201]\n", exitOK, nil, []string{"CF201", "exists too"}},
		{"invalid", "bogus_key: 1\n", exitError, []string{"bogus_key", "compose.yaml: not processed"}, []string{"exists too"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"compose.yaml": needsFix, config.FileName: c.config, ".git/HEAD": ""})
			if err := os.Symlink(config.FileName, filepath.Join(dir, config.AltFileName)); err != nil {
				t.Skipf("cannot make a symlink: %v", err)
			}
			_, errOut, code := runCLI(t, dir, "", append(offline(t), ".")...)
			if code != c.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, c.code, errOut)
			}
			for _, w := range c.want {
				if n := strings.Count(errOut, w); n != 1 {
					t.Errorf("stderr holds %q %d times, want once:\n%s", w, n, errOut)
				}
			}
			for _, w := range c.not {
				if strings.Contains(errOut, w) {
					t.Errorf("stderr holds %q:\n%s", w, errOut)
				}
			}
		})
	}
}
