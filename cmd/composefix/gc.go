package main

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// Garbage collection for a short run. Most of what composefix allocates is
// garbage within the file it belongs to (parse, verify, diff), and most
// runs hold little: the 53 corpus files stay under 10 MB live. Go's default
// (collect when the heap has doubled) then spends a tenth of a run's CPU
// collecting. tuneGC lets the heap grow to five times what is live while
// that is small, and returns to the default once the live heap passes
// smallHeap, so a large file's peak memory (about 1.7 GB live for the
// 8 MiB benchmark file) is not multiplied. A GOGC or GOMEMLIMIT the user
// set wins.
const (
	smallRunGCPercent = 400
	smallHeap         = 64 << 20
)

func tuneGC() {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetGCPercent(smallRunGCPercent)
	watchHeap()
}

// sentinel holds a pointer so that it is not packed with other small
// objects by the tiny allocator, whose finalizers may never run.
type sentinel struct{ _ *int }

// watchHeap checks the live heap after each collection, through a
// finalizer that re-arms itself (the runtime offers no other hook at the
// end of a cycle), until the heap is no longer small.
func watchHeap() {
	runtime.SetFinalizer(&sentinel{}, func(*sentinel) {
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		metrics.Read(sample)
		if sample[0].Value.Kind() == metrics.KindUint64 && sample[0].Value.Uint64() > smallHeap {
			debug.SetGCPercent(100)
			return
		}
		watchHeap()
	})
}
