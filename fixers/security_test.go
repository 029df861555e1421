package fixers

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/internal/golden"
	"github.com/google/go-cmp/cmp"
	"github.com/sirupsen/logrus"
	"go.yaml.in/yaml/v3"
)

func runSecurity(t *testing.T, path string, src []byte, opts Options) *Result {
	t.Helper()
	d, err := compose.Load(path, src)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	res, err := Run(d, opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return res
}

// requiredVariables returns the variables d requires with ${X:?...} or
// ${X?...}.
func requiredVariables(d *compose.Document) map[string]bool {
	out := map[string]bool{}
	for _, doc := range d.Docs {
		walkScalars(doc, func(n *yaml.Node) {
			for _, iv := range interpolations(n.Value, nil) {
				if iv.Op == ":?" || iv.Op == "?" {
					out[iv.Name] = true
				}
			}
		})
	}
	return out
}

// TestSecurityCorpus runs every rule with unsafe fixes over every corpus
// file and checks the promise (see checkSecurityPromise). TestCorpus covers
// the default run without unsafe fixes.
func TestSecurityCorpus(t *testing.T) {
	files := golden.CorpusFiles(t)
	logrus.SetOutput(io.Discard)
	opts := Options{Rules: Rules(), UnsafeFixes: true}
	total, refused := 0, 0
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			sum := checkPromise(t, path, src, opts)
			n, loads := sum.fixes, sum.inputLoads
			total += n
			if !loads {
				refused++
			}
		})
	}
	t.Logf("corpus with unsafe fixes: %d files, %d fixes applied, %d inputs refused by compose-go", len(files), total, refused)
}

func TestInterpolations(t *testing.T) {
	tests := []struct {
		in   string
		want []interpolation
	}{
		{"plain", nil},
		{"${A}", []interpolation{{Start: 0, End: 4, Name: "A", OpStart: 3}}},
		{"x=${A:-b}y", []interpolation{{Start: 2, End: 9, Name: "A", Op: ":-", OpStart: 5, Body: "b"}}},
		{"${A-b c}", []interpolation{{Start: 0, End: 8, Name: "A", Op: "-", OpStart: 3, Body: "b c"}}},
		{"$${A:-b} $$A", nil},
		{"$$${A:-b}", []interpolation{{Start: 2, End: 9, Name: "A", Op: ":-", OpStart: 5, Body: "b"}}},
		{"${A:-${B:-c}}", []interpolation{
			{Start: 0, End: 13, Name: "A", Op: ":-", OpStart: 3, Body: "${B:-c}"},
			{Start: 5, End: 12, Name: "B", Op: ":-", OpStart: 8, Body: "c"},
		}},
		{"${A:?must be set}", []interpolation{{Start: 0, End: 17, Name: "A", Op: ":?", OpStart: 3, Body: "must be set"}}},
		{"${A:-unclosed", nil},
		{"${}", nil},
		{"$A ${B:+x}", []interpolation{{Start: 3, End: 10, Name: "B", Op: ":+", OpStart: 6, Body: "x"}}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if d := cmp.Diff(tt.want, interpolations(tt.in, nil), cmp.AllowUnexported(interpolation{})); d != "" {
				t.Errorf("interpolations(%q) mismatch (-want +got):\n%s", tt.in, d)
			}
		})
	}
}

func TestExpandDefaults(t *testing.T) {
	tests := []struct{ in, want string }{
		{"postgres:16", "postgres:16"},
		{"${IMAGE:-postgres:16}", "postgres:16"},
		{"${REG-docker.io}/redis:${TAG:-7}", "docker.io/redis:7"},
		{"${A:-${B:-x}}y", "xy"},
		{"${A}b", "b"},
		{"$$HOME", "$HOME"},
	}
	for _, tt := range tests {
		if got := expandDefaults(tt.in); got != tt.want {
			t.Errorf("expandDefaults(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSecretName(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"REDIS_PASSWORD", true},
		{"POSTGRES_PASSWORD", true},
		{"PGPASSWORD", true},
		{"JWT_SECRET", true},
		{"JWT_REFRESH_SECRET", true},
		{"SECRET_KEY_BASE", true},
		{"TYPESENSE_API_KEY", true},
		{"S3_SECRET_KEY", true},
		{"ADMIN_SETUP_TOKEN", true},
		{"REDIS_PASS", true},
		{"db_password", true},
		{"POSTGRES_PASSWORD_FILE", false},
		{"JWT_PUBLIC_KEY", false},
		{"SESSION_TOKEN_TTL", false},
		{"AWS_ACCESS_KEY_ID", false},
		{"PASSWORD_MIN_LENGTH", false},
		{"POSTGRES_USER", false},
		{"KEYCLOAK_URL", false},
		{"MONKEY", false},
		{"PASSPORT_ENABLED", false},
		{"CONNECT_KEY_CONVERTER", false},
		{"WEAVIATE_AUTHENTICATION_APIKEY_USERS", false},
		{"WEAVIATE_AUTHENTICATION_APIKEY_ALLOWED_KEYS", true},
	}
	for _, tt := range tests {
		if got := secretName(tt.name); got != tt.want {
			t.Errorf("secretName(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestIsPlaceholder(t *testing.T) {
	tests := []struct {
		v    string
		want bool
	}{
		{"admin@example.com", true},
		{"ops@mail.example.org", true},
		{"changeme", true},
		{"ChangeMe123", true},
		{"minioadmin", true},
		{"password", true},
		{"your-secret-key", true},
		{"admin@acme.io", false},
		{"postgres", false},
		{"example.com", false},
		{"INFO", false},
	}
	for _, tt := range tests {
		if got := isPlaceholder(tt.v); got != tt.want {
			t.Errorf("isPlaceholder(%q) = %v, want %v", tt.v, got, tt.want)
		}
	}
}

func TestParseShortPort(t *testing.T) {
	tests := []struct {
		in        string
		container string
		fixed     string // the value bound to loopback; "" when already bound
	}{
		{"5432", "5432", "127.0.0.1::5432"},
		{"5432:5432", "5432", "127.0.0.1:5432:5432"},
		{"5432:5432/tcp", "5432", "127.0.0.1:5432:5432/tcp"},
		{"0.0.0.0:5432:5432", "5432", "127.0.0.1:5432:5432"},
		{":5432:5432", "5432", "127.0.0.1:5432:5432"},
		{"127.0.0.1:5432:5432", "5432", ""},
		{"[::]:5432:5432", "5432", "[::1]:5432:5432"},
		{"[::1]:5432:5432", "5432", ""},
		{"9200-9201:9200-9201", "9200-9201", "127.0.0.1:9200-9201:9200-9201"},
		{"${PORT:-5432}:5432", "5432", "127.0.0.1:${PORT:-5432}:5432"},
		{"${BIND:-0.0.0.0}:5432:5432", "5432", ""},
	}
	for _, tt := range tests {
		sp, ok := parseShortPort(tt.in)
		if !ok {
			t.Errorf("parseShortPort(%q) failed", tt.in)
			continue
		}
		fixed := ""
		if sp.ok {
			fixed = tt.in[:sp.from] + sp.repl + tt.in[sp.to:]
		}
		if sp.container != tt.container || fixed != tt.fixed {
			t.Errorf("parseShortPort(%q) = container %q, fixed %q; want %q, %q", tt.in, sp.container, fixed, tt.container, tt.fixed)
		}
	}
	if _, ok := parseShortPort("::1:5432:5432"); ok {
		t.Errorf("parseShortPort(%q) succeeded, want a failure (unbracketed IPv6)", "::1:5432:5432")
	}
}

func TestWritableSocketShort(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/var/run/docker.sock:/var/run/docker.sock", "/var/run/docker.sock:/var/run/docker.sock:ro"},
		{"/run/docker.sock:/var/run/docker.sock:rw", "/run/docker.sock:/var/run/docker.sock:ro"},
		{"/var/run/docker.sock:/var/run/docker.sock:z", "/var/run/docker.sock:/var/run/docker.sock:ro,z"},
		{"/var/run/docker.sock:/var/run/docker.sock:z,rw", "/var/run/docker.sock:/var/run/docker.sock:z,ro"},
		{"/var/run/docker.sock:/var/run/docker.sock:", "/var/run/docker.sock:/var/run/docker.sock:ro"},
		{"${SOCK:-/var/run/docker.sock}:/var/run/docker.sock", "${SOCK:-/var/run/docker.sock}:/var/run/docker.sock:ro"},
		{"/var/run/docker.sock:/var/run/docker.sock:ro", ""},
		{"/var/run/docker.sock:/var/run/docker.sock:ro,z", ""},
		{"./data:/data", ""},
		{"/var/run/docker.sock", ""}, // an anonymous volume at that path
	}
	for _, tt := range tests {
		from, to, repl, ok := writableSocketShort(tt.in)
		got := ""
		if ok {
			got = tt.in[:from] + repl + tt.in[to:]
		}
		if got != tt.want {
			t.Errorf("writableSocketShort(%q) makes %q, want %q", tt.in, got, tt.want)
		}
		// The edit covers only the bytes that change: the existing text
		// before the new option is never rewritten.
		if ok && to > from && strings.HasPrefix(repl, tt.in[from:to]) {
			t.Errorf("writableSocketShort(%q) rewrites %q as %q; want only the new text inserted", tt.in, tt.in[from:to], repl)
		}
	}
}

// TestSecurityUnsafeFixesPerRule checks that unsafe fixes apply only when
// enabled: not by default, for every rule with UnsafeFixes, and for one
// rule with UnsafeRules (as unsafe_fixes in .composefix.yaml does).
func TestSecurityUnsafeFixesPerRule(t *testing.T) {
	const src = `services:
  db:
    image: postgres:16.4
    ports:
      - "5432:5432"
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock
`
	rules, err := Select(Rules(), []string{"CF503", "CF504"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		opts    Options
		want    string
		applied []string
	}{
		{"default", Options{Rules: rules}, src, nil},
		{"all unsafe", Options{Rules: rules, UnsafeFixes: true}, strings.NewReplacer(
			`"5432:5432"`, `"127.0.0.1:5432:5432"`, "docker.sock\n", "docker.sock:ro\n").Replace(src),
			[]string{"CF504", "CF503"}}, // findings in file order
		{"one rule", Options{Rules: rules, UnsafeRules: map[string]bool{"CF504": true}},
			strings.Replace(src, `"5432:5432"`, `"127.0.0.1:5432:5432"`, 1), []string{"CF504"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runSecurity(t, "compose.yaml", []byte(src), tt.opts)
			if d := cmp.Diff(tt.want, string(res.Output)); d != "" {
				t.Errorf("Run output mismatch (-want +got):\n%s", d)
			}
			var applied []string
			for _, f := range res.Findings {
				if f.Fix == nil {
					t.Errorf("%s finding %q has no fix, want one", f.RuleID, f.Message)
					continue
				}
				if f.Fix.Safety != Unsafe {
					t.Errorf("%s fix safety = %v, want unsafe", f.RuleID, f.Fix.Safety)
				}
				if f.Applied {
					applied = append(applied, f.RuleID)
				}
			}
			if d := cmp.Diff(tt.applied, applied); d != "" {
				t.Errorf("applied fixes mismatch (-want +got):\n%s", d)
			}
		})
	}
}

// TestSecurityRuleTable checks each security rule's entry: a CF5 ID, a
// name, a one-line summary and a doc with a before/after example.
func TestSecurityRuleTable(t *testing.T) {
	rules := securityRules()
	if len(rules) == 0 {
		t.Fatal("securityRules() is empty")
	}
	for _, r := range rules {
		if !strings.HasPrefix(r.ID, "CF5") || len(r.ID) != 5 {
			t.Errorf("rule %q: ID not in the CF5xx block", r.ID)
		}
		if r.Name == "" || r.Summary == "" || strings.Contains(r.Summary, "\n") || r.Check == nil {
			t.Errorf("rule %s: name %q, summary %q, check set %v; want all set, summary on one line", r.ID, r.Name, r.Summary, r.Check != nil)
		}
		if !strings.Contains(r.Doc, "\nBefore:\n") || !strings.Contains(r.Doc, "\nAfter:\n") {
			t.Errorf("rule %s: doc has no Before:/After: example", r.ID)
		}
	}
}

// TestInterpolated: a value refers to a variable when compose would
// substitute one; "$$" is a literal dollar.
func TestInterpolated(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want bool
	}{
		{"secret", false},
		{"$X", true},
		{"${X}", true},
		{"${X:-d}", true},
		{"pa$$word", false},
		{"$${X}", false},
		{"$$${X}", true},
		{"a$1b", false},
		{"$_x", true},
	} {
		if got := interpolated(tt.in); got != tt.want {
			t.Errorf("interpolated(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestEditableAsWalkingTheDocument: owners.editable answers from one
// service's parents what walking up the document's parent index answers,
// for every node of every service, asked about in an order that moves
// from service to service and back.
func TestEditableAsWalkingTheDocument(t *testing.T) {
	src := `x-base: &base
  ports: ["80:80"]
  volumes: [/a:/a]
x-ports: &ports
  - "81:81"
services:
  plain:
    image: a
    ports: ["82:82", {target: 83, published: 83}]
  merging:
    <<: *base
    image: b
  aliased-list:
    ports: *ports
  anchored-inside:
    volumes: &vols [/b:/b]
  using-it:
    volumes: *vols
  shared: *base
`
	d, err := compose.Load("compose.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	own := newOwners(d)
	walked := func(s svc, n *yaml.Node) bool {
		if s.target == nil || s.Node == nil || n == nil {
			return false
		}
		for cur := n; cur != nil; cur = d.Parent(cur) {
			if cur == s.Node {
				return true
			}
			if own.aliased[cur] {
				return false
			}
		}
		return false
	}
	var nodes []*yaml.Node
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		nodes = append(nodes, n)
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(d.Docs[0])
	ss := services(d)
	editable := 0
	for round := range 2 {
		for i := range ss {
			s := ss[(i*3+round)%len(ss)] // not in file order
			for _, n := range nodes {
				got := own.editable(s, n)
				if want := walked(s, n); got != want {
					t.Errorf("editable(%s, node at %d:%d) = %v, want %v", s.Name, n.Line, n.Column, got, want)
				}
				if got {
					editable++
				}
			}
		}
	}
	if editable == 0 {
		t.Fatal("no node is editable: the test compares nothing")
	}
}
