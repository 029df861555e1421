package golden

import (
	"errors"
	"fmt"
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
	dir, err := sharedDir()
	if err != nil {
		t.Skipf("%v: corpus tests skipped", err)
	}
	return dir
}

func sharedDir() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", errors.New("cannot locate the repository root")
	}
	// file is <repo>/internal/golden/shared.go
	dir := filepath.Join(filepath.Dir(file), "..", "..", "..", "shared")
	// A git worktree elsewhere (or a CI checkout) names it in the
	// environment instead.
	if env := os.Getenv("COMPOSEFIX_SHARED"); env != "" {
		dir = env
	}
	if _, err := os.Stat(dir); err != nil {
		return "", fmt.Errorf("../shared is absent (%w)", err)
	}
	return dir, nil
}

// CorpusFiles returns the compose files of ../shared/corpus, sorted, or skips.
func CorpusFiles(t testing.TB) []string {
	t.Helper()
	files, err := Corpus()
	if err != nil {
		t.Skipf("%v: corpus tests skipped", err)
	}
	return files
}

// Corpus returns the compose files of ../shared/corpus, sorted, or why
// there are none: for a test that has more to run without them, such as a
// fuzz target's committed inputs.
func Corpus() ([]string, error) {
	shared, err := sharedDir()
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(shared, "corpus")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("reading corpus: %w", err)
	}
	var files []string
	for _, e := range entries {
		if ext := filepath.Ext(e.Name()); ext == ".yml" || ext == ".yaml" {
			files = append(files, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(files)
	if len(files) == 0 {
		return nil, errors.New("corpus is empty")
	}
	return files, nil
}

// RepoRoot returns the repository's root directory.
func RepoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}
