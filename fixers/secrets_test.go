package fixers

import (
	"strings"
	"testing"
)

// TestSecretFindingsQuoteNoSecret: CF501 and CF502 say which variable
// holds a literal secret but never the secret: findings go to CI logs,
// pull-request annotations and SARIF uploads. A placeholder default is no
// secret and is quoted, so the reader sees why it counts as one.
func TestSecretFindingsQuoteNoSecret(t *testing.T) {
	src := `services:
  db:
    image: postgres:16.4
    environment:
      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-Hunter2-s3cret}
      API_TOKEN: tok-Literal-9f8e7d
      DATABASE_URL: postgres://app:Url-pw-4c5d@db/app
  app:
    image: nginx:1.27.3
    environment:
      ADMIN_PASSWORD: ${ADMIN_PASSWORD:-changeme}
`
	res := runRules(t, src, Options{Rules: []*Rule{weakDefaultRule(), literalSecretRule()}})
	var msgs []string
	for _, f := range res.Findings {
		msgs = append(msgs, f.RuleID+": "+f.Message)
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{`"POSTGRES_PASSWORD"`, `"API_TOKEN"`, `"DATABASE_URL"`, `placeholder default "changeme"`} {
		if !strings.Contains(all, want) {
			t.Errorf("findings do not mention %s:\n%s", want, all)
		}
	}
	for _, secret := range []string{"Hunter2-s3cret", "tok-Literal-9f8e7d", "Url-pw-4c5d"} {
		if strings.Contains(all, secret) {
			t.Errorf("a finding quotes the secret %q:\n%s", secret, all)
		}
	}
}

// TestWeakDefaultWrittenWithAnEscape: a double-quoted scalar may write the
// "$" of a weak default as an escape; CF501 still finds it, though the
// file has no "$" (checkWeakDefaults skips the walk of a file with neither
// "$" nor a backslash).
func TestWeakDefaultWrittenWithAnEscape(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want int
	}{
		{"services:\n  db:\n    image: postgres:16.4\n    environment:\n      POSTGRES_PASSWORD: \"\\x24{POSTGRES_PASSWORD:-changeme}\"\n", 1},
		{"services:\n  db:\n    image: postgres:16.4\n    environment:\n      POSTGRES_PASSWORD: \"\\u0024{POSTGRES_PASSWORD:-changeme}\"\n", 1},
		{"services:\n  db:\n    image: postgres:16.4\n    environment:\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-changeme}\n", 1},
		{"services:\n  db:\n    image: postgres:16.4\n    environment:\n      POSTGRES_PASSWORD: changeme\n", 0},
	} {
		res := runRules(t, tc.src, Options{Rules: []*Rule{weakDefaultRule()}})
		if len(res.Findings) != tc.want {
			t.Errorf("%q: %d findings, want %d: %v", tc.src, len(res.Findings), tc.want, res.Findings)
		}
	}
}
