package registry

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
)

// Option configures a Resolver.
type Option func(*options) error

type options struct {
	jobs          int
	mirrors       map[string]*url.URL // normalised registry → mirror base URL
	insecure      map[string]bool     // host[:port] spoken to in plain http
	keychain      authn.Keychain
	cacheDir      string
	noCache       bool
	ttl           time.Duration
	notFoundTTL   time.Duration
	offline       bool
	refresh       bool
	runStart      time.Time // zero until finish: the clock at New
	timeout       time.Duration
	deadline      time.Duration
	maxCandidates int
	transport     http.RoundTripper
	retries       int
	maxRetryAfter time.Duration
	backoffBase   time.Duration
	backoffMax    time.Duration
	paceLowWater  int
	clock         clock
	rng           *rand.Rand
	progress      func(done, total, cached int)
	onRetry       func(Retry)
	beforeNetwork func()
	inspectFiles  bool
	inspectBudget int64
	inspectReport func(done, total int64)
}

// defaults returns every default in one place.
func defaults() options {
	return options{
		jobs:          8,
		mirrors:       map[string]*url.URL{},
		insecure:      map[string]bool{},
		keychain:      authn.DefaultKeychain,
		ttl:           time.Hour,
		notFoundTTL:   time.Hour,
		timeout:       10 * time.Second,
		deadline:      2 * time.Minute,
		maxCandidates: 10,
		transport:     nil, // see finish: depends on jobs
		retries:       3,
		maxRetryAfter: 30 * time.Second,
		backoffBase:   250 * time.Millisecond,
		backoffMax:    4 * time.Second,
		paceLowWater:  10,
		clock:         realClock{},
		inspectBudget: DefaultInspectBudget,
	}
}

// WithJobs sets how many registry requests may run at once. The default is 8.
func WithJobs(n int) Option {
	return func(o *options) error {
		if n < 1 {
			return fmt.Errorf("jobs must be at least 1, got %d", n)
		}
		o.jobs = n
		return nil
	}
}

// WithMirror resolves the images of registry host at mirrorURL
// ("http://127.0.0.1:5000", "https://mirror.example.com/proxy"), keeping the
// repository path (library/redis) below the URL's path. Any Docker Hub
// spelling of host (docker.io, index.docker.io, registry-1.docker.io)
// applies to all three. Results keep the original reference: pins keep the
// user's host spelling. Credentials are looked up for the mirror's host, and
// the cache is keyed by the original registry, since a mirror serves the
// same content. A plain-http mirror must be a loopback host or named with
// WithInsecure. The default is no mirrors; the option may be repeated.
func WithMirror(host, mirrorURL string) Option {
	return func(o *options) error {
		// The URL is shown scrubbed: it is refused because it may carry
		// credentials or a token, and the message must not repeat them.
		shown := ScrubURL(mirrorURL)
		u, err := url.Parse(mirrorURL)
		if err != nil {
			return fmt.Errorf("parsing mirror URL for %s: %s", host, scrub(err.Error(), nil))
		}
		switch {
		case u.Scheme != "http" && u.Scheme != "https":
			return fmt.Errorf("mirror URL %q for %s: scheme must be http or https", shown, host)
		case u.Host == "":
			return fmt.Errorf("mirror URL %q for %s has no host", shown, host)
		case u.User != nil:
			return fmt.Errorf("mirror URL for %s carries credentials; put them in the Docker config instead", host)
		case u.RawQuery != "" || u.Fragment != "":
			return fmt.Errorf("mirror URL %q for %s: query and fragment are not allowed", shown, host)
		}
		if host == "" || strings.ContainsAny(host, "/ ") {
			return fmt.Errorf("mirror for %q: expected a registry host such as docker.io", host)
		}
		u.Path = strings.Trim(u.Path, "/")
		o.mirrors[NormalizeRegistry(host)] = u
		return nil
	}
}

// WithInsecure lets the resolver speak plain http to host[:port] (as
// Docker's insecure-registries). Loopback hosts (localhost, 127.0.0.0/8,
// ::1) always use plain http; every other host uses https with verified TLS
// unless named here. The default is none; the option may be repeated.
func WithInsecure(host string) Option {
	return func(o *options) error {
		if host == "" || strings.ContainsAny(host, "/ ") {
			return fmt.Errorf("insecure registry %q: expected host[:port]", host)
		}
		o.insecure[strings.ToLower(host)] = true
		return nil
	}
}

// WithKeychain sets where credentials come from. The default is
// authn.DefaultKeychain: the Docker config ($DOCKER_CONFIG/config.json or
// ~/.docker/config.json) and its credential helpers.
func WithKeychain(k authn.Keychain) Option {
	return func(o *options) error {
		if k == nil {
			return errors.New("keychain must not be nil")
		}
		o.keychain = k
		return nil
	}
}

// WithCacheDir sets the directory of the disk cache; the resolver uses its
// "registry" subdirectory. The default is os.UserCacheDir()/composefix; an
// empty dir disables the disk cache.
func WithCacheDir(dir string) Option {
	return func(o *options) error {
		o.cacheDir = dir
		o.noCache = dir == ""
		return nil
	}
}

// WithTTL sets how long cached tag lists and digests are trusted. The
// default is one hour.
func WithTTL(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return fmt.Errorf("cache TTL must be positive, got %s", d)
		}
		o.ttl = d
		return nil
	}
}

// WithNotFoundTTL sets how long a registry's 404 for a tag, digest or
// repository is remembered, offline too, so that a warm run asks nothing
// again; WithRefresh ignores it. The default is one hour.
func WithNotFoundTTL(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return fmt.Errorf("not-found cache TTL must be positive, got %s", d)
		}
		o.notFoundTTL = d
		return nil
	}
}

// WithOffline makes the resolver use the disk cache only, whatever the
// entries' age; anything not cached fails with ErrOffline. The default is
// false.
func WithOffline(offline bool) Option {
	return func(o *options) error {
		o.offline = offline
		return nil
	}
}

// WithRefresh makes the resolver distrust cache entries written before
// the run started (see WithRunStart) and ask the registry again; it still
// writes fresh entries, and those are trusted for the rest of the run.
// The default is false.
func WithRefresh(refresh bool) Option {
	return func(o *options) error {
		o.refresh = refresh
		return nil
	}
}

// WithRunStart says when the run the resolver serves started. A run that
// makes several resolvers (the CLI makes one per configuration group)
// gives each the same time, so that under WithRefresh an answer one of
// them fetched and cached is a hit for the others, not fetched again:
// refresh distrusts what earlier runs cached, not what this one did. The
// default is the time of New.
func WithRunStart(t time.Time) Option {
	return func(o *options) error {
		if t.IsZero() {
			return errors.New("run start must not be the zero time")
		}
		o.runStart = t
		return nil
	}
}

// WithRequestTimeout bounds each HTTP attempt, body included. The default
// is 10 seconds.
func WithRequestTimeout(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return fmt.Errorf("request timeout must be positive, got %s", d)
		}
		o.timeout = d
		return nil
	}
}

// WithTotalTimeout bounds one Resolve call; the caller's context may end it
// sooner. The default is 2 minutes.
func WithTotalTimeout(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return fmt.Errorf("total timeout must be positive, got %s", d)
		}
		o.deadline = d
		return nil
	}
}

// WithMaxCandidates bounds the tags whose digest is looked up in the search
// for a precise tag (and for a newer tag that exists). The default is 10.
func WithMaxCandidates(n int) Option {
	return func(o *options) error {
		if n < 1 {
			return fmt.Errorf("max candidates must be at least 1, got %d", n)
		}
		o.maxCandidates = n
		return nil
	}
}

// WithTransport sets the HTTP transport under the resolver's own retry,
// pacing and auth layers (tests, proxies). The default is a clone of
// http.DefaultTransport (proxy settings from the environment, verified TLS)
// that keeps as many idle connections per host as there are jobs, so that
// concurrent lookups reuse their TLS sessions.
func WithTransport(t http.RoundTripper) Option {
	return func(o *options) error {
		if t == nil {
			return errors.New("transport must not be nil")
		}
		o.transport = t
		return nil
	}
}

// WithRetries sets how many times a request is retried after a 429, a 5xx
// or a temporary network error. The default is 3 (4 attempts in all).
func WithRetries(n int) Option {
	return func(o *options) error {
		if n < 0 {
			return fmt.Errorf("retries must not be negative, got %d", n)
		}
		o.retries = n
		return nil
	}
}

// WithBackoff sets the wait before the first retry, doubled for each
// further one up to max, half of it random. The defaults are 250ms and 4s.
// A Retry-After header replaces the computed wait; one longer than 30s ends
// the retries at once.
func WithBackoff(base, max time.Duration) Option {
	return func(o *options) error {
		if base <= 0 || max < base {
			return fmt.Errorf("backoff needs 0 < base <= max, got %s and %s", base, max)
		}
		o.backoffBase, o.backoffMax = base, max
		return nil
	}
}

// WithSeed seeds the random source of the backoff jitter, for reproducible
// runs. The default seed is taken from the clock at New.
func WithSeed(seed uint64) Option {
	return func(o *options) error {
		o.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
		return nil
	}
}

// withClock replaces the wall clock (tests).
func withClock(c clock) Option {
	return func(o *options) error {
		o.clock = c
		return nil
	}
}

// finish applies the cross-checks and derived defaults after all options.
// WithProgress calls report after each unique reference is resolved with
// the number done, the total and how many came from the cache, from any
// goroutine; report must be safe for concurrent use. The default reports
// nothing.
func WithProgress(report func(done, total, cached int)) Option {
	return func(o *options) error {
		o.progress = report
		return nil
	}
}

// WithRetryProgress calls report before each retry of a request, with why
// and how long it waits (a 429's Retry-After, or the backoff), from any
// goroutine; report must be safe for concurrent use. The default reports
// nothing.
func WithRetryProgress(report func(Retry)) Option {
	return func(o *options) error {
		o.onRetry = report
		return nil
	}
}

// WithBeforeNetwork calls f before the resolver first reaches out of the
// process for an image (a credential helper or a request), and again
// before each later request, from any goroutine: f must be cheap once it
// has run and safe for concurrent use. composefix installs its interrupt
// handler there, so that a run the disk cache answers does not pay for one
// (issue 14: startup). The default calls nothing.
func WithBeforeNetwork(f func()) Option {
	return func(o *options) error {
		o.beforeNetwork = f
		return nil
	}
}

// WithInspectFiles makes facts requests also learn the image's files from
// its layers (see Facts.Files): each layer is streamed once, only its tar
// headers read, and its listing cached by digest. The default is off.
func WithInspectFiles(on bool) Option {
	return func(o *options) error {
		o.inspectFiles = on
		return nil
	}
}

// WithInspectBudget bounds the layer bytes one Resolve call may download
// for WithInspectFiles; an image whose layers do not fit gets no file facts
// (Facts.FilesNote says why). The default is DefaultInspectBudget (2 GiB).
func WithInspectBudget(bytes int64) Option {
	return func(o *options) error {
		if bytes < 0 {
			return fmt.Errorf("inspection budget must not be negative, got %d", bytes)
		}
		o.inspectBudget = bytes
		return nil
	}
}

// WithInspectProgress calls report as layer bytes arrive with the bytes
// read by this chunk and the bytes planned so far, from any goroutine.
func WithInspectProgress(report func(n, planned int64)) Option {
	return func(o *options) error {
		o.inspectReport = report
		return nil
	}
}

func (o *options) finish() error {
	if o.cacheDir == "" && !o.noCache {
		if d, err := os.UserCacheDir(); err == nil {
			o.cacheDir = filepath.Join(d, "composefix")
		}
	}
	if o.offline && o.cacheDir == "" {
		return errors.New("offline mode needs a cache directory")
	}
	if o.offline && o.refresh {
		return errors.New("offline and refresh exclude each other: refresh needs the network")
	}
	if o.runStart.IsZero() {
		o.runStart = o.clock.Now()
	}
	for host, u := range o.mirrors {
		if u.Scheme == "http" && !isLoopback(u.Host) && !o.insecure[strings.ToLower(u.Host)] {
			return fmt.Errorf("mirror %s for %s uses plain http; name %s as an insecure registry to allow it", u.Redacted(), host, u.Host)
		}
	}
	if o.transport == nil {
		jobs := o.jobs
		o.transport = lazyTransport(sync.OnceValue(func() http.RoundTripper {
			t := http.DefaultTransport.(*http.Transport).Clone()
			t.MaxIdleConnsPerHost = jobs
			return t
		}))
	}
	if o.rng == nil {
		seed := uint64(o.clock.Now().UnixNano())
		o.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	}
	return nil
}

// lazyTransport is the default transport, made at the first request:
// cloning http.DefaultTransport sets up its HTTP/2 support, which an
// offline or fully cached run never uses (issue 14: 0.5% of a small
// file's process).
type lazyTransport func() http.RoundTripper

func (l lazyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return l().RoundTrip(req)
}
