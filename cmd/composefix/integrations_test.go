package main

import (
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/internal/golden"
	"go.yaml.in/yaml/v3"
)

// The Dockerfile links the version into main.version: it must stay a
// string variable.
var _ *string = &version

func repoFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(golden.RepoRoot(t), name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPreCommitHooks(t *testing.T) {
	var hooks []struct {
		ID            string   `yaml:"id"`
		Name          string   `yaml:"name"`
		Entry         string   `yaml:"entry"`
		Language      string   `yaml:"language"`
		Files         string   `yaml:"files"`
		Types         []string `yaml:"types"`
		RequireSerial bool     `yaml:"require_serial"`
	}
	if err := yaml.Unmarshal(repoFile(t, ".pre-commit-hooks.yaml"), &hooks); err != nil {
		t.Fatalf("parsing .pre-commit-hooks.yaml: %v", err)
	}
	wantEntry := map[string]string{"composefix-check": "composefix --check", "composefix-fix": "composefix --write"}
	var ids []string
	for _, h := range hooks {
		ids = append(ids, h.ID)
		if want, ok := wantEntry[h.ID]; ok && h.Entry != want {
			t.Errorf("hook %s: entry = %q, want %q", h.ID, h.Entry, want)
		}
		if h.Name == "" || h.Language != "golang" || !h.RequireSerial {
			t.Errorf("hook %s: name %q, language %q, require_serial %v; want a name, golang, true", h.ID, h.Name, h.Language, h.RequireSerial)
		}
		re, err := regexp.Compile(h.Files)
		if err != nil {
			t.Fatalf("hook %s: files %q: %v", h.ID, h.Files, err)
		}
		// The hook must pick exactly the files directory search picks.
		for _, name := range []string{
			"compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml",
			"compose.override.yaml", "docker-compose.prod.yml", "compose.dev.local.yaml",
			"compose.json", "my-compose.yaml", "compose.yaml.bak", "docker-compose.yaml~",
			"composer.yaml", "Compose.yaml", ".compose.yaml", "values.yaml",
		} {
			for _, p := range []string{name, "deploy/" + name, "a/b/" + name} {
				if got, want := re.MatchString(p), compose.IsComposeName(name); got != want {
					t.Errorf("hook %s: files matches %q = %v, want %v (as directory search)", h.ID, p, got, want)
				}
			}
		}
	}
	slices.Sort(ids)
	if want := []string{"composefix-check", "composefix-fix"}; !slices.Equal(ids, want) {
		t.Errorf("hook IDs = %q, want %q", ids, want)
	}
}

type actionStep struct {
	Name  string            `yaml:"name"`
	ID    string            `yaml:"id"`
	If    string            `yaml:"if"`
	Uses  string            `yaml:"uses"`
	Run   string            `yaml:"run"`
	Shell string            `yaml:"shell"`
	Env   map[string]string `yaml:"env"`
	With  map[string]string `yaml:"with"`
}

// pinnedUse matches an action reference pinned to a full commit SHA or to
// a major version tag; never a branch or "latest".
var pinnedUse = regexp.MustCompile(`^[\w.-]+/[\w./-]+@([0-9a-f]{40}|v\d+)$`)

func TestActionYAML(t *testing.T) {
	var action struct {
		Name, Description string
		Inputs            map[string]struct {
			Description string  `yaml:"description"`
			Default     *string `yaml:"default"`
		}
		Outputs map[string]struct{ Value string }
		Runs    struct {
			Using string
			Steps []actionStep
		}
	}
	if err := yaml.Unmarshal(repoFile(t, "action.yml"), &action); err != nil {
		t.Fatalf("parsing action.yml: %v", err)
	}
	if action.Name == "" || action.Description == "" || action.Runs.Using != "composite" {
		t.Errorf("action: name %q, description %q, runs.using %q; want both set and composite", action.Name, action.Description, action.Runs.Using)
	}
	for _, tc := range []struct{ input, want string }{
		{"paths", "."},
		{"format", "github"},
		{"sarif", "false"},
		{"args", "--check"},
	} {
		in, ok := action.Inputs[tc.input]
		if !ok || in.Default == nil || *in.Default != tc.want || in.Description == "" {
			t.Errorf("input %q = %+v, want a description and default %q", tc.input, in, tc.want)
		}
	}
	if !slices.Contains(formats(), *action.Inputs["format"].Default) {
		t.Errorf("input format defaults to %q, not one of %q", *action.Inputs["format"].Default, formats())
	}
	if v := action.Inputs["version"]; v.Default == nil || *v.Default != "" {
		t.Errorf("input version default = %v, want empty (the action's own version)", v.Default)
	}
	// The documented workflows use the action at a ref that exists.
	if docs := string(repoFile(t, "docs/github-actions.md")); !strings.Contains(docs, "composefix/composefix@main") {
		t.Errorf("docs/github-actions.md does not use composefix/composefix@main")
	}
	var download, setup, build, run, upload *actionStep
	for i, s := range action.Runs.Steps {
		st := &action.Runs.Steps[i]
		if s.Uses != "" && !pinnedUse.MatchString(s.Uses) {
			t.Errorf("step %q uses %q: want a commit SHA or a major tag", s.Name, s.Uses)
		}
		if s.Run != "" && s.Shell == "" {
			t.Errorf("step %q runs a script without a shell (required in composite actions)", s.Name)
		}
		if strings.Contains(s.Run, "${{") {
			t.Errorf("step %q interpolates an expression into its script; pass inputs through env", s.Name)
		}
		switch {
		case s.ID == "download":
			download = st
		case strings.HasPrefix(s.Uses, "actions/setup-go@"):
			setup = st
		case strings.Contains(s.Run, "go install"):
			build = st
		case strings.Contains(s.Run, "composefix --format"):
			run = st
		case strings.HasPrefix(s.Uses, "github/codeql-action/upload-sarif@"):
			upload = st
		}
	}
	if download == nil || download.Env["VERSION"] != "${{ inputs.version }}" || !strings.Contains(download.Run, "latest") || !strings.Contains(download.Run, "checksums.txt") {
		t.Errorf("download step = %+v, want one reading inputs.version, refusing latest, checking checksums.txt", download)
	}
	const fallback = "steps.download.outputs.installed != 'true'"
	if setup == nil || !strings.Contains(setup.If, fallback) || build == nil || !strings.Contains(build.If, fallback) ||
		!strings.Contains(build.Run, `go install "github.com/composefix/composefix/cmd/composefix@${TAG}"`) || !strings.Contains(build.Run, "go install ./cmd/composefix") {
		t.Errorf("setup %+v, build %+v: want both only when the download installed nothing, building the tag or the action's checkout", setup, build)
	}
	if run == nil || run.ID == "" || action.Outputs["exit-code"].Value != "${{ steps."+run.ID+".outputs.exit-code }}" {
		t.Errorf("run step = %+v, want an id whose exit-code output the action exposes", run)
	}
	for _, in := range []string{"paths", "args", "format", "sarif", "sarif-file"} {
		if run != nil && !slices.Contains(mapValues(run.Env), "${{ inputs."+in+" }}") {
			t.Errorf("run step does not read input %q", in)
		}
	}
	if upload == nil || !strings.Contains(upload.If, "inputs.sarif == 'true'") || upload.With["sarif_file"] != "${{ inputs.sarif-file }}" {
		t.Errorf("upload step = %+v, want upload-sarif conditional on inputs.sarif reading inputs.sarif-file", upload)
	}
}

func mapValues(m map[string]string) []string {
	var vs []string
	for _, v := range m {
		vs = append(vs, v)
	}
	return vs
}

// yamlBlocks returns the ```yaml blocks of a Markdown file.
func yamlBlocks(md string) []string {
	var blocks []string
	for _, part := range strings.Split(md, "```yaml\n")[1:] {
		if i := strings.Index(part, "```"); i >= 0 {
			blocks = append(blocks, part[:i])
		}
	}
	return blocks
}

// TestGitHubActionsDocs parses every workflow in docs/github-actions.md
// and checks the two the docs promise: a pull-request check and a
// scheduled update that opens a pull request.
// goInstallVersion finds the version in "go install …/cmd/composefix@VERSION".
var goInstallVersion = regexp.MustCompile(`composefix/cmd/composefix@(\S+)`)

func TestGitHubActionsDocs(t *testing.T) {
	type workflow struct {
		On   map[string]any `yaml:"on"`
		Jobs map[string]struct {
			RunsOn string       `yaml:"runs-on"`
			Steps  []actionStep `yaml:"steps"`
		} `yaml:"jobs"`
	}
	var prCheck, scheduled bool
	blocks := yamlBlocks(string(repoFile(t, "docs/github-actions.md")))
	for i, b := range blocks {
		var w workflow
		if err := yaml.Unmarshal([]byte(b), &w); err != nil {
			t.Errorf("workflow %d does not parse: %v\n%s", i, err, b)
			continue
		}
		if len(w.Jobs) == 0 {
			continue // a fragment, not a workflow
		}
		var uses, runs []string
		for name, j := range w.Jobs {
			if j.RunsOn == "" {
				t.Errorf("workflow %d job %s has no runs-on", i, name)
			}
			for _, s := range j.Steps {
				if s.Uses != "" {
					uses = append(uses, s.Uses)
					if !pinnedUse.MatchString(s.Uses) && s.Uses != "composefix/composefix@main" {
						t.Errorf("workflow %d uses %q: want a commit SHA or a major tag", i, s.Uses)
					}
				}
				runs = append(runs, s.Run)
				// No release exists yet: an install of a tag would fail
				// (go install of a missing version), as @v0.1.0 did.
				for _, m := range goInstallVersion.FindAllStringSubmatch(s.Run, -1) {
					if m[1] != "main" {
						t.Errorf("workflow %d installs composefix@%s: no such release yet; want @main, as the action is used", i, m[1])
					}
				}
			}
		}
		hasUse := func(prefix string) bool {
			return slices.ContainsFunc(uses, func(u string) bool { return strings.HasPrefix(u, prefix) })
		}
		if _, ok := w.On["pull_request"]; ok && hasUse("composefix/composefix@") {
			prCheck = true
		}
		if _, ok := w.On["schedule"]; ok {
			all := strings.Join(runs, "\n")
			if !strings.Contains(all, "composefix update --write --apply-group") || !strings.Contains(all, "--summary") || !hasUse("peter-evans/create-pull-request@") {
				t.Errorf("scheduled workflow %d does not run composefix update --write --apply-group … --summary and open a pull request", i)
			}
			scheduled = true
		}
	}
	if !prCheck || !scheduled {
		t.Errorf("docs/github-actions.md: pull-request check found %v, scheduled update found %v; want both", prCheck, scheduled)
	}
}

// dockerStages splits a Dockerfile into stages of instructions, joining
// continuation lines and dropping comments. Instructions before the first
// FROM (global ARGs) form a stage of their own.
func dockerStages(src string) [][]string {
	var stages [][]string
	var cur string
	for _, line := range strings.Split(src, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "#") || (line == "" && cur == "") {
			continue
		}
		if strings.HasSuffix(line, `\`) {
			cur += strings.TrimSpace(strings.TrimSuffix(line, `\`)) + " "
			continue
		}
		instr := strings.TrimSpace(cur + line)
		cur = ""
		if instr == "" {
			continue
		}
		if strings.HasPrefix(strings.ToUpper(instr), "FROM ") || len(stages) == 0 {
			stages = append(stages, nil)
		}
		stages[len(stages)-1] = append(stages[len(stages)-1], instr)
	}
	return stages
}

func TestDockerfile(t *testing.T) {
	stages := dockerStages(string(repoFile(t, "Dockerfile")))
	if len(stages) < 2 {
		t.Fatalf("Dockerfile has %d stages, want a build stage and a final stage", len(stages))
	}
	var build string
	for _, st := range stages[:len(stages)-1] {
		for _, instr := range st {
			if strings.HasPrefix(instr, "RUN ") && strings.Contains(instr, "go build") {
				build = instr
			}
		}
	}
	for _, flag := range []string{"CGO_ENABLED=0", "-trimpath", "-tags urfave_cli_no_docs", `-ldflags "-s -w -X main.version=${VERSION}"`, "./cmd/composefix"} {
		if !strings.Contains(build, flag) {
			t.Errorf("build stage's go build %q lacks %q", build, flag)
		}
	}
	final := stages[len(stages)-1]
	base := strings.Fields(final[0])[1]
	if !strings.HasPrefix(base, "gcr.io/distroless/static") && base != "scratch" {
		t.Errorf("final stage is FROM %s, want distroless/static or scratch", base)
	}
	var user, entry string
	for _, instr := range final {
		switch f := strings.Fields(instr); strings.ToUpper(f[0]) {
		case "USER":
			user = f[1]
		case "ENTRYPOINT":
			entry = strings.Join(f[1:], " ")
		}
	}
	if u, _, _ := strings.Cut(user, ":"); u == "" || u == "root" || u == "0" {
		t.Errorf("final stage USER = %q, want a non-root user", user)
	}
	if !strings.Contains(entry, "composefix") || !strings.HasPrefix(entry, "[") {
		t.Errorf("ENTRYPOINT = %q, want the composefix binary in exec form", entry)
	}
}

func TestDockerfileParser(t *testing.T) {
	got := dockerStages("ARG V=1\n# c\nFROM a AS b\nRUN x \\\n  y\n\nFROM c\nUSER 1\n")
	want := [][]string{{"ARG V=1"}, {"FROM a AS b", "RUN x y"}, {"FROM c", "USER 1"}}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("dockerStages = %q, want %q", got, want)
	}
}

// TestDockerignoreKeepsTheBuildInputs checks that no pattern excludes what
// go build needs: the module files, the sources and embedded data.
func TestDockerignoreKeepsTheBuildInputs(t *testing.T) {
	var patterns []string
	for _, l := range strings.Split(string(repoFile(t, ".dockerignore")), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			patterns = append(patterns, strings.TrimPrefix(l, "/"))
		}
	}
	ignored := func(p string) bool {
		for _, pat := range patterns {
			// "**/x" matches x in any directory; a pattern naming a
			// directory excludes everything under it.
			cands := []string{p}
			for d := path.Dir(p); d != "."; d = path.Dir(d) {
				cands = append(cands, d)
			}
			for _, c := range cands {
				if ok, _ := path.Match(pat, c); ok {
					return true
				}
				if rest, ok := strings.CutPrefix(pat, "**/"); ok {
					if m, _ := path.Match(rest, path.Base(c)); m {
						return true
					}
				}
			}
		}
		return false
	}
	for _, p := range []string{"go.mod", "go.sum", "cmd/composefix/main.go", "fixers/kb/healthchecks.yaml", "fixers/kb/limits.yaml", "compose/document.go"} {
		if ignored(p) {
			t.Errorf(".dockerignore excludes %s, which the build needs", p)
		}
	}
	for _, p := range []string{".git/config", "report/testdata/fixture.json", "report/report_test.go"} {
		if !ignored(p) {
			t.Errorf(".dockerignore keeps %s, which the build does not need", p)
		}
	}
}

func TestCompletionScripts(t *testing.T) {
	app := newApp(strings.NewReader(""), nil, nil, hooks{})
	for _, tc := range []struct {
		shell string
		want  []string
	}{
		{"bash", []string{"complete -o bashdefault -o default -o nospace -F _composefix_bash_autocomplete composefix", "--generate-bash-completion"}},
		{"zsh", []string{"#compdef composefix", "compdef _composefix_zsh_autocomplete composefix", "--generate-bash-completion"}},
		{"fish", []string{"complete -c composefix", "-l format", "-l write -s w", "rules", "explain"}},
	} {
		t.Run(tc.shell, func(t *testing.T) {
			script, err := completionScript(app, tc.shell)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(script, w) {
					t.Errorf("%s script lacks %q:\n%s", tc.shell, w, script)
				}
			}
			if strings.Contains(script, "PROG") {
				t.Errorf("%s script still names PROG", tc.shell)
			}
			if sh, err := exec.LookPath(tc.shell); err == nil {
				f := filepath.Join(t.TempDir(), "script")
				if err := os.WriteFile(f, []byte(script), 0o644); err != nil {
					t.Fatal(err)
				}
				if out, err := exec.Command(sh, "-n", f).CombinedOutput(); err != nil {
					t.Errorf("%s -n rejects the script: %v\n%s", tc.shell, err, out)
				}
			}
		})
	}
	if _, err := completionScript(app, "ksh"); err == nil {
		t.Errorf("completionScript(ksh) = nil error, want a usage error")
	}
	// Every flag of the default command is completed in fish.
	fish, _ := completionScript(app, "fish")
	for _, f := range fixFlags() {
		if name := f.Names()[0]; !strings.Contains(fish, "-l "+name) {
			t.Errorf("fish completion lacks --%s", name)
		}
	}
}

func TestCompletionCommand(t *testing.T) {
	dir := t.TempDir()
	out, errOut, code := runCLI(t, dir, "", "completion", "bash")
	if code != exitOK || !strings.Contains(out, "complete ") {
		t.Errorf("completion bash: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	for _, args := range [][]string{{"completion"}, {"completion", "ksh"}, {"completion", "bash", "zsh"}} {
		if _, _, code := runCLI(t, dir, "", args...); code != exitError {
			t.Errorf("%q: exit %d, want %d", args, code, exitError)
		}
	}
}
