package registry

import (
	"fmt"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Release is what an image's config says about the release a digest
// names: when it was built and the labels it carries
// (org.opencontainers.image.source and friends), for the update summary
// and the minimum release age.
type Release struct {
	// Created is the config's "created" time; zero when the config has none.
	Created time.Time `json:"created,omitzero"`
	// Labels are the config's labels; nil when it has none.
	Labels map[string]string `json:"labels,omitempty"`
}

// releasePlatform is the platform whose config describes a multi-platform
// release: the one compose pulls on the usual CI and server hosts.
const releasePlatform = "linux/amd64"

// release returns the Release of digest d of ref's repository: from the
// disk cache (keyed by digest, so it never expires: the same digest always
// names the same config), or read from the registry, every answer verified
// (the manifests hash to their digests, the config blob to the digest the
// manifest names). Cold it costs the manifest GETs and one blob GET;
// warm, nothing.
func (rn *run) release(ref Reference, d string) (lookup[Release], error) {
	key := ref.Repo() + "@" + d
	return rn.releases.do(key, func() (lookup[Release], error) {
		if e, ok := rn.cachedRelease(key); ok {
			return lookup[Release]{val: *e.Release, cached: true}, nil
		}
		if rn.r.o.offline {
			return lookup[Release]{}, ErrOffline
		}
		cfg, err := rn.releaseConfig(ref, d)
		if err != nil {
			return lookup[Release]{}, wrapErr("reading the image config of", key, err)
		}
		rel := Release{Labels: cfg.Config.Labels}
		if !cfg.Created.IsZero() {
			rel.Created = cfg.Created.UTC()
		}
		rn.store(kindRelease, key, cacheEntry{Release: &rel})
		return lookup[Release]{val: rel}, nil
	})
}

// cachedRelease reads a release entry of any age (refreshing, only one
// this run wrote).
func (rn *run) cachedRelease(key string) (cacheEntry, bool) {
	r := rn.r
	if r.cache == nil {
		return cacheEntry{}, false
	}
	e, ok := r.cache.get(kindRelease, key, true)
	r.stats.cache(ok)
	return e, ok
}

// releaseConfig reads the config of digest d: the manifest (for an index,
// the releasePlatform entry's, else the first image entry's), then its
// config blob, both verified and kept in the image-facts cache.
func (rn *run) releaseConfig(ref Reference, d string) (*v1.ConfigFile, error) {
	want, _ := v1.ParsePlatform(releasePlatform)
	pm, err := rn.platformManifest(ref, d, *want, true)
	if err != nil {
		return nil, err
	}
	if pm.image == nil {
		return nil, fmt.Errorf("index %s lists no image: %w", d, ErrBadResponse)
	}
	cfg, _, err := rn.config(ref, pm.image.Config.Digest)
	return cfg, err
}
