package envfile

import (
	"errors"
	"strings"
	"testing"

	"github.com/composefix/composefix/compose"
)

func TestSetKeepsEverythingElse(t *testing.T) {
	tests := []struct {
		name, src, v, val, want string
	}{
		{name: "unquoted", src: "A=1\nIMAGE=redis:7\nB=2\n", v: "IMAGE", val: "redis:7.4.1", want: "A=1\nIMAGE=redis:7.4.1\nB=2\n"},
		{name: "double quotes", src: "IMAGE=\"redis:7\"\n", v: "IMAGE", val: "redis:7.4.1", want: "IMAGE=\"redis:7.4.1\"\n"},
		{name: "single quotes", src: "IMAGE='redis:7' # pinned by hand\n", v: "IMAGE", val: "redis:7.4.1", want: "IMAGE='redis:7.4.1' # pinned by hand\n"},
		{name: "inline comment", src: "TAG=7.4.1 # the cache\n", v: "TAG", val: "7.4.3", want: "TAG=7.4.3 # the cache\n"},
		{name: "export and spaces", src: "# images\n\nexport   TAG = 7.4.1  \n", v: "TAG", val: "7.4.3", want: "# images\n\nexport   TAG = 7.4.3  \n"},
		{name: "CRLF", src: "# c\r\nTAG=7.4.1\r\nOTHER=x\r\n", v: "TAG", val: "7.4.3", want: "# c\r\nTAG=7.4.3\r\nOTHER=x\r\n"},
		{name: "no final newline", src: "TAG=7.4.1", v: "TAG", val: "7.4.3", want: "TAG=7.4.3"},
		{name: "yaml style", src: "TAG: 7.4.1\n", v: "TAG", val: "7.4.3", want: "TAG: 7.4.3\n"},
		{name: "last assignment wins", src: "TAG=1.0.0\nTAG=7.4.1\n", v: "TAG", val: "7.4.3", want: "TAG=1.0.0\nTAG=7.4.3\n"},
		{name: "byte-order mark", src: "\xef\xbb\xbfTAG=7.4.1\n", v: "TAG", val: "7.4.3", want: "\xef\xbb\xbfTAG=7.4.3\n"},
		{name: "commented-out line", src: "#TAG=1\nTAG=7.4.1\n", v: "TAG", val: "7.4.3", want: "#TAG=1\nTAG=7.4.3\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse(".env", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			e, err := f.Set(tt.v, tt.val)
			if err != nil {
				t.Fatal(err)
			}
			out, err := f.Apply([]compose.Edit{e}, map[string]string{tt.v: tt.val})
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tt.want {
				t.Errorf("Set(%s, %s) on %q = %q, want %q", tt.v, tt.val, tt.src, out, tt.want)
			}
		})
	}
}

func TestSetRefusesWhatItCannotWriteExactly(t *testing.T) {
	tests := []struct{ name, src, v string }{
		{"interpolated", "REG=ghcr.io\nIMAGE=${REG}/app:1\n", "IMAGE"},
		{"escaped", "IMAGE=\"redis:\\t7\"\n", "IMAGE"},
		{"multi-line", "IMAGE=\"redis:7\nmore\"\n", "IMAGE"},
		{"missing", "OTHER=1\n", "IMAGE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse(".env", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			e, err := f.Set(tt.v, "redis:7.4.1")
			if err == nil {
				t.Fatalf("Set(%s) on %q = %+v, want an error", tt.v, tt.src, e)
			}
			// A variable that is set is refused at its position.
			var pe *compose.PosError
			if !errors.As(err, &pe) || (tt.name != "missing" && pe.Line == 0) {
				t.Errorf("Set(%s) on %q: error %v is not a compose.PosError at the variable", tt.v, tt.src, err)
			}
		})
	}
}

// TestApplyChecksTheResult: an edited file that does not parse, or does
// not hold the intended values, is refused at file:line:col of the input,
// naming the variable and then its place in the edited text, and quoting
// no value (values are secrets as often as not). The edited text is never
// written: only the file as read has the line the message leads with, as
// compose's verification errors do. A variable the edits add, or a parse
// error inside an edit's new text, is placed at the edit in the input.
func TestApplyChecksTheResult(t *testing.T) {
	const src = "A=1\nB=s3cret-val\nTAG=7.4.1\n"
	f, err := Parse(".env", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) int { return strings.Index(src, s) }
	for _, tt := range []struct {
		name  string
		edits []compose.Edit
		want  string
	}{
		{name: "another variable changed", edits: []compose.Edit{{Start: at("s3cret"), End: at("s3cret") + 10, New: "0ther-val"}},
			want: ".env:2:1: edited file does not read back as intended: variable B has another value, at 2:1 of the edited text"},
		{name: "a variable added above", edits: []compose.Edit{{Start: 0, End: 0, New: "X=1\n"}},
			want: ".env:1:1: edited file does not read back as intended: variable X is added, at 1:1 of the edited text"},
		{name: "a variable added below", edits: []compose.Edit{{Start: 0, End: 0, New: "\n\n"}, {Start: at("TAG"), End: at("TAG"), New: "Y=2\n"}},
			want: ".env:3:1: edited file does not read back as intended: variable Y is added, at 5:1 of the edited text"},
		{name: "a variable gone", edits: []compose.Edit{{Start: at("B="), End: at("TAG")}},
			want: ".env:2:1: edited file does not read back as intended: variable B is gone"},
		{name: "moved and changed", edits: []compose.Edit{{Start: 0, End: 0, New: "\n\n"}, {Start: at("s3cret"), End: at("s3cret") + 10, New: "0ther-val"}},
			want: ".env:2:1: edited file does not read back as intended: variable B has another value, at 4:1 of the edited text"},
		{name: "does not parse", edits: []compose.Edit{{Start: at("TAG"), End: at("TAG"), New: "C=\"unterminated s3cret-tail\n"}},
			want: ".env:3:1: edited file does not parse: unterminated quoted value, at 3:3 of the edited text"},
		{name: "moved, does not parse", edits: []compose.Edit{{Start: 0, End: 0, New: "\n"}, {Start: at("7.4.1"), End: at("7.4.1"), New: "\"x"}},
			want: ".env:3:5: edited file does not parse: unterminated quoted value, at 4:5 of the edited text"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.Apply(tt.edits, map[string]string{})
			if err == nil || err.Error() != tt.want {
				t.Fatalf("Apply = %v, want %q", err, tt.want)
			}
			for _, secret := range []string{"s3cret", "0ther"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("Apply error %q quotes a value", err)
				}
			}
		})
	}
	if _, err := Parse(".env", []byte("A=\"unterminated\n")); err == nil {
		t.Errorf("Parse of an unterminated quote: no error")
	}
}

// FuzzSet edits every variable of arbitrary .env sources: nothing panics,
// and an edit Apply accepts changes only the value's bytes.
func FuzzSet(f *testing.F) {
	for _, s := range []string{
		"A=1\nIMAGE=redis:7\n", "export TAG='7.4.1' # c\r\n", "X: \"y\"\n#c\n\nZ=${X}\n", "\xef\xbb\xbfA=1", "A=\"multi\nline\"\nB=2\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		file, err := Parse(".env", []byte(src))
		if err != nil {
			return
		}
		for name := range file.Vars {
			e, err := file.Set(name, "redis:7.4.1")
			if err != nil {
				continue
			}
			out, err := file.Apply([]compose.Edit{e}, map[string]string{name: "redis:7.4.1"})
			if err != nil {
				continue
			}
			if got := string(out[:e.Start]) + string(out[e.Start+len(e.New):]); got != src[:e.Start]+src[e.End:] {
				t.Fatalf("Set(%s) on %q changed bytes outside the value: %q", name, src, out)
			}
		}
	})
}

// TestParseErrorPositionWithoutSecrets checks that a .env file dotenv
// refuses is reported at file:line:col, and that the error does not quote
// the file: an unterminated quote would otherwise carry every later value
// (secrets too) into stderr, JSON and SARIF.
func TestParseErrorPositionWithoutSecrets(t *testing.T) {
	for _, tt := range []struct {
		name, src, want string
	}{
		{"unterminated quote", "A=1\nTAG=\"7\nTOKEN=s3cret\n", ".env:2:5: invalid .env file: unterminated quoted value"},
		{"unterminated after a closed one", "A=\"7\"\nTAG=\"7\nX=1\n", ".env:2:5: invalid .env file: unterminated quoted value"},
		{"bad name", "A=1\nB!C=s3cret\n", ".env:2:1: invalid .env file: unexpected character \"!\" in a variable name"},
	} {
		_, err := Parse(".env", []byte(tt.src))
		if err == nil {
			t.Fatalf("%s: Parse = nil error, want one", tt.name)
		}
		if got := err.Error(); got != tt.want || strings.Contains(got, "s3cret") {
			t.Errorf("%s: Parse error = %q, want %q", tt.name, got, tt.want)
		}
	}
}
