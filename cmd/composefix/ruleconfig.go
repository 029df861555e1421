package main

import (
	"sort"

	"github.com/composefix/composefix/config"
	"github.com/composefix/composefix/fixers"
)

// Each rule family maps its part of .composefix.yaml onto fixers.Config in
// a function of its own, called by fixerConfig with a non-nil cfg. An
// invalid reference (an unknown class, say) is a usage error naming the
// config file's line and column.

// applyImagesConfig sets the pin mode from the file's pin key (--pin wins,
// in readRegistrySettings). ignore_images is copied by fixerConfig; the
// registry settings (mirrors, cache TTL, update policy) are read by
// readRegistrySettings.
func applyImagesConfig(fc *fixers.Config, cfg *config.File) error {
	switch cfg.Pin {
	case "":
	case config.PinVersion:
		fc.Pin = fixers.PinVersion
	case config.PinDigest:
		fc.Pin = fixers.PinDigest
	case config.PinVersionDigest:
		fc.Pin = fixers.PinVersionAndDigest
	default:
		line, col, _ := cfg.Pos("pin")
		return usagef("%s:%d:%d: unknown pin %q; expected version, digest or version+digest", cfg.Path, line, col, cfg.Pin)
	}
	return nil
}

// applySecurityConfig has nothing to map: .composefix.yaml has no security
// section. The security rules are enabled per rule under unsafe_fixes
// (wired in readSettings) and silenced with select/ignore or ignore
// comments.
func applySecurityConfig(fc *fixers.Config, cfg *config.File) error { return nil }

// applyHealthConfig copies the healthchecks section: entries for in-house
// images and services, overrides and disable: true, in file order. config
// has validated them (test form, durations, image or service).
func applyHealthConfig(fc *fixers.Config, cfg *config.File) error {
	for _, h := range cfg.Healthchecks {
		fc.Health.Healthchecks = append(fc.Health.Healthchecks, fixers.HealthOverride{
			Service: h.Service, Image: h.Image, Test: h.Test,
			Interval: h.Interval, Timeout: h.Timeout, StartPeriod: h.StartPeriod, StartInterval: h.StartInterval,
			Retries: h.Retries, Disable: h.Disable,
		})
	}
	return nil
}

// applyLimitsConfig copies the resources section. A class named by a
// service or an image pattern must be built in or defined under classes; a
// class defined there that is not built in must set cpus and memory.
func applyLimitsConfig(fc *fixers.Config, cfg *config.File) error {
	r := cfg.Resources
	builtin, err := fixers.LimitClasses()
	if err != nil {
		return err
	}
	known := map[string]bool{}
	list := ""
	for i, c := range builtin {
		known[c] = true
		if i > 0 {
			list += ", "
		}
		list += c
	}
	pos := func(line, col int, keys ...string) (int, int) {
		if l, c, ok := cfg.Pos(keys...); ok {
			return l, c
		}
		return line, col
	}
	lim := func(l config.Limits) fixers.ResourceLimits {
		return fixers.ResourceLimits{CPUs: l.CPUs, Memory: l.Memory, ReservationMemory: l.ReservationMemory}
	}
	classNames := make([]string, 0, len(r.Classes))
	for name := range r.Classes {
		classNames = append(classNames, name)
	}
	sort.Strings(classNames) // the first error reported must not depend on map order
	for _, name := range classNames {
		l := r.Classes[name]
		if !known[name] && (l.CPUs == "" || l.Memory == "") {
			line, col := pos(0, 0, "resources", "classes", name)
			return usagef("%s:%d:%d: resource class %q is not built in (built in: %s); a new class needs cpus and memory", cfg.Path, line, col, name, list)
		}
		if fc.Limits.Classes == nil {
			fc.Limits.Classes = map[string]fixers.ResourceLimits{}
		}
		fc.Limits.Classes[name] = lim(l)
	}
	defined := func(class string) bool { _, ok := r.Classes[class]; return known[class] || ok }
	serviceNames := make([]string, 0, len(r.Services))
	for name := range r.Services {
		serviceNames = append(serviceNames, name)
	}
	sort.Strings(serviceNames)
	for _, name := range serviceNames {
		s := r.Services[name]
		if s.Class != "" && !defined(s.Class) {
			line, col := pos(s.Line, s.Col, "resources", "services", name, "class")
			return usagef("%s:%d:%d: unknown resource class %q for service %q; expected one of %s, or a class defined under resources.classes", cfg.Path, line, col, s.Class, name, list)
		}
		if fc.Limits.Services == nil {
			fc.Limits.Services = map[string]fixers.ServiceResources{}
		}
		fc.Limits.Services[name] = fixers.ServiceResources{Class: s.Class, ResourceLimits: lim(s.Limits), Disable: s.Disable}
	}
	for _, ic := range r.Images {
		if !defined(ic.Class) {
			return usagef("%s:%d:%d: unknown resource class %q for images %q; expected one of %s, or a class defined under resources.classes", cfg.Path, ic.Line, ic.Col, ic.Class, ic.Pattern, list)
		}
		fc.Limits.Images = append(fc.Limits.Images, fixers.ImageClassRule{Pattern: ic.Pattern, Class: ic.Class})
	}
	return nil
}
