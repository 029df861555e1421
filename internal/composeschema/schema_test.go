package composeschema

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/schema"
	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/internal/golden"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

func check(t *testing.T, src string) []string {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(src), &n); err != nil {
		t.Fatal(err)
	}
	vs, err := Check(&n)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, v := range vs {
		out = append(out, fmt.Sprintf("%d:%d %s", v.Node.Line, v.Node.Column, v.Message))
	}
	return out
}

func TestCheck(t *testing.T) {
	for _, tt := range []struct {
		name, src string
		want      []string
	}{{
		name: "valid",
		src:  "services:\n  web:\n    image: nginx:1.27.3\n    restart: on-failure:3\n    ports: [\"80:80\", 8080]\nx-custom: {any: thing}\n",
	}, {
		name: "misspelt key, at the key",
		src:  "services:\n  web:\n    imagee: nginx\n",
		want: []string{`3:5 services.web: unknown key "imagee"`},
	}, {
		name: "restart the schema leaves to compose",
		src:  "services:\n  web:\n    image: nginx\n    restart: sometimes\n",
		want: []string{`4:14 services.web.restart: found "sometimes"; expected "no", always, on-failure, on-failure:N or unless-stopped`},
	}, {
		name: "ports not a list",
		src:  "services:\n  web:\n    image: nginx\n    ports: 8080\n",
		want: []string{`4:12 services.web.ports: found a number; expected a list`},
	}, {
		name: "several violations, in document order",
		src:  "services:\n  web:\n    imagee: nginx\n    restart: sometimes\n    ports: 8080\n",
		want: []string{
			`3:5 services.web: unknown key "imagee"`,
			`4:14 services.web.restart: found "sometimes"; expected "no", always, on-failure, on-failure:N or unless-stopped`,
			`5:12 services.web.ports: found a number; expected a list`,
		},
	}, {
		name: "interpolated values are compose's to check after substitution",
		src:  "services:\n  web:\n    image: nginx\n    restart: ${RESTART:-always}\n    cpus: ${CPUS}\n",
	}, {
		// compose reads $$ as a literal $ before it validates: a value
		// whose every $ is escaped is no interpolation, and is checked.
		name: "escaped dollars are checked after unescaping",
		src:  "services:\n  web:\n    image: nginx\n    restart: \"always$$\"\n    ports: \"80$$\"\n    user: \"$${UID}\"\n",
		want: []string{
			`4:14 services.web.restart: found "always$$"; expected "no", always, on-failure, on-failure:N or unless-stopped`,
			`5:12 services.web.ports: found a string; expected a list`,
		},
	}, {
		name: "a variable after an escape is compose's",
		src:  "services:\n  web:\n    image: nginx\n    restart: \"$$$RESTART\"\n    ports: \"$$${PORTS}\"\n",
	}, {
		// yaml.v3 decodes an integer between 2^63 and 2^64 as a uint64, a
		// number to the schema, not a string.
		name: "integers beyond int64 are numbers",
		src:  "services:\n  web:\n    image: 18446744073709551615\nmodels:\n  m:\n    model: ai/x\n    context_size: 9223372036854775808\n",
		want: []string{`3:12 services.web.image: found a number; expected a string`},
	}, {
		name: "a merged mapping's violation is at the anchor",
		src:  "x-base: &base\n  imagee: nginx\nservices:\n  web:\n    <<: *base\n    image: nginx\n",
		want: []string{`2:3 services.web: unknown key "imagee"`},
	}, {
		name: "keys after a failed value are still known",
		src:  "services:\n  web:\n    image: nginx\n    ports: 8080\n    healthcheck: {test: [CMD, \"true\"]}\n",
		want: []string{`4:12 services.web.ports: found a number; expected a list`},
	}, {
		// compose-go drops !reset values before it validates: an overlay
		// resets the base's logging with !reset null.
		name: "reset values are not validated",
		src:  "services:\n  web:\n    image: nginx\n    logging: !reset null\n    user: !reset\n    ports: [!reset {a: 1}, 8080]\n    restart: !override always\n",
	}, {
		// The check takes a failed value out to judge the keys next to
		// it: the mapping then misses it, which the document does not.
		name: "a present key of a bad type is not missing",
		src:  "services:\n  web:\n    image: nginx\n    depends_on:\n      db: {condition: 7}\n  db:\n    image: postgres\n",
		want: []string{`5:23 services.web.depends_on.db.condition: found a number; expected a string`},
	}, {
		// The first round reports only the deeper error of depends_on's
		// oneOf; the key the mapping misses is still reported.
		name: "a key missing beside a bad value is missing",
		src:  "services:\n  web:\n    image: nginx\n    depends_on:\n      db: {restart: 7}\n  db:\n    image: postgres\n",
		want: []string{
			`5:11 services.web.depends_on.db: missing property 'condition'`,
			`5:21 services.web.depends_on.db.restart: found a number; expected a boolean or a string`,
		},
	}, {
		name: "nor the alternative the schema asks for once it is gone",
		src:  "jobs:\n  nightly:\n    image: app:1\n    triggers:\n      schedule: 7\n",
		want: []string{`5:17 jobs.nightly.triggers.schedule: found a number; expected a list`},
	}, {
		name: "unknown top-level key",
		src:  "services: {}\nservice: {}\n",
		want: []string{`2:1 the file: unknown key "service"`},
	}} {
		t.Run(tt.name, func(t *testing.T) {
			if d := cmp.Diff(tt.want, check(t, tt.src)); d != "" {
				t.Errorf("Check(%q) (-want +got):\n%s", tt.src, d)
			}
		})
	}
}

// TestVerdictIsComposeGos checks that a document is valid exactly when
// compose-go's own schema.Validate says so (its JSON round trip included),
// over the corpus and documents that break the schema in several ways:
// Check validates the converted values directly.
func TestVerdictIsComposeGos(t *testing.T) {
	srcs := []string{
		"services:\n  web:\n    image: nginx\n    ports: 8080\n",
		"services:\n  web:\n    imagee: nginx\n",
		"services:\n  web:\n    image: nginx\n    cpus: 1.5\n    mem_limit: 512m\n    ulimits: {nofile: 65535}\n",
		"services:\n  web:\n    image: nginx\n    healthcheck: {interval: 10x}\n",
		"services:\n  web:\n    image: nginx\n    healthcheck: {interval: 10s, retries: 3.5}\n",
		"services:\n  web:\n    image: nginx\n    deploy: {replicas: 99999999999999999999}\n",
		"services:\n  web:\n    image: nginx\n    environment: {A: 1, B: true, C: null}\n",
		"services:\n  web:\n    image: nginx\n    x-n: .nan\n",
		"services: {}\nservice: {}\n",
	}
	for _, p := range golden.CorpusFiles(t) {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, string(src))
	}
	s := &Schema{}
	for _, src := range srcs {
		var n yaml.Node
		if yaml.Unmarshal([]byte(src), &n) != nil || len(n.Content) == 0 {
			continue
		}
		m, ok := (&tree{}).value(n.Content[0], nil, 0).(map[string]any)
		if !ok {
			continue
		}
		verr := schema.Validate(m)
		var nan *json.UnsupportedValueError
		if errors.As(verr, &nan) {
			// compose-go cannot encode a NaN for its round trip and fails
			// to load the file; neither validator locates that, so Check
			// reports nothing either way.
			continue
		}
		want := verr == nil
		sch, err := s.schema()
		if err != nil {
			t.Fatal(err)
		}
		if got := sch.validateTop(m, true) == nil; got != want {
			t.Errorf("valid = %v, compose-go says %v, for:\n%.300s", got, want, src)
		}
	}
}

// TestCompositional: the schema compose-go ships judges top-level entries,
// services and service keys one at a time, so CheckFrom validates only
// what changed;
// a keyword that looks at several entries turns that off.
func TestCompositional(t *testing.T) {
	var doc any
	if err := json.Unmarshal([]byte(schema.Schema), &doc); err != nil {
		t.Fatal(err)
	}
	if !compositional(doc) {
		t.Fatal("the compose schema is not compositional: every output is validated whole")
	}
	for _, src := range []string{
		`{"type": "object", "required": ["services"], "properties": {"services": {"type": "object"}}}`,
		`{"type": "object", "properties": {"services": {"type": "object", "minProperties": 1}}}`,
		`{"type": "object", "properties": {"services": {"type": "object"}}, "dependentRequired": {"a": ["b"]}}`,
		`{"type": "object", "properties": {}}`,
		`{"type": "object", "properties": {"services": {"type": "object", "additionalProperties": {"type": "object", "required": ["image"]}}}}`,
		`{"type": "object", "properties": {"services": {"type": "object", "additionalProperties": {"$ref": "#/$defs/s"}}}, "$defs": {"s": {"allOf": [{"type": "object", "properties": {"a": {}}}], "unevaluatedProperties": true}}}`,
		`{"type": "object", "properties": {"services": {"type": "object", "additionalProperties": {"$ref": "#/$defs/s"}}}, "$defs": {"s": {"allOf": [{"$ref": "#/$defs/t"}]}, "t": {"type": "object", "dependentRequired": {"a": ["b"]}}}}`,
	} {
		var d any
		if err := json.Unmarshal([]byte(src), &d); err != nil {
			t.Fatal(err)
		}
		if compositional(d) {
			t.Errorf("compositional(%s) = true, want false", src)
		}
	}
}

// TestCheckFromIsCheck: checking a document made from another, with the
// other's check, finds what checking it alone finds.
func TestCheckFromIsCheck(t *testing.T) {
	pairs := [][2]string{
		{"services:\n  web:\n    image: nginx\n", "services:\n  web:\n    image: nginx\n    restart: always\n"},
		{"services:\n  web:\n    image: nginx\n", "services:\n  web:\n    image: nginx\n    ports: 8080\n"},
		{"services:\n  web:\n    image: nginx\n  db:\n    image: redis\n", "services:\n  web:\n    image: nginx\n  db:\n    image: redis\n    imagee: x\n"},
		{"services:\n  web:\n    image: nginx\n", "services:\n  web:\n    image: nginx\n  bad name!:\n    image: x\n"},
		{"services:\n  web:\n    image: nginx\n", "services: [web]\n"},
		{"services:\n  web:\n    image: nginx\n", "services:\n  web:\n    image: nginx\nservice: {}\n"},
		{"services:\n  web:\n    image: nginx\n", "services:\n  web:\n    image: nginx\nx-logging: &l {driver: json-file}\n"},
		{"services:\n  web:\n    image: nginx\n", "services:\n  web:\n    image: nginx\nnetworks: {front: {driver: 3}}\n"},
		{"version: '3'\nservices:\n  web:\n    image: nginx\n", "services:\n  web:\n    image: nginx\n"},
		{"services:\n  web:\n    imagee: nginx\n", "services:\n  web:\n    imagee: nginx\n    restart: always\n"},
		{"x-a: &a {image: nginx}\nservices:\n  web:\n    <<: *a\n", "x-a: &a {image: nginx, cpus: many}\nservices:\n  web:\n    <<: *a\n"},
		// Services that merge: only the keys whose effective values changed
		// are validated again, whether they come from the service or the
		// merge, and whether either side merges.
		{"x-a: &a {image: nginx}\nservices:\n  web:\n    <<: *a\n    ports: ['80']\n", "x-a: &a {image: nginx}\nservices:\n  web:\n    <<: *a\n    ports: ['80']\n    cpus: many\n"},
		{"x-a: &a {image: nginx, cpus: 1}\nservices:\n  web:\n    <<: *a\n", "x-a: &a {image: nginx, cpus: 1}\nservices:\n  web:\n    <<: *a\n    cpus: many\n"},
		{"x-a: &a {image: nginx}\nservices:\n  web:\n    image: nginx\n", "x-a: &a {image: nginx}\nservices:\n  web:\n    <<: *a\n    read_only: maybe\n"},
		{"x-a: &a {image: nginx}\nservices:\n  web:\n    <<: *a\n    cpus: 2\n", "x-a: &a {image: nginx}\nservices:\n  web:\n    image: nginx\n    cpus: [2]\n"},
		{"x-a: &a {image: nginx, cpus: many}\nservices:\n  web:\n    <<: *a\n    hostname:\n", "x-a: &a {image: nginx, cpus: many}\nservices:\n  web:\n    <<: *a\n    hostname:\n    restart: always\n"},
		{many16("    <<: *a\n"), many16("    <<: *a\n    pid: [1]\n")},
	}
	s := &Schema{}
	text := func(vs []Violation) string {
		var b strings.Builder
		for _, v := range vs {
			fmt.Fprintf(&b, "%d:%d %s\n", v.Node.Line, v.Node.Column, v.Message)
		}
		return b.String()
	}
	for _, p := range pairs {
		var in, out yaml.Node
		if err := yaml.Unmarshal([]byte(p[0]), &in); err != nil {
			t.Fatal(err)
		}
		if err := yaml.Unmarshal([]byte(p[1]), &out); err != nil {
			t.Fatal(err)
		}
		base, err := s.CheckFrom(nil, &in)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.CheckFrom(base, &out)
		if err != nil {
			t.Fatal(err)
		}
		want, err := s.Check(&out)
		if err != nil {
			t.Fatal(err)
		}
		if text(got.Violations) != text(want) {
			t.Errorf("CheckFrom(%q, %q):\n%s\nwant (Check):\n%s", p[0], p[1], text(got.Violations), text(want))
		}
		// Detached from the input's tree (a large file's run lets it go),
		// and attached to the same input parsed again, the check judges
		// alike; attached, it is a valid input's again, which limits the
		// output's validation to what changed.
		var again yaml.Node
		if err := yaml.Unmarshal([]byte(p[0]), &again); err != nil {
			t.Fatal(err)
		}
		attached := base.Detach().Attach(&again)
		if (attached.valid != nil) != (base.valid != nil) || attached.valid != nil && attached.valid != again.Content[0] {
			t.Errorf("%q: Attach gave valid %p, want the new tree's root when the input met the schema (%v)", p[0], attached.valid, base.valid != nil)
		}
		for name, b := range map[string]*Checked{"detached": base.Detach(), "attached": attached} {
			got, err := s.CheckFrom(b, &out)
			if err != nil {
				t.Fatal(err)
			}
			if text(got.Violations) != text(want) {
				t.Errorf("CheckFrom(%s %q, %q):\n%s\nwant (Check):\n%s", name, p[0], p[1], text(got.Violations), text(want))
			}
		}
	}
}

// TestScalarIsDecode: scalar gives the values yaml's decoder gives, over
// the corpus's scalars and forms near the ones it reads itself.
func TestScalarIsDecode(t *testing.T) {
	srcs := []string{"[true, false, True, FALSE, !!bool yes, !!bool 'true', 0, -0, 00, 07, 0x1F, 0o17, +5, -5, 1_000, 12, -12, 123456789012345678, 1234567890123456789, 9223372036854775807, 9223372036854775808, -9223372036854775808, !!int '12', !!int 1.5, 1.5, .inf, null, ~, '12', \"true\", 1e3, -, --1, 1-]"}
	for _, d := range testDocuments(t) {
		srcs = append(srcs, string(d.bytes))
	}
	decode := func(n *yaml.Node) any {
		switch n.ShortTag() {
		case "!!null":
			return nil
		case "!!bool":
			var b bool
			if n.Decode(&b) == nil {
				return b
			}
		case "!!int":
			var i int64
			if n.Decode(&i) == nil {
				return i
			}
			var u uint64 // what yaml.v3 decodes from 2^63 on
			if n.Decode(&u) == nil {
				return u
			}
		case "!!float":
			var f float64
			if n.Decode(&f) == nil {
				return f
			}
		}
		// compose-go validates after interpolation, which reads "$$" as
		// "$" (values with a variable are not judged at all).
		return strings.ReplaceAll(n.Value, "$$", "$")
	}
	var count int
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.ScalarNode {
			count++
			if got, want := scalar(n), decode(n); !reflect.DeepEqual(got, want) {
				t.Errorf("%d:%d %s %q: scalar %#v, decoded %#v", n.Line, n.Column, n.ShortTag(), n.Value, got, want)
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	for _, src := range srcs {
		var n yaml.Node
		if yaml.Unmarshal([]byte(src), &n) == nil {
			walk(&n)
		}
	}
	if count < 40 {
		t.Fatalf("only %d scalars compared", count)
	}
}

// TestLookupInIsMapGet: the indexed lookup of a large mapping finds what
// compose.MapGet finds, duplicates and merge keys included.
func TestLookupInIsMapGet(t *testing.T) {
	for _, n := range []int{3, 40} {
		var sb strings.Builder
		sb.WriteString("base: &b {x: 1}\nm:\n  <<: *b\n")
		for i := range n {
			fmt.Fprintf(&sb, "  s%d: %d\n", i, i)
		}
		sb.WriteString("  s1: dup\n  \"<<\": quoted\n")
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(sb.String()), &doc); err != nil {
			t.Fatal(err)
		}
		_, m := compose.MapGet(doc.Content[0], "m")
		get := lookupIn(m)
		for _, k := range []string{"s0", "s1", fmt.Sprintf("s%d", n-1), "<<", "x", "missing"} {
			_, want := compose.MapGet(m, k)
			if got := get(k); got != want {
				t.Errorf("%d entries, key %q: lookupIn gives %v, MapGet %v", n, k, got, want)
			}
		}
	}
}

// TestNumbersBeyondInt64 checks that a uint64 (an integer from 2^63 on,
// as yaml.v3 decodes it) compares with other numbers by value, in equals
// and in the keys that find duplicates, and against bounds.
func TestNumbersBeyondInt64(t *testing.T) {
	const big = uint64(1) << 63
	tests := []struct {
		a, b any
		want bool
	}{
		{big, big, true},
		{big, big + 1, false},
		// santhosh reads a float64 as its shortest decimal form:
		// 9.223372036854776e18 is not 2^63, 1e19 is 10^19.
		{big, float64(big), false},
		{uint64(1e19), float64(1e19), true},
		{float64(1e19), uint64(1e19), true},
		{uint64(1e19) + 1, float64(1e19), false},
		{uint64(1<<64 - 1), float64(1 << 63), false},
		{big, int64(1<<63 - 1), false},
		{big, "9223372036854775808", false},
	}
	for _, tt := range tests {
		if got := equals(tt.a, tt.b); got != tt.want {
			t.Errorf("equals(%#v, %#v) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
		ka, oka := primitiveKey(tt.a)
		kb, okb := primitiveKey(tt.b)
		if oka && okb && (ka == kb) != tt.want {
			t.Errorf("primitiveKey(%#v) = %q, primitiveKey(%#v) = %q: equal keys %v, want %v", tt.a, ka, tt.b, kb, ka == kb, tt.want)
		}
	}
	sv := scalarOf(uint64(1<<64 - 1))
	if !sv.isInteger() || sv.less(1000) || !sv.greater(1000) || !sv.greater(-1) || sv.value() != uint64(1<<64-1) {
		t.Errorf("scalarOf(2^64-1) = %+v: want an integer above every bound", sv)
	}
}

// many16 is a document whose service web has 16 keys besides extra, and
// merges &a: large enough for changedKeys to index its keys.
func many16(extra string) string {
	var b strings.Builder
	b.WriteString("x-a: &a {image: nginx}\nservices:\n  web:\n")
	for i := range 16 {
		fmt.Fprintf(&b, "    x-k%d: %d\n", i, i)
	}
	b.WriteString(extra)
	return b.String()
}
