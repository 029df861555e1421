package pipeline

import (
	"testing"

	"github.com/composefix/composefix/fixers"
)

// fullConfig is the default configuration with the knowledge bases
// loaded: what a run of the CLI fixes with.
func fullConfig(tb testing.TB) *fixers.Config {
	tb.Helper()
	cfg, err := knowledgeConfig()
	if err != nil {
		tb.Fatal(err)
	}
	return cfg
}

// knowledgeConfig is fullConfig for code without a testing.TB (a
// benchmark's child process).
func knowledgeConfig() (*fixers.Config, error) {
	k, err := fixers.LoadKnowledge()
	if err != nil {
		return nil, err
	}
	cfg := fixers.DefaultConfig()
	cfg.Knowledge = k
	return cfg, nil
}
