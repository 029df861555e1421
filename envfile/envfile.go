package envfile

import (
	"bytes"
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/compose-spec/compose-go/v2/dotenv"
	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/internal/lazyre"
)

// Name is the file compose reads variables from, in the project directory.
const Name = ".env"

// File is a parsed .env file.
type File struct {
	Path string
	Src  []byte
	// Vars are the variables as docker compose reads them.
	Vars map[string]string
	// assigns locates the last assignment of each variable.
	assigns map[string]Assignment
}

// Assignment is where a variable's value is written.
type Assignment struct {
	Name  string
	Value compose.Span // the value's bytes, quotes included
	Quote byte         // 0 (unquoted), '\'' or '"'
	Pos   compose.Pos  // of the variable name
	// NotEditable says why the value cannot be rewritten in place ("" when
	// it can): it interpolates, escapes or spans lines.
	NotEditable string
}

// Parse reads src, a .env file at path. The error (a compose.PosError)
// is dotenv's: compose would refuse the file too.
func Parse(path string, src []byte) (*File, error) {
	vars, err := dotenv.ParseWithLookup(bytes.NewReader(src), nil)
	if err != nil {
		return nil, parseError(path, src, err)
	}
	f := &File{Path: path, Src: src, Vars: vars, assigns: map[string]Assignment{}}
	for _, a := range locate(src) {
		if v, ok := vars[a.Name]; ok && a.NotEditable == "" && decode(src, a) != v {
			a.NotEditable = "its value is interpolated or escaped"
		}
		f.assigns[a.Name] = a // the last one wins, as in dotenv
	}
	return f, nil
}

// dotenvLine is how dotenv starts its parse errors.
var dotenvLine = lazyre.New(`^line (\d+): `)

// parseError turns dotenv's error into a PosError at file:line:col, and
// drops the file text it quotes: for an unterminated quote that is the rest
// of the file, and for a bad name the rest of the line, values and secrets
// included, which would otherwise reach every output format.
func parseError(path string, src []byte, err error) error {
	m := dotenvLine().FindStringSubmatch(err.Error())
	if m == nil {
		return &compose.PosError{Path: path, Msg: "invalid .env file", Err: err}
	}
	line, _ := strconv.Atoi(m[1])
	pos := compose.Pos{Line: line, Col: 1}
	msg := err.Error()[len(m[0]):]
	switch {
	case strings.HasPrefix(msg, "unterminated quoted value "):
		// dotenv counts the line at the end of the file and quotes the
		// value's first line from its opening quote. No quote of that
		// kind closes it, so it is the file's last one.
		if rest := strings.TrimPrefix(msg, "unterminated quoted value "); rest != "" {
			if i := bytes.LastIndexByte(src, rest[0]); i >= 0 && bytes.HasPrefix(src[i:], []byte(rest)) {
				pos = Pos(src, i)
			}
		}
		msg = "unterminated quoted value"
	case strings.Contains(msg, " in variable name "):
		msg = msg[:strings.Index(msg, " in variable name ")] + " in a variable name"
	}
	return &compose.PosError{Path: path, Line: pos.Line, Col: pos.Col, Msg: "invalid .env file: " + msg}
}

// Lookup returns where name's value is written.
func (f *File) Lookup(name string) (Assignment, bool) {
	a, ok := f.assigns[name]
	return a, ok
}

// Set returns the edit that makes name's value value, in the quoting the
// file uses for it. Its error is a compose.PosError at the variable.
func (f *File) Set(name, value string) (compose.Edit, error) {
	a, ok := f.assigns[name]
	if !ok {
		return compose.Edit{}, &compose.PosError{Path: f.Path, Msg: "variable " + name + " is not set"}
	}
	if a.NotEditable != "" {
		return compose.Edit{}, &compose.PosError{Path: f.Path, Line: a.Pos.Line, Col: a.Pos.Col, Msg: fmt.Sprintf("variable %s cannot be edited: %s", name, a.NotEditable)}
	}
	if value == "" || strings.ContainsAny(value, "\"'\\$# \t\r\n") {
		return compose.Edit{}, &compose.PosError{Path: f.Path, Line: a.Pos.Line, Col: a.Pos.Col, Msg: fmt.Sprintf("value %q of %s cannot be written without escapes", value, name)}
	}
	q := ""
	if a.Quote != 0 {
		q = string(a.Quote)
	}
	return compose.Edit{Start: a.Value.Start, End: a.Value.End, New: q + value + q}, nil
}

// Apply applies edits to f's source and checks the result: it parses, name
// by name it holds want's values, and every other variable is unchanged.
func (f *File) Apply(edits []compose.Edit, want map[string]string) ([]byte, error) {
	out, err := compose.Apply(f.Src, edits)
	if err != nil {
		return nil, err
	}
	got, err := dotenv.ParseWithLookup(bytes.NewReader(out), nil)
	if err != nil {
		// Without the text dotenv quotes.
		pe, ok := parseError(f.Path, out, err).(*compose.PosError)
		if !ok || pe.Err != nil {
			return nil, &compose.PosError{Path: f.Path, Msg: "edited file does not parse"}
		}
		msg := "edited file does not parse: " + strings.TrimPrefix(pe.Msg, "invalid .env file: ")
		return nil, f.editedError(out, edits, compose.Pos{Line: pe.Line, Col: pe.Col}, msg)
	}
	exp := maps.Clone(f.Vars)
	maps.Copy(exp, want)
	if !maps.Equal(got, exp) {
		return nil, f.readBackError(out, edits, got, exp)
	}
	return out, nil
}

// editedError is an error at pos of out, the text edits made of f: it
// leads with the input's position, where the edit that made out's text
// there was made, and names pos after, as compose's verification errors
// do. The edited text is never written: only the file as read has the
// line the error starts with.
func (f *File) editedError(out []byte, edits []compose.Edit, pos compose.Pos, msg string) *compose.PosError {
	if pos.Line == 0 {
		return &compose.PosError{Path: f.Path, Msg: msg}
	}
	in := Pos(f.Src, compose.InputOffset(edits, offset(out, pos)))
	return &compose.PosError{Path: f.Path, Line: in.Line, Col: in.Col, Msg: msg + ", at " + pos.String() + " of the edited text"}
}

// readBackError names the first variable of out (in file order, then the
// ones gone) whose value is not the intended one, at its place in the
// input and then in out, without quoting a value: .env values are often
// secrets.
func (f *File) readBackError(out []byte, edits []compose.Edit, got, exp map[string]string) error {
	const msg = "edited file does not read back as intended"
	last := map[string]Assignment{} // dotenv keeps a variable's last value
	var order []string
	for _, a := range locate(out) {
		if _, seen := last[a.Name]; !seen {
			order = append(order, a.Name)
		}
		last[a.Name] = a
	}
	for _, name := range order {
		v, ok := got[name]
		if !ok {
			continue
		}
		w, intended := exp[name]
		if intended && v == w {
			continue
		}
		what := ": variable " + name + " has another value"
		if !intended {
			what = ": variable " + name + " is added" // where the edit adding it was made
		}
		pe := f.editedError(out, edits, last[name].Pos, msg+what)
		if a, ok := f.assigns[name]; ok {
			// The variable's own place in the input, whatever moved it.
			pe.Line, pe.Col = a.Pos.Line, a.Pos.Col
		}
		return pe
	}
	gone := make([]string, 0, len(exp))
	for name := range exp {
		if _, ok := got[name]; !ok {
			gone = append(gone, name)
		}
	}
	if len(gone) > 0 {
		// The first in the input is named, the others need no order; ties
		// (variables the input lacks) by name, not map order.
		first := slices.MinFunc(gone, func(a, b string) int {
			return cmp.Or(f.assigns[a].Value.Start-f.assigns[b].Value.Start, strings.Compare(a, b))
		})
		pe := &compose.PosError{Path: f.Path, Msg: msg + ": variable " + first + " is gone"}
		if a, ok := f.assigns[first]; ok {
			pe.Line, pe.Col = a.Pos.Line, a.Pos.Col
		}
		return pe
	}
	return &compose.PosError{Path: f.Path, Msg: msg}
}

// locate finds each assignment, in file order, following dotenv's parser:
// comments and blank lines skipped, `export ` dropped, KEY=VALUE or
// KEY: VALUE, quoted values up to the closing quote, unquoted ones up to
// the line end or " #".
func locate(src []byte) []Assignment {
	var out []Assignment
	i := 0
	if bytes.HasPrefix(src, []byte("\xef\xbb\xbf")) {
		i = 3
	}
	for i < len(src) {
		i = skipSpace(src, i, true)
		if i >= len(src) {
			break
		}
		if src[i] == '#' {
			i = lineEnd(src, i)
			continue
		}
		if bytes.HasPrefix(src[i:], []byte("export")) && i+6 < len(src) && (src[i+6] == ' ' || src[i+6] == '\t') {
			i = skipSpace(src, i+6, false)
		}
		keyStart := i
		for i < len(src) && src[i] != '=' && src[i] != ':' && src[i] != '\n' {
			i++
		}
		if i >= len(src) || src[i] == '\n' { // an inherited name: no value here
			continue
		}
		a := Assignment{Name: strings.TrimRight(string(src[keyStart:i]), " \t\r"), Pos: Pos(src, keyStart)}
		i = skipSpace(src, i+1, false)
		if i < len(src) && (src[i] == '"' || src[i] == '\'') {
			q := src[i]
			j := i + 1
			for ; j < len(src); j++ {
				if src[j] == '\\' {
					j++
					continue
				}
				if src[j] == q {
					break
				}
			}
			end := min(j+1, len(src))
			a.Value, a.Quote = compose.Span{Start: i, End: end}, q
			if bytes.ContainsAny(src[i:end], "\n\\") {
				a.NotEditable = "its value spans lines or holds escapes"
			}
			out = append(out, a)
			i = end
			continue
		}
		e := lineEnd(src, i)
		v := src[i:e]
		if k := bytes.Index(v, []byte(" #")); k >= 0 {
			v = v[:k]
		}
		v = bytes.TrimRight(v, " \t\r\v\f")
		a.Value = compose.Span{Start: i, End: i + len(v)}
		out = append(out, a)
		i = e
	}
	return out
}

// decode returns a located value without quotes (its escapes and
// interpolation left as written).
func decode(src []byte, a Assignment) string {
	v := string(src[a.Value.Start:a.Value.End])
	if a.Quote != 0 && len(v) >= 2 {
		v = v[1 : len(v)-1]
	}
	return v
}

func skipSpace(src []byte, i int, newlines bool) int {
	for i < len(src) {
		switch src[i] {
		case ' ', '\t', '\r', '\v', '\f':
		case '\n':
			if !newlines {
				return i
			}
		default:
			return i
		}
		i++
	}
	return i
}

func lineEnd(src []byte, i int) int {
	if k := bytes.IndexByte(src[i:], '\n'); k >= 0 {
		return i + k
	}
	return len(src)
}

// offset returns the byte offset of pos in src, as Pos counts it.
func offset(src []byte, pos compose.Pos) int {
	off := 0
	for line := 1; line < pos.Line; line++ {
		k := bytes.IndexByte(src[off:], '\n')
		if k < 0 {
			return len(src)
		}
		off += k + 1
	}
	for col := 1; col < pos.Col && off < len(src); col++ {
		_, n := utf8.DecodeRune(src[off:])
		off += n
	}
	return off
}

// Pos returns the 1-based line and character column of byte offset off.
func Pos(src []byte, off int) compose.Pos {
	line := 1 + bytes.Count(src[:off], []byte("\n"))
	start := bytes.LastIndexByte(src[:off], '\n') + 1
	return compose.Pos{Line: line, Col: utf8.RuneCount(src[start:off]) + 1}
}
