package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/composefix/composefix/internal/namedpipe"
)

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestFind(t *testing.T) {
	root := t.TempDir()
	// root/a/.composefix.yaml covers a and a/b/c; root/a/b/.composefix.yml
	// is nearer for b and below; d has none (its parents in the temp
	// directory have none either); e holds both names.
	write(t, filepath.Join(root, "a", FileName), "pin: digest\n")
	write(t, filepath.Join(root, "a", "b", AltFileName), "pin: version\n")
	for _, d := range []string{"a/b/c", "a/x/y", "d/e", "e"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// r is a repository inside a: its files do not see a's configuration.
	write(t, filepath.Join(root, "a", "r", ".git", "HEAD"), "")
	if err := os.MkdirAll(filepath.Join(root, "a", "r", "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(root, "e", FileName), "")
	write(t, filepath.Join(root, "e", AltFileName), "")
	// A directory with the configuration's name is not a configuration.
	if err := os.MkdirAll(filepath.Join(root, "d", FileName), 0o755); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		dir  string
		want string // relative to root; "" for none
	}{
		{"a", "a/" + FileName},
		{"a/x/y", "a/" + FileName},
		{"a/b", "a/b/" + AltFileName},
		{"a/b/c", "a/b/" + AltFileName},
		{"d/e", ""},
		{"a/r/sub", ""}, // the search stops at the repository root
		{"a/r", ""},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			if _, err := os.Stat(filepath.Join(filepath.Dir(root), FileName)); err == nil {
				t.Skip("a configuration above the temp directory makes the none case unobservable")
			}
			got, err := Find(filepath.Join(root, tt.dir))
			if err != nil {
				t.Fatalf("Find(%q) error: %v", tt.dir, err)
			}
			want := ""
			if tt.want != "" {
				want = filepath.Join(root, tt.want)
			}
			if tt.want == "" && got != "" && !strings.HasPrefix(got, root) {
				t.Skipf("Find(%q) found %s outside the test tree", tt.dir, got)
			}
			if got != want {
				t.Errorf("Find(%q) = %q, want %q", tt.dir, got, want)
			}
		})
	}

	t.Run("both names", func(t *testing.T) {
		got, err := Find(filepath.Join(root, "e"))
		if !errors.Is(err, ErrAmbiguous) {
			t.Errorf("Find(e) = %q, %v, want an error wrapping ErrAmbiguous", got, err)
		}
		// The error names both files, so that it can be reported on the
		// configuration: it named only the directory.
		var fe *FindError
		if !errors.As(err, &fe) || fe.Path != filepath.Join(root, "e", FileName) || fe.Other != filepath.Join(root, "e", AltFileName) {
			t.Errorf("Find(e) error = %#v, want a *FindError naming %s and %s", err, FileName, AltFileName)
		}
	})

	t.Run("relative dir", func(t *testing.T) {
		t.Chdir(filepath.Join(root, "a", "x"))
		got, err := Find(".")
		if err != nil || got != filepath.Join(root, "a", FileName) {
			t.Errorf("Find(\".\") = %q, %v, want %q", got, err, filepath.Join(root, "a", FileName))
		}
	})
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	write(t, good, "pin: digest\n")
	f, err := Load(good)
	if err != nil {
		t.Fatalf("Load(%q) error: %v", good, err)
	}
	if f.Path != good || f.Pin != PinDigest {
		t.Errorf("Load(%q) = {Path: %q, Pin: %q}, want {Path: %q, Pin: %q}", good, f.Path, f.Pin, good, PinDigest)
	}

	bad := filepath.Join(dir, "bad.yaml")
	write(t, bad, "pin: x\n")
	_, err = Load(bad)
	var ce *Error
	if !errors.As(err, &ce) || ce.Path != bad || ce.Line != 1 || ce.Col != 6 {
		t.Errorf("Load(%q) error = %v, want a *config.Error at %s:1:6", bad, err, bad)
	}

	missing := filepath.Join(dir, "missing.yaml")
	if _, err := Load(missing); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load(%q) error = %v, want one wrapping fs.ErrNotExist", missing, err)
	}

	huge := filepath.Join(dir, "huge.yaml")
	write(t, huge, "# "+strings.Repeat("x", MaxSize)+"\n")
	if _, err := Load(huge); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("Load(%q) error = %v, want a size error", huge, err)
	}
}

// TestLoadErrors: what Load says when it cannot read a configuration
// file, word for word.
func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	huge := filepath.Join(dir, "huge.yaml")
	write(t, huge, "# "+strings.Repeat("x", MaxSize)+"\n")
	fifo := filepath.Join(dir, "fifo.yaml")
	if err := namedpipe.Make(fifo); err != nil {
		t.Skipf("cannot make a named pipe: %v", err)
	}
	missing := filepath.Join(dir, "missing.yaml")
	tests := []struct {
		path, want string
	}{
		{missing, "reading configuration: open " + missing + ": no such file or directory"},
		{dir, "reading configuration " + dir + ": not a regular file"},
		{fifo, "reading configuration " + fifo + ": not a regular file"},
		{huge, "reading configuration " + huge + ": larger than 1048576 bytes; not a configuration file"},
	}
	for _, tt := range tests {
		if _, err := Load(tt.path); err == nil || err.Error() != tt.want {
			t.Errorf("Load(%q) error = %v, want %q", tt.path, err, tt.want)
		}
	}
}

// TestLoadRefusesANamedPipe checks that a configuration path that is a
// named pipe is an error, not a run blocked until something writes to it.
func TestLoadRefusesANamedPipe(t *testing.T) {
	p := filepath.Join(t.TempDir(), FileName)
	if err := namedpipe.Make(p); err != nil {
		t.Skipf("cannot make a named pipe: %v", err)
	}
	done := make(chan error, 1)
	go func() { _, err := Load(p); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("Load(named pipe) = %v, want a not-a-regular-file error", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Load blocked on a named pipe")
	}
}

// TestFindOneFileUnderTwoNames: a .composefix.yml that is a symlink to
// the .composefix.yaml beside it (or the other way round, or a hard link)
// was counted as two configurations, and the directory refused as holding
// both. Both names are one file (os.SameFile): one configuration, found
// under .composefix.yaml. Two files are still refused, whatever they hold.
func TestFindOneFileUnderTwoNames(t *testing.T) {
	link := func(kind string) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			t.Helper()
			var err error
			switch kind {
			case "yml -> yaml":
				write(t, filepath.Join(dir, FileName), "pin: digest\n")
				err = os.Symlink(FileName, filepath.Join(dir, AltFileName))
			case "yaml -> yml":
				write(t, filepath.Join(dir, AltFileName), "pin: digest\n")
				err = os.Symlink(AltFileName, filepath.Join(dir, FileName))
			case "yml -> absolute yaml":
				write(t, filepath.Join(dir, FileName), "pin: digest\n")
				err = os.Symlink(filepath.Join(dir, FileName), filepath.Join(dir, AltFileName))
			case "hard link":
				write(t, filepath.Join(dir, FileName), "pin: digest\n")
				err = os.Link(filepath.Join(dir, FileName), filepath.Join(dir, AltFileName))
			case "copy":
				write(t, filepath.Join(dir, FileName), "pin: digest\n")
				write(t, filepath.Join(dir, AltFileName), "pin: digest\n")
			case "yml -> another directory's yaml":
				write(t, filepath.Join(dir, FileName), "pin: digest\n")
				write(t, filepath.Join(dir, "other", FileName), "pin: digest\n")
				err = os.Symlink(filepath.Join("other", FileName), filepath.Join(dir, AltFileName))
			}
			if err != nil {
				t.Skipf("cannot make the %s: %v", kind, err)
			}
		}
	}
	for _, tt := range []struct {
		kind      string
		ambiguous bool
	}{
		{"yml -> yaml", false},
		{"yaml -> yml", false},
		{"yml -> absolute yaml", false},
		{"hard link", false},
		{"copy", true},
		{"yml -> another directory's yaml", true},
	} {
		t.Run(tt.kind, func(t *testing.T) {
			dir := t.TempDir()
			write(t, filepath.Join(dir, ".git", "HEAD"), "") // no configuration above counts
			link(tt.kind)(t, dir)
			got, err := Find(dir)
			if tt.ambiguous {
				if !errors.Is(err, ErrAmbiguous) {
					t.Errorf("Find = %q, %v; want an error wrapping ErrAmbiguous", got, err)
				}
				return
			}
			if want := filepath.Join(dir, FileName); err != nil || got != want {
				t.Fatalf("Find = %q, %v; want %q", got, err, want)
			}
			if f, err := Load(got); err != nil || f.Pin != PinDigest {
				t.Errorf("Load(%q) = %+v, %v; want pin: digest", got, f, err)
			}
		})
	}
}
