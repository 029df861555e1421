package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/config"
	"github.com/composefix/composefix/fixers"
	"github.com/composefix/composefix/registry"
	"github.com/urfave/cli/v2"
)

// registryFlags are the flags that say how images are resolved and pinned.
func registryFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "pin", Usage: "how images are pinned: version, digest or version+digest (default: version)"},
		&cli.StringSliceFlag{Name: "registry-mirror", Usage: "resolve HOST's images at URL, as HOST=URL (repeatable; e.g. docker.io=http://127.0.0.1:5000)"},
		&cli.StringSliceFlag{Name: "insecure-registry", Usage: "speak plain HTTP to HOST[:PORT] (repeatable; loopback hosts always do)"},
		&cli.BoolFlag{Name: "offline", Usage: "no network: use the cache only; unresolved images are reported, not guessed"},
		&cli.BoolFlag{Name: "refresh", Usage: "ignore cached registry answers (fresh ones are still cached)"},
		&cli.StringFlag{Name: "cache-dir", Usage: "registry cache directory (default: the user cache directory + /composefix)"},
		&cli.IntFlag{Name: "concurrency", Value: 8, Usage: "registry requests in flight at once"},
	}
}

// registrySettings say how images are resolved: flags over the
// configuration file.
type registrySettings struct {
	mirrors     map[string]string // registry host as written → mirror URL
	insecure    []string
	offline     bool
	refresh     bool
	cacheDir    string // "": the registry package's default
	concurrency int
	ttl         time.Duration // 0: the registry package's default
	update      config.UpdatePolicy
	// policy, when set, replaces the file's update.policy (per-image
	// entries still win); set by `composefix update --policy`.
	policy config.Policy
}

// readRegistrySettings reads the registry flags over cfg (which may be nil)
// and sets the pin mode of fc from --pin.
func readRegistrySettings(c *cli.Context, cfg *config.File, fc *fixers.Config) (registrySettings, error) {
	rs := registrySettings{
		mirrors:     map[string]string{},
		offline:     c.Bool("offline"),
		refresh:     c.Bool("refresh"),
		cacheDir:    c.String("cache-dir"),
		concurrency: c.Int("concurrency"),
	}
	if cfg != nil {
		for host, u := range cfg.Mirrors {
			rs.mirrors[host] = u
		}
		rs.insecure = append(rs.insecure, cfg.InsecureRegistries...)
		rs.ttl = cfg.CacheTTL
		rs.update = cfg.Update
	}
	for _, m := range c.StringSlice("registry-mirror") {
		host, u, ok := strings.Cut(m, "=")
		if !ok || host == "" || u == "" {
			return rs, usagef("--registry-mirror %q: expected HOST=URL, such as docker.io=http://127.0.0.1:5000", m)
		}
		// A flag replaces the file's mirror for any spelling of the host.
		for h := range rs.mirrors {
			if registry.NormalizeRegistry(h) == registry.NormalizeRegistry(host) {
				delete(rs.mirrors, h)
			}
		}
		rs.mirrors[host] = u
	}
	rs.insecure = append(rs.insecure, c.StringSlice("insecure-registry")...)
	if c.IsSet("pin") {
		mode, err := parsePin(c.String("pin"))
		if err != nil {
			return rs, err
		}
		fc.Pin = mode
	}
	if c.IsSet("concurrency") && rs.concurrency < 1 {
		return rs, usagef("--concurrency must be at least 1, got %d", rs.concurrency)
	}
	// Check the options now, so that a bad mirror URL is a usage error
	// before any file is read.
	if _, err := registry.New(rs.options()...); err != nil {
		return rs, &usageError{err}
	}
	return rs, nil
}

// parsePin parses a --pin value.
func parsePin(s string) (fixers.PinMode, error) {
	switch s {
	case "version":
		return fixers.PinVersion, nil
	case "digest":
		return fixers.PinDigest, nil
	case "version+digest":
		return fixers.PinVersionAndDigest, nil
	}
	return 0, usagef("unknown --pin %q; expected version, digest or version+digest", s)
}

// options turns the settings into resolver options, in a fixed order.
func (rs registrySettings) options() []registry.Option {
	opts := []registry.Option{
		registry.WithJobs(max(rs.concurrency, 1)),
		registry.WithOffline(rs.offline),
		registry.WithRefresh(rs.refresh),
	}
	if rs.cacheDir != "" {
		opts = append(opts, registry.WithCacheDir(rs.cacheDir))
	}
	if rs.ttl > 0 {
		opts = append(opts, registry.WithTTL(rs.ttl))
	}
	hosts := make([]string, 0, len(rs.mirrors))
	for h := range rs.mirrors {
		hosts = append(hosts, h)
	}
	sort.Strings(hosts)
	for _, h := range hosts {
		opts = append(opts, registry.WithMirror(h, rs.mirrors[h]))
	}
	for _, h := range rs.insecure {
		opts = append(opts, registry.WithInsecure(h))
	}
	return opts
}

// policyFor returns the update policy of an image: the first per-image
// entry of the file matching it as written or in Docker Hub's long or short
// spelling (docker.io/library/redis, redis), else --policy, else the file's
// policy, else minor.
func (rs registrySettings) policyFor(r fixers.ImageRef) registry.Policy {
	spellings := []string{r.Text}
	if ref, err := registry.ParseReference(r.Text); err == nil {
		rest := strings.TrimPrefix(r.Text, ref.Name())
		spellings = append(spellings, ref.Repo()+rest)
		if ref.Registry == registry.DockerHub {
			spellings = append(spellings, strings.TrimPrefix(ref.Repository, "library/")+rest)
		}
	}
	p := rs.imagePolicy(spellings)
	pol, err := registry.ParsePolicy(string(p))
	if err != nil {
		return registry.PolicyMinor // config validated the names already
	}
	return pol
}

// imagePolicy returns the policy of the first update.images entry matching
// any spelling, else --policy, else update.policy, else the default.
func (rs registrySettings) imagePolicy(spellings []string) config.Policy {
	for _, ip := range rs.update.Images {
		for _, s := range spellings {
			if config.MatchImage(ip.Pattern, s) {
				return ip.Policy
			}
		}
	}
	switch {
	case rs.policy != "":
		return rs.policy
	case rs.update.Policy != "":
		return rs.update.Policy
	}
	return config.DefaultPolicy
}

// registryStats is what resolving cost, for the summary.
type registryStats struct {
	lookups, requests, cacheHits int
}

// registryFailure lists the images the registry could not answer for:
// unreachable, refused, throttled or answering nonsense. The run still
// writes everything else, then exits 2.
type registryFailure struct {
	errs []string // "image: error", sorted
}

func (e *registryFailure) Error() string {
	return fmt.Sprintf("resolving %d %s failed:\n  %s", len(e.errs), plural(len(e.errs), "image"), strings.Join(e.errs, "\n  "))
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// errOfflineMiss replaces registry.ErrOffline in findings with the reason
// in the user's words.
var errOfflineMiss = errors.New("offline and not in the cache")

// resolveImages resolves every image reference of every document at once
// (deduplicated) and returns the resolutions the rules read, never nil. A
// registry failure is returned as err after everything else was resolved;
// the caller still fixes and writes, then exits 2. Offline misses and
// unknown tags are findings only.
func resolveImages(ctx context.Context, s *settings, docs []*compose.Document) (fixers.Resolutions, registryStats, error) {
	out := fixers.Resolutions{}
	if !imageRulesSelected(s.rules) {
		return out, registryStats{}, nil // no rule would read the answers
	}
	var reqs []registry.Request
	index := map[string]int{}
	for _, d := range docs {
		for _, r := range fixers.ImageRefs(d, s.fixers) {
			ask, precise := r.Lookup(s.fixers)
			if !ask {
				continue
			}
			if i, ok := index[r.Text]; ok {
				reqs[i].Precise = reqs[i].Precise || precise
				continue
			}
			req := registry.Request{Ref: r.Text, Precise: precise}
			if s.fixers.Images.Update {
				pol := s.reg.policyFor(r)
				req.Policy = &pol
			}
			index[r.Text] = len(reqs)
			reqs = append(reqs, req)
		}
	}
	if len(reqs) == 0 {
		return out, registryStats{}, nil
	}
	opts := append(s.reg.options(), registry.WithProgress(func(done, _, cached int) { s.progress.Update(done, cached) }))
	res, err := registry.New(opts...)
	if err != nil {
		return out, registryStats{}, fmt.Errorf("configuring the registry client: %w", err)
	}
	s.progress.Start(len(reqs))
	answers := res.Resolve(ctx, reqs)
	s.progress.Done()
	keys := map[string]bool{}
	var failed []string
	for text, a := range answers {
		if a.Ref.Repository != "" {
			keys[a.Ref.Key()] = true
		}
		r := fixers.Resolution{Digest: a.Digest, Tag: a.Tag, Err: a.Err}
		for _, n := range a.Newer {
			r.Newer = append(r.Newer, fixers.TagDigest{Tag: n.Tag, Digest: n.Digest})
		}
		switch {
		case a.Err == nil:
		case errors.Is(a.Err, registry.ErrOffline):
			r.Err = errOfflineMiss
		case registryFault(a.Err):
			failed = append(failed, fmt.Sprintf("%s: %v", text, a.Err))
		}
		out[text] = r
	}
	st := res.Stats()
	stats := registryStats{lookups: len(keys), requests: st.Total(), cacheHits: st.CacheHits}
	if len(failed) > 0 {
		sort.Strings(failed)
		return out, stats, &registryFailure{errs: failed}
	}
	return out, stats, nil
}

// imageRulesSelected reports whether any selected rule reads resolutions:
// the images family, CF0xx.
func imageRulesSelected(rules []*fixers.Rule) bool {
	for _, r := range rules {
		if strings.HasPrefix(r.ID, "CF0") {
			return true
		}
	}
	return false
}

// registryFault reports whether err is the registry's failure (exit 2)
// rather than a fact about the image (not found, not cached offline,
// interpolated, malformed), which is only a finding.
func registryFault(err error) bool {
	for _, k := range []error{registry.ErrUnauthorized, registry.ErrRateLimited, registry.ErrUnavailable,
		registry.ErrTimeout, registry.ErrBadResponse, registry.ErrDigestMismatch} {
		if errors.Is(err, k) {
			return true
		}
	}
	return false
}
