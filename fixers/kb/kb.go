package kb

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"

	"go.yaml.in/yaml/v3"
)

//go:embed healthchecks.yaml
var healthchecksYAML []byte

//go:embed limits.yaml
var limitsYAML []byte

//go:embed oneshot.yaml
var oneshotYAML []byte

// ErrInvalid is wrapped by every error about knowledge-base data that fails
// validation, embedded or supplied by the user.
var ErrInvalid = errors.New("invalid knowledge-base data")

// ErrNoFix is wrapped by Render for an entry whose image has no working
// healthcheck command (see Healthcheck.NoFix).
var ErrNoFix = errors.New("no healthcheck command works in this image")

// ErrMissingParam is wrapped by Render when a parameter the command needs has
// no value in the service and no default.
var ErrMissingParam = errors.New("healthcheck parameter has no value")

// invalidf returns an error wrapping ErrInvalid.
func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// decodeStrict decodes one YAML document into v, rejecting unknown keys.
func decodeStrict(data []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return nil
}
