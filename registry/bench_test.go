package registry

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkResolve200 resolves 200 unique references named by 1,000
// requests (as from 1,000 compose files, in several spellings) against the
// in-process registry with 20 ms added to every request, 8 at a time, with
// no disk cache. It reports requests per unique reference and the wall time
// as a multiple of the ideal (requests × 20 ms / 8); the target is ≤ 1.5.
func BenchmarkResolve200(b *testing.B) {
	const (
		repos   = 50
		latency = 20 * time.Millisecond
		jobs    = 8
	)
	var slow atomic.Bool
	host := testRegistry(b, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if slow.Load() {
				time.Sleep(latency)
			}
			h.ServeHTTP(w, r)
		})
	})
	var fams []family
	for i := range repos {
		fams = append(fams, family{repo: fmt.Sprintf("team%02d/app", i), tags: []string{"1.4.2", "1.4", "1", "latest"}})
	}
	populate(b, host, fams)
	slow.Store(true)

	for _, precise := range []bool{false, true} {
		b.Run(map[bool]string{false: "digest", true: "precise"}[precise], func(b *testing.B) {
			var reqs []Request
			unique := map[string]bool{}
			for i := range 1000 {
				f := fams[i%repos]
				tag := f.tags[(i/repos)%len(f.tags)]
				spelling := []string{"", "docker.io/", "index.docker.io/", "registry-1.docker.io/", "docker.io/"}[(i/(repos*len(f.tags)))%5]
				ref := spelling + f.repo + ":" + tag
				reqs = append(reqs, Request{Ref: ref, Precise: precise})
				unique[f.repo+":"+tag] = true
			}
			if len(unique) != 200 {
				b.Fatalf("%d unique references, want 200", len(unique))
			}
			var total int
			var wall time.Duration
			for b.Loop() {
				r := newTestResolver(b, host, WithCacheDir(""), WithJobs(jobs), WithRequestTimeout(10*time.Second))
				start := time.Now()
				got := r.Resolve(context.Background(), reqs)
				wall += time.Since(start)
				for ref, res := range got {
					if res.Err != nil {
						b.Fatalf("Resolve(%q): %v", ref, res.Err)
					}
				}
				total += r.Stats().Total()
			}
			n := float64(b.N)
			perRun := float64(total) / n
			ideal := time.Duration(perRun * float64(latency) / jobs)
			b.ReportMetric(perRun/200, "requests/ref")
			b.ReportMetric(float64(wall)/n/float64(ideal), "x-ideal")
			b.ReportMetric(float64(wall.Milliseconds())/n, "wall-ms")
			b.ReportMetric(float64(ideal.Milliseconds()), "ideal-ms")
		})
	}
}
