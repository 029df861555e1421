package registry

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// Resolver answers questions about image references from their registries,
// through a disk cache. It is safe for concurrent use.
type Resolver struct {
	o     options
	cache *diskCache // nil when there is no cache directory
	rt    *retryTransport
	stats *counters
}

// Request asks about one image reference.
type Request struct {
	Ref     string  // as written (an interpolation's literal default is taken as well)
	Precise bool    // also search the most precise tag carrying the same digest
	Policy  *Policy // non-nil: also list the newer tags the policy allows
	// Platforms, when set, asks for the image's facts on each platform
	// ("linux/amd64"), read from its config (see Facts).
	Platforms []string
	// Releases asks, with Policy, for the Release of the newer tag chosen
	// and of a digest that replaces the one written beside the tag.
	Releases bool
	// MinAge, with Policy, skips newer tags whose image was created less
	// than MinAge ago (or whose creation time is unknown), like Renovate's
	// minimumReleaseAge.
	MinAge time.Duration
}

// Result answers one Request. Digest is set whenever it could be looked up,
// even if Err reports that a later step (the tag list, a candidate) failed.
type Result struct {
	Ref    Reference
	Digest string      // what the reference's tag points at now (the index digest for multi-arch images); for a bare digest reference, that digest once seen to exist
	Tag    string      // the most precise tag with that digest: the tag itself when already precise, "" when none was found (pin the digest instead)
	Newer  []TagDigest // newer tags allowed by the policy, best first; only the first carries a digest, and it is the best one that exists
	Err    error       // per reference; wraps one of the sentinel errors (ErrNotFound, ErrUnauthorized, …)
	Cached bool        // every answer came from the disk cache
	// Facts answers Request.Platforms, by platform as asked; nil when none
	// were asked or the digest could not be looked up.
	Facts map[string]Facts
	// Release describes Digest when it differs from the digest written
	// beside the reference's tag and Request.Releases asked for it.
	Release *Release
	// Young is set when Request.MinAge is set and the digest that replaces
	// the one written is younger than it (or of unknown age).
	Young bool
	// NewerRelease describes Newer[0] when Request.Releases or MinAge asked.
	NewerRelease *Release
	// Held lists the newer tags skipped because they are younger than
	// Request.MinAge, best first.
	Held []string
}

// TagDigest is a tag and, when looked up, its digest.
type TagDigest struct{ Tag, Digest string }

// Stats counts what resolving cost so far.
type Stats struct {
	Requests    map[string]int // HTTP round trips by method, retries, pings and token requests included
	CacheHits   int            // answers read from the disk cache
	CacheMisses int            // cache lookups that had to go to the network (or failed offline)
	Paced       time.Duration  // time spent waiting to stay within registry quotas
}

// Total returns the number of HTTP round trips.
func (s Stats) Total() int {
	n := 0
	for _, c := range s.Requests {
		n += c
	}
	return n
}

// New returns a Resolver configured by opts.
func New(opts ...Option) (*Resolver, error) {
	o := defaults()
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	if err := o.finish(); err != nil {
		return nil, err
	}
	r := &Resolver{o: o, stats: &counters{requests: map[string]int{}}}
	if o.cacheDir != "" {
		r.cache = newDiskCache(o.cacheDir, o.ttl, o.notFoundTTL, o.clock.Now)
		if o.refresh {
			r.cache.since = o.runStart
		}
	}
	r.rt = &retryTransport{
		next:          o.transport,
		plain:         r.plain,
		jobs:          make(chan struct{}, o.jobs),
		pacer:         newPacer(o.paceLowWater),
		clock:         o.clock,
		retries:       o.retries,
		timeout:       o.timeout,
		maxRetryAfter: o.maxRetryAfter,
		backoffBase:   o.backoffBase,
		backoffMax:    o.backoffMax,
		stats:         r.stats,
		onRetry:       o.onRetry,
		beforeRequest: o.beforeNetwork,
		rng:           o.rng,
	}
	return r, nil
}

// Stats returns the counts accumulated by every Resolve call so far.
func (r *Resolver) Stats() Stats {
	r.stats.mu.Lock()
	defer r.stats.mu.Unlock()
	s := Stats{Requests: map[string]int{}, CacheHits: r.stats.hits, CacheMisses: r.stats.misses, Paced: r.stats.waited}
	for k, v := range r.stats.requests {
		s.Requests[k] = v
	}
	return s
}

// plain reports whether host[:port] is spoken to in plain http.
func (r *Resolver) plain(host string) bool {
	return isLoopback(host) || r.o.insecure[strings.ToLower(host)]
}

// Resolve answers every request, keyed by Request.Ref as given. Requests
// naming the same image in any spelling (redis:7, docker.io/library/redis:7)
// are looked up once; so is every tag list and tag digest shared between
// them. Lookups run concurrently, at most WithJobs requests at a time, and
// end by the total timeout. Failures are per reference, in Result.Err.
// When several requests share a reference, it is searched for a precise tag
// if any of them asks; each spelling's newer tags are those its own request
// allows (policy, minimum age), computed from the one tag list. Requests
// repeating a spelling are one question: the first policy given, releases
// if any asks, the longest minimum age.
func (r *Resolver) Resolve(ctx context.Context, reqs []Request) map[string]Result {
	// Offline, a lookup only reads the disk cache: the total timeout,
	// which bounds the waits on the network, would only start the
	// runtime's first timer, and with it the poller it sleeps on (an
	// epoll instance, an event fd, a thread waiting on them) in every
	// offline run (issue 14: startup).
	cancel := func() {}
	if !r.o.offline {
		ctx, cancel = context.WithTimeout(ctx, r.o.deadline)
	}
	defer cancel()
	rn := &run{r: r}
	rn.ctx = context.WithValue(ctx, secretsKey{}, &rn.secrets)
	if r.o.inspectFiles {
		rn.inspect = &inspector{budget: r.o.inspectBudget, progress: r.o.inspectReport}
	}
	for _, q := range reqs {
		// Releases read configs too: keep the manifests a tag lookup verified.
		rn.wantFacts = rn.wantFacts || len(q.Platforms) > 0 || q.Releases || q.MinAge > 0
	}

	out := make(map[string]Result, len(reqs))
	type job struct {
		ref       Reference
		precise   bool
		platforms []string
		asks      []updateAsk // distinct, of the spellings that ask for updates
		res       Result      // the digest, precise tag and facts every spelling shares
		answers   []Result    // res, with the update of asks[i]
		cached    bool        // every answer of the job came from the disk cache
	}
	jobs := map[string]*job{}
	keyOf := map[string]string{}
	parsed := map[string]Reference{} // by spelling: its reference, parsed once
	asks := map[string]*updateAsk{}  // by spelling: the update it asks for, nil for none
	var order []string
	for _, q := range reqs {
		k, seen := keyOf[q.Ref]
		if !seen {
			text, _, err := LiteralImage(q.Ref)
			var ref Reference
			if err == nil {
				ref, err = ParseReference(text)
			}
			if err != nil {
				keyOf[q.Ref] = ""
				out[q.Ref] = Result{Err: err}
				continue
			}
			k = ref.Key()
			keyOf[q.Ref] = k
			parsed[q.Ref] = ref
			if jobs[k] == nil {
				jobs[k] = &job{ref: ref}
				order = append(order, k)
			}
		}
		j := jobs[k]
		if j == nil {
			continue // a spelling already answered with its error
		}
		j.precise = j.precise || q.Precise
		j.platforms = addPlatforms(j.platforms, q.Platforms)
		asks[q.Ref] = asks[q.Ref].merge(q)
	}
	for ref, a := range asks {
		if j := jobs[keyOf[ref]]; j != nil && a != nil && !slices.Contains(j.asks, *a) {
			j.asks = append(j.asks, *a)
		}
	}
	for _, j := range jobs {
		// Map order above: sorted, the lookups run in the same order each run.
		slices.SortFunc(j.asks, updateAsk.compare)
	}

	var wg sync.WaitGroup
	var mu sync.Mutex
	done, cached := 0, 0
	finished := func(j *job) {
		if r.o.progress == nil {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		done++
		if j.cached {
			cached++
		}
		r.o.progress(done, len(order), cached)
	}
	lookups := make([]func(), len(order))
	for i, k := range order {
		j := jobs[k]
		lookups[i] = func() {
			defer finished(j)
			defer func() {
				if p := recover(); p != nil {
					j.res = Result{Ref: j.ref, Err: &Error{Op: "resolving", Ref: k, Kind: ErrInternal, Err: fmt.Errorf("%v", p)}}
					j.answers, j.cached = nil, false
				}
			}()
			j.res = rn.resolve(j.ref, j.precise)
			if len(j.platforms) > 0 && j.res.Digest != "" {
				j.res.Facts = make(map[string]Facts, len(j.platforms))
				for _, p := range j.platforms {
					f := rn.facts(j.ref, j.res.Digest, p)
					j.res.Facts[p] = f
					j.res.Cached = j.res.Cached && f.Cached
				}
			}
			j.cached = j.res.Cached
			j.answers = make([]Result, len(j.asks))
			for i, a := range j.asks {
				j.answers[i] = rn.update(j.ref, j.res, a)
				j.cached = j.cached && j.answers[i].Cached
			}
		}
	}
	switch {
	case len(lookups) == 1:
		// One image (a small file): a goroutine would only wake an idle
		// processor and start a thread for it (issue 14: startup).
		lookups[0]()
	case r.o.offline:
		// Offline, a lookup only reads the disk cache, and a goroutine
		// for each (142 for the corpus) cost more to start and to grow
		// the stack of than the reads: jobs workers take them in turn
		// (issue 14: Resolve is on the serial stretch between the passes).
		var next atomic.Int64
		for range min(len(lookups), r.o.jobs) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := next.Add(1) - 1; i < int64(len(lookups)); i = next.Add(1) - 1 {
					lookups[i]()
				}
			}()
		}
	default:
		for _, lookup := range lookups {
			wg.Add(1)
			go func() {
				defer wg.Done()
				lookup()
			}()
		}
	}
	wg.Wait()

	for ref, k := range keyOf {
		if k == "" {
			continue
		}
		j := jobs[k]
		res := j.res
		if a := asks[ref]; a != nil {
			if i := slices.Index(j.asks, *a); i < len(j.answers) {
				res = j.answers[i] // else the lookup panicked: res says so
			}
		}
		res.Ref = parsed[ref] // each spelling keeps its own Original
		res.Newer = append([]TagDigest(nil), res.Newer...)
		out[ref] = res
	}
	for ref, res := range out {
		res.Err = rn.secrets.redact(res.Err)
		if res.Facts != nil {
			facts := make(map[string]Facts, len(res.Facts))
			for p, f := range res.Facts {
				f.Err = rn.secrets.redact(f.Err)
				facts[p] = f
			}
			res.Facts = facts
		}
		out[ref] = res
	}
	return out
}

// run holds one Resolve call's shared lookups.
type run struct {
	r          *Resolver
	ctx        context.Context
	challenges memo[*transport.Challenge]   // by registry host actually asked
	transports memo[http.RoundTripper]      // by repository actually asked
	tagLists   memo[lookup[[]string]]       // by logical repository
	digests    memo[lookup[string]]         // by logical repository + ":tag" or "@digest"
	manifests  memo[Manifest]               // verified, by logical repository + ":tag" or "@digest"
	secrets    secrets                      // credentials used, taken out of every error
	factsMemo  memo[Facts]                  // by logical repository + "@digest|platform"
	configs    memo[lookup[*v1.ConfigFile]] // verified and parsed, by logical repository + "@" + config digest
	wantFacts  bool                         // some request asks for facts: keep manifests by digest
	inspect    *inspector                   // nil unless WithInspectFiles
	seenMu     sync.Mutex
	seen       map[string]Manifest   // verified manifests of this run, by digest
	releases   memo[lookup[Release]] // by logical repository + "@digest"
}

// addPlatforms adds the platforms of more not yet in list.
func addPlatforms(list, more []string) []string {
	for _, p := range more {
		if !slices.Contains(list, p) {
			list = append(list, p)
		}
	}
	return list
}

// updateAsk is what a spelling asks about updates: the newer tags policy
// allows, and what it asks beyond the policy.
type updateAsk struct {
	policy   Policy
	releases bool
	minAge   time.Duration
}

// merge adds q's ask to u's, the ask of earlier requests of the same
// spelling (nil: none yet): the first policy given, releases if any
// request wants them, the longest minimum age (the most careful) when
// requests disagree. A request without a policy asks for no update.
func (u *updateAsk) merge(q Request) *updateAsk {
	if q.Policy == nil {
		return u
	}
	if u == nil {
		return &updateAsk{policy: *q.Policy, releases: q.Releases, minAge: q.MinAge}
	}
	m := *u
	m.releases = m.releases || q.Releases
	m.minAge = max(m.minAge, q.MinAge)
	return &m
}

// compare orders asks by policy, then releases, then minimum age.
func (u updateAsk) compare(v updateAsk) int {
	switch {
	case u.policy != v.policy:
		return cmp.Compare(u.policy, v.policy)
	case u.releases != v.releases:
		if u.releases {
			return 1
		}
		return -1
	}
	return cmp.Compare(u.minAge, v.minAge)
}

// lookup is an answer and whether it came from the cache.
type lookup[T any] struct {
	val    T
	cached bool
}

// resolve looks up what ref's tag (or digest) points at and, when precise,
// the most precise tag with that digest: what every spelling of ref shares.
func (rn *run) resolve(ref Reference, precise bool) Result {
	res := Result{Ref: ref, Cached: true}
	ident := "@" + ref.Digest
	if ref.Tag != "" {
		ident = ":" + ref.Tag
	}
	d, err := rn.digest(ref, ident)
	if err != nil {
		res.Cached = d.cached // a remembered 404
		res.Err = wrapErr("looking up the digest of", ref.Repo()+ident, err)
		return res
	}
	res.Digest, res.Cached = d.val, d.cached
	if ref.Tag == "" {
		return res
	}
	if precise {
		tag, cached, err := rn.precise(ref, d.val)
		res.Tag, res.Cached = tag, res.Cached && cached
		if err != nil {
			res.Cached = false
			res.Err = err
			return res
		}
	}
	return res
}

// update adds to base, resolve's answer for ref, the newer tags upd
// allows, with the releases it asks for. The lookups it shares with other
// asks (the tag list, each digest and release) are made once per run.
func (rn *run) update(ref Reference, base Result, upd updateAsk) Result {
	res := base
	if res.Err != nil || ref.Tag == "" {
		return res
	}
	newer, rel, held, cached, err := rn.newer(ref, upd)
	res.Newer, res.NewerRelease, res.Held, res.Cached = newer, rel, held, res.Cached && cached
	if err != nil {
		res.Cached = false
		res.Err = err
		return res
	}
	if ref.Digest != "" && res.Digest != ref.Digest && (upd.releases || upd.minAge > 0) {
		rel, err := rn.release(ref, res.Digest)
		switch {
		case err == nil:
			res.Cached = res.Cached && rel.cached
			res.Release = &rel.val
			res.Young = rn.young(rel.val, upd.minAge)
		case optionalRelease(err, upd):
		default:
			res.Cached = false
			res.Err = err
		}
	}
	return res
}

// optionalRelease reports whether a release that could not be read offline
// may be left out: without a minimum age it only describes the update.
// Any other failure (a registry error, an answer failing verification) is
// the reference's error.
func optionalRelease(err error, upd updateAsk) bool {
	return upd.minAge <= 0 && errors.Is(err, ErrOffline)
}

// young reports whether rel is younger than minAge, or of unknown age
// while a minimum age is asked for.
func (rn *run) young(rel Release, minAge time.Duration) bool {
	if minAge <= 0 {
		return false
	}
	return rel.Created.IsZero() || rn.r.o.clock.Now().Sub(rel.Created) < minAge
}

// precise finds the most precise tag with digest d: the reference's own tag
// when already precise (or a version no tag of the registry refines),
// otherwise the first of at most maxCandidates tags,
// newest first, whose digest is d.
func (rn *run) precise(ref Reference, d string) (string, bool, error) {
	if IsPrecise(ref.Tag) {
		return ref.Tag, true, nil
	}
	tags, err := rn.tags(ref)
	if err != nil {
		return "", false, wrapErr("listing the tags of", ref.Repo(), err)
	}
	cached := tags.cached
	candidates := PreciseCandidates(ref.Tag, tags.val, rn.r.o.maxCandidates)
	if namesRelease(ref.Tag) && len(candidates) == 0 {
		// A version such as postgres:16.4 with no more precise tag in its
		// family is already the most precise name of its release.
		return ref.Tag, cached, nil
	}
	var firstErr error
	for _, c := range candidates {
		if c == ref.Tag {
			continue
		}
		cd, err := rn.digest(ref, ":"+c)
		if err != nil {
			if !errors.Is(err, ErrNotFound) && kindOf(err) != ErrNotFound && firstErr == nil {
				firstErr = err
			}
			cached = false
			continue
		}
		cached = cached && cd.cached
		if cd.val == d {
			return c, cached, nil
		}
	}
	if firstErr != nil {
		// A candidate we could not check might have matched.
		return "", false, wrapErr("searching a precise tag for", ref.Key(), firstErr)
	}
	return "", cached, nil
}

// newer lists the tags newer than the reference's under upd's policy, best first,
// with the digest of the best one that exists and is old enough (its
// release too, when asked), and the better ones held back as too young.
func (rn *run) newer(ref Reference, upd updateAsk) ([]TagDigest, *Release, []string, bool, error) {
	tags, err := rn.tags(ref)
	if err != nil {
		return nil, nil, nil, false, wrapErr("listing the tags of", ref.Repo(), err)
	}
	var held []string
	cached := tags.cached
	cands := NewerTags(ref.Tag, tags.val, upd.policy)
	for i, c := range cands {
		if i >= rn.r.o.maxCandidates {
			break
		}
		cd, err := rn.digest(ref, ":"+c)
		if err != nil {
			if kindOf(err) == ErrNotFound {
				continue // listed but gone: skip it
			}
			return nil, nil, nil, false, wrapErr("looking up the digest of", ref.Repo()+":"+c, err)
		}
		cached = cached && cd.cached
		var release *Release
		if upd.releases || upd.minAge > 0 {
			rel, err := rn.release(ref, cd.val)
			switch {
			case err == nil:
				cached = cached && rel.cached
				if rn.young(rel.val, upd.minAge) {
					held = append(held, c)
					continue
				}
				release = &rel.val
			case optionalRelease(err, upd):
			default:
				return nil, nil, nil, false, err
			}
		}
		out := []TagDigest{{Tag: c, Digest: cd.val}}
		for _, rest := range cands[i+1:] {
			out = append(out, TagDigest{Tag: rest})
		}
		return out, release, held, cached, nil
	}
	return nil, nil, held, cached, nil
}

// digest returns what ident (":tag" or "@digest") of ref's repository points at.
func (rn *run) digest(ref Reference, ident string) (lookup[string], error) {
	key := ref.Repo() + ident
	return rn.digests.do(key, func() (lookup[string], error) {
		r := rn.r
		if e, ok := rn.cached(kindDigest, key); ok {
			if e.NotFound != "" {
				return lookup[string]{cached: true}, notFoundErr(e.NotFound)
			}
			return lookup[string]{val: e.Digest, cached: true}, nil
		}
		if r.o.offline {
			return lookup[string]{}, ErrOffline
		}
		m, err := rn.manifest(ref, ident)
		if err != nil {
			var what string
			if id, ok := strings.CutPrefix(ident, "@"); ok {
				what = "manifest " + id
			} else {
				what = "tag " + strconv.Quote(ident[1:])
			}
			return lookup[string]{}, rn.rememberNotFound(kindDigest, key, ref.Repo(), what, err)
		}
		d := m.Digest
		rn.remember(m)
		rn.store(kindDigest, key, cacheEntry{Digest: d})
		return lookup[string]{val: d}, nil
	})
}

// manifest fetches and verifies ident (":tag" or "@digest") of ref's
// repository, once per run. It never reads or writes the disk cache: its
// callers cache the digest (and, through remember, the bytes) only after
// this verification. For "@digest" the bytes must hash to that digest.
func (rn *run) manifest(ref Reference, ident string) (Manifest, error) {
	return rn.manifests.do(ref.Repo()+ident, func() (Manifest, error) {
		repo, err := rn.r.target(ref)
		if err != nil {
			return Manifest{}, err
		}
		rt, err := rn.transport(repo)
		if err != nil {
			return Manifest{}, err
		}
		req, err := manifestRequest(rn, repo, ident)
		if err != nil {
			return Manifest{}, err
		}
		m, err := fetchManifest(req, rt)
		if err != nil {
			return Manifest{}, err
		}
		if want, ok := strings.CutPrefix(ident, "@"); ok && m.Digest != want {
			return Manifest{}, fmt.Errorf("registry %s answered GET %s with content hashing to %s: %w", req.URL.Host, req.URL.Redacted(), m.Digest, ErrDigestMismatch)
		}
		return m, nil
	})
}

// tags returns the tag list of ref's repository.
func (rn *run) tags(ref Reference) (lookup[[]string], error) {
	key := ref.Repo()
	return rn.tagLists.do(key, func() (lookup[[]string], error) {
		r := rn.r
		if e, ok := rn.cached(kindTags, key); ok {
			if e.NotFound != "" {
				return lookup[[]string]{cached: true}, notFoundErr(e.NotFound)
			}
			return lookup[[]string]{val: e.Tags, cached: true}, nil
		}
		if r.o.offline {
			return lookup[[]string]{}, ErrOffline
		}
		repo, err := r.target(ref)
		if err != nil {
			return lookup[[]string]{}, err
		}
		rt, err := rn.transport(repo)
		if err != nil {
			return lookup[[]string]{}, err
		}
		tags, err := remote.List(repo, remote.WithContext(rn.ctx), remote.WithTransport(rt))
		if err != nil {
			return lookup[[]string]{}, rn.rememberNotFound(kindTags, key, key, "", err)
		}
		if len(tags) == 0 {
			// Every caller has just looked up one of the repository's tags:
			// an empty list is a mirror or proxy not in sync, or a glitch,
			// not the truth. Trusted, it would say "no newer version" and
			// find no precise tag; cached, it would replace a good list.
			return lookup[[]string]{}, fmt.Errorf("the registry listed no tags for %s, whose tags it serves (a mirror or proxy not in sync?): %w", repo, ErrBadResponse)
		}
		sort.Strings(tags)
		rn.store(kindTags, key, cacheEntry{Tags: tags})
		return lookup[[]string]{val: tags}, nil
	})
}

// rememberNotFound caches a 404 for key and returns it in words that do
// not depend on the answer's details, so that a run from the cache prints
// what the run that asked printed: "no repository R" when the registry
// says so (or for a tag list), else "no " + what. Only the registry's own
// 404, naming MANIFEST_UNKNOWN or NAME_UNKNOWN, is cached: a bare 404 page
// (a captive portal, a misrouted proxy) is this run's answer only. Any
// other error passes through.
func (rn *run) rememberNotFound(kind, key, repo, what string, err error) error {
	if kindOf(err) != ErrNotFound {
		return err
	}
	var te *transport.Error
	hasCode := func(code transport.ErrorCode) bool {
		return te != nil && slices.ContainsFunc(te.Errors, func(d transport.Diagnostic) bool { return d.Code == code })
	}
	errors.As(err, &te)
	if kind == kindTags || hasCode(transport.NameUnknownErrorCode) {
		what = "repository " + repo
	}
	what = "the registry has no " + what
	if hasCode(transport.NameUnknownErrorCode) || hasCode(transport.ManifestUnknownErrorCode) {
		rn.store(kind, key, cacheEntry{NotFound: what})
	}
	return notFoundErr(what)
}

// notFoundErr is a 404 told in the words rememberNotFound chose.
func notFoundErr(what string) error { return fmt.Errorf("%w: %s", ErrNotFound, what) }

// cached reads the disk cache (refreshing, only what this run wrote);
// offline, any age will do.
func (rn *run) cached(kind, key string) (cacheEntry, bool) {
	r := rn.r
	if r.cache == nil {
		return cacheEntry{}, false
	}
	e, ok := r.cache.get(kind, key, r.o.offline)
	r.stats.cache(ok)
	return e, ok
}

// store writes the disk cache; a failed write only costs a later lookup.
func (rn *run) store(kind, key string, e cacheEntry) {
	if rn.r.cache != nil {
		_ = rn.r.cache.put(kind, key, e)
	}
}

// target returns the repository actually asked for ref: at its mirror if
// one is configured, Docker Hub under go-containerregistry's name for it.
func (r *Resolver) target(ref Reference) (name.Repository, error) {
	host, path := ref.Registry, ref.Repository
	if u, ok := r.o.mirrors[ref.Registry]; ok {
		host = u.Host
		if u.Path != "" {
			path = u.Path + "/" + path
		}
	} else if host == DockerHub {
		host = name.DefaultRegistry
	}
	var opts []name.Option
	if r.plain(host) {
		opts = append(opts, name.Insecure)
	}
	repo, err := name.NewRepository(host+"/"+path, opts...)
	if err != nil {
		return name.Repository{}, fmt.Errorf("naming %s/%s: %v: %w", host, path, err, ErrInvalidReference)
	}
	return repo, nil
}

// transport returns the authenticated transport for repo: one ping per
// registry host and one token per repository for a whole run.
func (rn *run) transport(repo name.Repository) (http.RoundTripper, error) {
	r := rn.r
	if r.o.beforeNetwork != nil {
		r.o.beforeNetwork() // a credential helper may run for a while too
	}
	return rn.transports.do(repo.String(), func() (http.RoundTripper, error) {
		auth, err := resolveAuth(rn.ctx, r.o.keychain, repo)
		if err != nil {
			return nil, err
		}
		rn.secrets.addAuth(rn.ctx, auth)
		ch, err := rn.challenges.do(repo.RegistryStr(), func() (*transport.Challenge, error) {
			return rn.ping(repo.Registry)
		})
		if err != nil {
			return nil, err
		}
		var tok *transport.Token
		if strings.EqualFold(ch.Scheme, "bearer") {
			tok, err = transport.Exchange(rn.ctx, repo.Registry, auth, r.rt, []string{repo.Scope(transport.PullScope)}, ch)
			if err != nil {
				return nil, fmt.Errorf("getting a token for %s: %w", repo, err)
			}
			rn.secrets.addToken(tok)
		}
		return transport.FromToken(repo.Registry, auth, r.rt, ch, tok)
	})
}

// ping asks reg for its authentication challenge (GET /v2/), in the one
// scheme the resolver allows for it.
func (rn *run) ping(reg name.Registry) (*transport.Challenge, error) {
	scheme := "https"
	if rn.r.plain(reg.RegistryStr()) {
		scheme = "http"
	}
	u := url.URL{Scheme: scheme, Host: reg.RegistryStr(), Path: "/v2/"}
	req, err := http.NewRequestWithContext(rn.ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := rn.r.rt.RoundTrip(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u.String(), err)
	}
	defer resp.Body.Close()
	ch := &transport.Challenge{Insecure: scheme == "http"}
	switch resp.StatusCode {
	case http.StatusOK:
		return ch, nil
	case http.StatusUnauthorized:
		ch.Scheme, ch.Parameters = parseChallenge(resp.Header.Values("WWW-Authenticate"))
		return ch, nil
	}
	return nil, transport.CheckError(resp, http.StatusOK, http.StatusUnauthorized)
}

// parseChallenge reads the first WWW-Authenticate challenge, preferring
// Bearer: `Bearer realm="https://auth.docker.io/token",service="registry.docker.io"`.
func parseChallenge(values []string) (string, map[string]string) {
	var scheme string
	var params map[string]string
	for _, v := range values {
		s, p := parseOneChallenge(v)
		if scheme == "" || strings.EqualFold(s, "bearer") && !strings.EqualFold(scheme, "bearer") {
			scheme, params = s, p
		}
	}
	return scheme, params
}

func parseOneChallenge(v string) (string, map[string]string) {
	v = strings.TrimSpace(v)
	scheme, rest, _ := strings.Cut(v, " ")
	params := map[string]string{}
	for rest = strings.TrimSpace(rest); rest != ""; {
		k, after, ok := strings.Cut(rest, "=")
		if !ok {
			break
		}
		k = strings.ToLower(strings.TrimSpace(k))
		var val string
		if strings.HasPrefix(after, `"`) {
			var b strings.Builder
			i := 1
			for ; i < len(after) && after[i] != '"'; i++ {
				if after[i] == '\\' && i+1 < len(after) {
					i++
				}
				b.WriteByte(after[i])
			}
			val, after = b.String(), after[min(i+1, len(after)):]
		} else {
			val, after, _ = strings.Cut(after, ",")
			after = "," + after
		}
		params[k] = strings.TrimSpace(val)
		after = strings.TrimSpace(after)
		rest = strings.TrimSpace(strings.TrimPrefix(after, ","))
	}
	return scheme, params
}

// memo runs each key's function once per run and shares the outcome.
type memo[T any] struct {
	mu sync.Mutex
	m  map[string]*memoCall[T]
}

type memoCall[T any] struct {
	done chan struct{}
	val  T
	err  error
}

func (m *memo[T]) do(key string, f func() (T, error)) (T, error) {
	m.mu.Lock()
	if m.m == nil {
		m.m = map[string]*memoCall[T]{}
	}
	if c, ok := m.m[key]; ok {
		m.mu.Unlock()
		<-c.done
		return c.val, c.err
	}
	c := &memoCall[T]{done: make(chan struct{})}
	m.m[key] = c
	m.mu.Unlock()
	func() {
		defer func() {
			if p := recover(); p != nil {
				c.err = fmt.Errorf("%w: %v", ErrInternal, p)
			}
			close(c.done)
		}()
		c.val, c.err = f()
	}()
	return c.val, c.err
}
