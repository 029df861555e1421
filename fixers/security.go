package fixers

// securityRules returns the rules of the security (CF5xx) family.
func securityRules() []*Rule { return nil } // TODO(#5)

// SecurityConfig configures the security (CF5xx) rules; the zero value means the defaults.
type SecurityConfig struct{}
