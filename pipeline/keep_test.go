package pipeline

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/composefix/composefix/fixers"
	"github.com/composefix/composefix/internal/golden"
	"github.com/composefix/composefix/registry"
)

// TestKeptDocumentsFixAsReread: the first pass keeps the documents of a
// run's first files within a budget and the rest are read again; a file
// must be fixed the same either way. Over the corpus, a run keeping none,
// one keeping about half and one keeping all must emit the same outputs,
// errors and findings, and the half budget must really split the files.
func TestKeptDocumentsFixAsReread(t *testing.T) {
	files := golden.CorpusFiles(t)
	cfg := fullConfig(t)
	options := func(budget int) Options {
		return Options{
			Paths: files, Rules: fixers.Rules(), Fixers: cfg, keepBudget: budget,
			Registry: []registry.Option{registry.WithOffline(true), registry.WithCacheDir(t.TempDir())},
		}
	}
	total := 0
	for _, f := range files {
		total += keepCost(mustRead(t, f))
	}
	half := total / 2

	o := options(half)
	o.dirs = projectDirs(&o, files)
	kept := 0
	for _, in := range scanAll(context.Background(), &o, files, newRefCollector(&o)) {
		if in.doc != nil {
			kept++
		}
	}
	if kept == 0 || kept == len(files) {
		t.Fatalf("a budget of half the corpus kept %d of %d documents, want some but not all", kept, len(files))
	}

	summary := func(budget int) []string {
		var out []string
		Run(context.Background(), options(budget), func(f *File) {
			out = append(out, fmt.Sprintf("%s err=%v findings=%d\n%s", f.Path, f.Err, len(f.Findings), f.Output))
		})
		return out
	}
	none, want := summary(-1), summary(2*total)
	if len(want) != len(files) {
		t.Fatalf("emitted %d files, want %d", len(want), len(files))
	}
	for name, got := range map[string][]string{"none kept": none, "half kept": summary(half)} {
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%s: %s differs from the run that kept every document", name, files[i])
			}
		}
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
