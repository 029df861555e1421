package fixers

import (
	"strconv"
	"strings"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/fixers/kb"
	"go.yaml.in/yaml/v3"
)

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
always as a quoted string; long syntax gets host_ip: 127.0.0.1. A host part that
comes from an interpolation ("${SQL_PORT:-127.0.0.1:13306}:3306", host_ip:
${BIND_IP}) may carry an address already: it is reported, never edited. Unsafe:
clients on other hosts can no longer connect.

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

// --- CF504 ---------------------------------------------------------------

// namedPort is a container port and the service that listens on it.
type namedPort struct {
	port int
	name string
}

// dataPorts are container ports of databases, caches, search engines and
// brokers, whatever the image. Slices, not maps: a package map literal is
// built by code at every process start, --version included (issue 14).
var dataPorts = []namedPort{
	{5432, "PostgreSQL"}, {6432, "PgBouncer"}, {3306, "MySQL"}, {33060, "MySQL X"}, {27017, "MongoDB"},
	{6379, "Redis"}, {26379, "Redis Sentinel"}, {11211, "Memcached"}, {5672, "AMQP"}, {5671, "AMQP"},
	{9200, "Elasticsearch/OpenSearch"}, {9300, "Elasticsearch/OpenSearch transport"}, {8086, "InfluxDB"}, {1433, "SQL Server"},
	{5984, "CouchDB"}, {7687, "Neo4j Bolt"}, {2181, "ZooKeeper"}, {9042, "Cassandra"}, {9092, "Kafka"},
	{2379, "etcd"}, {28015, "RethinkDB"}, {8529, "ArangoDB"}, {1521, "Oracle"},
}

// imageDataPorts are ports that mean a data service only for some images
// (9000 is also MinIO's API, PHP-FPM and Portainer).
var imageDataPorts = []struct {
	image string // a word of the image's last path component
	ports []namedPort
}{
	{"clickhouse", []namedPort{{8123, "ClickHouse HTTP"}, {9000, "ClickHouse"}, {9009, "ClickHouse interserver"}}},
	{"kafka", []namedPort{{9093, "Kafka"}, {9094, "Kafka"}, {29092, "Kafka"}}},
	{"mongo", []namedPort{{27018, "MongoDB"}, {27019, "MongoDB"}}},
	{"nats", []namedPort{{4222, "NATS"}}},
}

// portName returns the service of port in ports, and whether it has one.
func portName(ports []namedPort, port int) (string, bool) {
	for _, p := range ports {
		if p.port == port {
			return p.name, true
		}
	}
	return "", false
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
		if name, ok := portName(dataPorts, port); ok {
			return port, name
		}
		for _, ip := range imageDataPorts {
			if strings.Contains(last, ip.image) {
				if name, ok := portName(ip.ports, port); ok {
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
	// interpolated is set when the part before the container port holds an
	// interpolation: its value may carry a host address ("${SQL_PORT:-
	// 127.0.0.1:13306}:3306"), so nothing may be put in front of it.
	interpolated bool
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
		var sb splitBuf
		parts, _ := sb.split(body[end+2:], ':')
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
	var sb splitBuf
	parts, offs := sb.split(body, ':')
	host := strings.Contains(body[:offs[len(offs)-1]], "$")
	switch len(parts) {
	case 1:
		return shortPort{container: parts[0], from: 0, to: 0, repl: "127.0.0.1::", ok: true}, true
	case 2:
		return shortPort{container: parts[1], interpolated: host, from: 0, to: 0, repl: "127.0.0.1:", ok: true}, true
	case 3:
		sp := shortPort{container: parts[2], interpolated: host}
		if ip := parts[0]; ip == "" || ip == "0.0.0.0" {
			sp.from, sp.to, sp.repl, sp.ok = offs[0], offs[0]+len(ip), "127.0.0.1", true
		}
		return sp, true
	}
	return shortPort{}, false // an unbracketed IPv6 address, or not a port
}

func checkPublishedPorts(p *Pass) error {
	d := p.Document
	own := p.ownersOf()
	var found nodeFindings
	type what struct {
		port int
		name string
		// set is the interpolated host part that decides the interface;
		// bound is whether its default binds a single address.
		set   string
		bound bool
	}
	ports := map[*yaml.Node]what{}
	for _, s := range p.services() {
		if isHostMode(s.str("network_mode")) {
			continue // ports are ignored; CF507 reports the host network
		}
		image := expandDefaults(imageOf(s))
		for _, it := range seqItems(s.get("ports")) {
			var container string
			var w what
			switch it.Kind {
			case yaml.ScalarNode:
				sp, ok := parseShortPort(it.Value)
				if !ok {
					continue
				}
				if sp.interpolated {
					w.set, w.bound = interpolatedHost(it.Value)
				} else if !sp.ok {
					continue
				}
				container = expandDefaults(sp.container)
			case yaml.MappingNode:
				ip, n := lookupStr(it, "host_ip")
				if n != nil && interpolated(n.Value) {
					w.set, w.bound = n.Value, !allInterfaces(ip)
				} else if n != nil && !allInterfaces(ip) {
					continue
				}
				container, _ = lookupStr(it, "target")
			default:
				continue
			}
			if w.port, w.name = dataPort(container, image); w.name != "" {
				ports[it] = w
				found.add(it, s, own.editable(s, it) && w.set == "")
			}
		}
	}
	for _, n := range found.order {
		f := found.by[n]
		w := ports[n]
		if w.set != "" {
			// The variable's value decides the interface: prepending an
			// address would make a port with too many colons when it
			// already holds one, so this is a finding without a fix.
			if w.bound {
				p.ReportSeverity(n, Info, nil, "%s publish%s %s port %d at a host address set through %q; its default binds one address, keep its value bound to 127.0.0.1", f.who(), verbES(f), w.name, w.port, w.set)
			} else {
				p.Report(n, nil, "%s publish%s %s port %d at a host address set through %q, on every interface unless its value names an address; expected 127.0.0.1 in its value", f.who(), verbES(f), w.name, w.port, w.set)
			}
			continue
		}
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

// interpolatedHost returns the part of a short port before its container
// port, which holds an interpolation, and whether the value with the
// interpolations' defaults binds a single address.
func interpolatedHost(v string) (host string, bound bool) {
	var sb splitBuf
	_, offs := sb.split(v, ':')
	host = strings.TrimSuffix(v[:offs[len(offs)-1]], ":")
	sp, ok := parseShortPort(expandDefaults(v))
	return host, ok && !sp.ok
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
