package fixers

import (
	"fmt"
	"strings"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/internal/imagematch"
	"github.com/composefix/composefix/internal/imageref"
	"github.com/composefix/composefix/internal/interp"
	"go.yaml.in/yaml/v3"
)

// Rule IDs of the images and pinning family.
const (
	pinImageID        = "CF001"
	staleDigestID     = "CF002"
	unresolvedID      = "CF003"
	updateAvailableID = "CF004"
	missingImageID    = "CF006"
)

// ImagesConfig configures the images and pinning (CF0xx) rules; the zero
// value means the defaults.
type ImagesConfig struct {
	// Update turns on CF004 (update-available), which bumps pinned
	// versions to the newer ones listed in the resolutions. Only
	// `composefix update` sets it: the default run never bumps.
	Update bool
	// PinFloating, with Update, lets CF001 pin floating tags in the same
	// run (`update --select CF001`); without it CF004 reports that a
	// floating tag must be pinned before it can be updated.
	PinFloating bool
	// Env holds the variables of the project's .env file; the pipeline sets
	// it per project directory. An image interpolating them is resolved
	// with their values, and its pin or bump is written to .env (by the
	// pipeline), never to the compose file.
	Env map[string]string
}

// imageRules returns the rules of the images and pinning (CF0xx) family.
func imageRules() []*Rule {
	return []*Rule{
		{
			ID: pinImageID, Name: "pin-image", Safety: Safe, Severity: Warning,
			Summary: "floating image tags are pinned to the most precise tag (or digest) the registry serves for them",
			Doc: `Floating image tags are pinned to what the registry serves for them today.

A floating tag (latest, stable, 7-alpine, 16) moves whenever upstream publishes: two
hosts pulling the same file can run different code, and a redeploy can silently
upgrade a database. The fix pins the tag from registry truth, as chosen by --pin
(or "pin:" in .composefix.yaml):

  version         the most precise tag carrying the same digest (the default):
                  redis:7-alpine -> redis:7.4.1-alpine
  digest          the tag as written plus its digest: redis:7-alpine@sha256:...
  version+digest  both: redis:7.4.1-alpine@sha256:...

An image without a tag is "latest". The host and repository keep their spelling
(docker.io/library/redis:7 stays docker.io/library/redis:7.4.1); inside
"${REDIS_IMAGE:-redis:7}" only the default is pinned. When no precise tag carries the
digest, the digest is pinned instead and the message says so. A precise tag is left
alone under "version", and so is major.minor (16.4, 7.4-alpine) when no tag refines
it; version+digest pins it exactly. A tag is precise only when the registry serves no
more precise tag for the same digest: a version with a channel word
(mssql/server:2019-latest becomes 2019-CU28-ubuntu-20.04), a codename (traefik:cantal
becomes v3.2.3) and a distribution version (ubuntu:22.04 becomes the dated
jammy-20240911.1) are pinned like latest. Services that also have "build:" (the image names their build
output) and images matching ignore_images are skipped. An image shared through an
anchor or an x- template is pinned once, at its definition.

Before:
  services:
    cache:
      image: redis:7-alpine
    proxy:
      image: traefik

After:
  services:
    cache:
      image: redis:7.4.1-alpine
    proxy:
      image: traefik:v3.2.3`,
			Check: checkPin,
		},
		{
			ID: staleDigestID, Name: "stale-digest", Safety: Safe, Severity: Warning,
			Summary: "a tag@sha256 pin whose digest is no longer what the tag points at gets the current digest",
			Doc: `A digest pinned beside a tag is updated when the tag now points elsewhere.

"redis:7.4.1@sha256:..." promises both a version and exact content. When the
registry's tag has moved (a rebuild for a security fix, a re-push), the digest no
longer matches the version the file names, and readers are misled about what runs.
The fix writes the digest the tag points at now (under --pin version or
version+digest a floating tag also becomes its most precise tag). A bare
"image@sha256:..." without a tag is left alone. A tag@digest value in the
project's .env file (redis:${TAG} with TAG=7.4.1@sha256:...) gets the same fix
in .env, with the same checks.

Before:
  services:
    cache:
      image: redis:7.4.1-alpine@sha256:0000...old

After:
  services:
    cache:
      image: redis:7.4.1-alpine@sha256:1111...current`,
			Check: checkStaleDigest,
		},
		{
			ID: unresolvedID, Name: "unresolved-image", Safety: DisplayOnly, Severity: Info,
			Summary: "an image could not be resolved (interpolated, offline and not cached, or a registry error); it is left as is",
			Doc: `An image that could not be resolved is reported and left as is.

composefix never guesses a pin. An image is not resolved when it depends on the
environment ("${IMAGE}", or "${REGISTRY}/app:1" with only part of it literal; a
literal default such as "${IMAGE:-redis:7}" is resolved, and so is a variable the
project's .env file sets for the whole image or its tag), when --offline finds
nothing in the cache, or when the registry cannot answer (unreachable, refused
credentials, rate limits, an answer that fails verification). The message says
which; an image the registry does not have is CF006's. The rest of the file is
still fixed; a registry failure makes the run exit 2 after everything else is
written.

Before:
  services:
    app:
      image: ${APP_IMAGE}

After: unchanged; the finding reads
  image "${APP_IMAGE}" depends on the environment; only a literal default such as
  ${APP_IMAGE:-app:1.2.3} can be resolved`,
			Check: checkUnresolved,
		},
		{
			ID: updateAvailableID, Name: "update-available", Safety: Safe, Severity: Info,
			Summary: "composefix update: a pinned version has a newer release within the update policy",
			Doc: `A pinned version is bumped to the newest release the update policy allows.

Only "composefix update" runs this rule. Within the policy (patch, minor or major;
default minor; per image in the update section of .composefix.yaml) the newest
release of the same family replaces the pinned one, keeping its prefix, suffix and
precision: 7.4.1-alpine becomes 7.4.3-alpine, never 7.4.3-bookworm or 7.5-alpine. A
digest beside the tag is replaced by the new release's digest, and a stale digest of
an up-to-date tag is refreshed. With a minimum release age (--min-age, update.min_age)
a release younger than it, or without a created date, is not adopted yet.

A floating tag (latest, 7, 7-alpine) is not updated: the finding says to pin it
first, or "update --select CF001" pins it in the same run. An image whose value comes
from the project's .env file (${IMAGE}, redis:${TAG}) is updated in .env; the compose
file keeps its interpolation.

Before:
  services:
    cache:
      image: redis:7.4.1-alpine
    db:
      image: postgres:16.4@sha256:0000...old

After:
  services:
    cache:
      image: redis:7.4.3-alpine
    db:
      image: postgres:16.6@sha256:2222...new`,
			Check: checkUpdate,
		},
		{
			ID: missingImageID, Name: "missing-image", Safety: DisplayOnly, Severity: Error,
			Summary: "the registry has no such repository, tag or digest (it answered 404): the image would fail to pull at deploy",
			Doc: `An image that its registry does not have is an error.

A typo in a repository or a tag, or a tag the publisher deleted, makes
"docker compose up" fail at deploy time. When the registry answers 404 for the
repository, the tag or the digest, composefix reports it at the image, and
--check fails. Nothing is changed: the right name is for a person to choose.
Other registry failures (unreachable, refused credentials, rate limits) are
CF003's and make the run exit 2 instead. A 404 is remembered in the disk cache
for cache_not_found_ttl (default 1h; --refresh asks again).

Before:
  services:
    cache:
      image: redis:7.4.1-alpnie

After: unchanged; the finding reads
  image "redis:7.4.1-alpnie" does not exist: looking up the digest of
  docker.io/library/redis:7.4.1-alpnie: not found: the registry has no tag
  "7.4.1-alpnie"`,
			Check: checkMissing,
		},
	}
}

// SkipReason says why an image is not resolved or pinned.
type SkipReason int

// Why an image is skipped.
const (
	NotSkipped       SkipReason = iota
	SkipBuild                   // the service also has build: the image names its build output
	SkipIgnored                 // the image matches Config.IgnoreImages
	SkipInterpolated            // the image depends on the environment, with no literal default
	SkipInvalid                 // the literal text is not an image reference
)

func (s SkipReason) String() string {
	switch s {
	case NotSkipped:
		return "not skipped"
	case SkipBuild:
		return "built by the service"
	case SkipIgnored:
		return "ignored by configuration"
	case SkipInterpolated:
		return "depends on the environment"
	case SkipInvalid:
		return "not an image reference"
	}
	return fmt.Sprintf("SkipReason(%d)", int(s))
}

// ImageRef is one image node of a document. An image defined once and used
// by several services (an anchor, an x- template merged into services) is
// one ImageRef, at its definition.
type ImageRef struct {
	Node    *yaml.Node // the image scalar as written (the anchored one for aliases)
	Service string     // the first service using it
	// Text is the reference to resolve: the node's value, or the literal
	// default of "${VAR:-default}"; the key of Resolutions. "" when the
	// value has no literal part.
	Text string
	// Offset is the byte offset of Text in Node.Value.
	Offset int
	// Name, Tag and Digest split Text as written: "docker.io/library/redis",
	// "7", "sha256:…". Tag is "latest" when neither tag nor digest is written
	// (ImplicitTag), "" for a bare digest reference.
	Name, Tag, Digest string
	ImplicitTag       bool
	Skip              SkipReason
	// EnvVar names the .env variable holding the part of the image a pin or
	// bump rewrites ("" when the image is written in the compose file):
	// the whole reference ("${IMAGE}"), or with EnvTag only its tag
	// ("redis:${TAG}"). Offset is then -1.
	EnvVar string
	EnvTag bool
}

// ParseImageRef splits an image reference (a Resolutions key) as
// ImageRefs does, without a node: for callers that hold only the text.
func ParseImageRef(text string) (ImageRef, bool) {
	parts, ok := splitImage(text)
	if !ok {
		return ImageRef{}, false
	}
	return ImageRef{Text: text, Name: parts.name, Tag: parts.tag, Digest: parts.digest, ImplicitTag: parts.implicit}, true
}

// EnvValue returns the value EnvVar must hold for the image to become
// tag (and digest, when not ""), keeping the name as written.
func (r ImageRef) EnvValue(tag, digest string) string {
	v := tag
	if !r.EnvTag {
		v = r.Name + ":" + tag
	}
	if digest != "" {
		v += "@" + digest
	}
	return v
}

// Floating reports whether r's tag moves upstream (latest, 7, 7-alpine)
// with no digest pinned beside it: update keeps major.minor and precise
// versions current, but a floating tag must be pinned first.
func (r ImageRef) Floating() bool {
	if r.Tag == "" || r.Digest != "" {
		return false
	}
	n, isVersion := versionComponents(r.Tag)
	return !isVersion || n < 2
}

// ImageRefs returns the image references of d's services, once per image
// node, in file order of first use, with the reason each skipped one is
// skipped. Callers build registry requests from the ones not skipped and
// key the answers by Text.
func ImageRefs(d *compose.Document, cfg *Config) []ImageRef {
	if cfg == nil {
		cfg = DefaultConfig()
	}
	// Sized for a reference per service, the common case: grown by append,
	// a large file's list was copied a dozen times.
	svcs := services(d)
	out := make([]ImageRef, 0, len(svcs))
	index := make(map[*yaml.Node]int, len(svcs))
	for _, s := range svcs {
		n := s.get("image")
		if n == nil || n.Kind != yaml.ScalarNode {
			continue
		}
		builds := s.has("build")
		if i, seen := index[n]; seen {
			if builds {
				out[i].Skip = SkipBuild
			}
			continue
		}
		index[n] = len(out)
		out = append(out, newImageRef(n, s.Name, builds, cfg))
	}
	return out
}

func newImageRef(n *yaml.Node, service string, builds bool, cfg *Config) ImageRef {
	r := ImageRef{Node: n, Service: service}
	text, off, ok := literalImage(n.Value)
	if v, name, tagOnly, fromEnv := envImage(n.Value, cfg.Images.Env); fromEnv {
		text, off, ok = v, -1, true
		r.EnvVar, r.EnvTag = name, tagOnly
	}
	if !ok {
		r.Skip = SkipInterpolated
		return r
	}
	r.Text, r.Offset = text, off
	parts, ok := splitImage(text)
	if !ok {
		r.Skip = SkipInvalid
		return r
	}
	r.Name, r.Tag, r.Digest, r.ImplicitTag = parts.name, parts.tag, parts.digest, parts.implicit
	switch {
	case builds:
		r.Skip = SkipBuild
	case ignoredImage(cfg.IgnoreImages, r):
		r.Skip = SkipIgnored
	}
	return r
}

// envImage returns the image value interpolated with env when one
// variable of env holds the whole reference or its whole tag, and every
// variable it needs is set there; compose then reads it from .env.
func envImage(value string, env map[string]string) (text, name string, tagOnly, ok bool) {
	if env == nil || !strings.Contains(value, "$") {
		return "", "", false, false
	}
	name, whole := interp.Whole(value)
	if !whole {
		if name, ok = interp.Tail(value); !ok {
			return "", "", false, false
		}
	}
	if v, set := env[name]; !set || v == "" {
		return "", "", false, false // compose takes the default, or fails
	}
	text, missing, err := interp.Expand(value, env)
	if err != nil || len(missing) > 0 {
		return "", "", false, false
	}
	return text, name, !whole, true
}

// Lookup reports whether the registry must be asked about r under cfg, and
// whether the answer must include the most precise tag carrying its digest.
// Under version pins a precise tag needs no lookup; nor does a bare digest
// reference. In update mode every version tag is looked up (the caller adds
// the update policy to the request).
func (r ImageRef) Lookup(cfg *Config) (ask, precise bool) {
	if cfg == nil {
		cfg = DefaultConfig()
	}
	if r.Skip != NotSkipped || r.Tag == "" {
		return false, false
	}
	_, isVersion := versionComponents(r.Tag)
	if cfg.Images.Update {
		if r.Floating() {
			return cfg.Images.PinFloating, cfg.Images.PinFloating && cfg.Pin != PinDigest
		}
		return isVersion, false
	}
	if r.Digest == "" && cfg.Pin == PinVersion && isPreciseTag(r.Tag) {
		return false, false // a precise tag is left alone under version pins
	}
	return true, !isPreciseTag(r.Tag) && cfg.Pin != PinDigest
}

// ImageBump is one version bump CF004 proposes.
type ImageBump struct {
	Name     string // the image as written, without tag and digest
	From, To string // tags
	Digest   string // the new digest written beside To; "" when none is written
}

// PlanUpdate returns the bump CF004 makes for r given its resolution: the
// first newer tag, with its digest when r carries one (or the mode asks for
// digests). ok is false when there is nothing newer.
func PlanUpdate(r ImageRef, res Resolution, mode PinMode) (b ImageBump, ok bool) {
	if r.Skip != NotSkipped || r.Tag == "" || res.Err != nil || len(res.Newer) == 0 || res.Newer[0].Tag == "" {
		return ImageBump{}, false
	}
	next := res.Newer[0]
	b = ImageBump{Name: r.Name, From: r.Tag, To: next.Tag}
	if r.Digest != "" || mode != PinVersion {
		if next.Digest == "" {
			return ImageBump{}, false // never write a tag beside a digest that is not its own
		}
		if r.Digest != "" || mode == PinVersionAndDigest {
			b.Digest = next.Digest
		}
	}
	return b, true
}

// resolution returns the registry's answer for r, or false after
// recording that the rule could not check r: the registry was not asked (no
// resolutions at all) or gave no usable answer (offline and not cached, an
// error). CF003 reports why.
func resolution(p *Pass, r ImageRef) (Resolution, bool) {
	res, ok := p.Resolved[r.Text]
	if ok && res.Err == nil {
		return res, true
	}
	if ask, _ := r.Lookup(p.Config); ask {
		p.Unchecked(r.Node)
	}
	return res, false
}

func checkPin(p *Pass) error {
	update := p.Config.Images.Update
	if update && !p.Config.Images.PinFloating {
		return nil // the registry was asked only for newer versions
	}
	cfg := p.Config
	for _, r := range p.imageRefs() {
		if r.Skip != NotSkipped || r.Tag == "" || r.Digest != "" || r.EnvVar != "" || p.elsewhere(r.Service, "build") {
			continue // a digest pin is CF002's; .env values are the pipeline's
		}
		if update && !r.Floating() {
			continue // CF004 bumps it
		}
		res, ok := resolution(p, r)
		if !ok {
			continue
		}
		pin, ok := PlanPin(r, res, cfg.Pin)
		if !ok {
			continue
		}
		ch, err := repin(p.Document, r, pin.Tag, pin.Digest)
		if err != nil {
			return err
		}
		p.Report(r.Node, p.NewFix(ch, "%s", pin.Title), "%s", pin.Message)
	}
	return nil
}

// PinPlan is a pin CF001 makes: the tag and digest written (Digest "" for
// none), the finding's message and the fix's title.
type PinPlan struct {
	Tag, Digest    string
	Message, Title string
}

// PlanPin returns the pin CF001 makes for r (a tag without digest) given
// its resolution under mode; ok is false when r is pinned already.
func PlanPin(r ImageRef, res Resolution, mode PinMode) (pin PinPlan, ok bool) {
	if res.Err != nil || res.Digest == "" {
		return PinPlan{}, false
	}
	floating := !isPreciseTag(r.Tag)
	switch mode {
	case PinVersion:
		if res.Tag == r.Tag {
			return PinPlan{}, false // a version no tag refines (postgres:16.4) is pinned
		}
		if res.Tag == "" {
			return PinPlan{Tag: r.Tag, Digest: res.Digest,
				Message: fmt.Sprintf("image %q is a floating tag and no more precise tag carries its digest; expected a digest pin", r.Text),
				Title:   fmt.Sprintf("Pin %s to its digest", r.Text)}, true
		}
		return PinPlan{Tag: res.Tag,
			Message: fmt.Sprintf("image %q is a floating tag; expected the precise tag %q that carries the same digest", r.Text, res.Tag),
			Title:   fmt.Sprintf("Pin %s to %s", r.Text, res.Tag)}, true
	case PinDigest:
		return PinPlan{Tag: r.Tag, Digest: res.Digest,
			Message: fmt.Sprintf("image %q has no digest; expected %s", r.Text, shortDigest(res.Digest)),
			Title:   fmt.Sprintf("Pin %s to its digest", r.Text)}, true
	}
	pin = PinPlan{Tag: r.Tag, Digest: res.Digest}
	if floating && res.Tag != "" {
		pin.Tag = res.Tag
	}
	switch {
	case pin.Tag != r.Tag:
		pin.Message = fmt.Sprintf("image %q is a floating tag; expected %q with its digest", r.Text, pin.Tag)
		pin.Title = fmt.Sprintf("Pin %s to %s and its digest", r.Text, pin.Tag)
	case floating:
		pin.Message = fmt.Sprintf("image %q is a floating tag and no more precise tag carries its digest; expected a digest pin", r.Text)
		pin.Title = fmt.Sprintf("Pin %s to its digest", r.Text)
	default:
		pin.Message = fmt.Sprintf("image %q has no digest; expected %s", r.Text, shortDigest(res.Digest))
		pin.Title = fmt.Sprintf("Pin %s to its digest", r.Text)
	}
	return pin, true
}

func checkStaleDigest(p *Pass) error {
	if p.Config.Images.Update { // CF004 refreshes digests in update mode
		return nil
	}
	for _, r := range p.imageRefs() {
		if r.Skip != NotSkipped || r.Tag == "" || r.Digest == "" || r.EnvVar != "" || p.elsewhere(r.Service, "build") {
			continue
		}
		res, ok := resolution(p, r)
		if !ok {
			continue
		}
		pin, ok := PlanStaleDigest(r, res, p.Config.Pin)
		if !ok {
			continue
		}
		ch, err := repin(p.Document, r, pin.Tag, pin.Digest)
		if err != nil {
			return err
		}
		p.Report(r.Node, p.NewFix(ch, "%s", pin.Title), "%s", pin.Message)
	}
	return nil
}

// PlanStaleDigest returns the repin CF002 makes for r (a tag with a
// digest) given its resolution under mode; ok is false when the digest is
// still what the tag points at. The pipeline applies it to .env values too.
func PlanStaleDigest(r ImageRef, res Resolution, mode PinMode) (pin PinPlan, ok bool) {
	if r.Tag == "" || r.Digest == "" || res.Err != nil || res.Digest == "" || res.Digest == r.Digest {
		return PinPlan{}, false
	}
	tag := r.Tag
	if mode != PinDigest && !isPreciseTag(r.Tag) && res.Tag != "" {
		tag = res.Tag
	}
	return PinPlan{
		Tag: tag, Digest: res.Digest,
		Title:   fmt.Sprintf("Update the digest of %s:%s", r.Name, r.Tag),
		Message: fmt.Sprintf("image %q pins digest %s, but tag %q now points at %s", r.Text, shortDigest(r.Digest), r.Tag, shortDigest(res.Digest)),
	}, true
}

func checkUnresolved(p *Pass) error {
	if p.Resolved == nil {
		return nil
	}
	for _, r := range p.imageRefs() {
		switch r.Skip {
		case SkipInterpolated:
			if env := p.Config.Images.Env; env != nil {
				if _, missing, err := interp.Expand(r.Node.Value, env); err == nil && len(missing) > 0 {
					p.Report(r.Node, nil, "image %q depends on the environment: %s not set in .env", r.Node.Value, strings.Join(missing, ", "))
					continue
				}
			}
			p.Report(r.Node, nil, "image %q depends on the environment; only a literal default such as ${VAR:-redis:7} can be resolved", r.Node.Value)
			continue
		case SkipInvalid:
			p.Report(r.Node, nil, "image %q is not a valid image reference", r.Text)
			continue
		case NotSkipped:
		default:
			continue
		}
		if res, ok := p.Resolved[r.Text]; ok && res.Err != nil && !res.NotFound {
			p.Report(r.Node, nil, "image %q is not resolved: %v", r.Text, res.Err)
		}
	}
	return nil
}

// checkMissing reports the images whose registry answered 404.
func checkMissing(p *Pass) error {
	for _, r := range p.imageRefs() {
		if r.Skip != NotSkipped {
			continue
		}
		res, ok := p.Resolved[r.Text]
		switch {
		case ok && res.NotFound:
			p.Report(r.Node, nil, "image %q does not exist: %v", r.Text, res.Err)
		case !ok || res.Err != nil:
			// Not asked, offline and not cached, or a failure: whether the
			// image exists is unknown, so its ignore is not stale.
			p.Unchecked(r.Node)
		}
	}
	return nil
}

func checkUpdate(p *Pass) error {
	if !p.Config.Images.Update {
		return nil
	}
	for _, r := range p.imageRefs() {
		if r.Skip != NotSkipped || r.Tag == "" || p.elsewhere(r.Service, "build") {
			continue
		}
		if r.Floating() {
			if !p.Config.Images.PinFloating {
				p.Report(r.Node, nil, "image %q is a floating tag; it must be pinned before it can be updated (composefix update --select CF001, or composefix -w --select CF001)", r.Text)
			}
			continue // else CF001 pins it
		}
		res, ok := resolution(p, r)
		if !ok {
			continue
		}
		if len(res.Held) > 0 {
			p.Report(r.Node, nil, "image %q: %s not adopted yet, younger than the minimum release age", r.Text, strings.Join(quoteAll(res.Held), ", "))
		}
		if r.EnvVar != "" {
			continue // the pipeline writes its bump to .env
		}
		b, ok := PlanUpdate(r, res, p.Config.Pin)
		if ok {
			ch, err := repin(p.Document, r, b.To, b.Digest)
			if err != nil {
				return err
			}
			p.Report(r.Node, p.NewFix(ch, "Update %s to %s", r.Text, b.To), "image %q has a newer release %q", r.Text, b.To)
			continue
		}
		if RefreshDigest(r, res) {
			ch, err := repin(p.Document, r, r.Tag, res.Digest)
			if err != nil {
				return err
			}
			p.Report(r.Node, p.NewFix(ch, "Update the digest of %s:%s", r.Name, r.Tag),
				"image %q pins digest %s, but tag %q now points at %s", r.Text, shortDigest(r.Digest), r.Tag, shortDigest(res.Digest))
		}
	}
	return nil
}

// RefreshDigest reports whether CF004 replaces the digest written beside
// r's tag, which has nothing newer: the tag points elsewhere now, and that
// content is old enough for the minimum release age.
func RefreshDigest(r ImageRef, res Resolution) bool {
	return r.Digest != "" && res.Err == nil && res.Digest != "" && res.Digest != r.Digest && !res.Young
}

// repin rewrites r's tag and digest, keeping the name as written: the edit
// covers only the text after the name (after the tag when the tag stays),
// inside the literal default of an interpolation when there is one.
func repin(d *compose.Document, r ImageRef, tag, digest string) (compose.Change, error) {
	suffix := ":" + tag
	if digest != "" {
		suffix += "@" + digest
	}
	from := len(r.Name)
	if !r.ImplicitTag && tag == r.Tag {
		from += 1 + len(r.Tag)
		suffix = suffix[1+len(tag):]
	}
	start, end := r.Offset+from, r.Offset+len(r.Text)
	ch, err := d.SetSubstring(r.Node, start, end, suffix)
	if err == nil {
		return ch, nil
	}
	// A quoted value with escapes: rewrite the whole scalar.
	v := r.Node.Value
	return d.SetScalar(r.Node, v[:start]+suffix+v[end:])
}

// shortDigest abbreviates a digest for messages: "sha256:0123456789ab".
func shortDigest(d string) string {
	if alg, hex, ok := strings.Cut(d, ":"); ok && len(hex) > 12 {
		return alg + ":" + hex[:12]
	}
	return d
}

// literalImage returns the part of an image value that can be resolved
// without the environment and its byte offset in s: the value itself, or
// the default of "${VAR:-default}" / "${VAR-default}".
func literalImage(s string) (string, int, bool) { return interp.Literal(s) }

type imageParts struct {
	name, tag, digest string
	implicit          bool
}

// splitImage splits a reference as written into name, tag and digest
// (imageref.Split: a colon before the last "/" belongs to a registry port).
// It is lenient where registry.ParseReference is strict, on purpose: a
// rule reports on what a person wrote, so a reference the distribution
// grammar refuses (an upper-case repository, an odd host) is still an
// image to name in a finding, whose lookup then fails as invalid (CF003).
// It refuses only what has no name, tag or digest to point at.
func splitImage(s string) (imageParts, bool) {
	var p imageParts
	if s == "" || strings.ContainsAny(s, " \t\r\n$") {
		return p, false
	}
	parts := imageref.Split(s)
	if parts.HasDigest {
		if alg, hex, ok := strings.Cut(parts.Digest, ":"); !ok || alg == "" || len(hex) < 32 {
			return p, false
		}
	}
	if parts.HasTag && parts.Tag == "" {
		return p, false
	}
	rest := parts.Name
	if rest == "" || strings.HasSuffix(rest, "/") || strings.HasPrefix(rest, "/") {
		return p, false
	}
	p.name, p.tag, p.digest = rest, parts.Tag, parts.Digest
	if !parts.HasTag && !parts.HasDigest {
		p.tag, p.implicit = "latest", true
	}
	return p, true
}

// ignoredImage reports whether an ignore pattern matches r (see MatchImage).
func ignoredImage(patterns []string, r ImageRef) bool {
	for _, pat := range patterns {
		if MatchImage(pat, r) {
			return true
		}
	}
	return false
}

// Repo returns r's normalised registry and repository
// ("docker.io/library/redis" for "redis:7" and "index.docker.io/redis"),
// as registry.Reference.Repo spells the reference's it requests.
func (r ImageRef) Repo() string { return imageref.Long(r.Name) }

// ImageSpellings returns the spellings of r that an image pattern
// (ignore_images, update.images) is tried against: as written, and in
// Docker Hub's long and short forms ("docker.io/library/redis:7" and
// "redis:7" for "index.docker.io/redis:7"), tag and digest kept.
func ImageSpellings(r ImageRef) []string {
	ref := r.Text[len(r.Name):]
	long := imageref.Long(r.Name)
	return []string{r.Text, long + ref, imageref.Short(long) + ref}
}

// MatchImage reports whether the glob pattern (see imagematch.Match)
// matches r in any of its spellings (ImageSpellings), so that a pattern
// names a Docker Hub image however the file spells it.
func MatchImage(pattern string, r ImageRef) bool {
	for _, s := range ImageSpellings(r) {
		if imagematch.Match(pattern, s) {
			return true
		}
	}
	return false
}

// isPreciseTag reports whether tag names one release: a version with three
// or more numeric components (7.4.1, 1.25.3-alpine, v3.2.3, 21.0.5_11) or a
// full date version (RELEASE.2024-12-13T22-19-12Z). It follows
// registry.IsPrecise closely enough to decide which tags need a lookup; the
// registry has the final word on candidates.
func isPreciseTag(tag string) bool {
	n, ok := versionComponents(tag)
	return ok && n >= 3 && !hasChannelWord(tag)
}

// channelWords name a release channel: after a version (1.2.3-stable,
// 2019-latest) they make the tag move like latest does. The registry's
// tag model (registry.IsPrecise) knows the same words. A switch: a
// package map is built by code at every process start (issue 14).
func channelWords(word string) bool {
	switch word {
	case "latest", "stable", "mainline", "lts", "current", "release", "edge",
		"unstable", "nightly", "dev", "develop", "beta", "rc", "next", "canary",
		"testing":
		return true
	}
	return false
}

// hasChannelWord reports whether a token of tag is a channel word.
func hasChannelWord(tag string) bool {
	for _, tok := range strings.FieldsFunc(strings.ToLower(tag), func(r rune) bool { return r == '-' || r == '_' || r == '.' }) {
		if channelWords(tok) {
			return true
		}
	}
	return false
}

// versionComponents parses tag as prefix + numeric core + suffix and returns
// the number of numeric components (6 for a date version). ok is false for
// names (latest, stable, alpine, alpine3.20) and hash-like tags.
func versionComponents(tag string) (int, bool) {
	i := 0
	switch {
	case len(tag) > 1 && (tag[0] == 'v' || tag[0] == 'V') && isDigit(tag[1]):
		i = 1
	case len(tag) > 0 && isLetter(tag[0]):
		j := 0
		for j < len(tag) && isLetter(tag[j]) {
			j++
		}
		if j+1 >= len(tag) || !strings.ContainsRune("-._", rune(tag[j])) || !isDigit(tag[j+1]) {
			return 0, false
		}
		word := strings.ToLower(tag[:j])
		if word == "sha" || word == "pr" {
			return 0, false // build tags, not versions
		}
		i = j + 1
	}
	if isDateVersion(tag[i:]) {
		return 6, true
	}
	n := 0
	start := i
	for {
		s := i
		for i < len(tag) && isDigit(tag[i]) {
			i++
		}
		if i == s {
			return 0, false
		}
		n++
		if i+1 < len(tag) && (tag[i] == '.' || tag[i] == '_') && isDigit(tag[i+1]) {
			i++
			continue
		}
		break
	}
	if start == 0 && n == 1 && i-start >= 7 {
		return 0, false // 20241213, a build number rather than a version
	}
	if rest := tag[i:]; rest != "" {
		switch c := rest[0]; {
		case c == '-' || c == '_' || c == '+' || c == '.':
		case isLetter(c):
			if !prereleaseSuffix(rest) {
				return 0, false // 1234abc: hash-like
			}
		default:
			return 0, false
		}
	}
	return n, true
}

// prereleaseSuffix reports whether a suffix glued to the core starts with a
// pre-release marker (rc1, a3, beta2, b1, dev).
func prereleaseSuffix(s string) bool {
	j := 0
	for j < len(s) && isLetter(s[j]) {
		j++
	}
	switch strings.ToLower(s[:j]) {
	case "a", "b", "rc", "alpha", "beta", "dev", "pre", "preview":
	default:
		return false
	}
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	return j == len(s) || strings.ContainsRune("-._", rune(s[j]))
}

// isDateVersion matches 2024-12-13T22-19-12Z (minio's RELEASE. tags),
// possibly followed by a suffix.
func isDateVersion(s string) bool {
	const layout = "dddd-dd-ddTdd-dd-ddZ"
	if len(s) < len(layout) {
		return false
	}
	for i := 0; i < len(layout); i++ {
		if layout[i] == 'd' {
			if !isDigit(s[i]) {
				return false
			}
		} else if s[i] != layout[i] {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
