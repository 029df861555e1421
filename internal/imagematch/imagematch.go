package imagematch

import (
	"path"
	"strings"
)

// Match reports whether the glob pattern (path.Match syntax: * and ? do not
// cross "/") matches image, a reference as the caller spells it. The
// pattern is tried against the reference whole ("redis:7*"), against its
// repository without tag and digest ("redis", "acme/api"), and, when the
// pattern ends in "/*", against every leading part of the repository, so
// "registry.internal/*" also covers "registry.internal/team/app:1.2".
// References are not normalised: to match Docker Hub's long and short
// spellings alike, call it with both.
func Match(pattern, image string) bool {
	if image == "" {
		return false
	}
	if ok, _ := path.Match(pattern, image); ok {
		return true
	}
	repo := Repository(image)
	if ok, _ := path.Match(pattern, repo); ok {
		return true
	}
	if !strings.HasSuffix(pattern, "/*") {
		return false
	}
	for i := strings.LastIndexByte(repo, '/'); i > 0; i = strings.LastIndexByte(repo[:i], '/') {
		if ok, _ := path.Match(pattern, repo[:i]); ok {
			return true
		}
	}
	return false
}

// Repository strips the tag and digest from an image reference. A colon
// before the last "/" belongs to a registry port, not a tag.
func Repository(image string) string {
	if i := strings.IndexByte(image, '@'); i >= 0 {
		image = image[:i]
	}
	if i := strings.LastIndexByte(image, ':'); i > strings.LastIndexByte(image, '/') {
		image = image[:i]
	}
	return image
}
