package registry

import (
	"fmt"
	"strings"

	"github.com/composefix/composefix/internal/imageref"
)

// DockerHub is the normalised name of Docker Hub, whatever the spelling in
// the compose file (none, docker.io, index.docker.io, registry-1.docker.io).
const DockerHub = imageref.DockerHub

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
//
// The structure (where the tag, the digest and the host are) and the
// normalisation are internal/imageref's, which fixers reads references
// with too, so that a rule's image and the request made for it are the
// same image. Each part is then held to the distribution grammar, unlike
// in fixers: a request for a reference the registry would refuse is not
// sent.
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
	parts := imageref.Split(s)
	if parts.HasDigest {
		r.Digest = parts.Digest
		if !isDigest(r.Digest) {
			return bad(fmt.Sprintf("malformed digest %q", r.Digest))
		}
		if strings.HasPrefix(r.Digest, "sha256:") && len(r.Digest) != len("sha256:")+64 {
			return bad(fmt.Sprintf("malformed digest %q", r.Digest))
		}
	}
	if parts.HasTag {
		r.Tag = parts.Tag
		if len(r.Tag) > maxTagLen || !isTag(r.Tag) {
			return bad(fmt.Sprintf("malformed tag %q", r.Tag))
		}
	}
	host, path := imageref.SplitHost(parts.Name)
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
	r.Repository = imageref.Repository(r.Registry, path)
	if r.Tag == "" && r.Digest == "" {
		r.Tag, r.ImplicitTag = "latest", true
	}
	return r, nil
}

// NormalizeRegistry lowercases a registry host and maps every Docker Hub
// spelling (including none) to DockerHub; a single-label host keeps its
// capitals (see imageref.NormalizeHost).
func NormalizeRegistry(host string) string { return imageref.NormalizeHost(host) }

// Name returns the registry and repository as the user spelled them, without
// tag or digest: the text a pin edit keeps before ":tag".
func (r Reference) Name() string { return imageref.Split(r.Original).Name }

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
