package pipeline

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestDirOverlaysListsEachDirectoryOnce: the overlay-named files of a
// directory, in name order, read from the directory once for the run (a
// file added later is not seen: the listing was not read again).
func TestDirOverlaysListsEachDirectoryOnce(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"compose.yaml", "compose.prod.yaml", "compose.dev.yml", "notes.txt", "docker-compose.override.yml"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("services: {}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	o := &dirOverlays{byDir: map[string][]string{}}
	// An override is named like one too; overlaysOf leaves out its base's
	// own group.
	want := []string{filepath.Join(dir, "compose.dev.yml"), filepath.Join(dir, "compose.prod.yaml"), filepath.Join(dir, "docker-compose.override.yml")}
	if got := o.in(dir); !slices.Equal(got, want) {
		t.Fatalf("in(dir) = %q, want %q", got, want)
	}
	if err := os.WriteFile(filepath.Join(dir, "compose.ci.yaml"), []byte("services: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := o.in(dir); !slices.Equal(got, want) {
		t.Errorf("second in(dir) = %q, want the first listing %q", got, want)
	}
}
