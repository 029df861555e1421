package gctune

import (
	"math"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	_ "github.com/composefix/composefix/internal/golden" // defines -update for go test ./... -update
)

// gcPercent reads the current GC percent (the runtime only tells it when
// it is set).
func gcPercent() int {
	p := debug.SetGCPercent(-1)
	debug.SetGCPercent(p)
	return p
}

// shortRunEnv is set in the child process TestShortRun runs in.
const shortRunEnv = "COMPOSEFIX_GCTUNE_SHORTRUN"

// memoryLimit reads the current memory limit.
func memoryLimit() int64 { return debug.SetMemoryLimit(-1) }

// TestShortRun: a run does not collect before its memory reaches
// FirstCollection, then collects at five times a small live heap, and at
// Headroom over a larger one. ShortRun sets the collector for the rest of
// its process, so it runs in a child (this test binary again), where it
// cannot change what the other tests set.
func TestShortRun(t *testing.T) {
	if os.Getenv(shortRunEnv) == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestShortRun$", "-test.v")
		cmd.Env = append(os.Environ(), shortRunEnv+"=1")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestShortRun/small_then_large_heap") {
			t.Fatalf("the child running ShortRun: %v\n%s", err, out)
		}
		return
	}

	t.Run("small then large heap", func(t *testing.T) {
		ShortRun()
		if p, l := gcPercent(), memoryLimit(); p != -1 || l != FirstCollection {
			t.Fatalf("GC percent %d, memory limit %d after ShortRun, want off and %d", p, l, FirstCollection)
		}
		runtime.GC()
		runtime.GC()
		time.Sleep(20 * time.Millisecond) // finalizers run on their own goroutine
		if p, l := gcPercent(), memoryLimit(); p != SmallRunGCPercent || l != math.MaxInt64 {
			t.Fatalf("GC percent %d, memory limit %d with a small heap after a collection, want %d and none", p, l, SmallRunGCPercent)
		}
		// 128 MiB live, and a little of the test binary's: Headroom over
		// it is a GC percent just under 200.
		live := make([][]byte, 0, Headroom/2>>20)
		for range cap(live) {
			live = append(live, make([]byte, 1<<20))
		}
		// A collection that ran while live grew set a percent for a
		// smaller heap; the next ones see all of it.
		want := func(p int) bool { return p >= 180 && p <= 200 }
		deadline := time.Now().Add(5 * time.Second)
		for !want(gcPercent()) && time.Now().Before(deadline) {
			runtime.GC()
			time.Sleep(10 * time.Millisecond)
		}
		runtime.KeepAlive(live)
		if p := gcPercent(); !want(p) {
			t.Fatalf("GC percent %d with %d MiB live, want Headroom over it, just under 200", p, len(live))
		}
	})
}

// TestGCPercentFor: the heap may grow by Headroom over the live heap, by
// five times a small one at most; over LargeHeap, by LargeHeadroom, and by
// a tenth of a very large one at least.
func TestGCPercentFor(t *testing.T) {
	const mb = 1 << 20
	for _, c := range []struct {
		live uint64
		want int
	}{
		{0, SmallRunGCPercent},
		{10 * mb, SmallRunGCPercent},
		{Headroom / 4, SmallRunGCPercent},
		{Headroom/4 + mb, 393},
		{Headroom / 2, 200},
		{Headroom, 100},
		{2 * Headroom, 50},
		{LargeHeap - mb, 33},
		{LargeHeap, 16},
		{4 * Headroom, 12},
		{LargeHeadroom * 10, LargeRunGCPercent},
		{64 * Headroom, LargeRunGCPercent},
	} {
		if got := gcPercentFor(c.live); got != c.want {
			t.Errorf("gcPercentFor(%d MiB) = %d, want %d", c.live/mb, got, c.want)
		}
	}
}

// TestLiveHeap: the live heap read back from the next collection's goal
// is what a collection leaves, whatever the GC percent.
func TestLiveHeap(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	keep := make([][]byte, 0, 64)
	for range cap(keep) {
		keep = append(keep, make([]byte, 1<<20))
	}
	for _, p := range []int{SmallRunGCPercent, 100, LargeRunGCPercent} {
		debug.SetGCPercent(p)
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		got := liveHeap(p)
		if lo, hi := m.HeapAlloc*7/8, m.HeapAlloc*9/8; got < lo || got > hi {
			t.Errorf("GC percent %d: liveHeap %d MiB, heap after a collection %d MiB", p, got>>20, m.HeapAlloc>>20)
		}
	}
	runtime.KeepAlive(keep)
}
