package compose_test

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"unicode/utf8"

	"github.com/composefix/composefix/compose"
	"go.yaml.in/yaml/v3"
)

// FuzzYAMLError decodes random text as Load does and hands each yaml.v3
// error to YAMLError, which reads the message and guesses where in src it
// is (the opening quote of an unterminated scalar, the end of the content,
// a bad token): it must not panic, and a position it gives must be a
// character of src or just past the last of a line, never a line or
// column the file does not have.
func FuzzYAMLError(f *testing.F) {
	for _, s := range []string{
		"services: \"abc\n  def", "services: 'it''s\n  def\n", "x: [a,!t \"abc\n", "x: \"a\n  b\" \"c\n",
		"x: |\n  'a\nservices: \"abc\n", "# don't\nservices: \"abc\r\n", "\ufeff\"abc\n  def", "x: é\n  wéb: \"abc\n\tdef",
		"x:\n  test: [\"CMD\", \"-U, \"${PG_USER}\"]\n", "x: [a]'\n", "a: \"x\n---\nb: 'y", "services:\n  web:\n\t- x\n",
		"a: *b\n", "{", "x: 'y", "- \"", "? '", "x: &a \"", "x: !!str '", "\"", "'",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > 4<<10 || !utf8.Valid(src) || bytes.IndexByte(src, 0) >= 0 {
			return // Load refuses these before yaml.v3 reads them
		}
		dec := yaml.NewDecoder(bytes.NewReader(src))
		for {
			var n yaml.Node
			err := dec.Decode(&n)
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				pe := compose.YAMLError("f.yaml", src, err)
				if pe.Line != 0 && !inFile(src, pe.Line, pe.Col) {
					t.Fatalf("YAMLError(%q, %q) at %d:%d, outside the file", src, err, pe.Line, pe.Col)
				}
				return
			}
		}
	})
}

// inFile reports whether line:col (1-based, columns in characters after a
// byte-order mark) is a character of src or just past the last one of its
// line.
func inFile(src []byte, line, col int) bool {
	lines := bytes.Split(bytes.TrimPrefix(src, []byte("\ufeff")), []byte("\n"))
	if line < 1 || line > len(lines) {
		return false
	}
	text := bytes.TrimSuffix(lines[line-1], []byte("\r"))
	return col >= 1 && col <= utf8.RuneCount(text)+1
}
