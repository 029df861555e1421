package report

import "github.com/composefix/composefix/fixers"

// InformationURI is the project's home page, named in SARIF output.
const InformationURI = "https://github.com/composefix/composefix"

// Option configures the machine-readable renderers (JSON, SARIF, GitHub).
type Option func(*options)

type options struct {
	rules       []*fixers.Rule // the rule table: names, default safety and severity, docs
	toolVersion string         // composefix's version, for SARIF's tool.driver.version
}

// defaults is the one place option defaults live.
func defaults() options {
	return options{rules: fixers.Rules(), toolVersion: "dev"}
}

func buildOptions(opts []Option) options {
	o := defaults()
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

// WithRules sets the rule table findings are described from (default:
// fixers.Rules()). SARIF lists these rules in tool.driver.rules.
func WithRules(rules []*fixers.Rule) Option {
	return func(o *options) { o.rules = rules }
}

// WithToolVersion sets the composefix version SARIF names (default "dev").
func WithToolVersion(v string) Option {
	return func(o *options) { o.toolVersion = v }
}

// rule returns the rule with id, or nil.
func (o *options) rule(id string) *fixers.Rule {
	for _, r := range o.rules {
		if r.ID == id {
			return r
		}
	}
	return nil
}
