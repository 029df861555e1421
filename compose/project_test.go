package compose_test

import (
	"path/filepath"
	"testing"

	"github.com/composefix/composefix/compose"
	"github.com/google/go-cmp/cmp"
)

// TestProjectFiles checks which files docker compose merges with each given
// file: an override or a named overlay joins its base in the same
// directory, a base takes its override, and a base or override that was
// not given but exists on disk is listed too, to be read as context.
func TestProjectFiles(t *testing.T) {
	tests := []struct {
		name  string
		files []string
		disk  []string // files that exist besides those given
		want  map[string][]string
	}{
		{
			name:  "independent files",
			files: []string{"a/compose.yaml", "b/docker-compose.yml", "c/other.yaml"},
			want: map[string][]string{
				"a/compose.yaml":       {"a/compose.yaml"},
				"b/docker-compose.yml": {"b/docker-compose.yml"},
				"c/other.yaml":         {"c/other.yaml"},
			},
		},
		{
			name:  "override joins its base",
			files: []string{"compose.override.yaml", "compose.yaml"},
			want: map[string][]string{
				"compose.yaml":          {"compose.yaml", "compose.override.yaml"},
				"compose.override.yaml": {"compose.yaml", "compose.override.yaml"},
			},
		},
		{
			// compose.prod.yaml is used as `-f compose.yaml -f
			// compose.prod.yaml`: the default override is not part of it.
			name:  "named overlay joins its base, not the override",
			files: []string{"d/compose.yaml", "d/compose.override.yaml", "d/compose.prod.yaml"},
			want: map[string][]string{
				"d/compose.yaml":          {"d/compose.yaml", "d/compose.override.yaml"},
				"d/compose.override.yaml": {"d/compose.yaml", "d/compose.override.yaml"},
				"d/compose.prod.yaml":     {"d/compose.yaml", "d/compose.prod.yaml"},
			},
		},
		{
			name:  "docker-compose overlay with dots in its name",
			files: []string{"docker-compose.yml", "docker-compose.dev.local.yml"},
			want: map[string][]string{
				"docker-compose.yml":           {"docker-compose.yml"},
				"docker-compose.dev.local.yml": {"docker-compose.yml", "docker-compose.dev.local.yml"},
			},
		},
		{
			// Pre-commit passes only the staged file: its base is read
			// from disk as context.
			name:  "overlay given alone",
			files: []string{"x/compose.prod.yml"},
			disk:  []string{"x/compose.yml"},
			want: map[string][]string{
				"x/compose.prod.yml": {"x/compose.yml", "x/compose.prod.yml"},
			},
		},
		{
			name:  "base given alone takes its override from disk",
			files: []string{"compose.yaml"},
			disk:  []string{"compose.override.yml"},
			want: map[string][]string{
				"compose.yaml": {"compose.yaml", "compose.override.yml"},
			},
		},
		{
			name:  "overlay without a base stays alone",
			files: []string{"docker-compose.prod.yml"},
			want: map[string][]string{
				"docker-compose.prod.yml": {"docker-compose.prod.yml"},
			},
		},
		{
			// docker compose prefers compose.yaml; an overlay joins the
			// base of its own family first.
			name:  "overlay prefers the base of its own family",
			files: []string{"compose.yaml", "docker-compose.yml", "docker-compose.ci.yml", "compose.ci.yaml"},
			want: map[string][]string{
				"compose.yaml":          {"compose.yaml"},
				"docker-compose.yml":    {"docker-compose.yml"},
				"docker-compose.ci.yml": {"docker-compose.yml", "docker-compose.ci.yml"},
				"compose.ci.yaml":       {"compose.yaml", "compose.ci.yaml"},
			},
		},
		{
			// docker compose reads the first override of
			// compose.override.yml, compose.override.yaml,
			// docker-compose.override.yml, docker-compose.override.yaml
			// with its base, whatever the base's family.
			name:  "override of the other family",
			files: []string{"docker-compose.yml", "compose.override.yaml"},
			want: map[string][]string{
				"docker-compose.yml":    {"docker-compose.yml", "compose.override.yaml"},
				"compose.override.yaml": {"docker-compose.yml", "compose.override.yaml"},
			},
		},
		{
			// Of several bases docker compose reads the first of
			// compose.yaml, compose.yml, docker-compose.yml,
			// docker-compose.yaml: only that one takes the override.
			name:  "override joins the base docker compose picks",
			files: []string{"compose.yml", "docker-compose.yml", "docker-compose.override.yml"},
			want: map[string][]string{
				"compose.yml":                 {"compose.yml", "docker-compose.override.yml"},
				"docker-compose.yml":          {"docker-compose.yml"},
				"docker-compose.override.yml": {"compose.yml", "docker-compose.override.yml"},
			},
		},
		{
			// Only the first override is read; another one is merged
			// over the base like a named overlay.
			name:  "second override",
			files: []string{"compose.yaml", "compose.override.yml", "compose.override.yaml"},
			want: map[string][]string{
				"compose.yaml":          {"compose.yaml", "compose.override.yml"},
				"compose.override.yml":  {"compose.yaml", "compose.override.yml"},
				"compose.override.yaml": {"compose.yaml", "compose.override.yaml"},
			},
		},
		{
			name:  "overlay falls back to the other family's base",
			files: []string{"docker-compose.yml", "compose.prod.yaml"},
			want: map[string][]string{
				"docker-compose.yml": {"docker-compose.yml"},
				"compose.prod.yaml":  {"docker-compose.yml", "compose.prod.yaml"},
			},
		},
		{
			name:  "other directory is not a base",
			files: []string{"a/compose.yaml", "b/compose.prod.yaml"},
			want: map[string][]string{
				"a/compose.yaml":      {"a/compose.yaml"},
				"b/compose.prod.yaml": {"b/compose.prod.yaml"},
			},
		},
		{
			name:  "not a compose name",
			files: []string{"compose.yaml", "compose.prod.yaml.orig", "compose.prod.json"},
			want: map[string][]string{
				"compose.yaml":           {"compose.yaml"},
				"compose.prod.yaml.orig": {"compose.prod.yaml.orig"},
				"compose.prod.json":      {"compose.prod.json"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			onDisk := map[string]bool{}
			for _, f := range append(append([]string(nil), tt.files...), tt.disk...) {
				onDisk[filepath.Clean(f)] = true
			}
			exists := func(p string) bool { return onDisk[filepath.Clean(p)] }
			got := compose.ProjectFiles(tt.files, exists)
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("ProjectFiles(%q) mismatch (-want +got):\n%s", tt.files, d)
			}
		})
	}
}

// TestIsOverlay checks which names are overlays of a base file.
func TestIsOverlay(t *testing.T) {
	for name, want := range map[string]bool{
		"compose.yaml":                 false,
		"docker-compose.yml":           false,
		"compose.override.yaml":        true,
		"docker-compose.override.yml":  true,
		"compose.prod.yaml":            true,
		"docker-compose.dev.local.yml": true,
		"compose.prod.yaml.orig":       false,
		"other.yaml":                   false,
	} {
		if got := compose.IsOverlay(name); got != want {
			t.Errorf("IsOverlay(%q) = %v, want %v", name, got, want)
		}
	}
}
