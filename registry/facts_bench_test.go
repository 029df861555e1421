package registry

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/composefix/composefix/internal/regtest"
)

// byteCounter counts requests and response bytes.
type byteCounter struct {
	requests, bytes atomic.Int64
}

func (c *byteCounter) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.requests.Add(1)
		next.ServeHTTP(&countingWriter{ResponseWriter: w, n: &c.bytes}, r)
	})
}

type countingWriter struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (w *countingWriter) Write(p []byte) (int, error) {
	n, err := w.ResponseWriter.Write(p)
	w.n.Add(int64(n))
	return n, err
}

// BenchmarkFacts20 reads the facts of 20 images (10 two-platform indexes,
// 10 single images) on linux/amd64, cold (an empty cache each time) and
// warm. It reports the requests and response bytes of a run, and the
// requests beyond resolving the same references without facts.
func BenchmarkFacts20(b *testing.B) {
	bc := &byteCounter{}
	host := testRegistry(b, bc.wrap)
	var reqs, plain []Request
	for i := range 20 {
		cfg := v1.Config{User: strconv.Itoa(1000 + i), Env: []string{"PATH=/usr/bin:/bin"}, Labels: map[string]string{"org.opencontainers.image.version": "1.0." + strconv.Itoa(i)}}
		layer := regtest.Layer{Gzip: true, Files: []regtest.File{{Name: "bin/app" + strconv.Itoa(i), Size: 1024}}}
		amd := regtest.Image(b, regtest.ImageSpec{Layers: []regtest.Layer{layer}, Config: cfg})
		ref := fmt.Sprintf("team%02d/app:1.0.%d", i, i)
		if i%2 == 0 {
			arm := regtest.Image(b, regtest.ImageSpec{Architecture: "arm64", Layers: []regtest.Layer{layer}, Config: cfg})
			regtest.PushIndex(b, host, ref, regtest.Index(b, amd, arm))
		} else {
			regtest.PushImage(b, host, ref, amd)
		}
		reqs = append(reqs, Request{Ref: host + "/" + ref, Platforms: []string{"linux/amd64"}})
		plain = append(plain, Request{Ref: host + "/" + ref})
	}
	run := func(b *testing.B, cache string, rs []Request) (int64, int64) {
		bc.requests.Store(0)
		bc.bytes.Store(0)
		for ref, res := range newTestResolver(b, host, WithCacheDir(cache)).Resolve(context.Background(), rs) {
			if res.Err != nil || len(rs[0].Platforms) > 0 && res.Facts["linux/amd64"].User == "" {
				b.Fatalf("%s: %s %+v", ref, describe(res), res.Facts)
			}
		}
		return bc.requests.Load(), bc.bytes.Load()
	}
	baseline, _ := run(b, b.TempDir(), plain)
	b.Run("cold", func(b *testing.B) {
		var reqN, bytesN int64
		for b.Loop() {
			r, n := run(b, b.TempDir(), reqs)
			reqN, bytesN = reqN+r, bytesN+n
		}
		b.ReportMetric(float64(reqN)/float64(b.N), "requests/run")
		b.ReportMetric(float64(reqN)/float64(b.N)-float64(baseline), "extra-requests/run")
		b.ReportMetric(float64(bytesN)/float64(b.N)/1024, "KiB/run")
	})
	b.Run("warm", func(b *testing.B) {
		cache := b.TempDir()
		run(b, cache, reqs)
		var reqN, bytesN int64
		for b.Loop() {
			r, n := run(b, cache, reqs)
			reqN, bytesN = reqN+r, bytesN+n
		}
		b.ReportMetric(float64(reqN)/float64(b.N), "requests/run")
		b.ReportMetric(float64(bytesN)/float64(b.N)/1024, "KiB/run")
	})
}

// bigLayer generates an uncompressed tar layer of files pseudo-random
// bytes each, the same bytes for the same seed, so that a registry can
// serve hundreds of megabytes without holding them.
func bigLayer(w io.Writer, seed uint64, files, size int) error {
	tw := tar.NewWriter(w)
	rng := rand.New(rand.NewPCG(seed, seed))
	buf := make([]byte, size)
	for i := range files {
		for j := 0; j+8 <= len(buf); j += 8 {
			v := rng.Uint64()
			for k := range 8 {
				buf[j+k] = byte(v >> (8 * k))
			}
		}
		if err := tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("usr/lib/big%d/file%05d", seed, i), Mode: 0o644, Size: int64(size), Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		if _, err := tw.Write(buf); err != nil {
			return err
		}
	}
	return tw.Close()
}

// streamRegistry serves one image whose layers are generated on the fly:
// the manifest, the config and the layers, nothing held in memory.
func streamRegistry(b *testing.B, layers, files, size int) string {
	b.Helper()
	type layerInfo struct {
		digest string
		size   int64
	}
	infos := make([]layerInfo, layers)
	for i := range layers {
		h := sha256.New()
		cw := &countWriter{w: h}
		if err := bigLayer(cw, uint64(i+1), files, size); err != nil {
			b.Fatal(err)
		}
		infos[i] = layerInfo{"sha256:" + hex.EncodeToString(h.Sum(nil)), cw.n}
	}
	cfg, _ := json.Marshal(v1.ConfigFile{OS: "linux", Architecture: "amd64", Config: v1.Config{Env: []string{"PATH=/usr/bin"}}, RootFS: v1.RootFS{Type: "layers"}})
	cfgSum := sha256.Sum256(cfg)
	cfgDigest := "sha256:" + hex.EncodeToString(cfgSum[:])
	man := v1.Manifest{SchemaVersion: 2, MediaType: types.OCIManifestSchema1,
		Config: v1.Descriptor{MediaType: types.OCIConfigJSON, Size: int64(len(cfg)), Digest: v1.Hash{Algorithm: "sha256", Hex: cfgDigest[7:]}}}
	for _, l := range infos {
		man.Layers = append(man.Layers, v1.Descriptor{MediaType: types.OCIUncompressedLayer, Size: l.size, Digest: v1.Hash{Algorithm: "sha256", Hex: l.digest[7:]}})
	}
	manBytes, _ := json.Marshal(man)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		switch {
		case p == "/v2/":
		case strings.HasSuffix(p, "/manifests/1"):
			w.Header().Set("Content-Type", string(types.OCIManifestSchema1))
			_, _ = w.Write(manBytes)
		case strings.HasSuffix(p, "/blobs/"+cfgDigest):
			_, _ = w.Write(cfg)
		default:
			for i, l := range infos {
				if strings.HasSuffix(p, "/blobs/"+l.digest) {
					_ = bigLayer(w, uint64(i+1), files, size)
					return
				}
			}
			http.NotFound(w, r)
		}
	}))
	b.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// peakRSS returns the process's peak resident set (VmHWM) in MiB after
// resetting it, or -1 where /proc cannot say.
func peakRSS(reset bool) float64 {
	if reset {
		_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0o644)
	}
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			if err == nil {
				return float64(kb) / 1024
			}
		}
	}
	return -1
}

// BenchmarkFileFacts300MB learns the files of an image with three 100 MB
// layers (3,000 files), streamed from a registry that generates them: the
// time per run and the process's peak RSS, which stays bounded because
// only tar headers are kept.
func BenchmarkFileFacts300MB(b *testing.B) {
	host := streamRegistry(b, 3, 1000, 100<<10)
	req := []Request{{Ref: host + "/acme/big:1", Platforms: []string{"linux/amd64"}}}
	before := peakRSS(true)
	var peak float64
	var wall time.Duration
	for b.Loop() {
		peakRSS(true)
		start := time.Now()
		res := newTestResolver(b, host, WithCacheDir(b.TempDir()), WithInspectFiles(true)).Resolve(context.Background(), req)
		wall += time.Since(start)
		f := res[host+"/acme/big:1"].Facts["linux/amd64"]
		if f.Files == nil || f.Err != nil {
			b.Fatalf("facts = %+v", f)
		}
		peak = max(peak, peakRSS(false))
	}
	b.ReportMetric(float64(wall.Milliseconds())/float64(b.N), "ms/run")
	b.ReportMetric(peak, "peak-RSS-MiB")
	b.ReportMetric(before, "start-RSS-MiB")
	b.SetBytes(300 << 20)
}
