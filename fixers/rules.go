package fixers

import (
	"fmt"
	"sort"
	"strings"
)

const unusedSuppressionID = "CF900"

// Rules returns the rule table, the only source of truth for IDs, names,
// safety classes and docs, sorted by ID. Each call returns fresh values.
func Rules() []*Rule {
	rules := []*Rule{
		restartRule(),
		loggingRule(),
		versionRule(),
		schemaRule(),
		missingFileRule(),
		{
			ID: unusedSuppressionID, Name: "unused-ignore", Safety: DisplayOnly, Severity: Info,
			Summary: "an ignore comment silences nothing",
			Doc: `An ignore comment that silences nothing is reported so that stale ignores get cleaned up.

A "# composefix:ignore" comment on a service's key (or alone on the line above it)
silences every rule for that service; on any other line, for that line's node.
"# composefix:ignore CF201,logging-anchor -- reason" names rule IDs, prefixes or
names; "# composefix:ignore-file CF3" covers the whole file. An ignore naming a
rule that could not check what it covers (an image offline and not cached, or
that the registry did not answer for) is not reported: it may still be needed.

Before:
  services:
    web:
      image: nginx:1.27.3
      restart: always # composefix:ignore CF201

After: remove the comment, which silences nothing since web sets restart itself.`,
		},
	}
	// Each family registers its rules from its own file.
	rules = append(rules, imageRules()...)
	rules = append(rules, platformRule())
	rules = append(rules, healthRules()...)
	rules = append(rules, limitsRules()...)
	rules = append(rules, securityRules()...)
	sort.Slice(rules, func(i, j int) bool { return rules[i].ID < rules[j].ID })
	return rules
}

// Matches reports whether token names the rule: its ID, a prefix of its ID
// ("CF2"), or its name. Matching ignores case.
func (r *Rule) Matches(token string) bool {
	t := strings.ToUpper(strings.TrimSpace(token))
	if t == "" {
		return false
	}
	return strings.HasPrefix(r.ID, t) || strings.EqualFold(r.Name, token)
}

// Select returns the rules matched by selectTokens (all when empty) minus
// those matched by ignoreTokens. A token matching no rule is an error.
func Select(rules []*Rule, selectTokens, ignoreTokens []string) ([]*Rule, error) {
	for _, t := range append(append([]string(nil), selectTokens...), ignoreTokens...) {
		if !matchesSome(rules, t) {
			return nil, fmt.Errorf("unknown rule %q; `composefix rules` lists them", t)
		}
	}
	var out []*Rule
	for _, r := range rules {
		if len(selectTokens) > 0 && !matchesToken(r, selectTokens) {
			continue
		}
		if matchesToken(r, ignoreTokens) {
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

func matchesSome(rules []*Rule, t string) bool {
	for _, r := range rules {
		if r.Matches(t) {
			return true
		}
	}
	return false
}

func matchesToken(r *Rule, tokens []string) bool {
	for _, t := range tokens {
		if r.Matches(t) {
			return true
		}
	}
	return false
}

// FirstLine returns the first line of a doc string.
func FirstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
