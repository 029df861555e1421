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
}

func (e *PosError) Error() string {
	path := e.Path
	if path == "" {
		path = "<input>"
	}
	msg := e.Msg
	if e.Err != nil {
		if msg == "" {
			msg = e.Err.Error()
		} else {
			msg += ": " + e.Err.Error()
		}
	}
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", path, e.Line, e.Col, msg)
	}
	return fmt.Sprintf("%s: %s", path, msg)
}

func (e *PosError) Unwrap() error { return e.Err }
