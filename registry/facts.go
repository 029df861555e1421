package registry

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// DefaultPlatform is the platform facts are read for when a service names
// none.
const DefaultPlatform = "linux/amd64"

// maxConfigBytes bounds an image config blob; real ones are a few KiB, and
// the bound keeps a hostile registry from filling memory.
const maxConfigBytes = 4 << 20

// Facts is what one platform of an image says about itself in its config.
type Facts struct {
	// Platforms lists what the image serves ("linux/amd64",
	// "linux/arm64/v8"): the index's platforms, or the single image's own.
	Platforms []string
	// Unserved is set when none of Platforms satisfies the one asked for.
	Unserved bool
	// Err is set when the facts could not be read.
	Err error
	// User is the config's USER ("" means root).
	User string
	// Healthcheck is the config's HEALTHCHECK test; nil when none.
	Healthcheck []string
	// ExposedPorts are the config's EXPOSE entries, sorted.
	ExposedPorts []string
	// Entrypoint and Cmd are the config's ENTRYPOINT and CMD.
	Entrypoint, Cmd []string
	// Path is the config's PATH environment variable, split at colons.
	Path []string
	// Labels are the config's labels.
	Labels map[string]string
	// Created is the config's "created" time; zero when it has none.
	Created time.Time
	// Layers are the platform manifest's layers, in order (for file facts).
	Layers []v1.Descriptor
	// Files is what the layers hold (WithInspectFiles); nil when they were
	// not inspected.
	Files *Files
	// FilesNote says why the layers were not inspected although asked
	// (over the budget, offline and not cached, an error).
	FilesNote string
	// Cached is set when every byte came from the disk cache.
	Cached bool
}

// facts reads the config of digest d's image for platform, once per run
// per repository, digest and platform. Cold, it costs one manifest GET (the
// platform's, for an index: the index itself was fetched and cached when
// the tag was looked up) and one config blob GET; warm, nothing.
func (rn *run) facts(ref Reference, d, platform string) Facts {
	f, err := rn.factsMemo.do(ref.Repo()+"@"+d+"|"+platform, func() (Facts, error) {
		f, err := rn.readFacts(ref, d, platform)
		if err != nil || rn.inspect == nil || f.Unserved || len(f.Layers) == 0 {
			return f, err
		}
		files, cached, ferr := rn.files(ref, f)
		f.Cached = f.Cached && cached
		ferr = rn.secrets.redact(ferr)
		switch {
		case errors.Is(ferr, ErrOverBudget):
			f.FilesNote = "its layers were not inspected: " + ferr.Error()
		case errors.Is(ferr, ErrOffline):
			f.FilesNote = "its layers were not inspected: offline and not in the cache"
		case ferr != nil:
			f.FilesNote = "its layers could not be inspected: " + ferr.Error()
		default:
			f.Files = files
		}
		return f, nil
	})
	if err != nil {
		return Facts{Err: wrapErr("reading the image config of", ref.Repo()+"@"+d, err)}
	}
	return f
}

func (rn *run) readFacts(ref Reference, d, platform string) (Facts, error) {
	spec, err := v1.ParsePlatform(platform)
	if err != nil {
		return Facts{}, fmt.Errorf("platform %q: %v: %w", platform, err, ErrInvalidReference)
	}
	pm, err := rn.platformManifest(ref, d, *spec, false)
	if err != nil {
		return Facts{}, err
	}
	f := Facts{Platforms: pm.platforms, Cached: pm.cached}
	switch {
	case pm.index && len(f.Platforms) == 0:
		return f, nil // an index that names no platform: nothing to judge or read
	case pm.image == nil:
		f.Unserved = true
		return f, nil
	}
	cfg, c, err := rn.config(ref, pm.image.Config.Digest)
	if err != nil {
		return Facts{}, err
	}
	f.Cached = f.Cached && c
	if !pm.index && cfg.OS != "" && cfg.Architecture != "" { // a config without a platform cannot be judged
		own := v1.Platform{OS: cfg.OS, Architecture: cfg.Architecture, Variant: cfg.Variant, OSVersion: cfg.OSVersion}
		f.Platforms = []string{own.String()}
		if !own.Satisfies(*spec) {
			f.Unserved = true
			return f, nil
		}
	}
	f.Layers = pm.image.Layers
	fillConfig(&f, cfg.Config)
	if !cfg.Created.IsZero() {
		f.Created = cfg.Created.UTC()
	}
	return f, nil
}

// platformManifest is the image manifest digest d names for a platform.
type platformManifest struct {
	index     bool         // d names an index
	platforms []string     // the index's platforms, sorted; nil for an image
	image     *v1.Manifest // nil when the index serves no image for the platform
	cached    bool         // every manifest came from this run or the disk cache
}

// platformManifest reads digest d's manifest and, for an index, the
// manifest of its first entry serving spec (or, with anyImage, of its
// first image entry when none does), every one verified. Facts and
// releases both start here, so that they judge an index alike.
func (rn *run) platformManifest(ref Reference, d string, spec v1.Platform, anyImage bool) (platformManifest, error) {
	m, cached, err := rn.manifestAt(ref, d)
	if err != nil {
		return platformManifest{}, err
	}
	pm := platformManifest{index: m.IsIndex(), cached: cached}
	if pm.index {
		idx, err := m.Index()
		if err != nil {
			return platformManifest{}, fmt.Errorf("index %s: %v: %w", d, err, ErrBadResponse)
		}
		var pick, first string
		for _, e := range idx.Manifests {
			p := e.Platform
			if p != nil && p.OS == "unknown" { // attestations
				continue
			}
			if first == "" && !e.MediaType.IsIndex() {
				first = e.Digest.String()
			}
			if p == nil || p.OS == "" {
				continue
			}
			pm.platforms = append(pm.platforms, p.String())
			// A release needs one config, so it passes over a nested
			// index; facts report it as a bad answer.
			if pick == "" && p.Satisfies(spec) && !(anyImage && e.MediaType.IsIndex()) {
				pick = e.Digest.String()
			}
		}
		sort.Strings(pm.platforms)
		if pick == "" && anyImage {
			pick = first
		}
		if pick == "" {
			return pm, nil
		}
		var c bool
		if m, c, err = rn.manifestAt(ref, pick); err != nil {
			return platformManifest{}, err
		}
		pm.cached = pm.cached && c
		if m.IsIndex() {
			return platformManifest{}, fmt.Errorf("index %s lists another index for %s: %w", d, spec.String(), ErrBadResponse)
		}
	}
	img, err := m.Image()
	if err != nil {
		return platformManifest{}, fmt.Errorf("manifest %s: %v: %w", m.Digest, err, ErrBadResponse)
	}
	pm.image = img
	return pm, nil
}

// fillConfig copies what the rules read from an image config.
func fillConfig(f *Facts, c v1.Config) {
	f.User = c.User
	if c.Healthcheck != nil && len(c.Healthcheck.Test) > 0 {
		f.Healthcheck = append([]string(nil), c.Healthcheck.Test...)
	}
	for p := range c.ExposedPorts {
		f.ExposedPorts = append(f.ExposedPorts, p)
	}
	sort.Strings(f.ExposedPorts)
	f.Entrypoint = append([]string(nil), c.Entrypoint...)
	f.Cmd = append([]string(nil), c.Cmd...)
	for _, e := range c.Env {
		if v, ok := strings.CutPrefix(e, "PATH="); ok {
			f.Path = strings.Split(v, ":")
		}
	}
	if len(c.Labels) > 0 {
		f.Labels = make(map[string]string, len(c.Labels))
		for k, v := range c.Labels {
			f.Labels[k] = v
		}
	}
}

// remember keeps a verified manifest for later facts in this run and, when
// the run wants facts, in the content-addressed cache.
func (rn *run) remember(m Manifest) {
	if !rn.wantFacts {
		return
	}
	rn.seenMu.Lock()
	if rn.seen == nil {
		rn.seen = map[string]Manifest{}
	}
	rn.seen[m.Digest] = m
	rn.seenMu.Unlock()
	if rn.r.cache != nil {
		_ = rn.r.cache.putManifest(m)
	}
}

// manifestAt returns the verified manifest with digest d: from this run,
// the disk cache, or the registry (whose bytes must hash to d).
func (rn *run) manifestAt(ref Reference, d string) (Manifest, bool, error) {
	rn.seenMu.Lock()
	m, ok := rn.seen[d]
	rn.seenMu.Unlock()
	if ok {
		return m, true, nil
	}
	h, err := v1.NewHash(d)
	if err != nil {
		return Manifest{}, false, fmt.Errorf("digest %q: %v: %w", d, err, ErrBadResponse)
	}
	if c := rn.r.cache; c != nil {
		if m, ok := c.getManifest(h); ok {
			rn.r.stats.cache(true)
			return m, true, nil
		}
		rn.r.stats.cache(false)
	}
	if rn.r.o.offline {
		return Manifest{}, false, ErrOffline
	}
	m, err = rn.manifest(ref, "@"+d)
	if err != nil {
		return Manifest{}, false, err
	}
	rn.remember(m)
	return m, false, nil
}

// config returns the parsed config blob with digest d, verified against
// d: from this run, the disk cache or the registry. A stale pin's
// replacement has its config read for its release and for its facts; the
// memo makes that one read and one parse.
func (rn *run) config(ref Reference, d v1.Hash) (*v1.ConfigFile, bool, error) {
	l, err := rn.configs.do(ref.Repo()+"@"+d.String(), func() (lookup[*v1.ConfigFile], error) {
		b, cached, err := rn.configBlob(ref, d)
		if err != nil {
			return lookup[*v1.ConfigFile]{}, err
		}
		cfg, err := v1.ParseConfigFile(bytes.NewReader(b))
		if err != nil {
			return lookup[*v1.ConfigFile]{}, fmt.Errorf("config %s does not parse: %v: %w", d, err, ErrBadResponse)
		}
		return lookup[*v1.ConfigFile]{val: cfg, cached: cached}, nil
	})
	return l.val, l.cached, err
}

// configBlob returns the config blob with digest d, verified against d:
// from the disk cache or the registry.
func (rn *run) configBlob(ref Reference, d v1.Hash) ([]byte, bool, error) {
	if d.Algorithm != "sha256" {
		return nil, false, fmt.Errorf("config digest %s: only sha256 is supported: %w", d, ErrBadResponse)
	}
	if c := rn.r.cache; c != nil {
		if b, ok := c.getContent(kindConfig, d); ok {
			rn.r.stats.cache(true)
			return b, true, nil
		}
		rn.r.stats.cache(false)
	}
	if rn.r.o.offline {
		return nil, false, ErrOffline
	}
	b, err := rn.blob(ref, d, maxConfigBytes)
	if err != nil {
		return nil, false, err
	}
	if c := rn.r.cache; c != nil {
		_ = c.putContent(kindConfig, d, b)
	}
	return b, false, nil
}

// blob GETs a small blob of ref's repository and checks that its bytes
// hash to d; at most limit bytes are read.
func (rn *run) blob(ref Reference, d v1.Hash, limit int64) ([]byte, error) {
	body, err := rn.openBlob(ref, d, false)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	b, err := io.ReadAll(io.LimitReader(body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("blob %s is larger than %d bytes: %w", d, limit, ErrBadResponse)
	}
	if err := checkDigest("blob", d, digestOf(b)); err != nil {
		return nil, err
	}
	return b, nil
}
