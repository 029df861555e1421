package pipeline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/fixers"
	"github.com/composefix/composefix/internal/plural"
	"github.com/composefix/composefix/registry"
)

// registryStats is what resolving cost, for the summary.
type registryStats struct {
	lookups, requests, cacheHits int
}

// RegistryFailure lists the images the registry could not answer for:
// unreachable, refused, throttled or answering nonsense. The run still
// writes everything else; the CLI then exits 2.
type RegistryFailure struct {
	Errs []string // "image: error", sorted
}

func (e *RegistryFailure) Error() string {
	return fmt.Sprintf("resolving %d %s failed:\n  %s", len(e.Errs), plural.Noun(len(e.Errs), "image"), strings.Join(e.Errs, "\n  "))
}

// errOfflineMiss replaces registry.ErrOffline in findings with the reason
// in the user's words.
var errOfflineMiss = errors.New("offline and not in the cache")

// refUse is how one file uses an image reference: what resolveImages
// needs of it. Uses are gathered file by file in the run's first pass,
// each distinct use once, so that the trees can go.
type refUse struct {
	text       string
	ask        bool // the pin rules read the answer
	precise    bool
	notSkipped bool // r.Skip == fixers.NotSkipped: it may ask for image facts
	policy     registry.Policy
	hasPolicy  bool
	minAge     time.Duration
}

// refCollector gathers the image references of a run's documents, in
// document order, and the platforms the image-facts rules ask for.
type refCollector struct {
	o         *Options
	pins      bool // a pin rule reads resolutions
	facts     bool // a rule reads image facts
	uses      []refUse
	seen      map[refUse]bool
	platforms map[string][]string
}

func newRefCollector(o *Options) *refCollector {
	return &refCollector{o: o, pins: imageRulesSelected(o.Rules), facts: o.ImageFacts && factsRulesSelected(o.Rules),
		seen: map[refUse]bool{}, platforms: map[string][]string{}}
}

// docRefs is what one document adds to a refCollector, listed apart from
// it so that documents can be read concurrently and added in order.
type docRefs struct {
	uses      []refUse
	platforms map[string][]string
}

// scan lists what d, fixed with cfg, adds to c. It only reads c's
// settings.
func (c *refCollector) scan(d *compose.Document, cfg *fixers.Config) docRefs {
	var out docRefs
	if !c.pins && !c.facts {
		return out // no rule would read the answers
	}
	if c.facts {
		out.platforms = fixers.ImagePlatforms(d)
	}
	for _, r := range fixers.ImageRefs(d, cfg) {
		ask, precise := r.Lookup(cfg)
		u := refUse{text: r.Text, ask: ask && c.pins, precise: precise && c.pins, notSkipped: r.Skip == fixers.NotSkipped}
		if u.ask && c.o.Fixers.Images.Update {
			u.policy, u.hasPolicy = registry.PolicyMinor, true
			if c.o.Policy != nil {
				u.policy = c.o.Policy(r)
			}
			if c.o.MinAge != nil {
				u.minAge = c.o.MinAge(r)
			}
		}
		out.uses = append(out.uses, u)
	}
	return out
}

// add adds one document's references, in document order.
func (c *refCollector) add(r docRefs) {
	for text, ps := range r.platforms {
		for _, p := range ps {
			if !slices.Contains(c.platforms[text], p) {
				c.platforms[text] = append(c.platforms[text], p)
			}
		}
	}
	for _, u := range r.uses {
		// A use seen before changes nothing: it would be merged into the
		// same request the same way.
		if !c.seen[u] {
			c.seen[u] = true
			c.uses = append(c.uses, u)
		}
	}
}

// resolveImages resolves every image reference of docs at once
// (deduplicated); see resolveCollected.
func resolveImages(ctx context.Context, o *Options, docs []*compose.Document) (fixers.Resolutions, registryStats, error) {
	c := newRefCollector(o)
	for _, d := range docs {
		c.add(c.scan(d, o.configFor(d.Path)))
	}
	return resolveCollected(ctx, o, c)
}

// resolveCollected resolves every image reference c gathered at once
// (deduplicated) and returns the resolutions the rules read, never nil. A
// registry failure is returned as err after everything else was resolved;
// the caller still fixes and writes. Offline misses and unknown tags are
// findings only.
func resolveCollected(ctx context.Context, o *Options, c *refCollector) (fixers.Resolutions, registryStats, error) {
	out := fixers.Resolutions{}
	if !c.pins && !c.facts {
		return out, registryStats{}, nil // no rule would read the answers
	}
	var reqs []registry.Request
	index := map[string]int{}
	factsOnly := map[string]bool{} // asked only for image facts: pins never see the answer
	for _, u := range c.uses {
		var ps []string
		if u.notSkipped {
			ps = c.platforms[u.text]
		}
		if !u.ask && len(ps) == 0 {
			continue
		}
		if i, ok := index[u.text]; ok {
			reqs[i].Precise = reqs[i].Precise || u.precise
			factsOnly[u.text] = factsOnly[u.text] && !u.ask
			continue
		}
		factsOnly[u.text] = !u.ask
		req := registry.Request{Ref: u.text, Precise: u.precise, Platforms: ps}
		if u.hasPolicy {
			pol := u.policy
			req.Policy = &pol
			req.Releases = true // for the summary: type, date, links
			req.MinAge = u.minAge
		}
		index[u.text] = len(reqs)
		reqs = append(reqs, req)
	}
	if len(reqs) == 0 {
		return out, registryStats{}, nil
	}
	opts := o.Registry
	if o.Progress != nil {
		opts = append(opts[:len(opts):len(opts)], registry.WithProgress(func(done, _, cached int) { o.Progress.Update(done, cached) }))
	}
	res, err := registry.New(opts...)
	if err != nil {
		return out, registryStats{}, fmt.Errorf("configuring the registry client: %w", err)
	}
	if o.Progress != nil {
		o.Progress.Start(len(reqs))
	}
	answers := res.Resolve(ctx, reqs)
	if o.Progress != nil {
		o.Progress.Done()
	}
	keys := map[string]bool{}
	var failed []string
	for text, a := range answers {
		if a.Ref.Repository != "" {
			keys[a.Ref.Key()] = true
		}
		if errors.Is(a.Err, registry.ErrNotFound) {
			// Whoever asked, the registry says the image does not exist:
			// CF006's error-level finding, and nothing else about it.
			out[text] = fixers.Resolution{Err: a.Err, NotFound: true}
			continue
		}
		if factsOnly[text] {
			// The pin rules did not ask: they see no digest and no error,
			// as before image facts. A failure only costs the facts.
			facts := imageFacts(a.Facts)
			if a.Err != nil && !errors.Is(a.Err, registry.ErrOffline) {
				facts = map[string]fixers.ImageFacts{}
				for _, p := range platformsOf(reqs, index, text) {
					facts[p] = fixers.ImageFacts{Err: a.Err}
				}
			}
			out[text] = fixers.Resolution{Facts: facts}
			continue
		}
		r := fixers.Resolution{Digest: a.Digest, Tag: a.Tag, Err: a.Err, Facts: imageFacts(a.Facts),
			Young: a.Young, Held: a.Held, NewerRelease: release(a.NewerRelease), Release: release(a.Release)}
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
		return out, stats, &RegistryFailure{Errs: failed}
	}
	return out, stats, nil
}

// factsRulesSelected reports whether any selected rule reads image facts.
func factsRulesSelected(rules []*fixers.Rule) bool {
	for _, r := range rules {
		switch r.ID {
		case "CF005", "CF101", "CF102", "CF103", "CF509":
			return true
		}
	}
	return false
}

// imageFacts converts the registry's facts into what the rules read.
func imageFacts(in map[string]registry.Facts) map[string]fixers.ImageFacts {
	if len(in) == 0 {
		return nil
	}
	out := make(map[string]fixers.ImageFacts, len(in))
	for p, f := range in {
		if errors.Is(f.Err, registry.ErrOffline) {
			continue // offline and not cached: the rules fall back without a word
		}
		out[p] = fixers.ImageFacts{
			Platforms: f.Platforms, Unserved: f.Unserved, Err: f.Err,
			User: f.User, Healthcheck: f.Healthcheck, ExposedPorts: f.ExposedPorts,
			Entrypoint: f.Entrypoint, Cmd: f.Cmd, Path: f.Path, Labels: f.Labels, Created: f.Created,
			FilesNote: f.FilesNote,
		}
		if f.Files != nil {
			ff := out[p]
			ff.Files = &fixers.FileFacts{Programs: f.Files.Programs, Paths: f.Files.Paths, Shells: f.Files.Shells}
			out[p] = ff
		}
	}
	return out
}

// platformsOf returns the platforms a request asked facts for.
func platformsOf(reqs []registry.Request, index map[string]int, text string) []string {
	if i, ok := index[text]; ok {
		return reqs[i].Platforms
	}
	return nil
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

// release converts a registry release for the rules and the summary.
func release(r *registry.Release) *fixers.Release {
	if r == nil {
		return nil
	}
	return &fixers.Release{Created: r.Created, Labels: r.Labels}
}
