package pipeline

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/fixers"
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
	k, err := fixers.LoadKnowledge()
	if err != nil {
		b.Fatal(err)
	}
	cfg := fixers.DefaultConfig()
	cfg.Knowledge = k
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
	var ts, tl time.Duration
	for b.Loop() {
		t0 := time.Now()
		fixOne(b, small, opts)
		t1 := time.Now()
		fixOne(b, large, opts)
		ts += t1.Sub(t0)
		tl += time.Since(t1)
	}
	b.ReportMetric(float64(tl)/float64(ts), "x-10k-vs-1k")
	b.ReportMetric(float64(ts.Milliseconds())/float64(b.N), "ms-1k")
	b.ReportMetric(float64(tl.Milliseconds())/float64(b.N), "ms-10k")
}

