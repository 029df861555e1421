package main

import (
	"fmt"
	"github.com/composefix/composefix/registry"
	"io"
	"strings"
	"sync"
	"time"
)

// progressDelay is how long registry work runs before a progress line
// appears: fast runs (a warm cache) never show one.
const progressDelay = 300 * time.Millisecond

// progress draws one line on stderr while images are resolved ("resolving
// images: 12/40, 5 cached"), redrawn in place with \r and cleared by Done.
// A disabled progress writes nothing. All methods are safe for concurrent
// use and on a nil *progress.
type progress struct {
	w       io.Writer
	enabled bool
	delay   time.Duration

	mu              sync.Mutex
	timer           *time.Timer
	total, done     int
	hits            int
	layerBytes      int64  // layer bytes read so far (--inspect-files)
	layerPlanned    int64  // layer bytes to read, as known so far
	retries         int    // retries so far
	retry           string // the latest retry, as shown
	visible, closed bool
	width           int // characters of the line on screen, to clear it
}

// newProgress returns a progress line on w; enabled should come from
// progressEnabled.
func newProgress(w io.Writer, enabled bool) *progress {
	return &progress{w: w, enabled: enabled, delay: progressDelay}
}

// progressEnabled reports whether a progress line may be drawn: only in
// the text format, on a terminal, and outside CI (CI=true or CI=1, as CI
// services set it). getenv is os.Getenv outside tests.
func progressEnabled(format string, errOut io.Writer, getenv func(string) string) bool {
	switch strings.ToLower(getenv("CI")) {
	case "true", "1":
		return false
	}
	return format == "text" && isTerminal(errOut)
}

// Start begins counting total lookups. The line appears once the work has
// taken longer than the delay.
func (p *progress) Start(total int) {
	if p == nil || !p.enabled {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	// A run resolves once per configuration: each Start opens the line
	// again, counting from zero.
	p.total, p.done, p.hits = total, 0, 0
	p.visible, p.closed = false, false
	if p.delay <= 0 {
		p.visible = true
		p.draw()
		return
	}
	p.timer = time.AfterFunc(p.delay, p.show)
}

func (p *progress) show() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.visible = true
	p.draw()
}

// Update records that done of the total lookups are finished, cacheHits of
// them answered from the disk cache.
func (p *progress) Update(done, cacheHits int) {
	if p == nil || !p.enabled {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done, p.hits = done, cacheHits
	if p.visible && !p.closed {
		p.draw()
	}
}

// Layers records n more layer bytes read of planned (--inspect-files);
// safe to call from any goroutine.
func (p *progress) Layers(n, planned int64) {
	if p == nil || !p.enabled {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.layerBytes += n
	p.layerPlanned = planned
	if p.visible && !p.closed {
		p.draw()
	}
}

// Retry records a request about to be retried and why, such as a 429's
// Retry-After: the line shows the count and the latest wait, so that a
// run held by a slow registry says so. Safe to call from any goroutine.
func (p *progress) Retry(ev registry.Retry) {
	if p == nil || !p.enabled {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.retries++
	why := ev.Reason
	if ev.RetryAfter {
		why += ", Retry-After"
	}
	p.retry = fmt.Sprintf("%s retry %d/%d in %s (%s)", ev.Host, ev.Attempt, ev.Of, ev.Wait.Round(100*time.Millisecond), why)
	if p.visible && !p.closed {
		p.draw()
	}
}

// Done stops the progress line and clears it from the screen. Later calls
// do nothing.
func (p *progress) Done() {
	if p == nil || !p.enabled {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.closed = true
	if p.timer != nil {
		p.timer.Stop()
	}
	if p.width > 0 {
		fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", p.width))
		p.width = 0
	}
}

// draw rewrites the line; the caller holds p.mu.
func (p *progress) draw() {
	line := fmt.Sprintf("resolving images: %d/%d, %d cached", p.done, p.total, p.hits)
	if p.layerPlanned > 0 {
		line += fmt.Sprintf(", layers %d/%d MiB", p.layerBytes>>20, p.layerPlanned>>20)
	}
	if p.retries > 0 {
		line += fmt.Sprintf(", %d retried; %s", p.retries, p.retry)
	}
	n := len(line) // ASCII only
	pad := ""
	if p.width > n {
		pad = strings.Repeat(" ", p.width-n)
	}
	fmt.Fprintf(p.w, "\r%s%s", line, pad)
	p.width = max(n, p.width)
}
