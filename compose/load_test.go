package compose_test

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/composefix/composefix/compose"
)

// billionLaughs is the classic alias bomb: nine levels of nine aliases each.
func billionLaughs() string { return laughs("*%s") }

// laughs is billionLaughs with each alias written as item, a format of
// the alias's name: inside a mapping without an anchor, say, which
// expansion counts through.
func laughs(item string) string {
	var b strings.Builder
	b.WriteString("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n")
	prev := "a"
	for _, name := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		b.WriteString(name + ": &" + name + " [")
		for j := 0; j < 9; j++ {
			if j > 0 {
				b.WriteString(",")
			}
			b.WriteString(fmt.Sprintf(item, prev))
		}
		b.WriteString("]\n")
		prev = name
	}
	b.WriteString("services:\n  web:\n    command: *i\n")
	return b.String()
}

// largeEnv is a service whose environment has n keys, K0 to K(n-1), from
// line 4.
func largeEnv(n int) string {
	var b strings.Builder
	b.WriteString("services:\n  web:\n    environment:\n")
	for i := range n {
		fmt.Fprintf(&b, "      K%d: a\n", i)
	}
	return b.String()
}

// TestLoadBadInput checks that Load refuses each kind of bad input with a
// one-line *PosError naming the path and, where there is one, the position.
func TestLoadBadInput(t *testing.T) {
	tests := []struct {
		name      string
		src       string
		line, col int    // 0: no position
		msg       string // a substring of the message
	}{
		// yaml.v3 names the line where the unclosed collection starts.
		{"unclosed flow sequence", "services:\n  web: [\n    image: x\n", 2, 1, "invalid YAML: did not find expected ',' or ']'"},
		{"unclosed flow mapping", "services:\n  web: {a: 1\n  b: 2\n", 2, 1, "invalid YAML: did not find expected ',' or '}'"},
		{"sequence in a mapping", "services:\n  web:\n    - b\n    c: d\n", 3, 1, "invalid YAML: did not find expected '-' indicator"},
		// An unterminated quote is placed where it opens (yaml.v3's context
		// mark, "while scanning a quoted scalar"): 2:1 said only its line.
		{"unterminated quote", "services:\n  web: 'x\n", 2, 8, "invalid YAML: found unexpected end of stream"},
		{"unknown anchor", "services:\n  web:\n    <<: *nope\n", 3, 9, "invalid YAML: unknown anchor 'nope' referenced"},
		{"tab indentation", "services:\n\tweb:\n", 2, 1, "invalid YAML"},
		{"duplicate keys", "services:\n  web:\n    image: a\n    image: b\n", 4, 5, `duplicate key "image" (first defined at line 3)`},
		{"duplicate merge keys", "x: &x {a: 1}\ny: &y {b: 1}\nservices:\n  web:\n    <<: *x\n    <<: *y\n", 6, 5, "duplicate merge key (first at line 5); merge several mappings with <<: [*a, *b]"},
		{"a merge key and the string <<", "x: &x {a: 1}\nservices:\n  web:\n    <<: *x\n    '<<': s\n", 5, 5, `duplicate key "<<" (first defined at line 4)`},
		{"duplicate services", "services:\n  web: {}\n  web: {}\n", 3, 3, `duplicate key "web"`},
		{"duplicate in a large mapping", largeEnv(20) + "      K3: b\n", 24, 7, `duplicate key "K3" (first defined at line 7)`},
		{"duplicate in a small mapping", largeEnv(3) + "      K1: b\n", 7, 7, `duplicate key "K1" (first defined at line 5)`},
		{"alias bomb", billionLaughs(), 2, 8, "cannot expand aliases"}, // the first alias
		{"alias bomb through plain mappings", laughs("{k: [*%s]}"), 2, 13, "cannot expand aliases"},
		// The verifier's comparer counts on it: a pair of nodes it meets
		// again through an alias is one it compared already, never one it
		// is still inside of.
		{"an alias inside its own anchor", "services:\n  web: &w\n    x: *w\n", 2, 8, "an alias refers to a node that contains it"},
		{"an alias inside its own anchor, deeper", "services:\n  web: &w\n    x:\n      - [*w]\n", 2, 8, "an alias refers to a node that contains it"},
		{"a merge key of a scalar", "x: &x {a: 1}\nservices:\n  web:\n    <<: 5\n    y: *x\n", 4, 9, "a merge key (<<) takes a mapping"},
		// Duplicate keys are found first, wherever the expansion fails.
		{"a duplicate key after a bad merge key", "x: &x {a: 1}\nservices:\n  web:\n    <<: 5\n  db:\n    k: *x\n    k: 2\n", 7, 5, `duplicate key "k"`},
		{"sequence root", "- a\n- b\n", 1, 1, "the document is a sequence"},
		{"scalar root", "just text\n", 1, 1, "the document is a scalar"},
		// yaml.v3 places a document's implicit null after everything it
		// read, past the last line of "---" alone: it is reported where
		// the document starts.
		{"only a document start", "---", 1, 1, "the document is a null"},
		{"only a document start and a comment", "---\n# nothing yet", 1, 1, "the document is a null"},
		{"a document start after comments", "# head\n\n--- # c\n\n", 3, 1, "the document is a null"},
		{"an explicit null", "---\n~\n", 2, 1, "the document is a null"},
		{"not compose", "name: x\nnetworks: {}\n", 1, 1, "no top-level services key"},
		{"services is a list", "services:\n  - web\n", 2, 3, "services is a sequence"},
		{"binary data", "services:\n  web:\x00\x01\x02", 2, 7, "binary data"},
		{"empty file", "", 0, 0, "empty file"},
		{"only comments", "# nothing\n\n", 0, 0, "empty file"},
		{"invalid UTF-8", "services:\n  wéb: \xff\xfe\n", 2, 8, "invalid UTF-8"},
		{"too large", strings.Repeat("#", compose.MaxSize+1), 0, 0, "limit"},
		// yaml.v3 names no line for a problem on its first line.
		{"tab on line 1", "\tservices:\n", 1, 1, "invalid YAML: found character that cannot start any token"},
		{"tab after a key on line 1", "services: \t@x\n", 1, 12, "cannot start any token"},
		{"depth limit on line 1", "services: " + strings.Repeat("[", 10001) + "\n", 1, 1, "exceeded max depth"},
		{"depth limit further down", "services:\n  web:\n    x: " + strings.Repeat("[", 10001) + "\n", 3, 1, "exceeded max depth"},
		// An error at the end of a file without a final newline is placed
		// as with one: just past the last content (it said 1:1, the start
		// of the line, or of the file for an unterminated quote).
		{"unclosed flow at the end", "services: [[[[", 1, 15, "did not find expected node content"},
		{"unclosed flow mapping at the end, no final newline", "services: {web: {}", 1, 19, "invalid YAML: did not find expected ',' or '}'"},
		{"unclosed flow sequence at the end, no final newline", "services: [web", 1, 15, "invalid YAML: did not find expected ',' or ']'"},
		{"unclosed flow sequence on line two, no final newline", "services:\n  x: [", 2, 7, "invalid YAML: did not find expected node content"},
		{"unterminated double quote at the end, no final newline", "services: \"web", 1, 11, "invalid YAML: found unexpected end of stream"},
		{"a lone quote, no final newline", "\"", 1, 1, "invalid YAML: found unexpected end of stream"},
		{"unclosed flow sequence after a byte-order mark, no final newline", "\ufeffservices: [é", 1, 13, "invalid YAML: did not find expected ',' or ']'"},
		{"unclosed flow sequence on a line with content, no final newline", "x: 1\nservices: [web", 2, 1, "invalid YAML: did not find expected ',' or ']'"},
		{"a control character", "services:\n  web:\n    image: a\x01b\n", 3, 13, "control characters are not allowed"},
		// yaml.v3 puts a problem found at the end of the stream on the
		// empty line after the final newline (or on a blank line after
		// the last content): it is reported just past the last content.
		{"unclosed flow mapping at the end", "services: {web: {}\n", 1, 19, "invalid YAML: did not find expected ',' or '}'"},
		{"unclosed flow sequence at the end, blank lines after", "services: [web\n\n  \n", 1, 15, "invalid YAML: did not find expected ',' or ']'"},
		// Where yaml.v3 names a line with content, it stays.
		{"unclosed flow sequence at the end, on a line with content", "x: 1\nservices: [web\n\n  \n", 2, 1, "invalid YAML: did not find expected ',' or ']'"},
		{"unterminated double quote at the end", "services: \"web\n", 1, 11, "invalid YAML: found unexpected end of stream"},
		{"a lone quote", "\"\n", 1, 1, "invalid YAML: found unexpected end of stream"},
		{"unclosed flow sequence on line two", "services:\n  x: [\n", 2, 7, "invalid YAML: did not find expected node content"},
		{"unclosed flow mapping at the end, CRLF", "services: {web: {}\r\n", 1, 19, "invalid YAML: did not find expected ',' or '}'"},
		{"unclosed flow mapping at the end, multibyte", "services: {wéb: {}\n", 1, 19, "invalid YAML: did not find expected ',' or '}'"},
		// Columns after a byte-order mark count from the character after it,
		// as everywhere else.
		{"unclosed flow sequence at the end, after a byte-order mark", "\ufeffservices: [é\n", 1, 13, "invalid YAML: did not find expected ',' or ']'"},
		// A tab on a line after the content is the problem itself, not
		// blank space after the end of the stream.
		{"a tab on the line after a flow sequence", "services: [web\n\t\n", 2, 1, "invalid YAML: found a tab character that violates indentation"},
		{"a tab on the line after the content", "services: {a: 1}\n\t\n", 2, 1, "invalid YAML: found character that cannot start any token"},
		{"DEL", "services: \x7f\n", 1, 11, "control characters are not allowed"},
		{"two documents", "services:\n  web:\n    image: a\n---\nservices:\n  db:\n    image: b\n", 4, 1, "a second YAML document"},
		{"an empty second document", "services:\n  web: {}\n---\n", 3, 1, "a second YAML document"},
		// An alias bomb in either document is refused, at the second
		// document, before any expansion is counted: the bound runs on
		// the one document Load accepts, never on a file of several.
		{"an alias bomb in the second document", "services:\n  web: {}\n---\n" + billionLaughs(), 3, 1, "a second YAML document"},
		{"an alias bomb before a second document", billionLaughs() + "---\nservices: {}\n", 13, 1, "a second YAML document"},
		{"UTF-16 LE with BOM", "\xff\xfes\x00e\x00r\x00\n\x00", 0, 0, "UTF-16"},
		{"UTF-16 BE with BOM", "\xfe\xff\x00s\x00e\x00r\x00\n", 0, 0, "UTF-16"},
		{"UTF-16 LE without BOM", "s\x00e\x00r\x00\n\x00", 0, 0, "UTF-16"},
		{"CR-only line endings", "services:\r  web:\r    image: a\r", 1, 10, "CR-only line endings"},
		{"one lone CR", "services:\n  web:\r\n    image: a\r    x: 1\n", 3, 13, "CR-only line endings"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := compose.Load("dir/compose.yaml", []byte(tt.src))
			if err == nil {
				t.Fatalf("Load(%.40q) = %v, want an error", tt.src, d)
			}
			var pe *compose.PosError
			if !errors.As(err, &pe) {
				t.Fatalf("Load(%.40q) error %T %q, want a *compose.PosError", tt.src, err, err)
			}
			if pe.Path != "dir/compose.yaml" || pe.Line != tt.line || pe.Col != tt.col {
				t.Errorf("Load(%.40q) error at %s:%d:%d, want dir/compose.yaml:%d:%d (%v)", tt.src, pe.Path, pe.Line, pe.Col, tt.line, tt.col, err)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.msg) {
				t.Errorf("Load(%.40q) error %q, want it to contain %q", tt.src, msg, tt.msg)
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("Load(%.40q) error %q spans several lines, want one", tt.src, msg)
			}
			wantPrefix := "dir/compose.yaml: "
			if tt.line > 0 {
				wantPrefix = "dir/compose.yaml:" + itoa(tt.line) + ":" + itoa(tt.col) + ": "
			}
			if !strings.HasPrefix(msg, wantPrefix) {
				t.Errorf("Load(%.40q) error %q, want the prefix %q", tt.src, msg, wantPrefix)
			}
		})
	}
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}

// TestLoadRefusesLargeInputCheaply checks that a 20 MB input is refused
// before any parsing: memory allocated does not grow with the input.
func TestLoadRefusesLargeInputCheaply(t *testing.T) {
	src := bytes.Repeat([]byte("services:\n  web:\n    image: x\n"), 20<<20/30)
	if len(src) <= compose.MaxSize {
		t.Fatalf("test input of %d bytes is not above MaxSize %d", len(src), compose.MaxSize)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := compose.Load("big.yaml", src)
	runtime.ReadMemStats(&after)
	if err == nil {
		t.Fatalf("Load(20 MB) succeeded, want a size error")
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
		t.Errorf("Load(20 MB) allocated %d bytes before refusing, want under 1 MB", grew)
	}
}

// TestLoadGoodEdgeCases checks inputs that look odd but are valid.
func TestLoadGoodEdgeCases(t *testing.T) {
	tests := []struct{ name, src string }{
		{"only services", "services:\n"},
		{"empty services mapping", "services: {}\n"},
		{"BOM", "\ufeffservices:\n  web:\n    image: x\n"},
		{"a leading document marker", "---\nservices: {}\n"},
		{"a document end marker", "services: {}\n...\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := compose.Load("compose.yaml", []byte(tt.src)); err != nil {
				t.Errorf("Load(%q) = %v, want no error", tt.src, err)
			}
		})
	}
}

// TestLoadOwnOutputLimit: a fixed file is read back with the larger limit
// of composefix's own output, in size and in alias expansion (the logging
// anchor each service of a large file refers to), while the input limits
// stand, and an alias bomb is refused at either.
func TestLoadOwnOutputLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString("x-logging: &logging {driver: json-file, options: {max-size: 10m, max-file: \"3\"}}\nservices:\n")
	for i := 0; i < 100000; i++ {
		b.WriteString("  s" + itoa(i) + ":\n    image: redis:7\n    logging: *logging\n")
	}
	b.WriteString("# " + strings.Repeat("x", compose.MaxSize-b.Len()+1) + "\n")
	big := b.String()
	if len(big) <= compose.MaxSize {
		t.Fatalf("test input of %d bytes is not above MaxSize %d", len(big), compose.MaxSize)
	}
	for _, tc := range []struct {
		name, src string
		limit     int
		wantErr   string
	}{
		{"input limit", big, 0, "the limit is"},
		{"own output", big, compose.MaxOutputSize, ""},
		{"alias bomb as own output", billionLaughs(), compose.MaxOutputSize, "cannot expand aliases"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := compose.LoadWith("compose.yaml", []byte(tc.src), compose.LoadOptions{Limit: tc.limit})
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("LoadWith: %v, want no error", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("LoadWith: %v, want an error with %q", err, tc.wantErr)
			}
		})
	}
	// Under the input size limit, the same services expand to more nodes
	// than an input may.
	small := big[:strings.LastIndex(big, "# ")]
	if _, err := compose.Load("compose.yaml", []byte(small)); err == nil || !strings.Contains(err.Error(), "cannot expand aliases") {
		t.Errorf("Load of %d services each referring to an anchor: %v, want the input's expansion limit", 100000, err)
	}
	if _, err := compose.LoadWith("compose.yaml", []byte(small), compose.LoadOptions{Limit: compose.MaxOutputSize}); err != nil {
		t.Errorf("LoadWith(own output) of the same: %v, want no error", err)
	}
}

// TestAliasTargetsMayMerge checks what Load notes while it walks the
// tree, which lets rules skip walks of their own: the anchors aliases
// name and whether a merge key occurs, nested ones included, and nothing
// known for a document made another way.
func TestAliasTargetsMayMerge(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		targets   []string // the anchors aliased
		mayMerge  bool
	}{
		{"plain", "services:\n  web:\n    image: nginx\n", nil, false},
		{"quoted <<", "services:\n  web:\n    '<<': x\n", nil, false},
		{"alias", "x: &x 1\ny: &y 2\nservices:\n  web:\n    image: *x\n  db:\n    image: *x\n", []string{"x"}, false},
		{"nested merge", "x: &x {a: 1}\nservices:\n  web:\n    deploy:\n      <<: *x\n", []string{"x"}, true},
		{"merge of a literal", "services:\n  web:\n    <<: {image: nginx}\n", nil, true},
	} {
		d, err := compose.Load("c.yaml", []byte(tc.src))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		targets, ok := d.AliasTargets()
		var got []string
		for n := range targets {
			got = append(got, n.Anchor)
		}
		if !ok || strings.Join(got, ",") != strings.Join(tc.targets, ",") || d.MayMerge() != tc.mayMerge {
			t.Errorf("%s: AliasTargets %v (known %v), MayMerge %v; want %v, %v", tc.name, got, ok, d.MayMerge(), tc.targets, tc.mayMerge)
		}
	}
	var d compose.Document
	if _, ok := d.AliasTargets(); ok || !d.MayMerge() {
		t.Errorf("a Document not made by Load: AliasTargets known %v, MayMerge %v; want false, true", ok, d.MayMerge())
	}
}

// TestUnterminatedQuoteAtItsOpening: yaml.v3 says "found unexpected end of
// stream" of a quoted scalar that runs to the end of the file, and names
// the line where it opens (its context mark), except when that is line 1:
// then the line where the stream ends, one further with a final newline.
// So a quote opened on line 1 and spanning lines was placed at 2:1 without
// a final newline and at 2:4 with one. Every variant is now placed at the
// opening quote, the place to look for what is missing.
func TestUnterminatedQuoteAtItsOpening(t *testing.T) {
	tests := []struct {
		name      string
		src       string
		line, col int
	}{
		{"spanning lines, opened on line 1", "services: \"abc\n  def", 1, 11},
		{"spanning lines, opened on line 1, final newline", "services: \"abc\n  def\n", 1, 11},
		{"spanning lines, opened on line 1, CRLF", "services: \"abc\r\n  def\r\n", 1, 11},
		{"spanning lines, opened on line 1, blank lines after", "services: \"abc\n  def\n\n\n", 1, 11},
		{"spanning lines, opened on line 2", "x: 1\nservices: \"abc\n  def", 2, 11},
		{"spanning lines, opened on line 2, final newline", "x: 1\nservices: \"abc\n  def\n", 2, 11},
		{"single-quoted, opened on line 1", "services: 'abc\n  def", 1, 11},
		{"single-quoted, opened on line 1, final newline", "services: 'abc\n  def\n", 1, 11},
		{"single-quoted with an escaped quote", "services: 'it''s\n  def\n", 1, 11},
		{"double-quoted with an escaped quote", "services: \"a\\\"b\n  def\n", 1, 11},
		{"deeper", "services:\n  web:\n    image: \"x\n", 3, 12},
		{"after closed quotes on its line", "services: {a: \"x\", b: \"y\n", 1, 23},
		{"in a flow sequence", "services: [\"abc\n", 1, 12},
		{"after an anchor", "x: &a \"abc\n  def\n", 1, 7},
		{"after a tag", "x: !!str 'abc\n", 1, 10},
		{"a sequence item", "x:\n  - 'abc\n  - def\n", 2, 5},
		{"after a tag in a flow sequence", "x: [a,!t \"abc\n", 1, 10},
		// Not YAML, but where yaml.v3 scans the next token from.
		{"right after a closed quoted scalar", "x: ''\"abc\n", 1, 6},
		{"after a closed quoted scalar and a blank", "x: '' \"abc\n", 1, 7},
		{"an apostrophe before it in a plain scalar", "x: [a''b, \"abc\n", 1, 11},
		// Its line starts inside a quoted scalar opened on the line before.
		{"after a quoted scalar spanning lines", "x: \"a\n  b\" \"c\n", 2, 6},
		{"after a quoted scalar spanning lines, a quote inside", "x: [\"a\n  '' b\", 'c\n", 2, 10},
		{"after an apostrophe in a comment", "# don't\nservices: \"abc\n", 2, 11},
		{"after an apostrophe in a plain scalar on line 1", "x: don't\nservices: \"abc\n  def\n", 2, 11},
		{"after a quote in a literal block", "x: |\n  'a\nservices: \"abc\n", 3, 11},
		{"after a comment quoting on line 1", "# a: 'b\nservices: \"abc\n", 2, 11},
		{"an apostrophe inside it", "services: \"abc\n  it's\n", 1, 11},
		{"multibyte before it", "x: é\nservices:\n  wéb: \"abc\n  def", 3, 8},
		{"after a byte-order mark", "\ufeffservices: \"abc\n  def", 1, 11},
		{"right after a byte-order mark", "\ufeff\"abc\n  def", 1, 1},
		// A flow collection's end is a token too: the quote right after
		// it starts the next one (a quote lost before a variable, or one
		// left after a flow sequence, as in a healthcheck's test).
		{"after a variable's closing brace in a flow sequence", "x:\n  test: [\"CMD\", \"-U, \"${PG_USER}\"]\n", 2, 33},
		{"after a flow sequence", "x:\n  test: [\"CMD\", \"curl\"]'\n", 2, 24},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := compose.Load("c.yaml", []byte(tt.src))
			var pe *compose.PosError
			if !errors.As(err, &pe) || !strings.Contains(pe.Msg, "found unexpected end of stream") {
				t.Fatalf("Load(%q) error %v, want a *compose.PosError saying \"found unexpected end of stream\"", tt.src, err)
			}
			if pe.Line != tt.line || pe.Col != tt.col {
				t.Errorf("Load(%q) error at %d:%d, want %d:%d (the opening quote)", tt.src, pe.Line, pe.Col, tt.line, tt.col)
			}
		})
	}
}
