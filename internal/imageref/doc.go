// Package imageref holds the decisions about an image reference that the
// rules (fixers) and the requests (registry) must make alike: where the
// tag and digest begin, whether the first component of a name is a
// registry host, how Docker Hub's spellings normalise, and the long and
// short names built from them. fixers may not import registry (rules do
// no network), so the one definition lives here.
//
// It decides structure only, not validity: registry checks each part
// against the distribution grammar before it sends a request, while fixers
// reads what a person wrote more leniently (an upper-case repository is
// still reported on). go-containerregistry's name package would decide
// both at once, strictly, and fixers may not depend on it.
package imageref
