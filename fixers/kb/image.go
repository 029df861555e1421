package kb

import (
	"strings"

	"github.com/composefix/composefix/internal/imageref"
)

// SplitImage splits an image reference as written in a compose file into its
// normalised repository and its tag. The digest is dropped; the tag is "" when
// the reference has none. The repository is lower-cased (but for a
// single-label host, whose capitals are what make it one), and Docker Hub's
// host names and the library/ namespace of official images are removed, so
// "docker.io/library/postgres:16-alpine" and "postgres" share the repository
// "postgres"; a host is read as internal/imageref reads it. The tag may be
// an unresolved interpolation such as "${PG_TAG:-16}", which is why the tag
// starts at the first ":" of the last component, not at imageref's last.
func SplitImage(image string) (repository, tag string) {
	ref := strings.TrimSpace(image)
	if i := strings.Index(ref, "@"); i >= 0 {
		ref = ref[:i]
	}
	slash := strings.LastIndex(ref, "/")
	if i := strings.Index(ref[slash+1:], ":"); i >= 0 {
		tag = ref[slash+1+i+1:]
		ref = ref[:slash+1+i]
	}
	return normaliseRepository(ref), tag
}

// Repository returns the normalised repository of an image reference; see
// SplitImage.
func Repository(image string) string {
	repo, _ := SplitImage(image)
	return repo
}

// normaliseRepository takes imageref's decisions (which first component is
// a registry host, Docker Hub's spellings, library/), so that a lookup
// reads a name as the pin rules and the registry requests do, but
// lowercases the repository path: a person's "Postgres" is still the
// postgres image to look up (CF003 reports the spelling).
func normaliseRepository(name string) string {
	host, path := imageref.SplitHost(name)
	registry := imageref.NormalizeHost(host)
	path = strings.ToLower(path)
	if registry != imageref.DockerHub {
		return registry + "/" + path
	}
	// imageref.Short(imageref.Long(...)) without building the long name:
	// most lookups are of Docker Hub images.
	return strings.TrimPrefix(path, "library/")
}
