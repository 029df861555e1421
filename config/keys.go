package config

import (
	"fmt"
	"math"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/composefix/composefix/ignore"
	"github.com/composefix/composefix/internal/lazyre"
	"go.yaml.in/yaml/v3"
)

// file decodes the root mapping into f. The order of the fields is the
// order of "expected one of" in messages and of DefaultTemplate.
func (d *decoder) file(f *File, root *yaml.Node) {
	d.fields(root, "", []field{
		{"select", func(at string, _, v *yaml.Node) { f.Select = d.ruleRefs(v, at) }},
		{"ignore", func(at string, _, v *yaml.Node) { f.Ignore = d.ruleRefs(v, at) }},
		{"ignore_images", func(at string, _, v *yaml.Node) { f.IgnoreImages = d.patterns(v, at) }},
		{"projects", func(at string, _, v *yaml.Node) { f.Projects = d.projects(v, at) }},
		{"exclude", func(at string, _, v *yaml.Node) { f.Exclude = d.excludes(v, at) }},
		{"unsafe_fixes", func(at string, _, v *yaml.Node) { f.UnsafeFixes = d.unsafeFixes(v, at) }},
		{"severity", func(at string, _, v *yaml.Node) { f.Severity = d.severity(v, at) }},
		{"pin", func(at string, _, v *yaml.Node) {
			s, _ := d.oneOf(v, at, string(PinVersion), string(PinDigest), string(PinVersionDigest))
			f.Pin = Pin(s)
		}},
		{"update", func(at string, _, v *yaml.Node) { f.Update = d.update(v, at) }},
		{"mirrors", func(at string, _, v *yaml.Node) { f.Mirrors = d.mirrors(v, at) }},
		{"insecure_registries", func(at string, _, v *yaml.Node) { f.InsecureRegistries = d.hosts(v, at) }},
		{"cache_ttl", func(at string, _, v *yaml.Node) {
			if s, ok := d.duration(v, at, false); ok {
				f.CacheTTL, _ = time.ParseDuration(s)
			}
		}},
		{"cache_not_found_ttl", func(at string, _, v *yaml.Node) {
			if s, ok := d.duration(v, at, false); ok {
				f.CacheNotFoundTTL, _ = time.ParseDuration(s)
			}
		}},
		{"inspect_files", func(at string, _, v *yaml.Node) { f.InspectFiles, _ = d.boolean(v, at) }},
		{"resources", func(at string, _, v *yaml.Node) { f.Resources = d.resources(v, at) }},
		{"logging", func(at string, _, v *yaml.Node) { f.Logging = d.logging(v, at) }},
		{"healthchecks", func(at string, _, v *yaml.Node) { f.Healthchecks = d.healthchecks(v, at) }},
	})
}

var ruleRefRE = lazyre.New(`^[A-Za-z0-9][A-Za-z0-9_-]*$`)

const ruleRefExpected = `a rule ID ("CF001"), an ID prefix ("CF1"), a rule name or "all"`

// ruleRefs decodes a list of rule references, or one comma-separated string
// as on the command line.
func (d *decoder) ruleRefs(n *yaml.Node, at string) []RuleRef {
	if isNull(n) {
		return nil
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" {
		return d.splitRuleRefs(n, at)
	}
	var refs []RuleRef
	for _, item := range d.sequence(n, at, "a list of rule IDs, ID prefixes or names") {
		if r, ok := d.ruleRef(item, at); ok {
			refs = append(refs, r)
		}
	}
	return refs
}

func (d *decoder) ruleRef(n *yaml.Node, at string) (RuleRef, bool) {
	s, ok := d.str(n, at, ruleRefExpected)
	if !ok {
		if isNull(n) {
			d.errorf(n, "%s: found null; expected %s", at, ruleRefExpected)
		}
		return RuleRef{}, false
	}
	if !ruleRefRE().MatchString(s) {
		d.errorf(n, "%s: found %q; expected %s", at, s, ruleRefExpected)
		return RuleRef{}, false
	}
	return RuleRef{Name: s, Line: n.Line, Col: n.Column}, true
}

// splitRuleRefs splits "CF1, restart-policy". Positions are exact for a
// single-line plain or quoted scalar and the scalar's own otherwise.
func (d *decoder) splitRuleRefs(n *yaml.Node, at string) []RuleRef {
	var refs []RuleRef
	offset := 0 // characters into n.Value
	shift := 0
	exact := !strings.Contains(n.Value, "\n")
	switch n.Style {
	case yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle:
		shift = 1
		exact = exact && !strings.ContainsAny(n.Value, `\'"`)
	case yaml.LiteralStyle, yaml.FoldedStyle:
		exact = false
	}
	for _, part := range strings.Split(n.Value, ",") {
		lead := utf8.RuneCountInString(part) - utf8.RuneCountInString(strings.TrimLeft(part, " \t"))
		name := strings.TrimSpace(part)
		line, col := n.Line, n.Column
		if exact {
			col += shift + offset + lead
		}
		offset += utf8.RuneCountInString(part) + 1
		if !ruleRefRE().MatchString(name) {
			d.errs = append(d.errs, &Error{Path: d.path, Line: line, Col: col,
				Msg: fmt.Sprintf("%s: found %q; expected %s", at, name, ruleRefExpected)})
			continue
		}
		refs = append(refs, RuleRef{Name: name, Line: line, Col: col})
	}
	return refs
}

// unsafeFixes decodes `true`/`false` (every rule) or a mapping of rule
// references to booleans.
func (d *decoder) unsafeFixes(n *yaml.Node, at string) []UnsafeFix {
	if isNull(n) {
		return nil
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!bool" {
		b, _ := d.boolean(n, at)
		return []UnsafeFix{{Rule: RuleRef{Name: "all", Line: n.Line, Col: n.Column}, Enabled: b}}
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "%s: found %s; expected true, false or a mapping of rule IDs, ID prefixes or names to true or false", at, found(n))
		return nil
	}
	var out []UnsafeFix
	for _, e := range d.entries(n, at) {
		ref, ok := d.ruleRef(e.key, at)
		b, ok2 := d.boolean(e.val, join(at, e.key.Value))
		if !ok2 && isNull(e.val) {
			d.errorf(e.val, "%s: found null; expected true or false", join(at, e.key.Value))
		}
		if ok && ok2 {
			out = append(out, UnsafeFix{Rule: ref, Enabled: b})
		}
	}
	return out
}

// severity decodes a mapping of rule references to severities.
func (d *decoder) severity(n *yaml.Node, at string) []SeverityOverride {
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "%s: found %s; expected a mapping of rule IDs, ID prefixes or names to error, warning or info", at, found(n))
		return nil
	}
	var out []SeverityOverride
	for _, e := range d.entries(n, at) {
		ref, ok := d.ruleRef(e.key, at)
		level, ok2 := d.oneOf(e.val, join(at, e.key.Value), SeverityError, SeverityWarning, SeverityInfo)
		if ok && ok2 {
			out = append(out, SeverityOverride{Rule: ref, Level: level})
		}
	}
	return out
}

const patternExpected = `an image pattern such as "acme/*" or "registry.internal/*"`

// pattern decodes an image glob pattern (path.Match syntax).
func (d *decoder) pattern(n *yaml.Node, at string) (string, bool) {
	s, ok := d.word(n, at, patternExpected)
	if !ok {
		return "", false
	}
	if _, err := path.Match(s, ""); err != nil {
		d.errorf(n, "%s: found %q, a malformed pattern (unclosed [ or trailing \\); expected %s", at, s, patternExpected)
		return "", false
	}
	return s, true
}

const projectExpected = "a list of compose files merged in order, such as [compose.yaml, compose.prod.yaml]"

// projects decodes a list of projects, each a non-empty list of paths.
func (d *decoder) projects(n *yaml.Node, at string) [][]string {
	var out [][]string
	for i, item := range d.sequence(n, at, "a list of projects, each "+projectExpected) {
		iat := fmt.Sprintf("%s[%d]", at, i)
		if item.Kind != yaml.SequenceNode {
			d.errorf(item, "%s: found %s; expected %s", iat, found(item), projectExpected)
			continue
		}
		if len(item.Content) == 0 {
			d.errorf(item, "%s: found an empty list; expected %s", iat, projectExpected)
			continue
		}
		var files []string
		for j, f := range d.sequence(item, iat, projectExpected) {
			fat := fmt.Sprintf("%s[%d]", iat, j)
			const expected = "a compose file path relative to the configuration file"
			s, ok := d.str(f, fat, expected)
			switch {
			case !ok && isNull(f):
				d.errorf(f, "%s: found null; expected %s", fat, expected)
			case !ok:
			case s == "":
				d.errorf(f, "%s: found \"\"; expected %s", fat, expected)
			case strings.Contains(s, "$"):
				// docker compose does not interpolate -f paths either.
				d.errorf(f, "%s: found %q; expected %s (no interpolation)", fat, s, expected)
			default:
				files = append(files, s)
			}
		}
		if len(files) > 0 {
			out = append(out, files)
		}
	}
	return out
}

func (d *decoder) patterns(n *yaml.Node, at string) []string {
	var out []string
	for _, item := range d.sequence(n, at, "a list of image patterns") {
		if isNull(item) {
			d.errorf(item, "%s: found null; expected %s", at, patternExpected)
			continue
		}
		if p, ok := d.pattern(item, at); ok {
			out = append(out, p)
		}
	}
	return out
}

const excludeExpected = `a path pattern in .gitignore syntax such as "legacy/" or "*.dev.yaml"`

// excludes decodes the exclude list: gitignore patterns. An empty or
// non-string item is wrong, and so is a malformed glob (an unclosed "["),
// which the matcher would silently never match, as --exclude refuses it.
func (d *decoder) excludes(n *yaml.Node, at string) []string {
	var out []string
	for _, item := range d.sequence(n, at, "a list of path patterns") {
		if isNull(item) {
			d.errorf(item, "%s: found null; expected %s", at, excludeExpected)
			continue
		}
		if s, ok := d.str(item, at, excludeExpected); ok {
			if strings.TrimSpace(s) == "" || strings.HasPrefix(s, "#") {
				d.errorf(item, "%s: found %q; expected %s", at, s, excludeExpected)
				continue
			}
			if err := ignore.Check(s); err != nil {
				d.errorf(item, "%s: found %q (%v); expected %s", at, s, err, excludeExpected)
				continue
			}
			out = append(out, s)
		}
	}
	return out
}

func (d *decoder) policy(n *yaml.Node, at string) (Policy, bool) {
	s, ok := d.oneOf(n, at, string(PolicyPatch), string(PolicyMinor), string(PolicyMajor))
	return Policy(s), ok
}

func (d *decoder) update(n *yaml.Node, at string) UpdatePolicy {
	var u UpdatePolicy
	d.fields(n, at, []field{
		{"policy", func(at string, _, v *yaml.Node) { u.Policy, _ = d.policy(v, at) }},
		{"min_age", func(at string, _, v *yaml.Node) { u.MinAge, _ = d.age(v, at) }},
		{"group_by", func(at string, _, v *yaml.Node) { u.GroupBy, _ = d.oneOf(v, at, GroupAll, GroupImage, GroupType) }},
		{"images", func(at string, _, v *yaml.Node) {
			for _, e := range d.entries(v, at) {
				p, ok := d.pattern(e.key, at)
				ip, ok2 := d.imagePolicy(e.val, join(at, e.key.Value))
				if ok && ok2 {
					ip.Pattern, ip.Line, ip.Col = p, e.key.Line, e.key.Column
					u.Images = append(u.Images, ip)
				}
			}
		}},
	})
	return u
}

// imagePolicy decodes an update.images value: a policy name, or a mapping
// of policy and min_age.
func (d *decoder) imagePolicy(n *yaml.Node, at string) (ImagePolicy, bool) {
	var ip ImagePolicy
	if n.Kind != yaml.MappingNode {
		pol, ok := d.policy(n, at)
		ip.Policy = pol
		return ip, ok
	}
	ok := true
	d.fields(n, at, []field{
		{"policy", func(at string, _, v *yaml.Node) {
			var ok2 bool
			ip.Policy, ok2 = d.policy(v, at)
			ok = ok && ok2
		}},
		{"min_age", func(at string, _, v *yaml.Node) {
			var ok2 bool
			ip.MinAge, ok2 = d.age(v, at)
			ip.HasMinAge, ok = ok2, ok && ok2
		}},
	})
	return ip, ok
}

// age decodes a minimum release age: a Go duration ("72h") or a number of
// days ("3d"); 0 is allowed (no minimum).
func (d *decoder) age(n *yaml.Node, at string) (time.Duration, bool) {
	if n.Kind == yaml.ScalarNode && !isNull(n) {
		if v, err := ParseAge(n.Value); err == nil {
			return v, true
		}
	}
	d.errorf(n, "%s: found %s; expected an age such as \"3d\", \"12h\" or \"0\"", at, found(n))
	return 0, false
}

// ParseAge parses a minimum release age: a Go duration ("72h", "90m"), a
// number of days ("3d") or "0".
func ParseAge(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 || n > 3650 {
			return 0, fmt.Errorf("age %q: expected a number of days from 0 to 3650", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	if s == "0" {
		return 0, nil
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("age %q: expected a duration such as \"3d\" or \"12h\"", s)
	}
	return v, nil
}

var hostRE = lazyre.New(`^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$`)

const hostExpected = `a registry host such as "docker.io" or "registry.local:5000"`

// host decodes a registry host (host or host:port, no scheme or path).
func (d *decoder) host(n *yaml.Node, at string) (string, bool) {
	s, ok := d.word(n, at, hostExpected)
	if !ok {
		return "", false
	}
	if !hostRE().MatchString(s) {
		hint := ""
		if strings.Contains(s, "://") {
			hint = " without a scheme"
		}
		d.errorf(n, "%s: found %q; expected %s%s", at, s, hostExpected, hint)
		return "", false
	}
	return s, true
}

func (d *decoder) hosts(n *yaml.Node, at string) []string {
	var out []string
	for _, item := range d.sequence(n, at, "a list of registry hosts") {
		if isNull(item) {
			d.errorf(item, "%s: found null; expected %s", at, hostExpected)
			continue
		}
		if h, ok := d.host(item, at); ok {
			out = append(out, h)
		}
	}
	return out
}

const mirrorExpected = `an http or https URL such as "https://mirror.internal" or "http://127.0.0.1:5000"`

// shownURL is a refused URL as a message may quote it: its userinfo and
// what follows a "?" or "#" may be credentials (a token in a query), and
// messages reach CI logs, JSON and SARIF.
func shownURL(s string) string {
	prefix, rest := "", s
	if i := strings.Index(s, "://"); i >= 0 {
		prefix, rest = s[:i+3], s[i+3:]
	}
	authority := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority = rest[:i]
	}
	if i := strings.LastIndexByte(authority, '@'); i >= 0 {
		rest = "[redacted]" + rest[i:]
	}
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		rest = rest[:i+1] + "[redacted]"
	}
	return prefix + rest
}

func (d *decoder) mirrors(n *yaml.Node, at string) map[string]string {
	var out map[string]string
	for _, e := range d.entries(n, at) {
		h, ok := d.host(e.key, at)
		vat := join(at, e.key.Value)
		if isNull(e.val) {
			d.errorf(e.val, "%s: found null; expected %s", vat, mirrorExpected)
			continue
		}
		s, ok2 := d.word(e.val, vat, mirrorExpected)
		if ok2 {
			u, err := url.Parse(s)
			switch {
			case err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https"):
				d.errorf(e.val, "%s: found %q; expected %s", vat, shownURL(s), mirrorExpected)
				ok2 = false
			case u.User != nil:
				// Credentials in a committed file leak; the Docker config
				// and credential helpers are the place for them.
				d.errorf(e.val, "%s: found credentials in the URL; expected a URL without user:password (use docker login)", vat)
				ok2 = false
			case u.RawQuery != "" || u.Fragment != "":
				d.errorf(e.val, "%s: found %q; expected %s without a query or fragment", vat, shownURL(s), mirrorExpected)
				ok2 = false
			}
		}
		if ok && ok2 {
			if out == nil {
				out = map[string]string{}
			}
			out[h] = s
		}
	}
	return out
}

// duration decodes a Go/compose duration such as "1h" or "1m30s": positive,
// or non-negative when zeroOK.
func (d *decoder) duration(n *yaml.Node, at string, zeroOK bool) (string, bool) {
	const expected = `a duration such as "30s", "5m" or "1h30m"`
	if isNull(n) {
		return "", false
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		hint := ""
		if n.Kind == yaml.ScalarNode && (n.ShortTag() == "!!int" || n.ShortTag() == "!!float") {
			hint = fmt.Sprintf(" (a unit is required: %q)", n.Value+"s")
		}
		d.errorf(n, "%s: found %s; expected %s%s", at, found(n), expected, hint)
		return "", false
	}
	v, err := time.ParseDuration(n.Value)
	switch {
	case err != nil:
		d.errorf(n, "%s: found %q; expected %s", at, n.Value, expected)
		return "", false
	case v < 0:
		d.errorf(n, "%s: found %q, a negative duration; expected %s", at, n.Value, expected)
		return "", false
	case v == 0 && !zeroOK:
		d.errorf(n, "%s: found %q; expected a duration greater than zero", at, n.Value)
		return "", false
	}
	return n.Value, true
}

// limitsFields decodes the fields of a Limits into l; it is shared by classes and
// services, which add fields of their own.
func (d *decoder) limitsFields(l *Limits) []field {
	return []field{
		{"cpus", func(at string, _, v *yaml.Node) { l.CPUs, _ = d.cpus(v, at) }},
		{"memory", func(at string, _, v *yaml.Node) { l.Memory, _ = d.byteSize(v, at) }},
		{"reservation_memory", func(at string, _, v *yaml.Node) { l.ReservationMemory, _ = d.byteSize(v, at) }},
	}
}

// checkReservation reports a reservation above the limit, at the
// reservation_memory value.
func (d *decoder) checkReservation(n *yaml.Node, at string, l Limits) {
	if l.Memory == "" || l.ReservationMemory == "" {
		return
	}
	limit, _ := parseBytes(l.Memory)
	res, _ := parseBytes(l.ReservationMemory)
	if res > limit {
		if _, val := entryNodes(n, "reservation_memory"); val != nil {
			d.errorf(val, "%s.reservation_memory: found %q, more than memory %q; expected at most the memory limit", at, l.ReservationMemory, l.Memory)
		}
	}
}

// entryNodes returns the key and value nodes of key in mapping n, merge
// keys resolved, or nils.
func entryNodes(n *yaml.Node, key string) (*yaml.Node, *yaml.Node) {
	var quiet decoder // n was decoded, and its errors reported, already
	for _, e := range quiet.entries(n, "") {
		if e.key.Value == key {
			return e.key, e.val
		}
	}
	return nil, nil
}

func (d *decoder) resources(n *yaml.Node, at string) Resources {
	var r Resources
	d.fields(n, at, []field{
		{"classes", func(at string, _, v *yaml.Node) {
			for _, e := range d.entries(v, at) {
				name, ok := d.word(e.key, at, "a class name")
				var l Limits
				cat := join(at, e.key.Value)
				d.fields(e.val, cat, d.limitsFields(&l))
				d.checkReservation(e.val, cat, l)
				if ok {
					if r.Classes == nil {
						r.Classes = map[string]Limits{}
					}
					r.Classes[name] = l
				}
			}
		}},
		{"services", func(at string, _, v *yaml.Node) {
			for _, e := range d.entries(v, at) {
				name, ok := d.word(e.key, at, "a service name")
				s := ServiceLimits{Line: e.key.Line, Col: e.key.Column}
				sat := join(at, e.key.Value)
				fs := append(d.limitsFields(&s.Limits),
					field{"class", func(at string, _, v *yaml.Node) { s.Class, _ = d.word(v, at, "a class name") }},
					field{"disable", func(at string, _, v *yaml.Node) { s.Disable, _ = d.boolean(v, at) }},
				)
				d.fields(e.val, sat, fs)
				d.checkReservation(e.val, sat, s.Limits)
				if s.Disable && (s.Class != "" || s.Limits != Limits{}) {
					k, _ := entryNodes(e.val, "disable")
					d.errorf(k, "%s.disable: found true beside limits; expected either disable: true or limits, not both", sat)
				}
				if ok {
					if r.Services == nil {
						r.Services = map[string]ServiceLimits{}
					}
					r.Services[name] = s
				}
			}
		}},
		{"images", func(at string, _, v *yaml.Node) {
			for _, e := range d.entries(v, at) {
				p, ok := d.pattern(e.key, at)
				vat := join(at, e.key.Value)
				if isNull(e.val) {
					d.errorf(e.val, "%s: found null; expected a class name", vat)
					continue
				}
				c, ok2 := d.word(e.val, vat, "a class name")
				if ok && ok2 {
					r.Images = append(r.Images, ImageClass{Pattern: p, Class: c, Line: e.val.Line, Col: e.val.Column})
				}
			}
		}},
	})
	return r
}

// cpus decodes a positive number of CPUs, written as a number or a string,
// kept as written.
func (d *decoder) cpus(n *yaml.Node, at string) (string, bool) {
	if isNull(n) {
		return "", false
	}
	if n.Kind == yaml.ScalarNode {
		switch n.ShortTag() {
		case "!!int", "!!float", "!!str":
			v, err := strconv.ParseFloat(strings.TrimSpace(n.Value), 64)
			if err == nil && v > 0 && !math.IsInf(v, 0) && !strings.ContainsAny(n.Value, "xXpP_") {
				return n.Value, true
			}
		}
	}
	d.errorf(n, "%s: found %s; expected a positive number of CPUs such as \"0.5\" or \"2\"", at, found(n))
	return "", false
}

// bytesRE is compose's byte size: a number, an optional space (compose's
// parser allows one) and a unit.
var bytesRE = lazyre.New(`^(?i)([0-9]+(?:\.[0-9]+)?) ?(b|k|kb|m|mb|g|gb)?$`)

// parseBytes parses a compose byte size ("512m", "1.5GB", "1024") into
// bytes; ok is false when s is malformed.
func parseBytes(s string) (float64, bool) {
	m := bytesRE().FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, false
	}
	switch strings.ToLower(m[2]) {
	case "k", "kb":
		v *= 1 << 10
	case "m", "mb":
		v *= 1 << 20
	case "g", "gb":
		v *= 1 << 30
	}
	return v, true
}

// byteSize decodes a positive byte size, kept as written.
func (d *decoder) byteSize(n *yaml.Node, at string) (string, bool) {
	if isNull(n) {
		return "", false
	}
	if n.Kind == yaml.ScalarNode && (n.ShortTag() == "!!str" || n.ShortTag() == "!!int") {
		if v, ok := parseBytes(n.Value); ok && v >= 1 {
			return n.Value, true
		}
	}
	d.errorf(n, "%s: found %s; expected a size such as \"512m\" or \"2g\" (units b, k, kb, m, mb, g, gb)", at, found(n))
	return "", false
}

func (d *decoder) logging(n *yaml.Node, at string) Logging {
	var l Logging
	d.fields(n, at, []field{
		{"driver", func(at string, _, v *yaml.Node) {
			l.Driver, _ = d.word(v, at, `a logging driver such as "json-file" or "local"`)
		}},
		{"options", func(at string, _, v *yaml.Node) {
			for _, e := range d.entries(v, at) {
				name, ok := d.word(e.key, at, "an option name")
				val, ok2 := d.logOption(e.val, join(at, e.key.Value), e.key.Value)
				if ok && ok2 {
					if l.Options == nil {
						l.Options = map[string]string{}
					}
					l.Options[name] = val
				}
			}
		}},
	})
	return l
}

// logOption decodes one logging option's value, a scalar kept as written;
// the options docker's json-file and local drivers share are checked.
func (d *decoder) logOption(n *yaml.Node, at, name string) (string, bool) {
	if n.Kind != yaml.ScalarNode || isNull(n) {
		d.errorf(n, "%s: found %s; expected a string", at, found(n))
		return "", false
	}
	switch name {
	case "max-size":
		if v, ok := parseBytes(n.Value); !ok || v < 1 {
			d.errorf(n, "%s: found %s; expected a size such as \"50m\" (units k, m, g)", at, found(n))
			return "", false
		}
	case "max-file":
		if v, err := strconv.Atoi(n.Value); err != nil || v < 1 {
			d.errorf(n, "%s: found %s; expected a positive number of files such as \"5\"", at, found(n))
			return "", false
		}
	case "compress":
		if n.Value != "true" && n.Value != "false" {
			d.errorf(n, "%s: found %s; expected \"true\" or \"false\"", at, found(n))
			return "", false
		}
	}
	return n.Value, true
}

func (d *decoder) healthchecks(n *yaml.Node, at string) []Healthcheck {
	var out []Healthcheck
	for i, item := range d.sequence(n, at, "a list of healthchecks, each with image or service") {
		iat := fmt.Sprintf("%s[%d]", at, i)
		if item.Kind != yaml.MappingNode {
			d.errorf(item, "%s: found %s; expected a mapping with image or service, and test or disable", iat, found(item))
			continue
		}
		h, ok := d.healthcheck(item, iat)
		if ok {
			out = append(out, h)
		}
	}
	return out
}

func (d *decoder) healthcheck(n *yaml.Node, at string) (Healthcheck, bool) {
	h := Healthcheck{Line: n.Line, Col: n.Column}
	before := len(d.errs)
	var testNode *yaml.Node
	d.fields(n, at, []field{
		{"image", func(at string, _, v *yaml.Node) {
			if isNull(v) {
				d.errorf(v, "%s: found null; expected %s", at, patternExpected)
				return
			}
			h.Image, _ = d.pattern(v, at)
		}},
		{"service", func(at string, _, v *yaml.Node) {
			if isNull(v) {
				d.errorf(v, "%s: found null; expected a service name", at)
				return
			}
			h.Service, _ = d.word(v, at, "a service name")
		}},
		{"test", func(at string, k, v *yaml.Node) { testNode = k; h.Test = d.test(v, at) }},
		{"interval", func(at string, _, v *yaml.Node) { h.Interval, _ = d.duration(v, at, false) }},
		{"timeout", func(at string, _, v *yaml.Node) { h.Timeout, _ = d.duration(v, at, false) }},
		{"start_period", func(at string, _, v *yaml.Node) { h.StartPeriod, _ = d.duration(v, at, true) }},
		{"start_interval", func(at string, _, v *yaml.Node) { h.StartInterval, _ = d.duration(v, at, false) }},
		{"retries", func(at string, _, v *yaml.Node) {
			h.Retries, _ = d.integer(v, at, 1, "a positive number of retries such as 3")
		}},
		{"disable", func(at string, _, v *yaml.Node) { h.Disable, _ = d.boolean(v, at) }},
	})
	imageKey, _ := entryNodes(n, "image")
	serviceKey, _ := entryNodes(n, "service")
	switch {
	case imageKey == nil && serviceKey == nil:
		d.errorf(n, "%s: found neither image nor service; expected one of them to say what the healthcheck is for", at)
	case imageKey != nil && serviceKey != nil:
		d.errorf(serviceKey, "%s: found both image and service; expected one of them", at)
	}
	switch {
	case h.Disable && testNode != nil:
		d.errorf(testNode, "%s.test: found a test beside disable: true; expected one of them", at)
	case !h.Disable && testNode == nil:
		d.errorf(n, "%s: found no test; expected test, or disable: true to turn the healthcheck rule off", at)
	}
	return h, len(d.errs) == before
}

const testExpected = `a command such as ["CMD", "wget", "-q", "--spider", "http://localhost:8080/"] or a shell command string`

// test decodes a healthcheck test in compose's forms: a string (run by the
// shell) or a list starting with CMD or CMD-SHELL.
func (d *decoder) test(n *yaml.Node, at string) []string {
	if isNull(n) {
		d.errorf(n, "%s: found null; expected %s", at, testExpected)
		return nil
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" {
		if strings.TrimSpace(n.Value) == "" {
			d.errorf(n, "%s: found an empty command; expected %s", at, testExpected)
			return nil
		}
		return []string{"CMD-SHELL", n.Value}
	}
	items := d.sequence(n, at, testExpected)
	if n.Kind != yaml.SequenceNode {
		return nil
	}
	var out []string
	for _, item := range items {
		s, ok := d.str(item, at, "a string")
		if !ok {
			if isNull(item) {
				d.errorf(item, "%s: found null; expected a string", at)
			}
			return nil
		}
		out = append(out, s)
	}
	switch {
	case len(out) == 0:
		d.errorf(n, "%s: found an empty list; expected %s", at, testExpected)
	case out[0] == "NONE":
		d.errorf(items[0], "%s: found \"NONE\"; expected disable: true instead of test to turn the healthcheck off", at)
	case out[0] != "CMD" && out[0] != "CMD-SHELL":
		d.errorf(items[0], "%s: found %q as the first item; expected \"CMD\" or \"CMD-SHELL\"%s", at, out[0], suggest(out[0], []string{"CMD", "CMD-SHELL"}))
	case len(out) == 1:
		d.errorf(n, "%s: found %q alone; expected a command after it", at, out[0])
	case out[0] == "CMD-SHELL" && len(out) != 2:
		d.errorf(items[2], "%s: found %d items after \"CMD-SHELL\"; expected one shell command string", at, len(out)-1)
	default:
		return out
	}
	return nil
}
