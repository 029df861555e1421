//go:build linux

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The whole-process targets of issue 14, each reported as a ratio measured
// in one run (`task bench`): the binary is built once, then timed against
// an empty Go program built the same way, and its peak RSS read from the
// kernel (getrusage of the child).

// BenchmarkProcess times the built binary: startup (--version and a
// 3-line file, against an empty program; targets 2x and 3x), 10,000
// generated files (peak RSS; target 200 MB, flat in the number of files:
// against 1,000 of the same files),
// and one file of just under the 8 MiB limit (target 30 s and 1 GB).
func BenchmarkProcess(b *testing.B) {
	dir := b.TempDir()
	bin, empty := filepath.Join(dir, "composefix"), filepath.Join(dir, "empty")
	goBuild(b, ".", bin)
	emptySrc := filepath.Join(dir, "emptysrc")
	writeBench(b, filepath.Join(emptySrc, "go.mod"), "module empty\n\ngo 1.22\n")
	writeBench(b, filepath.Join(emptySrc, "main.go"), "package main\n\nfunc main() {}\n")
	goBuild(b, emptySrc, empty)
	cache := filepath.Join(dir, "cache")

	b.Run("startup", func(b *testing.B) { benchStartup(b, bin, empty, "", cache) })

	// The same, both programs built as the release is (.goreleaser.yaml,
	// task build): static, without urfave/cli's documentation generator.
	// A plain go build links the C library's dynamic loader in (the
	// standard library's cgo resolver), which the static empty program
	// does not pay.
	b.Run("startup-release", func(b *testing.B) {
		relBin, relEmpty := filepath.Join(dir, "composefix-release"), filepath.Join(dir, "empty-release")
		goBuild(b, ".", relBin, "-tags", noDocsTag)
		goBuild(b, emptySrc, relEmpty, "-tags", noDocsTag)
		relLibs := filepath.Join(dir, "libraries-release")
		goBuild(b, librariesProgram(b, filepath.Join(dir, "libsrc")), relLibs, "-tags", noDocsTag)
		benchStartup(b, relBin, relEmpty, relLibs, cache)
	})

	b.Run("10k-files", func(b *testing.B) {
		// The same files, 1,000 and 10,000 of them: flat memory is a
		// ratio near 1.
		small, large := b.TempDir(), b.TempDir()
		for i := range 10000 {
			src := string(generatedFile(3, i))
			writeBench(b, filepath.Join(large, fmt.Sprintf("compose.%05d.yaml", i)), src)
			if i < 1000 {
				writeBench(b, filepath.Join(small, fmt.Sprintf("compose.%05d.yaml", i)), src)
			}
		}
		var r, r1k benchRun
		for b.Loop() {
			r1k = runBench(b, small, bin, "--offline", "--cache-dir", cache, ".")
			r = runBench(b, large, bin, "--offline", "--cache-dir", cache, ".")
		}
		b.ReportMetric(float64(r.maxRSS)/(1<<20), "peak-RSS-MB")
		b.ReportMetric(float64(r.maxRSS)/(200<<20), "peak-RSS-x-target")
		b.ReportMetric(float64(r1k.maxRSS)/(1<<20), "peak-RSS-MB-1k")
		b.ReportMetric(float64(r.maxRSS)/float64(max(r1k.maxRSS, 1)), "RSS-10k-x-1k")
		b.ReportMetric(r.cpu.Seconds(), "cpu-s")
	})

	b.Run("8MiB-file", func(b *testing.B) {
		work := b.TempDir()
		n := 1000
		for len(generatedFile(n, 0)) < 8<<20-4096 {
			n *= 2
		}
		lo, hi := n/2, n // largest n under the limit
		for lo+1 < hi {
			if mid := (lo + hi) / 2; len(generatedFile(mid, 0)) < 8<<20-4096 {
				lo = mid
			} else {
				hi = mid
			}
		}
		writeBench(b, filepath.Join(work, "compose.yaml"), string(generatedFile(lo, 0)))
		var r, j benchRun
		for b.Loop() {
			r = runBench(b, work, bin, "--offline", "--cache-dir", cache, "compose.yaml")
			// The JSON report of its 902,582 findings (825 MB) was built
			// whole in memory: 2.7 GB at the peak.
			j = runBench(b, work, bin, "--offline", "--cache-dir", cache, "--format", "json", "compose.yaml")
		}
		b.ReportMetric(float64(lo), "services")
		b.ReportMetric(r.wall.Seconds(), "s")
		b.ReportMetric(r.wall.Seconds()/30, "time-x-target")
		b.ReportMetric(r.cpu.Seconds(), "cpu-s")
		b.ReportMetric(float64(r.maxRSS)/(1<<20), "peak-RSS-MB")
		b.ReportMetric(float64(r.maxRSS)/(1<<30), "peak-RSS-x-target")
		b.ReportMetric(float64(j.maxRSS)/(1<<20), "json-peak-RSS-MB")
	})

	b.Run("parked-file", func(b *testing.B) {
		// 20,000 services: 180,000 findings, a file whose findings are
		// parked (fixers.parkAt) and whose input's tree is let go during
		// verification, in each output format. Its JSON report peaked
		// above its run: 750-1,000 MB against 230-280 MB for the diff.
		work := b.TempDir()
		writeBench(b, filepath.Join(work, "compose.yaml"), string(generatedFile(20000, 0)))
		formats := []string{"text", "json", "sarif"}
		runs := make([]benchRun, len(formats))
		for b.Loop() {
			for i, f := range formats {
				runs[i] = runBench(b, work, bin, "--offline", "--cache-dir", cache, "--format", f, "compose.yaml")
			}
		}
		for i, f := range formats {
			b.ReportMetric(float64(runs[i].maxRSS)/(1<<20), f+"-peak-RSS-MB")
			b.ReportMetric(runs[i].cpu.Seconds(), f+"-cpu-s")
		}
	})
}

// benchStartup reports --version and a 3-line file run by bin against the
// empty program, as ratios of wall and of CPU time; with libs (see
// librariesProgram), also that program's ratio: the part of the targets
// that the libraries' initialisation takes before composefix's own code
// runs.
func benchStartup(b *testing.B, bin, empty, libs, cache string) {
	work := b.TempDir()
	small := filepath.Join(work, "compose.yaml")
	writeBench(b, small, "services:\n  web:\n    image: nginx:1.27.3\n")
	var e, l, v, f benchRun
	add := func(sum *benchRun, r benchRun) { sum.wall += r.wall; sum.cpu += r.cpu }
	for b.Loop() {
		add(&e, runBench(b, work, empty))
		if libs != "" {
			add(&l, runBench(b, work, libs))
		}
		add(&v, runBench(b, work, bin, "--version"))
		add(&f, runBench(b, work, bin, "--offline", "--cache-dir", cache, small))
	}
	b.ReportMetric(float64(v.wall)/float64(e.wall), "version-x-empty")
	b.ReportMetric(float64(f.wall)/float64(e.wall), "3-line-file-x-empty")
	b.ReportMetric(float64(v.cpu)/float64(max(e.cpu, 1)), "version-cpu-x-empty")
	b.ReportMetric(float64(f.cpu)/float64(max(e.cpu, 1)), "3-line-file-cpu-x-empty")
	b.ReportMetric(float64(e.wall.Microseconds())/float64(b.N)/1000, "ms-empty")
	if libs != "" {
		b.ReportMetric(float64(l.wall)/float64(e.wall), "libraries-x-empty")
		b.ReportMetric(float64(l.cpu)/float64(max(e.cpu, 1)), "libraries-cpu-x-empty")
	}
}

// librariesProgram writes, in dir, a program that imports every
// third-party package composefix links (go list -deps, the release's
// tags) and does nothing: what their initialisation costs a process,
// which no change to composefix's own code can take off (issue 14:
// startup). It returns dir.
func librariesProgram(b *testing.B, dir string) string {
	b.Helper()
	out, err := exec.Command("go", "list", "-deps", "-tags", noDocsTag, ".").Output()
	if err != nil {
		b.Fatalf("go list -deps: %v", err)
	}
	mod, err := os.ReadFile("../../go.mod")
	if err != nil {
		b.Fatal(err)
	}
	self, _, _ := strings.Cut(strings.TrimPrefix(string(mod), "module "), "\n")
	var src strings.Builder
	src.WriteString("package main\n\nimport (\n")
	for _, p := range strings.Fields(string(out)) {
		first, _, _ := strings.Cut(p, "/")
		// Standard packages have no dot in their first element, and an
		// internal package cannot be imported from outside its module.
		if !strings.Contains(first, ".") || strings.HasPrefix(p, self+"/") || strings.Contains(p, "/internal") {
			continue
		}
		fmt.Fprintf(&src, "\t_ %q\n", p)
	}
	src.WriteString(")\n\nfunc main() {}\n")
	writeBench(b, filepath.Join(dir, "main.go"), src.String())
	writeBench(b, filepath.Join(dir, "go.mod"), strings.Replace(string(mod), "module "+self, "module libraries", 1))
	sum, err := os.ReadFile("../../go.sum")
	if err != nil {
		b.Fatal(err)
	}
	writeBench(b, filepath.Join(dir, "go.sum"), string(sum))
	return dir
}

// generatedFile is a compose file of n small services that most rules fix
// (floating tag, published port, dependency); seed varies the names.
func generatedFile(n, seed int) []byte {
	var sb strings.Builder
	sb.WriteString("services:\n")
	for i := range n {
		fmt.Fprintf(&sb, "  s%d-%d:\n    image: redis:7\n    ports: [\"%d:6379\"]\n", seed, i, 1024+i%60000)
		if i > 0 {
			fmt.Fprintf(&sb, "    depends_on: [s%d-%d]\n", seed, i-1)
		}
	}
	return []byte(sb.String())
}

type benchRun struct {
	wall, cpu time.Duration // cpu: user + system, steadier than wall on a busy machine
	maxRSS    int64         // bytes
}

// runBench runs a program to completion in dir and returns its wall time
// and peak resident set. Exit status 1 (something to change) is expected.
func runBench(b *testing.B, dir, bin string, args ...string) benchRun {
	b.Helper()
	return runBenchExit(b, 1, dir, bin, args...)
}

// runBenchExit is runBench accepting exit statuses up to maxExit.
func runBenchExit(b *testing.B, maxExit int, dir, bin string, args ...string) benchRun {
	b.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "CI=true")
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if ee, ok := err.(*exec.ExitError); err != nil && (!ok || ee.ExitCode() > maxExit) {
		b.Fatalf("%s %s: %v", bin, strings.Join(args, " "), err)
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	r := benchRun{wall: wall}
	if ru != nil {
		r.maxRSS = ru.Maxrss << 10 // kilobytes on Linux
		r.cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	return r
}

// goBuild builds the main package in dir; a build with flags (the
// release's tags) is also static, as the release is.
func goBuild(b *testing.B, dir, out string, flags ...string) {
	b.Helper()
	cmd := exec.Command("go", append(append([]string{"build", "-trimpath"}, flags...), "-o", out, ".")...)
	cmd.Dir = dir
	if len(flags) > 0 {
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	}
	if msg, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build %s: %v\n%s", dir, err, msg)
	}
}

func writeBench(b *testing.B, path, data string) {
	b.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		b.Fatal(err)
	}
}
