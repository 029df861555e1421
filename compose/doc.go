// Package compose owns the document model of a compose file: loading bytes
// into a yaml.v3 node tree with a line index and the file's style, exact
// byte spans of nodes, text edits on the original bytes and their
// application, style-aware operations that produce those edits (set a
// scalar, insert or delete a key, append to a sequence, replace a value,
// add an extension block with an anchor), the effective view of a service
// with merge keys resolved, verification that edited bytes decode to the
// intended tree, and discovery of compose files and of the files docker
// compose merges with each (an override or a compose.<name>.yaml overlay
// over the base beside it).
//
// It deliberately never re-encodes a document: the original bytes are the
// truth and every change is a text edit on them. It knows nothing about
// rules, registries or output formats.
package compose
