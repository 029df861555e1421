package main

import (
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/composefix/composefix/internal/e2e"
	"github.com/composefix/composefix/internal/golden"
	"go.yaml.in/yaml/v3"
)

// TestGoReleaserConfig checks .goreleaser.yaml against what a release must
// provide and what the Action expects: static binaries for linux, darwin
// and windows on amd64 and arm64, archives named as the Action builds the
// name, SHA-256 checksums.txt, an SBOM, the version linked in.
func TestGoReleaserConfig(t *testing.T) {
	var cfg struct {
		Version int `yaml:"version"`
		Builds  []struct {
			Main    string   `yaml:"main"`
			Env     []string `yaml:"env"`
			Goos    []string `yaml:"goos"`
			Goarch  []string `yaml:"goarch"`
			Flags   []string `yaml:"flags"`
			Ldflags []string `yaml:"ldflags"`
		} `yaml:"builds"`
		Archives []struct {
			NameTemplate string `yaml:"name_template"`
			Formats      []string
			Files        []string `yaml:"files"`
		} `yaml:"archives"`
		Checksum struct {
			NameTemplate string `yaml:"name_template"`
			Algorithm    string `yaml:"algorithm"`
		} `yaml:"checksum"`
		SBOMs []map[string]any `yaml:"sboms"`
	}
	if err := yaml.Unmarshal(repoFile(t, ".goreleaser.yaml"), &cfg); err != nil {
		t.Fatalf("parsing .goreleaser.yaml: %v", err)
	}
	if cfg.Version != 2 || len(cfg.Builds) != 1 || len(cfg.Archives) != 1 || len(cfg.SBOMs) == 0 {
		t.Fatalf("config = %+v, want version 2, one build, one archive, an SBOM", cfg)
	}
	b := cfg.Builds[0]
	if b.Main != "./cmd/composefix" || !slices.Contains(b.Env, "CGO_ENABLED=0") ||
		!slices.Equal(b.Goos, []string{"linux", "darwin", "windows"}) || !slices.Equal(b.Goarch, []string{"amd64", "arm64"}) {
		t.Errorf("build = %+v, want ./cmd/composefix, CGO_ENABLED=0, linux/darwin/windows x amd64/arm64", b)
	}
	if !slices.Contains(b.Flags, "-trimpath") || !slices.Contains(b.Flags, "-tags="+noDocsTag) {
		t.Errorf("flags = %q, want -trimpath and -tags=%s", b.Flags, noDocsTag)
	}
	if len(b.Ldflags) != 1 || !strings.Contains(b.Ldflags[0], "-X main.version=v{{ .Version }}") {
		t.Errorf("ldflags = %q, want the version linked into main.version", b.Ldflags)
	}
	a := cfg.Archives[0]
	// The Action downloads composefix_<version>_<os>_<arch>.tar.gz (.zip on Windows).
	if a.NameTemplate != "{{ .ProjectName }}_{{ .Version }}_{{ .Os }}_{{ .Arch }}" || !slices.Contains(a.Files, "LICENSE") {
		t.Errorf("archive = %+v, want composefix_<version>_<os>_<arch> with the LICENSE", a)
	}
	if !strings.Contains(string(repoFile(t, "action.yml")), `asset="composefix_${tag#v}_${os}_${arch}.${ext}"`) {
		t.Errorf("action.yml no longer builds the archive name the release uses")
	}
	if cfg.Checksum.NameTemplate != "checksums.txt" || cfg.Checksum.Algorithm != "sha256" {
		t.Errorf("checksum = %+v, want checksums.txt with sha256 (what the Action verifies)", cfg.Checksum)
	}
	if lic := string(repoFile(t, "LICENSE")); !strings.Contains(lic, "Apache License") || !strings.Contains(lic, "Version 2.0, January 2004") || !strings.Contains(lic, "END OF TERMS AND CONDITIONS") {
		t.Error("LICENSE is not the Apache-2.0 text")
	}
}

// TestGoReleaserCheck runs `goreleaser check` on the configuration. It
// needs goreleaser (go install github.com/goreleaser/goreleaser/v2@v2.15.1)
// and skips without it, unless COMPOSEFIX_E2E=1, where it fails: .ci/run
// installs it (about 4 minutes from a cold module cache). TestGoReleaserConfig
// checks what the release must provide without it.
func TestGoReleaserCheck(t *testing.T) {
	bin := e2e.Tool(t, "goreleaser", "go install github.com/goreleaser/goreleaser/v2@v2.15.1")
	cmd := exec.Command(bin, "check", "--config", filepath.Join(golden.RepoRoot(t), ".goreleaser.yaml"))
	cmd.Dir = golden.RepoRoot(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("goreleaser check: %v\n%s", err, out)
	}
}

// noDocsTag is the urfave/cli build tag that leaves out ToMan and
// ToMarkdown, and with them blackfriday, whose tables every process built
// at start. The release, the Dockerfile and `task build` set it.
const noDocsTag = "urfave_cli_no_docs"

// TestBuildsWithoutCLIDocs type-checks composefix as the release builds
// it: with noDocsTag, a call to ToMan or ToMarkdown would not compile.
func TestBuildsWithoutCLIDocs(t *testing.T) {
	if testing.Short() {
		t.Skip("type-checks the package again (go vet); skipped with -short")
	}
	cmd := exec.Command("go", "vet", "-tags", noDocsTag, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go vet -tags %s: %v\n%s", noDocsTag, err, out)
	}
}
