package fixers

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/composefix/composefix/compose"
	"github.com/google/go-cmp/cmp"
)

// overlayBase is the base of the overlay tests: web is defined here (its
// image), with the values an overlay must not override.
const overlayBase = `services:
  web:
    image: nginx:1.27.3
    restart: always
    logging:
      driver: local
  api:
    build: ./api
  db:
    image: postgres:16.4
`

// TestOverlayGetsNoDefaults checks where fixes that set a default go in a
// project of a base and a named overlay: never into the overlay for a
// service the base defines (there it would replace the base's value under
// `docker compose -f compose.yaml -f compose.prod.yaml`), but into the
// overlay for a service only the overlay defines. Findings about the
// overlay's own values stay on the overlay.
func TestOverlayGetsNoDefaults(t *testing.T) {
	tests := []struct {
		name    string
		overlay string
		// want lists the services the overlay's fixes touch, by the
		// rule IDs whose fixes were applied, as "rule service".
		want []string
	}{
		{
			name:    "base services only",
			overlay: "services:\n  web:\n    environment:\n      MODE: prod\n  api:\n    ports: [\"8080:80\"]\n  db:\n    command: postgres -c max_connections=200\n",
			want:    nil,
		},
		{
			// Setting image in an overlay changes what runs, not who
			// defines the service: the base named it first.
			name:    "overlay replaces the image",
			overlay: "services:\n  web:\n    image: nginx:1.27.4\n",
			want:    nil,
		},
		{
			name:    "service of the overlay's own",
			overlay: "services:\n  web:\n    environment:\n      MODE: prod\n  worker:\n    image: busybox:1.37.0\n    command: [\"sleep\", \"infinity\"]\n",
			want:    []string{"CF201 worker", "CF301 worker", "CF401 worker", "CF505 worker"},
		},
		{
			// A value the overlay writes is the overlay's: CF504 binds
			// its published database port there.
			name:    "overlay's own values",
			overlay: "services:\n  db:\n    ports: [\"5432:5432\"]\n",
			want:    []string{"CF504 db"},
		},
	}
	base := mustLoad(t, "compose.yaml", overlayBase)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			overlay := mustLoad(t, "compose.prod.yaml", tt.overlay)
			res, err := Run(overlay, Options{Rules: Rules(), UnsafeFixes: true, Project: []*compose.Document{base, overlay}})
			if err != nil {
				t.Fatal(err)
			}
			got := appliedByService(res.Findings, overlay)
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("fixes applied to the overlay mismatch (-want +got):\n%s\noutput:\n%s", d, res.Output)
			}
		})
	}
}

// TestBaseOwnsAfterOverlayFirst checks that the file giving a service its
// image owns it even when a file listed before it (-f overlay.yml -f
// base.yml) mentions the service first without defining it.
func TestBaseOwnsAfterOverlayFirst(t *testing.T) {
	first := mustLoad(t, "ports.yml", "services:\n  web:\n    ports: [\"80:80\"]\n")
	def := mustLoad(t, "app.yml", "services:\n  web:\n    image: nginx:1.27.3\n")
	project := []*compose.Document{first, def}
	for _, tc := range []struct {
		d    *compose.Document
		want []string
	}{{first, nil}, {def, []string{"CF201 web"}}} {
		res := runRule(t, tc.d, "CF201", Options{Project: project})
		if d := cmp.Diff(tc.want, appliedByService(res.Findings, tc.d)); d != "" {
			t.Errorf("%s: fixes mismatch (-want +got):\n%s", tc.d.Path, d)
		}
	}
}

func mustLoad(t *testing.T, path, src string) *compose.Document {
	t.Helper()
	d, err := compose.Load(path, []byte(src))
	if err != nil {
		t.Fatalf("Load(%s): %v", path, err)
	}
	return d
}

// appliedByService lists the applied fixes as "rule service", the service
// being the one whose mapping holds the finding, sorted.
func appliedByService(fs []Finding, d *compose.Document) []string {
	var out []string
	for _, f := range fs {
		if !f.Applied {
			continue
		}
		name := "?"
		for _, s := range d.Services() {
			sp, err := d.NodeSpan(s.Key)
			if err != nil {
				continue
			}
			end := len(d.Src)
			if s.Value != nil {
				if vs, err := d.NodeSpan(s.Value); err == nil {
					end = vs.End
				}
			}
			if f.Span.Start >= sp.Start && f.Span.Start <= end {
				name = s.Name
			}
		}
		out = append(out, f.RuleID+" "+name)
	}
	sort.Strings(out)
	if len(out) == 0 {
		return nil
	}
	return compactStrings(out)
}

func compactStrings(ss []string) []string {
	out := ss[:0]
	for i, s := range ss {
		if i == 0 || s != ss[i-1] {
			out = append(out, s)
		}
	}
	return out
}

// TestCompletedDependencyInAnotherFile checks that a service another file
// of the project waits on with service_completed_successfully is a job in
// every file: the base that defines it gets restart: "no", not
// unless-stopped.
func TestCompletedDependencyInAnotherFile(t *testing.T) {
	base := mustLoad(t, "compose.yaml", "services:\n  prepare:\n    image: busybox:1.37.0\n    command: [\"/bin/prepare\"]\n  app:\n    image: nginx:1.27.3\n    restart: always\n")
	override := mustLoad(t, "compose.override.yaml", "services:\n  app:\n    depends_on:\n      prepare:\n        condition: service_completed_successfully\n")
	res := runRule(t, base, "CF201", Options{Project: []*compose.Document{base, override}})
	want := "services:\n  prepare:\n    image: busybox:1.37.0\n    command: [\"/bin/prepare\"]\n    restart: \"no\"\n  app:\n    image: nginx:1.27.3\n    restart: always\n"
	if d := cmp.Diff(want, string(res.Output)); d != "" {
		t.Errorf("Run(base) output mismatch (-want +got):\n%s", d)
	}
}

// TestLaterFileMakesAJob checks that rules read a service as compose
// merges it: an override that gives a service of the base a one-shot
// entrypoint makes it a job, so the base gets restart: "no". A file
// reached through extends: (context after the merged files) replaces
// nothing.
func TestLaterFileMakesAJob(t *testing.T) {
	base := mustLoad(t, "compose.yaml", "services:\n  backup:\n    image: postgres:16.4\n")
	override := mustLoad(t, "compose.override.yaml", "services:\n  backup:\n    entrypoint: [\"pg_dump\", \"-f\", \"/backup/db.sql\"]\n")
	for _, tc := range []struct {
		name   string
		merged int
		want   string
	}{
		{"override merged", 2, `restart: "no"`},
		{"all merged by default", 0, `restart: "no"`},
		{"extended file is context", 1, "restart: unless-stopped"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := runRule(t, base, "CF201", Options{Project: []*compose.Document{base, override}, MergedFiles: tc.merged})
			if !strings.Contains(string(res.Output), tc.want) {
				t.Errorf("Run(base) output lacks %q:\n%s", tc.want, res.Output)
			}
		})
	}
}

// TestExtendedFileSetsNothingByName checks that a file reached through
// extends: file: counts only for the service extended from it: a service
// of the same name there is another service, not a merged one.
func TestExtendedFileSetsNothingByName(t *testing.T) {
	main := mustLoad(t, "compose.yaml", "services:\n  web:\n    extends:\n      file: common.yml\n      service: base\n")
	common, err := compose.LoadWith("common.yml", []byte("services:\n  base:\n    image: nginx:1.27.3\n  web:\n    image: nginx:1.27.3\n    restart: always\n"), compose.LoadOptions{AllowNonCompose: true})
	if err != nil {
		t.Fatal(err)
	}
	res := runRule(t, main, "CF201", Options{Project: []*compose.Document{main, common}, MergedFiles: 1})
	if got := appliedByService(res.Findings, main); !reflect.DeepEqual(got, []string{"CF201 web"}) {
		t.Errorf("fixes = %q, want CF201 on web (common.yml's web is another service)", got)
	}
}

// TestOverrideCommandMovesHealthcheckPort checks that the healthcheck the
// base gets follows the command compose runs: an override that moves
// redis to another port moves the probe too.
func TestOverrideCommandMovesHealthcheckPort(t *testing.T) {
	base := mustLoad(t, "compose.yaml", "services:\n  cache:\n    image: redis:7.4.1\n")
	override := mustLoad(t, "compose.override.yaml", "services:\n  cache:\n    command: redis-server --port 6380\n")
	res := runRule(t, base, "CF101", Options{Project: []*compose.Document{base, override}})
	if !strings.Contains(string(res.Output), "6380") {
		t.Errorf("Run(base) does not probe the override's port:\n%s", res.Output)
	}
}

// TestOverlayPortOfBaseImage checks that a finding about an overlay's own
// value reads the service as merged: ClickHouse's 8123 is a data port only
// for its image, which the base names.
func TestOverlayPortOfBaseImage(t *testing.T) {
	base := mustLoad(t, "compose.yaml", "services:\n  olap:\n    image: clickhouse/clickhouse-server:24.8\n")
	overlay := mustLoad(t, "compose.prod.yaml", "services:\n  olap:\n    ports: [\"8123:8123\"]\n")
	res := runRule(t, overlay, "CF504", Options{UnsafeFixes: true, Project: []*compose.Document{base, overlay}})
	if got := appliedByService(res.Findings, overlay); !reflect.DeepEqual(got, []string{"CF504 olap"}) {
		t.Errorf("fixes = %q, want CF504 on olap:\n%s", got, res.Output)
	}
}

// runRule runs the rule with the given ID over d with opts (its Rules
// field set to that rule alone).
func runRule(t *testing.T, d *compose.Document, id string, opts Options) *Result {
	t.Helper()
	rules, err := Select(Rules(), []string{id}, nil)
	if err != nil {
		t.Fatal(err)
	}
	opts.Rules = rules
	res, err := Run(d, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestCompletedDependenciesOncePerPass: the healthcheck, restart and
// limits rules share one completedDependencies per pass through the run
// memo. A later pass's document gets its own (a fix may have added a
// condition), and the entry goes when the run moves past the document.
func TestCompletedDependenciesOncePerPass(t *testing.T) {
	base := mustLoad(t, "compose.yaml", "services:\n  prepare:\n    image: busybox:1.37.0\n  app:\n    image: nginx:1.27.3\n")
	override := mustLoad(t, "compose.override.yaml", "services:\n  app:\n    depends_on:\n      prepare:\n        condition: service_completed_successfully\n")
	memo := newRunMemo()
	p := &Pass{Document: base, Project: []*compose.Document{base, override}, memo: memo}
	got := p.completedDependencies()
	if d := cmp.Diff(map[string]bool{"prepare": true}, got); d != "" {
		t.Errorf("completedDependencies() mismatch (-want +got):\n%s", d)
	}
	if again := p.completedDependencies(); reflect.ValueOf(again).Pointer() != reflect.ValueOf(got).Pointer() {
		t.Errorf("completedDependencies() was made again within the pass")
	}
	// The next pass: the base fixed so that app waits on migrate too.
	next := mustLoad(t, "compose.yaml", "services:\n  prepare:\n    image: busybox:1.37.0\n  migrate:\n    image: app:1.0.0\n  app:\n    image: nginx:1.27.3\n    depends_on:\n      migrate:\n        condition: service_completed_successfully\n")
	p2 := &Pass{Document: next, Project: []*compose.Document{base, override}, memo: memo}
	if d := cmp.Diff(map[string]bool{"prepare": true, "migrate": true}, p2.completedDependencies()); d != "" {
		t.Errorf("next pass: completedDependencies() mismatch (-want +got):\n%s", d)
	}
	memo.passed(base, true)
	memo.passed(next, false)
	if memo.completedOf != nil || memo.completed != nil {
		t.Errorf("the memo keeps completedDependencies of a document the run has moved past")
	}
	if nomemo := (&Pass{Document: base, Project: []*compose.Document{base, override}}).completedDependencies(); !cmp.Equal(nomemo, got) {
		t.Errorf("without a memo: %v, want %v", nomemo, got)
	}
}

// TestReadAsContext: the file as read is context for later passes only
// beside other files of its project; alone, or once a pass has moved past
// it, what the rules derived from it goes before verification.
func TestReadAsContext(t *testing.T) {
	d := mustLoad(t, "compose.yaml", "services:\n  app:\n    image: nginx:1.27.3\n")
	override := mustLoad(t, "compose.override.yaml", "services:\n  app:\n    restart: always\n")
	next := mustLoad(t, "compose.yaml", "services:\n  app:\n    image: nginx:1.27.3\n    restart: unless-stopped\n")
	for _, c := range []struct {
		name    string
		cur     *compose.Document
		project []*compose.Document
		want    bool
	}{
		{"no project", d, nil, false},
		{"alone", d, []*compose.Document{d}, false},
		{"with an override", d, []*compose.Document{d, override}, true},
		{"a later pass's document", next, []*compose.Document{d, override}, false},
	} {
		if got := readAsContext(c.cur, d, c.project); got != c.want {
			t.Errorf("%s: readAsContext = %v, want %v", c.name, got, c.want)
		}
	}
}
