package compose

import "fmt"

// PosError is an error about a position in a file. Line and Col are 1-based;
// Col counts characters. Line 0 means the error has no position.
type PosError struct {
	Path string
	Line int
	Col  int
	Msg  string
	Err  error // optional cause
	// Unsupported marks a file composefix cannot read that compose may
	// load (an empty file, several YAML documents): a limit of composefix,
	// not a fault of the file.
	Unsupported bool
}

func (e *PosError) Error() string {
	path := e.Path
	if path == "" {
		path = "<input>"
	}
	msg := e.Text()
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", path, e.Line, e.Col, msg)
	}
	return fmt.Sprintf("%s: %s", path, msg)
}

// Text is the error without its path and position, for a report that
// gives them apart (a SARIF location, a GitHub annotation's file).
func (e *PosError) Text() string {
	switch {
	case e.Err == nil:
		return e.Msg
	case e.Msg == "":
		return e.Err.Error()
	}
	return e.Msg + ": " + e.Err.Error()
}

func (e *PosError) Unwrap() error { return e.Err }
