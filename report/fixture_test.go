package report

import (
	"errors"
	"time"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/fixers"
)

// testRules is a rule table independent of the real one, so that these
// tests only change when the renderers do.
func testRules() []*fixers.Rule {
	return []*fixers.Rule{
		{ID: "CF001", Name: "pin-image", Safety: fixers.Safe, Severity: fixers.Warning,
			Summary: "pin image tags", Doc: "Pin images.\n\nBefore:\n  image: nginx\nAfter:\n  image: nginx:1.27.3"},
		{ID: "CF002", Name: "bind-localhost", Safety: fixers.Unsafe, Severity: fixers.Error,
			Summary: "bind published ports to 127.0.0.1", Doc: "Bind ports to localhost."},
		{ID: "CF003", Name: "hint", Safety: fixers.DisplayOnly, Severity: fixers.Info,
			Summary: "a hint without a doc"},
		{ID: "CF004", Name: "unused", Safety: fixers.Safe, Severity: fixers.Error,
			Summary: "a rule no finding refers to, left out of SARIF"},
	}
}

// Offsets in srcA: line 1 "services:\n" 0..10, line 2 "  wéb:\n" 10..18
// (é is two bytes), line 3 "    image: nginx # 100%\n" 18..42; "nginx" is
// 29..34, columns 12..17.
const srcA = "services:\n  wéb:\n    image: nginx # 100%\n"

// srcCRLF has CRLF line endings: line 3 starts at byte 18, "postgres" is
// 29..37.
const srcCRLF = "services:\r\n  db:\r\n    image: postgres\r\n"

// fixture is one of each kind of file: changed with an applied, an unsafe
// and a file-level finding under a path that needs escaping, its fix in the
// output but not written (as in a dry run: "to apply"); unreadable; clean;
// and rewritten with --write ("fixed").
func fixture() ([]File, Summary) {
	files := []File{
		{
			Path:     "app,v2/compose.yaml",
			Original: []byte(srcA),
			Output:   []byte("services:\n  wéb:\n    image: nginx:1.27.3 # 100%\n"),
			Findings: []fixers.Finding{
				{RuleID: "CF001", Severity: fixers.Warning, Path: "app,v2/compose.yaml",
					Span: compose.Span{Start: 29, End: 34}, Pos: compose.Pos{Line: 3, Col: 12}, End: compose.Pos{Line: 3, Col: 17},
					Message: `image "nginx" has no tag; expected a version such as "1.27.3"`,
					Fix: &fixers.Fix{Title: "Pin nginx to 1.27.3", Safety: fixers.Safe,
						Change: compose.Change{Edits: []compose.Edit{{Start: 34, End: 34, New: ":1.27.3"}}}},
					Applied: true},
				{RuleID: "CF002", Severity: fixers.Error, Path: "app,v2/compose.yaml",
					Span: compose.Span{Start: 12, End: 16}, Pos: compose.Pos{Line: 2, Col: 3}, End: compose.Pos{Line: 2, Col: 6},
					Message: "service \"wéb\" publishes 100% of its ports\non every interface: 0.0.0.0",
					Fix: &fixers.Fix{Title: "Bind wéb's ports to 127.0.0.1", Safety: fixers.Unsafe,
						Change: compose.Change{Edits: []compose.Edit{
							{Start: 17, End: 18, New: "\n    ports: [\"127.0.0.1:80:80\"]\n"},
							{Start: 12, End: 15, New: "web"},
						}}}},
				{RuleID: "CF003", Severity: fixers.Info, Path: "app,v2/compose.yaml",
					Message: "consider splitting: frontend, backend"},
			},
		},
		{
			Path:     "/abs/broken/compose.yaml",
			Original: []byte("services:\n  x: [\n"),
			Output:   []byte("services:\n  x: [\n"),
			Err: &compose.PosError{Path: "/abs/broken/compose.yaml", Line: 3, Col: 1, Msg: "cannot parse",
				Err: errors.New("did not find expected node content")},
		},
		{Path: "clean/compose.yaml", Original: []byte("services: {}\n"), Output: []byte("services: {}\n")},
		{
			Path:     "crlf/docker-compose.yml",
			Original: []byte(srcCRLF),
			Output:   []byte("services:\r\n  db:\r\n    image: postgres:16.4\r\n"),
			Written:  true,
			Findings: []fixers.Finding{
				{RuleID: "CF001", Severity: fixers.Warning, Path: "crlf/docker-compose.yml",
					Span: compose.Span{Start: 29, End: 37}, Pos: compose.Pos{Line: 3, Col: 12}, End: compose.Pos{Line: 3, Col: 20},
					Message: `image "postgres" has no tag; expected a version such as "16.4"`,
					Fix: &fixers.Fix{Title: "Pin postgres to 16.4", Safety: fixers.Safe,
						Change: compose.Change{Edits: []compose.Edit{{Start: 37, End: 37, New: ":16.4"}}}},
					Applied: true},
				{RuleID: "CF999", Severity: fixers.Warning, Path: "crlf/docker-compose.yml",
					Pos: compose.Pos{Line: 2, Col: 3}, End: compose.Pos{Line: 3, Col: 20},
					Message: "a rule missing from the table"},
			},
		},
	}
	sum := Summary{Write: true, Lookups: 2, Requests: 3, CacheHits: 1, Elapsed: 1234 * time.Millisecond}
	for i := range files {
		sum.Add(&files[i])
	}
	return files, sum
}
