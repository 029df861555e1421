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
// write barriers while it runs) for about 1,000 more page faults. After
// the first collection the heap may grow to five times what is live while
// that is small, and Go's default returns once the live heap passes
// SmallHeap, so a large file's peak memory (about 1.3 GB live for the
// 8 MiB benchmark file) is not multiplied. A GOGC or GOMEMLIMIT the user
// set wins: the caller, which reads the environment, then does not call
// ShortRun.
const (
	FirstCollection   = 64 << 20
	SmallRunGCPercent = 400
	SmallHeap         = 64 << 20
)

// ShortRun sets the collector for the rest of the process: no collection
// until the process's memory reaches FirstCollection, then at
// SmallRunGCPercent while the live heap is under SmallHeap, then Go's
// default.
func ShortRun() {
	// Collection off, and the memory limit as the one trigger: the
	// runtime collects when the run's memory nears it.
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(FirstCollection)
	watchHeap(true)
}

// sentinel holds a pointer so that it is not packed with other small
// objects by the tiny allocator, whose finalizers may never run.
type sentinel struct{ _ *int }

// watchHeap checks the live heap after each collection, through a
// finalizer that re-arms itself (the runtime offers no other hook at the
// end of a cycle), until the heap is no longer small. After the first
// collection (first), it lifts the memory limit, which would otherwise
// make the runtime collect over and over once the live heap nears it.
func watchHeap(first bool) {
	runtime.SetFinalizer(&sentinel{}, func(*sentinel) {
		if first {
			debug.SetMemoryLimit(math.MaxInt64)
			debug.SetGCPercent(SmallRunGCPercent)
		}
		if liveHeap() > SmallHeap {
			debug.SetGCPercent(100)
			return
		}
		watchHeap(false)
	})
}

// liveHeap estimates the heap the last collection found live from the
// goal it set for the next one, which is the live heap (with stacks and
// globals, small here) times 1 + SmallRunGCPercent/100. runtime/metrics
// reads it exactly, but importing that package costs every process
// 0.04-0.06 ms of initialisation, 2% of --version; ReadMemStats stops the
// world for microseconds, once per collection of a small heap.
func liveHeap() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.NextGC / (1 + SmallRunGCPercent/100)
}
