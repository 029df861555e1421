package registry

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

func TestScrub(t *testing.T) {
	tests := []struct {
		name, in, want string
		known          []string
	}{
		{name: "nothing to take out", in: `GET http://127.0.0.1:5000/v2/library/redis/manifests/7: unexpected status code 503`,
			want: `GET http://127.0.0.1:5000/v2/library/redis/manifests/7: unexpected status code 503`},
		{name: "signed redirect query", in: `Get "https://cdn.example/blobs/sha256:ab?X-Amz-Credential=AKIA1234&X-Amz-Signature=deadbeef99": EOF`,
			want: `Get "https://cdn.example/blobs/sha256:ab?X-Amz-Credential=[redacted]&X-Amz-Signature=[redacted]": EOF`},
		{name: "protocol query kept", in: `GET https://auth.example/token?scope=repository:library/redis:pull&service=registry.docker.io&access_token=t0ken-99: 401`,
			want: `GET https://auth.example/token?scope=repository:library/redis:pull&service=registry.docker.io&access_token=[redacted]: 401`},
		{name: "tag list pagination kept", in: `GET https://r.example/v2/x/tags/list?n=100&last=7.2: 500`,
			want: `GET https://r.example/v2/x/tags/list?n=100&last=7.2: 500`},
		{name: "userinfo", in: `Get "https://ghp_userT0ken:xxxxx@mirror.example/v2/": EOF`,
			want: `Get "https://[redacted]@mirror.example/v2/": EOF`},
		{name: "user only", in: `proxy http://tok3n-only@proxy.example:3128 refused`,
			want: `proxy http://[redacted]@proxy.example:3128 refused`},
		{name: "bearer header", in: `denied: Authorization: Bearer eyJhbGciOi.J9eyJzdWIi.Oi_JhbGc- rest`,
			want: `denied: Authorization: Bearer [redacted] rest`},
		{name: "basic header", in: `echo: authorization: basic YWxpY2U6c2VjcmV0== done`,
			want: `echo: authorization: basic [redacted] done`},
		{name: "words after a scheme name", in: `basic auth failed; Bearer realm=registry, service=r`,
			want: `basic auth failed; Bearer realm=registry, service=r`},
		{name: "challenge is not a token", in: `Bearer realm="https://auth.example/token",service="r"`,
			want: `Bearer realm="https://auth.example/token",service="r"`},
		{name: "json token field", in: `token server said {"token":"abc.def-123","expires_in":300}`,
			want: `token server said {"token":"[redacted]","expires_in":300}`},
		{name: "form password", in: `body grant_type=password&username=bob&password=hunter2x&service=r`,
			want: `body grant_type=password&username=bob&password=[redacted]&service=r`},
		{name: "status line token", in: `503 token=st4tus-secret`, want: `503 token=[redacted]`},
		{name: "known secret anywhere", in: `denied (user alice, password echo-Pa55-7d1e)`, known: []string{"echo-Pa55-7d1e"},
			want: `denied (user alice, password [redacted])`},
		{name: "folded case of a field name", in: `body PAſſWORD=hunter2x&service=r`,
			want: `body PAſſWORD=[redacted]&service=r`},
		{name: "folded case of a scheme", in: `authorization: BAſIC YWxpY2U6c2VjcmV0== done`,
			want: `authorization: BAſIC [redacted] done`},
		{name: "folded case of a token field", in: `503 toKen=st4tus-secret`,
			want: `503 toKen=[redacted]`},
		// An image reference is no field: "myorg/token:1.2" keeps its tag.
		{name: "image named like a field", in: `looking up the digest of docker.io/myorg/token:1.2: not found; ghcr.io/x/secret:v1`,
			want: `looking up the digest of docker.io/myorg/token:1.2: not found; ghcr.io/x/secret:v1`},
		{name: "header-like field", in: `upstream said X-Registry-Token: abc123def and left`,
			want: `upstream said X-Registry-Token: [redacted] and left`},
		{name: "longest known first", in: `x abcdef1234 y`, known: []string{"abcd", "abcdef1234"},
			want: `x [redacted] y`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := scrub(tt.in, tt.known); got != tt.want {
				t.Errorf("scrub(%q) =\n  %q\nwant\n  %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestRedactedChainHoldsNoSecret: whatever a caller does with a redacted
// error (Error, %+v, errors.Unwrap all the way down, errors.As to the
// types that carry raw text) it finds no secret; errors.Is still answers
// for the conditions callers branch on.
func TestRedactedChainHoldsNoSecret(t *testing.T) {
	const secret = "sig-5ecret-77aa"
	raw := &url.Error{Op: "Get", URL: "https://cdn.example/b?X-Amz-Signature=" + secret, Err: context.Canceled}
	te := &transport.Error{StatusCode: 404, Errors: []transport.Diagnostic{{Code: transport.ManifestUnknownErrorCode, Message: "echo " + secret}}}
	tests := []struct {
		name   string
		err    error
		is     []error
		shaped bool // the secret is recognisable without being recorded
	}{
		{name: "url error", err: wrapErr("looking up the digest of", "r/x:1", raw), is: []error{ErrUnavailable, context.Canceled}, shaped: true},
		{name: "transport error", err: wrapErr("looking up the digest of", "r/x:1", te), is: []error{ErrNotFound}},
		{name: "deadline", err: wrapErr("listing the tags of", "r/x", fmt.Errorf("GET https://h/v2/?token=%s: %w", secret, context.DeadlineExceeded)),
			is: []error{ErrTimeout, context.DeadlineExceeded}, shaped: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s secrets
			s.add(secret)
			errs := []error{s.redact(tt.err)}
			if tt.shaped {
				errs = append(errs, (&secrets{}).redact(tt.err))
			}
			for _, err := range errs {
				assertNoSecretInChain(t, err, secret)
				for _, k := range tt.is {
					if !errors.Is(err, k) {
						t.Errorf("errors.Is(%v, %v) = false after redaction", err, k)
					}
				}
			}
		})
	}
}

// assertNoSecretInChain fails when err, any error it unwraps to, or the
// raw-text types errors.As could reach, print secret.
func assertNoSecretInChain(t *testing.T, err error, secrets ...string) {
	t.Helper()
	if err == nil {
		return
	}
	var texts []string
	var walk func(error)
	walk = func(e error) {
		if e == nil {
			return
		}
		texts = append(texts, e.Error(), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e))
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		case interface{ Unwrap() []error }:
			for _, c := range u.Unwrap() {
				walk(c)
			}
		}
	}
	walk(err)
	var ue *url.Error
	if errors.As(err, &ue) {
		texts = append(texts, ue.URL, ue.Error())
	}
	var te *transport.Error
	if errors.As(err, &te) {
		texts = append(texts, te.Error())
	}
	var re *Error
	if errors.As(err, &re) {
		texts = append(texts, re.Error())
		if re.Err != nil {
			texts = append(texts, re.Err.Error())
		}
	}
	for _, txt := range texts {
		for _, s := range secrets {
			if strings.Contains(txt, s) {
				t.Errorf("error chain of %q prints the secret %q in %q", err, s, txt)
			}
		}
	}
}

// TestBranchKindsOf checks that the kinds a redacted error keeps are
// exactly those errors.Is finds in the raw error, for the causeless
// per-reference errors branchKindsOf answers without walking and for
// errors it walks.
func TestBranchKindsOf(t *testing.T) {
	errs := []error{
		ErrOffline, context.DeadlineExceeded, &InterpolationError{Value: "${X}"},
		&Error{Op: "looking up", Ref: "r/x:1", Kind: &InterpolationError{Value: "${X}"}},
		&Error{Op: "looking up", Ref: "r/x:1", Kind: ErrNotFound, Err: context.Canceled},
		fmt.Errorf("wrapped: %w", &Error{Op: "looking up", Ref: "r/x:1", Kind: ErrOffline}),
	}
	for _, k := range branchKinds {
		errs = append(errs, &Error{Op: "looking up", Ref: "r/x:1", Kind: k})
	}
	for _, err := range errs {
		var want []error
		for _, k := range branchKinds {
			if errors.Is(err, k) {
				want = append(want, k)
			}
		}
		if got := branchKindsOf(err); !slices.Equal(got, want) {
			t.Errorf("branchKindsOf(%v) = %v, want %v", err, got, want)
		}
	}
}
