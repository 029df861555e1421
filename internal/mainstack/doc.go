// Package mainstack grows the main goroutine's stack to 32 KiB as the
// process starts, before the packages it links initialise; the CLI
// imports it for that alone.
//
// The main goroutine starts on 2 KiB, and the runtime copies a stack each
// time a call needs more than it has: the libraries' initialisation
// (compiling regular expressions) grew it three times, and a run a fourth
// time, deep in the schema validator. Each copy adjusts every frame on
// the stack, which reads each function's frame tables from the binary,
// most of them for the first time (page faults): 5% of the CPU time of a
// run on a 3-line file, and 37 of its 540 page faults (issue 14: startup).
// Grown here, the stack is copied once, with two frames on it. 32 KiB is
// as deep as the main goroutine gets on any corpus file; a deeper run
// grows it further, as before.
//
// The package imports only the runtime, so that Go initialises it among
// the first packages (in import path order among those whose imports are
// done), before any library whose initialisation does work. Its init
// changes where the stack is, nothing a program can observe.
package mainstack
