// Package composeschema validates a compose document's YAML tree against
// the compose-spec JSON schema that compose-go ships, and locates every
// violation at a node of the tree, so that it can be reported at
// file:line:col. It does not load files or interpolate variables: values
// that hold an interpolation are not judged, since compose checks them only
// after substitution.
package composeschema
