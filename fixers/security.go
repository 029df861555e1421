package fixers

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/fixers/kb"
	"go.yaml.in/yaml/v3"
)

// SecurityConfig configures the security (CF5xx) rules; the zero value means
// the defaults. .composefix.yaml has no security section yet: the unsafe
// fixes of these rules are enabled with --unsafe-fixes or per rule under
// unsafe_fixes, and findings are silenced with ignore comments.
type SecurityConfig struct{}

// securityRules returns the rules of the security (CF5xx) family.
func securityRules() []*Rule {
	return []*Rule{
		weakDefaultRule(),
		literalSecretRule(),
		dockerSocketRule(),
		publishedPortRule(),
		noNewPrivilegesRule(),
		privilegedRule(),
		hostNamespaceRule(),
		capabilitiesRule(),
		rootUserRule(),
	}
}

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

func dockerSocketRule() *Rule {
	return &Rule{
		ID: "CF503", Name: "docker-socket-writable", Safety: Unsafe, Severity: Warning,
		Summary: "the Docker socket mounted writable becomes read-only (:ro, read_only: true)",
		Doc: `The Docker socket mounted writable becomes read-only.

A container holding /var/run/docker.sock can start privileged containers: it owns
the host. Proxies such as Traefik only read events and need no more than a
read-only mount. The fix appends :ro to the short syntax (an existing :rw becomes
:ro, other options such as :z are kept: :ro,z) and adds read_only: true to the long
syntax. Unsafe: tools that manage containers (Portainer, Watchtower) need the
socket writable; ignore the rule for them. A read-only mount keeps the socket file
from being replaced but the API stays reachable: for real isolation put a socket
proxy in front of it.

Before:
  services:
    traefik:
      volumes:
        - /var/run/docker.sock:/var/run/docker.sock
        - type: bind
          source: /run/docker.sock
          target: /var/run/docker.sock

After:
  services:
    traefik:
      volumes:
        - /var/run/docker.sock:/var/run/docker.sock:ro
        - type: bind
          source: /run/docker.sock
          target: /var/run/docker.sock
          read_only: true`,
		Check: checkDockerSocket,
	}
}

func publishedPortRule() *Rule {
	return &Rule{
		ID: "CF504", Name: "database-port-exposed", Safety: Unsafe, Severity: Warning,
		Summary: "database, cache and broker ports published on every interface are bound to 127.0.0.1",
		Doc: `Database, cache and broker ports published on every interface are bound to 127.0.0.1.

"5432:5432" publishes PostgreSQL on every interface of the host, and Docker's
iptables rules bypass host firewalls such as ufw: the database is on the internet.
Other services reach it over the compose network anyway; the host only needs
loopback. The rule knows the usual ports of databases, caches, search engines and
brokers (5432, 3306, 27017, 6379, 11211, 5672, 9092, 9200, 8086, 1433, 5984, 7687,
2181, 9042 and more) and a few that depend on the image (9000 and 8123 of
ClickHouse). Short syntax gets a 127.0.0.1 host address ("5432" becomes
"127.0.0.1::5432", "0.0.0.0:" becomes "127.0.0.1:", "[::]:" becomes "[::1]:"),
always as a quoted string; long syntax gets host_ip: 127.0.0.1. Unsafe: clients on
other hosts can no longer connect.

Before:
  services:
    db:
      image: postgres:16.4
      ports:
        - 5432:5432

After:
  services:
    db:
      image: postgres:16.4
      ports:
        - "127.0.0.1:5432:5432"`,
		Check: checkPublishedPorts,
	}
}

func noNewPrivilegesRule() *Rule {
	return &Rule{
		ID: "CF505", Name: "no-new-privileges", Safety: Unsafe, Severity: Warning,
		Summary: "services without no-new-privileges get security_opt: [no-new-privileges:true]",
		Doc: `Services without no-new-privileges get security_opt: no-new-privileges:true.

no-new-privileges keeps processes in the container from gaining privileges
through setuid binaries (sudo, su, ping on some images), which closes a common
path from a compromised application to root in its container. The option is
appended to the service's own security_opt list (block or flow) or added as a new
key. A service that sets no-new-privileges either way, or inherits security_opt
through a merge key or extends, is left alone; an inherited list is reported
without a fix (it belongs to a shared anchor). Unsafe: images that rely on setuid
binaries at run time stop working.

Before:
  services:
    web:
      image: nginx:1.27.3

After:
  services:
    web:
      image: nginx:1.27.3
      security_opt:
        - no-new-privileges:true`,
		Check: checkNoNewPrivileges,
	}
}

func privilegedRule() *Rule {
	return &Rule{
		ID: "CF506", Name: "privileged", Safety: DisplayOnly, Severity: Error,
		Summary: "privileged: true gives the container every capability and every device",
		Doc: `privileged: true is reported as an error.

A privileged container has every capability, every device and no seccomp or
AppArmor profile: root in it is root on the host. There is no automatic fix;
grant the capabilities (cap_add) or devices the service really needs instead.

Before:
  services:
    agent:
      image: acme/agent:1.2.0
      privileged: true

After:
  services:
    agent:
      image: acme/agent:1.2.0
      cap_add: [NET_ADMIN]`,
		Check: checkPrivileged,
	}
}

func hostNamespaceRule() *Rule {
	return &Rule{
		ID: "CF507", Name: "host-namespace", Safety: DisplayOnly, Severity: Error,
		Summary: "network_mode, pid, ipc, uts or userns_mode: host share a host namespace",
		Doc: `Sharing a host namespace (network_mode, pid, ipc, uts or userns_mode: host) is reported as an error.

network_mode: host puts the container on the host's network stack (every port it
opens is public, and it can reach services bound to the host's loopback); pid: host
lets it see and signal every process of the host; ipc: host shares the host's
shared memory; userns_mode: host turns off user namespace remapping. There is no
automatic fix: publish ports, or run the tool on the host.

Before:
  services:
    app:
      image: acme/app:1.2.0
      network_mode: host

After:
  services:
    app:
      image: acme/app:1.2.0
      ports:
        - "127.0.0.1:8080:8080"`,
		Check: checkHostNamespaces,
	}
}

func capabilitiesRule() *Rule {
	return &Rule{
		ID: "CF508", Name: "dangerous-capability", Safety: DisplayOnly, Severity: Error,
		Summary: "cap_add with ALL or SYS_ADMIN",
		Doc: `cap_add with ALL or SYS_ADMIN is reported as an error.

ALL is privileged mode by another name, and SYS_ADMIN allows mounting
filesystems and most of what escaping a container takes. There is no automatic
fix: add the narrow capabilities the service needs (NET_ADMIN, NET_BIND_SERVICE).

Before:
  services:
    vpn:
      image: acme/vpn:2.0.1
      cap_add: [SYS_ADMIN]

After:
  services:
    vpn:
      image: acme/vpn:2.0.1
      cap_add: [NET_ADMIN]`,
		Check: checkCapabilities,
	}
}

func rootUserRule() *Rule {
	return &Rule{
		ID: "CF509", Name: "runs-as-root", Safety: DisplayOnly, Severity: Info,
		Summary: "services whose image runs as root by default and that set no user",
		Doc: `Services whose image runs as root by default and that set no user are reported.

The knowledge base knows which images start their process as root. Many official
images (postgres, redis) drop privileges in their entrypoint, others (nginx's
master process, most application images) do not; a user: key makes it explicit.
There is no automatic fix: the right user depends on the image and on the
ownership of its volumes.

Before:
  services:
    cache:
      image: memcached:1.6.31

After:
  services:
    cache:
      image: memcached:1.6.31
      user: "11211:11211"`,
		Check: func(p *Pass) error { return checkRootUser(p, p.Config.Knowledge.Healthchecks) },
	}
}

// --- CF501 ---------------------------------------------------------------

func checkWeakDefaults(p *Pass) error {
	d := p.Document
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
	for _, iv := range interpolations(n.Value) {
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
		what := "a literal secret default"
		if w.placeholder {
			what = "a placeholder default"
		}
		p.ReportSpan(sp, p.rule.Severity, fix, "variable %q falls back to %s %q; expected ${%s:?%s must be set}",
			iv.Name, what, iv.Body, iv.Name, iv.Name)
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
func interpolations(s string) []interpolation {
	var out []interpolation
	scanInterpolations(s, 0, &out)
	return out
}

func scanInterpolations(s string, base int, out *[]interpolation) {
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
			return
		}
		body := s[j+len(op) : end]
		*out = append(*out, interpolation{Start: base + i, End: base + end + 1, Name: s[i+2 : j], Op: op, OpStart: base + j, Body: body})
		scanInterpolations(body, base+j+len(op), out)
		i = end
	}
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
	for _, iv := range interpolations(s) {
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
func interpolated(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if s[i] != '$' {
			continue
		}
		if s[i+1] == '$' {
			i++
			continue
		}
		if s[i+1] == '{' || isNameByte(s[i+1]) && !(s[i+1] >= '0' && s[i+1] <= '9') {
			return true
		}
	}
	return false
}

// secretWords are the name words that make a variable secret-like.
var secretWords = map[string]bool{
	"PASSWORD": true, "PASSWORDS": true, "PASSWD": true, "PASS": true, "PWD": true,
	"SECRET": true, "SECRETS": true, "TOKEN": true, "TOKENS": true, "KEY": true,
	"APIKEY": true, "PASSPHRASE": true, "CREDENTIALS": true,
}

// notSecretLast are final name words that make a secret-like name describe
// something else: a file holding the secret, its length, the user name.
var notSecretLast = map[string]bool{
	"FILE": true, "PATH": true, "DIR": true, "LENGTH": true, "LEN": true, "MIN": true, "MAX": true,
	"TIMEOUT": true, "HEADER": true, "ID": true, "NAME": true, "URL": true, "URI": true,
	"HOST": true, "PORT": true, "USER": true, "USERNAME": true, "LOGIN": true, "ENABLED": true,
	"ENABLE": true, "DISABLED": true, "DISABLE": true, "TYPE": true, "ALGORITHM": true, "ALG": true,
	"PREFIX": true, "FIELD": true, "POLICY": true, "MODE": true, "METHOD": true, "REQUIRED": true,
	"LOCATION": true, "FORMAT": true, "IN": true, "PARAM": true, "VERSION": true, "SIZE": true,
	"BITS": true, "ROTATION": true, "STORE": true, "PROVIDER": true, "AUTH": true, "HASH": true,
	"USERS": true, "CONVERTER": true, "SERIALIZER": true, "DESERIALIZER": true, "CLASS": true,
}

// notSecretAnywhere are name words that make any name describe something
// other than a secret: public keys, lifetimes.
var notSecretAnywhere = map[string]bool{
	"PUBLIC": true, "PUB": true, "EXPIRY": true, "EXPIRES": true, "EXPIRE": true,
	"EXPIRATION": true, "LIFETIME": true, "TTL": true, "RESET": true,
}

// secretName reports whether a variable name is secret-like: REDIS_PASSWORD,
// JWT_SECRET, TYPESENSE_API_KEY, ADMIN_SETUP_TOKEN; not POSTGRES_PASSWORD_FILE,
// JWT_PUBLIC_KEY, TOKEN_TTL or AWS_ACCESS_KEY_ID.
func secretName(name string) bool {
	words := strings.FieldsFunc(strings.ToUpper(name), func(r rune) bool { return r == '_' || r == '-' || r == '.' })
	if len(words) == 0 || notSecretLast[words[len(words)-1]] {
		return false
	}
	secret := false
	for _, w := range words {
		if notSecretAnywhere[w] {
			return false
		}
		if secretWords[w] || strings.HasSuffix(w, "PASSWORD") || strings.HasSuffix(w, "SECRET") || strings.HasSuffix(w, "TOKEN") {
			secret = true
		}
	}
	return secret
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
var placeholders = map[string]bool{
	"changeme": true, "change-me": true, "change_me": true, "changeit": true, "changethis": true,
	"change-this": true, "change_this": true, "replaceme": true, "replace-me": true, "replace_me": true,
	"minioadmin": true, "password": true, "passw0rd": true, "p@ssw0rd": true, "secret": true,
	"example": true, "admin@example.com": true, "xxx": true, "todo": true,
}

// isPlaceholder reports whether a default is a placeholder: a known filler
// word, "your-…" text, or an e-mail address at an example domain.
func isPlaceholder(v string) bool {
	l := strings.ToLower(strings.TrimSpace(v))
	if placeholders[l] || strings.Contains(l, "changeme") || strings.Contains(l, "change_me") || strings.HasPrefix(l, "your-") || strings.HasPrefix(l, "your_") {
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
var urlPasswordRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*://[^:/@\s]*:([^@/\s]+)@`)

func checkLiteralSecrets(p *Pass) error {
	seen := map[*yaml.Node]bool{}
	for _, s := range services(p.Document) {
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
			case urlPasswordRE.MatchString(e.value):
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
				if k.Value == "<<" && k.Tag != "!!str" {
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

// --- shared helpers --------------------------------------------------------

// owners decides which nodes a service may edit.
type owners struct {
	d       *compose.Document
	aliased map[*yaml.Node]bool // anchored nodes that some alias names
}

func newOwners(d *compose.Document) owners {
	o := owners{d: d, aliased: map[*yaml.Node]bool{}}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			o.aliased[n.Alias] = true
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	for _, doc := range d.Docs {
		walk(doc)
	}
	return o
}

// editable reports whether service s owns node n: n is written inside the
// service's own mapping, not in an anchor that other nodes alias (the
// service's mapping itself may carry one: what inherits it gets the same
// fix for the same fact).
func (o owners) editable(s svc, n *yaml.Node) bool {
	if s.target == nil || s.Node == nil || n == nil {
		return false
	}
	for cur := n; cur != nil; cur = o.d.Parent(cur) {
		if cur == s.Node {
			return true
		}
		if o.aliased[cur] {
			return false
		}
	}
	return false
}

// nodeFindings collects one finding per node seen through several services
// (an anchor merged into each), keeping the first service that may edit it.
type nodeFindings struct {
	order []*yaml.Node
	by    map[*yaml.Node]*nodeFinding
}

type nodeFinding struct {
	s        svc
	editable bool
	names    []string // every service that has the node, in file order
}

func (c *nodeFindings) add(n *yaml.Node, s svc, editable bool) {
	if c.by == nil {
		c.by = map[*yaml.Node]*nodeFinding{}
	}
	if f, ok := c.by[n]; ok {
		f.names = append(f.names, s.Name)
		if editable && !f.editable {
			f.s, f.editable = s, true
		}
		return
	}
	c.by[n] = &nodeFinding{s: s, editable: editable, names: []string{s.Name}}
	c.order = append(c.order, n)
}

// who names the services of a finding: `service "a"` or, for a node
// shared through an anchor, `services "a", "b"`.
func (f *nodeFinding) who() string {
	if len(f.names) == 1 {
		return fmt.Sprintf("service %q", f.names[0])
	}
	q := make([]string, len(f.names))
	for i, n := range f.names {
		q[i] = strconv.Quote(n)
	}
	return "services " + strings.Join(q, ", ")
}

func verbS(f *nodeFinding) string {
	if len(f.names) == 1 {
		return "s"
	}
	return ""
}

func verbES(f *nodeFinding) string {
	if len(f.names) == 1 {
		return "es"
	}
	return ""
}

// seqItems returns the items of a sequence (aliases resolved), or nil.
func seqItems(n *yaml.Node) []*yaml.Node {
	n = compose.Resolve(n)
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]*yaml.Node, 0, len(n.Content))
	for _, it := range n.Content {
		if it = compose.Resolve(it); it != nil {
			out = append(out, it)
		}
	}
	return out
}

// lookupStr returns the effective scalar value of key in mapping m with
// defaults of interpolations applied, and the node; "" and nil when unset.
func lookupStr(m *yaml.Node, key string) (string, *yaml.Node) {
	v, _ := compose.Lookup(m, key)
	v = compose.Resolve(v)
	if v == nil || v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
		return "", nil
	}
	return expandDefaults(v.Value), v
}

// splitOutside splits s at sep outside ${...} references and returns the
// parts and the offset of each.
func splitOutside(s string, sep byte) (parts []string, offsets []int) {
	start, depth := 0, 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '$' && i+1 < len(s) && s[i+1] == '{':
			depth++
			i++
		case s[i] == '}' && depth > 0:
			depth--
		case s[i] == sep && depth == 0:
			parts, offsets = append(parts, s[start:i]), append(offsets, start)
			start = i + 1
		}
	}
	return append(parts, s[start:]), append(offsets, start)
}

// substringChange edits bytes [from, to) of scalar n's value, keeping its
// quoting; when the value is not verbatim in the source (escapes), it
// rewrites the whole scalar quoted.
func substringChange(d *compose.Document, n *yaml.Node, from, to int, repl string) (compose.Change, error) {
	if ch, err := d.SetSubstring(n, from, to, repl); err == nil {
		return ch, nil
	}
	return d.ReplaceValue(n, compose.Quoted(n.Value[:from]+repl+n.Value[to:]))
}

// --- CF503 ---------------------------------------------------------------

// isDockerSocket reports whether a host path is the Docker (or Podman) API
// socket.
func isDockerSocket(path string) bool {
	path = strings.TrimSuffix(strings.TrimSpace(path), "/")
	return strings.HasSuffix(path, "/docker.sock") || strings.HasSuffix(path, "/podman.sock") || path == "docker.sock"
}

func checkDockerSocket(p *Pass) error {
	d := p.Document
	own := newOwners(d)
	var found nodeFindings
	for _, s := range services(d) {
		for _, it := range seqItems(s.get("volumes")) {
			switch it.Kind {
			case yaml.ScalarNode:
				if _, _, _, ok := writableSocketShort(it.Value); ok {
					found.add(it, s, own.editable(s, it))
				}
			case yaml.MappingNode:
				if writableSocketLong(it) {
					found.add(it, s, own.editable(s, it))
				}
			}
		}
	}
	for _, n := range found.order {
		f := found.by[n]
		var fix *Fix
		var src string
		if n.Kind == yaml.ScalarNode {
			from, to, repl, _ := writableSocketShort(n.Value)
			parts, _ := splitOutside(n.Value, ':')
			src = expandDefaults(parts[0])
			if f.editable {
				ch, err := substringChange(d, n, from, to, repl)
				if err != nil {
					return err
				}
				fix = p.NewFix(ch, "Mount the Docker socket read-only in %s", f.s.Name)
			}
		} else {
			src, _ = lookupStr(n, "source")
			if f.editable {
				var ch compose.Change
				var err error
				if k, v := compose.MapGet(n, "read_only"); k != nil {
					ch, err = d.ReplaceValue(v, compose.Bool(true))
				} else {
					ch, err = d.InsertKey(n, "read_only", compose.Bool(true))
				}
				if err != nil {
					return err
				}
				fix = p.NewFix(ch, "Mount the Docker socket read-only in %s", f.s.Name)
			}
		}
		p.Report(n, fix, "%s mount%s the Docker socket %q writable; expected it read-only", f.who(), verbS(f), src)
	}
	return nil
}

// writableSocketShort parses a short volume "SRC:DST[:OPTS]" and reports
// whether it mounts the Docker socket writable, with the edit that makes it
// read-only: the value's bytes [from, to) become repl.
func writableSocketShort(v string) (from, to int, repl string, ok bool) {
	parts, offs := splitOutside(v, ':')
	if len(parts) < 2 || len(parts) > 3 || !isDockerSocket(expandDefaults(parts[0])) {
		return 0, 0, "", false
	}
	if len(parts) == 2 {
		return len(v), len(v), ":ro", true
	}
	opts, at := parts[2], offs[2]
	if opts == "" {
		return at - 1, at, ":ro", true
	}
	for _, tok := range strings.Split(opts, ",") {
		switch tok {
		case "ro", "readonly":
			return 0, 0, "", false
		case "rw":
			return at, at + 2, "ro", true
		}
		at += len(tok) + 1
	}
	return offs[2], offs[2], "ro,", true
}

// writableSocketLong reports whether a long-syntax volume binds the Docker
// socket without read_only: true.
func writableSocketLong(m *yaml.Node) bool {
	if typ, _ := lookupStr(m, "type"); typ != "" && typ != "bind" {
		return false
	}
	src, _ := lookupStr(m, "source")
	if !isDockerSocket(src) {
		return false
	}
	ro, n := lookupStr(m, "read_only")
	return n == nil || !isTrue(ro)
}

func isTrue(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "yes", "on", "1":
		return true
	}
	return false
}

// --- CF504 ---------------------------------------------------------------

// dataPorts are container ports of databases, caches, search engines and
// brokers, whatever the image.
var dataPorts = map[int]string{
	5432: "PostgreSQL", 6432: "PgBouncer", 3306: "MySQL", 33060: "MySQL X", 27017: "MongoDB",
	6379: "Redis", 26379: "Redis Sentinel", 11211: "Memcached", 5672: "AMQP", 5671: "AMQP",
	9200: "Elasticsearch/OpenSearch", 9300: "Elasticsearch/OpenSearch transport", 8086: "InfluxDB", 1433: "SQL Server",
	5984: "CouchDB", 7687: "Neo4j Bolt", 2181: "ZooKeeper", 9042: "Cassandra", 9092: "Kafka",
	2379: "etcd", 28015: "RethinkDB", 8529: "ArangoDB", 1521: "Oracle",
}

// imageDataPorts are ports that mean a data service only for some images
// (9000 is also MinIO's API, PHP-FPM and Portainer).
var imageDataPorts = []struct {
	image string // a word of the image's last path component
	ports map[int]string
}{
	{"clickhouse", map[int]string{8123: "ClickHouse HTTP", 9000: "ClickHouse", 9009: "ClickHouse interserver"}},
	{"kafka", map[int]string{9093: "Kafka", 9094: "Kafka", 29092: "Kafka"}},
	{"mongo", map[int]string{27018: "MongoDB", 27019: "MongoDB"}},
	{"nats", map[int]string{4222: "NATS"}},
}

// dataPort returns the name of the data service listening on a container
// port (a port or a range "a-b") of image, or "" when none.
func dataPort(container, image string) (int, string) {
	lo, hi, ok := portRange(container)
	if !ok {
		return 0, ""
	}
	last := kb.Repository(image)
	if i := strings.LastIndexByte(last, '/'); i >= 0 {
		last = last[i+1:]
	}
	for port := lo; port <= hi && port-lo < 1<<16; port++ {
		if name, ok := dataPorts[port]; ok {
			return port, name
		}
		for _, ip := range imageDataPorts {
			if strings.Contains(last, ip.image) {
				if name, ok := ip.ports[port]; ok {
					return port, name
				}
			}
		}
	}
	return 0, ""
}

func portRange(s string) (lo, hi int, ok bool) {
	s = strings.TrimSpace(s)
	a, b, isRange := strings.Cut(s, "-")
	lo, err := strconv.Atoi(a)
	if err != nil {
		return 0, 0, false
	}
	hi = lo
	if isRange {
		if hi, err = strconv.Atoi(b); err != nil || hi < lo {
			return 0, 0, false
		}
	}
	return lo, hi, true
}

// shortPort is a parsed short-syntax port: [IP:][HOST:]CONTAINER[/PROTO].
type shortPort struct {
	container string
	// from, to and repl bind it to loopback: the value's bytes [from, to)
	// become repl. ok is false when it is bound to an address already.
	from, to int
	repl     string
	ok       bool
}

func parseShortPort(v string) (shortPort, bool) {
	body := v
	if i := strings.LastIndexByte(body, '/'); i >= 0 && !strings.Contains(body[i:], "}") {
		body = body[:i]
	}
	if strings.HasPrefix(body, "[") {
		end := strings.IndexByte(body, ']')
		if end < 0 || !strings.HasPrefix(body[end+1:], ":") {
			return shortPort{}, false
		}
		parts, _ := splitOutside(body[end+2:], ':')
		if len(parts) > 2 {
			return shortPort{}, false
		}
		sp := shortPort{container: parts[len(parts)-1]}
		switch ip := body[1:end]; ip {
		case "::", "":
			sp.from, sp.to, sp.repl, sp.ok = 1, end, "::1", true
		case "::0", "0:0:0:0:0:0:0:0":
			sp.from, sp.to, sp.repl, sp.ok = 1, end, "::1", true
		}
		return sp, true
	}
	parts, offs := splitOutside(body, ':')
	switch len(parts) {
	case 1:
		return shortPort{container: parts[0], from: 0, to: 0, repl: "127.0.0.1::", ok: true}, true
	case 2:
		return shortPort{container: parts[1], from: 0, to: 0, repl: "127.0.0.1:", ok: true}, true
	case 3:
		sp := shortPort{container: parts[2]}
		if ip := parts[0]; ip == "" || ip == "0.0.0.0" {
			sp.from, sp.to, sp.repl, sp.ok = offs[0], offs[0]+len(ip), "127.0.0.1", true
		}
		return sp, true
	}
	return shortPort{}, false // an unbracketed IPv6 address, or not a port
}

func checkPublishedPorts(p *Pass) error {
	d := p.Document
	own := newOwners(d)
	var found nodeFindings
	type what struct {
		port int
		name string
	}
	ports := map[*yaml.Node]what{}
	for _, s := range services(d) {
		if isHostMode(s.str("network_mode")) {
			continue // ports are ignored; CF507 reports the host network
		}
		image := expandDefaults(s.str("image"))
		for _, it := range seqItems(s.get("ports")) {
			var container string
			switch it.Kind {
			case yaml.ScalarNode:
				sp, ok := parseShortPort(it.Value)
				if !ok || !sp.ok {
					continue
				}
				container = expandDefaults(sp.container)
			case yaml.MappingNode:
				if ip, n := lookupStr(it, "host_ip"); n != nil && !allInterfaces(ip) {
					continue
				}
				container, _ = lookupStr(it, "target")
			default:
				continue
			}
			if port, name := dataPort(container, image); name != "" {
				ports[it] = what{port, name}
				found.add(it, s, own.editable(s, it))
			}
		}
	}
	for _, n := range found.order {
		f := found.by[n]
		w := ports[n]
		var fix *Fix
		if f.editable {
			ch, err := loopbackChange(d, n)
			if err != nil {
				return err
			}
			fix = p.NewFix(ch, "Bind %s's port %d to 127.0.0.1", f.s.Name, w.port)
		}
		p.Report(n, fix, "%s publish%s %s port %d on every interface; expected it bound to 127.0.0.1", f.who(), verbES(f), w.name, w.port)
	}
	return nil
}

// loopbackChange binds a published port (short or long syntax) to loopback.
// A short port is rewritten as a quoted string: unquoted, "5432:5432" is a
// base-60 number to YAML 1.1 parsers.
func loopbackChange(d *compose.Document, n *yaml.Node) (compose.Change, error) {
	if n.Kind == yaml.MappingNode {
		k, v := compose.MapGet(n, "host_ip")
		if k == nil {
			return d.InsertKey(n, "host_ip", compose.Str("127.0.0.1"))
		}
		if strings.Contains(v.Value, ":") {
			return d.ReplaceValue(v, compose.Quoted("::1"))
		}
		return d.ReplaceValue(v, compose.Str("127.0.0.1"))
	}
	sp, _ := parseShortPort(n.Value)
	if n.Tag == "!!str" && n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
		return substringChange(d, n, sp.from, sp.to, sp.repl)
	}
	return d.ReplaceValue(n, compose.Quoted(n.Value[:sp.from]+sp.repl+n.Value[sp.to:]))
}

func allInterfaces(ip string) bool {
	switch strings.Trim(strings.TrimSpace(ip), "[]") {
	case "", "0.0.0.0", "::", "::0":
		return true
	}
	return false
}

func isHostMode(v string) bool { return strings.EqualFold(strings.TrimSpace(v), "host") }

// --- CF505 ---------------------------------------------------------------

const noNewPrivileges = "no-new-privileges:true"

func checkNoNewPrivileges(p *Pass) error {
	d := p.Document
	own := newOwners(d)
	ss := services(d)
	all := byName(ss)
	multi := multiMerged(d)
	type plan struct {
		s   svc
		fix *Fix
		msg string
	}
	var plans []plan
	inserted := map[*yaml.Node]string{} // service mappings gaining the key, by service
	for _, s := range ss {
		opts := s.get("security_opt")
		if setsNoNewPrivileges(opts) {
			continue
		}
		if opts == nil {
			if set, unknown := p.inherits(all, s, "security_opt"); set || unknown {
				continue // extends: compose appends the lists; the base is checked itself
			}
		}
		pl := plan{s: s, msg: fmt.Sprintf("service %q does not set no-new-privileges; expected security_opt: [%q]", s.Name, noNewPrivileges)}
		_, mine := compose.MapGet(s.Node, "security_opt")
		target := compose.Resolve(mine)
		switch {
		case s.target == nil:
		case mine == nil && opts == nil && !multi[s.Node]:
			ch, err := d.InsertKey(s.target, "security_opt", compose.Seq(noNewPrivileges))
			if err != nil {
				return err
			}
			pl.fix = p.NewFix(ch, "Add security_opt: no-new-privileges:true to %s", s.Name)
			if s.Node != nil {
				inserted[s.Node] = s.Name
			}
		case mine != nil && own.editable(s, target) && (target.Kind == yaml.SequenceNode || target.Tag == "!!null"):
			ch, err := d.AppendItem(target, compose.Str(noNewPrivileges))
			if err != nil {
				return err
			}
			pl.fix = p.NewFix(ch, "Add no-new-privileges:true to %s's security_opt", s.Name)
		case opts != nil:
			pl.msg = fmt.Sprintf("service %q does not set no-new-privileges and its security_opt is shared; expected %q in it", s.Name, noNewPrivileges)
		}
		plans = append(plans, pl)
	}
	for _, pl := range plans {
		// A service merging one that gains the key inherits it: adding it
		// to both would only repeat it.
		if base := mergedFrom(pl.s, inserted); base != "" && pl.fix != nil && len(pl.fix.Change.Ops) == 1 && pl.fix.Change.Ops[0].Kind == compose.OpInsert {
			pl.fix = nil
			pl.msg = fmt.Sprintf("service %q does not set no-new-privileges; it inherits it from %q once that is fixed", pl.s.Name, base)
		}
		p.Report(pl.s.Key, pl.fix, "%s", pl.msg)
	}
	return nil
}

// mergedFrom returns the service of inserted that s merges directly
// ("<<: *base"), or "".
func mergedFrom(s svc, inserted map[*yaml.Node]string) string {
	if s.Node == nil {
		return ""
	}
	for i := 0; i+1 < len(s.Node.Content); i += 2 {
		if k := s.Node.Content[i]; k.Value != "<<" || k.Tag == "!!str" {
			continue
		}
		v := s.Node.Content[i+1]
		srcs := []*yaml.Node{v}
		if r := compose.Resolve(v); r != nil && r.Kind == yaml.SequenceNode {
			srcs = r.Content
		}
		for _, src := range srcs {
			if name, ok := inserted[compose.Resolve(src)]; ok && name != s.Name {
				return name
			}
		}
	}
	return ""
}

// multiMerged returns the mappings merged together with others
// ("<<: [*a, *b]"): a key added to one of them can take precedence over
// the same key of a later one and change what the merging mapping sees.
func multiMerged(d *compose.Document) map[*yaml.Node]bool {
	out := map[*yaml.Node]bool{}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if k.Value == "<<" && k.Tag != "!!str" && v.Kind == yaml.SequenceNode && len(v.Content) > 1 {
					for _, src := range v.Content {
						out[compose.Resolve(src)] = true
					}
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	for _, doc := range d.Docs {
		walk(doc)
	}
	return out
}

// setsNoNewPrivileges reports whether a security_opt list sets
// no-new-privileges, to true or (deliberately) false.
func setsNoNewPrivileges(opts *yaml.Node) bool {
	for _, it := range seqItems(opts) {
		if it.Kind == yaml.ScalarNode && strings.HasPrefix(strings.ToLower(strings.TrimSpace(it.Value)), "no-new-privileges") {
			return true
		}
	}
	return false
}

// --- CF506, CF507, CF508 ---------------------------------------------------

func checkPrivileged(p *Pass) error {
	seen := map[*yaml.Node]bool{}
	for _, s := range services(p.Document) {
		v := s.get("privileged")
		if v == nil || v.Kind != yaml.ScalarNode || !isTrue(expandDefaults(v.Value)) || seen[v] {
			continue
		}
		seen[v] = true
		p.Report(v, nil, "service %q runs privileged: root in the container is root on the host; expected the capabilities or devices it needs", s.Name)
	}
	return nil
}

func checkHostNamespaces(p *Pass) error {
	seen := map[*yaml.Node]bool{}
	for _, s := range services(p.Document) {
		for _, key := range [...]string{"network_mode", "pid", "ipc", "uts", "userns_mode"} {
			v := s.get(key)
			if v == nil || v.Kind != yaml.ScalarNode || !isHostMode(expandDefaults(v.Value)) || seen[v] {
				continue
			}
			seen[v] = true
			p.Report(v, nil, "service %q shares the host's %s namespace (%s: host)", s.Name, namespaceName(key), key)
		}
	}
	return nil
}

func namespaceName(key string) string {
	switch key {
	case "network_mode":
		return "network"
	case "userns_mode":
		return "user"
	}
	return key
}

func checkCapabilities(p *Pass) error {
	seen := map[*yaml.Node]bool{}
	for _, s := range services(p.Document) {
		for _, it := range seqItems(s.get("cap_add")) {
			if it.Kind != yaml.ScalarNode || seen[it] {
				continue
			}
			c := strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(it.Value)), "CAP_")
			if c != "ALL" && c != "SYS_ADMIN" {
				continue
			}
			seen[it] = true
			p.Report(it, nil, "service %q adds capability %q; expected the narrow capabilities it needs", s.Name, c)
		}
	}
	return nil
}

// --- CF509 -----------------------------------------------------------------

func checkRootUser(p *Pass, entries []kb.Healthcheck) error {
	ss := services(p.Document)
	all := byName(ss)
	for _, s := range ss {
		image := expandDefaults(s.str("image"))
		if image == "" {
			continue
		}
		if set, unknown := p.inherits(all, s, "user"); set || unknown {
			continue
		}
		h, ok := kb.Lookup(entries, image)
		if !ok || h.RunsAsRoot == nil || !*h.RunsAsRoot {
			continue
		}
		p.Report(s.Key, nil, "service %q runs as root: image %q starts as root and the service sets no user", s.Name, image)
	}
	return nil
}
