package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"testing"
	"time"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/fixers"
	"github.com/composefix/composefix/registry"
)

// generated returns a compose file with n services, each with what the
// rules look at (a floating tag, ports, environment, a dependency), so that
// most rules fix every service.
func generated(n int) []byte {
	var b strings.Builder
	b.WriteString("# generated for benchmarks\nversion: \"3.8\"\n\nservices:\n")
	for i := range n {
		fmt.Fprintf(&b, "  svc%d:\n    image: redis:7\n    ports:\n      - \"%d:6379\"\n    environment:\n      NAME: svc%d\n", i, 10000+i%50000, i)
		if i > 0 {
			fmt.Fprintf(&b, "    depends_on:\n      - svc%d\n", i-1)
		}
	}
	return []byte(b.String())
}

// benchOptions are every rule with unsafe fixes, no registry answers: the
// most work the rules can do without the network.
func benchOptions(b *testing.B) fixers.Options {
	cfg := fullConfig(b)
	return fixers.Options{Rules: fixers.Rules(), Config: cfg, UnsafeFixes: true}
}

// fixOne is the in-process work for one file: load, fix (every pass
// verified), and the diff.
func fixOne(b *testing.B, src []byte, opts fixers.Options) {
	d, err := compose.Load("compose.yaml", src)
	if err != nil {
		b.Fatal(err)
	}
	res, err := fixers.Run(d, opts)
	if err != nil {
		b.Fatal(err)
	}
	f := File{Regions: res.Regions}
	f.Path, f.Original, f.Output = "compose.yaml", src, res.Output
	if Diff(&f) == "" {
		b.Fatal("nothing changed: the benchmark measures nothing")
	}
}

// BenchmarkServices10kVs1k times one file of 10,000 services against the
// same file with 1,000 and reports the ratio (target: at most 12, linear
// would be 10).
func BenchmarkServices10kVs1k(b *testing.B) {
	small, large := generated(1000), generated(10000)
	opts := benchOptions(b)
	var ts, tl, cs, cl time.Duration
	for b.Loop() {
		t0, c0 := time.Now(), cpuTime()
		fixOne(b, small, opts)
		t1, c1 := time.Now(), cpuTime()
		fixOne(b, large, opts)
		ts += t1.Sub(t0)
		tl += time.Since(t1)
		cs += c1 - c0
		cl += cpuTime() - c1
	}
	b.ReportMetric(float64(tl)/float64(ts), "x-10k-vs-1k")
	if cs > 0 {
		b.ReportMetric(float64(cl)/float64(cs), "cpu-x-10k-vs-1k")
	}
	b.ReportMetric(float64(ts.Milliseconds())/float64(b.N), "ms-1k")
	b.ReportMetric(float64(tl.Milliseconds())/float64(b.N), "ms-10k")
}

// BenchmarkFiles10k runs the pipeline over 10,000 generated files of three
// services each (offline: no registry) and reports the peak of the live
// heap, sampled every millisecond, and the heap kept per file (target for
// the process: 200 MB peak RSS, flat in the number of files).
func BenchmarkFiles10k(b *testing.B) {
	const n = 10000
	dir := b.TempDir()
	for i := range n {
		var sb strings.Builder
		sb.WriteString("services:\n")
		for j := range 3 {
			fmt.Fprintf(&sb, "  s%d-%d:\n    image: redis:7\n    ports: [\"%d:6379\"]\n", i, j, 1024+j)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("compose.%05d.yaml", i)), []byte(sb.String()), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	cfg := fullConfig(b)
	o := Options{Paths: []string{dir}, Rules: fixers.Rules(), Fixers: cfg,
		Registry: []registry.Option{registry.WithOffline(true), registry.WithCacheDir(b.TempDir())}}
	var peak, base uint64
	for b.Loop() {
		runtime.GC()
		base = liveHeap()
		stop := make(chan struct{})
		done := make(chan uint64)
		go func() {
			var max uint64
			tick := time.NewTicker(time.Millisecond)
			defer tick.Stop()
			for {
				if h := liveHeap(); h > max {
					max = h
				}
				select {
				case <-stop:
					done <- max
					return
				case <-tick.C:
				}
			}
		}()
		files := 0
		Run(context.Background(), o, func(*File) { files++ })
		close(stop)
		peak = <-done
		if files != n {
			b.Fatalf("the run reported %d files, want %d", files, n)
		}
	}
	b.ReportMetric(float64(peak-base)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(peak-base)/n/1024, "KB-per-file")
}

// liveHeap is the bytes of heap objects, live or not yet swept.
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
