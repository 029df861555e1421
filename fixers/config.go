package fixers

import (
	"github.com/composefix/composefix/fixers/kb"
	"github.com/composefix/composefix/internal/composeschema"
)

// Config is what the rules read from .composefix.yaml and the command line,
// already validated. The zero value is not useful: start from DefaultConfig.
type Config struct {
	// Logging is the anchor the logging rule adds.
	Logging Logging
	// Pin is how images are pinned.
	Pin PinMode
	// IgnoreImages are glob patterns of images never resolved or pinned.
	IgnoreImages []string
	// Knowledge is the embedded knowledge bases, decoded once per run; Run
	// loads it when nil.
	Knowledge *Knowledge
	// Severity overrides the severity of a rule's findings, by rule ID
	// (.composefix.yaml severity); rules not in it keep their own.
	Severity map[string]Severity
	// Per rule family; each zero value means the family's defaults.
	Images   ImagesConfig
	Health   HealthConfig
	Limits   LimitsConfig
	Security SecurityConfig
}

// Logging configures the shared logging anchor.
type Logging struct {
	Driver  string
	Options []KeyValue // in the order written
}

// KeyValue is one ordered option.
type KeyValue struct {
	Key, Value string
}

// PinMode says what a pin writes.
type PinMode int

// Pin modes, as accepted by --pin.
const (
	PinVersion          PinMode = iota // the most precise tag with the same digest
	PinDigest                          // tag@sha256:… keeping the tag as written
	PinVersionAndDigest                // precise tag and digest
)

func (m PinMode) String() string {
	switch m {
	case PinDigest:
		return "digest"
	case PinVersionAndDigest:
		return "version+digest"
	}
	return "version"
}

// DefaultConfig returns the settings used when nothing is configured: the
// audits' logging options (json-file, 50m, 5 files, compressed) and version
// pins.
func DefaultConfig() *Config {
	return &Config{
		Logging: Logging{
			Driver: "json-file",
			Options: []KeyValue{
				{"max-size", "50m"},
				{"max-file", "5"},
				{"compress", "true"},
			},
		},
	}
}

// Knowledge is the embedded knowledge bases (package kb): generated
// tables, so loading costs an index build of microseconds, once per run.
type Knowledge struct {
	// Healthchecks are the entries of a Knowledge built by hand, which a
	// run indexes (Index). LoadKnowledge leaves them nil: its Index holds
	// the embedded entries, whose parameter maps it builds for the entries
	// a run meets (issue 14: startup).
	Healthchecks []kb.Healthcheck
	Classes      map[string]kb.Limits
	ImageClasses []kb.ImageClass
	// Index answers lookups over Healthchecks and ImageClasses; nil in a
	// Knowledge built by hand, which then gets one when a run starts.
	Index *kb.Index
	// Schema checks documents against the compose specification; nil in a
	// Knowledge built by hand, where each check compiles what it needs.
	Schema *composeschema.Schema
}

// LoadKnowledge returns the embedded knowledge bases, indexed.
func LoadKnowledge() (*Knowledge, error) {
	var k Knowledge
	var err error
	if k.Classes, err = kb.Classes(); err != nil {
		return nil, err
	}
	if k.ImageClasses, err = kb.ImageClasses(); err != nil {
		return nil, err
	}
	// The same entries, indexed once per process.
	if k.Index, err = kb.EmbeddedIndex(); err != nil {
		return nil, err
	}
	k.Schema = &composeschema.Schema{}
	return &k, nil
}
