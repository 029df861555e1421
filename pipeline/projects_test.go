package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGroupErrs: an input merged after a file that cannot be loaded is
// refused, and an input that loaded in the first pass is not parsed again
// to find that out. Here compose.yaml is broken on disk: given as an input
// that loaded (paths), groupErrs takes the first pass's word and does not
// read it; as a base that is no input, it is read and its error named.
func TestGroupErrs(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for name, src := range map[string]string{
		"compose.yaml":          "services:\n  a: [\n",
		"compose.override.yaml": "services:\n  a:\n    restart: always\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	wd := newWorkDir(dir)
	tests := []struct {
		name    string
		paths   []string // the inputs that loaded
		wantErr string   // of compose.override.yaml; "": none
	}{
		{"base given and loaded", []string{"compose.override.yaml", "compose.yaml"}, ""},
		{"base not given", []string{"compose.override.yaml"}, "not analysed: compose.yaml, merged before it, cannot be loaded: compose.yaml:2:7: invalid YAML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := newGrouping(wd, nil, nil, nil, tt.paths).groupErrs(map[string]error{}, tt.paths)
			err := errs["compose.override.yaml"]
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("groupErrs: %v, want none (the base loaded in the first pass)", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("groupErrs: %v, want %q", err, tt.wantErr)
			}
			if err := errs["compose.yaml"]; err != nil {
				t.Errorf("groupErrs gave the base an error: %v", err)
			}
		})
	}
}
