package fixers

import (
	"fmt"
	"strconv"
	"strings"
)

// message is fmt.Sprintf(format, args...). The verbs rules use in nearly
// every message, %s and %q of a string and %d of an int, are written here
// without fmt's machinery (its printer, the verb parser, a type switch per
// argument), which was 2-3% of a corpus run's instructions: a message is
// made for every finding and every fix. Any other verb, flag, width or
// argument type goes to fmt.Sprintf, as does a mismatch in the number of
// arguments, so the text is always fmt's.
func message(format string, args []any) string {
	if format == "%s" && len(args) == 1 {
		if s, ok := args[0].(string); ok {
			return s // formatted by the rule already
		}
	}
	if s, ok := quickFormat(format, args); ok {
		return s
	}
	return fmt.Sprintf(format, args...)
}

// quickFormat is message for the verbs it knows; ok is false for any
// other format (see formatQuick).
func quickFormat(format string, args []any) (string, bool) {
	return formatQuick(format, quickArgs{boxed: args})
}

// quickArgs are a message's arguments, boxed (message) or strings (msgf):
// one of the two is set. formatQuick calls its methods directly, so that
// the builder it writes into stays on its stack.
type quickArgs struct {
	boxed []any
	strs  []string
}

func (a quickArgs) len() int { return len(a.boxed) + len(a.strs) }

// text is argument i for %s and %q: a string, or ok false.
func (a quickArgs) text(i int) (s string, ok bool) {
	if a.strs != nil {
		return a.strs[i], true
	}
	s, ok = a.boxed[i].(string)
	return s, ok
}

// size is the length of argument i written by verb (for %q without
// escapes), or ok false for a verb or argument formatQuick does not write.
func (a quickArgs) size(i int, verb byte) (int, bool) {
	switch verb {
	case 's', 'q':
		s, ok := a.text(i)
		if verb == 'q' {
			return len(s) + 2, ok
		}
		return len(s), ok
	case 'd':
		if a.strs != nil {
			return 0, false
		}
		v, ok := a.boxed[i].(int)
		return digits(v), ok
	}
	return 0, false // %%, %v, flags, widths: fmt's
}

// write appends argument i as verb writes it; size has accepted both.
func (a quickArgs) write(b *strings.Builder, i int, verb byte) {
	var tmp [64]byte // a quoted string or a number, on the stack
	switch verb {
	case 's':
		s, _ := a.text(i)
		b.WriteString(s)
	case 'q':
		s, _ := a.text(i)
		b.Write(appendQuote(tmp[:0], s))
	case 'd':
		b.Write(strconv.AppendInt(tmp[:0], int64(a.boxed[i].(int)), 10))
	}
}

// formatQuick writes format with args when it knows every verb: %s and %q
// of a string, %d of a boxed int. A first walk over the verbs checks them
// and sizes the message (exactly, unless a quoted string needs escapes),
// a second writes it: one allocation, of the message's size, and the text
// between verbs copied whole. ok is false for any other format: another
// verb, a lone %, or a count of arguments that does not match (fmt
// appends %!(EXTRA ...)).
func formatQuick(format string, args quickArgs) (string, bool) {
	nargs := args.len()
	n, next := len(format), 0
	for f := format; ; next++ {
		i := strings.IndexByte(f, '%')
		if i < 0 {
			break
		}
		if i+1 == len(f) || next == nargs {
			return "", false
		}
		l, ok := args.size(next, f[i+1])
		if !ok {
			return "", false
		}
		n += l - 2 // the verb's two bytes
		f = f[i+2:]
	}
	if next != nargs {
		return "", false
	}
	var b strings.Builder
	b.Grow(n)
	for i := range nargs {
		j := strings.IndexByte(format, '%')
		b.WriteString(format[:j])
		args.write(&b, i, format[j+1])
		format = format[j+2:]
	}
	b.WriteString(format)
	return b.String(), true
}

// digits is the length of v in decimal, with its sign.
func digits(v int) int {
	n := 1
	if v < 0 {
		n++
	}
	for v >= 10 || v <= -10 {
		v /= 10
		n++
	}
	return n
}

// appendQuote appends v as %q writes it (strconv.AppendQuote). Text of
// printable ASCII without a quote or a backslash, nearly every service
// name, image and key, is quoted as it is: strconv checks each rune for
// printability and escapes, which was half of what formatting messages
// cost (issue 14).
func appendQuote(dst []byte, v string) []byte {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' || c > '~' || c == '"' || c == '\\' {
			return strconv.AppendQuote(dst, v)
		}
	}
	return append(append(append(dst, '"'), v...), '"')
}

// msgf is message for formats of %s and %q verbs only, with string
// arguments, which need no interface each (an allocation per argument
// through message's []any): the rules' most frequent messages. Its text is
// fmt.Sprintf's (TestMsgfIsSprintf); another verb or a count of arguments
// that does not match goes to message.
func msgf(format string, args ...string) string {
	if format == "%s" && len(args) == 1 {
		return args[0] // formatted by the rule already
	}
	if s, ok := formatQuick(format, quickArgs{strs: args}); ok {
		return s
	}
	return slowMsgf(format, args)
}

// slowMsgf is msgf through message, for a format msgf does not write.
func slowMsgf(format string, args []string) string {
	boxed := make([]any, len(args))
	for i, a := range args {
		boxed[i] = a
	}
	return message(format, boxed)
}
