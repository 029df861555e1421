package kb

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/composefix/composefix/internal/lazyre"
)

// Limits are the deploy.resources defaults of a resource class.
type Limits struct {
	// CPUs is deploy.resources.limits.cpus, a decimal string ("0.5").
	CPUs string
	// Memory is deploy.resources.limits.memory in compose notation ("512M").
	Memory string
	// ReservationMemory is deploy.resources.reservations.memory.
	ReservationMemory string
}

// ImageClass maps images without a healthcheck entry to a resource class.
type ImageClass struct {
	// Image is a normalised repository; path.Match globs are allowed.
	Image string
	// Class is a key of Classes.
	Class string
}

// DefaultClass is the class of images nothing else classifies.
const DefaultClass = "application"

type rawLimits struct {
	Classes map[string]struct {
		CPUs              string `yaml:"cpus"`
		Memory            string `yaml:"memory"`
		ReservationMemory string `yaml:"reservation_memory"`
		Source            string `yaml:"source"`
	} `yaml:"classes"`
	Images []struct {
		Image string `yaml:"image"`
		Class string `yaml:"class"`
	} `yaml:"images"`
}

func decodeLimits() (rawLimits, error) {
	var raw rawLimits
	if err := decodeStrict(limitsYAML, &raw); err != nil {
		return raw, fmt.Errorf("decoding embedded limits.yaml: %w", err)
	}
	return raw, nil
}

// Classes returns the embedded resource classes, keyed by class name, from
// the generated tables. Each call returns a fresh map; the error is always
// nil.
func Classes() (map[string]Limits, error) { return maps.Clone(embeddedClasses()), nil }

// decodeClasses decodes and validates the resource classes of limits.yaml.
func decodeClasses() (map[string]Limits, error) {
	raw, err := decodeLimits()
	if err != nil {
		return nil, err
	}
	if _, ok := raw.Classes[DefaultClass]; !ok {
		return nil, fmt.Errorf("decoding embedded limits.yaml: %w", invalidf("no %q class", DefaultClass))
	}
	out := make(map[string]Limits, len(raw.Classes))
	for name, c := range raw.Classes {
		l := Limits{CPUs: c.CPUs, Memory: c.Memory, ReservationMemory: c.ReservationMemory}
		if err := l.Validate(); err != nil {
			return nil, fmt.Errorf("decoding embedded limits.yaml: class %q: %w", name, err)
		}
		if c.Source == "" {
			return nil, fmt.Errorf("decoding embedded limits.yaml: %w", invalidf("class %q has no source", name))
		}
		out[name] = l
	}
	return out, nil
}

// ImageClasses returns the embedded image-to-class mappings for images that
// have no healthcheck entry, in file order, from the generated tables. The
// error is always nil.
func ImageClasses() ([]ImageClass, error) { return slices.Clone(embeddedImageClasses), nil }

// decodeImageClasses decodes and validates the image mappings of limits.yaml.
func decodeImageClasses() ([]ImageClass, error) {
	raw, err := decodeLimits()
	if err != nil {
		return nil, err
	}
	out := make([]ImageClass, 0, len(raw.Images))
	for _, m := range raw.Images {
		if _, ok := raw.Classes[m.Class]; !ok {
			return nil, fmt.Errorf("decoding embedded limits.yaml: %w", invalidf("image %q: unknown class %q", m.Image, m.Class))
		}
		if _, err := path.Match(m.Image, ""); err != nil || Repository(m.Image) != m.Image {
			return nil, fmt.Errorf("decoding embedded limits.yaml: %w", invalidf("image %q is not a normalised repository pattern", m.Image))
		}
		out = append(out, ImageClass{Image: m.Image, Class: m.Class})
	}
	return out, nil
}

// ClassOf returns the resource class of an image: the first of mappings that
// matches its normalised repository (user mappings go first, then the
// embedded ImageClasses), else the class of its healthcheck entry, else
// DefaultClass.
func ClassOf(entries []Healthcheck, mappings []ImageClass, image string) string {
	repo := Repository(image)
	for _, m := range mappings {
		if m.Image == repo {
			return m.Class
		}
		if ok, err := path.Match(m.Image, repo); err == nil && ok {
			return m.Class
		}
	}
	if h, ok := Lookup(entries, image); ok && h.Class != "" {
		return h.Class
	}
	for _, h := range entries { // a tag-specific entry of the right family
		if h.matchesRepository(repo) && h.Class != "" {
			return h.Class
		}
	}
	return DefaultClass
}

var (
	cpusRE = lazyre.New(`^[0-9]+(\.[0-9]+)?$`)
)

// Validate checks that CPUs is a positive decimal, that both memory values
// are compose byte values, and that the reservation does not exceed the
// limit. Errors wrap ErrInvalid.
func (l Limits) Validate() error {
	if !cpusRE().MatchString(l.CPUs) {
		return invalidf("cpus %q is not a decimal number", l.CPUs)
	}
	if v, _ := strconv.ParseFloat(l.CPUs, 64); v <= 0 {
		return invalidf("cpus %q is not positive", l.CPUs)
	}
	limit, err := MemoryBytes(l.Memory)
	if err != nil {
		return err
	}
	reservation, err := MemoryBytes(l.ReservationMemory)
	if err != nil {
		return err
	}
	if reservation > limit {
		return invalidf("reservation %q exceeds limit %q", l.ReservationMemory, l.Memory)
	}
	return nil
}

// MemoryBytes parses a compose memory value ("512M", "2g", "1024") into
// bytes. Errors wrap ErrInvalid.
func MemoryBytes(s string) (int64, error) {
	// Read by hand, not with a regexp and a table: the limits rule reads
	// every service's memory values on every pass.
	digits := strings.ToLower(strings.TrimSpace(s))
	var shift uint
	if k := len(digits) - 1; k >= 0 {
		switch digits[k] {
		case 'b':
			digits = digits[:k]
		case 'k':
			digits, shift = digits[:k], 10
		case 'm':
			digits, shift = digits[:k], 20
		case 'g':
			digits, shift = digits[:k], 30
		}
	}
	if digits == "" || strings.TrimLeft(digits, "0123456789") != "" {
		return 0, invalidf("memory %q, want a number with an optional b, k, m or g suffix", s)
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || n <= 0 {
		return 0, invalidf("memory %q is not a positive number", s)
	}
	if n > (1<<62)>>shift {
		return 0, invalidf("memory %q is too large", s)
	}
	return n << shift, nil
}
