package fixers

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/fixers/kb"
	"github.com/composefix/composefix/internal/imagematch"
	"github.com/composefix/composefix/internal/interp"
	"go.yaml.in/yaml/v3"
)

// Rule IDs of the healthchecks and dependency conditions family, and of the
// undefined-service check, which lives here because it reads depends_on too.
const (
	healthcheckID      = "CF101"
	dependsOnID        = "CF102"
	undefinedServiceID = "CF602"
)

// Dependency conditions of the long depends_on syntax.
const (
	condStarted   = "service_started"
	condHealthy   = "service_healthy"
	condCompleted = "service_completed_successfully"
)

// healthRules returns the rules of the healthchecks and dependency conditions (CF1xx) family.
func healthRules() []*Rule {
	return []*Rule{healthcheckRule(), dependsOnRule(), healthProgramRule(), undefinedServiceRule()}
}

// HealthConfig configures the healthchecks and dependency conditions (CF1xx) rules; the zero value means the defaults.
type HealthConfig struct {
	// Healthchecks add, override or turn off healthchecks for in-house
	// images and services, in the order written. An entry naming the
	// service wins over entries matching its image.
	Healthchecks []HealthOverride
}

// HealthOverride is one healthcheck from .composefix.yaml.
type HealthOverride struct {
	// Service is a service name; Image a glob on the image reference (as
	// written, its repository, or "registry/*" covering everything below).
	// Exactly one is set.
	Service, Image string
	// Test is the command in list form ("CMD" or "CMD-SHELL" first), written
	// verbatim: no parameters are filled in.
	Test []string
	// Interval, Timeout, StartPeriod and StartInterval are compose
	// durations; "" takes the knowledge base's value for the image, or
	// leaves the key out (Docker's default).
	Interval, Timeout, StartPeriod, StartInterval string
	// Retries is the failure count; 0 as for the durations.
	Retries int
	// Disable turns the healthcheck rule off for the matched services.
	Disable bool
}

// override returns the configured healthcheck for a service.
func (c HealthConfig) override(service, image string) (HealthOverride, bool) {
	for _, h := range c.Healthchecks {
		if h.Service != "" && h.Service == service {
			return h, true
		}
	}
	for _, h := range c.Healthchecks {
		if h.Image != "" && image != "" && matchImagePattern(h.Image, image) {
			return h, true
		}
	}
	return HealthOverride{}, false
}

// matchImagePattern matches a glob from .composefix.yaml against an image as
// config.MatchImage does (imagematch.Match: whole reference, repository, or
// a "/*" prefix), and also against the normalised repository, so that
// "postgres" matches "docker.io/library/postgres:16".
func matchImagePattern(pattern, image string) bool {
	return imagematch.Match(pattern, image) || imagematch.Match(pattern, kb.Repository(image))
}

func healthcheckRule() *Rule {
	return &Rule{
		ID: healthcheckID, Name: "healthcheck", Safety: Safe, Severity: Warning,
		Summary: "services of known images get a healthcheck that works inside the image",
		Doc: `Services without a healthcheck get one from the knowledge base.

Without a healthcheck, Docker cannot tell a running container from a working one, and
dependents cannot wait for it (condition: service_healthy). For about forty image
families (postgres, mysql, mariadb, redis, traefik, minio, grafana, ...) the knowledge
base knows a test command whose binary the image really ships, with interval, timeout,
retries and start_period. The command takes its parameters from the service:
POSTGRES_USER and POSTGRES_DB through "$$" so the container's shell expands them,
redis --requirepass from the command, a port set in the command or the environment.

Prerequisites are added with the healthcheck: traefik gets "--ping=true" appended to
its command (an item for a list, a word for a string). A traefik without a command
gets no fix: its static configuration then comes from a file or TRAEFIK_* variables,
and Traefik ignores those as soon as it is given command-line flags.

Left alone: services that have or inherit a healthcheck (disable: true included, also
from another file of the project), one-shot jobs (init, migrations, setup), and images
that declare their own HEALTHCHECK, as the knowledge base knows or as the image's config
says (image facts, read from the registry; such a service also counts as healthy for
CF102). With --inspect-files the check is the first of the knowledge base's commands
for the image whose program its layers hold (busybox wget where curl is gone); when
none is there, the finding names the missing programs and there is no fix. A service that replaces the image's entrypoint or
runs a shell script as its command (a backup job on the postgres image) is reported
without a fix: what it runs may not be what the healthcheck probes. So is a server
that listens where its configuration file says (nginx, httpd) when the service names
its own file (nginx -c custom.conf) or publishes container ports without the one the
check probes (only 8080 where nginx listens on 80 by default). Services built from a Dockerfile and images the
knowledge base does not know are reported without a fix; .composefix.yaml can add
healthchecks for in-house images (healthchecks: [{image: acme/api, test: [...]}]).

Before:
  services:
    db:
      image: postgres:16.4
      environment:
        POSTGRES_USER: app

After:
  services:
    db:
      image: postgres:16.4
      environment:
        POSTGRES_USER: app
      healthcheck:
        test: ["CMD-SHELL", "pg_isready -h 127.0.0.1 -p $${PGPORT:-5432} -U $${POSTGRES_USER:-postgres} -d $${POSTGRES_DB:-$${POSTGRES_USER:-postgres}}"]
        interval: 10s
        timeout: 5s
        retries: 5
        start_period: 30s`,
		Check: checkHealthcheck,
	}
}

func dependsOnRule() *Rule {
	return &Rule{
		ID: dependsOnID, Name: "depends-on-condition", Safety: Safe, Severity: Warning,
		Summary: "depends_on waits for health (or completion of one-shot jobs), not just start",
		Doc: `Dependencies wait until the service they need is healthy, not merely started.

A short depends_on list ([db, redis]) only orders container starts: the dependent
starts while the database is still initialising. The fix rewrites it in the long
syntax with condition: service_healthy for dependencies that have a healthcheck (or
get one from the healthcheck rule in the same run), service_completed_successfully for
one-shot jobs (init, migrations, setup), and service_started otherwise. Long entries
without a condition get one the same way; a condition that is written, even
service_started, is the author's choice and never changed (an info finding says
when more is available). Order and comments are kept. A list where no entry would wait for more
than start is left alone: it means the same.

Before:
  services:
    api:
      image: acme/api:1.4.2
      depends_on: [db, migrate]

After:
  services:
    api:
      image: acme/api:1.4.2
      depends_on: {db: {condition: service_healthy}, migrate: {condition: service_completed_successfully}}`,
		Check: checkDependsOn,
	}
}

func undefinedServiceRule() *Rule {
	return &Rule{
		ID: undefinedServiceID, Name: "undefined-service", Safety: DisplayOnly, Severity: Error,
		Summary: "depends_on names a service that no file of the project defines",
		Doc: `A dependency on a service that is not defined is an error.

docker compose refuses to start a project whose depends_on names a service that neither
this file nor another file of the project (an override, -f files, include) defines.
It is usually a typo or a service that was renamed. There is no automatic fix.

Before:
  services:
    api:
      image: acme/api:1.4.2
      depends_on: [postgres]
    db:
      image: postgres:16.4

After: rename the dependency to db (or define postgres).`,
		Check: checkUndefinedServices,
	}
}

// healthCtx is what a CF1xx rule needs for one pass: the rule's Pass and
// the facts every CF1xx rule shares.
type healthCtx struct {
	p *Pass
	*healthFacts
}

// healthFacts are a document's services and the healthcheck decisions
// about them, made once per document for every CF1xx rule: they depend on
// the document, the project and the run, not on the rule asking.
type healthFacts struct {
	// quiet is Pass.fixesOnly of the analysis that made these facts: its
	// plans carry no reasons (see healthCtx.noFix), so an analysis that
	// reports findings without fixes makes facts of its own.
	quiet     bool
	index     *kb.Index
	ss        []svc
	all       map[string]svc
	completed map[string]bool
	flowTest  bool
	// plans and deps memoize plan and dep by service name: every
	// dependant asks again, and dep may render a whole fix.
	plans map[string]hcPlan
	deps  map[string]depState
	// needs holds, for a pending dependency, the edits of the healthcheck
	// fix CF101 makes for it: a condition waiting for it needs them.
	needs map[string][]compose.Edit
	// shapes holds the distinct healthchecks added, by what renders them
	// (see healthCtx.shape).
	shapes map[string]hcShape
	// conditions holds the dependency conditions added (see condition).
	conditions map[string]*yaml.Node
	// made memoizes healthCtx.fix's change by service name: CF101 makes
	// it for the service, and CF102 again for each service that depends
	// on it (for the edits its condition needs).
	made map[string]hcChange
}

// hcChange is what healthCtx.fix makes for a service: the change and
// the fix's title, or why there is none.
type hcChange struct {
	ch            compose.Change
	title, reason string
	err           error
}

func newHealthCtx(p *Pass) (*healthCtx, error) {
	if p.memo != nil {
		if f, ok := p.memo.health[p.Document]; ok && f.quiet == p.fixesOnly {
			return &healthCtx{p: p, healthFacts: f}, nil
		}
	}
	ss := p.services()
	f := &healthFacts{
		quiet: p.fixesOnly, index: p.Config.Knowledge.Index, ss: ss, all: p.serviceNames(),
		completed: p.completedDependencies(), flowTest: flowTests(ss),
		// Every service gets a plan: sized, a large file's map is not
		// grown (and copied) a doubling at a time.
		plans: make(map[string]hcPlan, len(ss)), deps: map[string]depState{}, needs: map[string][]compose.Edit{},
		shapes: map[string]hcShape{}, conditions: map[string]*yaml.Node{}, made: map[string]hcChange{},
	}
	if p.memo != nil {
		p.memo.health[p.Document] = f
	}
	return &healthCtx{p: p, healthFacts: f}, nil
}

// flowTests reports whether new healthcheck tests should be flow sequences:
// unless the file's existing tests are mostly block sequences.
func flowTests(ss []svc) bool {
	flow, block := 0, 0
	for _, s := range ss {
		hc := s.get("healthcheck")
		if hc == nil {
			continue
		}
		t, _ := compose.Lookup(hc, "test")
		if t = compose.Resolve(t); t == nil || t.Kind != yaml.SequenceNode {
			continue
		}
		if t.Style&yaml.FlowStyle != 0 {
			flow++
		} else {
			block++
		}
	}
	return block <= flow
}

// hcAction is what the healthcheck rule does for one service.
type hcAction int

const (
	hcLeave hcAction = iota // has one, inherits one, one-shot, or turned off
	hcAdd                   // a healthcheck (and prerequisites) can be added
	hcNoFix                 // needs one, but no command is known or it cannot be added
)

// hcPlan is the healthcheck rule's decision for one service.
type hcPlan struct {
	action hcAction
	node   *yaml.Node // the healthcheck mapping to insert
	what   string     // short description for the fix title: the entry name
	prereq kb.Prerequisites
	ks     kb.Service
	reason string // for hcNoFix: why there is no fix
	note   string // appended to the finding: why image files did not decide
}

// imageOf returns the service's image, with the literal default of a whole
// "${VAR:-image}" interpolation (interp.Literal, as the pin rules read it).
func imageOf(s svc) string {
	img := ""
	if v := s.value("image"); v != nil && v.Kind == yaml.ScalarNode {
		img = strings.TrimSpace(v.Value)
	}
	if lit, _, ok := interp.Literal(img); ok {
		return lit
	}
	return img
}

// plan decides what the healthcheck rule does for s, once per service.
func (h *healthCtx) plan(s svc) hcPlan {
	if pl, ok := h.plans[s.Name]; ok {
		return pl
	}
	pl := h.decide(s)
	h.plans[s.Name] = pl
	return pl
}

// decide is plan without the memo.
func (h *healthCtx) decide(s svc) hcPlan {
	if h.p.settled(h.all, s, "healthcheck") || h.p.isOneShot(s, h.completed) {
		return hcPlan{action: hcLeave}
	}
	image := imageOf(s)
	facts, hasFacts := h.p.imageFacts(s)
	// The config's date picks among an image's entries where they differ
	// by build (mariadb's healthcheck user); without facts the tag decides.
	entry, known := h.index.LookupAt(image, facts.Created)
	if o, ok := h.p.Config.Health.override(s.Name, image); ok {
		if o.Disable {
			return hcPlan{action: hcLeave}
		}
		return hcPlan{action: hcAdd, node: h.overrideNode(o, entry, known), what: "the configured healthcheck", ks: kbService(s, image)}
	}
	switch {
	case image == "" && s.has("build"):
		return h.noFix("it is built from a Dockerfile, whose healthcheck composefix cannot know; add one by hand or in .composefix.yaml")
	case image == "":
		return hcPlan{action: hcLeave} // no image and no build: not a runnable service (another file may complete it)
	case h.p.imageHealthcheck(s):
		return hcPlan{action: hcLeave} // the image's config declares a HEALTHCHECK
	case !known && s.has("build"):
		return h.noFix("it is built from a Dockerfile as %q, which the knowledge base does not know; add one by hand or in .composefix.yaml", image)
	case !known:
		return h.noFix("the knowledge base has no healthcheck for image %q; add one by hand or in .composefix.yaml", image)
	case entry.ImageHealthcheck:
		return hcPlan{action: hcLeave}
	case s.has("entrypoint"):
		return h.noFix("it replaces the entrypoint of image %q, so what runs may not be what the %s healthcheck probes; add one by hand", image, entry.Family)
	}
	// What the knowledge base reads of the service (its environment, a
	// split command, its ports: a map and slices) is read only for an image
	// it knows: most services' images it does not, and reading them was a
	// third of deciding (issue 14).
	ks := kbService(s, image)
	switch {
	case len(ks.Command) > 0 && shells(ks.Command[0]):
		return h.noFix("its command runs a shell script in image %q, which may not start what the %s healthcheck probes (a backup or setup job); add one by hand", image, entry.Family)
	}
	if flag := entry.OwnConfig(ks); flag != "" {
		return h.noFix("it runs %s with its own configuration (%s), which may listen elsewhere than the %s healthcheck probes; add one by hand", entry.Family, flag, entry.Family)
	}
	if probed, ports, bad := entry.PortMismatch(ks); bad {
		return h.noFix("its container ports (%s) do not include %s, which the %s healthcheck probes: its configuration has moved the port; add one by hand", strings.Join(ports, ", "), probed, entry.Family)
	}
	if hasFacts && facts.Files != nil {
		picked, missing, ok := h.runnable(image, ks, facts)
		if !ok {
			reason := fmt.Sprintf("image %q has none of the programs the knowledge base's checks for it run: it lacks %s", image, strings.Join(missing, ", "))
			if len(missing) == 0 {
				reason = fmt.Sprintf("no healthcheck command works in image %q", image)
				if entry.NoFix != "" {
					reason += ": " + strings.TrimSuffix(entry.NoFix, ".")
				}
			}
			return hcPlan{action: hcNoFix, reason: reason}
		}
		entry = picked
	}
	test, err := h.index.Render(entry, ks)
	switch {
	case errors.Is(err, kb.ErrNoFix):
		return h.noFix("no healthcheck command works in image %q: %s", image, strings.TrimSuffix(entry.NoFix, "."))
	case err != nil:
		return hcPlan{action: hcNoFix, reason: err.Error()}
	}
	pre := entry.Prerequisites(ks)
	if pre.State == kb.PrereqConflict {
		return h.noFix("the %s healthcheck needs %s, which the service turns off", entry.Family, prereqText(entry))
	}
	node, what := h.shape(entry, test)
	pl := hcPlan{action: hcAdd, node: node, what: what, prereq: pre, ks: ks}
	if hasFacts && facts.FilesNote != "" {
		pl.note = "; " + facts.FilesNote + ", so the knowledge base chose the command"
	}
	return pl
}

// noFix is the plan of a service that needs a healthcheck and gets none,
// with the reason the finding gives. A pass that only looks for fixes
// reports no finding without one (Pass.fixesOnly), so its plans (quiet)
// format none: every later pass decides again for every service, and for
// most (images the knowledge base does not know) the reason was all the
// work left. A reason without arguments is taken as written.
func (h *healthCtx) noFix(format string, args ...string) hcPlan {
	switch {
	case h.quiet:
		return hcPlan{action: hcNoFix}
	case len(args) == 0:
		return hcPlan{action: hcNoFix, reason: format}
	}
	return hcPlan{action: hcNoFix, reason: msgf(format, args...)}
}

// runnable returns the first of the knowledge base's checks for image
// whose program (and /bin/sh, for a shell test) the image's files hold;
// otherwise the programs that were missing, in order.
func (h *healthCtx) runnable(image string, ks kb.Service, f ImageFacts) (kb.Healthcheck, []string, bool) {
	var missing []string
	for _, alt := range h.index.Alternatives(image, f.Created) {
		test, err := h.index.Render(alt, ks)
		if err != nil || len(test) < 2 {
			continue
		}
		prog, shell, ok := testProgram(compose.Seq(test[0], test[1]))
		if !ok {
			continue
		}
		m, _ := missingProgram(f, true, alt, true, prog, shell)
		if m == "" {
			return alt, nil, true
		}
		if !slices.Contains(missing, m) {
			missing = append(missing, m)
		}
	}
	return kb.Healthcheck{}, missing, false
}

func prereqText(e kb.Healthcheck) string {
	var parts []string
	if e.RequiresCommandFlag != "" {
		parts = append(parts, e.RequiresCommandFlag+" in the command")
	}
	for k, v := range e.RequiresEnv {
		parts = append(parts, k+"="+v)
	}
	return strings.Join(parts, " and ")
}

func (h *healthCtx) testNode(test []string) *yaml.Node {
	// Flow tests quote every item, as the audits and compose's docs write
	// them; block items are quoted only where YAML needs it.
	seq := compose.Seq()
	for _, t := range test {
		if h.flowTest {
			seq.Content = append(seq.Content, compose.Quoted(t))
		} else {
			seq.Content = append(seq.Content, compose.Str(t))
		}
	}
	if h.flowTest {
		seq.Style = yaml.FlowStyle
	}
	return seq
}

// shape returns the healthcheck mapping to insert for entry with test, and
// the fix title's name for it, made once per document for each distinct
// healthcheck: a file of many services of one image gets the same one for
// each, and a copy per service was most of what a large file's fixes held.
// Sharing the node is safe because nothing writes to a value node once it
// is rendered: edits are text, and verification replays an operation by
// linking its value into a copy of the target (compose.intendedOf), never
// by changing the value.
func (h *healthCtx) shape(entry kb.Healthcheck, test []string) (*yaml.Node, string) {
	// The key is written into a buffer on the stack and looked up without
	// a string of its own (the compiler converts it for the lookup only):
	// most services find their shape, and a key per service was 1% of the
	// 10,000-service benchmark file's allocations.
	var buf [256]byte
	key := kb.AppendKey(buf[:0], entry.Family)
	key = kb.AppendKey(key, entry.Interval)
	key = kb.AppendKey(key, entry.Timeout)
	key = kb.AppendKey(key, strconv.Itoa(entry.Retries))
	key = kb.AppendKey(key, entry.StartPeriod)
	for _, s := range test {
		key = kb.AppendKey(key, s)
	}
	if sh, ok := h.shapes[string(key)]; ok {
		return sh.node, sh.what
	}
	sh := hcShape{
		node: compose.Map("test", h.testNode(test), "interval", entry.Interval, "timeout", entry.Timeout,
			"retries", compose.Int(strconv.Itoa(entry.Retries)), "start_period", entry.StartPeriod),
		what: "the " + entry.Family + " healthcheck",
	}
	h.shapes[string(key)] = sh
	return sh.node, sh.what
}

// condition returns the {condition: cond} mapping of a dependency, one per
// condition in a document, shared as healthchecks are (see shape).
func (h *healthCtx) condition(cond string) *yaml.Node {
	n, ok := h.conditions[cond]
	if !ok {
		n = compose.Map("condition", cond)
		h.conditions[cond] = n
	}
	return n
}

// hcShape is a healthcheck mapping and its name, shared by the services
// that get the same one (see healthCtx.shape).
type hcShape struct {
	node *yaml.Node
	what string
}

// overrideNode renders a configured healthcheck; unset timings come from
// the knowledge-base entry of the image when there is one.
func (h *healthCtx) overrideNode(o HealthOverride, e kb.Healthcheck, known bool) *yaml.Node {
	if known {
		if o.Interval == "" {
			o.Interval = e.Interval
		}
		if o.Timeout == "" {
			o.Timeout = e.Timeout
		}
		if o.StartPeriod == "" {
			o.StartPeriod = e.StartPeriod
		}
		if o.Retries == 0 {
			o.Retries = e.Retries
		}
	}
	m := compose.Map("test", h.testNode(o.Test))
	for _, kv := range []struct{ k, v string }{{"interval", o.Interval}, {"timeout", o.Timeout}} {
		if kv.v != "" {
			m.Content = append(m.Content, compose.Str(kv.k), compose.Str(kv.v))
		}
	}
	if o.Retries > 0 {
		m.Content = append(m.Content, compose.Str("retries"), compose.Int(strconv.Itoa(o.Retries)))
	}
	for _, kv := range []struct{ k, v string }{{"start_period", o.StartPeriod}, {"start_interval", o.StartInterval}} {
		if kv.v != "" {
			m.Content = append(m.Content, compose.Str(kv.k), compose.Str(kv.v))
		}
	}
	return m
}

// kbService extracts what the knowledge base reads from a service.
func kbService(s svc, image string) kb.Service {
	ks := kb.Service{Image: image, Environment: map[string]string{}}
	if env := s.get("environment"); env != nil {
		switch env.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(env.Content); i += 2 {
				if v := compose.Resolve(env.Content[i+1]); v != nil && v.Kind == yaml.ScalarNode && v.Tag != "!!null" {
					ks.Environment[env.Content[i].Value] = v.Value
				}
			}
		case yaml.SequenceNode:
			for _, it := range env.Content {
				if it = compose.Resolve(it); it != nil && it.Kind == yaml.ScalarNode {
					if k, v, ok := strings.Cut(it.Value, "="); ok {
						ks.Environment[k] = v
					}
				}
			}
		}
	}
	if cmd := s.value("command"); cmd != nil {
		switch cmd.Kind {
		case yaml.SequenceNode:
			for _, it := range cmd.Content {
				if it = compose.Resolve(it); it != nil && it.Kind == yaml.ScalarNode {
					ks.Command = append(ks.Command, it.Value)
				}
			}
		case yaml.ScalarNode:
			if cmd.Tag != "!!null" {
				words, err := kb.SplitShell(cmd.Value)
				if err != nil {
					words = strings.Fields(cmd.Value)
				}
				ks.Command = words
			}
		}
	}
	for _, key := range []string{"ports", "expose"} {
		list := s.get(key)
		if list == nil || list.Kind != yaml.SequenceNode {
			continue
		}
		for _, it := range list.Content {
			if port := containerPort(compose.Resolve(it)); port != "" {
				ks.Ports = append(ks.Ports, port)
			}
		}
	}
	return ks
}

// containerPort returns the container side of a ports or expose entry:
// "8080:80/tcp" and "127.0.0.1:8080:80" give "80", {target: 80} gives "80".
func containerPort(n *yaml.Node) string {
	switch {
	case n == nil:
		return ""
	case n.Kind == yaml.MappingNode:
		if _, t := compose.MapGet(n, "target"); t != nil && t.Kind == yaml.ScalarNode {
			return t.Value
		}
		return ""
	case n.Kind != yaml.ScalarNode:
		return ""
	}
	v := n.Value
	if i := strings.IndexByte(v, '/'); i >= 0 {
		v = v[:i]
	}
	if i := strings.LastIndexByte(v, ':'); i >= 0 {
		v = v[i+1:]
	}
	return strings.TrimSpace(v)
}

func checkHealthcheck(p *Pass) error {
	h, err := newHealthCtx(p)
	if err != nil {
		return err
	}
	for _, s := range h.ss {
		pl := h.plan(s)
		switch pl.action {
		case hcLeave:
			continue
		case hcNoFix:
			p.reportf(s.Key, nil, "service %q has no healthcheck and gets none: %s", s.Name, pl.reason)
			continue
		}
		if o := p.overlayRuns(s.Name); o != "" {
			p.reportf(s.Key, nil, "service %q has no healthcheck and gets none: %s, an overlay of this file, runs another image or command for it; add one by hand, here or in the overlay", s.Name, o)
			continue
		}
		if o := p.overlaySets(s.Name, "healthcheck"); o != "" {
			// compose merges the overlay's healthcheck into one added here:
			// its unset timings would become ours.
			p.reportf(s.Key, nil, "service %q has no healthcheck and gets none: %s, an overlay of this file, sets one, which one added here would change; add one by hand", s.Name, o)
			continue
		}
		fix, reason, err := h.fix(s, pl)
		if err != nil {
			return err
		}
		if fix == nil {
			p.reportf(s.Key, nil, "service %q has no healthcheck and gets none: %s", s.Name, reason)
			continue
		}
		p.reportf(s.Key, fix, "service %q has no healthcheck; dependents cannot wait for it to be ready%s", s.Name, pl.note)
	}
	return nil
}

// fix builds the change for an hcAdd plan: the prerequisites first (they
// sort before the healthcheck at a shared offset), then the healthcheck.
// A nil fix comes with the reason it cannot be made. The change is made
// once per service (see healthFacts.made); each call gets a Fix of its
// own, with its rule's safety.
func (h *healthCtx) fix(s svc, pl hcPlan) (*Fix, string, error) {
	m, ok := h.made[s.Name]
	if !ok {
		m = h.change(s, pl)
		if h.made != nil {
			h.made[s.Name] = m
		}
	}
	if m.err != nil || m.reason != "" {
		return nil, m.reason, m.err
	}
	return h.p.fixf(m.ch, "%s", m.title), "", nil
}

// change is fix without the memo.
func (h *healthCtx) change(s svc, pl hcPlan) hcChange {
	d := h.p.Document
	if s.target == nil {
		return hcChange{reason: "the service is an alias shared with others; add the healthcheck where it is defined"}
	}
	var ch compose.Change
	var extra []string
	if pl.prereq.Flag != "" {
		c, reason, err := h.addFlag(s, pl.prereq.Flag, pl.ks.Command)
		if err != nil || reason != "" {
			return hcChange{reason: reason, err: err}
		}
		ch.Add(c)
		extra = append(extra, pl.prereq.Flag)
	}
	if len(pl.prereq.Env) > 0 {
		c, reason, err := h.addEnv(s, pl.prereq.Env)
		if err != nil || reason != "" {
			return hcChange{reason: reason, err: err}
		}
		ch.Add(c)
		extra = append(extra, pl.prereq.Env...)
	}
	c, err := d.InsertKey(s.target, "healthcheck", pl.node)
	if err != nil {
		return hcChange{err: err}
	}
	if len(extra) == 0 {
		ch = c // the healthcheck alone, most often: InsertKey's own slices, not copies
	} else {
		ch.Add(c)
		compose.SortEdits(ch.Edits)
	}
	title := "Add " + pl.what + " to " + s.Name
	if len(extra) > 0 {
		title += " with " + strings.Join(extra, ", ")
	}
	return hcChange{ch: ch, title: title}
}

// shells are the shells a test or command runs a script with (sh -c);
// a switch, since a package map is built by code at every process start
// (issue 14).
func shells(name string) bool {
	switch name {
	case "sh", "bash", "ash", "/bin/sh", "/bin/bash", "/bin/ash":
		return true
	}
	return false
}

// addFlag appends flag to the service's own command; words is that command
// as the plan read it (kbService). reason is set when that cannot be done
// safely.
func (h *healthCtx) addFlag(s svc, flag string, words []string) (compose.Change, string, error) {
	d := h.p.Document
	cmd := s.own("command")
	switch {
	case cmd == nil && s.has("command"):
		return compose.Change{}, fmt.Sprintf("the healthcheck needs %s in the command, which is inherited; add both by hand", flag), nil
	case cmd == nil || cmd.Kind == yaml.ScalarNode && cmd.Tag == "!!null":
		return compose.Change{}, fmt.Sprintf("the healthcheck needs %s, and the service has no command: add it where the static configuration is (a file or environment variables, which command-line flags would override) and the healthcheck by hand", flag), nil
	case cmd.Kind == yaml.AliasNode:
		return compose.Change{}, fmt.Sprintf("the healthcheck needs %s in the command, which is an alias; add both by hand", flag), nil
	}
	if len(words) > 0 && shells(words[0]) {
		return compose.Change{}, fmt.Sprintf("the healthcheck needs %s, and the command runs a shell script; add both by hand", flag), nil
	}
	for _, w := range words {
		if strings.HasPrefix(strings.ToLower(w), "--configfile") {
			return compose.Change{}, fmt.Sprintf("the healthcheck needs %s, and the command loads a configuration file, which takes precedence over flags; enable it there and add the healthcheck by hand", flag), nil
		}
	}
	switch cmd.Kind {
	case yaml.SequenceNode:
		item := compose.Str(flag)
		if n := len(cmd.Content); n > 0 && cmd.Content[n-1].Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
			item = compose.Quoted(flag)
		}
		ch, err := d.AppendItem(cmd, item)
		return ch, "", err
	case yaml.ScalarNode:
		if cmd.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
			return compose.Change{}, fmt.Sprintf("the healthcheck needs %s in the command, a block scalar; add both by hand", flag), nil
		}
		ch, err := d.SetScalar(cmd, strings.TrimRight(cmd.Value, " ")+" "+flag)
		return ch, "", err
	}
	return compose.Change{}, fmt.Sprintf("the healthcheck needs %s in the command; add both by hand", flag), nil
}

// addEnv adds NAME=value variables to the service's own environment.
func (h *healthCtx) addEnv(s svc, vars []string) (compose.Change, string, error) {
	d := h.p.Document
	env := s.own("environment")
	var ch compose.Change
	switch {
	case env == nil && s.has("environment"):
		return ch, fmt.Sprintf("the healthcheck needs %s in the environment, which is inherited; add both by hand", strings.Join(vars, ", ")), nil
	case env == nil:
		m := compose.Map()
		for _, kv := range vars {
			k, v, _ := strings.Cut(kv, "=")
			m.Content = append(m.Content, compose.Str(k), compose.Quoted(v))
		}
		c, err := d.InsertKey(s.target, "environment", m)
		return c, "", err
	case env.Kind == yaml.MappingNode:
		// One InsertKey per variable would insert at one offset in an
		// order the engine does not promise; the knowledge base needs one.
		if len(vars) != 1 {
			return ch, fmt.Sprintf("the healthcheck needs %s in the environment; add them by hand", strings.Join(vars, ", ")), nil
		}
		k, v, _ := strings.Cut(vars[0], "=")
		c, err := d.InsertKey(env, k, compose.Quoted(v))
		return c, "", err
	case env.Kind == yaml.SequenceNode && len(vars) == 1:
		c, err := d.AppendItem(env, compose.Str(vars[0]))
		return c, "", err
	}
	return ch, fmt.Sprintf("the healthcheck needs %s in the environment; add it by hand", strings.Join(vars, ", ")), nil
}

// depState is what a dependency can be waited for.
type depState int

const (
	depUndefined depState = iota // no file of the project defines it
	depStarted                   // only its start can be waited for
	depReady                     // it has a healthcheck: service_healthy works now
	depPending                   // the healthcheck rule adds one in this run
	depCompleted                 // a one-shot job: wait for it to finish
)

// dep classifies the dependency called name, once per name.
func (h *healthCtx) dep(name string) depState {
	if st, ok := h.deps[name]; ok {
		return st
	}
	st := h.classify(name)
	h.deps[name] = st
	return st
}

// classify is dep without the memo.
func (h *healthCtx) classify(name string) depState {
	if t, ok := h.all[name]; ok {
		if h.p.isOneShot(t, h.completed) {
			return depCompleted
		}
		if hc := t.get("healthcheck"); hc != nil {
			if healthcheckDisabled(hc) {
				return depStarted
			}
			return depReady
		}
		if set, _ := h.p.inherits(h.all, t, "healthcheck"); set || h.p.elsewhere(name, "healthcheck") {
			return depReady
		}
		if e, ok := h.index.Lookup(imageOf(t)); ok && e.ImageHealthcheck || h.p.imageHealthcheck(t) {
			return depReady
		}
		if pl := h.plan(t); pl.action == hcAdd && h.p.runs(healthcheckID) {
			if f, _, err := h.fix(t, pl); err == nil && f != nil {
				h.needs[name] = f.Change.Edits
				return depPending
			}
		}
		return depStarted
	}
	// Defined only in another file of the project: its own run adds what it
	// lacks; here only what it already has counts.
	for _, d := range h.p.others() {
		for _, t := range h.p.servicesOf(d) {
			if t.Name != name {
				continue
			}
			if h.p.isOneShot(t, nil) {
				return depCompleted
			}
			if hc := t.get("healthcheck"); hc != nil && !healthcheckDisabled(hc) {
				return depReady
			}
			return depStarted
		}
	}
	return depUndefined
}

// healthcheckDisabled reports whether a healthcheck turns checking off.
func healthcheckDisabled(hc *yaml.Node) bool {
	if v, _ := compose.Lookup(hc, "disable"); v != nil && compose.Resolve(v).Value == "true" {
		return true
	}
	if t, _ := compose.Lookup(hc, "test"); t != nil {
		t = compose.Resolve(t)
		if t.Kind == yaml.SequenceNode && len(t.Content) > 0 && t.Content[0].Value == "NONE" {
			return true
		}
	}
	return false
}

func (s depState) condition() string {
	switch s {
	case depReady, depPending:
		return condHealthy
	case depCompleted:
		return condCompleted
	}
	return condStarted
}

func checkDependsOn(p *Pass) error {
	h, err := newHealthCtx(p)
	if err != nil {
		return err
	}
	for _, s := range h.ss {
		if s.Node == nil {
			continue
		}
		own := s.own("depends_on")
		deps := compose.Resolve(s.get("depends_on"))
		if deps == nil {
			continue
		}
		editable := own != nil && own.Kind != yaml.AliasNode && !s.Shared
		switch deps.Kind {
		case yaml.SequenceNode:
			if err := h.shortDeps(s, deps, editable); err != nil {
				return err
			}
		case yaml.MappingNode:
			if err := h.longDeps(s, deps, editable); err != nil {
				return err
			}
		}
	}
	return nil
}

// shortDeps handles depends_on: [a, b]. While a dependency's healthcheck is
// only being added in this run (pending), the conversion needs that
// healthcheck's fix (Fix.Needs): it lands in the same pass or waits, so
// service_healthy is never written for a service without a healthcheck (the
// healthcheck rule may be deselected or suppressed), and no service_started
// is written that would then count as the author's choice.
func (h *healthCtx) shortDeps(s svc, deps *yaml.Node, editable bool) error {
	var want []string
	states := map[*yaml.Node]depState{}
	for _, it := range deps.Content {
		if it.Kind != yaml.ScalarNode {
			return nil
		}
		st := h.dep(it.Value)
		states[it] = st
		if st == depReady || st == depCompleted || st == depPending {
			want = append(want, st.condition()+" for "+strconv.Quote(it.Value)) // %s for %q
		}
	}
	if len(want) == 0 {
		return nil
	}
	var fix *Fix
	if editable {
		entry := func(it *yaml.Node) (string, *yaml.Node) { return it.Value, h.condition(states[it].condition()) }
		// The key is at hand: found through the document's parent index,
		// it costs a large file a map of every node.
		var ch compose.Change
		var err error
		if key, v := compose.MapGet(s.Node, "depends_on"); v == deps {
			ch, err = h.p.Document.ConvertSeqToMapAt(key, deps, entry)
		} else {
			ch, err = h.p.Document.ConvertSeqToMap(deps, entry)
		}
		if err != nil {
			return err
		}
		fix = h.p.fixf(ch, "Wait for the dependencies of %s to be ready", s.Name)
		// A pending entry's condition is true only with the healthcheck
		// that CF101 adds in the same pass; without it (not applied, not
		// allowed, suppressed) the list stays short.
		for _, it := range deps.Content {
			if states[it] == depPending {
				fix.Needs = append(fix.Needs, h.needs[it.Value]...)
			}
		}
	}
	h.p.reportf(deps, fix, "service %q waits only for its dependencies to start; expected %s", s.Name, strings.Join(want, ", "))
	return nil
}

// longDeps adds the condition to long-syntax entries that have none.
func (h *healthCtx) longDeps(s svc, deps *yaml.Node, editable bool) error {
	d := h.p.Document
	for i := 0; i+1 < len(deps.Content); i += 2 {
		k, v := deps.Content[i], deps.Content[i+1]
		if v.Kind == yaml.AliasNode {
			continue
		}
		var written *yaml.Node
		switch {
		case v.Kind == yaml.MappingNode:
			_, written = compose.MapGet(v, "condition")
		case v.Kind == yaml.ScalarNode && v.Tag == "!!null":
		default:
			continue
		}
		if written != nil && (written.Kind != yaml.ScalarNode || written.Value != condStarted) {
			// A condition written other than service_started is neither
			// changed nor mentioned, whatever the dependency is: it is not
			// classified (every dependency of a fixed file, in its later
			// pass).
			continue
		}
		st := h.dep(k.Value)
		if st != depReady && st != depPending && st != depCompleted {
			continue
		}
		cond := st.condition()
		if written != nil {
			// A written condition is the author's choice, service_started
			// included (mailcow's postfix waits for mysql to start only):
			// it is never changed, only mentioned.
			if st != depPending && written.Kind == yaml.ScalarNode && written.Value == condStarted {
				h.p.ReportSeverity(written, Info, nil, "service %q waits for %q to start, as written; condition: %s is available", s.Name, k.Value, cond)
			}
			continue
		}
		var fix *Fix
		if editable {
			ch, err := d.InsertKey(v, "condition", compose.Str(cond))
			if err != nil {
				return err
			}
			fix = h.p.fixf(ch, "Wait for %s to be %s", k.Value, strings.TrimPrefix(cond, "service_"))
			if st == depPending {
				fix.Needs = h.needs[k.Value] // see shortDeps
			}
		}
		h.p.reportf(k, fix, "service %q waits only for %q to start; expected condition: %s", s.Name, k.Value, cond)
	}
	return nil
}

func checkUndefinedServices(p *Pass) error {
	d := p.Document
	if k, _ := compose.MapGet(d.Root, "include"); k != nil && len(p.Project) <= 1 {
		return nil // included files define services this run cannot see
	}
	h := &healthCtx{p: p, healthFacts: &healthFacts{index: p.Config.Knowledge.Index, ss: p.servicesOf(d), all: p.namesOf(d)}}
	for _, s := range h.ss {
		if s.Node == nil {
			continue
		}
		deps := compose.Resolve(s.get("depends_on"))
		if deps == nil {
			continue
		}
		var names []*yaml.Node
		switch deps.Kind {
		case yaml.SequenceNode:
			names = deps.Content
		case yaml.MappingNode:
			for i := 0; i < len(deps.Content); i += 2 {
				if !compose.IsMergeKey(deps.Content[i]) {
					names = append(names, deps.Content[i])
				}
			}
		}
		for _, n := range names {
			if n.Kind != yaml.ScalarNode || strings.Contains(n.Value, "$") {
				continue
			}
			if _, ok := h.all[n.Value]; ok || h.definedElsewhere(n.Value) {
				continue
			}
			p.reportf(n, nil, "service %q depends on %q, which no file of the project defines", s.Name, n.Value)
		}
	}
	return nil
}

func (h *healthCtx) definedElsewhere(name string) bool {
	for _, d := range h.p.others() {
		for _, t := range d.Services() {
			if t.Name == name {
				return true
			}
		}
	}
	return false
}
