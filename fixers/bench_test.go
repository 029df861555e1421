package fixers

import (
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/diff"
	"github.com/composefix/composefix/internal/golden"
	"go.yaml.in/yaml/v3"
)

// corpusBytes reads every corpus file once, outside the timed loop.
func corpusBytes(b *testing.B) (paths []string, srcs [][]byte) {
	b.Helper()
	paths = golden.CorpusFiles(b)
	for _, p := range paths {
		src, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		srcs = append(srcs, src)
	}
	return paths, srcs
}

// pipeline loads, analyses with every rule, applies and verifies the fixes,
// and renders the diff of every file from the fixes' regions: what a dry
// run does per file.
func pipeline(b *testing.B, paths []string, srcs [][]byte, opts Options) (outs [][]byte) {
	for i, src := range srcs {
		d, err := compose.Load(paths[i], src)
		if err != nil {
			b.Fatal(err)
		}
		res, err := Run(d, opts)
		if err != nil {
			b.Fatal(err)
		}
		// As pipeline.Diff does, with the documents' line starts.
		_ = diff.Edited(paths[i], src, res.Output, diffRegions(res.Regions), diff.WithLineStarts(d.LineStarts(), res.OutputLines))
		if res.Passes > 0 {
			outs = append(outs, res.Output)
		}
	}
	return outs
}

func decodeAll(b *testing.B, srcs [][]byte) {
	for _, src := range srcs {
		var n yaml.Node
		if err := yaml.Unmarshal(src, &n); err != nil {
			b.Fatal(err)
		}
	}
}

// benchRuleSets are the options the pipeline is measured with: the first
// rules (the engine's own cost) and every rule in the table, each with the
// knowledge bases decoded once, as the CLI does per run.
func benchRuleSets(b *testing.B) []struct {
	name string
	opts Options
} {
	first, err := Select(Rules(), []string{"CF201", "CF401", "CF601", "CF900"}, nil)
	if err != nil {
		b.Fatal(err)
	}
	cfg := DefaultConfig()
	if cfg.Knowledge, err = LoadKnowledge(); err != nil {
		b.Fatal(err)
	}
	return []struct {
		name string
		opts Options
	}{{"first-rules", Options{Rules: first, Config: cfg}}, {"all-rules", Options{Rules: Rules(), Config: cfg}}}
}

// BenchmarkPipelineCorpus is load + analyse + apply + verify + diff over
// the whole corpus per op.
func BenchmarkPipelineCorpus(b *testing.B) {
	paths, srcs := corpusBytes(b)
	for _, set := range benchRuleSets(b) {
		b.Run(set.name, func(b *testing.B) {
			opts := set.opts
			b.ReportAllocs()
			for range b.N {
				pipeline(b, paths, srcs, opts)
			}
		})
	}
}

// BenchmarkYAMLDecodeCorpus is a bare yaml.v3 decode of the same bytes, the
// floor the pipeline is compared with.
func BenchmarkYAMLDecodeCorpus(b *testing.B) {
	_, srcs := corpusBytes(b)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		decodeAll(b, srcs)
	}
}

// BenchmarkPipelineRatio reports the pipeline's time and allocations as
// multiples of the bare decode's (issue 14's target: time within 3x),
// timing both in each iteration (a nested testing.Benchmark would
// deadlock). It also reports parses-x-decode: decoding the inputs and,
// once more, the outputs of the files that changed, the two parses that
// verification needs (each pass's output is parsed again and compared
// with the intended tree), which the pipeline cannot go below.
func BenchmarkPipelineRatio(b *testing.B) {
	paths, srcs := corpusBytes(b)
	for _, set := range benchRuleSets(b) {
		b.Run(set.name, func(b *testing.B) {
			opts := set.opts
			outs := pipeline(b, paths, srcs, opts)
			var full, bare time.Duration
			var fullAllocs, bareAllocs uint64
			var m0, m1, m2 runtime.MemStats
			for range b.N {
				runtime.ReadMemStats(&m0)
				t0 := time.Now()
				pipeline(b, paths, srcs, opts)
				t1 := time.Now()
				runtime.ReadMemStats(&m1)
				decodeAll(b, srcs)
				t2 := time.Now()
				runtime.ReadMemStats(&m2)
				full += t1.Sub(t0)
				bare += t2.Sub(t1)
				fullAllocs += m1.Mallocs - m0.Mallocs
				bareAllocs += m2.Mallocs - m1.Mallocs
			}
			if bare == 0 || bareAllocs == 0 {
				b.Fatalf("bare decode measured nothing")
			}
			b.ReportMetric(float64(full)/float64(bare), "time-x-decode")
			b.ReportMetric(float64(fullAllocs)/float64(bareAllocs), "allocs-x-decode")
			// Apart from the loop above, whose ratio would move with
			// where the collector's work falls.
			var in, out time.Duration
			for range b.N {
				t0 := time.Now()
				decodeAll(b, srcs)
				t1 := time.Now()
				decodeAll(b, outs)
				in, out = in+t1.Sub(t0), out+time.Since(t1)
			}
			b.ReportMetric(float64(in+out)/float64(in), "parses-x-decode")
		})
	}
}

// BenchmarkAnalyzeCorpus is the first pass's analysis alone over the
// corpus, documents loaded outside the loop: with every rule, and with
// each rule on its own (what a rule costs with the shared derivations it
// makes itself), to tell which rule a change of the pipeline's figures
// comes from.
func BenchmarkAnalyzeCorpus(b *testing.B) {
	paths, srcs := corpusBytes(b)
	docs := make([]*compose.Document, len(srcs))
	for i, src := range srcs {
		var err error
		if docs[i], err = compose.Load(paths[i], src); err != nil {
			b.Fatal(err)
		}
	}
	all := benchRuleSets(b)[1].opts
	run := func(b *testing.B, opts Options) {
		b.ReportAllocs()
		for range b.N {
			for _, d := range docs {
				o := opts // a run's memos, as Run makes them
				o.schema, o.memo = &schemaMemo{}, newRunMemo()
				if _, err := analyze(d, o); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	b.Run("all-rules", func(b *testing.B) { run(b, all) })
	for _, r := range all.Rules {
		one := all
		one.Rules = []*Rule{r}
		b.Run(r.ID, func(b *testing.B) { run(b, one) })
	}
}
