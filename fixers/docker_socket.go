package fixers

import (
	"strings"

	"github.com/composefix/composefix/compose"
	"go.yaml.in/yaml/v3"
)

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

// --- CF503 ---------------------------------------------------------------

// isDockerSocket reports whether a host path is the Docker (or Podman) API
// socket.
func isDockerSocket(path string) bool {
	path = strings.TrimSuffix(strings.TrimSpace(path), "/")
	return strings.HasSuffix(path, "/docker.sock") || strings.HasSuffix(path, "/podman.sock") || path == "docker.sock"
}

func checkDockerSocket(p *Pass) error {
	d := p.Document
	own := p.ownersOf()
	var found nodeFindings
	for _, s := range p.servicesOf(d) {
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
			var sb splitBuf
			parts, _ := sb.split(n.Value, ':')
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
	var sb splitBuf
	parts, offs := sb.split(v, ':')
	if len(parts) < 2 || len(parts) > 3 || !isDockerSocket(expandDefaults(parts[0])) {
		return 0, 0, "", false
	}
	if len(parts) == 2 {
		return len(v), len(v), ":ro", true
	}
	opts, at := parts[2], offs[2]
	if opts == "" { // "SRC:DST:": the colon is there, only the option is missing
		return at, at, "ro", true
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
