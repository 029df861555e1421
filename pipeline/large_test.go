package pipeline_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/fixers"
	"github.com/composefix/composefix/internal/golden"
	"github.com/composefix/composefix/pipeline"
	"github.com/composefix/composefix/registry"
	"github.com/composefix/composefix/report"
)

// A file of at least 150,000 findings, alone in its project, takes the
// large-file path: its findings are parked while it is verified, and the
// input's tree is let go meanwhile and not parsed again (the pipeline
// reads no tree after the rules but through File.Document). Only the 8 MiB
// benchmark file gets there by itself; Options.LargeFrom takes small files
// down that path, and everything the run hands over must be the same.

// largeCase is a file fixed both ways.
type largeCase struct {
	name string
	src  []byte
	// passes, when not 0, is the fewest passes its fixes are to take.
	passes int
}

// generatedLarge are shapes the large path handles apart: services that
// extend others of the file, anchors and merge keys, a second document
// (refused), and fixes that need a second pass.
var generatedLarge = []largeCase{
	{name: "extends in the same file", src: []byte(`services:
  base:
    image: redis:7
    restart: always
  web:
    extends: base
    ports: ["8080:80"]
  api:
    extends:
      service: base
    image: nginx:1.27
    depends_on: [web]
`)},
	{name: "anchors and merge keys", src: []byte(`x-common: &common
  restart: always
  logging:
    driver: json-file
services:
  web:
    <<: *common
    image: nginx:1.27
    ports:
      - "80:80"
  db:
    <<: *common
    image: postgres:16
    environment: &env
      POSTGRES_PASSWORD: example
  worker:
    image: redis:7
    environment: *env
`)},
	{name: "two documents", src: []byte("services:\n  web:\n    image: nginx:1.27\n---\nservices:\n  db:\n    image: redis:7\n")},
	{name: "a second pass", passes: 2, src: []byte(`services:
  web:
  db: ~
  cache: null
  worker: # comment after an empty service
  api: {}
  app:
    image: nginx:1.27
    ports: ["80:80"]
`)},
}

// largeCases are every corpus file and generatedLarge.
func largeCases(t *testing.T) []largeCase {
	cases := slices.Clone(generatedLarge)
	for _, path := range golden.CorpusIfPresent(t) {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, largeCase{name: filepath.Base(path), src: src})
	}
	return cases
}

// product is what a run hands over, rendered: the text format's diff and
// findings, the JSON report, whether it fails (exit 2), and each file's
// error.
type product struct {
	Stdout, Stderr, JSON string
	Failed               bool
}

// runProduct runs the pipeline and renders its product; files are the
// files it handed over.
func runProduct(t *testing.T, o pipeline.Options) (product, []*pipeline.File) {
	t.Helper()
	var out, errOut bytes.Buffer
	text := &pipeline.Text{Out: &out, Err: &errOut}
	var reports []report.File
	var files []*pipeline.File
	r := pipeline.Run(context.Background(), o, func(f *pipeline.File) {
		text.File(f)
		reports = append(reports, f.File)
		c := *f
		files = append(files, &c)
	})
	var js bytes.Buffer
	if err := report.JSON(&js, reports, r.Summary); err != nil {
		t.Fatal(err)
	}
	return product{Stdout: out.String(), Stderr: errOut.String(), JSON: js.String(), Failed: r.Failed()}, files
}

// stdinProduct runs the pipeline on src as standard input and renders what
// it hands over.
func stdinProduct(t *testing.T, o pipeline.Options, src []byte) product {
	t.Helper()
	var out bytes.Buffer
	res, regErr, err := pipeline.Stdin(context.Background(), o, bytes.NewReader(src), &out)
	var sum report.Summary
	sum.Add(&res)
	var js bytes.Buffer
	if err := report.JSON(&js, []report.File{res}, sum); err != nil {
		t.Fatal(err)
	}
	return product{Stdout: out.String(), Stderr: fmt.Sprintf("file: %v\nregistry: %v\nstdin: %v", res.Err, regErr, err), JSON: js.String(), Failed: res.Err != nil || regErr != nil || err != nil}
}

// TestLargePathGivesTheSameProduct fixes every corpus file and the
// generated shapes, each alone in its directory, the usual way and down
// the large-file path (Options.LargeFrom 1): the diff, the findings, the
// JSON report and the exit status must be the same, from files and from
// standard input. The large path must let the tree go exactly where it
// may, and File.Document must give it back whole.
func TestLargePathGivesTheSameProduct(t *testing.T) {
	knowledge, err := fixers.LoadKnowledge()
	if err != nil {
		t.Fatal(err)
	}
	cfg := fixers.DefaultConfig()
	cfg.Knowledge = knowledge
	reg := testRegistry(t)
	dropped, runs := 0, 0
	for _, tc := range largeCases(t) {
		for _, unsafe := range []bool{false, true} {
			name := fmt.Sprintf("%s/unsafe=%v", tc.name, unsafe)
			dir := t.TempDir()
			path := filepath.Join(dir, "compose.yaml")
			if err := os.WriteFile(path, tc.src, 0o644); err != nil {
				t.Fatal(err)
			}
			options := func(largeFrom int) pipeline.Options {
				return pipeline.Options{
					Paths: []string{path}, Rules: fixers.Rules(), Fixers: cfg, UnsafeFixes: unsafe, LargeFrom: largeFrom,
					// A cache of its own: the summary counts the requests.
					Registry: append(slices.Clip(reg), registry.WithCacheDir(t.TempDir())),
				}
			}
			want, _ := runProduct(t, options(0))
			got, files := runProduct(t, options(1))
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("%s: down the large path, the product differs (-usual +large):\n%s", name, d)
			}
			if want, got := stdinProduct(t, options(0), tc.src), stdinProduct(t, options(1), tc.src); !cmp.Equal(want, got) {
				t.Errorf("%s: from standard input down the large path, the product differs (-usual +large):\n%s", name, cmp.Diff(want, got))
			}
			if len(files) != 1 {
				t.Fatalf("%s: %d files handed over, want 1", name, len(files))
			}
			f := files[0]
			if mayDrop := mayDropTree(t, f, tc.src); f.TreeDropped() != mayDrop {
				t.Errorf("%s: the run left the input's tree gone: %v, want %v", name, f.TreeDropped(), mayDrop)
			}
			runs++
			if f.TreeDropped() {
				dropped++
			}
			if d := f.Document(); d != nil {
				if d.Root == nil || d.TreeDropped() {
					t.Fatalf("%s: File.Document gave no tree", name)
				}
				if err := compose.Verify(d, nil, tc.src); err != nil {
					t.Errorf("%s: File.Document's tree differs from the file: %v", name, err)
				}
			}
			if tc.passes > 0 {
				d, err := compose.Load(path, tc.src)
				if err != nil {
					t.Fatal(err)
				}
				res, err := fixers.Run(d, fixers.Options{Rules: fixers.Rules(), Config: cfg, UnsafeFixes: unsafe, LargeFrom: 1})
				if err != nil {
					t.Fatalf("%s: fixers.Run: %v", name, err)
				}
				if res.Passes < tc.passes {
					t.Errorf("%s: the fixes took %d passes, want at least %d: the case tests nothing", name, res.Passes, tc.passes)
				}
			}
		}
	}
	t.Logf("%d of %d runs down the large path let the input's tree go", dropped, runs)
	if dropped == 0 {
		t.Error("no run let the input's tree go: the large path's verification without it is not tested")
	}
}

// mayDropTree reports whether a file's run down the large path may let its
// tree go for good (fixers.dropsTree, and the output's schema check): it
// loads, fixes applied in its first pass, it names no file in extends:
// file:, and its input meets the schema (CF603 found nothing), so that the
// output's check needs no tree of it.
func mayDropTree(t *testing.T, f *pipeline.File, src []byte) bool {
	t.Helper()
	if f.Err != nil || !f.Changed() {
		return false
	}
	for _, fd := range f.Findings {
		if fd.RuleID == "CF603" {
			return false
		}
	}
	d, err := compose.Load(f.Path, src)
	if err != nil {
		t.Fatal(err)
	}
	return !slices.ContainsFunc(d.ReferenceNodes(), func(r compose.Reference) bool { return r.Extends })
}

// TestLargePathListsTheSameUpdates: update's list of the updates made
// reads the file's tree after its run (File.Document), which the large
// path let go: it must list the same updates as the usual path, in a dry
// run and in one that writes, and parse the file again only when there is
// an update to list.
func TestLargePathListsTheSameUpdates(t *testing.T) {
	const src = "x-db: &db\n  restart: always\nservices:\n  cache:\n    image: redis:7.2.1\n  db:\n    <<: *db\n    image: postgres:16.1\n"
	const old, next = "sha256:" + "1111111111111111111111111111111111111111111111111111111111111111", "sha256:" + "2222222222222222222222222222222222222222222222222222222222222222"
	knowledge, err := fixers.LoadKnowledge()
	if err != nil {
		t.Fatal(err)
	}
	cfg := fixers.DefaultConfig()
	cfg.Knowledge, cfg.Images.Update = knowledge, true
	for _, tc := range []struct {
		write bool
		newer []fixers.TagDigest // of each image
	}{
		{false, []fixers.TagDigest{{Tag: "7.2.4", Digest: next}}},
		{true, []fixers.TagDigest{{Tag: "7.2.4", Digest: next}}},
		{false, nil}, // nothing to update: nothing to list, and no tree read
	} {
		write := tc.write
		updates := func(largeFrom int) (list []pipeline.Update, dropped bool) {
			dir := t.TempDir()
			path := filepath.Join(dir, "compose.yaml")
			if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			o := pipeline.Options{
				Paths: []string{path}, WorkDir: dir, Write: write, Rules: fixers.Rules(), Fixers: cfg, LargeFrom: largeFrom,
				Reuse: fixers.Resolutions{
					"redis:7.2.1":   {Digest: old, Tag: "7.2.1", Newer: tc.newer},
					"postgres:16.1": {Digest: old, Tag: "16.1", Newer: tc.newer},
				},
			}
			_, files := runProduct(t, o)
			if len(files) != 1 || files[0].Err != nil {
				t.Fatalf("write=%v: the run handed over %d files (%v)", write, len(files), files)
			}
			return files[0].Updates, files[0].TreeDropped()
		}
		want, _ := updates(0)
		got, dropped := updates(1)
		if len(want) != 2*len(tc.newer) {
			t.Fatalf("write=%v: the usual path lists %d updates, want %d: %+v", write, len(want), 2*len(tc.newer), want)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("write=%v: down the large path, the updates differ (-usual +large):\n%s", write, d)
		}
		if dropped != (len(want) == 0) {
			t.Errorf("write=%v: after update listed %d updates, the tree is gone: %v; want it back only to list some", write, len(want), dropped)
		}
	}
}
