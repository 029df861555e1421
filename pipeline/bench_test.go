package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/fixers"
	"github.com/composefix/composefix/internal/gctune"
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
func benchOptions(cfg *fixers.Config) fixers.Options {
	return fixers.Options{Rules: fixers.Rules(), Config: cfg, UnsafeFixes: true}
}

// fixOne is the in-process work for one file: load, fix (every pass
// verified), and the diff, from the File the CLI's run makes (with the
// document and the output's line starts, which the diff reads rather than
// finding the lines of both files again).
func fixOne(src []byte, opts fixers.Options) error {
	d, err := compose.Load("compose.yaml", src)
	if err != nil {
		return err
	}
	res, err := fixers.Run(d, opts)
	if err != nil {
		return err
	}
	f := File{Regions: res.Regions, doc: d, output: res.Output, outputLines: res.OutputLines}
	f.Path, f.Original, f.Output = "compose.yaml", src, res.Output
	if Diff(&f) == "" {
		return errors.New("nothing changed: the benchmark measures nothing")
	}
	return nil
}

// servicesEnv, set in a child process of BenchmarkServices10kVs1k, is the
// number of services the child fixes.
const servicesEnv = "COMPOSEFIX_BENCH_SERVICES"

// TestMain runs a child of BenchmarkServices10kVs1k when servicesEnv is
// set, and the package's tests and benchmarks otherwise.
func TestMain(m *testing.M) {
	if n := os.Getenv(servicesEnv); n != "" {
		os.Exit(servicesChild(n, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// servicesRun is what a child measured of its one fixOne: times, the bytes
// it allocated and the collections it ran.
type servicesRun struct {
	Wall, CPU time.Duration // CPU: user + system of the process, collector threads included
	Alloc     uint64        // bytes
	GCs       uint32
	MaxRSS    int64 `json:"-"` // bytes, of the whole child (the kernel's peak resident set), from the parent
}

// servicesChild is a child process of BenchmarkServices10kVs1k: it sets
// the collector as the CLI does (internal/gctune, unless GOGC or
// GOMEMLIMIT is set, as in the CLI), builds the file of n services, fixes
// it once and writes what it measured as JSON. A fresh process per run
// is what a user's run is: an empty heap, memory that faults in as it is
// first touched, and the CLI's collector settings, none of which an
// earlier run in the same process would leave alone (the 10,000-service
// run leaves a large heap behind, whose pages the next run reuses).
func servicesChild(n string, out, errOut io.Writer) int {
	if os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		gctune.ShortRun()
	}
	services, err := strconv.Atoi(n)
	if err != nil {
		fmt.Fprintln(errOut, err)
		return 2
	}
	cfg, err := knowledgeConfig()
	if err != nil {
		fmt.Fprintln(errOut, err)
		return 2
	}
	src, opts := generated(services), benchOptions(cfg)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	t0, c0 := time.Now(), cpuTime()
	err = fixOne(src, opts)
	r := servicesRun{Wall: time.Since(t0), CPU: cpuTime() - c0}
	runtime.ReadMemStats(&after)
	if err != nil {
		fmt.Fprintln(errOut, err)
		return 1
	}
	r.Alloc, r.GCs = after.TotalAlloc-before.TotalAlloc, after.NumGC-before.NumGC
	if err := json.NewEncoder(out).Encode(r); err != nil {
		fmt.Fprintln(errOut, err)
		return 2
	}
	return 0
}

// runServices fixes the file of n services in a child process (this test
// binary, see TestMain) and returns what it measured.
func runServices(b *testing.B, n int) servicesRun {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")
	cmd.Env = append(os.Environ(), servicesEnv+"="+strconv.Itoa(n))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("child fixing %d services: %v\n%s", n, err, stderr.Bytes())
	}
	var r servicesRun
	if err := json.Unmarshal(out, &r); err != nil {
		b.Fatalf("child fixing %d services wrote %q: %v", n, out, err)
	}
	r.MaxRSS = maxRSS(cmd.ProcessState)
	return r
}

// BenchmarkServices10kVs1k times one file of 10,000 services against the
// same file with 1,000 and reports the ratio (target: at most 12, linear
// would be 10), of wall time (x-10k-vs-1k) and of CPU time
// (cpu-x-10k-vs-1k, steadier on a busy machine).
//
// Each run is a process of its own with the CLI's collector settings (see
// servicesChild), timed around the work alone: load, fix with every rule
// (each pass verified) and the diff; the process's start, the knowledge
// bases and building the file are not counted, so the ratio is the
// pipeline's and not diluted by fixed costs. Runs alternate, 1,000
// services before and after each 10,000-service run, three rounds an
// iteration, and the ratios are of the medians: a burst of other work on
// the machine moves one sample, not the figure. The allocations are
// reported per size (alloc-MB-*, gc-cycles-*; -benchmem's B/op counts
// this process, which only waits), with the peak resident set of the
// 10,000-service child. BenchmarkServices10k is the same work
// in this process, for profiles.
func BenchmarkServices10kVs1k(b *testing.B) {
	const rounds = 3
	var small, large []servicesRun
	for b.Loop() {
		for range rounds {
			small = append(small, runServices(b, 1000))
			large = append(large, runServices(b, 10000))
			small = append(small, runServices(b, 1000))
		}
	}
	wall := func(r servicesRun) float64 { return float64(r.Wall) }
	cpu := func(r servicesRun) float64 { return float64(r.CPU) }
	alloc := func(r servicesRun) float64 { return float64(r.Alloc) }
	gcs := func(r servicesRun) float64 { return float64(r.GCs) }
	ws, wl := median(small, wall), median(large, wall)
	b.ReportMetric(wl/ws, "x-10k-vs-1k")
	b.ReportMetric(ws/1e6, "ms-1k")
	b.ReportMetric(wl/1e6, "ms-10k")
	if cs, cl := median(small, cpu), median(large, cpu); cs > 0 {
		b.ReportMetric(cl/cs, "cpu-x-10k-vs-1k")
		b.ReportMetric(cs/1e6, "cpu-ms-1k")
		b.ReportMetric(cl/1e6, "cpu-ms-10k")
	}
	b.ReportMetric(median(small, alloc)/(1<<20), "alloc-MB-1k")
	b.ReportMetric(median(large, alloc)/(1<<20), "alloc-MB-10k")
	b.ReportMetric(median(small, gcs), "gc-cycles-1k")
	b.ReportMetric(median(large, gcs), "gc-cycles-10k")
	if rss := median(large, func(r servicesRun) float64 { return float64(r.MaxRSS) }); rss > 0 {
		b.ReportMetric(rss/(1<<20), "peak-RSS-MB-10k")
	}
}

// median is the median of f over runs (the mean of the middle two of an
// even number).
func median(runs []servicesRun, f func(servicesRun) float64) float64 {
	v := make([]float64, len(runs))
	for i, r := range runs {
		v[i] = f(r)
	}
	slices.Sort(v)
	if len(v) == 0 {
		return 0
	}
	if len(v)%2 == 0 {
		return (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	return v[len(v)/2]
}

// BenchmarkServices10k fixes the 10,000-service file in this process, with
// go test's collector settings rather than the CLI's: it is there for
// -cpuprofile and -memprofile (and -benchmem), which do not see the child
// processes of BenchmarkServices10kVs1k.
func BenchmarkServices10k(b *testing.B) {
	src, opts := generated(10000), benchOptions(fullConfig(b))
	for b.Loop() {
		if err := fixOne(src, opts); err != nil {
			b.Fatal(err)
		}
	}
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

// BenchmarkWrite5kOneDirectory runs --write over 5,000 three-line files in
// one directory (offline) and reports the run's time. Each write's
// directory was read for stale temporary files, which made the run
// quadratic in the files of a directory; it is now read once per run
// (tempSweep). The files are restored between runs, untimed.
func BenchmarkWrite5kOneDirectory(b *testing.B) {
	const n = 5000
	dir := b.TempDir()
	src := func(i int) []byte { return fmt.Appendf(nil, "services:\n  web%d:\n    image: nginx:1.27.3\n", i) }
	restore := func() {
		for i := range n {
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("compose.%05d.yaml", i)), src(i), 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
	o := Options{Paths: []string{dir}, Rules: fixers.Rules(), Fixers: fullConfig(b), Write: true,
		Registry: []registry.Option{registry.WithOffline(true), registry.WithCacheDir(b.TempDir())}}
	for b.Loop() {
		b.StopTimer()
		restore()
		b.StartTimer()
		r := Run(context.Background(), o, nil)
		if r.Failed() || r.Summary.Changed != n {
			b.Fatalf("run: %d of %d files changed, failed %v", r.Summary.Changed, n, r.Failed())
		}
	}
}
