package pipeline_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/fixers"
	"github.com/composefix/composefix/internal/golden"
	"github.com/composefix/composefix/internal/regtest"
	"github.com/composefix/composefix/pipeline"
	"github.com/composefix/composefix/registry"
	"github.com/google/go-cmp/cmp"
)

// fuzzTokens are inserted or substituted by the mutations: YAML indicators,
// values that look like other types, and shapes the rules care about.
var fuzzTokens = []string{
	"- ", ": ", "&a ", "*a", "<<: *a", "{", "}", "[", "]", "'", `"`, "# c", "---", "...",
	"\t", "~", "|", ">-", "? ", "!!str ", "${X:-1}", "$$", "\\", "é", "\ufeff", "\r",
	"restart: always", "logging: {driver: none}", "healthcheck:", "depends_on: [db]",
	"image: redis", "image: redis:7", "ports: [\"80:80\"]", "version: \"3\"", "x-a: &a {b: 1}",
	"# composefix:ignore", "deploy: {}", "  ", "null", "true", "0x1F", "services:",
}

// mutate applies the program's mutations to src: line deletions,
// duplications and swaps, indentation changes, token insertions and
// substitutions, truncation, and changes of encoding and line ending. Each
// mutation takes three bytes of the program (operation, where, what).
func mutate(src []byte, program []byte) []byte {
	for len(program) >= 3 {
		op, at, what := program[0], int(program[1]), int(program[2])
		program = program[3:]
		lines := bytes.SplitAfter(src, []byte("\n"))
		i := 0
		if len(lines) > 0 {
			i = (at * 7) % len(lines) // spread small numbers over the file
		}
		tok := []byte(fuzzTokens[what%len(fuzzTokens)])
		switch op % 12 {
		case 0: // delete a line
			lines = append(lines[:i], lines[i+1:]...)
		case 1: // duplicate a line
			lines = append(lines[:i+1], lines[i:]...)
		case 2: // swap two lines
			if i+1 < len(lines) {
				lines[i], lines[i+1] = lines[i+1], lines[i]
			}
		case 3: // indent a line
			lines[i] = append(bytes.Repeat([]byte(" "), what%5+1), lines[i]...)
		case 4: // dedent a line
			lines[i] = bytes.TrimPrefix(lines[i], bytes.Repeat([]byte(" "), what%5+1))
		case 5: // insert a token into a line
			l := lines[i]
			p := 0
			if len(l) > 0 {
				p = (what * 13) % len(l)
			}
			lines[i] = append(append(append([]byte(nil), l[:p]...), tok...), l[p:]...)
		case 6: // replace a line's value with a token
			if k := bytes.Index(lines[i], []byte(": ")); k >= 0 {
				lines[i] = append(append(append([]byte(nil), lines[i][:k+2]...), tok...), '\n')
			}
		case 7: // truncate
			if len(src) > 0 {
				src = src[:(at*what)%len(src)]
				continue
			}
		case 8: // CRLF line endings
			src = bytes.ReplaceAll(src, []byte("\n"), []byte("\r\n"))
			continue
		case 9: // a byte-order mark
			src = append([]byte("\ufeff"), src...)
			continue
		case 10: // double the indentation
			for j, l := range lines {
				t := bytes.TrimLeft(l, " ")
				lines[j] = append(bytes.Repeat([]byte(" "), 2*(len(l)-len(t))), t...)
			}
		case 11: // another encoding: UTF-16 or Latin-1
			if what%2 == 0 {
				var b []byte
				for _, u := range utf16.Encode([]rune(string(src))) {
					b = append(b, byte(u), byte(u>>8))
				}
				src = b
			} else {
				src = bytes.ReplaceAll(src, []byte("é"), []byte{0xe9})
			}
			continue
		}
		src = bytes.Join(lines, nil)
	}
	return src
}

// FuzzPipeline mutates corpus files and runs the whole pipeline over them
// with --write, against an in-process registry: it must not panic, must write nothing when it
// reports an error, must find nothing left to change on a second run, and
// its output must load with compose-go wherever the input did.
// FuzzLargePath compares the large-file path with the usual one on the
// same inputs, apart: its four more runs an input would cut this target's
// executions per CPU-second seven to ten times.
func FuzzPipeline(f *testing.F) {
	fuzzPipelineWith(f, func(t *testing.T, src []byte, o pipeline.Options) {
		pipelineHolds(t, src, o)
	})
}

// FuzzLargePath mutates corpus files as FuzzPipeline does and checks that
// dry runs from stdin and from the file give the same product down the
// large-file path (findings parked, the input's tree let go: only files of
// 150,000 findings take it by themselves; Options.LargeFrom forces it) as
// the usual way.
func FuzzLargePath(f *testing.F) {
	fuzzPipelineWith(f, func(t *testing.T, src []byte, o pipeline.Options) {
		large, dry := o, o
		large.Write, dry.Write = false, false
		large.LargeFrom = 1
		if want, got := stdinProduct(t, dry, src), stdinProduct(t, large, src); want != got {
			t.Fatalf("from stdin down the large path, the product differs (-usual +large):\n%s", cmp.Diff(want, got))
		}
		want, _ := runProduct(t, dry)
		if got, _ := runProduct(t, large); want != got {
			t.Fatalf("down the large path, the product differs (-usual +large):\n%s", cmp.Diff(want, got))
		}
	})
}

// fuzzPipelineWith seeds f with the corpus files (without the corpus, only
// the committed inputs under testdata/fuzz run) and calls check with each
// mutated input, written to a compose.yaml of its own, and the options of
// a --write run over that file against an in-process registry.
func fuzzPipelineWith(f *testing.F, check func(t *testing.T, src []byte, o pipeline.Options)) {
	files := golden.CorpusIfPresent(f)
	for i, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src, []byte{})
		f.Add(src, []byte{byte(i % 12), byte(i), byte(i * 3), 5, byte(i + 1), 7})
	}
	knowledge, err := fixers.LoadKnowledge()
	if err != nil {
		f.Fatal(err)
	}
	reg := append(testRegistry(f), registry.WithCacheDir(f.TempDir()))
	f.Fuzz(func(t *testing.T, src, program []byte) {
		if len(src) > 64<<10 || len(program) > 30 {
			return
		}
		src = mutate(src, program)
		path := filepath.Join(t.TempDir(), "compose.yaml")
		if err := os.WriteFile(path, src, 0o644); err != nil {
			t.Fatal(err)
		}
		cfg := fixers.DefaultConfig()
		cfg.Knowledge = knowledge
		check(t, src, pipeline.Options{
			Paths:       []string{path},
			Write:       true,
			Rules:       fixers.Rules(),
			Fixers:      cfg,
			UnsafeFixes: program != nil && len(program)%2 == 1,
			Registry:    reg,
		})
	})
}

// pipelineHolds runs o, a --write run over the one file holding src, from
// stdin and from the file, twice, and checks FuzzPipeline's promises.
func pipelineHolds(t *testing.T, src []byte, o pipeline.Options) {
	path := o.Paths[0]
	// Standard input first, while the file is as read: the fixed
	// document, or on any error the input unchanged.
	var stdout bytes.Buffer
	in, regErr, err := pipeline.Stdin(context.Background(), o, bytes.NewReader(src), &stdout)
	if err != nil {
		t.Fatal(err)
	}
	if (in.Err != nil || regErr != nil) && !bytes.Equal(stdout.Bytes(), src) {
		t.Fatalf("stdin failed (%v, %v) but stdout is not the input", in.Err, regErr)
	}
	var first pipeline.File
	pipeline.Run(context.Background(), o, func(r *pipeline.File) { first = *r })
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if in.Err == nil && regErr == nil && first.Err == nil && !bytes.Equal(stdout.Bytes(), got) {
		t.Fatalf("stdin gave\n%s\nbut the file run wrote\n%s", stdout.Bytes(), got)
	}
	// Every position names a line of the file as read.
	lines := bytes.Count(src, []byte("\n")) + 1
	var pe *compose.PosError
	if errors.As(first.Err, &pe) && pe.Path == path && pe.Line > lines {
		t.Fatalf("error at line %d of a %d-line file: %v", pe.Line, lines, first.Err)
	}
	for _, fd := range first.Findings {
		if fd.Path == path && fd.Pos.Line > lines {
			t.Fatalf("finding at line %d of a %d-line file: %s", fd.Pos.Line, lines, fd.Message)
		}
	}
	if first.Err != nil {
		if !bytes.Equal(got, src) {
			t.Fatalf("the run failed (%v) but the file changed", first.Err)
		}
		return
	}
	if !bytes.Equal(got, first.Output) {
		t.Fatalf("the file holds %q, want the output %q", got, first.Output)
	}
	var second pipeline.File
	pipeline.Run(context.Background(), o, func(r *pipeline.File) { second = *r })
	if second.Err != nil {
		t.Fatalf("the second run failed: %v\ninput:\n%s\noutput:\n%s", second.Err, src, got)
	}
	if second.Changed() {
		t.Fatalf("the second run changed the output again:\n%s\nto:\n%s", got, second.Output)
	}
	// An unsafe fix may make a variable required (CF501): it has a
	// value in both loads, as a deployment that sets it has.
	required := types.Mapping{}
	for _, m := range requiredRE.FindAllStringSubmatch(string(got), -1) {
		required[m[1]] = "placeholder"
	}
	for _, ones := range []bool{false, true} {
		if composeGoLoads(path, src, required, ones) == nil {
			if err := composeGoLoads(path, got, required, ones); err != nil {
				t.Fatalf("compose-go loads the input but not the output: %v\ninput:\n%s\noutput:\n%s", err, src, got)
			}
		}
	}
}

// testRegistry serves some of the corpus's images in process, so that
// pins are made too; the others are missing (404), which is a finding. It
// returns the registry options that reach it, without a cache directory.
func testRegistry(tb testing.TB) []registry.Option {
	host := regtest.InProcess(tb, nil)
	regtest.Push(tb, host, nil, []regtest.Family{
		{Repo: "library/redis", Tags: []string{"7", "7.2", "7.2.4", "7-alpine", "7.2.4-alpine", "alpine", "latest"}},
		{Repo: "library/redis", Tags: []string{"6-alpine", "6.2.14-alpine"}},
		{Repo: "library/postgres", Tags: []string{"16", "16.2", "16-alpine", "16.2-alpine", "latest"}, Index: true},
		{Repo: "library/postgres", Tags: []string{"15-alpine", "15.6-alpine"}},
		{Repo: "library/nginx", Tags: []string{"1.25.4-alpine", "1.27", "1.27.3", "latest", "alpine"}},
		{Repo: "minio/minio", Tags: []string{"latest", "RELEASE.2020-07-22T00-26-33Z"}},
	})
	reg := []registry.Option{
		registry.WithRetries(0),
		registry.WithRequestTimeout(5 * time.Second),
		registry.WithTotalTimeout(20 * time.Second),
	}
	for _, h := range []string{"docker.io", "ghcr.io", "quay.io", "mcr.microsoft.com", "gcr.io"} {
		reg = append(reg, registry.WithMirror(h, "http://"+host))
	}
	return reg
}

// requiredRE matches a required variable: ${NAME:?message} or ${NAME?message}.
var requiredRE = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*):?\?`)

// composeGoLoads loads src with the compose-spec reference loader, without
// reading other files. Variables in env have its values; the others are
// unset, or with ones "1".
func composeGoLoads(path string, src []byte, env types.Mapping, ones bool) error {
	details := types.ConfigDetails{
		WorkingDir:  filepath.Dir(path),
		ConfigFiles: []types.ConfigFile{{Filename: path, Content: src}},
		Environment: types.Mapping{},
	}
	_, err := loader.LoadWithContext(context.Background(), details, func(o *loader.Options) {
		o.SetProjectName("fuzz", true)
		o.SkipResolveEnvironment = true
		o.SkipResolveLabels = true
		o.SkipInclude = true
		o.SkipExtends = true
		o.ResolvePaths = false
		o.Interpolate.LookupValue = func(name string) (string, bool) {
			if v, ok := env[name]; ok {
				return v, true
			}
			return "1", ones
		}
	})
	return err
}
