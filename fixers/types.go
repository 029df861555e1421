package fixers

import (
	"fmt"
	"strings"
	"time"

	"github.com/composefix/composefix/compose"
)

// Safety says whether a fix is applied by default.
type Safety int

// Safety classes, from the most to the least cautious.
const (
	DisplayOnly Safety = iota // too uncertain to apply: shown, never written
	Unsafe                    // may change runtime behaviour: applied only on opt-in
	Safe                      // keeps behaviour (or does exactly what the rule promises)
)

func (s Safety) String() string {
	switch s {
	case DisplayOnly:
		return "display-only"
	case Unsafe:
		return "unsafe"
	case Safe:
		return "safe"
	}
	return fmt.Sprintf("Safety(%d)", int(s))
}

// Severity is how much a finding matters.
type Severity int

// Severities, as printed in findings.
const (
	Info Severity = iota
	Warning
	Error
)

func (s Severity) String() string {
	switch s {
	case Info:
		return "info"
	case Warning:
		return "warning"
	case Error:
		return "error"
	}
	return fmt.Sprintf("Severity(%d)", int(s))
}

// Rule inspects one document. Check returns an error only when the rule
// cannot run; problems in the file are reported as findings.
type Rule struct {
	ID       string   // "CF001": never renumbered or reused
	Name     string   // "pin-image"
	Safety   Safety   // the default for the rule's fixes
	Severity Severity // the default for the rule's findings
	Summary  string   // one line, for `composefix rules`
	Doc      string   // the reason and a before/after example, for `composefix explain`
	Check    func(p *Pass) error
}

// Finding is one fact a rule reports about a document.
type Finding struct {
	RuleID   string
	Severity Severity
	Path     string
	Span     compose.Span // byte range the message is about
	Pos      compose.Pos  // start of Span
	End      compose.Pos  // end of Span
	Message  string
	Fix      *Fix // nil when there is nothing to apply
	Applied  bool // the driver applied Fix
}

// Fix is a set of edits applied together or not at all.
type Fix struct {
	Title  string // capitalised verb phrase: "Pin redis:7.2 to 7.2.4"
	Safety Safety // may be stricter than the rule's, never looser
	// Change holds the text edits on the original bytes and the tree
	// operations they stand for, which verification replays in memory.
	Change compose.Change
	// Needs lists edits of other fixes that must land in the same pass for
	// this one to be true, such as the healthcheck CF101 adds to a
	// dependency that condition: service_healthy waits for. merge accepts
	// the fix only with every one of them; otherwise it waits for a later
	// pass, which analyses the file again.
	Needs []compose.Edit
}

// Resolution is what the registry said about one image reference.
type Resolution struct {
	// Digest is the manifest (or index) digest the reference points at now.
	Digest string
	// Tag is the most precise tag carrying Digest; "" when none was found.
	Tag string
	// Newer lists tags newer than the reference's own that the update
	// policy allows, best first, each with the digest it carries.
	Newer []TagDigest
	// Err is set when the reference could not be resolved.
	Err error
	// NotFound says that Err is the registry's 404: it has no such
	// repository, tag or digest (CF006), rather than a failure to ask.
	NotFound bool
	// Facts holds what the image says about itself, by platform
	// ("linux/amd64"); nil when image facts were not read.
	Facts map[string]ImageFacts
	// NewerRelease describes Newer[0], when `update` asked for releases.
	NewerRelease *Release
	// Release describes Digest when it replaces the digest written beside
	// the tag, when `update` asked for releases.
	Release *Release
	// Young is set when Digest replaces the one written but is younger
	// than the minimum release age: CF004 does not adopt it yet.
	Young bool
	// Held lists the newer tags held back by the minimum release age.
	Held []string
}

// Release is when a release was built and the labels it carries.
type Release struct {
	Created time.Time // zero when unknown
	Labels  map[string]string
}

// ImageFacts is what the image's config (and, when inspected, its layers)
// says about one platform of an image. The registry package fills it; rules
// only read it.
type ImageFacts struct {
	// Platforms lists the platforms the image's index serves ("linux/amd64",
	// "linux/arm64/v8"); one entry for a single-platform image.
	Platforms []string
	// Unserved is set when the index does not serve the platform asked for.
	Unserved bool
	// Err is set when the facts could not be read; the other fields are
	// then empty.
	Err error
	// User is the config's USER ("" is root).
	User string
	// Healthcheck is the config's own HEALTHCHECK test (["CMD", ...],
	// ["CMD-SHELL", ...] or ["NONE"]); nil when the image declares none.
	Healthcheck []string
	// ExposedPorts are the config's EXPOSE entries ("8080/tcp"), sorted.
	ExposedPorts []string
	// Entrypoint and Cmd are the config's ENTRYPOINT and CMD.
	Entrypoint, Cmd []string
	// Path is the config's PATH, split at colons.
	Path []string
	// Labels are the config's labels (org.opencontainers.image.version and
	// friends).
	Labels map[string]string
	// Created is the config's "created" time; zero when it has none. It
	// dates what the image holds better than its tag (a 10.x tag is rebuilt
	// for years).
	Created time.Time
	// Files is what the layers hold; nil when they were not inspected.
	Files *FileFacts
	// FilesNote says why the layers were not inspected (over the byte
	// budget); "" when they were or when inspection was not asked for.
	FilesNote string
}

// FileFacts is what an image's layers hold, whiteouts applied.
type FileFacts struct {
	// Programs are the executables in the config's PATH directories, by
	// base name, symlinks and hardlinks followed (busybox applets).
	Programs map[string]bool
	// Paths are absolute paths of every executable file in the image.
	Paths map[string]bool
	// Shells are the shells present ("/bin/sh", "/bin/bash"), sorted.
	Shells []string
}

// Has reports whether program (a base name or an absolute path) exists in
// the image.
func (f *FileFacts) Has(program string) bool {
	if strings.HasPrefix(program, "/") {
		return f.Paths[program]
	}
	return f.Programs[program]
}

// DefaultPlatform is the platform an image runs on when the service sets no
// platform:, as docker compose on the usual CI and server hosts does.
const DefaultPlatform = "linux/amd64"

// TagDigest is a tag and the digest it points at.
type TagDigest struct {
	Tag    string
	Digest string
}

// Resolutions maps an image reference, spelt as written in the file (for an
// interpolation with a literal default, the default), to its resolution.
type Resolutions map[string]Resolution
