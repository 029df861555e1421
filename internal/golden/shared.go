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
		return "", fmt.Errorf("../shared is absent (%w): %w", err, errAbsent)
	}
	return dir, nil
}

// errAbsent marks the one state in which the corpus tests may skip: no
// ../shared at all (a newcomer's clone). A ../shared whose corpus is
// missing, unreadable or short is a broken checkout, and a loop over it
// would pass after zero iterations, so it fails instead.
var errAbsent = errors.New("no shared directory")

// minCorpusFiles is the fewest compose files a present corpus may hold
// (it holds 53): fewer means a glob or a checkout went wrong.
const minCorpusFiles = 50

// CorpusFiles returns the compose files of ../shared/corpus, sorted. It
// skips when ../shared is absent and fails when the corpus is broken.
func CorpusFiles(t testing.TB) []string {
	t.Helper()
	files := CorpusIfPresent(t)
	if files == nil {
		t.Skip("../shared is absent: corpus tests skipped")
	}
	return files
}

// CorpusIfPresent returns the compose files of ../shared/corpus, or nil
// when ../shared is absent, for a test that has more to run without them,
// such as a fuzz target's committed inputs. A present but broken corpus
// fails the test.
func CorpusIfPresent(t testing.TB) []string {
	t.Helper()
	files, err := Corpus()
	if errors.Is(err, errAbsent) {
		t.Logf("%v: corpus cases skipped", err)
		return nil
	}
	if err != nil {
		t.Fatalf("../shared is present but its corpus is not usable: %v", err)
	}
	return files
}

// Corpus returns the compose files of ../shared/corpus, sorted, or why
// there are none (errAbsent when ../shared itself is missing).
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
	if len(files) < minCorpusFiles {
		return nil, fmt.Errorf("corpus %s holds %d compose files, want at least %d", dir, len(files), minCorpusFiles)
	}
	return files, nil
}

// RepoRoot returns the repository's root directory.
func RepoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}
