package registry

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// pacer spaces requests to a host once the host reports that its quota is
// nearly used up, so that the run slows down instead of running into 429.
//
// Registries such as Docker Hub report their quota on responses as
// "ratelimit-limit: 100;w=21600" and "ratelimit-remaining: 76;w=21600"
// (requests left in a window of w seconds). While more than lowWater
// requests remain, the pacer adds no delay. At or below it, the rest of the
// quota is spread evenly over the window: each request waits window/remaining
// after the previous one. With nothing left, requests fail at once with
// ErrRateLimited instead of being sent. Between responses, each reservation
// lowers the pacer's own estimate, since requests in flight have not been
// counted by any response yet.
type pacer struct {
	lowWater int
	mu       sync.Mutex
	hosts    map[string]*quota
}

type quota struct {
	limit     int
	remaining int
	window    time.Duration
	next      time.Time // earliest time the next paced request may start
}

func newPacer(lowWater int) *pacer {
	return &pacer{lowWater: lowWater, hosts: map[string]*quota{}}
}

// observe records the quota headers of a response from host, if any.
func (p *pacer) observe(host string, h http.Header) {
	rem, window, ok := parseRateLimit(h.Get("ratelimit-remaining"))
	if !ok {
		return
	}
	limit, _, _ := parseRateLimit(h.Get("ratelimit-limit"))
	p.mu.Lock()
	defer p.mu.Unlock()
	q := p.hosts[host]
	if q == nil {
		q = &quota{}
		p.hosts[host] = q
	}
	q.remaining, q.window, q.limit = rem, window, limit
}

// reserve claims a request slot on host at now. It returns how long the
// caller must wait before sending, or ErrRateLimited when the quota is used up.
func (p *pacer) reserve(host string, now time.Time) (time.Duration, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	q := p.hosts[host]
	if q == nil {
		return 0, nil
	}
	if q.remaining <= 0 {
		return 0, fmt.Errorf("%s reports no requests left of %d per %s: %w", host, q.limit, q.window, ErrRateLimited)
	}
	if q.remaining > p.lowWater || q.window <= 0 {
		q.remaining--
		return 0, nil
	}
	start := now
	if q.next.After(start) {
		start = q.next
	}
	q.next = start.Add(q.window / time.Duration(q.remaining))
	q.remaining--
	return start.Sub(now), nil
}

// parseRateLimit reads "76;w=21600" (or a bare "76") as 76 requests per
// 21600 seconds.
func parseRateLimit(v string) (n int, window time.Duration, ok bool) {
	if v == "" {
		return 0, 0, false
	}
	parts := strings.Split(v, ";")
	n, err := strconv.Atoi(strings.TrimSpace(parts[0]))
	if err != nil || n < 0 {
		return 0, 0, false
	}
	for _, p := range parts[1:] {
		k, val, found := strings.Cut(strings.TrimSpace(p), "=")
		if found && k == "w" {
			if s, err := strconv.Atoi(val); err == nil && s > 0 {
				window = time.Duration(s) * time.Second
			}
		}
	}
	return n, window, true
}
