package registry

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/composefix/composefix/internal/lazyre"
)

// Why this file exists: every text that leaves the registry layer (a
// Result's or Facts' error, a retry's reason, a files note) may quote what
// a registry, a CDN or a proxy sent or was sent. Credentials the run used
// are known (secrets in auth.go) and replaced wherever they appear; the
// others are only recognisable by shape: a redirect's signed query string
// (X-Amz-Signature=…), credentials in a URL's userinfo, an Authorization
// header's value, a token or password field in a body.

// redacted replaces a secret in text.
const redacted = "[redacted]"

// urlRE matches an absolute URL in free text, up to a space, a quote or
// an angle bracket.
var urlRE = lazyre.New(`[A-Za-z][A-Za-z0-9+.-]*://[^\s"'<>]+`)

// userinfoRE matches the userinfo of a URL that urlRE found: a token may be
// the user name as well as the password (https://TOKEN@host).
var userinfoRE = lazyre.New(`^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#@\s]+@`)

// queryParamRE matches one name=value of a query string.
var queryParamRE = lazyre.New(`([?&])([^=&#\s]+)=([^&#\s]*)`)

// authSchemeRE matches an Authorization value: the scheme and its
// credentials (a token or base64 with its padding).
var authSchemeRE = lazyre.New(`(?i)\b(bearer|basic)\s+([A-Za-z0-9._~+/-]+=*)`)

// fieldRE matches a secret-named field of a JSON, form or header-like text:
// "token":"v", password=v, access_token: v. A colon needs a quote before
// it or a blank after it, so that an image named so ("org/token:1.2")
// keeps its tag in a message.
var fieldRE = lazyre.New(`(?i)\b((?:access_|refresh_|id_|registry_|identity_)?token|password|passwd|secret|client_secret)("\s*:\s*"?|\s*=\s*"?|:\s+"?)([^\s"&,;}]+)`)

// queryAllowed reports whether name is a query parameter of the registry
// protocol, kept so that a message still says what was asked; any other
// may be a signature or a token from a redirect (go-containerregistry's
// internal redact package keeps the same list). A switch: a package map
// is built by code at every process start (issue 14).
func queryAllowed(name string) bool {
	switch name {
	case "scope", "service", "mount", "from", "digest", "n", "last":
		return true
	}
	return false
}

// ScrubURL returns s, a URL a user gave that a message quotes back, with
// every secret-shaped part (userinfo, values of query parameters outside
// the registry protocol, Bearer and Basic credentials, token and password
// fields) replaced, as in the registry's own messages. s may lack its
// scheme: url.Parse reads "user:pw@host" as the scheme "user" and
// "host/?sig=v" as a path, and in such a text scrub, finding no "://",
// sees no URL.
func ScrubURL(s string) string {
	if strings.Contains(s, "://") {
		return scrub(s, nil)
	}
	const scheme = "x://" // makes s a URL to scrub, and goes again
	return strings.TrimPrefix(scrub(scheme+s, nil), scheme)
}

// scrub returns s with the known secrets (longest first, so that one
// containing another goes whole) and every secret-shaped part replaced.
func scrub(s string, known []string) string {
	if len(known) > 0 {
		known = append([]string(nil), known...)
		sort.Slice(known, func(i, j int) bool { return len(known[i]) > len(known[j]) })
		for _, v := range known {
			s = strings.ReplaceAll(s, v, redacted)
		}
	}
	// Most texts hold nothing secret-shaped (a corpus run scrubs an
	// "offline and not in the cache" for each of its 142 images): each
	// pattern runs only where the words it needs appear (issue 14: the
	// three patterns were 3% of that run's CPU, on its serial path).
	w := wordsIn(s)
	if w.url {
		s = urlRE().ReplaceAllStringFunc(s, scrubURL)
	}
	if w.scheme {
		s = scrubAuthSchemes(s)
	}
	if !w.field {
		return s
	}
	return fieldRE().ReplaceAllStringFunc(s, func(m string) string {
		sub := fieldRE().FindStringSubmatch(m)
		if strings.HasPrefix(sub[3], redacted) {
			return m
		}
		return sub[1] + sub[2] + redacted
	})
}

// secretWords says which of scrub's patterns may match a text: one that
// lacks a pattern's literal words cannot. Every field is true for a text
// that is not ASCII, where (?i) also folds "ſ" to "s" and the Kelvin sign
// to "k".
type secretWords struct {
	url    bool // "://", which urlRE needs
	scheme bool // "bearer" or "basic", in any case: authSchemeRE
	field  bool // "token", "passw" or "secret", in any case: fieldRE
}

func wordsIn(s string) secretWords {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return secretWords{true, true, true}
		}
	}
	lower := strings.ToLower(s)
	return secretWords{
		url:    strings.Contains(s, "://"),
		scheme: strings.Contains(lower, "bearer") || strings.Contains(lower, "basic"),
		field:  strings.Contains(lower, "token") || strings.Contains(lower, "passw") || strings.Contains(lower, "secret"),
	}
}

// scrubURL takes the userinfo and the values of non-protocol query
// parameters out of one URL, leaving every other byte as it was.
func scrubURL(u string) string {
	// Punctuation closing a sentence is not part of the URL ("GET U: …").
	trimmed := strings.TrimRight(u, ":.,;)]")
	tail := u[len(trimmed):]
	u = userinfoRE().ReplaceAllString(trimmed, "${1}"+redacted+"@")
	i := strings.IndexByte(u, '?')
	if i < 0 {
		return u + tail
	}
	return u[:i] + queryParamRE().ReplaceAllStringFunc(u[i:], func(m string) string {
		sub := queryParamRE().FindStringSubmatch(m)
		if queryAllowed(sub[2]) || strings.HasPrefix(sub[3], redacted) {
			return m
		}
		return sub[1] + sub[2] + "=" + redacted
	}) + tail
}

// scrubAuthSchemes replaces the credentials after "Bearer" or "Basic",
// except in a challenge (Bearer realm="…"), whose parameters are no secret.
func scrubAuthSchemes(s string) string {
	var b strings.Builder
	last := 0
	for _, m := range authSchemeRE().FindAllStringSubmatchIndex(s, -1) {
		tokStart, tokEnd := m[4], m[5]
		if tokEnd < len(s) && s[tokEnd] == '"' || lowerWord(strings.TrimRight(s[tokStart:tokEnd], "=")) {
			continue // a challenge parameter, or words ("basic auth failed")
		}
		b.WriteString(s[last:tokStart])
		b.WriteString(redacted)
		last = tokEnd
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// lowerWord reports whether s is a word of lowercase ASCII letters, which
// no token or base64 credential is.
func lowerWord(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}

// redactedError is an error whose text had secrets taken out. It unwraps
// only to the conditions callers branch on (the sentinel errors, the
// context's), never to the raw error: errors.Unwrap, %+v or errors.As to a
// *url.Error would otherwise print what was taken out.
type redactedError struct {
	msg   string
	kinds []error
}

func (e *redactedError) Error() string   { return e.msg }
func (e *redactedError) Unwrap() []error { return e.kinds }

// branchKinds are the errors a redactedError still matches with
// errors.Is. They carry fixed text of their own.
var branchKinds = []error{ErrInvalidReference, ErrInterpolated, ErrNotFound, ErrUnauthorized,
	ErrRateLimited, ErrUnavailable, ErrTimeout, ErrBadResponse, ErrDigestMismatch, ErrOffline,
	ErrInternal, ErrOverBudget, context.Canceled, context.DeadlineExceeded}

// redactErr returns err with known and secret-shaped text taken out (see
// scrub), as a redactedError matching the same branchKinds.
func redactErr(err error, known []string) error {
	if err == nil {
		return nil
	}
	if _, ok := err.(*redactedError); ok && len(known) == 0 {
		return err
	}
	return &redactedError{msg: scrub(err.Error(), known), kinds: branchKindsOf(err)}
}

// branchKindsOf returns the branchKinds that errors.Is finds in err, in
// their order.
func branchKindsOf(err error) []error {
	// A lookup that failed without a cause (offline and not in the cache,
	// for each of a corpus run's 142 images) is an *Error whose tree is
	// itself and its kind: *Error has no Is method, and a branch kind
	// neither unwraps nor has one, nor equals another. Its kind is the
	// only match; 14 errors.Is walks found the same.
	if e, ok := err.(*Error); ok && e.Err == nil && slices.Contains(branchKinds, e.Kind) {
		return []error{e.Kind}
	}
	var kinds []error
	for _, k := range branchKinds {
		if errors.Is(err, k) {
			kinds = append(kinds, k)
		}
	}
	return kinds
}

// secretsKey is the context key under which Resolve puts its run's
// secrets, so that the transport shared by every run scrubs a retry's
// reason with the credentials of the run that made the request.
type secretsKey struct{}

// knownSecrets returns the secrets recorded by the run that made ctx.
func knownSecrets(ctx context.Context) []string {
	if s, ok := ctx.Value(secretsKey{}).(*secrets); ok {
		return s.known()
	}
	return nil
}
