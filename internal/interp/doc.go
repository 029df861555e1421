// Package interp reads compose's ${VAR} interpolation in image values. Both
// registry (to resolve a literal default) and fixers (to edit inside one)
// need the same answer, and fixers may not import registry.
package interp
