package main

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
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

// TestTuneGC: a run does not collect before its memory reaches
// firstCollection, then collects at five times the live heap, and returns
// to Go's default once the live heap is no longer small, unless the user
// set GOGC.
func TestTuneGC(t *testing.T) {
	defer debug.SetGCPercent(gcPercent())
	defer debug.SetMemoryLimit(memoryLimit())

	t.Run("GOGC set", func(t *testing.T) {
		t.Setenv("GOGC", "150")
		debug.SetGCPercent(150)
		tuneGC()
		if p := gcPercent(); p != 150 {
			t.Fatalf("GC percent %d after tuneGC with GOGC=150, want 150", p)
		}
	})

	t.Run("small then large heap", func(t *testing.T) {
		t.Setenv("GOGC", "")
		t.Setenv("GOMEMLIMIT", "")
		tuneGC()
		if p, l := gcPercent(), memoryLimit(); p != -1 || l != firstCollection {
			t.Fatalf("GC percent %d, memory limit %d after tuneGC, want off and %d", p, l, firstCollection)
		}
		runtime.GC()
		runtime.GC()
		time.Sleep(20 * time.Millisecond) // finalizers run on their own goroutine
		if p, l := gcPercent(), memoryLimit(); p != smallRunGCPercent || l != math.MaxInt64 {
			t.Fatalf("GC percent %d, memory limit %d with a small heap after a collection, want %d and none", p, l, smallRunGCPercent)
		}
		live := make([][]byte, 0, 2*smallHeap>>20)
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
