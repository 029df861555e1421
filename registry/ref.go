package registry

import (
	"fmt"
	"strings"
)

// DockerHub is the normalised name of Docker Hub, whatever the spelling in
// the compose file (none, docker.io, index.docker.io, registry-1.docker.io).
const DockerHub = "docker.io"

// Reference is a parsed image reference. Original keeps the user's
// spelling for edits; Registry and Repository are normalised for keys and
// requests.
type Reference struct {
	Original    string // as written: "redis:7", "index.docker.io/library/redis:7"
	Registry    string // normalised host[:port]: "docker.io", "ghcr.io", "127.0.0.1:5000"
	Repository  string // normalised path: "library/redis", "traefik/whoami"
	Tag         string // "latest" when neither a tag nor a digest was written
	ImplicitTag bool   // Tag is "latest" because none was written
	Digest      string // "sha256:…" when written; "" otherwise
}

// maxTagLen is the longest tag the distribution spec allows, in bytes
// (the grammar's characters are ASCII).
const maxTagLen = 128

// ParseReference parses an image reference as Docker does: an optional
// registry host (a first component with a dot, a colon or "localhost"),
// a repository path, an optional tag and an optional digest. Docker Hub's
// spellings normalise to DockerHub and its official images to "library/".
// Errors wrap ErrInvalidReference.
func ParseReference(s string) (Reference, error) {
	r := Reference{Original: s}
	bad := func(why string) (Reference, error) {
		return Reference{}, fmt.Errorf("parsing image reference %q: %s: %w", s, why, ErrInvalidReference)
	}
	if s == "" {
		return bad("empty")
	}
	if strings.ContainsAny(s, " \t\r\n$") {
		return bad("unexpected character")
	}
	rest := s
	if i := strings.IndexByte(rest, '@'); i >= 0 {
		r.Digest = rest[i+1:]
		rest = rest[:i]
		if !isDigest(r.Digest) {
			return bad(fmt.Sprintf("malformed digest %q", r.Digest))
		}
		if strings.HasPrefix(r.Digest, "sha256:") && len(r.Digest) != len("sha256:")+64 {
			return bad(fmt.Sprintf("malformed digest %q", r.Digest))
		}
	}
	if i := strings.LastIndexByte(rest, ':'); i >= 0 && !strings.Contains(rest[i:], "/") {
		r.Tag = rest[i+1:]
		rest = rest[:i]
		if len(r.Tag) > maxTagLen || !isTag(r.Tag) {
			return bad(fmt.Sprintf("malformed tag %q", r.Tag))
		}
	}
	host, path := splitHost(rest)
	if host != "" && !isHost(host) {
		return bad(fmt.Sprintf("malformed registry host %q", host))
	}
	r.Registry = NormalizeRegistry(host)
	if path == "" {
		return bad("no repository")
	}
	for _, c := range strings.Split(path, "/") {
		if !isPathComponent(c) {
			return bad(fmt.Sprintf("malformed repository component %q", c))
		}
	}
	if r.Registry == DockerHub && !strings.Contains(path, "/") {
		path = "library/" + path
	}
	r.Repository = path
	if r.Tag == "" && r.Digest == "" {
		r.Tag, r.ImplicitTag = "latest", true
	}
	return r, nil
}

// splitHost splits "host/path" when the first component names a registry.
func splitHost(s string) (host, path string) {
	i := strings.IndexByte(s, '/')
	if i < 0 {
		return "", s
	}
	first := s[:i]
	if strings.ContainsAny(first, ".:") || first == "localhost" || strings.ToLower(first) != first {
		return first, s[i+1:]
	}
	return "", s
}

// NormalizeRegistry lowercases a registry host and maps every Docker Hub
// spelling (including none) to DockerHub.
func NormalizeRegistry(host string) string {
	lower := strings.ToLower(host)
	switch lower {
	case "", "docker.io", "index.docker.io", "registry-1.docker.io":
		return DockerHub
	}
	if !strings.ContainsAny(lower, ".:") && lower != "localhost" {
		// A single-label host ("Registry/app") is a host only because of
		// its capitals; lowercased, it would read as a repository path.
		return host
	}
	return lower
}

// Name returns the registry and repository as the user spelled them, without
// tag or digest: the text a pin edit keeps before ":tag".
func (r Reference) Name() string {
	s := r.Original
	if i := strings.IndexByte(s, '@'); i >= 0 {
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, ':'); i >= 0 && !strings.Contains(s[i:], "/") {
		s = s[:i]
	}
	return s
}

// Repo returns the normalised registry and repository: the key of a tag list.
func (r Reference) Repo() string { return r.Registry + "/" + r.Repository }

// Key returns the normalised reference used to deduplicate lookups:
// "docker.io/library/redis:7" for "redis:7" and "index.docker.io/redis:7".
func (r Reference) Key() string {
	k := r.Repo()
	if r.Tag != "" {
		k += ":" + r.Tag
	}
	if r.Digest != "" {
		k += "@" + r.Digest
	}
	return k
}

// String returns the reference as written.
func (r Reference) String() string { return r.Original }
