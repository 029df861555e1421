package pipeline

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunEmitsInInputOrder: issue 14 streams results as files finish, 4 at
// a time with up to 16 waiting, yet each must still be emitted once and in
// input order. More files than that window, given out of sorted order,
// with a large (slow) file every few, would expose a result emitted early,
// twice or not at all.
func TestRunEmitsInInputOrder(t *testing.T) {
	dir := t.TempDir()
	var want []string
	for i := 0; i < 40; i++ {
		services := 1
		if i%7 == 0 {
			services = 300 // slower than the files after it
		}
		var b strings.Builder
		b.WriteString("services:\n")
		for s := 0; s < services; s++ {
			fmt.Fprintf(&b, "  s%d:\n    image: nginx:1.27.3\n", s)
		}
		// One directory each, so that no two files form a project; named
		// against the given order, so that sorting would also be caught.
		p := filepath.Join(dir, fmt.Sprintf("%02d", 39-i), "compose.yaml")
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		want = append(want, p)
	}
	var got []string
	res := run(t, want, false, func(f *File) { got = append(got, f.Path) })
	if res.Failed() {
		t.Fatalf("run failed: %+v", res)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("emitted %d files in the order\n%s\nwant the %d inputs in input order\n%s", len(got), strings.Join(got, "\n"), len(want), strings.Join(want, "\n"))
	}
}
