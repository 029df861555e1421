package kb

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/template"
	"time"
)

// Healthcheck is one knowledge-base entry: the healthcheck that works for an
// image family (or a vendor variant of it) and what it needs from the service.
type Healthcheck struct {
	// Name identifies the entry uniquely ("postgres", "postgres-bitnami").
	Name string
	// Family groups entries for the same software ("postgres").
	Family string
	// Images are normalised repositories (see SplitImage); path.Match globs
	// are allowed, which in-house entries from .composefix.yaml may use.
	Images []string
	// Tags, when set, is a regular expression the image tag must match for
	// the entry to apply (an Alpine variant, an old major version).
	Tags string
	// Versions, when set, is a version constraint the tag must satisfy
	// (">=3.6.0", ">=1.2 <2"). A tag names the newest image of its line:
	// "3" counts as the newest 3.x and "latest" as the newest of all.
	Versions string
	// Built, when set, is a constraint on the date the image's config says
	// it was created ("<2024-02-12"): what an image holds follows its build
	// date where a tag is rebuilt for years. It is checked when that date
	// is known (image facts), in addition to Tags and Versions. When the
	// date is unknown Tags and Versions decide alone, and an entry with
	// neither does not apply.
	Built string
	// Absent are programs known to be missing from the images this entry
	// matches (the distroless variant has no wget); a healthcheck that runs
	// one of them can never pass.
	Absent []string
	// Test is the compose healthcheck test: "CMD" or "CMD-SHELL" first, then
	// text/template strings over Params. Empty when NoFix is set.
	Test []string
	// Interval, Timeout and StartPeriod are compose durations ("10s").
	Interval, Timeout, StartPeriod string
	// Retries is the number of consecutive failures before unhealthy.
	Retries int
	// Class is the resource class (a key of Classes).
	Class string
	// RunsAsRoot says whether the image's default user is root; nil when
	// unknown.
	RunsAsRoot *bool
	// RequiresCommandFlag is a flag ("--ping=true") the service's command must
	// carry for Test to work; see Prerequisites.
	RequiresCommandFlag string
	// RequiresEnv is environment the service must set for Test to work.
	RequiresEnv map[string]string
	// ConfigFlags are flags with which the program reads a configuration
	// file of the service's ("-c" of nginx). Set, they say the program
	// listens where its configuration says: a service naming its own file
	// (OwnConfig), or publishing container ports without the one probed by
	// default (PortMismatch), gets no healthcheck.
	ConfigFlags []string
	// ImageHealthcheck reports that the image declares a HEALTHCHECK itself,
	// so condition: service_healthy works even without one in the file.
	ImageHealthcheck bool
	// Verified reports that a source for the command was checked; Source
	// names it.
	Verified bool
	// Why says why the command's binary is in the image.
	Why string
	// Source is where Why was checked (a repository path or a URL).
	Source string
	// Params are the values Test is rendered with, by name.
	Params map[string]Param
	// NoFix, when set, is why no command works (a scratch image): the rule
	// reports a finding without a fix.
	NoFix string
}

// Param is a value a healthcheck command takes from the service. Sources are
// tried in order: the command's flags, the environment, the first container
// port, then Default.
type Param struct {
	// Default is used when no source has a value; it may contain `$$VAR`
	// references the container's shell expands (CMD-SHELL tests only).
	Default string
	// Flags are command-line flags whose value is taken: "--port" matches
	// "--port 6380" and "--port=6380". The last occurrence wins.
	Flags []string
	// Env are environment variables, in order of preference; their values
	// are copied as written, interpolations included.
	Env []string
	// Match, when set, is a regular expression with one group: a candidate
	// value is used only if it matches, and the group is the value.
	Match string
	// ContainerPort takes the first container port of the service's ports
	// or expose entries.
	ContainerPort bool
	// Required makes Render fail with ErrMissingParam when nothing, not even
	// Default, gives a value.
	Required bool
	// DefaultOnlyWithoutCommand drops Default when the service sets its own
	// command: the default holds only for the image's own command line.
	DefaultOnlyWithoutCommand bool
}

// Service is what Render and Prerequisites read from a compose service.
type Service struct {
	// Image is the image reference as written.
	Image string
	// Environment maps names to values as written; values may contain
	// ${...} interpolations. An entry without a value is left out.
	Environment map[string]string
	// Command is the service's command in exec form; a string command is
	// split with SplitShell first. Elements containing blanks (the script of
	// `sh -c "..."`) are split again when looking for flags.
	Command []string
	// Ports are the container-side ports of `ports:` and `expose:`, in
	// file order, as written ("80", "80/tcp", "8000-8010"); the caller strips
	// the host part of `ports:` entries. UDP ports are skipped.
	Ports []string
}

// Healthchecks returns the embedded healthcheck knowledge base, from the
// tables generated out of healthchecks.yaml at build time (no decoding at
// run time). The entries are shared: callers must not modify them. The
// error is always nil; it stays for callers written against a decoder.
func Healthchecks() ([]Healthcheck, error) { return embeddedHealthchecks(), nil }

// decodeHealthchecks decodes and validates the embedded healthchecks.yaml;
// the tables test generates tables_gen.go from it.
func decodeHealthchecks() ([]Healthcheck, error) {
	entries, err := ParseHealthchecks(healthchecksYAML)
	if err != nil {
		return nil, fmt.Errorf("decoding embedded healthchecks.yaml: %w", err)
	}
	classes, err := decodeClasses()
	if err != nil {
		return nil, err
	}
	for _, h := range entries {
		if _, ok := classes[h.Class]; !ok {
			return nil, fmt.Errorf("decoding embedded healthchecks.yaml: %w", invalidf("entry %q: unknown class %q", h.Name, h.Class))
		}
	}
	return entries, nil
}

// ParseHealthchecks decodes and validates healthcheck entries from YAML with
// a top-level `healthchecks:` list in the schema of the embedded
// healthchecks.yaml (unknown keys are errors). It is how in-house entries
// from .composefix.yaml join the knowledge base; an entry without a class
// gets "application".
func ParseHealthchecks(data []byte) ([]Healthcheck, error) {
	var doc struct {
		Healthchecks []rawHealthcheck `yaml:"healthchecks"`
	}
	if err := decodeStrict(data, &doc); err != nil {
		return nil, err
	}
	entries := make([]Healthcheck, 0, len(doc.Healthchecks))
	seen := make(map[string]bool)
	for i, raw := range doc.Healthchecks {
		h, err := raw.healthcheck()
		if err != nil {
			return nil, fmt.Errorf("healthcheck %d (%q): %w", i+1, raw.Name, err)
		}
		if err := h.Validate(); err != nil {
			return nil, fmt.Errorf("healthcheck %d (%q): %w", i+1, raw.Name, err)
		}
		if seen[h.Name] {
			return nil, invalidf("healthcheck %d: duplicate name %q", i+1, h.Name)
		}
		seen[h.Name] = true
		entries = append(entries, h)
	}
	return entries, nil
}

// Merge returns extra followed by base, leaving out base entries whose name
// an extra entry reuses. Lookup tries entries in order, so extra entries
// (from .composefix.yaml) take precedence.
func Merge(base, extra []Healthcheck) []Healthcheck {
	names := make(map[string]bool, len(extra))
	out := make([]Healthcheck, 0, len(base)+len(extra))
	for _, h := range extra {
		names[h.Name] = true
		out = append(out, h)
	}
	for _, h := range base {
		if !names[h.Name] {
			out = append(out, h)
		}
	}
	return out
}

// Lookup returns the first entry whose images match the image's normalised
// repository and whose Tags (if any) match its tag. Entries are tried in
// order, so tag-specific variants are listed before their family's generic
// entry, and Merge puts user entries first. The image's creation date is
// unknown; see LookupAt.
func Lookup(entries []Healthcheck, image string) (Healthcheck, bool) {
	return LookupAt(entries, image, time.Time{})
}

// LookupAt is Lookup for an image created at created, as its config says;
// a zero created is unknown. Entries with Built apply by it; see Built.
func LookupAt(entries []Healthcheck, image string, created time.Time) (Healthcheck, bool) {
	repo, tag := SplitImage(image)
	if repo == "" {
		return Healthcheck{}, false
	}
	for _, h := range entries {
		if !h.matchesRepository(repo) {
			continue
		}
		if h.Tags != "" {
			re, err := regexp.Compile(h.Tags)
			if err != nil || !re.MatchString(tag) {
				continue
			}
		}
		if h.Versions != "" {
			clauses, err := parseVersions(h.Versions)
			if err != nil || !versionsMatch(clauses, tag) {
				continue
			}
		}
		if h.Built != "" {
			clauses, err := parseBuilt(h.Built)
			if err != nil || !h.builtApplies(clauses, created) {
				continue
			}
		}
		return h, true
	}
	return Healthcheck{}, false
}

// builtApplies reports whether an entry with Built clauses applies to an
// image created at created (zero: unknown).
func (h Healthcheck) builtApplies(clauses []builtClause, created time.Time) bool {
	if created.IsZero() {
		return h.Tags != "" || h.Versions != ""
	}
	return builtMatch(clauses, created)
}

func (h Healthcheck) matchesRepository(repo string) bool {
	for _, img := range h.Images {
		if img == repo {
			return true
		}
		if ok, err := path.Match(img, repo); err == nil && ok {
			return true
		}
	}
	return false
}

// Render returns the test command with its parameters filled from the
// service. Elements that render empty are dropped. It fails with ErrNoFix
// for an entry with NoFix and with ErrMissingParam when a required parameter
// has no value. The result depends only on h and s.
func (h Healthcheck) Render(s Service) ([]string, error) {
	return h.renderWith(s, compilers{parse: parseTest, match: regexp.Compile})
}

// compilers give what rendering compiles: the template of an element that
// substitute cannot fill, and a parameter's Match expression. Index.Render
// memoizes both.
type compilers struct {
	parse func(name, elem string) (*template.Template, error)
	match func(expr string) (*regexp.Regexp, error)
	// rendered, when not nil, memoizes render by its key (renderKey).
	rendered *renderMemo
}

// renderWith is Render with c compiling.
func (h Healthcheck) renderWith(s Service, c compilers) ([]string, error) {
	if h.NoFix != "" {
		return nil, fmt.Errorf("%w: %s: %s", ErrNoFix, h.Name, h.NoFix)
	}
	values, err := h.paramValues(s, c.match)
	if err != nil {
		return nil, err
	}
	if c.rendered == nil {
		return h.render(values, c.parse)
	}
	var buf [512]byte
	key := renderKey(buf[:0], h, values)
	if out, ok := c.rendered.get(key); ok {
		return out, nil
	}
	out, err := h.render(values, c.parse)
	if err == nil {
		c.rendered.put(key, out)
	}
	return out, err
}

// renderKey appends to b what render's result depends on: the entry's
// name (its errors name it) and test, and the values by parameter name,
// each as AppendKey writes it.
func renderKey(b []byte, h Healthcheck, values map[string]string) []byte {
	b = AppendKey(b, h.Name)
	for _, t := range h.Test {
		b = AppendKey(b, t)
	}
	b = append(b, '|')
	var buf [8]string
	names := buf[:0]
	for n := range values {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		b = AppendKey(b, n)
		b = AppendKey(b, values[n])
	}
	return b
}

// AppendKey appends s to the memo key b with its length first, so that
// no two lists of strings make the same key ("a","bc" and "ab","c"). The
// key can live in a buffer on the stack, looked up without a string of
// its own.
func AppendKey(b []byte, s string) []byte {
	b = strconv.AppendInt(b, int64(len(s)), 10)
	b = append(b, ':')
	return append(b, s...)
}

// renderMemo holds rendered tests by renderKey, for an Index's life: a
// file of many services of one image renders the same test for each, and
// executing its template again (reflection, about 35 allocations) was 3%
// of the allocations of the 10,000-service benchmark file. The results are
// shared: callers only read them. It holds at most maxRendered results, so
// that a long run over many files with distinct values stays bounded.
type renderMemo struct {
	mu  sync.Mutex
	out map[string][]string
}

const maxRendered = 1024

// get looks key up without making a string of it.
func (m *renderMemo) get(key []byte) ([]string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out, ok := m.out[string(key)]
	return out, ok
}

func (m *renderMemo) put(key []byte, out []string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.out == nil {
		m.out = map[string][]string{}
	}
	if len(m.out) < maxRendered {
		m.out[string(key)] = slices.Clip(out)
	}
}

// render fills the test's elements from values; parse gives the template
// of an element that substitute cannot fill.
func (h Healthcheck) render(values map[string]string, parse func(name, elem string) (*template.Template, error)) ([]string, error) {
	if len(h.Test) < 2 {
		return nil, invalidf("entry %q: test has no command", h.Name)
	}
	out := []string{h.Test[0]}
	for i, elem := range h.Test[1:] {
		if v, ok := substitute(elem, values); ok {
			if v != "" {
				out = append(out, v)
			}
			continue
		}
		tmpl, err := parse(h.Name, elem)
		if err != nil {
			return nil, invalidf("entry %q: test element %d: %v", h.Name, i+1, err)
		}
		var b strings.Builder
		if err := tmpl.Execute(&b, values); err != nil {
			return nil, invalidf("entry %q: test element %d: %v", h.Name, i+1, err)
		}
		if b.Len() > 0 {
			out = append(out, b.String())
		}
	}
	if len(out) < 2 {
		return nil, invalidf("entry %q: test renders to no command", h.Name)
	}
	return out, nil
}

// parseTest parses the test element elem of the entry named name.
func parseTest(name, elem string) (*template.Template, error) {
	return template.New(name).Option("missingkey=error").Funcs(template.FuncMap{"sh": shellQuote}).Parse(elem)
}

// substitute renders a test element whose actions are all {{.name}} with
// a name values holds, as the template would, without parsing one (a
// healthcheck is rendered for every service that may get it); ok is false
// for any other element, which the template renders.
func substitute(elem string, values map[string]string) (string, bool) {
	if !strings.Contains(elem, "{{") {
		return elem, true
	}
	var b strings.Builder
	for {
		i := strings.Index(elem, "{{")
		if i < 0 {
			b.WriteString(elem)
			return b.String(), true
		}
		j := strings.Index(elem[i:], "}}")
		if j < 0 {
			return "", false
		}
		name, ok := strings.CutPrefix(elem[i+2:i+j], ".")
		if !ok || name == "" || strings.IndexFunc(name, func(r rune) bool {
			return !(r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9')
		}) >= 0 || '0' <= name[0] && name[0] <= '9' {
			return "", false
		}
		v, ok := values[name]
		if !ok {
			return "", false
		}
		b.WriteString(elem[:i])
		b.WriteString(v)
		elem = elem[i+j+2:]
	}
}

// paramValues resolves every parameter for s. A parameter without a value
// maps to "" so templates can test it with {{with}} or {{if}}.
func (h Healthcheck) paramValues(s Service, match func(string) (*regexp.Regexp, error)) (map[string]string, error) {
	values := make(map[string]string, len(h.Params))
	tokens := commandTokens(s.Command)
	names := make([]string, 0, len(h.Params))
	for name := range h.Params {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		p := h.Params[name]
		v, ok, err := p.resolve(tokens, s, match)
		if err != nil {
			return nil, fmt.Errorf("entry %q: parameter %q: %w", h.Name, name, err)
		}
		if !ok && p.Required {
			return nil, fmt.Errorf("%w: entry %q needs %q (%s)", ErrMissingParam, h.Name, name, p.describe())
		}
		values[name] = v
	}
	return values, nil
}

// resolve finds p's value for s; match compiles p.Match.
func (p Param) resolve(tokens []string, s Service, match func(string) (*regexp.Regexp, error)) (string, bool, error) {
	var re *regexp.Regexp
	if p.Match != "" {
		var err error
		if re, err = match(p.Match); err != nil {
			return "", false, invalidf("match %q: %v", p.Match, err)
		}
	}
	pick := func(v string) (string, bool) {
		if re == nil {
			return v, v != ""
		}
		m := re.FindStringSubmatch(v)
		if m == nil || m[1] == "" {
			return "", false
		}
		return m[1], true
	}
	// Flags: the last matching occurrence wins, as with most command lines.
	found, value := false, ""
	for i, t := range tokens {
		for _, f := range p.Flags {
			var cand string
			switch {
			case t == f && i+1 < len(tokens):
				cand = tokens[i+1]
			case strings.HasPrefix(t, f+"="):
				cand = strings.TrimPrefix(t, f+"=")
			default:
				continue
			}
			if v, ok := pick(cand); ok {
				found, value = true, v
			}
		}
	}
	if found {
		return value, true, nil
	}
	for _, name := range p.Env {
		if v, ok := pick(s.Environment[name]); ok {
			return v, true, nil
		}
	}
	if p.ContainerPort {
		for _, port := range s.Ports {
			if n, ok := tcpPort(port); ok {
				if v, ok := pick(n); ok {
					return v, true, nil
				}
				break // only the first TCP port counts
			}
		}
	}
	if p.Default != "" && !(p.DefaultOnlyWithoutCommand && len(s.Command) > 0) {
		return p.Default, true, nil
	}
	return "", false, nil
}

// tcpPort reduces a container port as written in ports or expose ("80",
// "80/tcp", "8000-8010", "${APP_PORT}") to one port number, and rejects
// non-TCP ports ("53/udp").
func tcpPort(port string) (string, bool) {
	port = strings.TrimSpace(port)
	if p, proto, ok := strings.Cut(port, "/"); ok {
		if !strings.EqualFold(proto, "tcp") {
			return "", false
		}
		port = p
	}
	if strings.HasPrefix(port, "${") {
		return port, true
	}
	if first, _, ok := strings.Cut(port, "-"); ok {
		port = first
	}
	if port == "" || strings.Trim(port, "0123456789") != "" {
		return "", false
	}
	return port, true
}

func (p Param) describe() string {
	var src []string
	if len(p.Flags) > 0 {
		src = append(src, "flag "+strings.Join(p.Flags, " or "))
	}
	if len(p.Env) > 0 {
		src = append(src, "environment "+strings.Join(p.Env, " or "))
	}
	if p.ContainerPort {
		src = append(src, "a container port in ports or expose")
	}
	if len(src) == 0 {
		return "no source"
	}
	return "from " + strings.Join(src, ", ")
}

// commandTokens flattens a command for flag lookup: the script of
// `sh -c "..."`, or a whole command given as one string, is split into
// words. Other elements stay whole: a quoted argument such as
// --requirepass "two words" is one word.
func commandTokens(cmd []string) []string {
	var out []string
	for i, c := range cmd {
		if (len(cmd) == 1 || i > 0 && cmd[i-1] == "-c") && strings.ContainsAny(c, " \t\n") {
			if words, err := SplitShell(c); err == nil {
				out = append(out, words...)
				continue
			}
		}
		out = append(out, c)
	}
	return out
}

// PrereqState says whether a service meets an entry's prerequisites.
type PrereqState int

// Prerequisite states.
const (
	// PrereqNone: the entry has no prerequisites.
	PrereqNone PrereqState = iota
	// PrereqMet: the service already has what the entry needs.
	PrereqMet
	// PrereqMissing: something is absent and can be added (see Prerequisites).
	PrereqMissing
	// PrereqConflict: the service sets the flag or variable to another value
	// (`--ping=false`); adding the healthcheck would contradict the user.
	PrereqConflict
)

func (s PrereqState) String() string {
	switch s {
	case PrereqNone:
		return "none"
	case PrereqMet:
		return "met"
	case PrereqMissing:
		return "missing"
	case PrereqConflict:
		return "conflict"
	}
	return fmt.Sprintf("PrereqState(%d)", int(s))
}

// Prerequisites is what a service lacks for an entry's test to work.
type Prerequisites struct {
	State PrereqState
	// Flag is RequiresCommandFlag when the command lacks it.
	Flag string
	// Env lists the RequiresEnv variables the environment lacks, sorted by
	// name, as NAME=value.
	Env []string
}

// Prerequisites checks the service against RequiresCommandFlag and
// RequiresEnv. A flag counts as present when the command has it bare
// (`--ping`), with any value that is not false-like (`--ping=true`), or with
// a sub-option (`--ping.entrypoint=web`); `--ping=false` is a conflict.
func (h Healthcheck) Prerequisites(s Service) Prerequisites {
	if h.RequiresCommandFlag == "" && len(h.RequiresEnv) == 0 {
		return Prerequisites{State: PrereqNone}
	}
	var p Prerequisites
	conflict := false
	if h.RequiresCommandFlag != "" {
		name, _, _ := strings.Cut(h.RequiresCommandFlag, "=")
		switch flagState(commandTokens(s.Command), name) {
		case PrereqMissing:
			p.Flag = h.RequiresCommandFlag
		case PrereqConflict:
			conflict = true
		}
	}
	keys := make([]string, 0, len(h.RequiresEnv))
	for k := range h.RequiresEnv {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		want := h.RequiresEnv[k]
		got, ok := s.Environment[k]
		switch {
		case !ok:
			p.Env = append(p.Env, k+"="+want)
		case !strings.EqualFold(strings.TrimSpace(got), want):
			conflict = true
		}
	}
	switch {
	case conflict:
		p.State = PrereqConflict
		p.Flag, p.Env = "", nil
	case p.Flag != "" || len(p.Env) > 0:
		p.State = PrereqMissing
	default:
		p.State = PrereqMet
	}
	return p
}

func flagState(tokens []string, name string) PrereqState {
	state := PrereqMissing
	for _, t := range tokens {
		switch {
		case t == name, strings.HasPrefix(t, name+"."):
			state = PrereqMet
		case strings.HasPrefix(t, name+"="):
			v := strings.ToLower(strings.TrimPrefix(t, name+"="))
			if v == "false" || v == "0" || v == "no" || v == "off" {
				state = PrereqConflict
			} else {
				state = PrereqMet
			}
		}
	}
	return state
}

// Validate checks an entry's fields: names, image patterns, the test form,
// templates, durations, retries and parameter expressions. Errors wrap
// ErrInvalid.
func (h Healthcheck) Validate() error {
	if h.Name == "" {
		return invalidf("name is empty")
	}
	if h.Family == "" {
		return invalidf("entry %q: family is empty", h.Name)
	}
	if len(h.Images) == 0 {
		return invalidf("entry %q: no images", h.Name)
	}
	for _, img := range h.Images {
		if _, err := path.Match(img, ""); err != nil {
			return invalidf("entry %q: image pattern %q: %v", h.Name, img, err)
		}
		if repo, tag := SplitImage(img); repo != img || tag != "" {
			return invalidf("entry %q: image %q is not a normalised repository (want %q without tag)", h.Name, img, repo)
		}
	}
	if h.Tags != "" {
		if _, err := regexp.Compile(h.Tags); err != nil {
			return invalidf("entry %q: tags %q: %v", h.Name, h.Tags, err)
		}
	}
	if h.Versions != "" {
		if _, err := parseVersions(h.Versions); err != nil {
			return invalidf("entry %q: versions %q: %v", h.Name, h.Versions, err)
		}
	}
	if h.Built != "" {
		if _, err := parseBuilt(h.Built); err != nil {
			return invalidf("entry %q: built %q: %v", h.Name, h.Built, err)
		}
	}
	for _, prog := range h.Absent {
		if prog == "" || strings.ContainsAny(prog, " \t/") {
			return invalidf("entry %q: absent program %q is not a bare program name", h.Name, prog)
		}
	}
	if h.Class == "" {
		return invalidf("entry %q: class is empty", h.Name)
	}
	for name, p := range h.Params {
		if strings.Contains(p.Default, "$$") && len(h.Test) > 0 && h.Test[0] != "CMD-SHELL" {
			return invalidf("entry %q: parameter %q: default %q refers to the container environment, which only CMD-SHELL expands", h.Name, name, p.Default)
		}
		if p.Match != "" {
			re, err := regexp.Compile(p.Match)
			if err != nil {
				return invalidf("entry %q: parameter %q: match %q: %v", h.Name, name, p.Match, err)
			}
			if re.NumSubexp() != 1 {
				return invalidf("entry %q: parameter %q: match %q needs exactly one group, has %d", h.Name, name, p.Match, re.NumSubexp())
			}
		}
	}
	if h.Verified && h.Source == "" {
		return invalidf("entry %q: verified without a source", h.Name)
	}
	if h.NoFix != "" {
		if len(h.Test) != 0 {
			return invalidf("entry %q: no_fix with a test command", h.Name)
		}
		return nil
	}
	if len(h.Test) < 2 {
		return invalidf("entry %q: test needs a form and a command, got %q", h.Name, h.Test)
	}
	switch h.Test[0] {
	case "CMD":
	case "CMD-SHELL":
		if len(h.Test) != 2 {
			return invalidf("entry %q: CMD-SHELL takes one command string, got %d", h.Name, len(h.Test)-1)
		}
	default:
		return invalidf("entry %q: test form %q, want CMD or CMD-SHELL", h.Name, h.Test[0])
	}
	for _, d := range []struct{ field, v string }{{"interval", h.Interval}, {"timeout", h.Timeout}, {"start_period", h.StartPeriod}} {
		dur, err := time.ParseDuration(d.v)
		if err != nil {
			return invalidf("entry %q: %s %q: %v", h.Name, d.field, d.v, err)
		}
		if dur <= 0 {
			return invalidf("entry %q: %s %q is not positive", h.Name, d.field, d.v)
		}
	}
	if h.Retries < 1 {
		return invalidf("entry %q: retries %d, want at least 1", h.Name, h.Retries)
	}
	// Every template must render with every parameter empty and with every
	// parameter set; this catches syntax errors and unknown parameter names.
	for _, fill := range []string{"", "1"} {
		values := make(map[string]string, len(h.Params))
		for name := range h.Params {
			values[name] = fill
		}
		if _, err := h.render(values, parseTest); err != nil {
			return err
		}
	}
	return nil
}

// rawHealthcheck is the YAML form of Healthcheck.
type rawHealthcheck struct {
	Name                string              `yaml:"name"`
	Family              string              `yaml:"family"`
	Images              []string            `yaml:"images"`
	Tags                string              `yaml:"tags"`
	Versions            string              `yaml:"versions"`
	Built               string              `yaml:"built"`
	Absent              []string            `yaml:"absent"`
	Test                []string            `yaml:"test"`
	Interval            string              `yaml:"interval"`
	Timeout             string              `yaml:"timeout"`
	StartPeriod         string              `yaml:"start_period"`
	Retries             int                 `yaml:"retries"`
	Class               string              `yaml:"class"`
	RunsAsRoot          string              `yaml:"runs_as_root"`
	RequiresCommandFlag string              `yaml:"requires_command_flag"`
	RequiresEnv         map[string]string   `yaml:"requires_env"`
	ConfigFlags         []string            `yaml:"config_flags"`
	ImageHealthcheck    bool                `yaml:"image_healthcheck"`
	Verified            bool                `yaml:"verified"`
	Why                 string              `yaml:"why"`
	Source              string              `yaml:"source"`
	Params              map[string]rawParam `yaml:"params"`
	NoFix               string              `yaml:"no_fix"`
}

type rawParam struct {
	Default                   string   `yaml:"default"`
	Flags                     []string `yaml:"flags"`
	Env                       []string `yaml:"env"`
	Match                     string   `yaml:"match"`
	ContainerPort             bool     `yaml:"container_port"`
	Required                  bool     `yaml:"required"`
	DefaultOnlyWithoutCommand bool     `yaml:"default_only_without_command"`
}

func (r rawHealthcheck) healthcheck() (Healthcheck, error) {
	h := Healthcheck{
		Name:                r.Name,
		Family:              r.Family,
		Images:              slices.Clone(r.Images),
		Tags:                r.Tags,
		Versions:            r.Versions,
		Built:               r.Built,
		Absent:              slices.Clone(r.Absent),
		Test:                slices.Clone(r.Test),
		Interval:            r.Interval,
		Timeout:             r.Timeout,
		StartPeriod:         r.StartPeriod,
		Retries:             r.Retries,
		Class:               r.Class,
		RequiresCommandFlag: r.RequiresCommandFlag,
		RequiresEnv:         r.RequiresEnv,
		ConfigFlags:         slices.Clone(r.ConfigFlags),
		ImageHealthcheck:    r.ImageHealthcheck,
		Verified:            r.Verified,
		Why:                 r.Why,
		Source:              r.Source,
		NoFix:               r.NoFix,
	}
	if h.Class == "" {
		h.Class = "application"
	}
	switch r.RunsAsRoot {
	case "true":
		t := true
		h.RunsAsRoot = &t
	case "false":
		f := false
		h.RunsAsRoot = &f
	case "unknown", "":
	default:
		return Healthcheck{}, invalidf("runs_as_root %q, want true, false or unknown", r.RunsAsRoot)
	}
	if len(r.Params) > 0 {
		h.Params = make(map[string]Param, len(r.Params))
		for name, p := range r.Params {
			h.Params[name] = Param{
				Default:                   p.Default,
				Flags:                     slices.Clone(p.Flags),
				Env:                       slices.Clone(p.Env),
				Match:                     p.Match,
				ContainerPort:             p.ContainerPort,
				Required:                  p.Required,
				DefaultOnlyWithoutCommand: p.DefaultOnlyWithoutCommand,
			}
		}
	}
	return h, nil
}
