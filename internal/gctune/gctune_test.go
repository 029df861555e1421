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
