package main

import (
	"os"

	"github.com/composefix/composefix/internal/gctune"
)

// tuneGC sets the collector for a short run (see gctune), unless the user
// set GOGC or GOMEMLIMIT, which then win.
func tuneGC() {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	gctune.ShortRun()
}
