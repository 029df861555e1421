// Package gctune sets the garbage collector for one composefix run. The
// CLI applies it as the process starts; the pipeline's benchmarks apply
// it in the processes they time, so that what they measure is what a run
// of the CLI does.
package gctune

import (
	"math"
	"runtime"
	"runtime/debug"
)

// Garbage collection for a short run. Most of what composefix allocates is
// garbage within the file it belongs to (parse, verify, diff), and most
// runs hold little: the 53 corpus files allocate about 19 MB in all and
// stay under 10 MB live. Go's default (collect when the heap has doubled)
// then spends a tenth of a run's CPU collecting.
//
// ShortRun does not collect at all until the run's memory reaches
// FirstCollection: a run that allocates less (the corpus does) exits
// without a collection, which saves it 3-4 ms of CPU (one cycle, and the
// write barriers while it runs) for about 1,000 more page faults.
//
// After that the heap may grow by Headroom over what is live, but by no
// more than SmallRunGCPercent (to five times a small live heap). A bounded
// absolute overhead rather than Go's doubling: a file of 10,000 services
// (160-190 MB live at its peak) is marked twice instead of four times, a
// quarter of its CPU before.
//
// Over LargeHeap live, the heap may grow by LargeHeadroom only, and by no
// less than LargeRunGCPercent. Only a file near the size limit gets there:
// the 8 MiB benchmark file is 1.2 GB live at its peak (its tree, the
// re-parsed output's and their findings, all needed at once), and its
// growth over that was most of what its peak RSS held beyond the live
// heap. Growing by 128 MB instead of a quarter of the live heap costs it
// about 2 s of CPU (13.5 -> 15.5 s, two cores) and saves about 230 MB of
// peak RSS (1.74 -> 1.51 GB); tighter still saves little more (40 MB for
// 64 MB, 5%) and costs twice as much again. A GOGC or GOMEMLIMIT the user
// set wins: the caller, which reads the environment, then does not call
// ShortRun.
const (
	FirstCollection   = 64 << 20
	Headroom          = 256 << 20
	SmallRunGCPercent = 400
	LargeHeap         = 768 << 20
	LargeHeadroom     = 128 << 20
	LargeRunGCPercent = 10
)

// ShortRun sets the collector for the rest of the process: no collection
// until the process's memory reaches FirstCollection, then at
// the GC percent gcPercentFor gives for the live heap after each
// collection.
func ShortRun() {
	// Collection off, and the memory limit as the one trigger: the
	// runtime collects when the run's memory nears it.
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(FirstCollection)
	watchHeap(-1)
}

// sentinel holds a pointer so that it is not packed with other small
// objects by the tiny allocator, whose finalizers may never run.
type sentinel struct{ _ *int }

// watchHeap checks the live heap after each collection, through a
// finalizer that re-arms itself (the runtime offers no other hook at the
// end of a cycle), and sets the GC percent that fits it. percent is the
// one in effect, -1 before the first collection: that collection lifts
// the memory limit, which would otherwise make the runtime collect over
// and over once the live heap nears it. A GC percent rather than a soft
// memory limit for a large heap: the goal follows the live heap, and a
// file whose live heap nears a limit would collect back to back.
func watchHeap(percent int) {
	runtime.SetFinalizer(&sentinel{}, func(*sentinel) {
		next := SmallRunGCPercent
		if percent < 0 {
			debug.SetMemoryLimit(math.MaxInt64)
		} else {
			next = gcPercentFor(liveHeap(percent))
		}
		if next != percent {
			debug.SetGCPercent(next)
		}
		watchHeap(next)
	})
}

// gcPercentFor returns the GC percent that lets a heap of live bytes grow
// by Headroom, at most SmallRunGCPercent; over LargeHeap, by LargeHeadroom,
// at least LargeRunGCPercent.
func gcPercentFor(live uint64) int {
	if live == 0 {
		return SmallRunGCPercent
	}
	if live >= LargeHeap {
		return int(max(LargeHeadroom*100/live, LargeRunGCPercent))
	}
	return int(min(Headroom*100/live, SmallRunGCPercent))
}

// liveHeap estimates the heap the last collection found live from the
// goal it set for the next one, which is the live heap (with stacks and
// globals, small here) times 1 + percent/100. runtime/metrics reads it
// exactly, but importing that package costs every process 0.04-0.06 ms of
// initialisation, 2% of --version; ReadMemStats stops the world for
// microseconds, once per collection.
func liveHeap(percent int) uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.NextGC * 100 / uint64(100+percent)
}
