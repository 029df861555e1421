package registry

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/docker/go-units"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/klauspost/compress/zstd"
)

// kindLayer holds each layer's listing (tar headers only), by layer digest:
// a base layer shared by many images is read once.
const kindLayer = "layers"

// DefaultInspectBudget is how many layer bytes one run may download to
// learn images' files.
const DefaultInspectBudget = 2 << 30

// ErrOverBudget is wrapped when an image's layers do not fit in what is
// left of the run's inspection budget.
var ErrOverBudget = errors.New("over the layer inspection budget")

// Files is what an image's layers hold, whiteouts applied.
type Files struct {
	// Programs are the executables in the PATH directories, by base name.
	Programs map[string]bool
	// Paths are the absolute paths of every executable, symlinks and
	// hardlinks resolved, and of every PATH entry as spelt through PATH.
	Paths map[string]bool
	// Shells are the shells present, sorted.
	Shells []string
}

// entry is one tar header of a layer, as cached.
type entry struct {
	Path string `json:"p"`           // cleaned, absolute: "/bin/sh"
	Type byte   `json:"t"`           // tar type flag; 'w' whiteout, 'o' opaque directory
	Mode int64  `json:"m,omitempty"` // permission bits
	Link string `json:"l,omitempty"` // symlink target as written, or hardlink target (absolute)
}

// layerListing is a cache file.
type layerListing struct {
	Digest  string  `json:"digest"`
	Entries []entry `json:"entries"`
}

// inspector holds one run's file inspection: the byte budget shared by
// every image, and the listings read so far.
type inspector struct {
	budget   int64
	progress func(done, total int64)
	listings memo[lookup[[]entry]] // by layer digest

	mu sync.Mutex
	// charged holds the layers whose bytes are taken out of the budget: a
	// layer shared by several images (a common base) is downloaded once
	// (listings), so it is charged once.
	charged map[v1.Hash]bool
	planned int64 // bytes charged so far: the budget used, and the progress total
}

// reserve takes the layers' downloads out of the budget, each layer not
// charged yet in this run, all or none; or says why they do not fit.
func (ins *inspector) reserve(layers []v1.Descriptor) error {
	ins.mu.Lock()
	defer ins.mu.Unlock()
	var need int64
	seen := map[v1.Hash]bool{}
	for _, l := range layers {
		if !ins.charged[l.Digest] && !seen[l.Digest] {
			seen[l.Digest] = true
			need += l.Size
		}
	}
	if ins.planned+need > ins.budget {
		left := max(ins.budget-ins.planned, 0)
		return fmt.Errorf("%s of layers, %s of the %s budget left: %w", units.BytesSize(float64(need)), units.BytesSize(float64(left)), units.BytesSize(float64(ins.budget)), ErrOverBudget)
	}
	if ins.charged == nil {
		ins.charged = map[v1.Hash]bool{}
	}
	for d := range seen {
		ins.charged[d] = true
	}
	ins.planned += need
	return nil
}

// files learns an image's files from its layers, within the budget.
// cached is false when a layer was (or may have been) downloaded.
func (rn *run) files(ref Reference, f Facts) (_ *Files, cached bool, _ error) {
	ins := rn.inspect
	// listing downloads what the cache lacks (refreshing, every listing an
	// earlier run wrote): the budget must cover exactly that. A listing on
	// disk is only looked at here; one that does not decode is reserved
	// when listing finds out.
	var missing []v1.Descriptor
	for _, l := range f.Layers {
		if c := rn.r.cache; c == nil || !c.hasListing(l.Digest) {
			missing = append(missing, l)
		}
	}
	if len(missing) > 0 {
		if rn.r.o.offline {
			return nil, true, ErrOffline
		}
		if err := ins.reserve(missing); err != nil {
			return nil, true, err
		}
	}
	cached = true
	var layers [][]entry
	for _, l := range f.Layers {
		if err := rn.ctx.Err(); err != nil {
			return nil, false, err
		}
		es, err := ins.listings.do(l.Digest.String(), func() (lookup[[]entry], error) { return rn.listing(ref, l) })
		if err != nil {
			return nil, false, err
		}
		cached = cached && es.cached
		layers = append(layers, es.val)
	}
	return merge(layers, f.Path), cached, nil
}

// listing returns a layer's tar headers: from the cache, or by streaming
// the layer once (its bytes are hashed on the way and must match). A
// listing the cache holds but that does not decode is a miss, never used:
// the layer is downloaded, within the budget (charged once, by files or
// here), and its listing written anew.
func (rn *run) listing(ref Reference, l v1.Descriptor) (lookup[[]entry], error) {
	if c := rn.r.cache; c != nil {
		if es, ok := c.getListing(l.Digest); ok {
			rn.r.stats.cache(true)
			return lookup[[]entry]{val: es, cached: true}, nil
		}
		rn.r.stats.cache(false)
	}
	if rn.r.o.offline {
		return lookup[[]entry]{}, ErrOffline
	}
	if err := rn.inspect.reserve([]v1.Descriptor{l}); err != nil {
		return lookup[[]entry]{}, err
	}
	body, err := rn.openBlob(ref, l.Digest, true)
	if err != nil {
		return lookup[[]entry]{}, err
	}
	defer body.Close()
	h := sha256.New()
	var r io.Reader = body
	if l.Size > 0 {
		// The verified manifest gives the size: a body that runs past it
		// cannot hash to the digest, and an endless one would otherwise
		// be read until the run's deadline, past the byte budget.
		r = io.LimitReader(body, l.Size+1)
	}
	counted := &countingReader{r: io.TeeReader(r, h), report: rn.inspectProgress}
	es, tarErr := readHeaders(bufio.NewReaderSize(counted, 64<<10))
	// Hash what the tar reader left (padding, trailing blocks, or all of
	// a layer it could not read): a wrong digest is the first thing to say.
	if _, err := io.Copy(io.Discard, counted); err != nil {
		return lookup[[]entry]{}, fmt.Errorf("reading layer %s: %w", l.Digest, err)
	}
	if err := checkDigest("layer", l.Digest, digestSum(h)); err != nil {
		return lookup[[]entry]{}, err
	}
	if tarErr != nil {
		return lookup[[]entry]{}, fmt.Errorf("reading layer %s: %w", l.Digest, tarErr)
	}
	if c := rn.r.cache; c != nil {
		_ = c.putListing(l.Digest, es)
	}
	return lookup[[]entry]{val: es}, nil
}

// inspectProgress reports downloaded layer bytes.
func (rn *run) inspectProgress(n int64) {
	ins := rn.inspect
	if ins.progress == nil {
		return
	}
	ins.mu.Lock()
	total := ins.planned
	ins.mu.Unlock()
	ins.progress(n, total)
}

// countingReader reports every chunk read.
type countingReader struct {
	r      io.Reader
	report func(int64)
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if n > 0 && c.report != nil {
		c.report(int64(n))
	}
	return n, err
}

// readHeaders decompresses a layer (gzip, zstd or plain tar, told apart by
// their magic bytes) and returns its tar headers, skipping file contents.
func readHeaders(br *bufio.Reader) ([]entry, error) {
	magic, _ := br.Peek(4)
	var r io.Reader = br
	switch {
	case len(magic) >= 2 && magic[0] == 0x1f && magic[1] == 0x8b:
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, err
		}
		defer gz.Close()
		r = gz
	case len(magic) == 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd:
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		r = zr
	}
	tr := tar.NewReader(r)
	var out []entry
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		p := path.Clean("/" + h.Name)
		dir, base := path.Split(p)
		e := entry{Path: p, Type: h.Typeflag, Mode: h.Mode & 0o7777}
		switch {
		case base == ".wh..wh..opq":
			e = entry{Path: path.Clean(dir), Type: 'o'}
		case strings.HasPrefix(base, ".wh."):
			e = entry{Path: path.Join(dir, strings.TrimPrefix(base, ".wh.")), Type: 'w'}
		case h.Typeflag == tar.TypeSymlink:
			e.Link = h.Linkname
		case h.Typeflag == tar.TypeLink:
			e.Link = path.Clean("/" + h.Linkname)
		case h.Typeflag == tar.TypeReg, h.Typeflag == tar.TypeDir:
		default:
			continue // devices, fifos: never a program
		}
		out = append(out, e)
	}
	// The tar reader stops at the end-of-archive marker; drain the
	// decompressor so that the hash covers the whole blob.
	_, err := io.Copy(io.Discard, r)
	return out, err
}

// merge applies the layers in order (whiteouts delete what lower layers
// put there) and learns the executables of the PATH directories.
func merge(layers [][]entry, pathDirs []string) *Files {
	fs := map[string]entry{}
	for _, es := range layers {
		// Whiteouts and opaque markers act on the lower layers only, so
		// apply them before this layer's own entries.
		for _, e := range es {
			switch e.Type {
			case 'w':
				deleteTree(fs, e.Path, true)
			case 'o':
				deleteTree(fs, e.Path, false)
			}
		}
		for _, e := range es {
			if e.Type != 'w' && e.Type != 'o' {
				fs[e.Path] = e
			}
		}
	}
	out := &Files{Programs: map[string]bool{}, Paths: map[string]bool{}}
	for p := range fs {
		if target, ok := resolve(fs, p); ok && executable(fs, target) {
			out.Paths[p] = true
		}
	}
	if len(pathDirs) == 0 {
		pathDirs = []string{"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"}
	}
	for _, dir := range pathDirs {
		if !strings.HasPrefix(dir, "/") {
			continue
		}
		real, ok := resolve(fs, path.Clean(dir))
		if !ok {
			continue
		}
		for p := range fs {
			if path.Dir(p) != real {
				continue
			}
			name := path.Base(p)
			if target, ok := resolve(fs, p); ok && executable(fs, target) {
				out.Programs[name] = true
				out.Paths[path.Join(path.Clean(dir), name)] = true
			}
		}
	}
	for _, sh := range []string{"/bin/sh", "/bin/bash", "/bin/ash", "/bin/dash", "/usr/bin/bash", "/busybox/sh"} {
		if out.Paths[sh] {
			out.Shells = append(out.Shells, sh)
		}
	}
	sort.Strings(out.Shells)
	return out
}

// deleteTree removes p's subtree from fs, and p itself when self is set.
func deleteTree(fs map[string]entry, p string, self bool) {
	if self {
		delete(fs, p)
	}
	prefix := strings.TrimSuffix(p, "/") + "/"
	for k := range fs {
		if strings.HasPrefix(k, prefix) {
			delete(fs, k)
		}
	}
}

// resolve follows symlinks in every component of p (at most 40, as Linux
// does) and returns the path of what it names; ok is false for a dangling
// link or a loop.
func resolve(fs map[string]entry, p string) (string, bool) {
	hops := 0
	var walk func(p string) (string, bool)
	walk = func(p string) (string, bool) {
		cur := "/"
		parts := strings.Split(strings.TrimPrefix(path.Clean(p), "/"), "/")
		for i, part := range parts {
			if part == "" {
				continue
			}
			next := path.Join(cur, part)
			e, ok := fs[next]
			if !ok {
				if i < len(parts)-1 {
					cur = next // a parent directory the tar does not list
					continue
				}
				return "", false
			}
			if e.Type == tar.TypeSymlink {
				hops++
				if hops > 40 {
					return "", false
				}
				target := e.Link
				if !strings.HasPrefix(target, "/") {
					target = path.Join(cur, target)
				}
				rest := path.Join(append([]string{target}, parts[i+1:]...)...)
				return walk(rest)
			}
			cur = next
		}
		return cur, true
	}
	return walk(p)
}

// executable reports whether p is a file with an execute bit: a regular
// file, or a hardlink to one (busybox applets are often hardlinks).
func executable(fs map[string]entry, p string) bool {
	e, ok := fs[p]
	if !ok {
		return false
	}
	if e.Type == tar.TypeLink {
		t, ok := fs[e.Link]
		if !ok {
			return false
		}
		e.Type = t.Type
		if e.Mode == 0 {
			e.Mode = t.Mode
		}
	}
	// archive/tar reads the legacy TypeRegA as TypeReg.
	return e.Type == tar.TypeReg && e.Mode&0o111 != 0
}

// openBlob GETs a blob of ref's repository and returns its body for the
// caller to read and verify, and close. A layer is streamed (see
// withStreaming): the caller bounds what it reads. A small blob (a config)
// is not: the transport buffers it within maxBody and retries an attempt
// that stalls past the request timeout.
func (rn *run) openBlob(ref Reference, d v1.Hash, stream bool) (io.ReadCloser, error) {
	repo, err := rn.r.target(ref)
	if err != nil {
		return nil, err
	}
	rt, err := rn.transport(repo)
	if err != nil {
		return nil, err
	}
	u := url.URL{Scheme: repo.Scheme(), Host: repo.RegistryStr(), Path: "/v2/" + repo.RepositoryStr() + "/blobs/" + d.String()}
	ctx := rn.ctx
	if stream {
		ctx = withStreaming(ctx)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := (&http.Client{Transport: rt}).Do(req)
	if err != nil {
		return nil, err
	}
	if err := transport.CheckError(resp, http.StatusOK); err != nil {
		resp.Body.Close()
		return nil, err
	}
	return resp.Body, nil
}

// listingPath is where layer d's listing lives: beside the content it
// describes, but JSON of our own, not the layer's bytes.
func (c *diskCache) listingPath(d v1.Hash) string {
	return c.blobPath(kindLayer, d) + ".json"
}

func (c *diskCache) hasListing(d v1.Hash) bool {
	fi, err := os.Stat(c.listingPath(d))
	return err == nil && c.trusts(fi.ModTime())
}

func (c *diskCache) getListing(d v1.Hash) ([]entry, bool) {
	b, ok := c.readContent(c.listingPath(d))
	if !ok {
		return nil, false
	}
	var l layerListing
	if err := json.Unmarshal(b, &l); err != nil || l.Digest != d.String() || l.Entries == nil {
		return nil, false
	}
	return l.Entries, true
}

func (c *diskCache) putListing(d v1.Hash, es []entry) error {
	if es == nil {
		es = []entry{}
	}
	b, err := json.Marshal(layerListing{Digest: d.String(), Entries: es})
	if err != nil {
		return err
	}
	return c.write(c.listingPath(d), d.String(), b)
}
