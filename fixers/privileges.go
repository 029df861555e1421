package fixers

import (
	"fmt"
	"strings"

	"github.com/composefix/composefix/compose"
	"go.yaml.in/yaml/v3"
)

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

// --- CF505 ---------------------------------------------------------------

const noNewPrivileges = "no-new-privileges:true"

func checkNoNewPrivileges(p *Pass) error {
	d := p.Document
	own := p.ownersOf()
	ss := p.servicesOf(d)
	all := p.namesOf(d)
	multi := multiMerged(d)
	type plan struct {
		s   svc
		fix *Fix
		msg string
	}
	plans := make([]plan, 0, len(ss))   // at most one a service, grown a doubling at a time in a large file
	inserted := map[*yaml.Node]string{} // service mappings gaining the key, by service
	// One value for every service gaining the option, as healthchecks
	// share theirs (see healthCtx.shape): InsertKey then renders its text
	// once (compose's recent entries) instead of once per service.
	var seq, item *yaml.Node
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
		if !p.owns(s.Name) || p.elsewhereWith(s.Name, func(o svc) bool { return setsNoNewPrivileges(o.get("security_opt")) }) {
			continue // the file that defines the service gets the option, once
		}
		pl := plan{s: s, msg: msgf("service %q does not set no-new-privileges; expected security_opt: [%q]", s.Name, noNewPrivileges)}
		mine := s.own("security_opt")
		target := compose.Resolve(mine)
		switch {
		case s.target == nil:
		case mine == nil && opts == nil && !multi[s.Node]:
			if seq == nil {
				seq = compose.Seq(noNewPrivileges)
			}
			ch, err := d.InsertKey(s.target, "security_opt", seq)
			if err != nil {
				return err
			}
			pl.fix = p.fixf(ch, "Add security_opt: no-new-privileges:true to %s", s.Name)
			if s.Node != nil {
				inserted[s.Node] = s.Name
			}
		case mine != nil && own.editable(s, target) && (target.Kind == yaml.SequenceNode || target.Tag == "!!null"):
			if item == nil {
				item = compose.Str(noNewPrivileges)
			}
			ch, err := d.AppendItem(target, item)
			if err != nil {
				return err
			}
			pl.fix = p.fixf(ch, "Add no-new-privileges:true to %s's security_opt", s.Name)
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
		p.reportf(pl.s.Key, pl.fix, "%s", pl.msg)
	}
	return nil
}

// mergedFrom returns the service of inserted that s merges directly
// ("<<: *base"), or "".
func mergedFrom(s svc, inserted map[*yaml.Node]string) string {
	if s.Node == nil {
		return ""
	}
	for _, src := range compose.MergeSources(s.Node) {
		if name, ok := inserted[src]; ok && name != s.Name {
			return name
		}
	}
	return ""
}

// multiMerged returns the mappings merged together with others
// ("<<: [*a, *b]"): a key added to one of them can take precedence over
// the same key of a later one and change what the merging mapping sees.
func multiMerged(d *compose.Document) map[*yaml.Node]bool {
	out := map[*yaml.Node]bool{}
	if !d.MayMerge() {
		return out // no merge key: no walk of a tree that may be large
	}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if compose.IsMergeKey(k) && v.Kind == yaml.SequenceNode && len(v.Content) > 1 {
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
	for _, s := range p.servicesOf(p.Document) {
		v := s.get("privileged")
		if v == nil || v.Kind != yaml.ScalarNode || !isTrue(expandDefaults(v.Value)) || seen[v] {
			continue
		}
		seen[v] = true
		p.reportf(v, nil, "service %q runs privileged: root in the container is root on the host; expected the capabilities or devices it needs", s.Name)
	}
	return nil
}

func checkHostNamespaces(p *Pass) error {
	seen := map[*yaml.Node]bool{}
	for _, s := range p.servicesOf(p.Document) {
		for _, key := range [...]string{"network_mode", "pid", "ipc", "uts", "userns_mode"} {
			v := s.get(key)
			if v == nil || v.Kind != yaml.ScalarNode || !isHostMode(expandDefaults(v.Value)) || seen[v] {
				continue
			}
			seen[v] = true
			p.reportf(v, nil, "service %q shares the host's %s namespace (%s: host)", s.Name, namespaceName(key), key)
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
	for _, s := range p.servicesOf(p.Document) {
		for _, it := range seqItems(s.get("cap_add")) {
			if it.Kind != yaml.ScalarNode || seen[it] {
				continue
			}
			c := strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(it.Value)), "CAP_")
			if c != "ALL" && c != "SYS_ADMIN" {
				continue
			}
			seen[it] = true
			p.reportf(it, nil, "service %q adds capability %q; expected the narrow capabilities it needs", s.Name, c)
		}
	}
	return nil
}
