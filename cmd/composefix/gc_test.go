package main

import (
	"runtime/debug"
	"testing"
)

// TestTuneGCLeavesGOGC: a GOGC the user set wins over the short run's
// settings (internal/gctune tests those).
func TestTuneGCLeavesGOGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(150))
	t.Setenv("GOGC", "150")
	tuneGC()
	p := debug.SetGCPercent(150)
	if p != 150 {
		t.Fatalf("GC percent %d after tuneGC with GOGC=150, want 150", p)
	}
}
