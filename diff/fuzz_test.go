package diff

import (
	"fmt"
	"strings"
	"testing"
)

// editLines derives b from a by line edits read from ops, two bytes per
// edit: the operation and its argument.
func editLines(a string, ops []byte) string {
	lines := splitLines(a)
	pool := []string{"x\n", "    restart: always\n", "\n", "y\r\n", "é 🐳\n", "\xff\n", "tail"}
	for i := 0; i+1 < len(ops); i += 2 {
		op, arg := ops[i]%6, int(ops[i+1])
		switch {
		case op == 0 && len(lines) > 0: // delete a line
			k := arg % len(lines)
			lines = append(lines[:k], lines[k+1:]...)
		case op == 1: // insert a new line
			k := arg % (len(lines) + 1)
			lines = append(lines[:k], append([]string{pool[arg%len(pool)]}, lines[k:]...)...)
		case op == 2 && len(lines) > 0: // replace a line
			lines[arg%len(lines)] = pool[(arg/7)%len(pool)]
		case op == 3 && len(lines) > 0: // copy a line elsewhere: ambiguous alignments
			k := arg % (len(lines) + 1)
			lines = append(lines[:k], append([]string{lines[arg%len(lines)]}, lines[k:]...)...)
		case op == 4 && len(lines) > 0: // add or drop the final newline
			last := &lines[len(lines)-1]
			if s, ok := strings.CutSuffix(*last, "\n"); ok {
				*last = s
			} else {
				*last += "\n"
			}
		case op == 5 && len(lines) > 0: // switch a line's ending between LF and CRLF
			l := &lines[arg%len(lines)]
			if s, ok := strings.CutSuffix(*l, "\r\n"); ok {
				*l = s + "\n"
			} else if s, ok := strings.CutSuffix(*l, "\n"); ok {
				*l = s + "\r\n"
			}
		}
	}
	return strings.Join(lines, "")
}

// FuzzUnified checks that the diff of a against a line-edited copy b, applied
// by the strict in-test applier, gives b exactly, with GNU diff -u's hunk
// shapes, for any context size.
func FuzzUnified(f *testing.F) {
	f.Add(composeA, []byte{1, 3, 2, 9, 0, 14}, uint8(3))
	f.Add(strings.ReplaceAll(composeA, "\n", "\r\n"), []byte{4, 0, 5, 2, 1, 40}, uint8(3))
	f.Add("", []byte{1, 0, 1, 6}, uint8(3))
	f.Add("x", []byte{4, 0}, uint8(0))
	f.Add("a\nb\nc", []byte{0, 0, 0, 0, 0, 0}, uint8(1))
	f.Add(numbered(30), []byte{2, 0, 2, 29, 3, 12, 0, 15}, uint8(2))
	f.Fuzz(func(t *testing.T, a string, ops []byte, ctx uint8) {
		if len(a) > 1<<14 || len(ops) > 256 {
			t.Skip("input too large to be interesting")
		}
		b := editLines(a, ops)
		context := int(ctx % 8)
		got := Unified("compose.yaml", []byte(a), []byte(b), WithContext(context))
		if (got == "") != (a == b) {
			t.Fatalf("Unified(%q, %q) = %q: empty exactly when a == b", a, b, got)
		}
		applied, shapes, err := applyUnified(a, got)
		if err != nil {
			t.Fatalf("applying Unified(%q, %q): %v\n%s", a, b, err, got)
		}
		if applied != b {
			t.Fatalf("applying Unified(%q, %q) = %q, want b\n%s", a, b, applied, got)
		}
		if err := checkShapes(shapes, len(splitLines(a)), context); err != nil {
			t.Fatalf("Unified(%q, %q, WithContext(%d)) hunks: %v\n%s", a, b, context, err, got)
		}
		if strings.Contains(a+b, "\x1b") {
			return // the file's own escapes are printed as they are
		}
		colored := Unified("compose.yaml", []byte(a), []byte(b), WithContext(context), WithColor(true))
		if stripped := ansiEscape.ReplaceAllString(colored, ""); stripped != got {
			t.Fatalf("Unified(%q, %q) coloured, without escapes = %q, want %q", a, b, stripped, got)
		}
	})
}

// benchFiles returns a 5,000-line compose-like file and a copy with 10
// scattered edits (replacements, insertions and deletions).
func benchFiles() (a, b []byte) {
	var sb strings.Builder
	sb.WriteString("services:\n")
	for i := 0; sb.Len() == 0 || strings.Count(sb.String(), "\n") < 5000; i++ {
		fmt.Fprintf(&sb, "  svc%d:\n    image: registry.example.com/team/app%d:1.%d\n    restart: always\n    environment:\n      ID: \"%d\"\n", i, i, i%10, i)
	}
	lines := splitLines(sb.String())[:5000]
	edited := append([]string(nil), lines...)
	for k := 0; k < 10; k++ {
		i := 250 + k*480
		switch k % 3 {
		case 0:
			edited[i] = "    image: registry.example.com/team/app:2.0.0\n"
		case 1:
			edited[i] += "    healthcheck:\n      test: [\"CMD\", \"true\"]\n"
		case 2:
			edited[i] = ""
		}
	}
	return []byte(strings.Join(lines, "")), []byte(strings.Join(edited, ""))
}

func BenchmarkUnified5000Lines10Edits(b *testing.B) {
	a, c := benchFiles()
	if n := strings.Count(Unified("compose.yaml", a, c), "\n@@ "); n != 10 {
		b.Fatalf("benchmark diff has %d hunks, want 10", n)
	}
	b.ReportAllocs()
	for b.Loop() {
		Unified("compose.yaml", a, c)
	}
}

// BenchmarkUnifiedFullRewrite measures the worst case: every one of 5,000
// lines differs, which costs Myers' algorithm O(N²).
func BenchmarkUnifiedFullRewrite(b *testing.B) {
	a := []byte(numbered(5000))
	c := []byte(strings.ReplaceAll(numbered(5000), "line", "LINE"))
	b.ReportAllocs()
	for b.Loop() {
		Unified("compose.yaml", a, c)
	}
}
