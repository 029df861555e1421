package diff

import (
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
)

// edit replaces a[Start:End] with New; the test builds b and its regions.
type edit struct {
	start, end int
	text       string
}

// applyEdits applies sorted, non-overlapping edits and returns b and one
// region per edit.
func applyEdits(a string, edits []edit) (string, []Region) {
	var sb strings.Builder
	var regions []Region
	at := 0
	for _, e := range edits {
		sb.WriteString(a[at:e.start])
		bs := sb.Len()
		sb.WriteString(e.text)
		regions = append(regions, Region{AStart: e.start, AEnd: e.end, BStart: bs, BEnd: sb.Len()})
		at = e.end
	}
	sb.WriteString(a[at:])
	return sb.String(), mergeTouching(regions)
}

// mergeTouching merges regions that touch, as compose.ComposeRegions does.
func mergeTouching(rs []Region) []Region {
	var out []Region
	for _, r := range rs {
		if n := len(out); n > 0 && r.AStart <= out[n-1].AEnd {
			out[n-1].AEnd, out[n-1].BEnd = r.AEnd, r.BEnd
			continue
		}
		out = append(out, r)
	}
	return out
}

// TestEdited checks the cases the region diff exists for.
func TestEdited(t *testing.T) {
	tests := []struct {
		name  string
		a     string
		edits []edit
		want  string
	}{
		// Budibase: deleting the version key and its blank line, with a
		// comment below; an insertion before services. The comment stays
		// context instead of being removed and added again.
		{"deletion next to a comment",
			"version: \"3\"\n\n# optional ports\n\nservices:\n  app:\n    image: x\n",
			[]edit{{0, 14, ""}, {32, 32, "x-logging: &l\n  driver: json-file\n\n"}},
			"--- a/c.yaml\n+++ b/c.yaml\n@@ -1,7 +1,8 @@\n-version: \"3\"\n-\n # optional ports\n \n+x-logging: &l\n+  driver: json-file\n+\n services:\n   app:\n     image: x\n"},
		{"insertion at the end of a file without a final newline",
			"a: 1\nb: 2", []edit{{9, 9, "\nc: 3"}},
			"--- a/c.yaml\n+++ b/c.yaml\n@@ -1,2 +1,3 @@\n a: 1\n-b: 2\n\\ No newline at end of file\n+b: 2\n+c: 3\n\\ No newline at end of file\n"},
		{"edit in the middle of a line",
			"a: 1\nb: 22\nc: 3\n", []edit{{8, 9, "3"}},
			"--- a/c.yaml\n+++ b/c.yaml\n@@ -1,3 +1,3 @@\n a: 1\n-b: 22\n+b: 32\n c: 3\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, regions := applyEdits(tt.a, tt.edits)
			got := Edited("c.yaml", []byte(tt.a), []byte(b), regions)
			if got != tt.want {
				t.Errorf("Edited =\n%s\nwant\n%s", got, tt.want)
			}
			if out, _, err := applyUnified(tt.a, got); err != nil || out != b {
				t.Errorf("the patch does not turn a into b (err %v)", err)
			}
		})
	}
}

// TestEditedRandom checks, over random edits, that the patch applies and
// turns a into b, and that it is never longer than Unified's (whole-file
// Myers) when the edits touch separate lines.
func TestEditedRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for iter := range 3000 {
		a := randomLines(r, r.IntN(30))
		var edits []edit
		at := 0
		for at <= len(a) && r.IntN(4) > 0 {
			s := at + r.IntN(len(a)-at+1)
			e := s + r.IntN(min(8, len(a)-s)+1)
			edits = append(edits, edit{s, e, randomLines(r, r.IntN(3))})
			at = e + 1
		}
		sort.Slice(edits, func(i, j int) bool { return edits[i].start < edits[j].start })
		b, regions := applyEdits(a, edits)
		got := Edited("c.yaml", []byte(a), []byte(b), regions)
		out, _, err := applyUnified(a, got)
		if err != nil || out != b {
			t.Fatalf("iteration %d: patch does not apply (err %v)\na=%q\nb=%q\nregions=%v\n%s", iter, err, a, b, regions, got)
		}
	}
}

// TestEditedBadRegions falls back to Unified rather than print a wrong
// patch.
func TestEditedBadRegions(t *testing.T) {
	a, b := "x\ny\nz\n", "x\nY\nz\n"
	for _, regions := range [][]Region{nil, {{0, 1, 0, 1}}, {{5, 9, 0, 1}}} {
		if got, want := Edited("c.yaml", []byte(a), []byte(b), regions), Unified("c.yaml", []byte(a), []byte(b)); got != want {
			t.Errorf("Edited with regions %v = %q, want Unified's %q", regions, got, want)
		}
	}
}

func randomLines(r *rand.Rand, n int) string {
	var b strings.Builder
	for range n {
		b.WriteString([]string{"a", "b", "# c", "", "  d: 1"}[r.IntN(5)])
		if r.IntN(8) > 0 {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// TestEditedWithLineStarts checks that line starts a caller passes are
// used where they fit the texts (linesOf keeps them) and found again where
// they do not (a text without a final newline, starts off by one, starts
// of another text), and that Edited prints the same diff either way.
func TestEditedWithLineStarts(t *testing.T) {
	starts := func(s string) []int { // as compose.Document.LineStarts gives them
		out := []int{0}
		for i := range len(s) {
			if s[i] == '\n' {
				out = append(out, i+1)
			}
		}
		return out
	}
	a := "services:\n  web:\n    image: a\n"
	b, regions := applyEdits(a, []edit{{27, 28, "b\n    restart: always"}})
	want := Edited("c.yaml", []byte(a), []byte(b), regions)
	if want == "" {
		t.Fatal("no diff")
	}
	for _, tc := range []struct {
		name   string
		sa, sb []int
		fitA   bool // linesOf keeps sa
	}{
		{"both fit", starts(a), starts(b), true},
		{"none given", nil, nil, false},
		{"another text's", starts(b), starts(a), false},
		{"a line short", starts(a)[:len(starts(a))-1], starts(b), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Edited("c.yaml", []byte(a), []byte(b), regions, WithLineStarts(tc.sa, tc.sb)); got != want {
				t.Errorf("Edited with line starts:\n%s\nwant:\n%s", got, want)
			}
			l := linesOf([]byte(a), tc.sa)
			if kept := len(tc.sa) > 0 && len(l.starts) == len(tc.sa) && &l.starts[0] == &tc.sa[0]; kept != tc.fitA {
				t.Errorf("linesOf kept the starts: %v, want %v", kept, tc.fitA)
			}
			if fresh := newLines([]byte(a)); !slices.Equal(l.starts, fresh.starts) {
				t.Errorf("linesOf = %v, want %v", l.starts, fresh.starts)
			}
		})
	}
	// A text without a final newline: its last start is not its length.
	noEnd := strings.TrimSuffix(a, "\n")
	if l := linesOf([]byte(noEnd), starts(noEnd)); !slices.Equal(l.starts, newLines([]byte(noEnd)).starts) {
		t.Errorf("linesOf of a text without a final newline = %v, want %v", l.starts, newLines([]byte(noEnd)).starts)
	}
}
