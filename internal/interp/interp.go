package interp

import (
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/template"
	"github.com/composefix/composefix/internal/lazyre"
)

// Literal returns the part of a compose value that can be known without the
// environment, and its byte offset inside s:
//
//	"redis:7"                      → "redis:7", 0, true
//	"${REDIS_IMAGE:-redis:7}"      → "redis:7", 15, true (also ${VAR-default})
//	"${REDIS_IMAGE}", "$IMAGE"     → false
//	"${REGISTRY:-docker.io}/redis" → false (only partly literal)
//
// "$$" (an escaped dollar) cannot occur in an image and gives false too.
func Literal(s string) (text string, offset int, ok bool) {
	if !strings.Contains(s, "$") {
		return s, 0, true
	}
	if !strings.HasPrefix(s, "${") || !strings.HasSuffix(s, "}") {
		return "", 0, false
	}
	body := s[2 : len(s)-1]
	i := strings.IndexAny(body, ":-?+}{$")
	if i <= 0 || !ValidName(body[:i]) {
		return "", 0, false
	}
	op := body[i:]
	var skip int
	switch {
	case strings.HasPrefix(op, ":-"):
		skip = 2
	case strings.HasPrefix(op, "-"):
		skip = 1
	default: // ${VAR}, ${VAR:?err}, ${VAR:+alt}: nothing literal
		return "", 0, false
	}
	def := op[skip:]
	if def == "" || strings.ContainsAny(def, "${}") {
		return "", 0, false
	}
	return def, 2 + i + skip, true
}

// ValidName reports whether s is a shell-style variable name.
func ValidName(s string) bool {
	for i, c := range s {
		switch {
		case c == '_', c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return s != ""
}

// varRef matches one variable reference: $NAME, ${NAME} or ${NAME<op>...}.
var varRef = lazyre.New(`\$(?:([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)((?::?[-?+])[^}]*)?\})`)

// Names returns the variables s refers to, in order of first use.
func Names(s string) []string {
	if !strings.Contains(s, "$") {
		// No reference without a dollar: rules ask this of every
		// environment value, and the expression's search cost a run over
		// the corpus 1% of its instructions.
		return nil
	}
	var out []string
	for _, m := range refs(s) {
		n := m[1] + m[2]
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// Has reports whether s refers to a variable: whether Names(s) would
// return any, without the regular expression's submatches (a check per
// environment value and published port was 1.4% of the bytes a corpus run
// allocates). FuzzHas holds it to varRef.
func Has(s string) bool {
	if !strings.Contains(s, "$") {
		return false
	}
	t := strings.ReplaceAll(s, "$$", "")
	for i := 0; i+1 < len(t); i++ {
		if t[i] != '$' {
			continue
		}
		if nameStart(t[i+1]) {
			return true // $NAME
		}
		if t[i+1] != '{' || i+2 == len(t) || !nameStart(t[i+2]) {
			continue
		}
		j := i + 3
		for j < len(t) && (nameStart(t[j]) || '0' <= t[j] && t[j] <= '9') {
			j++
		}
		if j < len(t) && t[j] == '}' {
			return true // ${NAME}
		}
		if j < len(t) && t[j] == ':' {
			j++
		}
		if j < len(t) && strings.IndexByte("-?+", t[j]) >= 0 && strings.IndexByte(t[j+1:], '}') >= 0 {
			return true // ${NAME<op>...}
		}
	}
	return false
}

// nameStart reports whether c may begin a variable's name.
func nameStart(c byte) bool { return c == '_' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' }

// refs returns varRef's submatches for each reference in s, skipping
// escaped dollars: "$$" is a literal "$", so "$${A}" refers to nothing.
func refs(s string) [][]string {
	return varRef().FindAllStringSubmatch(strings.ReplaceAll(s, "$$", ""), -1)
}

// Expand interpolates s with env the way docker compose does (compose-go's
// template), and lists the variables it needed but env lacks: a reference
// with a default (${VAR:-x}) does not need its variable.
func Expand(s string, env map[string]string) (string, []string, error) {
	var missing []string
	out, err := template.SubstituteWithOptions(s, func(name string) (string, bool) {
		v, ok := env[name]
		if !ok && !slices.Contains(missing, name) {
			missing = append(missing, name)
		}
		return v, ok
	}, template.WithoutLogging)
	if err != nil {
		return "", nil, err
	}
	// A missing variable that had a default is not missing.
	var need []string
	for _, n := range missing {
		if usedWithoutDefault(s, n) {
			need = append(need, n)
		}
	}
	return out, need, nil
}

// usedWithoutDefault reports whether s refers to name at least once
// without a default value.
func usedWithoutDefault(s, name string) bool {
	for _, m := range refs(s) {
		if m[1]+m[2] == name && !strings.HasPrefix(m[3], ":-") && !strings.HasPrefix(m[3], "-") {
			return true
		}
	}
	return false
}

// Whole returns the variable when s is exactly one reference to it
// ("${IMAGE}", "${IMAGE:-redis:7}", "$IMAGE"): its value is the whole of s.
func Whole(s string) (string, bool) {
	m := varRef().FindStringSubmatchIndex(s)
	if m == nil || m[0] != 0 || m[1] != len(s) {
		return "", false
	}
	sub := varRef().FindStringSubmatch(s)
	if op := sub[3]; op != "" && !strings.HasPrefix(op, ":-") && !strings.HasPrefix(op, "-") {
		return "", false // ${VAR:?err} and ${VAR:+alt} do not hold the value
	}
	return sub[1] + sub[2], true
}

// Tail returns the variable whose reference ends s after a colon
// ("redis:${TAG}", "${REGISTRY}/app:${TAG:-1.0}"): its value is the tag.
func Tail(s string) (string, bool) {
	locs := varRef().FindAllStringSubmatchIndex(s, -1)
	if len(locs) == 0 {
		return "", false
	}
	last := locs[len(locs)-1]
	if last[1] != len(s) || last[0] == 0 || s[last[0]-1] != ':' {
		return "", false
	}
	return Whole(s[last[0]:])
}
