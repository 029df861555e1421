package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/composefix/composefix/internal/golden"
	"github.com/composefix/composefix/internal/regtest"
	"github.com/composefix/composefix/pipeline"
)

// updateFamilies carry created dates and labels, as real images do.
var updateFamilies = []regtest.Family{
	{Repo: "library/redis", Tags: []string{"7.4.1-alpine", "7.4-alpine", "7-alpine"}, Created: day(2024, 10, 2)},
	{Repo: "library/redis", Tags: []string{"7.4.3-alpine"}, Created: day(2024, 12, 3),
		Labels: map[string]string{"org.opencontainers.image.source": "https://github.com/redis/docker-library-redis.git"}},
	{Repo: "library/redis", Tags: []string{"8.0.0-alpine"}, Created: day(2025, 1, 20), Index: true,
		Labels: map[string]string{"org.opencontainers.image.source": "https://github.com/redis/docker-library-redis"}},
	{Repo: "library/postgres", Tags: []string{"16.4"}, Created: day(2024, 8, 1)},
	{Repo: "library/postgres", Tags: []string{"16.6", "16"}, Created: day(2024, 11, 21),
		Labels: map[string]string{"org.opencontainers.image.url": "https://www.postgresql.org/"}},
	{Repo: "library/postgres", Tags: []string{"17.2"}, Created: day(2024, 11, 21)},
	{Repo: "acme/api", Tags: []string{"1.2.3", "7.4.1-alpine"}, Created: day(2024, 1, 1)},
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }

// updateRegistry serves updateFamilies in process and returns the mirror
// flags, the request log and the pushed digests.
func updateRegistry(t *testing.T) ([]string, *requestLog, map[string]string) {
	t.Helper()
	noDockerConfig(t)
	host, rl := memRegistry(t)
	digests := regtest.Push(t, host, nil, updateFamilies)
	rl.reset()
	return []string{"--registry-mirror", "docker.io=http://" + host, "--cache-dir", t.TempDir()}, rl, digests
}

// majorSummary is the --summary of a major update of updateFamilies'
// redis:7.4.1-alpine (written in redisFile) and postgres:16.4.
func majorSummary(redisFile string) string {
	return "| image | type | from | to | released | files | links |\n|---|---|---|---|---|---|---|\n" +
		"| postgres | major | 16.4 | 17.2 | 2024-11-21 | compose.yaml | [Docker Hub](https://hub.docker.com/_/postgres) |\n" +
		"| redis | major | 7.4.1-alpine | 8.0.0-alpine | 2025-01-20 | " + redisFile + " | [release notes](https://github.com/redis/docker-library-redis/releases) · [Docker Hub](https://hub.docker.com/_/redis) |\n"
}

func TestCLIUpdateSummaryShowsTypeDateAndLinksMajorsFirst(t *testing.T) {
	mirror, rl, _ := updateRegistry(t)
	dir := writeFiles(t, map[string]string{
		"compose.yaml": "services:\n  cache:\n    image: redis:7.4.1-alpine\n  db:\n    image: postgres:16.4\n",
	})
	summary := filepath.Join(t.TempDir(), "summary.md")
	_, errOut, code := runCLI(t, dir, "", append([]string{"update", "--policy", "major", "--summary", summary}, mirror...)...)
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, errOut)
	}
	want := majorSummary("compose.yaml")
	if got := readFile(t, summary); got != want {
		t.Errorf("summary:\n%s\nwant:\n%s", got, want)
	}
	_, errOut, code = runCLI(t, dir, "", append([]string{"update", "--summary", summary}, mirror...)...)
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, errOut)
	}
	want = "| image | type | from | to | released | files | links |\n|---|---|---|---|---|---|---|\n" +
		"| postgres | minor | 16.4 | 16.6 | 2024-11-21 | compose.yaml | [source](https://www.postgresql.org/) · [Docker Hub](https://hub.docker.com/_/postgres) |\n" +
		"| redis | patch | 7.4.1-alpine | 7.4.3-alpine | 2024-12-03 | compose.yaml | [release notes](https://github.com/redis/docker-library-redis/releases) · [Docker Hub](https://hub.docker.com/_/redis) |\n"
	if got := readFile(t, summary); got != want {
		t.Errorf("summary (minor):\n%s\nwant:\n%s", got, want)
	}

	// Warm: the same update asks the registry nothing at all.
	checkWarmUpdate(t, rl, dir, append([]string{"update", "--summary", summary}, mirror...), summary, want)
}

// checkWarmUpdate runs args again in dir: it must send no request at all
// (everything comes from the disk cache) and write the same summary, want.
func checkWarmUpdate(t *testing.T, rl *requestLog, dir string, args []string, summary, want string) {
	t.Helper()
	rl.reset()
	_, errOut, code := runCLI(t, dir, "", args...)
	if code != exitOK || !strings.Contains(errOut, "(0 requests,") {
		t.Errorf("warm update: exit %d; stderr:\n%s", code, errOut)
	}
	if n := rl.count("", "/"); n != 0 {
		t.Errorf("warm update sent %d requests, want 0:\n%s", n, rl)
	}
	if got := readFile(t, summary); got != want {
		t.Errorf("warm summary differs:\n%s", got)
	}
}

func TestCLIUpdateMinimumAge(t *testing.T) {
	mirror, _, _ := updateRegistry(t)
	compose := "services:\n  cache:\n    image: redis:7.4.1-alpine\n"
	// Every release is older than 30 days today; ten years holds them all.
	tests := []struct {
		name  string
		args  []string
		cfg   string
		image string
	}{
		{name: "no minimum", args: []string{"--policy", "major"}, image: "redis:8.0.0-alpine"},
		{name: "flag", args: []string{"--policy", "major", "--min-age", "3650d"}, image: "redis:7.4.1-alpine"},
		{name: "config", cfg: "update:\n  policy: major\n  min_age: 3650d\n", image: "redis:7.4.1-alpine"},
		{name: "per image wins", cfg: "update:\n  policy: major\n  min_age: 3650d\n  images:\n    redis:\n      min_age: 0\n", image: "redis:8.0.0-alpine"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{"compose.yaml": compose}
			if tt.cfg != "" {
				files[".composefix.yaml"] = tt.cfg
			}
			dir := writeFiles(t, files)
			_, errOut, code := runCLI(t, dir, "", append(append([]string{"update", "-w"}, tt.args...), mirror...)...)
			if code != exitOK {
				t.Fatalf("exit %d; stderr:\n%s", code, errOut)
			}
			if got := readFile(t, filepath.Join(dir, "compose.yaml")); !strings.Contains(got, "image: "+tt.image+"\n") {
				t.Errorf("after update:\n%s\nwant image %s", got, tt.image)
			}
			held := strings.Contains(errOut, `image "redis:7.4.1-alpine": "8.0.0-alpine", "7.4.3-alpine" not adopted yet, younger than the minimum release age [CF004]`)
			if held != (tt.image == "redis:7.4.1-alpine") {
				t.Errorf("held releases reported: %v; stderr:\n%s", held, errOut)
			}
		})
	}
}

func TestCLIUpdateFloatingTag(t *testing.T) {
	mirror, _, _ := updateRegistry(t)
	in := "services:\n  cache:\n    image: redis:7-alpine\n"
	dir := writeFiles(t, map[string]string{"compose.yaml": in})
	_, errOut, code := runCLI(t, dir, "", append([]string{"update", "-w"}, mirror...)...)
	if code != exitOK || !strings.Contains(errOut, `image "redis:7-alpine" is a floating tag; it must be pinned before it can be updated`) {
		t.Errorf("update of a floating tag: exit %d; stderr:\n%s", code, errOut)
	}
	if got := readFile(t, filepath.Join(dir, "compose.yaml")); got != in {
		t.Errorf("update changed a floating tag without CF001:\n%s", got)
	}
	_, errOut, code = runCLI(t, dir, "", append([]string{"update", "-w", "--select", "CF001"}, mirror...)...)
	if got := readFile(t, filepath.Join(dir, "compose.yaml")); code != exitOK || got != "services:\n  cache:\n    image: redis:7.4.1-alpine\n" {
		t.Errorf("update --select CF001: exit %d, file:\n%s\nstderr:\n%s", code, got, errOut)
	}
}

func TestCLIUpdateEnvFile(t *testing.T) {
	mirror, _, digests := updateRegistry(t)
	d743 := digests["library/redis:7.4.3-alpine"]
	tests := []struct {
		name     string
		compose  string
		env      string
		args     []string
		want     string // .env afterwards; "" = unchanged
		compose2 string // compose.yaml afterwards; "" = unchanged
		stderr   []string
	}{
		{
			name:    "whole image, double quotes, comments",
			compose: "services:\n  cache:\n    image: ${CACHE_IMAGE}\n",
			env:     "# images\nexport CACHE_IMAGE=\"redis:7.4.1-alpine\" # keep quoted\n\nOTHER='x y'\n",
			want:    "# images\nexport CACHE_IMAGE=\"redis:7.4.3-alpine\" # keep quoted\n\nOTHER='x y'\n",
			stderr:  []string{`.env:2:20: info: image "redis:7.4.1-alpine" (CACHE_IMAGE in compose.yaml) has a newer release "7.4.3-alpine" [CF004] (fix to apply)`},
		},
		{
			name:    "default overridden by .env, single quotes",
			compose: "services:\n  cache:\n    image: ${CACHE_IMAGE:-redis:7-alpine}\n",
			env:     "CACHE_IMAGE='redis:7.4.1-alpine'\n",
			want:    "CACHE_IMAGE='redis:7.4.3-alpine'\n",
		},
		{
			name:    "tag variable, CRLF",
			compose: "services:\n  cache:\n    image: redis:${REDIS_TAG}\n",
			env:     "# tags\r\nREDIS_TAG=7.4.1-alpine\r\nPG=16\r\n",
			want:    "# tags\r\nREDIS_TAG=7.4.3-alpine\r\nPG=16\r\n",
		},
		{
			name:    "tag and digest",
			compose: "services:\n  cache:\n    image: redis:${REDIS_TAG}\n",
			env:     "REDIS_TAG=7.4.1-alpine@" + digests["library/redis:7.4.1-alpine"] + "\n",
			want:    "REDIS_TAG=7.4.3-alpine@" + d743 + "\n",
		},
		{
			name:    "missing variable",
			compose: "services:\n  cache:\n    image: redis:${REDIS_TAG}\n",
			env:     "OTHER=1\n",
			stderr:  []string{`compose.yaml:3:12: info: image "redis:${REDIS_TAG}" depends on the environment: REDIS_TAG not set in .env [CF003]`},
		},
		{
			name:    "variable used twice, images agree",
			compose: "services:\n  a:\n    image: redis:${TAG}\n  b:\n    image: docker.io/library/redis:${TAG}\n",
			env:     "TAG=7.4.1-alpine\n",
			want:    "TAG=7.4.3-alpine\n",
		},
		{
			name:    "variable used twice, images disagree",
			compose: "services:\n  cache:\n    image: redis:${TAG}\n  api:\n    image: acme/api:${TAG}\n",
			env:     "TAG=7.4.1-alpine\n",
			stderr: []string{`.env:1:5: warning: variable TAG is used by images that do not agree on its value ` +
				`(redis:${TAG} in compose.yaml wants "7.4.3-alpine"; acme/api:${TAG} in compose.yaml wants "7.4.1-alpine"); left as is [CF004]`},
		},
		{
			name:     "fix run pins a floating tag in .env",
			compose:  "services:\n  cache:\n    image: ${CACHE_IMAGE}\n",
			env:      "CACHE_IMAGE=redis:7-alpine\n",
			args:     []string{"--select", "CF001"},
			want:     "CACHE_IMAGE=redis:7.4.1-alpine\n",
			compose2: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"compose.yaml": tt.compose, ".env": tt.env})
			args := []string{"update"}
			if tt.args != nil {
				args = tt.args
			}
			// A dry run shows the .env change in the diff, with the
			// compose file's.
			out, errOut, code := runCLI(t, dir, "", append(args, mirror...)...)
			if code != exitOK {
				t.Fatalf("exit %d; stderr:\n%s", code, errOut)
			}
			if tt.want != "" && !strings.Contains(out, "--- a/.env\n+++ b/.env\n") {
				t.Errorf("diff lacks .env:\n%s", out)
			}
			for _, s := range tt.stderr {
				if !strings.Contains(errOut, s) {
					t.Errorf("stderr lacks %q:\n%s", s, errOut)
				}
			}
			_, errOut, code = runCLI(t, dir, "", append(append(args, "-w"), mirror...)...)
			if code != exitOK {
				t.Fatalf("-w: exit %d; stderr:\n%s", code, errOut)
			}
			want := tt.want
			if want == "" {
				want = tt.env
			}
			if got := readFile(t, filepath.Join(dir, ".env")); got != want {
				t.Errorf(".env after -w = %q, want %q", got, want)
			}
			if got := readFile(t, filepath.Join(dir, "compose.yaml")); got != tt.compose {
				t.Errorf("compose.yaml changed:\n%s", got)
			}
			// Idempotent: nothing left to do.
			out, errOut, _ = runCLI(t, dir, "", append(args, mirror...)...)
			if out != "" {
				t.Errorf("second run still changes:\n%s\nstderr:\n%s", out, errOut)
			}
		})
	}
}

// planOf runs update --plan in dir and decodes the plan.
func planOf(t *testing.T, dir string, args ...string) pipeline.Plan {
	t.Helper()
	path := filepath.Join(t.TempDir(), "plan.json")
	_, errOut, code := runCLI(t, dir, "", append([]string{"update", "--plan", path}, args...)...)
	if code != exitOK {
		t.Fatalf("update --plan: exit %d; stderr:\n%s", code, errOut)
	}
	var p pipeline.Plan
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	// The summary counts the plan's groups: "1 update group", "2 update groups".
	summary := fmt.Sprintf("composefix: %d update groups in the plan\n", len(p.Groups))
	if len(p.Groups) == 1 {
		summary = "composefix: 1 update group in the plan\n"
	}
	if !strings.Contains(errOut, summary) {
		t.Errorf("update --plan stderr lacks %q:\n%s", summary, errOut)
	}
	return p
}

func TestCLIUpdatePlanGroups(t *testing.T) {
	mirror, _, _ := updateRegistry(t)
	files := map[string]string{
		"compose.yaml":       "services:\n  cache:\n    image: redis:7.4.1-alpine\n  db:\n    image: postgres:16.4\n",
		"other/compose.yaml": "services:\n  cache:\n    image: redis:7.4.1-alpine\n",
		"env/compose.yaml":   "services:\n  cache:\n    image: redis:${TAG}\n",
		"env/.env":           "TAG=7.4.1-alpine\n",
	}
	tests := []struct {
		groupBy string
		policy  string
		want    []string // group names, in plan order
		files   map[string][]string
	}{
		{policy: "major", want: []string{"postgres-17.2", "redis-8.0.0-alpine"},
			files: map[string][]string{"postgres-17.2": {"compose.yaml"}, "redis-8.0.0-alpine": {"compose.yaml", "env/.env", "other/compose.yaml"}}},
		{policy: "minor", want: []string{"non-major"}},
		{groupBy: "all", policy: "major", want: []string{"all"}},
		{groupBy: "image", policy: "major", want: []string{"postgres", "redis"}},
		{groupBy: "type", policy: "minor", want: []string{"minor", "patch"}},
	}
	for _, tt := range tests {
		t.Run(tt.groupBy+"/"+tt.policy, func(t *testing.T) {
			fs := map[string]string{}
			for k, v := range files {
				fs[k] = v
			}
			if tt.groupBy != "" {
				fs[".composefix.yaml"] = "update:\n  group_by: " + tt.groupBy + "\n"
			}
			dir := writeFiles(t, fs)
			plan := planOf(t, dir, append([]string{"--policy", tt.policy}, mirror...)...)
			var names []string
			for _, g := range plan.Groups {
				names = append(names, g.Name)
				if g.Branch != "composefix/"+g.Name || g.Patch == "" || !strings.HasPrefix(g.Summary, "| image |") || g.Title == "" {
					t.Errorf("group %s: branch %q, title %q, patch %q, summary %q", g.Name, g.Branch, g.Title, g.Patch, g.Summary)
				}
				if want, ok := tt.files[g.Name]; ok && !cmp.Equal(g.Files, want) {
					t.Errorf("group %s files = %v, want %v", g.Name, g.Files, want)
				}
			}
			if d := cmp.Diff(tt.want, names); d != "" {
				t.Errorf("groups (-want +got):\n%s", d)
			}
			for _, f := range []string{"compose.yaml", "other/compose.yaml", "env/.env"} {
				if got := readFile(t, filepath.Join(dir, f)); got != files[f] {
					t.Errorf("--plan wrote %s", f)
				}
			}
			// Applying one group changes exactly what its patch shows.
			for _, g := range plan.Groups {
				out, errOut, code := runCLI(t, dir, "", append([]string{"update", "--apply-group", g.Name, "--policy", tt.policy}, mirror...)...)
				if code != exitOK || out != g.Patch {
					t.Errorf("update --apply-group %s: exit %d, diff:\n%s\nwant the plan's patch:\n%s\nstderr:\n%s", g.Name, code, out, g.Patch, errOut)
				}
			}
		})
	}
	dir := writeFiles(t, files)
	if _, errOut, code := runCLI(t, dir, "", append([]string{"update", "--apply-group", "nosuch"}, mirror...)...); code != exitError || !strings.Contains(errOut, "no update belongs to group nosuch") {
		t.Errorf("--apply-group of an unknown group: exit %d; stderr:\n%s", code, errOut)
	}
}

// elapsed matches the run time of a summary line.
var elapsed = regexp.MustCompile(`\([0-9.]+[µm]?s\)`)

// TestREADMEUpdateSummary runs the README's update example and checks that
// the README shows what a user sees: the findings, the summary line of a
// warm run and the summary table.
func TestREADMEUpdateSummary(t *testing.T) {
	readmePath := filepath.Join(golden.RepoRoot(t), "README.md")
	mirror, _, _ := updateRegistry(t)
	dir := writeFiles(t, map[string]string{
		"compose.yaml": "services:\n  cache:\n    image: redis:${REDIS_TAG}\n    restart: unless-stopped\n" +
			"  db:\n    image: postgres:16.4\n    restart: unless-stopped\n" +
			"  proxy:\n    image: traefik:latest\n",
		".env":             "# pinned image versions\nREDIS_TAG=7.4.1-alpine\n",
		".composefix.yaml": "update:\n  policy: minor\n  images:\n    redis: major\n",
	})
	// Cold, as a dry run; then the README's run, warm.
	if _, errOut, code := runCLI(t, dir, "", append([]string{"update"}, mirror...)...); code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, errOut)
	}
	_, errOut, code := runCLI(t, dir, "", append([]string{"update", "--write", "--summary", "summary.md", "."}, mirror...)...)
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, errOut)
	}
	readme := readFile(t, readmePath)
	const cmd = "$ composefix update --write --summary summary.md .\n"
	i := strings.Index(readme, cmd)
	j := strings.Index(readme, "$ cat summary.md\n")
	if i < 0 || j < i {
		t.Fatalf("README.md lacks the update example")
	}
	shown := readme[i+len(cmd) : j]
	if got, want := elapsed.ReplaceAllString(errOut, "(…)"), elapsed.ReplaceAllString(shown, "(…)"); got != want {
		t.Errorf("README shows:\n%s\nupdate prints:\n%s", shown, errOut)
	}
	if table := readFile(t, filepath.Join(dir, "summary.md")); !strings.Contains(readme, "$ cat summary.md\n```\n\n"+table+"\n") {
		t.Errorf("README lacks the summary table as written:\n%s", table)
	}
}
