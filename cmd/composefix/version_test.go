package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/composefix/composefix/internal/e2e"
)

func TestBuildVersion(t *testing.T) {
	info := func(v string, settings ...string) *debug.BuildInfo {
		bi := &debug.BuildInfo{Main: debug.Module{Path: "github.com/composefix/composefix", Version: v}}
		for i := 0; i+1 < len(settings); i += 2 {
			bi.Settings = append(bi.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
		}
		return bi
	}
	for _, tt := range []struct {
		name, linked string
		info         *debug.BuildInfo
		ok           bool
		want         string
	}{
		{"linker wins", "v1.2.3", info("v1.0.0"), true, "v1.2.3"},
		{"go install of a tag", "", info("v1.2.3"), true, "v1.2.3"},
		{"go build in a checkout", "", info("v0.0.0-20261128131823-fedc9c841e3b", "vcs.revision", "fedc9c841e3b4050cce69aa06a3e2cd087e4592f"), true, "v0.0.0-20261128131823-fedc9c841e3b"},
		{"devel with a revision", "", info("(devel)", "vcs.revision", "fedc9c841e3b4050cce69aa06a3e2cd087e4592f", "vcs.modified", "true"), true, "devel-fedc9c841e3b-dirty"},
		{"devel without VCS", "", info("(devel)"), true, "devel"},
		{"no build info", "", nil, false, "devel"},
	} {
		if got := buildVersion(tt.linked, tt.info, tt.ok); got != tt.want {
			t.Errorf("%s: buildVersion = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestVersionOfAPlainBuild builds composefix as a user would, with go build
// and no linker flags, and checks that `composefix version` and --version
// print the version the build info holds (as `go version -m` reads it),
// never the "dev" of a binary that knows nothing.
func TestVersionOfAPlainBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	goTool := e2e.Tool(t, "go", "install Go from https://go.dev/dl")
	bin := filepath.Join(t.TempDir(), "composefix")
	build := exec.Command(goTool, "build", "-o", bin, ".")
	// As on a developer's machine: stamp VCS information when there is any.
	build.Env = append(os.Environ(), "GOFLAGS=-buildvcs=auto")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	meta, err := exec.Command(goTool, "version", "-m", bin).Output()
	if err != nil {
		t.Fatalf("go version -m: %v", err)
	}
	bi := &debug.BuildInfo{}
	for _, line := range strings.Split(string(meta), "\n") {
		f := strings.Split(strings.TrimSpace(line), "\t")
		switch {
		case len(f) >= 3 && f[0] == "mod":
			bi.Main.Version = f[2]
		case len(f) == 2 && f[0] == "build":
			if k, v, ok := strings.Cut(f[1], "="); ok {
				bi.Settings = append(bi.Settings, debug.BuildSetting{Key: k, Value: v})
			}
		}
	}
	want := buildVersion("", bi, true)
	if want == "dev" || want == "" {
		t.Fatalf("build info gives %q", want)
	}
	for _, args := range [][]string{{"version"}, {"--version"}} {
		out, err := exec.Command(bin, args...).Output()
		if err != nil {
			t.Fatalf("composefix %s: %v", args[0], err)
		}
		if got := strings.TrimSpace(string(out)); got != "composefix version "+want {
			t.Errorf("composefix %s = %q, want %q", args[0], got, "composefix version "+want)
		}
	}
}
