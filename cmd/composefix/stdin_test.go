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

// TestStdinSARIFLocations: a document read from stdin without
// --stdin-filename was located at "uri": "%3Cstdin%3E", a relative
// reference to a file "<stdin>" that no checkout has, on which code
// scanning would open alerts. As the GitHub format names no file for it,
// its SARIF locations (results, fixes and the notification of a document
// that does not parse) name none: an artifactLocation with a description
// and no uri, the region kept. With --stdin-filename they name that file.
// Every log validates against the SARIF 2.1.0 schema.
func TestStdinSARIFLocations(t *testing.T) {
	sch := sarifSchema(t)
	for _, c := range []struct {
		name    string
		input   string
		args    []string
		wantURI string // "": no uri, a description instead
	}{
		{"findings and fixes", needsFix, nil, ""},
		{"a document that does not parse", "services:\n  web: [\n", nil, ""},
		{"findings and fixes, named", needsFix, []string{"--stdin-filename", "svc/compose.yaml"}, "svc/compose.yaml"},
		{"a document that does not parse, named", "services:\n  web: [\n", []string{"--stdin-filename", "svc/compose.yaml"}, "svc/compose.yaml"},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := append(append(offline(t), "--format", "sarif"), c.args...)
			out, errOut, _ := runCLI(t, t.TempDir(), c.input, append(args, "-")...)
			validateSARIFOutput(t, sch, out, errOut)
			var log struct {
				Runs []struct {
					Invocations []struct {
						Notifications []struct {
							Locations []sarifTestLocation `json:"locations"`
						} `json:"toolExecutionNotifications"`
					} `json:"invocations"`
					Results []struct {
						Locations []sarifTestLocation `json:"locations"`
						Fixes     []struct {
							ArtifactChanges []struct {
								ArtifactLocation sarifTestArtifact `json:"artifactLocation"`
							} `json:"artifactChanges"`
						} `json:"fixes"`
					} `json:"results"`
				} `json:"runs"`
			}
			if err := json.Unmarshal([]byte(out), &log); err != nil {
				t.Fatalf("%v\n%s\nstderr:\n%s", err, out, errOut)
			}
			var arts []sarifTestArtifact
			regions := 0
			for _, run := range log.Runs {
				for _, inv := range run.Invocations {
					for _, n := range inv.Notifications {
						for _, l := range n.Locations {
							arts = append(arts, l.PhysicalLocation.ArtifactLocation)
							regions += hasRegion(l)
						}
					}
				}
				for _, r := range run.Results {
					for _, l := range r.Locations {
						arts = append(arts, l.PhysicalLocation.ArtifactLocation)
						regions += hasRegion(l)
					}
					for _, fx := range r.Fixes {
						for _, ch := range fx.ArtifactChanges {
							arts = append(arts, ch.ArtifactLocation)
						}
					}
				}
			}
			if len(arts) == 0 || regions == 0 {
				t.Fatalf("no location with a region in the log:\n%s", out)
			}
			for _, a := range arts {
				switch {
				case c.wantURI != "" && (a.URI == nil || *a.URI != c.wantURI):
					t.Errorf("artifactLocation %+v, want uri %q", a, c.wantURI)
				case c.wantURI == "" && a.URI != nil:
					t.Errorf("artifactLocation names the uri %q for stdin, want none", *a.URI)
				case c.wantURI == "" && !strings.Contains(a.Description.Text, "stdin"):
					t.Errorf("artifactLocation %+v: want a description naming stdin", a)
				}
			}
		})
	}
}

type sarifTestLocation struct {
	PhysicalLocation struct {
		ArtifactLocation sarifTestArtifact `json:"artifactLocation"`
		Region           *json.RawMessage  `json:"region"`
	} `json:"physicalLocation"`
}

type sarifTestArtifact struct {
	URI         *string `json:"uri"`
	Description struct {
		Text string `json:"text"`
	} `json:"description"`
}

// hasRegion is 1 when l has a region, else 0.
func hasRegion(l sarifTestLocation) int {
	if l.PhysicalLocation.Region == nil {
		return 0
	}
	return 1
}
