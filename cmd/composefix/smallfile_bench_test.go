package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkRunSmallFile is the work run does for a 3-line file offline,
// in-process: what a pre-commit hook or an editor pays on top of process
// startup (issue 14's 3-line-file target).
func BenchmarkRunSmallFile(b *testing.B) {
	work := b.TempDir()
	small := filepath.Join(work, "compose.yaml")
	if err := os.WriteFile(small, []byte("services:\n  web:\n    image: nginx:1.27.3\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	b.Chdir(work)
	b.Setenv("NO_COLOR", "1")
	args := []string{"composefix", "--offline", "--cache-dir", filepath.Join(work, "cache"), small}
	b.ReportAllocs()
	for b.Loop() {
		if code := run(context.Background(), args, strings.NewReader(""), io.Discard, io.Discard); code > exitChanges {
			b.Fatalf("run = %d", code)
		}
	}
}

// BenchmarkRunVersion is run's in-process work for --version: building
// the app and reading the command line (issue 14's --version target).
func BenchmarkRunVersion(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if code := run(context.Background(), []string{"composefix", "--version"}, strings.NewReader(""), io.Discard, io.Discard); code != exitOK {
			b.Fatalf("run = %d", code)
		}
	}
}
