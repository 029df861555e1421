package main

import (
	"bytes"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/composefix/composefix/registry"
	"github.com/google/go-cmp/cmp"
)

// syncBuffer is a bytes.Buffer safe for the progress timer's goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestProgressDrawsAndClears(t *testing.T) {
	var b syncBuffer
	p := newProgress(&b, true)
	p.delay = 0
	p.Start(3)
	p.Update(1, 1)
	p.Update(3, 1)
	p.Done()
	p.Done()
	p.Update(3, 3) // after Done: nothing
	line := "resolving images: 0/3, 0 cached"
	want := "\r" + line +
		"\rresolving images: 1/3, 1 cached" +
		"\rresolving images: 3/3, 1 cached" +
		"\r" + strings.Repeat(" ", len(line)) + "\r"
	if d := cmp.Diff(want, b.String()); d != "" {
		t.Errorf("progress output (-want +got):\n%s", d)
	}
}

// TestProgressStartsAgain checks that the line shows again for a second
// resolution in one run (one per configuration), after the first is done.
func TestProgressStartsAgain(t *testing.T) {
	var b syncBuffer
	p := newProgress(&b, true)
	p.delay = 0
	p.Start(1)
	p.Done()
	p.Start(2)
	p.Update(2, 0)
	p.Done()
	if got := b.String(); !strings.Contains(got, "resolving images: 2/2, 0 cached") {
		t.Errorf("the second resolution drew nothing: %q", got)
	}
}

func TestProgressPadsAShorterLine(t *testing.T) {
	var b syncBuffer
	p := newProgress(&b, true)
	p.delay = 0
	p.Start(10)
	p.Update(10, 10) // "10/10, 10 cached" is longer than "0/10, 0 cached"
	p.total = 9      // a shorter line must blank the longer one's tail
	p.Update(9, 0)
	got := b.String()
	long := "resolving images: 10/10, 10 cached"
	short := "resolving images: 9/9, 0 cached"
	if want := "\r" + short + strings.Repeat(" ", len(long)-len(short)); !strings.HasSuffix(got, want) {
		t.Errorf("progress output = %q, want it to end with %q", got, want)
	}
}

func TestProgressWaitsForTheDelay(t *testing.T) {
	var b syncBuffer
	p := newProgress(&b, true)
	p.delay = time.Hour
	p.Start(5)
	p.Update(5, 5)
	p.Done()
	if got := b.String(); got != "" {
		t.Errorf("a run shorter than the delay drew %q, want nothing", got)
	}

	var late syncBuffer
	p = newProgress(&late, true)
	p.delay = time.Millisecond
	p.Start(2)
	for deadline := time.Now().Add(5 * time.Second); late.String() == "" && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	p.Done()
	if got := late.String(); !strings.HasPrefix(got, "\rresolving images: 0/2, 0 cached") || !strings.HasSuffix(got, "\r") {
		t.Errorf("after the delay the progress output is %q, want the line drawn then cleared", got)
	}
}

func TestProgressDisabledWritesNothing(t *testing.T) {
	var b syncBuffer
	p := newProgress(&b, false)
	p.delay = 0
	p.Start(2)
	p.Update(1, 0)
	p.Done()
	var nilp *progress
	nilp.Start(1)
	nilp.Update(1, 1)
	nilp.Done()
	if got := b.String(); got != "" {
		t.Errorf("disabled progress wrote %q", got)
	}
}

func TestProgressEnabled(t *testing.T) {
	// A pipe is never a terminal; /dev/null is a character device but
	// not a terminal on every system, so it is not used here.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	env := func(ci string) func(string) string {
		return func(k string) string {
			if k == "CI" {
				return ci
			}
			return ""
		}
	}
	for _, tc := range []struct {
		name, format, ci string
		w                io.Writer
	}{
		{"pipe", "text", "", w},
		{"buffer", "text", "", &bytes.Buffer{}},
		{"/dev/null (a character device, no terminal)", "text", "", devNull},
		{"pipe in CI", "text", "true", w},
		{"json on a pipe", "json", "", w},
	} {
		if progressEnabled(tc.format, tc.w, env(tc.ci)) {
			t.Errorf("progressEnabled(%s) = true, want false", tc.name)
		}
	}
	// On a real terminal the decision is up to the format and CI. CI has
	// no controlling terminal, so a pseudo-terminal's master stands in for
	// one there; without either the positive case would never run.
	tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0)
	if err != nil {
		var ptmxErr error
		if tty, ptmxErr = os.OpenFile("/dev/ptmx", os.O_RDWR, 0); ptmxErr != nil {
			t.Skipf("no terminal to test the positive case: %v; %v", err, ptmxErr)
		}
	}
	defer tty.Close()
	for _, tc := range []struct {
		format, ci string
		want       bool
	}{
		{"text", "", true},
		{"text", "false", true},
		{"text", "true", false},
		{"text", "1", false},
		{"json", "", false},
		{"sarif", "", false},
		{"github", "", false},
	} {
		if got := progressEnabled(tc.format, tty, env(tc.ci)); got != tc.want {
			t.Errorf("progressEnabled(%q, tty, CI=%q) = %v, want %v", tc.format, tc.ci, got, tc.want)
		}
	}
}

func TestProgressShowsRetries(t *testing.T) {
	var b syncBuffer
	p := newProgress(&b, true)
	p.delay = 0
	p.Start(2)
	p.Retry(registry.Retry{Host: "registry-1.docker.io", Attempt: 1, Of: 3, Wait: 5 * time.Second, RetryAfter: true, Reason: "429 Too Many Requests"})
	p.Done()
	want := "resolving images: 0/2, 0 cached, 1 retried; registry-1.docker.io retry 1/3 in 5s (429 Too Many Requests, Retry-After)"
	if !strings.Contains(b.String(), "\r"+want) {
		t.Errorf("progress output %q, want the line %q", b.String(), want)
	}
}

// TestProgressCountsLayerBytes checks the layer part of the line that
// --inspect-files adds: bytes read of the bytes planned, in MiB.
func TestProgressCountsLayerBytes(t *testing.T) {
	var b syncBuffer
	p := newProgress(&b, true)
	p.delay = 0
	p.Start(1)
	p.Layers(3<<20, 10<<20)
	p.Layers(4<<20, 10<<20)
	p.Done()
	if got := b.String(); !strings.Contains(got, ", layers 3/10 MiB") || !strings.Contains(got, ", layers 7/10 MiB") {
		t.Errorf("progress output %q lacks the layer counts", got)
	}
	var nilProgress *progress
	nilProgress.Layers(1, 1) // a nil progress does nothing
}
