package fixers

import (
	"strings"
	"testing"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/diff"
)

// TestLineStats checks the collateral measure of the corpus and golden
// tests: lines the printed diff shows changed that no edit touched.
func TestLineStats(t *testing.T) {
	budibase := "version: \"3\"\n\n# optional ports are specified throughout for more advanced use cases.\n\nservices:\n  app:\n    image: x\n"
	svc := strings.Index(budibase, "services:")
	tests := []struct {
		name                       string
		a, b                       string // b "": a with the edits applied
		edits                      []compose.Edit
		added, removed, collateral int
		wholeFileShows             string // a line a whole-file diff shows changed
	}{
		// Budibase: CF601 deletes the version key and its blank line, and
		// CF401 inserts x-logging before services in the same pass. A
		// whole-file Myers diff pairs the comment with the insertion and
		// shows it removed and added again; no edit touched it.
		{name: "deletion next to a comment, insertion in the same pass", a: budibase,
			edits: []compose.Edit{{Start: 0, End: 14}, {Start: svc, End: svc, New: "x-logging: &l\n  driver: json-file\n\n"}},
			added: 3, removed: 2, wholeFileShows: "-# optional ports"},
		// A line changed that no edit explains: the output is not the
		// edits applied to the input (a rule whose edits do not say what
		// it wrote), so the regions do not describe it and the whole files
		// are compared.
		{name: "a line changed outside the edits", a: "a: 1\nb: 2\nc: 3\n", b: "x: 0\na: 1\nb: 9\nc: 3\n",
			edits: []compose.Edit{{Start: 0, End: 0, New: "x: 0\n"}},
			added: 2, removed: 1, collateral: 2},
		{name: "a removed line no edit explains", a: "a: 1\nb: 2\nc: 3\n", b: "a: 1\nb: 2\n# c\n",
			edits: []compose.Edit{{Start: 10, End: 10, New: "# c\n"}},
			added: 1, removed: 1, collateral: 1},
		{name: "an edit's own lines", a: "a: 1\nb: 2\n", edits: []compose.Edit{{Start: 8, End: 9, New: "3\nc: 4"}},
			added: 2, removed: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.b
			if b == "" {
				out, err := compose.Apply([]byte(tt.a), tt.edits)
				if err != nil {
					t.Fatal(err)
				}
				b = string(out)
			}
			st := lineStats([]byte(tt.a), []byte(b), tt.edits)
			if st.added != tt.added || st.removed != tt.removed || st.collateral != tt.collateral {
				t.Errorf("+%d -%d lines, %d collateral (%q); want +%d -%d, %d collateral",
					st.added, st.removed, st.collateral, st.unexplained, tt.added, tt.removed, tt.collateral)
			}
			if tt.wholeFileShows != "" && !strings.Contains(diff.Unified("c.yaml", []byte(tt.a), []byte(b)), "\n"+tt.wholeFileShows) {
				t.Errorf("a whole-file diff no longer shows %q: the case proves nothing", tt.wholeFileShows)
			}
		})
	}
}
