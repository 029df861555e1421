package report

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/fixers"
	"github.com/composefix/composefix/internal/golden"
	"github.com/google/go-cmp/cmp"
)

func TestFindingsWithSourceGolden(t *testing.T) {
	files, _ := fixture()
	for _, color := range []bool{false, true} {
		var b bytes.Buffer
		for i := range files {
			FindingsWithSource(&b, &files[i], color)
		}
		name := "fixture.source.txt"
		if color {
			name = "fixture.source.color.txt"
		}
		golden.Check(t, filepath.Join("testdata", name), b.Bytes())
		if got := strings.Contains(b.String(), "\x1b"); got != color {
			t.Errorf("color=%v: output has escape codes = %v", color, got)
		}
	}
}

// TestFindingsWithSourceAgreesWithFindings: the finding lines are exactly
// what Findings prints; only source lines are added.
func TestFindingsWithSourceAgreesWithFindings(t *testing.T) {
	files, _ := fixture()
	for i := range files {
		var plain, src bytes.Buffer
		Findings(&plain, &files[i])
		FindingsWithSource(&src, &files[i], false)
		var kept []string
		for _, l := range strings.SplitAfter(src.String(), "\n") {
			if !strings.HasPrefix(l, " ") {
				kept = append(kept, l)
			}
		}
		if d := cmp.Diff(plain.String(), strings.Join(kept, "")); d != "" {
			t.Errorf("%s: finding lines differ from Findings (-Findings +FindingsWithSource):\n%s", files[i].Path, d)
		}
	}
}

func TestFindingsWithSourceUnderline(t *testing.T) {
	for _, tc := range []struct {
		name, src  string
		start, end compose.Pos
		want       string // the two source lines
	}{
		{"word", "services:\n  web:\n", compose.Pos{Line: 2, Col: 3}, compose.Pos{Line: 2, Col: 6},
			" 2 |   web:\n   |   ^^^\n"},
		{"insertion point", "a: b\n", compose.Pos{Line: 1, Col: 5}, compose.Pos{Line: 1, Col: 5},
			" 1 | a: b\n   |     ^\n"},
		{"no end", "a: b\n", compose.Pos{Line: 1, Col: 4}, compose.Pos{},
			" 1 | a: b\n   |    ^\n"},
		{"to the end of the line when the range spans lines", "key:\n  x: 1\n", compose.Pos{Line: 1, Col: 1}, compose.Pos{Line: 2, Col: 7},
			" 1 | key:\n   | ^^^^\n"},
		{"tabs stay tabs", "\tx: é y\n", compose.Pos{Line: 1, Col: 5}, compose.Pos{Line: 1, Col: 6},
			" 1 | \tx: é y\n   | \t   ^\n"},
		{"CRLF", "a: b\r\nc: d\r\n", compose.Pos{Line: 2, Col: 1}, compose.Pos{Line: 2, Col: 2},
			" 2 | c: d\n   | ^\n"},
		{"last line without newline", "a: b\nc: dd", compose.Pos{Line: 2, Col: 4}, compose.Pos{Line: 2, Col: 6},
			" 2 | c: dd\n   |    ^^\n"},
		{"wide gutter", strings.Repeat("\n", 11) + "k: v\n", compose.Pos{Line: 12, Col: 1}, compose.Pos{Line: 12, Col: 2},
			" 12 | k: v\n    | ^\n"},
		{"line past the end", "a: b\n", compose.Pos{Line: 9, Col: 1}, compose.Pos{Line: 9, Col: 2}, ""},
		{"column past the end", "a: b\n", compose.Pos{Line: 1, Col: 40}, compose.Pos{Line: 1, Col: 41},
			" 1 | a: b\n   |     ^\n"},
		{"whole file", "a: b\n", compose.Pos{}, compose.Pos{}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &File{Path: "c.yaml", Original: []byte(tc.src), Findings: []fixers.Finding{
				{RuleID: "CF1", Severity: fixers.Info, Path: "c.yaml", Pos: tc.start, End: tc.end, Message: "m"},
			}}
			var b bytes.Buffer
			FindingsWithSource(&b, f, false)
			_, got, _ := strings.Cut(b.String(), "\n")
			if got != tc.want {
				t.Errorf("FindingsWithSource source lines = %q, want %q", got, tc.want)
			}
		})
	}
}
