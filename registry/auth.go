package registry

import (
	"context"
	"encoding/base64"
	"errors"
	"sync"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// errCredentials stands for a keychain's failure. Its text is ours alone:
// a Docker credential helper's error carries the helper's output, and a
// helper that fails may well have printed the secret it was asked for
// (docker-credential-helpers formats "err: exit status 1, out: `…`").
var errCredentials = errors.New("the Docker config or its credential helper failed; its output is not shown because it may hold secrets (run the helper, or `docker login`, by hand to see why)")

// credentialsError replaces a keychain error for host; only the error's
// kind survives, never its text.
func credentialsError(host string) error {
	return &Error{Op: "looking up credentials for", Ref: host, Kind: ErrUnauthorized, Err: errCredentials}
}

// resolveAuth asks keychain for repo's credentials within ctx. A Docker
// credential helper is a program that may never exit (one waiting for a
// prompt nobody sees), and the keychain does not watch ctx: the lookup is
// left to finish in the background, and the run goes on with an error.
func resolveAuth(ctx context.Context, keychain authn.Keychain, repo name.Repository) (authn.Authenticator, error) {
	type answer struct {
		auth  authn.Authenticator
		err   error
		panic any // raised again here, where the lookup's recover sees it
	}
	ch := make(chan answer, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				ch <- answer{panic: p}
			}
		}()
		a, err := authn.Resolve(ctx, keychain, repo)
		ch <- answer{auth: a, err: err}
	}()
	select {
	case a := <-ch:
		if a.panic != nil {
			panic(a.panic)
		}
		if a.err != nil {
			return nil, credentialsError(repo.RegistryStr())
		}
		return a.auth, nil
	case <-ctx.Done():
		return nil, &Error{Op: "looking up credentials for", Ref: repo.RegistryStr(), Kind: ErrTimeout,
			Err: errors.New("the credential helper of the Docker config did not answer before the deadline")}
	}
}

// secrets holds every credential a run has used, so that no error text
// leaves Resolve with one in it: a registry or token server may echo a
// request's Authorization header or form fields in its error body, which
// go-containerregistry copies into its errors.
type secrets struct {
	mu   sync.Mutex
	list []string
}

// minSecret is the shortest value redacted: shorter ones would mangle
// ordinary words in messages, and no registry accepts such a password.
const minSecret = 4

// addAuth records the secrets of an authenticator's configuration: the
// password, the stored auth field and its Basic header form, and tokens.
func (s *secrets) addAuth(ctx context.Context, a authn.Authenticator) {
	if a == nil || a == authn.Anonymous {
		return
	}
	cfg, err := authn.Authorization(ctx, a)
	if err != nil || cfg == nil {
		return
	}
	vals := []string{cfg.Password, cfg.Auth, cfg.IdentityToken, cfg.RegistryToken}
	if cfg.Username != "" || cfg.Password != "" {
		vals = append(vals, base64.StdEncoding.EncodeToString([]byte(cfg.Username+":"+cfg.Password)))
	}
	s.add(vals...)
}

// addToken records a bearer token issued during the run.
func (s *secrets) addToken(t *transport.Token) {
	if t != nil {
		s.add(t.Token, t.AccessToken, t.RefreshToken)
	}
}

func (s *secrets) add(vals ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range vals {
		if len(v) >= minSecret {
			s.list = append(s.list, v)
		}
	}
}

// redact returns err with the recorded secrets, and anything shaped like
// one, taken out of its text and of everything it unwraps to (redact.go);
// errors.Is still matches its kind and a context's cancellation.
func (s *secrets) redact(err error) error {
	return redactErr(err, s.known())
}

// known returns a copy of the recorded secrets.
func (s *secrets) known() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.list...)
}
