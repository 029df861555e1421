package fixers

import (
	"fmt"
	"sort"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/fixers/kb"
	"go.yaml.in/yaml/v3"
)

const resourceLimitsID = "CF301"

// limitsRules returns the rules of the resource limits (CF3xx) family.
func limitsRules() []*Rule { return []*Rule{limitsRule()} }

// LimitsConfig configures the resource limits (CF3xx) rules; the zero value means the defaults.
type LimitsConfig struct {
	// Classes overrides (or defines) the limits of a resource class; empty
	// fields keep the built-in values.
	Classes map[string]ResourceLimits
	// Services overrides the class or the limits of one service, by name.
	Services map[string]ServiceResources
	// Images assigns image globs to classes, in the order written; the first
	// match wins over the built-in classification.
	Images []ImageClassRule
}

// ResourceLimits are the values written under deploy.resources; "" is
// unset.
type ResourceLimits struct {
	CPUs              string // limits.cpus, such as "0.5"
	Memory            string // limits.memory, such as "512M"
	ReservationMemory string // reservations.memory
}

func (l ResourceLimits) overlay(o ResourceLimits) ResourceLimits {
	if o.CPUs != "" {
		l.CPUs = o.CPUs
	}
	if o.Memory != "" {
		l.Memory = o.Memory
	}
	if o.ReservationMemory != "" {
		l.ReservationMemory = o.ReservationMemory
	}
	return l
}

// ServiceResources overrides the limits of one service.
type ServiceResources struct {
	Class string // puts the service in this class whatever its image
	ResourceLimits
	Disable bool // never add limits to the service
}

// ImageClassRule puts images matching Pattern (a glob, as in
// HealthOverride.Image) into Class.
type ImageClassRule struct {
	Pattern, Class string
}

func limitsRule() *Rule {
	return &Rule{
		ID: resourceLimitsID, Name: "resource-limits", Safety: Unsafe, Severity: Warning,
		Summary: "services get CPU and memory limits and a memory reservation for their class of image",
		Doc: `Services without resource limits get deploy.resources for their class of image.

A service without limits can take all of the host's memory and CPU and starve the
others; without a reservation the scheduler cannot keep memory for it. Each image has a
class with defaults from the audits: database 2 CPUs / 2G (1G reserved), cache 1 /
512M, search 1 / 1G, proxy 0.5 / 256M, broker 1 / 1G, monitoring 0.5 / 512M, object
storage 1 / 1G, scanner 1 / 2G, and application 1 / 1G with 512M reserved for
everything else. .composefix.yaml overrides them per class, per service and per image
(resources: {classes: ..., services: ..., images: ...}).

The fix is unsafe (a limit set too low kills the service): it is applied with
--unsafe-fixes or unsafe_fixes in .composefix.yaml, and shown otherwise. Services that
set mem_limit, mem_reservation, cpus, cpu_count, cpu_percent, cpu_quota or any
deploy.resources (own, inherited, or in another file of the project) are left alone,
and so are one-shot jobs. An existing deploy mapping gets a resources entry; cpus is
written as a quoted string, and a service's pids_limit is repeated as limits.pids
(compose refuses the two when they differ).

Before:
  services:
    cache:
      image: redis:7.4.1

After:
  services:
    cache:
      image: redis:7.4.1
      deploy:
        resources:
          limits:
            cpus: "1"
            memory: 512M
          reservations:
            memory: 256M`,
		Check: checkLimits,
	}
}

// limitKeys are the service keys that already limit resources outside
// deploy.resources: an array, which a call copies on the stack, where a
// slice would be allocated at every call.
func limitKeys() [6]string {
	return [...]string{"mem_limit", "mem_reservation", "cpus", "cpu_count", "cpu_percent", "cpu_quota"}
}

func checkLimits(p *Pass) error {
	k := p.Config.Knowledge
	classes := k.Classes
	cfg := p.Config.Limits
	ss := p.services()
	all := p.serviceNames()
	completed := p.completedDependencies()
	shared := limitsNodes{}
	for _, s := range ss {
		if p.isOneShot(s, completed) || cfg.Services[s.Name].Disable || hasLimits(p, all, s) {
			continue
		}
		image := imageOf(s)
		if image == "" && !s.has("build") {
			continue // not a runnable service on its own
		}
		class := limitsClass(cfg, k.Index, s.Name, image)
		base, ok := classes[class]
		var l ResourceLimits
		if ok {
			l = ResourceLimits{CPUs: base.CPUs, Memory: base.Memory, ReservationMemory: base.ReservationMemory}
		}
		l = l.overlay(cfg.Classes[class]).overlay(cfg.Services[s.Name].ResourceLimits)
		if l.CPUs == "" || l.Memory == "" {
			return fmt.Errorf("resource class %q of service %q has no cpus or memory", class, s.Name)
		}
		l.ReservationMemory = capReservation(l.Memory, l.ReservationMemory)
		fix, reason, err := limitsFix(p, s, l, shared)
		if err != nil {
			return err
		}
		// Written into a buffer on the stack, made a string once: through
		// message, each value was boxed in an interface, and each part
		// added made the message again (issue 14).
		var buf [256]byte
		msg := append(buf[:0], "service "...)
		msg = appendQuote(msg, s.Name)
		msg = append(msg, " has no resource limits; expected "...)
		msg = append(msg, class...)
		msg = append(msg, " limits (cpus "...)
		msg = appendQuote(msg, l.CPUs)
		msg = append(msg, ", memory "...)
		msg = append(msg, l.Memory...)
		if l.ReservationMemory != "" {
			msg = append(append(append(msg, ", "...), l.ReservationMemory...), " reserved"...)
		}
		msg = append(msg, ')')
		if reason != "" {
			msg = append(append(msg, "; "...), reason...)
		}
		p.reportf(s.Key, fix, "%s", string(msg))
	}
	return nil
}

// limitsClass returns the resource class of a service: the configured
// class of the service or of its image, else the knowledge base's.
func limitsClass(cfg LimitsConfig, index *kb.Index, name, image string) string {
	if c := cfg.Services[name].Class; c != "" {
		return c
	}
	if image != "" {
		for _, ic := range cfg.Images {
			if matchImagePattern(ic.Pattern, image) {
				return ic.Class
			}
		}
	}
	return index.ClassOf(image)
}

// capReservation keeps a memory reservation (possibly from a class while
// the limit comes from the service) from exceeding the limit, which Docker
// refuses.
func capReservation(limit, reservation string) string {
	if reservation == "" {
		return ""
	}
	l, err1 := kb.MemoryBytes(limit)
	r, err2 := kb.MemoryBytes(reservation)
	if err1 == nil && err2 == nil && r > l {
		return limit
	}
	return reservation
}

// hasLimits reports whether the service limits resources already, or
// whether that is for another file of the project to say.
//
// It asks once whether a service limits anything (limited): asked per
// key, as settled does, each of the seven walked the service's extends
// chain and the project's other files again.
func hasLimits(p *Pass, all map[string]svc, s svc) bool {
	if set, unknown := p.inheritsWith(all, s, limited); set || unknown {
		return true
	}
	return p.elsewhereWith(s.Name, limited) || !p.owns(s.Name)
}

// limited reports whether a service sets a limit key or deploy.resources.
func limited(s svc) bool {
	for _, k := range limitKeys() {
		if s.has(k) {
			return true
		}
	}
	return deployResources(s)
}

// deployResources reports whether the service's effective deploy sets
// resources.
func deployResources(s svc) bool {
	deploy := s.get("deploy")
	if deploy == nil {
		return false
	}
	v, _ := compose.Lookup(deploy, "resources")
	return v != nil
}

// limitsFix inserts resources into the service's own deploy mapping, or a
// whole deploy block. reason says why there is no fix.
func limitsFix(p *Pass, s svc, l ResourceLimits, shared limitsNodes) (*Fix, string, error) {
	if s.target == nil {
		return nil, "the service is an alias shared with others; add the limits where it is defined", nil
	}
	key := limitsKey{ResourceLimits: l}
	// compose refuses pids_limit beside a different limits.pids, and an
	// absent one counts as different: repeat the service's value.
	if pids := s.get("pids_limit"); pids != nil && pids.Kind == yaml.ScalarNode && pids.Tag != "!!null" {
		key.pids, key.pidsInt = pids.Value, pids.Tag == "!!int"
	}
	d := p.Document
	own := s.own("deploy")
	var ch compose.Change
	var err error
	switch {
	case own == nil && s.has("deploy"):
		return nil, "deploy is inherited through a merge key, and a deploy of its own would replace it whole; add resources where it is defined", nil
	case own == nil:
		key.deploy = true
		ch, err = d.InsertKey(s.target, "deploy", shared.node(key))
	case own.Kind == yaml.MappingNode || own.Kind == yaml.ScalarNode && own.Tag == "!!null":
		if own.Kind == yaml.MappingNode && own.Style&yaml.FlowStyle == 0 && len(own.Content) == 0 {
			return nil, "deploy is an empty mapping; add resources by hand", nil
		}
		ch, err = d.InsertKey(own, "resources", shared.node(key))
	default:
		return nil, "deploy is not a mapping of its own; add resources by hand", nil
	}
	if err != nil {
		return nil, "", err
	}
	// One concatenation, one allocation: message would box each value.
	return p.fixf(ch, "%s", "Limit "+s.Name+" to "+l.CPUs+" CPUs and "+l.Memory+" of memory"), "", nil
}

// limitsNodes holds one resources mapping per distinct value in a pass:
// a file of many alike services gets the same limits in each, and a copy
// per service was a large share of what a large file's fixes hold (see
// healthCtx.shape, which shares healthchecks alike). New nodes are never
// changed once made, so sharing one is invisible to every reader.
type limitsNodes map[limitsKey]*yaml.Node

// limitsKey is what a resources mapping is made from.
type limitsKey struct {
	ResourceLimits
	pids    string // the service's pids_limit, repeated as limits.pids; "": none
	pidsInt bool   // pids is an integer, not a string
	deploy  bool   // the mapping is deploy's: {resources: ...}
}

// node returns the mapping for k, made on first use.
func (m limitsNodes) node(k limitsKey) *yaml.Node {
	if n, ok := m[k]; ok {
		return n
	}
	limits := compose.Map("cpus", compose.Quoted(k.CPUs), "memory", k.Memory)
	if k.pids != "" {
		v := compose.Str(k.pids)
		if k.pidsInt {
			v = compose.Int(k.pids)
		}
		limits.Content = append(limits.Content, compose.Str("pids"), v)
	}
	res := compose.Map("limits", limits)
	if k.ReservationMemory != "" {
		res.Content = append(res.Content, compose.Str("reservations"), compose.Map("memory", k.ReservationMemory))
	}
	if k.deploy {
		res = compose.Map("resources", res)
	}
	m[k] = res
	return res
}

// LimitClasses returns the names of the built-in resource classes, sorted,
// for validating configuration.
func LimitClasses() ([]string, error) {
	classes, err := kb.Classes()
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(classes))
	for n := range classes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, nil
}
