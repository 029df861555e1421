package interp

import (
	"slices"
	"strings"
	"testing"

	_ "github.com/composefix/composefix/internal/golden"
)

func TestLiteral(t *testing.T) {
	tests := []struct {
		in     string
		text   string
		offset int
		ok     bool
	}{
		{"redis:7", "redis:7", 0, true},
		{"${REDIS_IMAGE:-redis:7}", "redis:7", 15, true},
		{"${REDIS_IMAGE-redis:7}", "redis:7", 14, true},
		{"${REDIS_IMAGE}", "", 0, false},
		{"$IMAGE", "", 0, false},
		{"${REGISTRY:-docker.io}/redis", "", 0, false},
		{"${IMAGE:?must be set}", "", 0, false},
		{"${IMAGE:-}", "", 0, false},
		{"${IMAGE:-${OTHER}}", "", 0, false},
		{"${1BAD:-redis}", "", 0, false},
		{"$${IMAGE:-redis}", "", 0, false},
	}
	for _, tt := range tests {
		text, offset, ok := Literal(tt.in)
		if text != tt.text || offset != tt.offset || ok != tt.ok {
			t.Errorf("Literal(%q) = %q, %d, %v, want %q, %d, %v", tt.in, text, offset, ok, tt.text, tt.offset, tt.ok)
		}
		if ok && tt.in[offset:offset+len(text)] != text {
			t.Errorf("Literal(%q): offset %d does not locate %q", tt.in, offset, text)
		}
	}
}

func TestEnvReferences(t *testing.T) {
	env := map[string]string{"IMAGE": "redis:7.4.1", "TAG": "7.4.1", "EMPTY": ""}
	for _, tt := range []struct {
		s, whole, tail, expanded string
		missing                  []string
	}{
		{s: "${IMAGE}", whole: "IMAGE", expanded: "redis:7.4.1"},
		{s: "$IMAGE", whole: "IMAGE", expanded: "redis:7.4.1"},
		{s: "${IMAGE:-redis:7}", whole: "IMAGE", expanded: "redis:7.4.1"},
		{s: "${NOPE:-redis:7}", whole: "NOPE", expanded: "redis:7"},
		{s: "${IMAGE:?set it}", expanded: "redis:7.4.1"},
		{s: "redis:${TAG}", tail: "TAG", expanded: "redis:7.4.1"},
		{s: "${REG}/app:${TAG:-1}", tail: "TAG", expanded: "/app:7.4.1", missing: []string{"REG"}},
		{s: "redis:${TAG}-alpine", expanded: "redis:7.4.1-alpine"},
		{s: "${MISSING}", whole: "MISSING", expanded: "", missing: []string{"MISSING"}},
		// "$$" escapes a dollar: "$${NOPE}" is text, so NOPE is used only
		// with a default and is not missing.
		{s: "$${NOPE}${NOPE:-x}", expanded: "${NOPE}x"},
	} {
		if w, _ := Whole(tt.s); w != tt.whole {
			t.Errorf("Whole(%q) = %q, want %q", tt.s, w, tt.whole)
		}
		if w, _ := Tail(tt.s); w != tt.tail {
			t.Errorf("Tail(%q) = %q, want %q", tt.s, w, tt.tail)
		}
		got, missing, err := Expand(tt.s, env)
		if err != nil || got != tt.expanded || strings.Join(missing, ",") != strings.Join(tt.missing, ",") {
			t.Errorf("Expand(%q) = %q, %v, %v; want %q, %v", tt.s, got, missing, err, tt.expanded, tt.missing)
		}
	}
}

func TestNames(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"plain", nil},
		{"", nil},
		{"$$HOME", nil},
		{"a $A and ${B:-x} and $A", []string{"A", "B"}},
		{"${PASS:?PASS must be set}", []string{"PASS"}},
		{"postgres://u:${PW}@db/x", []string{"PW"}},
		{"$", nil},
		{"${}", nil},
	} {
		if got := Names(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("Names(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// hasCases are references and near misses of each form varRef accepts.
var hasCases = []string{"plain", "", "$", "$$", "$$A", "$$$A", "$A", "$_", "$1", "${}", "${A}", "${A", "${1A}", "${A1_b}",
	"${A:-x}", "${A-x}", "${A:?e}", "${A?e}", "${A:+x}", "${A+x}", "${A:x}", "${A:-", "${A:-x", "${A:}", "${A x}",
	"a $A b", "$${A}", "$$${A}", "x$", "${A:-${B}}", "${{A}", "$-A", "${A}}", "$ A", "${A-}", "${A:--}"}

// TestHas checks Has against Names on references and near misses.
func TestHas(t *testing.T) {
	for _, s := range hasCases {
		if got, want := Has(s), len(Names(s)) > 0; got != want {
			t.Errorf("Has(%q) = %v, Names finds %q", s, got, Names(s))
		}
	}
}

// FuzzHas holds Has to the regular expression Names uses.
func FuzzHas(f *testing.F) {
	for _, s := range hasCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Has(s), len(Names(s)) > 0; got != want {
			t.Errorf("Has(%q) = %v, Names finds %q", s, got, Names(s))
		}
	})
}
