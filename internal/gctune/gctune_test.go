package gctune

import (
	"math"
	"runtime"
	"runtime/debug"
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

// memoryLimit reads the current memory limit.
func memoryLimit() int64 { return debug.SetMemoryLimit(-1) }

// TestShortRun: a run does not collect before its memory reaches
// FirstCollection, then collects at five times the live heap, and returns
// to Go's default once the live heap is no longer small.
func TestShortRun(t *testing.T) {
	defer debug.SetGCPercent(gcPercent())
	defer debug.SetMemoryLimit(memoryLimit())

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
		live := make([][]byte, 0, 2*SmallHeap>>20)
		for range cap(live) {
			live = append(live, make([]byte, 1<<20))
		}
		deadline := time.Now().Add(5 * time.Second)
		for gcPercent() != 100 && time.Now().Before(deadline) {
			runtime.GC()
			time.Sleep(10 * time.Millisecond)
		}
		runtime.KeepAlive(live)
		if p := gcPercent(); p != 100 {
			t.Fatalf("GC percent %d with %d MiB live, want Go's default 100", p, len(live))
		}
	})
}

// TestGCPercentFor: the GC percent follows the live heap: five times while
// it is small, Go's default past SmallHeap (and no return to the small
// run's), a quarter past LargeHeap, and the default again when a large
// heap shrinks.
func TestGCPercentFor(t *testing.T) {
	const mb = 1 << 20
	for _, c := range []struct {
		percent int
		live    uint64
		want    int
	}{
		{SmallRunGCPercent, 10 * mb, SmallRunGCPercent},
		{SmallRunGCPercent, SmallHeap + mb, 100},
		{SmallRunGCPercent, LargeHeap + mb, LargeRunGCPercent},
		{100, 10 * mb, 100},
		{100, LargeHeap, 100},
		{100, LargeHeap + mb, LargeRunGCPercent},
		{LargeRunGCPercent, LargeHeap + mb, LargeRunGCPercent},
		{LargeRunGCPercent, LargeHeap - mb, 100},
		{LargeRunGCPercent, 10 * mb, 100},
	} {
		if got := gcPercentFor(c.percent, c.live); got != c.want {
			t.Errorf("gcPercentFor(%d, %d MiB) = %d, want %d", c.percent, c.live/mb, got, c.want)
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
