package imageref

import "strings"

// DockerHub is Docker Hub's normalised host, whatever the spelling in the
// compose file (none, docker.io, index.docker.io, registry-1.docker.io).
const DockerHub = "docker.io"

// Parts is a reference as written, split: Name (registry and repository
// as spelled), Tag and Digest, without their ":" and "@". HasTag and
// HasDigest tell "redis:" and "redis@" (empty, invalid) from "redis".
type Parts struct {
	Name, Tag, Digest string
	HasTag, HasDigest bool
}

// Split splits s at its structure only: the digest follows the first
// "@"; the tag follows the last ":" of what precedes it, unless a "/"
// comes after that ":", which then belongs to a registry port
// ("localhost:5000/app"). Nothing is validated.
func Split(s string) Parts {
	var p Parts
	rest := s
	if i := strings.IndexByte(rest, '@'); i >= 0 {
		p.Digest, p.HasDigest, rest = rest[i+1:], true, rest[:i]
	}
	if i := strings.LastIndexByte(rest, ':'); i >= 0 && strings.IndexByte(rest[i:], '/') < 0 {
		p.Tag, p.HasTag, rest = rest[i+1:], true, rest[:i]
	}
	p.Name = rest
	return p
}

// SplitHost splits a name ("ghcr.io/acme/api") into its registry host as
// written and its repository path, when its first component names a host
// as Docker reads it: one with a dot or a colon (a port), "localhost", or
// one with an upper-case letter, which no repository component may have.
// Otherwise host is "" (Docker Hub) and path is name.
func SplitHost(name string) (host, path string) {
	i := strings.IndexByte(name, '/')
	if i < 0 {
		return "", name
	}
	first := name[:i]
	if strings.ContainsAny(first, ".:") || first == "localhost" || strings.ToLower(first) != first {
		return first, name[i+1:]
	}
	return "", name
}

// NormalizeHost maps every Docker Hub spelling of a host (none included)
// to DockerHub and lowercases any other host, since host names are not
// case sensitive; but a single-label host ("Registry") keeps its capitals,
// which are all that make it a host: lowercased, "registry/app" would
// name Docker Hub's docker.io/registry/app.
func NormalizeHost(host string) string {
	lower := strings.ToLower(host)
	switch lower {
	case "", DockerHub, "index.docker.io", "registry-1.docker.io":
		return DockerHub
	}
	if !strings.ContainsAny(lower, ".:") && lower != "localhost" {
		return host
	}
	return lower
}

// Repository returns the normalised repository of path under the
// normalised registry: Docker Hub's official images live under
// "library/" ("redis" is "library/redis").
func Repository(registry, path string) string {
	if registry == DockerHub && strings.IndexByte(path, '/') < 0 {
		return "library/" + path
	}
	return path
}

// Normalize returns the normalised registry and repository of a name as
// written (no tag or digest): "docker.io", "library/redis" for "redis" and
// "index.docker.io/redis".
func Normalize(name string) (registry, repository string) {
	host, path := SplitHost(name)
	registry = NormalizeHost(host)
	return registry, Repository(registry, path)
}

// Long returns the normalised registry and repository of a name as one
// string: "docker.io/library/redis" for "redis".
func Long(name string) string {
	registry, repository := Normalize(name)
	return registry + "/" + repository
}

// Short returns Docker Hub's short spelling of a long name ("redis",
// "bitnami/redis"), or long itself for another registry's.
func Short(long string) string {
	s, ok := strings.CutPrefix(long, DockerHub+"/")
	if !ok {
		return long
	}
	return strings.TrimPrefix(s, "library/")
}
