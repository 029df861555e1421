package fixers

// limitsRules returns the rules of the resource limits (CF3xx) family.
func limitsRules() []*Rule { return nil } // TODO(#4)

// LimitsConfig configures the resource limits (CF3xx) rules; the zero value means the defaults.
type LimitsConfig struct{}
