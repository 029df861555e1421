package fixers

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/internal/interp"
	"github.com/composefix/composefix/internal/lazyre"
	"go.yaml.in/yaml/v3"
)

func weakDefaultRule() *Rule {
	return &Rule{
		ID: "CF501", Name: "weak-secret-default", Safety: Unsafe, Severity: Warning,
		Summary: "secret-like variables with a literal default, and placeholder defaults, become required: ${VAR:?VAR must be set}",
		Doc: `Secret-like variables with a literal default, and placeholder defaults, become required.

A default such as ${REDIS_PASSWORD:-scamnemesis_redis_2024} puts a secret in the
repository and keeps the stack running with it when the variable is forgotten; a
placeholder such as ${ACME_EMAIL:-admin@example.com} starts a stack that silently
cannot work (Let's Encrypt refuses example.com). The fix makes the variable
required, so that docker compose refuses to start without it.

A variable is secret-like when its name has a word such as PASSWORD, PASS, PWD,
SECRET, TOKEN or KEY (not *_FILE, *_PATH, *_URL, *_USER, *_ID and the like, nor
PUBLIC keys); a placeholder is a value such as changeme, minioadmin, password,
secret, example or an address at example.com. Both ${VAR:-default} and
${VAR-default} are understood, in every scalar of the file: environment values,
commands, labels. $${VAR:-x} is escaped for the container's shell and left alone.
Unsafe: the stack no longer starts until the variable is set (in .env or the
environment).

Before:
  services:
    traefik:
      command:
        - "--certificatesresolvers.le.acme.email=${ACME_EMAIL:-admin@example.com}"
    redis:
      command: redis-server --requirepass ${REDIS_PASSWORD:-changeme}

After:
  services:
    traefik:
      command:
        - "--certificatesresolvers.le.acme.email=${ACME_EMAIL:?ACME_EMAIL must be set}"
    redis:
      command: redis-server --requirepass ${REDIS_PASSWORD:?REDIS_PASSWORD must be set}`,
		Check: checkWeakDefaults,
	}
}

func literalSecretRule() *Rule {
	return &Rule{
		ID: "CF502", Name: "literal-secret", Safety: DisplayOnly, Severity: Warning,
		Summary: "secret-like environment variables with a literal value in the file",
		Doc: `Secret-like environment variables with a literal value in the file are reported.

A password, token or key written into the compose file ends up in the repository,
in every clone and in "docker inspect". This rule reports environment entries (map
and KEY=value list forms) whose name is secret-like (a word such as PASSWORD,
SECRET, TOKEN or KEY) and whose value is a non-empty literal, and values holding a
URL with a literal password (postgres://app:password@db/app). There is no automatic
fix: the value has to move to .env, a secret store or a compose secret.

Before:
  services:
    db:
      environment:
        POSTGRES_PASSWORD: hunter2

After:
  services:
    db:
      environment:
        POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set}`,
		Check: checkLiteralSecrets,
	}
}

// --- CF501 ---------------------------------------------------------------

func checkWeakDefaults(p *Pass) error {
	d := p.Document
	// A weak default is written ${NAME:-default}: a value holds a "$" only
	// where the file has one, or a backslash escape ("\x24") in a
	// double-quoted scalar. A file with neither is not walked: the walk
	// reads every node, and a large file's tree does not fit in the
	// processor's cache (the walks of the 10,000-service benchmark file's
	// input and output were 5% of its simulated last-level cache misses).
	if bytes.IndexByte(d.Src, '$') < 0 && bytes.IndexByte(d.Src, '\\') < 0 {
		return nil
	}
	for _, doc := range d.Docs {
		var err error
		walkScalars(doc, func(n *yaml.Node) {
			if err == nil {
				err = weakDefaultsIn(p, n)
			}
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// walkScalars calls fn for every scalar value of the tree rooted at n, in
// document order; mapping keys and aliases are skipped (an alias's target is
// visited where it is written).
func walkScalars(n *yaml.Node, fn func(*yaml.Node)) {
	switch n.Kind {
	case yaml.DocumentNode, yaml.SequenceNode:
		for _, c := range n.Content {
			walkScalars(c, fn)
		}
	case yaml.MappingNode:
		for i := 1; i < len(n.Content); i += 2 {
			walkScalars(n.Content[i], fn)
		}
	case yaml.ScalarNode:
		fn(n)
	}
}

type weakDefault struct {
	iv          interpolation
	placeholder bool
}

// weakDefaultsIn reports the weak defaults of scalar n. All of them share
// one fix: the edits and a single operation setting the scalar's final
// value, since two fixes setting the same scalar cannot be verified apart.
func weakDefaultsIn(p *Pass, n *yaml.Node) error {
	if !strings.Contains(n.Value, "${") {
		return nil
	}
	var weak []weakDefault
	var buf [4]interpolation
	for _, iv := range interpolations(n.Value, buf[:0]) {
		if iv.Op != ":-" && iv.Op != "-" || iv.Body == "" || strings.Contains(iv.Body, "$") {
			continue
		}
		switch {
		case isPlaceholder(iv.Body):
			weak = append(weak, weakDefault{iv, true})
		case secretName(iv.Name) && secretValue(iv.Body):
			weak = append(weak, weakDefault{iv, false})
		}
	}
	if len(weak) == 0 {
		return nil
	}
	d := p.Document
	// Edits go right to left in the value so that offsets stay valid for
	// the final value; the edits themselves are on the original bytes.
	var ch compose.Change
	value := n.Value
	ok := true
	for i := len(weak) - 1; i >= 0 && ok; i-- {
		iv := weak[i].iv
		repl := ":?" + iv.Name + " must be set"
		var e compose.Edit
		e, ok = interpolationEdit(d, n, iv, repl)
		ch.Edits = append([]compose.Edit{e}, ch.Edits...)
		value = value[:iv.OpStart] + repl + value[iv.End-1:]
	}
	var fix *Fix
	if ok {
		nv := compose.Str(value)
		nv.Anchor, nv.Style, nv.Tag = n.Anchor, n.Style, n.Tag
		if nv.Tag == "" {
			nv.Tag = "!!str"
		}
		ch.Ops = []*compose.Op{{Kind: compose.OpSet, Target: n, Value: nv}}
		names := make([]string, len(weak))
		for i, w := range weak {
			names[i] = w.iv.Name
		}
		fix = p.NewFix(ch, "Require %s", strings.Join(names, ", "))
	}
	for _, w := range weak {
		iv := w.iv
		sp, err := d.NodeSpan(n)
		if err != nil {
			sp = compose.Span{Start: d.NodeOffset(n), End: d.NodeOffset(n)}
		}
		if at, found := sourceOffset(d, n, iv); found {
			sp = compose.Span{Start: at, End: at + iv.End - iv.Start}
		}
		// A placeholder ("changeme") is quoted, so a reader sees why it
		// counts as one; a literal secret is not: findings travel to CI
		// logs, pull-request annotations and SARIF uploads, where the
		// password should not go too (CF502 does not quote values either).
		what := "a literal secret default"
		if w.placeholder {
			what = fmt.Sprintf("a placeholder default %q", iv.Body)
		}
		p.ReportSpan(sp, p.rule.Severity, fix, "variable %q falls back to %s; expected ${%s:?%s must be set}",
			iv.Name, what, iv.Name, iv.Name)
	}
	return nil
}

// interpolationEdit returns the edit that replaces iv's operator and default
// (":-default" in "${VAR:-default}") with repl.
func interpolationEdit(d *compose.Document, n *yaml.Node, iv interpolation, repl string) (compose.Edit, bool) {
	at, ok := sourceOffset(d, n, iv)
	if !ok {
		return compose.Edit{}, false
	}
	return compose.Edit{Start: at + iv.OpStart - iv.Start, End: at + iv.End - 1 - iv.Start, New: repl}, true
}

// sourceOffset returns where interpolation iv of scalar n starts in the
// source. Where the value is verbatim up to it (plain scalars, quoted ones
// without escapes before it) this is what compose.SetSubstring edits;
// otherwise (block scalars, escapes earlier in a quoted string) the
// reference's text must occur as often in the scalar's source as in its
// value, so that the k-th occurrence is the one meant.
func sourceOffset(d *compose.Document, n *yaml.Node, iv interpolation) (int, bool) {
	if ch, err := d.SetSubstring(n, iv.Start, iv.End, n.Value[iv.Start:iv.End]); err == nil && len(ch.Edits) == 1 {
		return ch.Edits[0].Start, true
	}
	sp, err := d.ValueSpan(n)
	if err != nil {
		return 0, false
	}
	text := n.Value[iv.Start:iv.End]
	src := string(d.Src[sp.Start:sp.End])
	if strings.Count(src, text) != strings.Count(n.Value, text) {
		return 0, false
	}
	k := strings.Count(n.Value[:iv.Start], text)
	at := 0
	for ; k >= 0; k-- {
		i := strings.Index(src[at:], text)
		if i < 0 {
			return 0, false
		}
		at += i
		if k > 0 {
			at += len(text)
		}
	}
	return sp.Start + at, true
}

// interpolation is one ${...} reference in a scalar's value; offsets are
// bytes into the value.
type interpolation struct {
	Start, End int    // from "$" to just past "}"
	Name       string // the variable
	Op         string // "", ":-", "-", ":?", "?", ":+" or "+"
	OpStart    int    // offset of Op, or of "}" when there is none
	Body       string // the text after Op: a default, message or alternative
}

// interpolations returns the ${...} references of s in order of their
// start, nested ones (in a default) included. "$$" is an escaped dollar, so
// "$${VAR:-x}" is no reference; "$VAR" without braces has no default and is
// not returned.
//
// They are appended to buf[:0]: a caller's array on the stack holds the
// one or two a value has, which grown from nil were allocated anew for
// every value that holds one.
func interpolations(s string, buf []interpolation) []interpolation {
	return scanInterpolations(s, 0, buf[:0])
}

func scanInterpolations(s string, base int, out []interpolation) []interpolation {
	for i := 0; i+1 < len(s); i++ {
		if s[i] != '$' {
			continue
		}
		if s[i+1] == '$' {
			i++
			continue
		}
		if s[i+1] != '{' {
			continue
		}
		j := i + 2
		for j < len(s) && isNameByte(s[j]) {
			j++
		}
		if j == i+2 || j >= len(s) {
			continue
		}
		op := ""
		for _, o := range [...]string{":-", ":?", ":+", "-", "?", "+"} {
			if strings.HasPrefix(s[j:], o) {
				op = o
				break
			}
		}
		if op == "" && s[j] != '}' {
			continue
		}
		end := closingBrace(s, j+len(op))
		if end < 0 {
			return out
		}
		body := s[j+len(op) : end]
		out = append(out, interpolation{Start: base + i, End: base + end + 1, Name: s[i+2 : j], Op: op, OpStart: base + j, Body: body})
		out = scanInterpolations(body, base+j+len(op), out)
		i = end
	}
	return out
}

func isNameByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// closingBrace returns the index of the "}" that closes a reference whose
// body starts at from, skipping nested references; -1 when there is none.
func closingBrace(s string, from int) int {
	depth := 0
	for k := from; k < len(s); k++ {
		switch {
		case s[k] == '$' && k+1 < len(s) && s[k+1] == '$':
			k++
		case s[k] == '$' && k+1 < len(s) && s[k+1] == '{':
			depth++
			k++
		case s[k] == '}':
			if depth == 0 {
				return k
			}
			depth--
		}
	}
	return -1
}

// expandDefaults returns s with each top-level reference replaced by its
// default (${X:-d} and ${X-d}) or by "" and "$$" by "$": the value compose
// uses when no variable is set.
func expandDefaults(s string) string {
	if !strings.Contains(s, "$") {
		return s
	}
	var b strings.Builder
	at := 0
	var buf [4]interpolation
	for _, iv := range interpolations(s, buf[:0]) {
		if iv.Start < at { // nested in the previous one
			continue
		}
		b.WriteString(strings.ReplaceAll(s[at:iv.Start], "$$", "$"))
		if iv.Op == ":-" || iv.Op == "-" {
			b.WriteString(expandDefaults(iv.Body))
		}
		at = iv.End
	}
	b.WriteString(strings.ReplaceAll(s[at:], "$$", "$"))
	return b.String()
}

// interpolated reports whether s refers to a variable (${X} or $X); an
// escaped "$$" is a literal dollar.
func interpolated(s string) bool { return interp.Has(s) }

// The word lists below are switches that report whether a word is in
// the list: a package map literal is built by code at every process
// start, --version included (issue 14).

// secretWords are the name words that make a variable secret-like.
func secretWords(word string) bool {
	switch word {
	case "PASSWORD", "PASSWORDS", "PASSWD", "PASS", "PWD", "SECRET", "SECRETS", "TOKEN",
		"TOKENS", "KEY", "APIKEY", "PASSPHRASE", "CREDENTIALS":
		return true
	}
	return false
}

// notSecretLast are final name words that make a secret-like name describe
// something else: a file holding the secret, its length, the user name.
func notSecretLast(word string) bool {
	switch word {
	case "FILE", "PATH", "DIR", "LENGTH", "LEN", "MIN", "MAX", "TIMEOUT", "HEADER",
		"ID", "NAME", "URL", "URI", "HOST", "PORT", "USER", "USERNAME", "LOGIN",
		"ENABLED", "ENABLE", "DISABLED", "DISABLE", "TYPE", "ALGORITHM", "ALG",
		"PREFIX", "FIELD", "POLICY", "MODE", "METHOD", "REQUIRED", "LOCATION",
		"FORMAT", "IN", "PARAM", "VERSION", "SIZE", "BITS", "ROTATION", "STORE",
		"PROVIDER", "AUTH", "HASH", "USERS", "CONVERTER", "SERIALIZER", "DESERIALIZER",
		"CLASS":
		return true
	}
	return false
}

// notSecretAnywhere are name words that make any name describe something
// other than a secret: public keys, lifetimes.
func notSecretAnywhere(word string) bool {
	switch word {
	case "PUBLIC", "PUB", "EXPIRY", "EXPIRES", "EXPIRE", "EXPIRATION", "LIFETIME",
		"TTL", "RESET":
		return true
	}
	return false
}

// secretName reports whether a variable name is secret-like: REDIS_PASSWORD,
// JWT_SECRET, TYPESENSE_API_KEY, ADMIN_SETUP_TOKEN; not POSTGRES_PASSWORD_FILE,
// JWT_PUBLIC_KEY, TOKEN_TTL or AWS_ACCESS_KEY_ID.
func secretName(name string) bool {
	// The words are walked without collecting them: rules ask this of
	// every environment variable of every pass.
	last, secret := "", false
	for w := range strings.FieldsFuncSeq(strings.ToUpper(name), func(r rune) bool { return r == '_' || r == '-' || r == '.' }) {
		if notSecretAnywhere(w) {
			return false
		}
		if secretWords(w) || strings.HasSuffix(w, "PASSWORD") || strings.HasSuffix(w, "SECRET") || strings.HasSuffix(w, "TOKEN") {
			secret = true
		}
		last = w
	}
	return secret && !notSecretLast(last)
}

// secretValue reports whether a literal value of a secret-like variable
// looks like a secret rather than a switch or a path.
func secretValue(v string) bool {
	v = strings.TrimSpace(v)
	switch strings.ToLower(v) {
	case "", "true", "false", "yes", "no", "on", "off", "none", "null", "disabled", "enabled":
		return false
	}
	return !strings.HasPrefix(v, "/") && !strings.HasPrefix(v, "./") && !strings.HasPrefix(v, "~/")
}

// placeholders are default values that mean "fill me in".
func placeholders(value string) bool {
	switch value {
	case "changeme", "change-me", "change_me", "changeit", "changethis", "change-this",
		"change_this", "replaceme", "replace-me", "replace_me", "minioadmin",
		"password", "passw0rd", "p@ssw0rd", "secret", "example", "admin@example.com",
		"xxx", "todo":
		return true
	}
	return false
}

// isPlaceholder reports whether a default is a placeholder: a known filler
// word, "your-…" text, or an e-mail address at an example domain.
func isPlaceholder(v string) bool {
	l := strings.ToLower(strings.TrimSpace(v))
	if placeholders(l) || strings.Contains(l, "changeme") || strings.Contains(l, "change_me") || strings.HasPrefix(l, "your-") || strings.HasPrefix(l, "your_") {
		return true
	}
	if at := strings.LastIndexByte(l, '@'); at > 0 && !strings.ContainsAny(l, " /:") {
		domain := l[at+1:]
		for _, ex := range [...]string{"example.com", "example.org", "example.net"} {
			if domain == ex || strings.HasSuffix(domain, "."+ex) {
				return true
			}
		}
	}
	return false
}

// --- CF502 ---------------------------------------------------------------

// urlPasswordRE matches a URL with credentials; group 1 is the password.
var urlPasswordRE = lazyre.New(`^[A-Za-z][A-Za-z0-9+.-]*://[^:/@\s]*:([^@/\s]+)@`)

func checkLiteralSecrets(p *Pass) error {
	seen := map[*yaml.Node]bool{}
	for _, s := range p.servicesOf(p.Document) {
		env := s.get("environment")
		if env == nil {
			continue
		}
		for _, e := range envEntries(env) {
			if seen[e.node] {
				continue
			}
			seen[e.node] = true
			switch {
			case e.value == "" || interpolated(e.value):
			case secretName(e.name) && secretValue(e.value) && !e.bool:
				p.Report(e.node, nil, "environment variable %q has a literal secret value; expected ${%s:?%s must be set} or a compose secret",
					e.name, e.name, e.name)
			// What the expression needs is checked first: most values are
			// not URLs, and the search was most of the rule's cost.
			case strings.Contains(e.value, "://") && strings.Contains(e.value, "@") && urlPasswordRE().MatchString(e.value):
				p.Report(e.node, nil, "environment variable %q holds a URL with a literal password; expected the password from a variable", e.name)
			}
		}
	}
	return nil
}

// envEntry is one environment variable as written.
type envEntry struct {
	name, value string
	bool        bool       // the value is a YAML boolean, not a secret
	node        *yaml.Node // the value (map form) or the item (list form)
}

// envEntries returns the variables of an environment mapping (merge keys
// followed) or KEY=VALUE list. Entries without a value are left out.
func envEntries(env *yaml.Node) []envEntry {
	var out []envEntry
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		n = compose.Resolve(n)
		if n == nil || depth > 32 {
			return
		}
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], compose.Resolve(n.Content[i+1])
				if compose.IsMergeKey(k) {
					walk(v, depth+1)
					continue
				}
				if v == nil || v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
					continue
				}
				out = append(out, envEntry{name: k.Value, value: v.Value, bool: v.Tag == "!!bool", node: v})
			}
		case yaml.SequenceNode:
			for _, it := range n.Content {
				it = compose.Resolve(it)
				if it == nil {
					continue
				}
				if it.Kind == yaml.MappingNode { // a merged mapping in a "<<: [*a, *b]" list
					walk(it, depth+1)
					continue
				}
				if it.Kind != yaml.ScalarNode {
					continue
				}
				name, value, ok := strings.Cut(it.Value, "=")
				if ok {
					out = append(out, envEntry{name: strings.TrimSpace(name), value: value, node: it})
				}
			}
		}
	}
	walk(env, 0)
	return out
}
