package composeschema

import (
	"os"
	"testing"

	"github.com/composefix/composefix/internal/golden"
	"go.yaml.in/yaml/v3"
)

// BenchmarkCheckCorpus checks every corpus file once per iteration; all are
// valid, so this is the cost every run pays per file (compose-go's
// validation).
func BenchmarkCheckCorpus(b *testing.B) {
	var roots []*yaml.Node
	for _, p := range golden.CorpusFiles(b) {
		src, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		var n yaml.Node
		if yaml.Unmarshal(src, &n) == nil {
			roots = append(roots, &n)
		}
	}
	s := &Schema{}
	b.ResetTimer()
	for b.Loop() {
		for _, r := range roots {
			if _, err := s.Check(r); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(roots)), "µs/file")
}
