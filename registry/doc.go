// Package registry answers composefix's questions about container images
// from their registries: what digest a tag points at now, which most
// precise tag carries that digest, and which newer tags an update policy
// allows. It is the only package that talks to the network.
//
// It owns:
//   - reference parsing that keeps the user's spelling (Reference.Original,
//     Reference.Name) beside a normalised form for keys and requests
//     (Docker Hub's spellings, library/ for official images, ports, tag and
//     digest), and the literal default of an interpolated image
//     (LiteralImage);
//   - the tag model: versions, precise-tag candidates and update policies
//     (version.go, policy.go), pure functions of tag strings;
//   - the Resolver: every reference of every file at once, deduplicated by
//     normalised key, looked up concurrently (WithJobs), digests from a
//     manifest GET whose bytes are hashed here and checked (manifest.go: a
//     known manifest or index type that parses, agreeing with
//     Docker-Content-Digest when sent; anything else is a per-image error,
//     never cached), tag lists with pagination, one ping per registry and
//     one token per repository per run;
//   - mirrors (WithMirror; any Docker Hub spelling applies to all), the
//     scheme policy (https with verified TLS, plain http only for loopback
//     and WithInsecure hosts), credentials from the Docker config and its
//     helpers (WithKeychain), never written to errors or the cache (a
//     keychain's error is replaced by our own words, since a helper's
//     output may be its secret, and every credential and token a run used
//     is taken out of its errors: auth.go), nor anything shaped like one
//     (a redirect's signed query, a URL's userinfo, an Authorization value,
//     a token or password field) in errors and retry reasons; a returned
//     error unwraps only to the sentinel errors and the context's, never
//     to the raw error (redact.go);
//   - retries of 429, 5xx and temporary network errors with jittered
//     exponential backoff honouring Retry-After, pacing from the
//     ratelimit-remaining headers before a registry answers 429, a timeout
//     per request and a deadline per Resolve call;
//   - the disk cache of tag lists and verified tag digests, and of the
//     registry's own 404s (MANIFEST_UNKNOWN, NAME_UNKNOWN; never a bare
//     404 page) for a shorter time (WithCacheDir, WithTTL,
//     WithNotFoundTTL, WithRefresh, WithRunStart, WithOffline), keyed by
//     the logical reference, written atomically so that concurrent runs
//     can share it; refreshing distrusts only what was written before the
//     run started;
//   - image facts (facts.go): for Request.Platforms, the platform's
//     manifest and config blob, verified against their digests and cached
//     by digest for good (blobcache.go), read into Facts (user,
//     HEALTHCHECK, ports, entrypoint, cmd, PATH, labels, served platforms);
//   - file facts (files.go, WithInspectFiles): each layer streamed once
//     within a per-run byte budget, only tar headers read, hashed against
//     its digest, whiteouts applied, symlinks and hardlinks followed, the
//     listing cached by layer digest.
//
// It deliberately does not:
//   - decide what to write into a compose file: the pin and update rules in
//     package fixers do, from the Results that cmd/composefix hands them;
//   - read compose files, configuration, flags or the environment (except
//     through authn.DefaultKeychain, which reads the Docker config);
//   - pull or inspect image content beyond manifests' digests;
//   - guess the value of ${VAR}: such images are reported with
//     ErrInterpolated;
//   - keep anything between Resolve calls except the disk cache and Stats.
package registry
