package compose_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/composefix/composefix/compose"
	"go.yaml.in/yaml/v3"
)

// load loads src or fails the test.
func load(t *testing.T, src string) *compose.Document {
	t.Helper()
	d, err := compose.LoadWith("test.yaml", []byte(src), compose.LoadOptions{AllowNonCompose: true})
	if err != nil {
		t.Fatalf("Load(%q): %v", src, err)
	}
	return d
}

// node returns the value at a path of mapping keys from the root.
func node(t *testing.T, d *compose.Document, path ...string) *yaml.Node {
	t.Helper()
	n := d.Root
	for _, k := range path {
		_, v := compose.MapGet(n, k)
		if v == nil {
			t.Fatalf("no %q in path %q", k, path)
		}
		n = v
	}
	return n
}

// applyVerified applies the changes together and verifies the result.
func applyVerified(d *compose.Document, changes ...compose.Change) ([]byte, error) {
	var all compose.Change
	for _, c := range changes {
		all.Add(c)
	}
	out, err := compose.Apply(d.Src, all.Edits)
	if err != nil {
		return nil, err
	}
	return out, verify(d, all.Ops, out)
}

// checkOp checks the change (or error) an operation made on d: a refusal
// when want is "", else a change whose output verifies and is want.
func checkOp(t *testing.T, d *compose.Document, ch compose.Change, err error, want string) {
	t.Helper()
	if want == "" {
		if err == nil {
			out, _ := compose.Apply(d.Src, ch.Edits)
			t.Errorf("on %q = %q, want a refusal", d.Src, out)
		}
		return
	}
	if err != nil {
		t.Errorf("on %q: %v", d.Src, err)
		return
	}
	if out, err := applyVerified(d, ch); err != nil || string(out) != want {
		t.Errorf("on %q = %q, %v; want %q", d.Src, out, err, want)
	}
}

// TestChangesCompose checks that two operations on one collection, made
// independently (as two rules make them) and applied in one pass, give the
// intended tree, or conflict so that the second waits for the next pass;
// never a file that decodes to something else.
func TestChangesCompose(t *testing.T) {
	tests := []struct {
		name string
		src  string
		path []string
		op   string // "insert" or "append"
		want string // the output when the changes compose; "" for a conflict
	}{
		{
			name: "block mapping",
			src:  "web:\n  image: x\n",
			path: []string{"web"}, op: "insert",
			want: "web:\n  image: x\n  a: \"1\"\n  b: \"2\"\n",
		},
		{
			name: "flow mapping",
			src:  "web: {image: x}\n",
			path: []string{"web"}, op: "insert",
			want: "web: {image: x, a: \"1\", b: \"2\"}\n",
		},
		{
			name: "empty flow mapping",
			src:  "web: {}\n",
			path: []string{"web"}, op: "insert",
		},
		{
			name: "flow mapping with a trailing comma",
			src:  "web: {\n  image: x,\n}\n",
			path: []string{"web"}, op: "insert",
			want: "web: {\n  image: x, a: \"1\", b: \"2\",\n}\n",
		},
		{
			// yaml.v3 reads "k:," as the plain scalar "k:": after an
			// empty last value, an entry goes before the closing bracket,
			// which the edit replaces, so the second waits.
			name: "flow mapping whose last value is empty",
			src:  "web: {k: }\n",
			path: []string{"web"}, op: "insert",
		},
		{
			name: "flow mapping whose last value is empty before a line break",
			src:  "web: {k:\n}\n",
			path: []string{"web"}, op: "insert",
		},
		{
			// Written after the comment, the entries would be comment text.
			name: "flow mapping with a comment after its last entry",
			src:  "web: {k: 1 # c\n}\n",
			path: []string{"web"}, op: "insert",
			want: "web: {k: 1, a: \"1\", b: \"2\" # c\n}\n",
		},
		{
			name: "flow sequence with comments after its items",
			src:  "s: [x, # c\n  y # d\n  # e\n]\n",
			path: []string{"s"}, op: "append",
			want: "s: [x, # c\n  y, \"1\", \"2\" # d\n  # e\n]\n",
		},
		{
			name: "flow mapping whose last value is empty before a comment",
			src:  "web: {k: # c\n}\n",
			path: []string{"web"}, op: "insert",
		},
		{
			name: "flow sequence whose last pair has an empty value",
			src:  "s: [k: ]\n",
			path: []string{"s"}, op: "append",
		},
		{
			// Right after the tag, "!!str," would be the tag.
			name: "flow sequence whose last item is only a tag",
			src:  "s: [x, !!str ]\n",
			path: []string{"s"}, op: "append",
		},
		{
			name: "flow sequence whose last item is empty, with a trailing comma",
			src:  "s: [k: ,]\n",
			path: []string{"s"}, op: "append",
		},
		{
			// In flow, a null value becomes a flow collection; the fill
			// replaces the blank before it, so a second one waits.
			name: "null value in a flow mapping",
			src:  "web: {k: }\n",
			path: []string{"web", "k"}, op: "insert",
		},
		{
			name: "explicit null value in a flow mapping",
			src:  "web: {k: ~, l: 1}\n",
			path: []string{"web", "k"}, op: "append",
		},
		{
			name: "anchored null value in a flow mapping",
			src:  "web: {k: &a , l: 1}\n",
			path: []string{"web", "k"}, op: "insert",
		},
		{
			// A quote inside a plain scalar starts no quoted one.
			name: "flow collections with apostrophes",
			src:  "web: {k: it's, l: [don't]}\n",
			path: []string{"web"}, op: "insert",
			want: "web: {k: it's, l: [don't], a: \"1\", b: \"2\"}\n",
		},
		{
			name: "flow sequence",
			src:  "s: [x]\n",
			path: []string{"s"}, op: "append",
			want: "s: [x, \"1\", \"2\"]\n",
		},
		{
			name: "empty flow sequence",
			src:  "s: []\n",
			path: []string{"s"}, op: "append",
		},
		{
			name: "flow sequence with a trailing comma",
			src:  "s: [x, ]\n",
			path: []string{"s"}, op: "append",
			want: "s: [x, \"1\", \"2\", ]\n",
		},
		{
			name: "null mapping value",
			src:  "web:\nother: 1\n",
			path: []string{"web"}, op: "insert",
			want: "web:\n  a: \"1\"\n  b: \"2\"\nother: 1\n",
		},
		{
			name: "null mapping value with a comment",
			src:  "web: # c\n",
			path: []string{"web"}, op: "insert",
			want: "web: # c\n  a: \"1\"\n  b: \"2\"\n",
		},
		{
			name: "explicit null mapping value",
			src:  "web: ~\n",
			path: []string{"web"}, op: "insert",
			want: "web:\n  a: \"1\"\n  b: \"2\"\n",
		},
		{
			name: "explicit null mapping value with a comment",
			src:  "web: null # c\n",
			path: []string{"web"}, op: "insert",
			want: "web: # c\n  a: \"1\"\n  b: \"2\"\n",
		},
		{
			name: "explicit null sequence value",
			src:  "s: ~\n",
			path: []string{"s"}, op: "append",
			want: "s:\n  - \"1\"\n  - \"2\"\n",
		},
		{
			name: "null sequence value",
			src:  "s:\n",
			path: []string{"s"}, op: "append",
			want: "s:\n  - \"1\"\n  - \"2\"\n",
		},
		{
			name: "block sequence",
			src:  "s:\n  - x\n",
			path: []string{"s"}, op: "append",
			want: "s:\n  - x\n  - \"1\"\n  - \"2\"\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := load(t, tt.src)
			target := node(t, d, tt.path...)
			var changes []compose.Change
			for i, v := range []string{"1", "2"} {
				var ch compose.Change
				var err error
				switch tt.op {
				case "insert":
					ch, err = d.InsertKey(target, string(rune('a'+i)), compose.Quoted(v))
				case "append":
					ch, err = d.AppendItem(target, compose.Quoted(v))
				}
				if err != nil {
					t.Fatalf("%s %d: %v", tt.op, i, err)
				}
				if _, err := applyVerified(d, ch); err != nil {
					t.Fatalf("%s %d alone: %v", tt.op, i, err)
				}
				changes = append(changes, ch)
			}
			out, err := applyVerified(d, changes...)
			var ce *compose.ConflictError
			switch {
			case tt.want == "" && errors.As(err, &ce):
				// The second change waits for the next pass.
			case err != nil:
				t.Fatalf("applying both changes to %q: %v (output %q)", tt.src, err, out)
			case tt.want == "":
				t.Errorf("applying both changes to %q = %q, want a conflict", tt.src, out)
			case string(out) != tt.want:
				t.Errorf("applying both changes to %q = %q, want %q", tt.src, out, tt.want)
			}
		})
	}
}

// TestSetScalar checks the text SetScalar writes and that it verifies.
func TestSetScalar(t *testing.T) {
	tests := []struct {
		name, src string
		path      []string
		value     string
		want      string
	}{
		{"plain stays plain", "a: x\n", []string{"a"}, "y", "a: y\n"},
		{"double quotes kept", "a: \"x\"\n", []string{"a"}, "y", "a: \"y\"\n"},
		{"single quotes kept", "a: 'x'\n", []string{"a"}, "it's", "a: 'it''s'\n"},
		{"plain quoted when needed", "a: x\n", []string{"a"}, "true", "a: \"true\"\n"},
		{"no is a string in YAML 1.2", "a: x\n", []string{"a"}, "no", "a: no\n"},
		{"plain quoted when needed in flow", "a: {b: x}\n", []string{"a", "b"}, "p,q", "a: {b: \"p,q\"}\n"},
		{"a question mark quoted in flow", "a: {b: x}\n", []string{"a", "b"}, "p?q", "a: {b: \"p?q\"}\n"},
		{"a question mark plain in block", "a: x\n", []string{"a"}, "p?q", "a: p?q\n"},
		{"empty value", "a:\n", []string{"a"}, "y", "a: y\n"},
		{"empty value at the end of the file", "a:", []string{"a"}, "y", "a: y"},
		{"empty value before a comment", "a: # c\n", []string{"a"}, "y", "a: y # c\n"},
		{"anchor kept, the string stays a string", "a: &x 1\nb: *x\n", []string{"a"}, "2", "a: &x \"2\"\nb: *x\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := load(t, tt.src)
			ch, err := d.SetScalar(node(t, d, tt.path...), tt.value)
			if err != nil {
				t.Fatalf("SetScalar(%q): %v", tt.value, err)
			}
			out, err := applyVerified(d, ch)
			if err != nil {
				t.Fatalf("SetScalar(%q) on %q: %v", tt.value, tt.src, err)
			}
			if string(out) != tt.want {
				t.Errorf("SetScalar(%q) on %q = %q, want %q", tt.value, tt.src, out, tt.want)
			}
		})
	}
}

// TestSetSubstring checks edits inside a scalar's text: the result verifies,
// or the operation refuses text that would read differently.
func TestSetSubstring(t *testing.T) {
	tests := []struct {
		name, src  string
		from, to   int
		repl, want string // want "" means a refusal
	}{
		{"default inside an interpolation", "image: ${IMAGE:-redis:7}\n", 15, 16, "7.2.4", "image: ${IMAGE:-redis:7.2.4}\n"},
		{"double-quoted", "image: \"redis:7\"\n", 6, 7, "7.2.4", "image: \"redis:7.2.4\"\n"},
		{"a plain int becomes a string", "port: 8080\n", 0, 2, "x", "port: x80\n"},
		{"a plain string becomes an int", "port: a080\n", 0, 1, "8", "port: 8080\n"},
		{"explicit tag kept", "port: !!str 8080\n", 0, 1, "9", "port: !!str 9080\n"},
		{"a comment indicator refused", "image: redis\n", 5, 5, " #x", ""},
		{"a quote inside double quotes refused", "image: \"redis\"\n", 0, 0, "\"", ""},
		{"a quote inside single quotes refused", "image: 'redis'\n", 0, 0, "'", ""},
		{"a line break refused", "image: 'redis'\n", 0, 0, "\n", ""},
		{"a question mark refused in flow", "{image: redis}\n", 5, 5, "?", ""},
		{"a question mark in block", "image: redis\n", 5, 5, "?", "image: redis?\n"},
		{"half of a single-quote escape refused", "image: ''''\n", 0, 1, "x", ""},
		{"after a single-quote escape refused", "image: 'a''b'\n", 2, 3, "x", ""},
		{"before a single-quote escape", "image: 'a''b'\n", 0, 1, "x", "image: 'x''b'\n"},
		{"half of a double-quote escape refused", "image: \"\\\\a\"\n", 0, 1, "x", ""},
		{"before a double-quote escape", "image: \"a\\tb\"\n", 0, 1, "x", "image: \"x\\tb\"\n"},
		{"a range before a fold refused", "image: 00 \n  00\n", 0, 3, "x", ""},
		{"an insertion before a fold refused", "image: 00 \n  00\n", 3, 3, "x", ""},
		{"a range across a fold refused", "image: \"a\n\n  b\"\n", 1, 2, "x", ""},
		{"a range on a first line", "image: a b\n  c\n", 0, 1, "x", "image: x b\n  c\n"},
		{"a block scalar refused", "image: >-\n  redis\n", 0, 0, "x", ""},
		{"inside a character refused", "image: \"ü\"\n", 1, 1, "~", ""},
		{"to inside a character refused", "image: ü\n", 0, 1, "u", ""},
		{"around a character", "image: \"éü\"\n", 2, 4, "u", "image: \"éu\"\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := load(t, tt.src)
			n := d.Root.Content[1]
			ch, err := d.SetSubstring(n, tt.from, tt.to, tt.repl)
			if tt.want == "" {
				if err == nil {
					out, _ := compose.Apply(d.Src, ch.Edits)
					t.Errorf("SetSubstring(%d, %d, %q) on %q = %q, want a refusal", tt.from, tt.to, tt.repl, tt.src, out)
				}
				return
			}
			if err != nil {
				t.Fatalf("SetSubstring(%d, %d, %q) on %q: %v", tt.from, tt.to, tt.repl, tt.src, err)
			}
			out, err := applyVerified(d, ch)
			if err != nil {
				t.Fatalf("SetSubstring(%d, %d, %q) on %q: %v", tt.from, tt.to, tt.repl, tt.src, err)
			}
			if string(out) != tt.want {
				t.Errorf("SetSubstring(%d, %d, %q) on %q = %q, want %q", tt.from, tt.to, tt.repl, tt.src, out, tt.want)
			}
		})
	}
}

// TestAddExtension checks where the extension block goes and that it
// verifies, or that the operation refuses.
func TestAddExtension(t *testing.T) {
	block := func() *yaml.Node {
		m := compose.Map("driver", "json-file")
		m.Anchor = "default-logging"
		return m
	}
	tests := []struct {
		name, src, want string // want "" means a refusal
	}{
		{"first key", "services:\n  web: {}\n", "x-logging: &default-logging\n  driver: json-file\n\nservices:\n  web: {}\n"},
		{"after another key", "name: p\nservices:\n  web: {}\n", "name: p\n\nx-logging: &default-logging\n  driver: json-file\n\nservices:\n  web: {}\n"},
		{"above the comment of services", "name: p\n\n# the services\nservices:\n  web: {}\n", "name: p\n\nx-logging: &default-logging\n  driver: json-file\n\n# the services\nservices:\n  web: {}\n"},
		// A root mapping indented (valid YAML) takes the block at its
		// column: at column 1 it ended the mapping, and the file no
		// longer loaded (FuzzOps found " services:").
		{"indented root", " services:\n   web: {}\n", " x-logging: &default-logging\n   driver: json-file\n\n services:\n   web: {}\n"},
		{"indented root, above the comment of services", " name: p\n\n # the services\n services:\n   web: {}\n", " name: p\n\n x-logging: &default-logging\n   driver: json-file\n\n # the services\n services:\n   web: {}\n"},
		{"indented root, after the version key", "  version: \"3\"\n  services:\n    web: {}\n", "  version: \"3\"\n  x-logging: &default-logging\n    driver: json-file\n\n  services:\n    web: {}\n"},
		{"flow root", "{services: {web: {}}}\n", ""},
		{"no services", "name: p\n", ""},
		{"key exists", "x-logging: 1\nservices: {}\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := load(t, tt.src)
			ch, err := d.AddExtension("x-logging", block())
			if tt.want == "" {
				if err == nil {
					out, _ := compose.Apply(d.Src, ch.Edits)
					t.Errorf("AddExtension on %q = %q, want a refusal", tt.src, out)
				}
				return
			}
			if err != nil {
				t.Fatalf("AddExtension on %q: %v", tt.src, err)
			}
			out, err := applyVerified(d, ch)
			if err != nil {
				t.Fatalf("AddExtension on %q: %v", tt.src, err)
			}
			if string(out) != tt.want {
				t.Errorf("AddExtension on %q = %q, want %q", tt.src, out, tt.want)
			}
		})
	}
}

// TestSameOffsetInsertions checks that insertions at one offset land in an
// order that keeps the document: text continuing a line before new lines,
// and a nested entry before an outer one.
func TestSameOffsetInsertions(t *testing.T) {
	t.Run("a value set on an empty scalar before a new key", func(t *testing.T) {
		d := load(t, "a:")
		set, err := d.SetScalar(node(t, d, "a"), "y")
		if err != nil {
			t.Fatal(err)
		}
		ins, err := d.InsertKey(d.Root, "b", compose.Int("1"))
		if err != nil {
			t.Fatal(err)
		}
		for _, order := range [][]compose.Change{{ins, set}, {set, ins}} {
			out, err := applyVerified(d, order...)
			if err != nil {
				t.Fatalf("applying both: %v (output %q)", err, out)
			}
			if want := "a: y\nb: 1"; string(out) != want {
				t.Errorf("applying both = %q, want %q", out, want)
			}
		}
	})
	t.Run("a nested key before an outer one", func(t *testing.T) {
		d := load(t, "a:\n  b: 1\n")
		outer, err := d.InsertKey(d.Root, "c", compose.Int("2"))
		if err != nil {
			t.Fatal(err)
		}
		inner, err := d.InsertKey(node(t, d, "a"), "d", compose.Int("3"))
		if err != nil {
			t.Fatal(err)
		}
		out, err := applyVerified(d, outer, inner)
		if err != nil {
			t.Fatalf("applying both: %v (output %q)", err, out)
		}
		if want := "a:\n  b: 1\n  d: 3\nc: 2\n"; string(out) != want {
			t.Errorf("applying both = %q, want %q", out, want)
		}
	})
}

// TestMergeValueRefusals checks that a merge key keeps taking only mappings
// and aliases of mappings.
func TestMergeValueRefusals(t *testing.T) {
	src := "b: &b {a: 1}\nm: &m {x: 2}\nc:\n  <<: [*b]\nd:\n  <<: *b\n"
	d := load(t, src)
	seq := node(t, d, "c").Content[1] // MapGet skips merge keys
	if _, err := d.AppendItem(seq, compose.Str("x")); err == nil {
		t.Errorf("AppendItem(%q) to a merge sequence succeeded, want a refusal", "x")
	}
	ch, err := d.AppendItem(seq, compose.Alias(node(t, d, "m")))
	if err != nil {
		t.Fatalf("AppendItem(*m) to a merge sequence: %v", err)
	}
	if out, err := applyVerified(d, ch); err != nil {
		t.Errorf("AppendItem(*m) to a merge sequence: %v (output %q)", err, out)
	}
	if _, err := d.ReplaceValue(node(t, d, "d").Content[1], compose.Str("x")); err == nil {
		t.Errorf("ReplaceValue(%q) of a merge value succeeded, want a refusal", "x")
	}
	ch, err = d.ReplaceValue(node(t, d, "d").Content[1], compose.Alias(node(t, d, "m")))
	if err != nil {
		t.Fatalf("ReplaceValue(*m) of a merge value: %v", err)
	}
	if out, err := applyVerified(d, ch); err != nil {
		t.Errorf("ReplaceValue(*m) of a merge value: %v (output %q)", err, out)
	}
}

// TestMergedAliasRefusals: a node that a merge key merges through an
// alias ("<<: *x", "<<: [*x]") must stay mergeable, though its own place
// is no merge key's: ReplaceValue and AppendItem refuse a value that
// the merge key would not take (the file would not load).
func TestMergedAliasRefusals(t *testing.T) {
	replace := func(v *yaml.Node) func(*compose.Document) (compose.Change, error) {
		return func(d *compose.Document) (compose.Change, error) { return d.ReplaceValue(node(t, d, "x"), v) }
	}
	appendItem := func(v *yaml.Node) func(*compose.Document) (compose.Change, error) {
		return func(d *compose.Document) (compose.Change, error) { return d.AppendItem(node(t, d, "x"), v) }
	}
	const merged, inSeq, seq = "x: &x {}\n<<: *x\n", "x: &x {}\ny:\n  <<: [*x]\n", "m: &m {a: 1}\nx: &x [*m]\ny:\n  <<: *x\n"
	for _, tt := range []struct {
		name, src string
		op        func(*compose.Document) (compose.Change, error)
		want      string // "" for a refusal
	}{
		{"replace a merged mapping by a string", merged, replace(compose.Str("y")), ""},
		{"replace a mapping merged in a sequence by a string", inSeq, replace(compose.Str("y")), ""},
		{"replace a mapping merged in a sequence by a sequence", inSeq, replace(compose.Seq(compose.Map("a", "b"))), ""},
		{"replace a merged mapping by a mapping", merged, replace(compose.Map("a", "b")), "x: &x\n  a: b\n<<: *x\n"},
		{"replace a merged mapping by a sequence of mappings", merged, replace(compose.Seq(compose.Map("a", "b"))), "x: &x\n  - a: b\n<<: *x\n"},
		{"append a string to a merged sequence", seq, appendItem(compose.Str("y")), ""},
		{"append a mapping to a merged sequence", seq, appendItem(compose.Map("b", "2")), "m: &m {a: 1}\nx: &x [*m, {b: \"2\"}]\ny:\n  <<: *x\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := load(t, tt.src)
			ch, err := tt.op(d)
			checkOp(t, d, ch, err, tt.want)
		})
	}
}

// TestReplaceValue checks the text ReplaceValue writes and that it verifies.
func TestReplaceValue(t *testing.T) {
	tests := []struct {
		name, src string
		path      []string
		value     *yaml.Node
		want      string
	}{
		{"scalar", "a: x\n", []string{"a"}, compose.Quoted("y"), "a: \"y\"\n"},
		{"empty value", "a:\nb: 1\n", []string{"a"}, compose.Quoted("y"), "a: \"y\"\nb: 1\n"},
		{"empty value at the end of the file", "a:", []string{"a"}, compose.Int("5"), "a: 5"},
		{"scalar by a block mapping", "a: x\n", []string{"a"}, compose.Map("k", "v"), "a:\n  k: v\n"},
		{"block mapping by a scalar", "a:\n  k: v\nb: 1\n", []string{"a"}, compose.Str("x"), "a: x\nb: 1\n"},
		{"block mapping after a comment by a scalar", "a: # c\n  k: v\nb: 1\n", []string{"a"}, compose.Str("x"), "a: # c\n  x\nb: 1\n"},
		{"flow sequence by a block sequence", "a: [x]\n", []string{"a"}, compose.Seq("y", "z"), "a:\n  - y\n  - z\n"},
		{"flush block sequence by a scalar", "a:\n- x\nb: 1\n", []string{"a"}, compose.Str("y"), "a: y\nb: 1\n"},
		{"indented block sequence after a comment by a scalar", "a:\n# c\n  - x\nb: 1\n", []string{"a"}, compose.Str("y"), "a:\n# c\n  y\nb: 1\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := load(t, tt.src)
			ch, err := d.ReplaceValue(node(t, d, tt.path...), tt.value)
			if err != nil {
				t.Fatalf("ReplaceValue on %q: %v", tt.src, err)
			}
			out, err := applyVerified(d, ch)
			if err != nil {
				t.Fatalf("ReplaceValue on %q: %v (output %q)", tt.src, err, out)
			}
			if string(out) != tt.want {
				t.Errorf("ReplaceValue on %q = %q, want %q", tt.src, out, tt.want)
			}
		})
	}
}

// TestReplaceBlockScalarBelowKey: yaml.v3 takes a block scalar's header
// on the line below its key, even at the key's column ("0:\n>"), where
// no other value may stand: ReplaceValue moves the new value up to the
// key, or refuses where it cannot.
func TestReplaceBlockScalarBelowKey(t *testing.T) {
	for _, tt := range []struct{ src, want string }{
		{"a:\n>\n", "a: y\n"},
		{"a:\n  |\n    x\nb: 1\n", "a: y\nb: 1\n"},
		{"a:\n  |\n  x\nb: 1\n", "a: y\nb: 1\n"},
		{"a: >\n  x\n", "a: y\n"},
		{"a: # c\n>\n", ""},
		{"a:\n  &x >\n  x\n", ""},
	} {
		d := load(t, tt.src)
		ch, err := d.ReplaceValue(node(t, d, "a"), compose.Str("y"))
		checkOp(t, d, ch, err, tt.want)
	}
	d := load(t, "s:\n-\n  >\n  x\n")
	ch, err := d.ReplaceValue(node(t, d, "s").Content[0], compose.Str("y"))
	checkOp(t, d, ch, err, "")
	// Its content may stand at its indicator's indentation: the entry
	// goes after it.
	d = load(t, "a:\n >\n 0\n")
	ch, err = d.InsertKey(d.Root, "k", compose.Str("v"))
	checkOp(t, d, ch, err, "a:\n >\n 0\nk: v\n")
	d = load(t, "s:\n-\n  >\n  x\nt: 1\n")
	ch, err = d.InsertKey(d.Root, "k", compose.Str("v"))
	checkOp(t, d, ch, err, "s:\n-\n  >\n  x\nt: 1\nk: v\n")
}

// TestReplaceValueLeavesItsValueAlone: a value node may serve several
// fixes (the rules share one node per distinct value they add), so
// replacing an anchored node, whose anchor the new text must repeat, must
// not write that anchor into the value: the next fix given it would
// render "&a" a second time, defining the anchor twice.
// TestReplaceValueAtKeyColumn: a flush block sequence below a comment
// cannot move up to its key (the comment would go), and the new value
// cannot start at the key's column, where it would end the mapping.
func TestReplaceValueAtKeyColumn(t *testing.T) {
	for _, src := range []string{"a:\n# c\n- x\nb: 1\n", "0:\n#\n- - 0:\n"} {
		d := load(t, src)
		ch, err := d.ReplaceValue(node(t, d, d.Root.Content[0].Value), compose.Str("y"))
		checkOp(t, d, ch, err, "")
	}
}

func TestReplaceValueLeavesItsValueAlone(t *testing.T) {
	const src = "a: &a\n  k: v\nb: &b\n  k: v\nc: *a\n"
	d := load(t, src)
	shared := compose.Map("k", "w")
	var all compose.Change
	for _, key := range []string{"a", "b"} {
		ch, err := d.ReplaceValue(node(t, d, key), shared)
		if err != nil {
			t.Fatalf("ReplaceValue of %s: %v", key, err)
		}
		if shared.Anchor != "" {
			t.Errorf("ReplaceValue of %s gave its value the anchor %q", key, shared.Anchor)
		}
		all.Add(ch)
	}
	out, err := applyVerified(d, all)
	if want := "a: &a\n  k: w\nb: &b\n  k: w\nc: *a\n"; err != nil || string(out) != want {
		t.Errorf("replacing both by one value = %q, %v; want %q", out, err, want)
	}
}

// TestReplaceValueRefusesKeys checks that a key cannot be replaced by a
// value, which could make it a collection no decoder accepts as a key.
func TestReplaceValueRefusesKeys(t *testing.T) {
	d := load(t, "a: 1\n")
	if _, err := d.ReplaceValue(d.Root.Content[0], compose.Map()); err == nil {
		t.Errorf("ReplaceValue of the key %q succeeded, want a refusal", "a")
	}
}

// TestIdenticalChangesCoalesce checks that the same operation made twice
// (two rules adding the same item) is written once and verifies as once,
// also when another change to the same place comes between them: Apply
// and Verify must agree on what coalesces (FuzzOps found three appends to
// "0:" refused, "expected 2 items, got 3", because Apply only merged
// identical edits that sorted next to each other).
func TestIdenticalChangesCoalesce(t *testing.T) {
	tests := []struct {
		src    string
		values []string
		want   string
	}{
		{src: "s: [a]\n", values: []string{"b", "b"}, want: "s: [a, b]\n"},
		{src: "s:\n  - a\n", values: []string{"b", "b"}, want: "s:\n  - a\n  - b\n"},
		{src: "s: [a]\n", values: []string{"b", "c", "b"}, want: "s: [a, b, c]\n"},
		{src: "s:\n  - a\n", values: []string{"b", "c", "b"}, want: "s:\n  - a\n  - b\n  - c\n"},
		{src: "s:\n", values: []string{"b", "c", "b"}, want: "s:\n  - b\n  - c\n"},
		{src: "s:", values: []string{"b", "c", "c", "b", "d"}, want: "s:\n  - b\n  - c\n  - d"},
	}
	for _, tt := range tests {
		d := load(t, tt.src)
		var changes []compose.Change
		for _, v := range tt.values {
			ch, err := d.AppendItem(node(t, d, "s"), compose.Str(v))
			if err != nil {
				t.Fatal(err)
			}
			changes = append(changes, ch)
		}
		out, err := applyVerified(d, changes...)
		if err != nil {
			t.Errorf("appending %q to %q: %v (output %q)", tt.values, tt.src, err, out)
			continue
		}
		if string(out) != tt.want {
			t.Errorf("appending %q to %q = %q, want %q", tt.values, tt.src, out, tt.want)
		}
	}
}

// TestFlushSequenceBeforeSibling checks that, at one offset, an item of a
// flush sequence lands before a key of the mapping around it.
func TestFlushSequenceBeforeSibling(t *testing.T) {
	for _, src := range []string{"a:\n- x\nb:\n- y\n", "m:\n  a:\n  - x\n"} {
		d := load(t, src)
		var m, seq *yaml.Node
		if _, v := compose.MapGet(d.Root, "m"); v != nil {
			m, seq = v, node(t, d, "m", "a")
		} else {
			m, seq = d.Root, node(t, d, "b")
		}
		ins, err := d.InsertKey(m, "c", compose.Int("1"))
		if err != nil {
			t.Fatal(err)
		}
		app, err := d.AppendItem(seq, compose.Str("z"))
		if err != nil {
			t.Fatal(err)
		}
		out, err := applyVerified(d, ins, app)
		if err != nil {
			t.Errorf("inserting a key and appending an item on %q: %v (output %q)", src, err, out)
		}
	}
}

// TestConvertSeqToMap checks the conversion of a short-syntax list into a
// mapping (depends_on) and its refusals.
func TestConvertSeqToMap(t *testing.T) {
	cond := func(it *yaml.Node) (string, *yaml.Node) {
		return it.Value, compose.Map("condition", "service_healthy")
	}
	tests := []struct{ name, src, want string }{
		{"indented", "d:\n  - a # first\n  - b\n", "d:\n  a: # first\n    condition: service_healthy\n  b:\n    condition: service_healthy\n"},
		{"flush", "d:\n- a\n- b\ne: 1\n", "d:\n  a:\n    condition: service_healthy\n  b:\n    condition: service_healthy\ne: 1\n"},
		{"flow", "d: [a, b]\n", "d: {a: {condition: service_healthy}, b: {condition: service_healthy}}\n"},
		{"duplicate items", "d:\n- a\n- a\n", ""},
		{"a non-scalar item", "d:\n- a\n- {b: 1}\n", ""},
		// An implicit key keeps to one line: an item written on two
		// lines becomes a key written anew, unless an alias names it.
		{"an item on two lines", "d:\n- \"a\n  b\"\n- c\n", "d:\n  a b:\n    condition: service_healthy\n  c:\n    condition: service_healthy\n"},
		{"a plain item on two lines", "d:\n  - a\n    b\n", "d:\n  a b:\n    condition: service_healthy\n"},
		{"a flow item on two lines", "d: [\"a\n  b\", c]\n", "d: {a b: {condition: service_healthy}, c: {condition: service_healthy}}\n"},
		{"an anchored item on two lines", "d:\n- &x \"a\n  b\"\ne: *x\n", ""},
		{"an empty tagged item", "d:\n- !t\n", "d:\n  \"\":\n    condition: service_healthy\n"},
		{"an empty tagged item in flow", "d: [!t ]\n", "d: {\"\": {condition: service_healthy} }\n"},
		{"a block scalar item", "d:\n- |\n  a\n- b\n", "d:\n  \"a\\n\":\n    condition: service_healthy\n  b:\n    condition: service_healthy\n"},
		// An empty block scalar is written on one line, "|": kept as the
		// key's text it would start a block scalar there (FuzzOps).
		{"an empty block scalar item", "d:\n- |\n- b\n", "d:\n  \"\":\n    condition: service_healthy\n  b:\n    condition: service_healthy\n"},
		{"an empty folded item last", "d:\n- b\n- >-", "d:\n  b:\n    condition: service_healthy\n  \"\":\n    condition: service_healthy"},
		{"a long item", "d:\n- " + strings.Repeat("a", 1025) + "\n", ""},
	}
	// ConvertSeqToMapAt, given the key, converts alike.
	converts := []struct {
		name    string
		convert func(*compose.Document, *yaml.Node) (compose.Change, error)
	}{
		{"ConvertSeqToMap", func(d *compose.Document, s *yaml.Node) (compose.Change, error) { return d.ConvertSeqToMap(s, cond) }},
		{"ConvertSeqToMapAt", func(d *compose.Document, s *yaml.Node) (compose.Change, error) {
			k, _ := compose.MapGet(d.Root, "d")
			return d.ConvertSeqToMapAt(k, s, cond)
		}},
	}
	for _, tt := range tests {
		for _, c := range converts {
			t.Run(tt.name+"/"+c.name, func(t *testing.T) { checkConvert(t, tt.src, tt.want, c.convert) })
		}
	}
}

// checkConvert converts the sequence under key d of src and compares the
// output with want; want "" expects a refusal.
func checkConvert(t *testing.T, src, want string, convert func(*compose.Document, *yaml.Node) (compose.Change, error)) {
	t.Helper()
	d := load(t, src)
	ch, err := convert(d, node(t, d, "d"))
	if want == "" {
		if err == nil {
			out, _ := compose.Apply(d.Src, ch.Edits)
			t.Errorf("converting %q = %q, want a refusal", src, out)
		}
		return
	}
	if err != nil {
		t.Fatalf("converting %q: %v", src, err)
	}
	out, err := applyVerified(d, ch)
	if err != nil {
		t.Fatalf("converting %q: %v (output %q)", src, err, out)
	}
	if string(out) != want {
		t.Errorf("converting %q = %q, want %q", src, out, want)
	}
}

// TestRenameKeyOntoAnother checks that a key cannot be renamed to another
// key of its mapping.
func TestRenameKeyOntoAnother(t *testing.T) {
	d := load(t, "a: 1\nb: 2\n")
	if _, err := d.SetScalar(d.Root.Content[0], "b"); err == nil {
		t.Errorf("SetScalar renaming key %q to %q succeeded, want a refusal", "a", "b")
	}
	if _, err := d.SetSubstring(d.Root.Content[0], 0, 1, "b"); err == nil {
		t.Errorf("SetSubstring renaming key %q to %q succeeded, want a refusal", "a", "b")
	}
	ch, err := d.SetScalar(d.Root.Content[0], "c")
	if err != nil {
		t.Fatalf("SetScalar renaming key %q to %q: %v", "a", "c", err)
	}
	if out, err := applyVerified(d, ch); err != nil || string(out) != "c: 1\nb: 2\n" {
		t.Errorf("SetScalar renaming key %q to %q = %q, %v; want %q", "a", "c", out, err, "c: 1\nb: 2\n")
	}
}

// TestPlainValuesReadBack checks that values set without quotes read back
// with the same value and type as the intended string, both on the fast
// path for simple words and through the parser.
func TestPlainValuesReadBack(t *testing.T) {
	for _, v := range []string{"unless-stopped", "json-file", "50m", "5", "1.5", "0x1F", "1e3", "true", "True", "null", "Null", "NULL", "~",
		"yes", "no", "on", "off", ".inf", "-.inf", ".nan", "0o17", "0b1", "1_000", "2001-12-14", "a/b.c", "-x", "x:y", "é"} {
		d := load(t, "a: x\n")
		ch, err := d.SetScalar(node(t, d, "a"), v)
		if err != nil {
			t.Fatalf("SetScalar(%q): %v", v, err)
		}
		if out, err := applyVerified(d, ch); err != nil {
			t.Errorf("SetScalar(%q) = %q: %v", v, out, err)
		}
	}
}

// TestInsertKeySharedValue: fixes share one value node among the services
// that gain the same value, and InsertKey reuses the text it rendered for
// it. Each text must still be the one a node of its own gets in a
// document of its own: each mapping's indentation and key, whichever
// order they come in.
func TestInsertKeySharedValue(t *testing.T) {
	const src = "a:\n  x: 1\nb:\n    x: 1\nc:\n  x: 1\n"
	value := func() *yaml.Node { return compose.Map("limits", compose.Map("cpus", compose.Quoted("1"))) }
	d, shared := load(t, src), value()
	for _, at := range []struct{ target, key string }{{"a", "deploy"}, {"b", "deploy"}, {"c", "deploy"}, {"a", "other"}, {"b", "deploy"}} {
		got, err := d.InsertKey(node(t, d, at.target), at.key, shared)
		if err != nil {
			t.Fatal(err)
		}
		fresh := load(t, src)
		want, err := fresh.InsertKey(node(t, fresh, at.target), at.key, value())
		if err != nil {
			t.Fatal(err)
		}
		if got.Edits[0] != want.Edits[0] {
			t.Errorf("InsertKey(%s, %q) of a shared value = %+v, want %+v", at.target, at.key, got.Edits[0], want.Edits[0])
		}
	}
}

// TestDeleteKeyKeepsNamedAnchors: deleting an entry that defines an anchor
// an alias names elsewhere left that alias undefined, and the file no
// longer loaded (found by FuzzOps; version: &v "3.8" with *v further on
// is the rule-sized case). DeleteKey refuses; an entry whose anchors no
// alias names is deleted.
func TestDeleteKeyKeepsNamedAnchors(t *testing.T) {
	tests := []struct {
		src, key, want string // want: the output, or "" for a refusal
	}{
		{src: "version: &v \"3.8\"\nservices:\n  web:\n    image: *v\n", key: "version"},
		{src: "x-a:\n  logging: &log\n    driver: local\nservices:\n  web:\n    logging: *log\n", key: "x-a"},
		{src: "version: &v \"3.8\"\nservices:\n  web:\n    image: nginx\n", key: "version", want: "services:\n  web:\n    image: nginx\n"},
	}
	for _, tt := range tests {
		d := load(t, tt.src)
		ch, err := d.DeleteKey(d.Root, tt.key)
		if tt.want == "" {
			if err == nil {
				out, _ := compose.Apply(d.Src, ch.Edits)
				t.Errorf("deleting %q from %q: no error, want a refusal (output %q)", tt.key, tt.src, out)
			}
			continue
		}
		if err != nil {
			t.Errorf("deleting %q from %q: %v", tt.key, tt.src, err)
			continue
		}
		if out, err := applyVerified(d, ch); err != nil || string(out) != tt.want {
			t.Errorf("deleting %q from %q = %q, %v; want %q", tt.key, tt.src, out, err, tt.want)
		}
	}
}

// TestSetScalarEmpty checks SetScalar on empty (null) scalars, which have
// no text of their own: the new text goes where the node's indicator or
// properties leave room for it, or SetScalar refuses (want "") when
// yaml.v3's position is not such a place, such as the value of an
// explicit key without ':', which yaml.v3 puts at the next token (the
// key's own place, or the next entry's).
func TestSetScalarEmpty(t *testing.T) {
	key := func(i int) func(*compose.Document) *yaml.Node {
		return func(d *compose.Document) *yaml.Node { return d.Root.Content[2*i] }
	}
	value := func(i int) func(*compose.Document) *yaml.Node {
		return func(d *compose.Document) *yaml.Node { return d.Root.Content[2*i+1] }
	}
	under := func(i, j int) func(*compose.Document) *yaml.Node {
		return func(d *compose.Document) *yaml.Node { return d.Root.Content[i].Content[j] }
	}
	tests := []struct {
		name, src string
		pick      func(*compose.Document) *yaml.Node
		want      string
	}{
		{"explicit null key", "?", key(0), "? y"},
		{"explicit null key before a comment", "? # c\n", key(0), "? y # c\n"},
		{"explicit null key in flow", "{? }", key(0), "{? y}"},
		{"value of an explicit key with ':'", "?\n:\n", value(0), "?\n: y\n"},
		{"value of an explicit key without ':'", "?", value(0), ""},
		{"value of an explicit key without ':', in flow", "{? }", value(0), ""},
		{"value of an explicit key without ':', at the end", "? a\n", value(0), ""},
		{"value of an explicit key without ':', before the next", "x:\n  ? a\n  ? b\n", under(1, 1), ""},
		{"value of a flow key without ':'", "{a, b: 1}", value(0), ""},
		{"value of an explicit key that is a mapping", "? 0:", value(0), ""},
		{"value of an explicit key that is a mapping, with ':'", "? 0:\n:", value(0), "? 0:\n: y"},
		{"value after a blank", "a :", value(0), "a : y"},
		{"value of a flow pair in a sequence", "s: [a: ]", func(d *compose.Document) *yaml.Node { return d.Root.Content[1].Content[0].Content[1] }, ""},
		{"sequence item", "s:\n-\n- b\n", under(1, 0), "s:\n- y\n- b\n"},
		{"anchored flow item", "0: &base\n1: [&0000]", under(3, 0), "0: &base\n1: [&0000 y]"},
		{"anchored flow item before a comma", "s: [&x, b]", under(1, 0), "s: [&x y, b]"},
		{"anchored value before a comment", "a: &x # c\n", value(0), "a: &x y # c\n"},
		{"anchored flow value", "{a: &x}", value(0), "{a: &x y}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := load(t, tt.src)
			ch, err := d.SetScalar(tt.pick(d), "y")
			checkOp(t, d, ch, err, tt.want)
		})
	}
}

// TestEmptySlotRefusals checks that the operations that write in an empty
// value's place (ReplaceValue, and InsertKey and AppendItem filling a
// null) refuse one that yaml.v3 places at another node's token, as
// SetScalar does (see TestSetScalarEmpty): writing there would change
// that node instead, or give no YAML at all.
func TestEmptySlotRefusals(t *testing.T) {
	ops := map[string]func(*compose.Document, *yaml.Node) (compose.Change, error){
		"ReplaceValue scalar": func(d *compose.Document, n *yaml.Node) (compose.Change, error) {
			return d.ReplaceValue(n, compose.Str("y"))
		},
		"ReplaceValue block": func(d *compose.Document, n *yaml.Node) (compose.Change, error) {
			return d.ReplaceValue(n, compose.Map("k", "v"))
		},
		"InsertKey": func(d *compose.Document, n *yaml.Node) (compose.Change, error) {
			return d.InsertKey(n, "k", compose.Str("v"))
		},
		"AppendItem": func(d *compose.Document, n *yaml.Node) (compose.Change, error) {
			return d.AppendItem(n, compose.Str("v"))
		},
	}
	for _, src := range []string{"?", "? a\n", "x:\n  ? a\n  ? b\n", "{? }", "{a, b: 1}"} {
		for name, op := range ops {
			d := load(t, src)
			n := d.Root.Content[1]
			if n.Kind == yaml.MappingNode {
				n = n.Content[1]
			}
			ch, err := op(d, n)
			t.Run(name, func(t *testing.T) { checkOp(t, d, ch, err, "") })
		}
	}
}

// TestReplaceAnchoredEmpty checks that a value replacing an empty one
// after its anchor keeps its distance from the comment after it.
func TestReplaceAnchoredEmpty(t *testing.T) {
	for _, tt := range []struct {
		v    *yaml.Node
		want string
	}{
		{compose.Str("y"), "a: &x y # c\n"},
		{compose.Map("k", "v"), "a: &x\n  k: v # c\n"},
	} {
		d := load(t, "a: &x # c\n")
		ch, err := d.ReplaceValue(node(t, d, "a"), tt.v)
		checkOp(t, d, ch, err, tt.want)
	}
}

// TestInsertKeyExplicitKeys checks InsertKey on block mappings whose
// entries may have explicit keys ("? key"): their keys stand after the
// '?', not at the entries' indentation, and a key without ':' has a value
// without a place in the source, so InsertKey refuses (want "") rather
// than writing into a key. A '?' elsewhere changes nothing.
func TestInsertKeyExplicitKeys(t *testing.T) {
	for _, tt := range []struct{ src, want string }{
		{"?", ""},
		{"? a\n: 1\n", ""},
		{"b: 1\n? a\n: 2\n", ""},
		{"? a\nb: 1\n", ""},
		{"? a : 1\n", ""},
		{"# is it? \na: 1\n", "# is it? \na: 1\nk: v\n"},
		{"a: \"? \"\nb: 1\n", "a: \"? \"\nb: 1\nk: v\n"},
	} {
		d := load(t, tt.src)
		ch, err := d.InsertKey(d.Root, "k", compose.Str("v"))
		checkOp(t, d, ch, err, tt.want)
	}
}

// TestTaggedTargets checks SetScalar and ReplaceValue on nodes with an
// explicit tag, which the edit keeps in the text (only the text after the
// properties changes): the result must still decode as intended, so a tag
// that would turn the new value into something else is a refusal (want
// ""). A local tag (compose's !reset, !override) decodes as a string.
func TestTaggedTargets(t *testing.T) {
	set := func(v string) func(*compose.Document, *yaml.Node) (compose.Change, error) {
		return func(d *compose.Document, n *yaml.Node) (compose.Change, error) { return d.SetScalar(n, v) }
	}
	replace := func(v *yaml.Node) func(*compose.Document, *yaml.Node) (compose.Change, error) {
		return func(d *compose.Document, n *yaml.Node) (compose.Change, error) { return d.ReplaceValue(n, v) }
	}
	for _, tt := range []struct {
		name, src string
		op        func(*compose.Document, *yaml.Node) (compose.Change, error)
		want      string
	}{
		{"set a string", "a: !!str x\n", set("y"), "a: !!str y\n"},
		{"set a local tag", "a: !override x\n", set("y"), "a: !override y\n"},
		{"set after anchor and tag", "a: &x !!str x\n", set("y"), "a: &x !!str y\n"},
		{"set an int", "a: !!int 5\n", set("y"), ""},
		{"set a null", "a: !!null # c\n", set("y"), ""},
		{"set binary", "a: !!binary aGk=\n", set("y"), ""},
		{"replace a string by a string", "a: !!str x\n", replace(compose.Str("y")), "a: !!str y\n"},
		{"replace a local tag by a string", "a: !reset x\n", replace(compose.Str("y")), "a: !reset y\n"},
		{"replace an int by an int", "a: !!int 5\n", replace(compose.Int("6")), "a: !!int 6\n"},
		{"replace a string by an int", "a: !!str x\n", replace(compose.Int("5")), ""},
		{"replace a null by a string", "a: !!null\n", replace(compose.Str("y")), ""},
		{"replace a flow map by a string", "a: !!map {b: 1}\n", replace(compose.Str("y")), ""},
		{"replace a tagged block map", "a: !!map\n  b: 1\n", replace(compose.Str("y")), "a: y\n"},
		{"replace a tagged scalar by a block", "a: !!int 5\n", replace(compose.Map("k", "v")), "a:\n  k: v\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := load(t, tt.src)
			ch, err := tt.op(d, node(t, d, "a"))
			checkOp(t, d, ch, err, tt.want)
		})
	}
}

// TestEmptyFlowValueAndAppend: an empty value after its properties ends
// where an entry appended to its flow collection is inserted ("[&a]"):
// both changes, applied in one pass in either order, must give the value
// first and the new entry after it.
func TestEmptyFlowValueAndAppend(t *testing.T) {
	last := func(d *compose.Document) *yaml.Node {
		c := d.Root.Content[1]
		return c.Content[len(c.Content)-1]
	}
	type op = func(*compose.Document, *yaml.Node) (compose.Change, error)
	var (
		setY     op = func(d *compose.Document, n *yaml.Node) (compose.Change, error) { return d.SetScalar(n, "y") }
		replaceY op = func(d *compose.Document, n *yaml.Node) (compose.Change, error) {
			return d.ReplaceValue(n, compose.Str("y"))
		}
		appendV op = func(d *compose.Document, c *yaml.Node) (compose.Change, error) {
			return d.AppendItem(c, compose.Str("v"))
		}
		insertKV op = func(d *compose.Document, c *yaml.Node) (compose.Change, error) {
			return d.InsertKey(c, "k", compose.Str("v"))
		}
	)
	for _, tt := range []struct {
		name, src   string
		set, extend op
		want        string
	}{
		{"set an anchored item", "s: [&a]\n", setY, appendV, "s: [&a y, v]\n"},
		// The append replaces the bracket: right after the tag, "!!str,"
		// would be the tag.
		{"replace a tagged item", "s: [x, !!str ]\n", replaceY, appendV, "s: [x, !!str y , v]\n"},
		{"set an anchored value", "m: {a: &a}\n", setY, insertKV, "m: {a: &a y, k: v}\n"},
	} {
		for _, setFirst := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/set first %v", tt.name, setFirst), func(t *testing.T) {
				d := load(t, tt.src)
				set, err := tt.set(d, last(d))
				if err != nil {
					t.Fatal(err)
				}
				extend, err := tt.extend(d, d.Root.Content[1])
				if err != nil {
					t.Fatal(err)
				}
				changes := []compose.Change{set, extend}
				if !setFirst {
					changes[0], changes[1] = extend, set
				}
				if out, err := applyVerified(d, changes...); err != nil || string(out) != tt.want {
					t.Errorf("on %q = %q, %v; want %q", tt.src, out, err, tt.want)
				}
			})
		}
	}
}

// TestEntryAfterFinalBlockScalar: a block scalar that ends a file without
// a final line break has none in its value ("x"); a new entry after it
// would give it one ("x\n"), so InsertKey and AppendItem refuse there,
// unless the scalar strips it (">-").
func TestEntryAfterFinalBlockScalar(t *testing.T) {
	for _, tt := range []struct{ src, want string }{
		{"a:\n  b: >\n    x", ""},
		{"a:\n  b: |+\n    x", ""},
		{"a:\n  b: >-\n    x", "a:\n  b: >-\n    x\n  k: v"},
		{"a:\n  b: >\n    x\n", "a:\n  b: >\n    x\n  k: v\n"},
		{"a:\n  b: |+\n    x\n\n", "a:\n  b: |+\n    x\n\n  k: v\n"},
		// A line of spaces past the indentation is text ("x\n ").
		{"a:\n  b: >\n    x\n     ", ""},
		{"a:\n  b: >\n    x\n     \n", "a:\n  b: >\n    x\n     \n  k: v\n"},
	} {
		d := load(t, tt.src)
		ch, err := d.InsertKey(node(t, d, "a"), "k", compose.Str("v"))
		checkOp(t, d, ch, err, tt.want)
	}
	// The null value of an explicit key without ':' at the end of the
	// file is placed there, after the final line break: the entry goes on
	// the next line, not after a blank one, which "|+" would take in.
	for _, tt := range []struct{ src, want string }{
		{"a:\n  ? |+\n", "a:\n  ? |+\nk: v\n"},
		{"a:\n  ? x\n", "a:\n  ? x\nk: v\n"},
		{"a:\r\n  ? x\r\n", "a:\r\n  ? x\r\nk: v\r\n"},
	} {
		d := load(t, tt.src)
		ch, err := d.InsertKey(d.Root, "k", compose.Str("v"))
		checkOp(t, d, ch, err, tt.want)
	}
	for _, tt := range []struct{ src, want string }{
		{"a:\n- ? |+\n", "a:\n- ? |+\n- v\n"},
	} {
		d := load(t, tt.src)
		ch, err := d.AppendItem(node(t, d, "a"), compose.Str("v"))
		checkOp(t, d, ch, err, tt.want)
	}
	for _, tt := range []struct{ src, want string }{
		{"a:\n- |\n  x", ""},
		{"a:\n- |-\n  x", "a:\n- |-\n  x\n- v"},
	} {
		d := load(t, tt.src)
		ch, err := d.AppendItem(node(t, d, "a"), compose.Str("v"))
		checkOp(t, d, ch, err, tt.want)
	}
}

// TestSubstringAtEndAndAppend: text inserted at the end of a plain item
// (pinning "redis" to "redis:7") goes where an item appended to its flow
// sequence goes: both changes, applied in one pass in either order, must
// give the item's new text first.
func TestSubstringAtEndAndAppend(t *testing.T) {
	for _, tt := range []struct{ src, want string }{
		{"s: [redis]\n", "s: [redis:7, v]\n"},
		{"s: [x, é ]\n", "s: [x, é:7, v ]\n"},
	} {
		for _, setFirst := range []bool{true, false} {
			d := load(t, tt.src)
			s := node(t, d, "s")
			it := s.Content[len(s.Content)-1]
			set, err := d.SetSubstring(it, len(it.Value), len(it.Value), ":7")
			if err != nil {
				t.Fatal(err)
			}
			app, err := d.AppendItem(s, compose.Str("v"))
			if err != nil {
				t.Fatal(err)
			}
			changes := []compose.Change{set, app}
			if !setFirst {
				changes[0], changes[1] = app, set
			}
			if out, err := applyVerified(d, changes...); err != nil || string(out) != tt.want {
				t.Errorf("on %q (set first %v) = %q, %v; want %q", tt.src, setFirst, out, err, tt.want)
			}
		}
	}
}

// TestReplaceBeforeComment: yaml.v3 takes a comment right after a quoted
// scalar or a flow collection, with no blank between; a plain value
// written in their place would take the comment in.
func TestReplaceBeforeComment(t *testing.T) {
	for _, tt := range []struct{ src, want string }{
		{"a: \"\"#c\n", "a: 5 #c\n"},
		{"a: []#c\n", "a: 5 #c\n"},
	} {
		d := load(t, tt.src)
		ch, err := d.ReplaceValue(node(t, d, "a"), compose.Int("5"))
		checkOp(t, d, ch, err, tt.want)
	}
	d := load(t, "a: \"\"#c\n")
	ch, err := d.ReplaceValue(node(t, d, "a"), compose.Map("k", "v"))
	checkOp(t, d, ch, err, "a:\n  k: v #c\n")
}

// TestReplaceAfterAnchorColon: yaml.v3 ends an anchor's name at ':', so
// "&a:0" anchors the scalar ":0", which starts right after the name: new
// text there needs a blank before it.
func TestReplaceAfterAnchorColon(t *testing.T) {
	d := load(t, "a: &x:0\n")
	ch, err := d.ReplaceValue(node(t, d, "a"), compose.Str("y"))
	checkOp(t, d, ch, err, "a: &x y\n")
	d = load(t, "a: &x:0\n")
	ch, err = d.SetScalar(node(t, d, "a"), "y")
	checkOp(t, d, ch, err, "a: &x y\n")
	d = load(t, "a: &x:0\n")
	ch, err = d.SetSubstring(node(t, d, "a"), 0, 0, "y")
	checkOp(t, d, ch, err, "a: &x y:0\n")
}
