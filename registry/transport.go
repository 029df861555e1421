package registry

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// maxBody bounds what one response may carry. The resolver only reads
// manifests, tag lists and tokens; real ones are far smaller.
const maxBody = 16 << 20

// retryTransport is the bottom of the resolver's HTTP stack, under
// go-containerregistry's auth transports, so that every round trip (ping,
// token, HEAD, GET, each tag-list page) gets the same treatment:
//
//   - scheme policy: plain http only for loopback and insecure hosts, any
//     other http URL is upgraded to https (TLS is verified by the inner
//     transport);
//   - pacing from the host's ratelimit headers, then a slot among the
//     resolver's jobs;
//   - a per-attempt timeout covering the whole body, which is read into
//     memory here so that a truncated body is a retryable error of the
//     round trip rather than a late surprise for the caller;
//   - bounded retries of 429, 500, 502, 503, 504 and temporary network
//     errors with exponential backoff and jitter, honouring Retry-After.
type retryTransport struct {
	next          http.RoundTripper
	plain         func(host string) bool
	jobs          chan struct{}
	pacer         *pacer
	clock         clock
	retries       int           // extra attempts after the first
	timeout       time.Duration // per attempt
	maxRetryAfter time.Duration // a longer Retry-After fails at once
	backoffBase   time.Duration
	backoffMax    time.Duration
	stats         *counters
	onRetry       func(Retry) // nil: not reported
	beforeRequest func()      // nil: nothing (WithBeforeNetwork)

	rngMu sync.Mutex
	rng   *rand.Rand
}

// Retry describes a request about to be retried, for progress reports.
type Retry struct {
	Host       string        // the registry host
	Attempt    int           // 1 for the first retry
	Of         int           // the retries allowed (WithRetries)
	Wait       time.Duration // how long the request waits first
	RetryAfter bool          // Wait is the registry's Retry-After
	Reason     string        // the status ("429 Too Many Requests") or the network error, with secrets taken out
}

// RoundTrip implements http.RoundTripper.
func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.beforeRequest != nil {
		t.beforeRequest()
	}
	host := req.URL.Host
	switch {
	case t.plain(host) && req.URL.Scheme == "https":
		// go-containerregistry probes https first even for plain hosts;
		// refusing here costs no round trip.
		return nil, fmt.Errorf("%s is a plain-http registry, not trying https", host)
	case !t.plain(host) && req.URL.Scheme == "http":
		req = req.Clone(req.Context())
		req.URL.Scheme = "https"
	}
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		return t.attempt(req) // cannot replay the body
	}
	ctx := req.Context()
	for n := 0; ; n++ {
		resp, err := t.attempt(req)
		if n >= t.retries || !retryable(resp, err) {
			if err != nil && n > 0 {
				err = fmt.Errorf("after %d attempts: %w", n+1, err)
			}
			return resp, err
		}
		wait := t.backoff(n)
		ev := Retry{Host: host, Attempt: n + 1, Of: t.retries}
		if resp != nil {
			// A status line is the server's text: it may hold anything.
			ev.Reason = scrub(resp.Status, knownSecrets(ctx))
			if ra, ok := retryAfter(resp.Header, t.clock.Now()); ok {
				if ra > t.maxRetryAfter {
					return resp, nil // the caller sees the 429 or 503 as it is
				}
				wait, ev.RetryAfter = ra, true
			}
		} else if err != nil {
			// A redirect's URL (a signed query, userinfo) may be in it.
			ev.Reason = scrub(err.Error(), knownSecrets(ctx))
		}
		if d, ok := ctx.Deadline(); ok && time.Until(d) < wait {
			return resp, err // waiting would outlive the run
		}
		if t.onRetry != nil {
			ev.Wait = wait
			t.onRetry(ev)
		}
		if err := t.clock.Sleep(ctx, wait); err != nil {
			return resp, err
		}
		if req.GetBody != nil {
			body, gerr := req.GetBody()
			if gerr != nil {
				return nil, gerr
			}
			req = req.Clone(ctx)
			req.Body = body
		}
	}
}

// attempt performs one round trip.
func (t *retryTransport) attempt(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	host := req.URL.Host
	acquire := func() error {
		select {
		case t.jobs <- struct{}{}:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if err := acquire(); err != nil {
		return nil, err
	}
	// The reservation is made holding a job slot, so that with one job it
	// always sees the quota reported by the previous response.
	wait, err := t.pacer.reserve(host, t.clock.Now())
	if err != nil {
		<-t.jobs
		return nil, err
	}
	if wait > 0 {
		<-t.jobs // let other hosts' requests run meanwhile
		if d, ok := ctx.Deadline(); ok && time.Until(d) < wait {
			return nil, fmt.Errorf("%s asks to slow down to stay within its quota; the next request would start after the deadline: %w", host, ErrRateLimited)
		}
		t.stats.paced(wait)
		if err := t.clock.Sleep(ctx, wait); err != nil {
			return nil, err
		}
		if err := acquire(); err != nil {
			return nil, err
		}
	}
	// A streamed body keeps its job slot and context until it is closed.
	keep := false
	defer func() {
		if !keep {
			<-t.jobs
		}
	}()
	streaming := ctx.Value(streamBody{}) != nil
	actx, cancel := context.WithTimeout(ctx, t.timeout)
	if streaming {
		// A layer takes as long as it takes; the run's deadline still holds.
		actx, cancel = context.WithCancel(ctx)
	}
	defer func() {
		if !keep {
			cancel()
		}
	}()
	t.stats.request(req.Method)
	resp, err := t.next.RoundTrip(req.Clone(actx))
	timedOut := func(err error) error {
		if actx.Err() != nil && ctx.Err() == nil {
			return fmt.Errorf("%w of %s", errAttemptTimeout, t.timeout)
		}
		return err
	}
	if err != nil {
		return nil, timedOut(err)
	}
	t.pacer.observe(host, resp.Header)
	if req.Method == http.MethodHead {
		resp.Body.Close()
		resp.Body = http.NoBody
		return resp, nil
	}
	if streaming && resp.StatusCode == http.StatusOK {
		keep = true
		var once sync.Once
		resp.Body = &releasingBody{ReadCloser: resp.Body, release: func() {
			once.Do(func() {
				cancel()
				<-t.jobs
			})
		}}
		return resp, nil
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	resp.Body.Close()
	if err != nil {
		return nil, timedOut(fmt.Errorf("reading response to %s %s: %w", req.Method, req.URL.Redacted(), err))
	}
	if len(b) > maxBody {
		return nil, fmt.Errorf("response to %s %s is larger than %d bytes: %w", req.Method, req.URL.Redacted(), maxBody, ErrBadResponse)
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp, nil
}

// streamBody is a context key: a request carrying it (see withStreaming)
// gets its 200 answer's body unbuffered, without the per-attempt timeout
// and the size bound, for layers that are read as a stream.
type streamBody struct{}

// withStreaming marks requests made with ctx as streamed.
func withStreaming(ctx context.Context) context.Context {
	return context.WithValue(ctx, streamBody{}, true)
}

// releasingBody frees the request's job slot when the body is closed.
type releasingBody struct {
	io.ReadCloser
	release func()
}

func (b *releasingBody) Close() error {
	err := b.ReadCloser.Close()
	b.release()
	return err
}

// backoff returns the wait before retry n+1: exponential from backoffBase,
// capped at backoffMax, with "equal jitter" (half fixed, half random) so
// that concurrent clients spread out.
func (t *retryTransport) backoff(n int) time.Duration {
	d := t.backoffBase << n
	if d > t.backoffMax || d <= 0 {
		d = t.backoffMax
	}
	t.rngMu.Lock()
	j := time.Duration(t.rng.Int64N(int64(d/2) + 1))
	t.rngMu.Unlock()
	return d/2 + j
}

// retryable reports whether a round trip's outcome is worth another attempt.
func retryable(resp *http.Response, err error) bool {
	if err != nil {
		return temporary(err) && !errors.Is(err, ErrRateLimited)
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// retryAfter reads a Retry-After header given in seconds or as an HTTP date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0, false
		}
		return time.Duration(s) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d := t.Sub(now)
	if d < 0 {
		d = 0
	}
	return d, true
}

// isLoopback reports whether host (with an optional port) is a loopback
// name or address, which is always spoken to in plain http.
func isLoopback(host string) bool {
	h := host
	if hh, _, err := net.SplitHostPort(host); err == nil {
		h = hh
	}
	h = strings.Trim(h, "[]")
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// counters holds the resolver's statistics.
type counters struct {
	mu       sync.Mutex
	requests map[string]int
	hits     int
	misses   int
	waited   time.Duration
}

func (c *counters) request(method string) {
	c.mu.Lock()
	c.requests[method]++
	c.mu.Unlock()
}

func (c *counters) paced(d time.Duration) {
	c.mu.Lock()
	c.waited += d
	c.mu.Unlock()
}

func (c *counters) cache(hit bool) {
	c.mu.Lock()
	if hit {
		c.hits++
	} else {
		c.misses++
	}
	c.mu.Unlock()
}
