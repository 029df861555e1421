package registry

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/composefix/composefix/internal/regfile"
)

// cacheVersion names the on-disk layout; a new layout gets a new directory
// so that old and new binaries sharing a CI cache never misread each other.
// v2: v1 entries were written from unverified answers (a header's digest),
// so they are never read, not even offline.
const cacheVersion = "v2"

// maxEntry bounds a dated entry's file: the tag list of the busiest
// repositories is a few hundred kilobytes.
const maxEntry = 64 << 20

// Cache entry kinds, one directory each.
const (
	kindTags   = "tags"   // key: registry/repository
	kindDigest = "digest" // key: registry/repository:tag or registry/repository@digest
	// kindRelease entries are keyed by digest (registry/repository@digest):
	// they are read at any age, since a digest always names the same config.
	kindRelease = "release"
)

// diskCache stores tag lists and tag→digest answers as one JSON file per key.
// Keys are logical (the normalised reference), not the host actually asked:
// a mirror serves the same content as the registry it mirrors. Entries hold
// only public registry data, never credentials.
type diskCache struct {
	dir string // <cache dir>/registry/<cacheVersion>
	ttl time.Duration
	// notFoundTTL bounds a cached 404, offline too: a missing image may be
	// pushed at any time, and a stale 404 fails --check.
	notFoundTTL time.Duration
	now         func() time.Time
	// since, when set (refreshing), makes every entry written before it
	// a miss: the run distrusts what earlier runs cached, and trusts what
	// it cached itself since it started.
	since time.Time
}

// cacheEntry is one file's content: tags or a digest, or the registry's
// 404 for the key (NotFound says what was missing).
type cacheEntry struct {
	Key      string    `json:"key"`
	Fetched  time.Time `json:"fetched"`
	Tags     []string  `json:"tags,omitempty"`
	Digest   string    `json:"digest,omitempty"`
	Release  *Release  `json:"release,omitempty"`
	NotFound string    `json:"not_found,omitempty"`
}

func newDiskCache(dir string, ttl, notFoundTTL time.Duration, now func() time.Time) *diskCache {
	return &diskCache{dir: filepath.Join(dir, "registry", cacheVersion), ttl: ttl, notFoundTTL: notFoundTTL, now: now}
}

func (c *diskCache) path(kind, key string) string {
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(c.dir, kind, hex.EncodeToString(sum[:16])+".json")
}

// get returns the entry for key. An entry written before since is a miss.
// Unless anyAge is set, an entry older than
// the TTL (or dated in the future) is a miss; a 404 entry older than the
// not-found TTL is a miss whatever anyAge says. A missing, unreadable or
// corrupt file, one written for another key, or a digest entry whose
// digest is not a sha256 digest (put only ever writes those: anything
// else would reach compose files as a pin) is a miss too.
func (c *diskCache) get(kind, key string, anyAge bool) (cacheEntry, bool) {
	// regfile rather than os.ReadFile: on Linux os registers every file it
	// opens with the runtime's network poller, and the first registration
	// starts it (an epoll instance, an event fd, a thread waiting on
	// them), which a run answered from the cache has no use for (issue
	// 14: startup). A larger entry than maxEntry is a miss.
	b, err := regfile.Read(c.path(kind, key), maxEntry)
	if err != nil {
		return cacheEntry{}, false
	}
	var e cacheEntry
	if err := json.Unmarshal(b, &e); err != nil || e.Key != key {
		return cacheEntry{}, false
	}
	switch {
	case e.NotFound != "":
	case kind == kindTags && e.Tags == nil, kind == kindDigest && !isSHA256(e.Digest), kind == kindRelease && e.Release == nil:
		return cacheEntry{}, false
	}
	if !c.trusts(e.Fetched) {
		return cacheEntry{}, false
	}
	age := c.now().Sub(e.Fetched)
	switch {
	case e.NotFound != "" && (age < 0 || age > c.notFoundTTL):
		return cacheEntry{}, false
	case !anyAge && (age < 0 || age > c.ttl):
		return cacheEntry{}, false
	}
	return e, true
}

// put writes e for key through a temporary file renamed into place, so that
// concurrent runs see either the old or the new file, never a torn one.
func (c *diskCache) put(kind, key string, e cacheEntry) error {
	e.Key = key
	e.Fetched = c.now().UTC()
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("encoding cache entry for %s: %w", key, err)
	}
	return writeAtomic(c.path(kind, key), key, b, e.Fetched)
}

// trusts reports whether an entry written at t may be used: always,
// unless refreshing, when only entries written since the run started,
// and not after now, are. An entry dated after now was not written by
// this run: an earlier run's clock ran ahead (a cache shared between
// machines) or the clock has since been set back.
func (c *diskCache) trusts(t time.Time) bool {
	return c.since.IsZero() || !t.Before(c.since) && !t.After(c.now())
}

// write stores a content-addressed entry (named by a digest, with no date
// inside) atomically, dated by the cache's clock in its modification time.
func (c *diskCache) write(p, what string, b []byte) error {
	return writeAtomic(p, what, b, c.now())
}

// readContent reads a content-addressed entry; a missing or unreadable
// one is a miss, and so, refreshing, is one its modification time dates
// before the run.
func (c *diskCache) readContent(p string) ([]byte, bool) {
	f, err := os.Open(p)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	if !c.since.IsZero() {
		if fi, err := f.Stat(); err != nil || !c.trusts(fi.ModTime()) {
			return nil, false
		}
	}
	b, err := io.ReadAll(f)
	return b, err == nil
}

// writeAtomic writes b to p through a temporary file renamed into place, so
// that concurrent runs see either the old or the new file, never a torn
// one; what names the entry in errors. The file's modification time is
// set to written, from the cache's clock rather than the file system's,
// which lags by up to a clock tick and would date an entry written just
// after the run started before it.
func writeAtomic(p, what string, b []byte, written time.Time) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("creating cache directory: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return fmt.Errorf("writing cache entry for %s: %w", what, err)
	}
	_, werr := f.Write(b)
	cerr := f.Close()
	// Best effort: where the time cannot be set, the file system's own
	// dates the entry, and at worst a refreshing run fetches it again.
	_ = os.Chtimes(f.Name(), written, written)
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("writing cache entry for %s: %w", what, err)
	}
	if err := os.Rename(f.Name(), p); err != nil {
		os.Remove(f.Name())
		if errors.Is(err, fs.ErrExist) {
			return nil // another run won the race with the same data
		}
		return fmt.Errorf("writing cache entry for %s: %w", what, err)
	}
	return nil
}

// isSHA256 reports whether d is "sha256:" and 64 lowercase hex digits, as
// every digest composefix computes.
func isSHA256(d string) bool {
	_, err := v1.NewHash(d) // sha256 is the only algorithm it takes
	return err == nil
}
