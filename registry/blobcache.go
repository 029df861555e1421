package registry

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Content kinds of the content-addressed cache, one directory each.
const (
	kindManifest = "manifests" // verified manifest or index bytes, prefixed by their media type line
	kindConfig   = "configs"   // image config blobs
)

// blobDir is where content-addressed entries live, beside the keyed cache.
// They are named by their digest, so they never expire: the same digest
// always names the same bytes, and a reader re-hashes them anyway.
func (c *diskCache) blobPath(kind string, d v1.Hash) string {
	return filepath.Join(c.dir, kind, d.Algorithm, d.Hex)
}

// getContent returns the blob stored for digest d after checking that
// it still hashes to d (a torn or tampered file is a miss). Manifests,
// stored with their media type, are read by getManifest.
func (c *diskCache) getContent(kind string, d v1.Hash) ([]byte, bool) {
	if d.Algorithm != "sha256" {
		return nil, false
	}
	b, ok := c.readContent(c.blobPath(kind, d))
	if !ok {
		return nil, false
	}
	if checkDigest(kind, d, digestOf(b)) != nil {
		return nil, false
	}
	return b, true
}

// putContent stores b under d, atomically.
func (c *diskCache) putContent(kind string, d v1.Hash, b []byte) error {
	return c.write(c.blobPath(kind, d), d.String(), b)
}

// getManifest reads a verified manifest back from the cache. The bytes
// after the media type line go through verifyManifest again, with d as
// the digest they must hash to: a torn or tampered file is a miss.
func (c *diskCache) getManifest(d v1.Hash) (Manifest, bool) {
	b, ok := c.readContent(c.blobPath(kindManifest, d))
	if !ok {
		return Manifest{}, false
	}
	mt, body, _ := bytes.Cut(b, []byte("\n"))
	m, err := verifyManifest(body, string(mt), d.String())
	if err != nil {
		return Manifest{}, false
	}
	return m, true
}

// putManifest stores a verified manifest under its digest.
func (c *diskCache) putManifest(m Manifest) error {
	d, err := v1.NewHash(m.Digest)
	if err != nil {
		return err
	}
	if strings.ContainsAny(string(m.MediaType), "\n") {
		return fmt.Errorf("media type %q: %w", m.MediaType, ErrBadResponse)
	}
	return c.putContent(kindManifest, d, append([]byte(string(m.MediaType)+"\n"), m.Body...))
}
