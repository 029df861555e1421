package main

import (
	"sort"
	"strings"
	"time"

	"github.com/composefix/composefix/config"
	"github.com/composefix/composefix/fixers"
	"github.com/composefix/composefix/registry"
	"github.com/docker/go-units"
	"github.com/urfave/cli/v2"
)

// registryFlags are the flags that say how images are resolved and pinned.
func registryFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "pin", Usage: "how images are pinned: version, digest or version+digest (default: version)"},
		&cli.StringSliceFlag{Name: "registry-mirror", Usage: "resolve HOST's images at URL, as HOST=URL (repeatable; e.g. docker.io=http://127.0.0.1:5000)"},
		&cli.StringSliceFlag{Name: "insecure-registry", Usage: "speak plain HTTP to HOST[:PORT] (repeatable; loopback hosts always do)"},
		&cli.BoolFlag{Name: "offline", Usage: "no network: use the cache only; unresolved images are reported, not guessed"},
		&cli.BoolFlag{Name: "refresh", Usage: "ignore registry answers cached before this run (fresh ones are cached, and reused within the run)"},
		&cli.StringFlag{Name: "cache-dir", Usage: "registry cache directory (default: the user cache directory + /composefix)"},
		&cli.IntFlag{Name: "concurrency", Value: 8, Usage: "registry requests in flight at once"},
		&cli.StringFlag{Name: "timeout", Value: "10s", Usage: "give up on one registry request (an attempt, body included) after `DURATION`"},
		&cli.IntFlag{Name: "retries", Value: 3, Usage: "retry a registry request `N` times after a 429, a 5xx, a timeout or a network error"},
		&cli.BoolFlag{Name: "image-facts", Value: true, Usage: "read each image's config (user, HEALTHCHECK, platforms) from its registry; --image-facts=false turns it off"},
		&cli.BoolFlag{Name: "inspect-files", Usage: "also read each image's layers (tar headers only, cached by layer digest) to learn which programs it holds"},
		&cli.StringFlag{Name: "inspect-budget", Value: "2GiB", Usage: "layer bytes --inspect-files may download in one run (such as 500MiB or 2GiB)"},
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
	timeout     time.Duration // per request attempt
	retries     int
	imageFacts  bool          // read image configs for the rules that use them
	inspect     bool          // also read image layers (--inspect-files, inspect_files)
	budget      int64         // layer bytes --inspect-files may download
	ttl         time.Duration // 0: the registry package's default
	notFoundTTL time.Duration // 0: the registry package's default
	update      config.UpdatePolicy
	// policy, when set, replaces the file's update.policy (per-image
	// entries still win); set by `composefix update --policy`.
	policy config.Policy
	// minAge, when set, replaces the file's update.min_age (per-image
	// entries still win); set by `composefix update --min-age`.
	minAge *time.Duration
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
		imageFacts:  c.Bool("image-facts"),
		inspect:     c.Bool("inspect-files"),
	}
	budget, err := units.RAMInBytes(c.String("inspect-budget"))
	if err != nil || budget < 0 {
		return rs, usagef("--inspect-budget %q: expected a size such as 500MiB or 2GiB", c.String("inspect-budget"))
	}
	rs.budget = budget
	if cfg != nil {
		for host, u := range cfg.Mirrors {
			rs.mirrors[host] = u
		}
		rs.insecure = append(rs.insecure, cfg.InsecureRegistries...)
		rs.ttl = cfg.CacheTTL
		rs.notFoundTTL = cfg.CacheNotFoundTTL
		rs.inspect = rs.inspect || cfg.InspectFiles
		rs.update = cfg.Update
	}
	for _, m := range c.StringSlice("registry-mirror") {
		host, u, ok := strings.Cut(m, "=")
		// A host has no path, query or userinfo: an "=" inside a URL given
		// without HOST= does not split it. The value is quoted scrubbed,
		// as a URL pasted there may carry credentials.
		if !ok || host == "" || u == "" || strings.ContainsAny(host, "/?#@") {
			return rs, usagef("--registry-mirror %q: expected HOST=URL, such as docker.io=http://127.0.0.1:5000", registry.ScrubURL(m))
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
	if rs.timeout, err = time.ParseDuration(c.String("timeout")); err != nil || rs.timeout <= 0 {
		return rs, usagef("--timeout %q: expected a positive duration such as 5s or 1m", c.String("timeout"))
	}
	if rs.retries = c.Int("retries"); rs.retries < 0 {
		return rs, usagef("--retries must not be negative, got %d", rs.retries)
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
		registry.WithInspectFiles(rs.inspect && rs.imageFacts),
		registry.WithInspectBudget(rs.budget),
	}
	if rs.inspect && rs.imageFacts {
		// Layers take longer than manifests: the run's deadline grows from
		// the default 2 minutes to what a 2 GiB budget needs on a slow link.
		opts = append(opts, registry.WithTotalTimeout(15*time.Minute))
	}
	if rs.timeout > 0 {
		opts = append(opts, registry.WithRequestTimeout(rs.timeout))
	}
	if rs.retries >= 0 {
		opts = append(opts, registry.WithRetries(rs.retries))
	}
	if rs.cacheDir != "" {
		opts = append(opts, registry.WithCacheDir(rs.cacheDir))
	}
	if rs.ttl > 0 {
		opts = append(opts, registry.WithTTL(rs.ttl))
	}
	if rs.notFoundTTL > 0 {
		opts = append(opts, registry.WithNotFoundTTL(rs.notFoundTTL))
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
	p := rs.imagePolicy(r)
	pol, err := registry.ParsePolicy(string(p))
	if err != nil {
		return registry.PolicyMinor // config validated the names already
	}
	return pol
}

// imagePolicy returns the policy of the first update.images entry setting
// one and matching r in any spelling, else --policy, else update.policy,
// else the default.
func (rs registrySettings) imagePolicy(r fixers.ImageRef) config.Policy {
	for _, ip := range rs.update.Images {
		if ip.Policy != "" && fixers.MatchImage(ip.Pattern, r) {
			return ip.Policy
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
