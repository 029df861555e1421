package pipeline

import "github.com/composefix/composefix/compose"

// changedError is the one error for a file that changed on disk while
// composefix ran, found when writing it, reading it again to fix it, or
// reading it as another file's context. Its bytes are no longer those its
// images were resolved and its fixes computed for, so only a new run can
// fix it: every place says so in these words.
func changedError(path string) error {
	return &compose.PosError{Path: path, Msg: "the file changed while composefix was running; run composefix again"}
}
