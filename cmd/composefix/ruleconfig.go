package main

import (
	"github.com/composefix/composefix/config"
	"github.com/composefix/composefix/fixers"
)

// Each rule family maps its part of .composefix.yaml onto fixers.Config in
// a function of its own, called by fixerConfig with a non-nil cfg. An
// invalid reference (an unknown class, say) is a usage error naming the
// config file's line and column.

func applyImagesConfig(fc *fixers.Config, cfg *config.File) error   { return nil } // TODO(#3)
func applyHealthConfig(fc *fixers.Config, cfg *config.File) error   { return nil } // TODO(#4)
func applyLimitsConfig(fc *fixers.Config, cfg *config.File) error   { return nil } // TODO(#4)
func applySecurityConfig(fc *fixers.Config, cfg *config.File) error { return nil } // TODO(#5)
