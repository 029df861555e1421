package golden

import (
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"testing"
)

// SharedDir returns ../shared beside the repository (or $COMPOSEFIX_SHARED),
// or skips the test with a message when it is absent (CI always has it).
func SharedDir(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Skip("cannot locate the repository root")
	}
	// file is <repo>/internal/golden/shared.go
	dir := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared")
	// A git worktree elsewhere (or a CI checkout) names it in the
	// environment instead.
	if env := os.Getenv("COMPOSEFIX_SHARED"); env != "" {
		dir = env
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("../shared is absent (%v): corpus tests skipped", err)
	}
	return dir
}

// CorpusFiles returns the compose files of ../shared/corpus, sorted, or skips.
func CorpusFiles(t testing.TB) []string {
	t.Helper()
	dir := filepath.Join(SharedDir(t), "corpus")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Skipf("reading corpus: %v", err)
	}
	var files []string
	for _, e := range entries {
		if ext := filepath.Ext(e.Name()); ext == ".yml" || ext == ".yaml" {
			files = append(files, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(files)
	if len(files) == 0 {
		t.Skip("corpus is empty")
	}
	return files
}

// RepoRoot returns the repository's root directory.
func RepoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}
