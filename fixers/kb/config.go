package kb

import (
	"regexp"
	"slices"
	"strings"
)

// OwnConfig returns the flag of ConfigFlags that the service's command
// carries ("-c" in "nginx -c /etc/netbox-nginx/nginx.conf"), or "": the
// program then runs a configuration of the service's, which may listen
// elsewhere than Test probes.
func (h Healthcheck) OwnConfig(s Service) string {
	for _, t := range commandTokens(s.Command) {
		for _, f := range h.ConfigFlags {
			if t == f || strings.HasPrefix(t, f+"=") {
				return f
			}
		}
	}
	return ""
}

// PortMismatch reports a service whose container ports (ports and expose)
// do not include the port Test would probe, when that port is the entry's
// default rather than a value the service gives (a flag, the environment,
// a container port). A service that publishes only 8080 of an image whose
// stock configuration listens on 80 has moved the port in a configuration
// composefix cannot read. It returns the probed port and the service's
// TCP container ports.
//
// Only entries with ConfigFlags say their program listens where a
// configuration file says; others may probe a port that is rightly not
// published (Keycloak's management port).
func (h Healthcheck) PortMismatch(s Service) (probed string, ports []string, bad bool) {
	p, ok := h.Params["port"]
	if len(h.ConfigFlags) == 0 || !ok || p.Default == "" || strings.Contains(p.Default, "$") {
		return "", nil, false
	}
	noDefault := p
	noDefault.Default = ""
	if _, given, err := noDefault.resolve(commandTokens(s.Command), s, regexp.Compile); err != nil || given {
		return "", nil, false
	}
	if p.DefaultOnlyWithoutCommand && len(s.Command) > 0 {
		return "", nil, false
	}
	for _, port := range s.Ports {
		if n, ok := tcpPort(port); ok {
			if strings.HasPrefix(n, "${") {
				return "", nil, false // decided by the environment
			}
			ports = append(ports, n)
		}
	}
	if len(ports) == 0 || slices.Contains(ports, p.Default) {
		return "", nil, false
	}
	return p.Default, ports, true
}
