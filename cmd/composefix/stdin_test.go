package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestStdinHonoursFormat: with -, a machine format's report is the whole of
// stdout, not the fixed document.
func TestStdinHonoursFormat(t *testing.T) {
	for _, format := range []string{"json", "sarif", "github"} {
		out, errOut, code := runCLI(t, t.TempDir(), needsFix, append(offline(t), "--format", format, "-")...)
		if code != exitOK || strings.HasPrefix(out, "services:") || strings.Contains(out, "\n  web:\n") {
			t.Errorf("--format %s -: exit %d, stdout is the document:\n%s\nstderr:\n%s", format, code, out, errOut)
		}
		if format == "json" {
			var doc replayDoc
			if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Files) != 1 || doc.Files[0].Path != "<stdin>" || doc.Files[0].Status != "changed" {
				t.Errorf("--format json -: %v\n%s", err, out)
			}
		}
	}
	// The text format still writes the fixed document.
	out, _, _ := runCLI(t, t.TempDir(), needsFix, append(offline(t), "-")...)
	if !strings.Contains(out, "restart: unless-stopped") {
		t.Errorf("- in text: stdout is not the fixed document:\n%s", out)
	}
}

// TestStdinFilename names the file the input stands for: findings carry
// its path, its directory's configuration applies, and the base beside an
// override is read as the project's context.
func TestStdinFilename(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"svc/.composefix.yaml": "ignore: [CF401]\n",
		"svc/compose.yaml":     "services:\n  web:\n    image: nginx:1.27.3\n    restart: always\n",
	})
	const override = "services:\n  web:\n    environment: {A: b}\n"
	out, errOut, code := runCLI(t, dir, override, append(offline(t), "--stdin-filename", "svc/compose.override.yaml", "-")...)
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, errOut)
	}
	if strings.Contains(out, "restart:") {
		t.Errorf("the override got a restart policy its base already sets:\n%s", out)
	}
	if strings.Contains(errOut, "CF401") || strings.Contains(out, "logging:") {
		t.Errorf("svc/.composefix.yaml's ignore: [CF401] did not apply; stderr:\n%s", errOut)
	}
	if strings.Contains(errOut, "<stdin>") {
		t.Errorf("findings name <stdin>, not the file:\n%s", errOut)
	}
	// Positions name the file.
	_, errOut, _ = runCLI(t, dir, needsFix, append(offline(t), "--stdin-filename", "svc/other.yaml", "--select", "CF201", "-")...)
	if !strings.Contains(errOut, "svc/other.yaml:2:3: warning:") {
		t.Errorf("findings do not name svc/other.yaml:\n%s", errOut)
	}
	if _, errOut, code := runCLI(t, dir, "", "--stdin-filename", "x.yaml", "compose.yaml"); code != exitError || !strings.Contains(errOut, "give - as the only path") {
		t.Errorf("--stdin-filename without -: exit %d; stderr:\n%s", code, errOut)
	}
}

// TestStdinFilenameOwnConfiguration: with --stdin-filename, the run's
// configuration is the one that file gets (README: "the configuration of
// a run on stdin"), but an invalid working-directory .composefix.yaml was
// a usage error even when a valid configuration of the file's own
// directory governs it: an editor in a repository whose root configuration
// is broken got its text back unfixed, exit 2. That configuration fails
// the run only when it is the file's.
func TestStdinFilenameOwnConfiguration(t *testing.T) {
	for _, c := range []struct {
		name, root string // the working directory's configuration
		file       string // --stdin-filename
		wantCode   int
	}{
		{"root invalid, the file's own valid", "bogus_key: 1\n", "app/compose.yaml", exitOK},
		{"root names an unknown rule, the file's own valid", "select: [NOPE]\n", "app/compose.yaml", exitOK},
		{"root invalid and the file's", "bogus_key: 1\n", "compose.yaml", exitError},
		{"root invalid and the file's, a directory down", "bogus_key: 1\n", "other/compose.yaml", exitError},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{
				".composefix.yaml": c.root, "app/.composefix.yaml": "select: [CF201]\n", "other/x": "",
			})
			out, errOut, code := runCLI(t, dir, needsFix, "--offline", "--stdin-filename", c.file, "-")
			if code != c.wantCode {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, c.wantCode, errOut)
			}
			if c.wantCode == exitError {
				if out != needsFix || !strings.Contains(errOut, ".composefix.yaml:1:") {
					t.Errorf("stdout %q, stderr %q; want the input echoed and the configuration's error", out, errOut)
				}
				return
			}
			if !strings.Contains(out, "restart: unless-stopped") || strings.Contains(out, "logging:") {
				t.Errorf("app/.composefix.yaml (select: [CF201]) did not apply:\n%s", out)
			}
			if strings.Contains(errOut, "1:1") {
				t.Errorf("the working directory's configuration, which does not govern %s, was reported:\n%s", c.file, errOut)
			}
		})
	}
}

// TestStdinGitHubAnnotationsPlace: GitHub places an annotation by its
// file=, and said file=<stdin> for a document on stdin, which no checkout
// has. With --stdin-filename the annotations name that file, as the other
// formats do; with plain - they name none, their message naming the input
// and position as the text format's findings do. A document that does not
// parse is annotated the same way.
func TestStdinGitHubAnnotationsPlace(t *testing.T) {
	for _, tc := range []struct {
		name, input string
		args        []string
		want        []string // in the annotations
	}{
		{"plain -", needsFix, []string{"-"}, []string{"::warning title=CF201 restart-policy::<stdin>:2:3: service \"web\" has no restart policy"}},
		{"--stdin-filename", needsFix, []string{"--stdin-filename", "svc/compose.yaml", "-"}, []string{"::warning file=svc/compose.yaml,line=2,col=3,endLine=2,endColumn=5,title=CF201 restart-policy::service \"web\" has no restart policy"}},
		{"plain - not parsing", "services: [\n", []string{"-"}, []string{"::error title=composefix::<stdin>:"}},
		{"--stdin-filename not parsing", "services: [\n", []string{"--stdin-filename", "svc/compose.yaml", "-"}, []string{"::error file=svc/compose.yaml,line="}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, _ := runCLI(t, t.TempDir(), tc.input, append(offline(t), append([]string{"--format", "github", "--select", "CF201"}, tc.args...)...)...)
			if strings.Contains(out, "<stdin>,") || strings.Contains(out, "file=%3Cstdin%3E") || strings.Contains(out, "file=<stdin>") {
				t.Errorf("an annotation names <stdin> as its file:\n%s\nstderr:\n%s", out, errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("annotations lack %q:\n%s\nstderr:\n%s", w, out, errOut)
				}
			}
		})
	}
}
