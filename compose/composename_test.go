package compose

import (
	"regexp"
	"testing"
)

// composeNameRE is the expression IsComposeName's scan replaces.
var composeNameRE = regexp.MustCompile(`^(docker-)?compose(\.[^/]+)?\.ya?ml$`)

func TestIsComposeNameIsTheRegexp(t *testing.T) {
	for _, name := range []string{
		"", "compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml",
		"compose.override.yaml", "docker-compose.prod.yml", "compose..yaml", "compose.x.yml",
		"compose.yaml.yml", "compose", "compose.", "compose.yam", "compose.YAML", "Compose.yaml",
		"docker-docker-compose.yml", "docker-compose", "xcompose.yaml", "compose.a/b.yaml",
		"compose.yaml.bak", "compose-dev.yaml", "docker-compose.ü.yml", "compose.\n.yaml",
	} {
		if got, want := IsComposeName(name), composeNameRE.MatchString(name); got != want {
			t.Errorf("IsComposeName(%q) = %v, the regexp says %v", name, got, want)
		}
	}
}

func FuzzIsComposeName(f *testing.F) {
	for _, s := range []string{"compose.yaml", "docker-compose.x.yml", "compose..yml"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if got, want := IsComposeName(name), composeNameRE.MatchString(name); got != want {
			t.Errorf("IsComposeName(%q) = %v, the regexp says %v", name, got, want)
		}
	})
}
