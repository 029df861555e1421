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
// other format. A first walk over the verbs checks them and sizes the
// message (exactly, unless a quoted string needs escapes), a second
// writes it: one allocation, of the message's size, and the text between
// verbs copied whole.
func quickFormat(format string, args []any) (string, bool) {
	n, next := len(format), 0
	for f := format; ; next++ {
		i := strings.IndexByte(f, '%')
		if i < 0 {
			break
		}
		if i+1 == len(f) || next == len(args) {
			return "", false
		}
		n -= 2 // the verb
		switch verb, arg := f[i+1], args[next]; verb {
		case 's', 'q':
			s, ok := arg.(string)
			if !ok {
				return "", false
			}
			n += len(s)
			if verb == 'q' {
				n += 2
			}
		case 'd':
			v, ok := arg.(int)
			if !ok {
				return "", false
			}
			n += digits(v)
		default:
			return "", false // %%, %v, flags, widths: fmt's
		}
		f = f[i+2:]
	}
	if next != len(args) {
		return "", false // fmt appends %!(EXTRA ...)
	}
	var b strings.Builder
	b.Grow(n)
	var tmp [64]byte // a quoted string or a number, on the stack
	for _, arg := range args {
		i := strings.IndexByte(format, '%')
		b.WriteString(format[:i])
		switch format[i+1] {
		case 's':
			b.WriteString(arg.(string))
		case 'q':
			b.Write(appendQuote(tmp[:0], arg.(string)))
		case 'd':
			b.Write(strconv.AppendInt(tmp[:0], int64(arg.(int)), 10))
		}
		format = format[i+2:]
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
	n, next := len(format), 0
	for f := format; ; next++ {
		i := strings.IndexByte(f, '%')
		if i < 0 {
			break
		}
		if i+1 == len(f) || next == len(args) || f[i+1] != 's' && f[i+1] != 'q' {
			return slowMsgf(format, args)
		}
		n += len(args[next]) - 2 // the verb's two bytes, its value, and for %q two quotes
		if f[i+1] == 'q' {
			n += 2
		}
		f = f[i+2:]
	}
	if next != len(args) {
		return slowMsgf(format, args)
	}
	var b strings.Builder
	b.Grow(n)        // exact, unless a quoted value needs escapes: one allocation
	var tmp [64]byte // a quoted value, on the stack
	for _, arg := range args {
		i := strings.IndexByte(format, '%')
		b.WriteString(format[:i])
		if format[i+1] == 'q' {
			b.Write(appendQuote(tmp[:0], arg))
		} else {
			b.WriteString(arg)
		}
		format = format[i+2:]
	}
	b.WriteString(format)
	return b.String()
}

// slowMsgf is msgf through message, for a format msgf does not write.
func slowMsgf(format string, args []string) string {
	boxed := make([]any, len(args))
	for i, a := range args {
		boxed[i] = a
	}
	return message(format, boxed)
}
