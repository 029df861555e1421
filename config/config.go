package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/composefix/composefix/internal/regfile"

	"go.yaml.in/yaml/v3"
)

// FileName is the configuration file's name; Find also accepts AltFileName.
const (
	FileName    = ".composefix.yaml"
	AltFileName = ".composefix.yml"
)

// MaxSize is the largest configuration file Load accepts, in bytes. A real
// one is a few kilobytes; the limit keeps a mistaken path (a log file, a
// disk image) from being read whole.
const MaxSize = 1 << 20

// File is a decoded, validated .composefix.yaml. The zero value (and a nil
// *File) is the empty configuration: every field at its zero value means
// "not set", and the caller applies its own default or its flag.
//
// The yaml tags name the keys of the file; they document the format (and a
// test checks DefaultTemplate against them) but decoding walks the node tree
// by hand so that every error carries a position.
type File struct {
	// Path is the file the configuration was read from, as given to Parse.
	Path string `yaml:"-"`
	// Select lists the rules to run (IDs, ID prefixes such as CF1, names, or
	// "all"); empty means every rule.
	Select []RuleRef `yaml:"select"`
	// Ignore lists rules to skip, in the same forms as Select.
	Ignore []RuleRef `yaml:"ignore"`
	// IgnoreImages holds glob patterns of images that are skipped without a
	// registry call (see MatchImage).
	IgnoreImages []string `yaml:"ignore_images"`
	// Projects declares which compose files form one project, merged in
	// order as `docker compose -f a -f b` does; paths are relative to the
	// configuration file. A file named here is analysed with its project
	// instead of the one its name suggests (an overlay with the base beside
	// it); a project of one file keeps a compose.<name>.yaml standalone.
	// Use ProjectPaths for paths usable from the working directory.
	Projects [][]string `yaml:"projects"`
	// Exclude holds paths composefix leaves alone, in .gitignore syntax,
	// relative to the file's directory: whether found in a directory or
	// named on the command line.
	Exclude []string `yaml:"exclude"`
	// UnsafeFixes enables or disables unsafe fixes per rule, in file order.
	// The bare form `unsafe_fixes: true` is one entry named "all". Use
	// UnsafeFixesFor to look a rule up.
	UnsafeFixes []UnsafeFix `yaml:"unsafe_fixes"`
	// Severity overrides the severity of rules' findings, in file order.
	// Use SeverityFor to look a rule up.
	Severity []SeverityOverride `yaml:"severity"`
	// Pin is how floating tags are pinned; "" when not set.
	Pin Pin `yaml:"pin"`
	// Update is the version bump policy of `composefix update`.
	Update UpdatePolicy `yaml:"update"`
	// Mirrors maps a registry host (as written: docker.io, ghcr.io,
	// host:port) to the http or https URL its images are resolved at.
	Mirrors map[string]string `yaml:"mirrors"`
	// InsecureRegistries lists hosts (host or host:port) reached over plain
	// HTTP.
	InsecureRegistries []string `yaml:"insecure_registries"`
	// CacheTTL is how long registry answers stay in the disk cache; 0 when
	// not set (the file cannot set 0: --refresh bypasses the cache).
	CacheTTL time.Duration `yaml:"cache_ttl"`
	// CacheNotFoundTTL is how long a registry's 404 (no such repository,
	// tag or digest) stays in the disk cache; 0 when not set.
	CacheNotFoundTTL time.Duration `yaml:"cache_not_found_ttl"`
	// InspectFiles reads image layers to learn which programs each image
	// holds (as --inspect-files does).
	InspectFiles bool `yaml:"inspect_files"`
	// Resources overrides the resource limits of image classes and services.
	Resources Resources `yaml:"resources"`
	// Logging overrides the logging configuration of the logging anchor.
	Logging Logging `yaml:"logging"`
	// Healthchecks adds or overrides healthchecks for images and services,
	// in file order.
	Healthchecks []Healthcheck `yaml:"healthchecks"`

	root *yaml.Node // the root mapping, for Pos; nil for an empty file
}

// RuleRef is a rule reference as written in the file: a rule ID ("CF001"),
// an ID prefix ("CF1"), a rule name ("pin-image") or "all". Config cannot
// check it against the rule table; Line and Col (1-based, Col in characters)
// let the caller report an unknown one.
type RuleRef struct {
	Name string
	Line int
	Col  int
}

// UnsafeFix enables (or, to override a broader entry, disables) the unsafe
// fixes of the rules Rule matches.
type UnsafeFix struct {
	Rule    RuleRef
	Enabled bool
}

// SeverityOverride sets the severity of the findings of the rules Rule
// matches: "error", "warning" or "info".
type SeverityOverride struct {
	Rule  RuleRef
	Level string
}

// The severities a SeverityOverride may set.
const (
	SeverityError   = "error"
	SeverityWarning = "warning"
	SeverityInfo    = "info"
)

// Pin is a pin mode.
type Pin string

// The pin modes.
const (
	PinVersion       Pin = "version"        // redis:7 -> redis:7.4.1
	PinDigest        Pin = "digest"         // redis:7 -> redis:7@sha256:...
	PinVersionDigest Pin = "version+digest" // redis:7 -> redis:7.4.1@sha256:...
)

// Policy is how far `composefix update` may move a pinned version.
type Policy string

// The update policies.
const (
	PolicyPatch Policy = "patch" // 7.4.1 -> 7.4.3
	PolicyMinor Policy = "minor" // 7.4.1 -> 7.5.0; the default
	PolicyMajor Policy = "major" // 7.4.1 -> 8.0.0
)

// DefaultPolicy is the update policy when neither the file nor a flag sets
// one.
const DefaultPolicy = PolicyMinor

// UpdatePolicy is the update section.
type UpdatePolicy struct {
	// Policy applies to every image without a matching entry in Images; ""
	// when not set.
	Policy Policy `yaml:"policy"`
	// MinAge is how old a release must be before update adopts it, like
	// Renovate's minimumReleaseAge; 0 when not set.
	MinAge time.Duration `yaml:"min_age"`
	// GroupBy says how `update --plan` groups updates into pull requests:
	// "" (each major apart, everything else together), all, image or type.
	GroupBy string `yaml:"group_by"`
	// Images holds per-image policies in file order; the first matching
	// pattern wins.
	Images []ImagePolicy `yaml:"images"`
}

// The update.group_by values.
const (
	GroupAll   = "all"
	GroupImage = "image"
	GroupType  = "type"
)

// ImagePolicy is one entry of update.images: `pattern: policy`, or
// `pattern: {policy: minor, min_age: 3d}`.
type ImagePolicy struct {
	Pattern string
	Policy  Policy        // "" when the entry sets only min_age
	MinAge  time.Duration // 0 when not set (HasMinAge tells 0 from unset)
	// HasMinAge is set when the entry sets min_age, even to 0.
	HasMinAge bool
	Line      int // position of the pattern
	Col       int
}

// Resources is the resources section: limits per image class and per
// service, and which images belong to which class.
type Resources struct {
	// Classes overrides (or defines) the limits of an image class, such as
	// "database" or "cache". Fields left empty keep the built-in value.
	Classes map[string]Limits `yaml:"classes"`
	// Services overrides the limits of one service, by service name.
	Services map[string]ServiceLimits `yaml:"services"`
	// Images assigns image patterns to classes, in file order; the first
	// matching pattern wins.
	Images []ImageClass `yaml:"images"`
}

// Limits are the values written under deploy.resources. Each is kept as
// written (validated); "" means not set.
type Limits struct {
	// CPUs is limits.cpus, a positive number such as "0.5" or "2".
	CPUs string `yaml:"cpus"`
	// Memory is limits.memory, a byte size in compose's units (b, k, kb, m,
	// mb, g, gb, any case) such as "512M", or a plain number of bytes.
	Memory string `yaml:"memory"`
	// ReservationMemory is reservations.memory, in the same units; it may
	// not exceed Memory when both are set.
	ReservationMemory string `yaml:"reservation_memory"`
}

// ServiceLimits overrides the limits of one service.
type ServiceLimits struct {
	// Class puts the service in a class, whatever its image.
	Class string `yaml:"class"`
	// Limits set here win over the class's.
	Limits `yaml:",inline"`
	// Disable keeps composefix from adding limits to the service at all.
	Disable bool `yaml:"disable"`
	// Line and Col are the position of the service name.
	Line int `yaml:"-"`
	Col  int `yaml:"-"`
}

// ImageClass is one `pattern: class` entry of resources.images.
type ImageClass struct {
	Pattern string
	Class   string
	Line    int // position of the class name, for reporting an unknown class
	Col     int
}

// Logging is the logging section: what the logging anchor holds.
type Logging struct {
	// Driver is the logging driver, such as "json-file" or "local"; "" when
	// not set.
	Driver string `yaml:"driver"`
	// Options are the driver's options, values as written (max-size "50m",
	// max-file "5", compress "true").
	Options map[string]string `yaml:"options"`
}

// Healthcheck adds a healthcheck for in-house images or services, overrides
// the built-in one, or turns the healthcheck rule off for them. Exactly one
// of Image and Service is set. Durations and Test are kept as written
// (validated) so they are written to compose files verbatim.
type Healthcheck struct {
	// Image is a glob pattern on the image (see MatchImage).
	Image string `yaml:"image"`
	// Service is a service name.
	Service string `yaml:"service"`
	// Test is the command in compose's list form, starting with "CMD" or
	// "CMD-SHELL"; a string in the file becomes ["CMD-SHELL", string].
	Test []string `yaml:"test"`
	// Interval, Timeout, StartPeriod and StartInterval are compose
	// durations such as "30s" or "1m30s"; "" when not set.
	Interval      string `yaml:"interval"`
	Timeout       string `yaml:"timeout"`
	StartPeriod   string `yaml:"start_period"`
	StartInterval string `yaml:"start_interval"`
	// Retries is a positive count; 0 when not set.
	Retries int `yaml:"retries"`
	// Disable turns the healthcheck rule off for the matched services;
	// Test is then empty.
	Disable bool `yaml:"disable"`
	// Line and Col are the position of the entry.
	Line int `yaml:"-"`
	Col  int `yaml:"-"`
}

// Error is one problem in a configuration file, at a 1-based line and
// column (counted in characters). Parse returns all of them joined with
// errors.Join, in file order; errors.As finds the first.
type Error struct {
	Path string
	Line int
	Col  int
	Msg  string
}

// Error formats the error as path:line:col: message, the form findings
// use, with "<config>" standing in for an empty path.
func (e *Error) Error() string {
	path := e.Path
	if path == "" {
		path = "<config>"
	}
	return fmt.Sprintf("%s:%d:%d: %s", path, e.Line, e.Col, e.Msg)
}

// ErrAmbiguous is returned by Find when one directory holds both
// .composefix.yaml and .composefix.yml.
var ErrAmbiguous = errors.New("both .composefix.yaml and .composefix.yml exist")

// FindError is Find's failure in one directory: a configuration file it
// could not examine, or both names present. It names the file, so that
// callers can report the error on it as on a file that does not load.
type FindError struct {
	Path  string // the file Find could not settle on: with Other, .composefix.yaml
	Other string // .composefix.yml beside Path when both exist; "" otherwise
	Err   error  // ErrAmbiguous, or why Path could not be examined (without its path)
}

func (e *FindError) Error() string {
	if e.Other != "" {
		return fmt.Sprintf("finding configuration %s: %s exists too; keep one", e.Path, e.Other)
	}
	return fmt.Sprintf("finding configuration %s: %v", e.Path, e.Err)
}

func (e *FindError) Unwrap() error { return e.Err }

// Find returns the path of the configuration file in dir or its nearest
// parent directory, up to the repository root (the nearest directory
// holding .git; the file system root outside a repository), or "" and a
// nil error when there is none. A directory holding both names is an error
// wrapping ErrAmbiguous, never a silent choice, unless they are one file
// (one a symlink or hard link to the other): then its path under FileName. Its errors are *FindError,
// with absolute paths, but for a working directory that cannot be read.
func Find(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("finding configuration from %s: %w", dir, err)
	}
	for {
		var found []string
		var infos []fs.FileInfo
		for _, name := range [...]string{FileName, AltFileName} {
			p := filepath.Join(dir, name)
			fi, err := os.Stat(p)
			switch {
			case errors.Is(err, fs.ErrNotExist):
			case err != nil:
				var pe *fs.PathError
				if errors.As(err, &pe) {
					err = pe.Err // FindError names the path
				}
				return "", &FindError{Path: p, Err: err}
			case !fi.IsDir():
				found, infos = append(found, p), append(infos, fi)
			}
		}
		switch {
		case len(found) == 1,
			// One file under both names (a symlink or hard link to
			// the other): one configuration, found under the first.
			len(found) == 2 && os.SameFile(infos[0], infos[1]):
			return found[0], nil
		case len(found) == 2:
			return "", &FindError{Path: found[0], Other: found[1], Err: ErrAmbiguous}
		}
		if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
			return "", nil // a repository's configuration stays inside it
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", nil
		}
		dir = parent
	}
}

// Load reads the file at path and parses it (see Parse).
func Load(path string) (*File, error) {
	src, err := regfile.Read(path, MaxSize)
	var me *regfile.ModeError
	var pe *fs.PathError
	switch {
	case err == nil:
		return Parse(path, src)
	case errors.As(err, &me), errors.As(err, &pe) && pe.Op == "stat":
		return nil, fmt.Errorf("reading configuration %s: not a regular file", path)
	case errors.Is(err, regfile.ErrTooLarge):
		return nil, fmt.Errorf("reading configuration %s: larger than %d bytes; not a configuration file", path, MaxSize)
	case errors.As(err, &pe) && pe.Op == "open":
		return nil, fmt.Errorf("reading configuration: %w", err) // err names the path
	default:
		return nil, fmt.Errorf("reading configuration %s: %w", path, err)
	}
}

// Parse decodes and validates src, the contents of the file at path (used
// only in messages). An empty file, or one holding only comments, is the
// empty configuration. Every problem is an *Error; all of them are
// returned at once, joined, in file order.
func Parse(path string, src []byte) (*File, error) {
	d := &decoder{path: path}
	f := &File{Path: path}
	root := d.document(src)
	if root != nil {
		f.root = root
		d.file(f, root)
	}
	if err := d.err(); err != nil {
		return nil, err
	}
	return f, nil
}

// Pos returns the position of the node at the key path keys (mapping keys,
// or decimal indexes into sequences), such as Pos("resources", "services",
// "api") or Pos("healthchecks", "0", "test"). For a mapping key it is the
// key's position, for a sequence item the item's. ok is false when the path
// does not exist.
func (f *File) Pos(keys ...string) (line, col int, ok bool) {
	if f == nil || f.root == nil {
		return 0, 0, false
	}
	return nodePos(f.root, keys)
}

// ProjectPaths returns Projects with every path joined to the configuration
// file's directory (an absolute path is kept).
func (f *File) ProjectPaths() [][]string {
	if f == nil {
		return nil
	}
	dir := filepath.Dir(f.Path)
	out := make([][]string, len(f.Projects))
	for i, files := range f.Projects {
		for _, p := range files {
			if !filepath.IsAbs(p) {
				p = filepath.Join(dir, p)
			}
			out[i] = append(out[i], p)
		}
	}
	return out
}
