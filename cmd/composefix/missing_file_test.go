package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMissingProjectFile checks CF604: an include entry or extends: file:
// naming a local file that cannot be loaded is an error-level finding at
// the scalar naming it (so --check fails, as docker compose does), while
// remote and interpolated paths are left to compose.
func TestMissingProjectFile(t *testing.T) {
	const svc = "services:\n  web:\n    image: nginx:1.27.3\n"
	tests := []struct {
		name  string
		files map[string]string
		dirs  []string // directories to create
		input string   // the file given; default compose.yaml
		want  []string // CF604 findings, in order; none: exit 0
	}{
		{
			name:  "include short syntax, missing",
			files: map[string]string{"compose.yaml": "include:\n  - missing.yaml\n" + svc},
			want:  []string{`compose.yaml:2:5: error: include names "missing.yaml", which cannot be loaded (not found); the project is not fully checked [CF604]`},
		},
		{
			name:  "include long syntax, path string",
			files: map[string]string{"compose.yaml": "include:\n  - path: 'gone.yaml'\n    project_directory: .\n" + svc},
			want:  []string{`compose.yaml:2:11: error: include names "gone.yaml", which cannot be loaded (not found)`},
		},
		{
			name: "include long syntax, path list: only the missing entry",
			files: map[string]string{
				"compose.yaml": "include:\n  - path:\n      - db.yaml\n      - db.override.yaml\n" + svc,
				"db.yaml":      "services:\n  db:\n    image: postgres:16.4\n",
			},
			want: []string{`compose.yaml:4:9: error: include names "db.override.yaml", which cannot be loaded (not found)`},
		},
		{
			// compose resolves every path of an include entry as it does
			// the first, from the including file's project directory, and
			// fails on any it cannot read.
			name: "include entry's later path, flow style",
			files: map[string]string{
				"compose.yaml": "include: [{path: [base.yaml, missing-override.yaml]}]\n" + svc,
				"base.yaml":    "services:\n  db:\n    image: postgres:16.4\n",
			},
			want: []string{`compose.yaml:1:30: error: include names "missing-override.yaml", which cannot be loaded (not found); the project is not fully checked [CF604]`},
		},
		{
			name: "an included file's entry's later path",
			files: map[string]string{
				"compose.yaml":  "include:\n  - shared/a.yaml\n" + svc,
				"shared/a.yaml": "include:\n  - path: [b.yaml, gone.yaml]\n",
				"shared/b.yaml": "services:\n  b:\n    image: nginx:1.27.3\n",
			},
			want: []string{`compose.yaml:2:5: error: include names "shared/a.yaml", which cannot be loaded (it reaches "shared/gone.yaml": not found)`},
		},
		{
			// compose stats an include entry's env_file before loading
			// the entry and fails on one missing or not a file; there is
			// no required: false form, and /dev/null is skipped.
			name: "include env_file, string",
			files: map[string]string{
				"compose.yaml": "include:\n  - path: db.yaml\n    env_file: .env.db\n" + svc,
				"db.yaml":      "services:\n  db:\n    image: postgres:16.4\n",
			},
			want: []string{`compose.yaml:3:15: error: include env_file: names ".env.db", which cannot be loaded (not found); the project is not fully checked [CF604]`},
		},
		{
			name: "include env_file, list: the missing and the directory",
			files: map[string]string{
				"compose.yaml": "include:\n  - path: db.yaml\n    env_file:\n      - .env\n      - /dev/null\n      - gone.env\n      - envdir\n" + svc,
				"db.yaml":      "services:\n  db:\n    image: postgres:16.4\n",
				".env":         "TAG=16.4\n",
			},
			dirs: []string{"envdir"},
			want: []string{
				`compose.yaml:6:9: error: include env_file: names "gone.env", which cannot be loaded (not found)`,
				`compose.yaml:7:9: error: include env_file: names "envdir", which cannot be loaded (not a file)`,
			},
		},
		{
			// compose takes env_file from the including file's directory,
			// not from the entry's project_directory.
			name: "include env_file, relative to the including file",
			files: map[string]string{
				"compose.yaml": "include:\n  - path: sub/db.yaml\n    project_directory: sub\n    env_file: [sub.env, top.env]\n" + svc,
				"sub/db.yaml":  "services:\n  db:\n    image: postgres:16.4\n",
				"sub/sub.env":  "TAG=16.4\n",
				"top.env":      "TAG=16.4\n",
			},
			want: []string{`compose.yaml:4:16: error: include env_file: names "sub.env", which cannot be loaded (not found)`},
		},
		{
			name: "include env_file an included file names",
			files: map[string]string{
				"compose.yaml":  "include:\n  - shared/a.yaml\n" + svc,
				"shared/a.yaml": "include:\n  - path: b.yaml\n    env_file: b.env\n",
				"shared/b.yaml": "services:\n  b:\n    image: nginx:1.27.3\n",
			},
			want: []string{`compose.yaml:2:5: error: include names "shared/a.yaml", which cannot be loaded (it reaches "shared/b.env": not found)`},
		},
		{
			// compose-go takes a/b/y.yaml's env_file from b/, the
			// directory a/x.yaml names it by, not from a/b/: composefix
			// does not check env files that deep.
			name: "not reported: an env_file two includes away",
			files: map[string]string{
				"compose.yaml": "include:\n  - a/x.yaml\n" + svc,
				"a/x.yaml":     "include:\n  - b/y.yaml\n",
				"a/b/y.yaml":   "include:\n  - path: z.yaml\n    env_file: e.env\n",
				"a/b/z.yaml":   "services:\n  z:\n    image: nginx:1.27.3\n",
				"b/e.env":      "TAG=1\n",
			},
		},
		{
			// A service's env_file is not CF604's (compose has a
			// required: false form for it); interpolated and /dev/null
			// env files are left to compose.
			name: "not reported: /dev/null, interpolated, present, a service's env_file",
			files: map[string]string{
				"compose.yaml": "include:\n  - path: db.yaml\n    env_file: [/dev/null, '${ENV_FILE}', db.env]\n" +
					"services:\n  web:\n    image: nginx:1.27.3\n    env_file: web.env\n",
				"db.yaml": "services:\n  db:\n    image: postgres:16.4\n",
				"db.env":  "TAG=16.4\n",
			},
		},
		{
			name:  "extends file, missing",
			files: map[string]string{"compose.yaml": "services:\n  web:\n    extends:\n      file: base.yaml\n      service: app\n"},
			want:  []string{`compose.yaml:4:13: error: extends: file: names "base.yaml", which cannot be loaded (not found)`},
		},
		{
			name:  "a directory",
			files: map[string]string{"compose.yaml": "include: [shared]\n" + svc},
			dirs:  []string{"shared"},
			want:  []string{`compose.yaml:1:11: error: include names "shared", which cannot be loaded (not a file)`},
		},
		{
			name: "invalid YAML",
			files: map[string]string{
				"compose.yaml": "services:\n  web:\n    extends: {file: base.yaml, service: app}\n",
				"base.yaml":    "services:\n  app:\n    image: [nginx\n",
			},
			want: []string{`compose.yaml:3:21: error: extends: file: names "base.yaml", which cannot be loaded (cannot be parsed at `},
		},
		{
			name: "relative to the including file's directory",
			files: map[string]string{
				"sub/compose.yaml": "include:\n  - ../shared/db.yaml\n  - db.yaml\n" + svc,
				"shared/db.yaml":   "services:\n  db:\n    image: postgres:16.4\n",
				"db.yaml":          "services:\n  db2:\n    image: postgres:16.4\n",
			},
			input: "sub/compose.yaml",
			want:  []string{`compose.yaml:3:5: error: include names "db.yaml", which cannot be loaded (not found)`},
		},
		{
			name: "a file an included file reaches",
			files: map[string]string{
				"compose.yaml":  "include:\n  - shared/a.yaml\n" + svc,
				"shared/a.yaml": "include:\n  - b.yaml\nservices:\n  a:\n    extends: {file: c.yaml, service: c}\n",
				"shared/c.yaml": "services:\n  c:\n    image: nginx:1.27.3\n",
			},
			want: []string{`compose.yaml:2:5: error: include names "shared/a.yaml", which cannot be loaded (it reaches "shared/b.yaml": not found)`},
		},
		{
			// The included file's paths resolve from its project
			// directory, which composefix does not follow; an extended
			// file is read for one service's chain only.
			name: "not followed: project_directory, extends",
			files: map[string]string{
				"compose.yaml": "include:\n  - path: shared/a.yaml\n    project_directory: ..\n" +
					"services:\n  web:\n    extends: {file: base.yaml, service: app}\n",
				"shared/a.yaml": "include:\n  - b.yaml\n",
				"base.yaml":     "services:\n  app:\n    image: nginx:1.27.3\n  other:\n    extends: {file: gone.yaml, service: x}\n",
			},
		},
		{
			// compose loads an include entry's files with the first one's
			// directory as their project directory: b/y.yaml's z.yaml is
			// a/z.yaml.
			name: "an include entry's later file resolves from the first's directory",
			files: map[string]string{
				"compose.yaml": "include:\n  - path: [a/x.yaml, b/y.yaml]\n" + svc,
				"a/x.yaml":     "services:\n  x:\n    image: nginx:1.27.3\n",
				"a/z.yaml":     "services:\n  z:\n    image: nginx:1.27.3\n",
				"b/y.yaml":     "include:\n  - z.yaml\n",
			},
		},
		{
			// compose loads an empty included file and merges a file's
			// documents; composefix cannot read them, which is no fault
			// of the project.
			name: "files compose loads that composefix cannot read",
			files: map[string]string{
				"compose.yaml": "include:\n  - empty.yaml\n  - comment.yaml\n  - multi.yaml\n" + svc,
				"empty.yaml":   "",
				"comment.yaml": "# nothing yet\n",
				"multi.yaml":   "services:\n  a:\n    image: nginx:1.27.3\n---\nservices:\n  b:\n    image: nginx:1.27.3\n",
			},
		},
		{
			name: "present files",
			files: map[string]string{
				"compose.yaml": "include:\n  - db.yaml\nservices:\n  web:\n    extends: {file: base.yaml, service: app}\n",
				"db.yaml":      "services:\n  db:\n    image: postgres:16.4\n",
				"base.yaml":    "services:\n  app:\n    image: nginx:1.27.3\n",
			},
		},
		{
			name: "remote paths are skipped",
			files: map[string]string{"compose.yaml": "include:\n  - oci://registry.example/app:1\n  - git@github.com:acme/stack.git\n" +
				"  - https://github.com/acme/stack.git#main:compose.yaml\n  - git::https://example.com/stack.git\n" +
				"services:\n  web:\n    extends: {file: 'oci://registry.example/base:1', service: app}\n"},
		},
		{
			name: "interpolated paths are skipped",
			files: map[string]string{"compose.yaml": "include:\n  - ${STACK_DIR}/db.yaml\n  - path: $STACK\n" +
				"services:\n  web:\n    extends: {file: '${BASE:-base.yaml}', service: app}\n"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, tt.files)
			for _, d := range tt.dirs {
				if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			input := tt.input
			if input == "" {
				input = "compose.yaml"
			}
			_, errOut, code := runCLI(t, dir, "", "--offline", "--check", "--select", "CF604", input)
			var got []string
			for _, line := range strings.Split(errOut, "\n") {
				if strings.Contains(line, "[CF604]") {
					got = append(got, line)
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d CF604 findings, want %d:\n%s", len(got), len(tt.want), errOut)
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("finding %d = %q, want it to contain %q", i, got[i], w)
				}
			}
			wantCode := exitOK
			if len(tt.want) > 0 {
				wantCode = exitChanges
			}
			if code != wantCode {
				t.Errorf("--check exit %d, want %d; stderr:\n%s", code, wantCode, errOut)
			}
		})
	}
}

// TestMissingProjectFileUnreadable checks a file that exists but cannot be
// read: an included file, and an include entry's env_file.
func TestMissingProjectFileUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads files whatever their mode")
	}
	dir := writeFiles(t, map[string]string{
		"compose.yaml": "include:\n  - db.yaml\n  - path: db.yaml\n    env_file: db.env\nservices:\n  web:\n    image: nginx:1.27.3\n",
		"db.yaml":      "services:\n  db:\n    image: postgres:16.4\n",
		"db.env":       "TAG=16.4\n",
	})
	for _, f := range []string{"db.yaml", "db.env"} {
		if err := os.Chmod(filepath.Join(dir, f), 0); err != nil {
			t.Fatal(err)
		}
	}
	_, errOut, code := runCLI(t, dir, "", "--offline", "--check", "--select", "CF604", "compose.yaml")
	for _, want := range []string{
		`compose.yaml:2:5: error: include names "db.yaml", which cannot be loaded (permission denied)`,
		`compose.yaml:4:15: error: include env_file: names "db.env", which cannot be loaded (permission denied)`,
	} {
		if !strings.Contains(errOut, want) || code != exitChanges {
			t.Errorf("exit %d, stderr lacks %q:\n%s", code, want, errOut)
		}
	}
}

// TestMissingProjectFileKeepsFixes checks that CF604 changes no fix: the
// diff is the one made with the rule ignored, and the rest of the file is
// still fixed.
func TestMissingProjectFileKeepsFixes(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"compose.yaml": "include:\n  - missing.yaml\nservices:\n  web:\n    image: nginx:1.27.3\n  api:\n    extends: {file: base.yaml, service: app}\n",
	})
	with, errOut, code := runCLI(t, dir, "", "--offline", "compose.yaml")
	if code != exitOK || !strings.Contains(errOut, "[CF604]") {
		t.Fatalf("exit %d, want %d with CF604 findings:\n%s", code, exitOK, errOut)
	}
	without, _, _ := runCLI(t, dir, "", "--offline", "--ignore", "CF604", "compose.yaml")
	if with != without {
		t.Errorf("the diff changed with CF604:\n%s\nwithout it:\n%s", with, without)
	}
	if !strings.Contains(with, "restart: unless-stopped") {
		t.Errorf("the rest of the file is not fixed:\n%s", with)
	}
}

// TestMissingProjectFileStdin checks that a document on stdin standing for
// a path (--stdin-filename) resolves its references from that path's
// directory, and echoes the input unchanged around the finding.
func TestMissingProjectFileStdin(t *testing.T) {
	dir := writeFiles(t, map[string]string{"sub/db.yaml": "services:\n  db:\n    image: postgres:16.4\n"})
	in := "include:\n  - db.yaml\n  - cache.yaml\nservices:\n  web:\n    image: nginx:1.27.3\n    restart: unless-stopped\n"
	out, errOut, _ := runCLI(t, dir, in, "--offline", "--select", "CF604", "--stdin-filename", "sub/compose.yaml", "-")
	want := `sub/compose.yaml:3:5: error: include names "cache.yaml", which cannot be loaded (not found)`
	if !strings.Contains(errOut, want) || strings.Count(errOut, "[CF604]") != 1 {
		t.Errorf("stderr lacks %q alone:\n%s", want, errOut)
	}
	if out != in {
		t.Errorf("stdout = %q, want the input", out)
	}
}

// TestMissingProjectFileProjectDirectory checks that CF604 raises no false
// error on a project docker compose accepts: compose resolves the include:
// and extends: file: paths of every -f file, and of a file of a declared
// project, from the project directory (the first file's, or
// --project-directory), not from the file's own directory.
func TestMissingProjectFileProjectDirectory(t *testing.T) {
	files := map[string]string{
		"compose.yaml":      "services:\n  web:\n    image: nginx:1.27.3\n",
		"db.yaml":           "services:\n  db:\n    image: postgres:16.4\n",
		"base.yaml":         "services:\n  app:\n    image: nginx:1.27.3\n",
		"sub/override.yaml": "include:\n  - db.yaml\nservices:\n  api:\n    extends: {file: base.yaml, service: app}\n",
		"sub/compose.yaml":  "include:\n  - db.yaml\nservices:\n  api:\n    extends: {file: base.yaml, service: app}\n",
	}
	for _, args := range [][]string{
		{"-f", "compose.yaml", "-f", "sub/override.yaml"},
		{"--project-directory", ".", "-f", "sub/compose.yaml"},
	} {
		dir := writeFiles(t, files)
		_, errOut, code := runCLI(t, dir, "", append([]string{"--offline", "--check", "--select", "CF604"}, args...)...)
		if code != exitOK || strings.Contains(errOut, "[CF604]") {
			t.Errorf("%v: exit %d, want %d without CF604:\n%s", args, code, exitOK, errOut)
		}
	}
}

// TestMissingProjectFileDeclaredProject checks the same for a declared
// project's file outside its first file's directory, given as a path and
// on stdin (--stdin-filename).
func TestMissingProjectFileDeclaredProject(t *testing.T) {
	override := "include:\n  - db.yaml\nservices:\n  web:\n    restart: unless-stopped\n"
	dir := writeFiles(t, map[string]string{
		".composefix.yaml":     "projects:\n  - [compose.yaml, deploy/override.yaml]\n",
		"compose.yaml":         "services:\n  web:\n    image: nginx:1.27.3\n",
		"db.yaml":              "services:\n  db:\n    image: postgres:16.4\n",
		"deploy/override.yaml": override,
	})
	for _, args := range [][]string{
		{"deploy/override.yaml"},
		{"--stdin-filename", "deploy/override.yaml", "-"},
	} {
		_, errOut, code := runCLI(t, dir, override, append([]string{"--offline", "--check", "--select", "CF604"}, args...)...)
		if code != exitOK || strings.Contains(errOut, "[CF604]") {
			t.Errorf("%v: exit %d, want %d without CF604:\n%s", args, code, exitOK, errOut)
		}
	}
}
