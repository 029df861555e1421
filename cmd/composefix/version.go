package main

import (
	"runtime/debug"
	"strings"
)

// version is set at link time (-ldflags "-X main.version=v1.2.3"), as the
// release build does; otherwise buildVersion reads the build info.
var version = ""

// buildVersion is the version composefix reports: the linker's, else the
// module version the go command stamped (a tag, or a pseudo-version with
// the commit for `go build` in a checkout and `go install ...@v1.2.3`),
// else the VCS revision, else "devel".
func buildVersion(linked string, info *debug.BuildInfo, ok bool) string {
	if linked != "" {
		return linked
	}
	if !ok || info == nil {
		return "devel"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev == "" {
		return "devel"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	v := "devel-" + rev
	if modified == "true" {
		v += "-dirty"
	}
	return v
}

// currentVersion is buildVersion for this binary. The build info (every
// module's line, parsed) is read only without a linked version: every run
// asks, the release build links one.
func currentVersion() string {
	if linked := strings.TrimSpace(version); linked != "" {
		return linked
	}
	info, ok := debug.ReadBuildInfo()
	return buildVersion(strings.TrimSpace(version), info, ok)
}
