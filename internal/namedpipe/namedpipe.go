// Package namedpipe makes a named pipe (FIFO) for tests that check that a
// path which is not a regular file is refused without blocking. Windows,
// a release target, has no mkfifo: there Make fails and those tests skip,
// while the rest of each package's tests still build and run.
package namedpipe

// Make creates a named pipe at path, mode 0644 less the umask.
func Make(path string) error { return mkfifo(path) }
