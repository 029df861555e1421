// Command composefix fixes Docker Compose files for production. See
// DESIGN.md for the contract; this package only wires flags to the packages
// that do the work.
package main
