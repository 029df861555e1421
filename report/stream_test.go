package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/fixers"
)

// manyFindings is a file of n findings with fixes, each about 700 bytes
// of JSON.
func manyFindings(n int) File {
	f := File{Path: "big/compose.yaml", Original: []byte(strings.Repeat("services: {}\n", 10))}
	for i := range n {
		f.Findings = append(f.Findings, fixers.Finding{RuleID: "CF001", Severity: fixers.Warning, Path: f.Path,
			Span: compose.Span{Start: i % 100, End: i%100 + 1}, Pos: compose.Pos{Line: 1 + i%10, Col: 1},
			Message: fmt.Sprintf("finding %d <&> \"quoted\" é", i),
			Fix: &fixers.Fix{Title: "fix <it>", Safety: fixers.Safe,
				Change: compose.Change{Edits: []compose.Edit{{Start: i % 100, End: i % 100, New: "\n    x: y"}}}},
			Applied: i%2 == 0})
	}
	return f
}

// TestStreamedReportsAreWholeEncodings: the JSON and SARIF reports, their
// findings written one at a time, are the bytes the whole document's
// encoder writes, which the skeleton's markers stand in for; and when a
// string of the report holds a marker, the report is encoded whole, as
// before.
func TestStreamedReportsAreWholeEncodings(t *testing.T) {
	files, sum := fixture()
	marked := manyFindings(3)
	marked.Findings[1].Message = streamMarker + "0"
	noFindings := File{Path: "empty.yaml", Original: []byte("services: {}\n")}
	cases := []struct {
		name  string
		files []File
	}{
		{"fixture", files},
		{"no files", nil},
		{"no findings", []File{noFindings}},
		{"many", []File{noFindings, manyFindings(50), noFindings, manyFindings(7)}},
		{"a marker in a message", []File{manyFindings(2), marked}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, format := range []struct {
				name  string
				write func(*bytes.Buffer, *streamer) error
			}{
				{"json", func(b *bytes.Buffer, s *streamer) error {
					return writeJSON(b, tc.files, sum, s, WithRules(testRules()))
				}},
				{"sarif", func(b *bytes.Buffer, s *streamer) error { return writeSARIF(b, tc.files, s, WithRules(testRules())) }},
			} {
				var streamed, whole bytes.Buffer
				if err := format.write(&streamed, &streamer{}); err != nil {
					t.Fatal(err)
				}
				if err := format.write(&whole, &streamer{whole: true}); err != nil {
					t.Fatal(err)
				}
				if streamed.String() != whole.String() {
					t.Errorf("%s: streamed\n%s\nwhole\n%s", format.name, streamed.String(), whole.String())
				}
			}
		})
	}
}

// countingWriter records the largest write.
type countingWriter struct{ largest, total int }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.largest, w.total = max(w.largest, len(p)), w.total+len(p)
	return len(p), nil
}

// TestLargeReportsAreStreamed: a report of 5,000 findings (3 MB of JSON)
// reaches the writer in small writes, not as one document built in
// memory (2.7 GB at the peak for the 8 MiB benchmark file's 902,582
// findings).
func TestLargeReportsAreStreamed(t *testing.T) {
	files := []File{manyFindings(5000)}
	for _, format := range []struct {
		name  string
		write func(*countingWriter) error
	}{
		{"json", func(w *countingWriter) error { return JSON(w, files, Summary{}) }},
		{"sarif", func(w *countingWriter) error { return SARIF(w, files) }},
	} {
		var w countingWriter
		if err := format.write(&w); err != nil {
			t.Fatal(err)
		}
		if w.total < 2<<20 || w.largest > 128<<10 {
			t.Errorf("%s: %d bytes, the largest write %d bytes; want over 2 MB in writes of at most 128 KB", format.name, w.total, w.largest)
		}
	}
}
