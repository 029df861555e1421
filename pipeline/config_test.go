package pipeline

import (
	"testing"

	"github.com/composefix/composefix/fixers"
)

// fullConfig is the default configuration with the knowledge bases
// loaded: what a run of the CLI fixes with.
func fullConfig(tb testing.TB) *fixers.Config {
	tb.Helper()
	k, err := fixers.LoadKnowledge()
	if err != nil {
		tb.Fatal(err)
	}
	cfg := fixers.DefaultConfig()
	cfg.Knowledge = k
	return cfg
}
