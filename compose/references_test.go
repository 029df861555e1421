package compose_test

import (
	"path/filepath"
	"testing"

	"github.com/composefix/composefix/compose"
	"github.com/google/go-cmp/cmp"
)

func TestReferenceNodes(t *testing.T) {
	src := `include:
  - a.yaml
  - path: b.yaml
  - path: [c.yaml, ../d.yaml]
  - oci://registry.example/app:1
  - git@github.com:acme/stack.git
  - https://example.com/stack.git
  - git::https://example.com/stack.git
  - ${DIR}/e.yaml
  - a.yaml
  - {path: g.yaml, env_file: [g.env, /dev/null, $E]}
services:
  web:
    extends: {file: f.yaml, service: app}
  api:
    extends:
      file: "$BASE"
      service: app
  job:
    extends: web
`
	d, err := compose.Load(filepath.Join("proj", "compose.yaml"), []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	type ref struct {
		Path      string
		Line, Col int
		Extends   bool
		EnvFile   bool
	}
	var got []ref
	for _, r := range d.ReferenceNodes() {
		got = append(got, ref{r.Path, r.Node.Line, r.Node.Column, r.Extends, r.EnvFile})
	}
	want := []ref{
		{filepath.Join("proj", "a.yaml"), 2, 5, false, false},
		{filepath.Join("proj", "b.yaml"), 3, 11, false, false},
		{filepath.Join("proj", "c.yaml"), 4, 12, false, false},
		{"d.yaml", 4, 20, false, false},
		{filepath.Join("proj", "a.yaml"), 10, 5, false, false},
		{filepath.Join("proj", "g.yaml"), 11, 12, false, false},
		{filepath.Join("proj", "g.env"), 11, 31, false, true}, // not /dev/null, nor $E
		{filepath.Join("proj", "f.yaml"), 14, 21, true, false},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("ReferenceNodes() mismatch (-want +got):\n%s", d)
	}
	// References lists each compose file once, and no env file.
	wantPaths := []string{filepath.Join("proj", "a.yaml"), filepath.Join("proj", "b.yaml"), filepath.Join("proj", "c.yaml"), "d.yaml", filepath.Join("proj", "g.yaml"), filepath.Join("proj", "f.yaml")}
	if d := cmp.Diff(wantPaths, d.References()); d != "" {
		t.Errorf("References() mismatch (-want +got):\n%s", d)
	}
}
