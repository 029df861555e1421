// Package composeschema validates a compose document's YAML tree against
// the compose-spec JSON schema that compose-go ships, and locates every
// violation at a node of the tree, so that it can be reported at
// file:line:col. It does not load files or interpolate variables: values
// that hold an interpolation are not judged, since compose checks them only
// after substitution. An escaped "$$" is no interpolation: such a value is
// judged as compose reads it, with "$" for each "$$".
//
// The schema is compiled at build time into spec_gen.go (TestSpecTable
// keeps it equal to compose-go's at go.mod's version) and validated by a
// small validator of the keywords it uses, with the semantics and errors
// of santhosh-tekuri/jsonschema, the library compose-go validates with:
// tests compare the two over many broken documents. The library itself is
// left to the tests, since its package init alone costs every process
// more than checking a small file.
package composeschema
