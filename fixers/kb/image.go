package kb

import "strings"

// SplitImage splits an image reference as written in a compose file into its
// normalised repository and its tag. The digest is dropped; the tag is "" when
// the reference has none. The repository is lower-cased, and Docker Hub's
// host names and the library/ namespace of official images are removed, so
// "docker.io/library/postgres:16-alpine" and "postgres" share the repository
// "postgres". The tag may be an unresolved interpolation such as
// "${PG_TAG:-16}".
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

func normaliseRepository(repo string) string {
	repo = strings.ToLower(repo)
	// The registry host names that all mean Docker Hub.
	for _, p := range [...]string{"docker.io/", "index.docker.io/", "registry-1.docker.io/"} {
		if strings.HasPrefix(repo, p) {
			repo = strings.TrimPrefix(repo, p)
			break
		}
	}
	return strings.TrimPrefix(repo, "library/")
}
