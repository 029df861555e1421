package kb

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/composefix/composefix/internal/golden"
)

// docsPath is docs/healthchecks.md from this package's directory.
var docsPath = filepath.Join("..", "..", "docs", "healthchecks.md")

const (
	beginEntries = "<!-- BEGIN GENERATED ENTRIES (go test ./fixers/kb -update) -->"
	endEntries   = "<!-- END GENERATED ENTRIES -->"
	beginClasses = "<!-- BEGIN GENERATED CLASSES (go test ./fixers/kb -update) -->"
	endClasses   = "<!-- END GENERATED CLASSES -->"
)

// TestDocsTables keeps the tables in docs/healthchecks.md generated from the
// data, so the documentation cannot drift: one row per entry, keyed by name
// and images. Run with -update to rewrite them.
func TestDocsTables(t *testing.T) {
	hs := mustHealthchecks(t)
	classes, err := Classes()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(docsPath)
	if err != nil {
		t.Fatalf("reading %s: %v", docsPath, err)
	}
	doc := string(raw)
	doc, err = replaceSection(doc, beginEntries, endEntries, entriesTable(t, hs))
	if err != nil {
		t.Fatal(err)
	}
	doc, err = replaceSection(doc, beginClasses, endClasses, classesTable(t, classes))
	if err != nil {
		t.Fatal(err)
	}
	if golden.Updating() {
		if err := os.WriteFile(docsPath, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if d := cmp.Diff(string(raw), doc); d != "" {
		t.Errorf("%s is out of date with the knowledge base; run go test ./fixers/kb -update (-file +data):\n%s", docsPath, d)
	}
	// Independently of the generator: every entry has exactly one row.
	for _, h := range hs {
		row := "| " + h.Name + " | " + strings.Join(h.Images, ", ")
		if n := strings.Count(string(raw), "\n"+row); n != 1 {
			t.Errorf("%s has %d rows starting %q, want 1", docsPath, n, row)
		}
	}
}

func replaceSection(doc, begin, end, body string) (string, error) {
	i := strings.Index(doc, begin)
	j := strings.Index(doc, end)
	if i < 0 || j < i {
		return "", fmt.Errorf("%s has no %q ... %q section", docsPath, begin, end)
	}
	return doc[:i+len(begin)] + "\n" + body + doc[j:], nil
}

func entriesTable(t *testing.T, hs []Healthcheck) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("| Entry | Images | Command (defaults) | Why the binary is there | Source | Root |\n")
	b.WriteString("|---|---|---|---|---|---|\n")
	for _, h := range hs {
		images := strings.Join(h.Images, ", ")
		if h.Tags != "" {
			images += " (tags `" + h.Tags + "`)"
		}
		if h.Versions != "" {
			images += " (versions `" + h.Versions + "`)"
		}
		if h.Built != "" {
			images += " (built `" + h.Built + "`)"
		}
		var command string
		switch got, err := h.Render(Service{}); {
		case errors.Is(err, ErrNoFix):
			command = "no fix: " + h.NoFix
		case errors.Is(err, ErrMissingParam):
			command = "`" + compose(t, h.Test) + "` (needs " + missingParams(h) + ")"
		case err != nil:
			t.Fatalf("entry %q: Render() error: %v", h.Name, err)
		default:
			command = "`" + compose(t, got) + "`"
		}
		var extras []string
		if h.RequiresCommandFlag != "" {
			extras = append(extras, "requires `"+h.RequiresCommandFlag+"` in the command")
		}
		if len(h.RequiresEnv) > 0 {
			keys := make([]string, 0, len(h.RequiresEnv))
			for k, v := range h.RequiresEnv {
				keys = append(keys, k+"="+v)
			}
			sort.Strings(keys)
			extras = append(extras, "requires `"+strings.Join(keys, " ")+"` in the environment")
		}
		if h.ImageHealthcheck {
			extras = append(extras, "the image declares this HEALTHCHECK itself")
		}
		if len(h.Absent) > 0 {
			extras = append(extras, "absent from the image: `"+strings.Join(h.Absent, "`, `")+"`")
		}
		if len(extras) > 0 {
			command += "; " + strings.Join(extras, "; ")
		}
		source := h.Source
		if !h.Verified {
			source = "unverified"
			if h.Source != "" {
				source += " (" + h.Source + ")"
			}
		}
		root := "unknown"
		if h.RunsAsRoot != nil {
			root = map[bool]string{true: "yes", false: "no"}[*h.RunsAsRoot]
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n",
			h.Name, cell(images), cell(command), cell(h.Why), cell(source), root)
	}
	return b.String()
}

func missingParams(h Healthcheck) string {
	var out []string
	for name, p := range h.Params {
		if p.Required {
			out = append(out, fmt.Sprintf("%s %s", name, p.describe()))
		}
	}
	sort.Strings(out)
	return strings.Join(out, "; ")
}

// compose formats a test the way it is written in a compose file's flow
// sequence.
func compose(t *testing.T, test []string) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(test); err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(strings.TrimSpace(b.String()), `","`, `", "`)
}

func cell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ")
}

func classesTable(t *testing.T, classes map[string]Limits) string {
	t.Helper()
	names := make([]string, 0, len(classes))
	for n := range classes {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("| Class | CPUs | Memory limit | Memory reservation |\n")
	b.WriteString("|---|---|---|---|\n")
	for _, n := range names {
		l := classes[n]
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", n, l.CPUs, l.Memory, l.ReservationMemory)
	}
	return b.String()
}
