// Package fixers holds the rules: the rule table (ID, name, safety,
// severity, doc), one file per rule family, the driver that runs rules over
// a document and applies their fixes pass by pass, inline suppressions, and
// the knowledge bases (healthchecks, resource classes) as embedded data.
//
// A document is analysed within its project (Options.Project): rules read
// each service as compose merges the project's files, and a fix that adds
// a default goes only into the file that defines the service, never into
// an overlay, where it would replace the base's value.
//
// Rules are pure functions of a document, the registry resolutions and the
// configuration. This package never touches the network, never writes files
// and never mutates a document's tree: a test over `go list -deps` keeps
// registry, net/http and go-containerregistry out of it.
package fixers
