package pipeline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/fixers"
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
	return fmt.Sprintf("resolving %d %s failed:\n  %s", len(e.Errs), plural(len(e.Errs), "image"), strings.Join(e.Errs, "\n  "))
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
// the caller still fixes and writes. Offline misses and unknown tags are
// findings only.
func resolveImages(ctx context.Context, o *Options, docs []*compose.Document) (fixers.Resolutions, registryStats, error) {
	out := fixers.Resolutions{}
	pins := imageRulesSelected(o.Rules)
	facts := o.ImageFacts && factsRulesSelected(o.Rules)
	if !pins && !facts {
		return out, registryStats{}, nil // no rule would read the answers
	}
	platforms := map[string][]string{}
	if facts {
		for _, d := range docs {
			for text, ps := range fixers.ImagePlatforms(d) {
				for _, p := range ps {
					if !slices.Contains(platforms[text], p) {
						platforms[text] = append(platforms[text], p)
					}
				}
			}
		}
	}
	var reqs []registry.Request
	index := map[string]int{}
	factsOnly := map[string]bool{} // asked only for image facts: pins never see the answer
	for _, d := range docs {
		cfg := o.configFor(d.Path)
		for _, r := range fixers.ImageRefs(d, cfg) {
			ask, precise := r.Lookup(cfg)
			ask, precise = ask && pins, precise && pins
			var ps []string
			if r.Skip == fixers.NotSkipped {
				ps = platforms[r.Text]
			}
			if !ask && len(ps) == 0 {
				continue
			}
			if i, ok := index[r.Text]; ok {
				reqs[i].Precise = reqs[i].Precise || precise
				factsOnly[r.Text] = factsOnly[r.Text] && !ask
				continue
			}
			factsOnly[r.Text] = !ask
			req := registry.Request{Ref: r.Text, Precise: precise, Platforms: ps}
			if ask && o.Fixers.Images.Update {
				pol := registry.PolicyMinor
				if o.Policy != nil {
					pol = o.Policy(r)
				}
				req.Policy = &pol
				req.Releases = true // for the summary: type, date, links
				if o.MinAge != nil {
					req.MinAge = o.MinAge(r)
				}
			}
			index[r.Text] = len(reqs)
			reqs = append(reqs, req)
		}
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
