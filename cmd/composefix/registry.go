package main

import (
	"context"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/fixers"
)

// registryStats is what resolving cost, for the summary.
type registryStats struct {
	lookups, requests, cacheHits int
}

// resolveImages resolves every image reference of every document at once
// (deduplicated) and returns the resolutions the rules read. A registry
// failure is returned as err after everything else was resolved; the
// caller still fixes and writes, then exits 2.
func resolveImages(ctx context.Context, s *settings, docs []*compose.Document) (fixers.Resolutions, registryStats, error) {
	return nil, registryStats{}, nil // TODO(#3): wire registry.Resolver
}
