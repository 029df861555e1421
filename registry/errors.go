package registry

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// Sentinel errors that callers branch on with errors.Is. Every per-reference
// error in a Result wraps exactly one of them.
var (
	// ErrInvalidReference means the image text is not a valid reference.
	ErrInvalidReference = errors.New("invalid image reference")
	// ErrInterpolated means the image depends on the environment
	// (${VAR} without a literal default) and is not guessed.
	ErrInterpolated = errors.New("image uses variable interpolation")
	// ErrNotFound means the registry has no such repository, tag or digest.
	ErrNotFound = errors.New("not found")
	// ErrUnauthorized means the registry refused the request (401 or 403),
	// with or without credentials.
	ErrUnauthorized = errors.New("unauthorized")
	// ErrRateLimited means the registry answered 429 after every retry, asked
	// for a longer wait than allowed, or its reported quota is used up.
	ErrRateLimited = errors.New("rate limited")
	// ErrUnavailable means the registry could not be reached or kept failing
	// (5xx, connection reset, truncated body) after every retry.
	ErrUnavailable = errors.New("registry unavailable")
	// ErrTimeout means a request took longer than the per-request timeout on
	// every attempt, or the run's deadline passed.
	ErrTimeout = errors.New("timed out")
	// ErrBadResponse means the registry answered with content that cannot be
	// used (malformed JSON, a missing or malformed digest header).
	ErrBadResponse = errors.New("invalid registry response")
	// ErrDigestMismatch means a manifest's content does not hash to the
	// digest the registry announced for it.
	ErrDigestMismatch = errors.New("digest mismatch")
	// ErrOffline means offline mode found nothing in the cache.
	ErrOffline = errors.New("not in cache (offline)")
	// ErrInternal means a bug (a recovered panic) ended this reference's
	// lookup; the other references are unaffected.
	ErrInternal = errors.New("internal error")
)

// Error is a per-reference failure: what was being done, to which
// normalised reference, of which kind (one of the sentinel errors) and why.
type Error struct {
	Op   string // "looking up digest", "listing tags"
	Ref  string // normalised, such as docker.io/library/redis:7
	Kind error  // a sentinel error such as ErrNotFound
	Err  error  // the cause; may be nil
}

// Error implements error.
func (e *Error) Error() string {
	// The kind is said once: a cause that already names it stands alone.
	if e.Err == nil || strings.HasPrefix(e.Err.Error(), e.Kind.Error()) || strings.HasSuffix(e.Err.Error(), ": "+e.Kind.Error()) {
		if e.Err != nil {
			return fmt.Sprintf("%s %s: %v", e.Op, e.Ref, e.Err)
		}
		return fmt.Sprintf("%s %s: %v", e.Op, e.Ref, e.Kind)
	}
	return fmt.Sprintf("%s %s: %v: %v", e.Op, e.Ref, e.Kind, e.Err)
}

// Unwrap lets errors.Is match both the kind and the cause.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// InterpolationError reports an image value that depends on the environment.
type InterpolationError struct {
	Value string // the image value as written
}

// Error implements error.
func (e *InterpolationError) Error() string {
	return fmt.Sprintf("image %q depends on the environment; only a literal default such as ${VAR:-redis:7} can be resolved", e.Value)
}

// Is makes errors.Is(err, ErrInterpolated) true.
func (e *InterpolationError) Is(target error) bool { return target == ErrInterpolated }

// kindOf maps a transport or network error to one of the sentinel errors.
func kindOf(err error) error {
	for _, k := range []error{ErrInvalidReference, ErrInterpolated, ErrNotFound, ErrUnauthorized,
		ErrRateLimited, ErrUnavailable, ErrTimeout, ErrBadResponse, ErrDigestMismatch, ErrOffline, ErrInternal} {
		if errors.Is(err, k) {
			return k
		}
	}
	var te *transport.Error
	if errors.As(err, &te) {
		switch {
		case te.StatusCode == http.StatusUnauthorized || te.StatusCode == http.StatusForbidden:
			return ErrUnauthorized
		case te.StatusCode == http.StatusNotFound:
			return ErrNotFound
		case te.StatusCode == http.StatusTooManyRequests:
			return ErrRateLimited
		case te.StatusCode >= 500:
			return ErrUnavailable
		}
		for _, d := range te.Errors {
			switch d.Code {
			case transport.ManifestUnknownErrorCode, transport.NameUnknownErrorCode, transport.BlobUnknownErrorCode:
				return ErrNotFound
			case transport.UnauthorizedErrorCode, transport.DeniedErrorCode:
				return ErrUnauthorized
			case transport.TooManyRequestsErrorCode:
				return ErrRateLimited
			}
		}
		return ErrBadResponse
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, errAttemptTimeout) {
		return ErrTimeout
	}
	var cve *tls.CertificateVerificationError
	var rhe tls.RecordHeaderError
	if errors.As(err, &cve) || errors.As(err, &rhe) {
		return ErrUnavailable // no verified TLS connection: as good as unreachable
	}
	if temporary(err) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, context.Canceled) {
		return ErrUnavailable
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return ErrUnavailable
	}
	return ErrBadResponse
}

// temporary reports whether a transport error is worth another attempt: a
// reset or closed connection, a truncated body or an attempt timeout.
func temporary(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, errAttemptTimeout) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, net.ErrClosed) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	// net/http reports a peer that hung up before answering in words only.
	msg := err.Error()
	return strings.Contains(msg, "connection reset") || strings.Contains(msg, "server closed idle connection") ||
		strings.Contains(msg, "unexpected EOF")
}

// errAttemptTimeout marks one attempt that exceeded the per-request timeout.
var errAttemptTimeout = errors.New("no response within the per-request timeout")

// wrapErr builds the per-reference error for op on ref.
func wrapErr(op, ref string, err error) error {
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	kind := kindOf(err)
	if err == kind {
		err = nil
	}
	return &Error{Op: op, Ref: ref, Kind: kind, Err: err}
}
