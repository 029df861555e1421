package pipeline

import (
	"crypto/sha256"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/composefix/composefix/fixers"
)

// TestFixRefusesFileChangedSinceFirstRead: the run reads each file twice,
// once to list its images and once to fix it. A file that changed in
// between is not fixed (its images were resolved from other bytes) but
// reported, with the bytes read the second time left as they are.
func TestFixRefusesFileChangedSinceFirstRead(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "compose.yaml")
	src := "services:\n  web:\n    image: nginx:1.27.3\n"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	o := &Options{Rules: fixers.Rules(), Fixers: fixers.DefaultConfig()}
	for _, tc := range []struct {
		name    string
		read    string // what the first pass read
		wantErr string
	}{
		{"unchanged", src, ""},
		{"changed", "services:\n  web:\n    image: nginx:1.27\n", "changed while composefix was running; run composefix again"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inputs := []input{{path: path, digest: sha256.Sum256([]byte(tc.read))}}
			var got *File
			fixAll(t.Context(), o, inputs, newGrouping(o.wd, nil, nil, nil, []string{path}), nil, fixers.Resolutions{}, func(_ int, f *File, _ []byte) {
				got = f
			})
			if got == nil {
				t.Fatal("nothing emitted")
			}
			switch {
			case tc.wantErr == "" && got.Err != nil:
				t.Errorf("Err = %v, want none", got.Err)
			case tc.wantErr != "" && (got.Err == nil || !strings.Contains(got.Err.Error(), tc.wantErr)):
				t.Errorf("Err = %v, want one saying %q", got.Err, tc.wantErr)
			case tc.wantErr != "" && string(got.Output) != src:
				t.Errorf("Output = %q, want the file as it is now", got.Output)
			}
		})
	}
}
