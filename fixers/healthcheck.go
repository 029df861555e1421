package fixers

// healthRules returns the rules of the healthchecks and dependency conditions (CF1xx) family.
func healthRules() []*Rule { return nil } // TODO(#4)

// HealthConfig configures the healthchecks and dependency conditions (CF1xx) rules; the zero value means the defaults.
type HealthConfig struct{}
