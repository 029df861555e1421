package composeschema

import (
	"fmt"
	"strings"

	"golang.org/x/text/message"
)

// errKind is what a validation error says, worded as santhosh's kinds
// word themselves (through a message.Printer, which writes numbers as
// English does: 1,000), with describe's rewording of types and enums.
type errKind interface {
	describe(p *message.Printer) string
}

type (
	groupKind   struct{} // santhosh's Group, Reference, AllOf and Schema: only causes
	anyOfKind   struct{}
	oneOfKind   struct{ a, b int } // the two subschemas that matched; -1 -1: none did
	falseKind   struct{}
	invalidKind struct{ v any }
	typeKind    struct{ got, want jsonType }
	enumKind    struct {
		got  any
		want []string
	}
	requiredKind   struct{ missing []string }
	additionalKind struct{ props []string }
	patternKind    struct{ got, want string }
	uniqueKind     struct{ i, j int }
	minimumKind    struct {
		got  any
		want float64
	}
	maximumKind struct {
		got  any
		want float64
	}
)

func (groupKind) describe(p *message.Printer) string { return p.Sprintf("validation failed") }
func (anyOfKind) describe(p *message.Printer) string { return p.Sprintf("'anyOf' failed") }
func (k oneOfKind) describe(p *message.Printer) string {
	if k.a < 0 {
		return p.Sprintf("'oneOf' failed, none matched")
	}
	return p.Sprintf("'oneOf' failed, subschemas %d, %d matched", k.a, k.b)
}
func (falseKind) describe(p *message.Printer) string { return p.Sprintf("false schema") }
func (k invalidKind) describe(p *message.Printer) string {
	return p.Sprintf("invalid jsonType %T", k.v)
}

func (k typeKind) describe(*message.Printer) string {
	names := k.want.names()
	want := make([]string, len(names))
	for i, w := range names {
		want[i] = typeName(w)
	}
	return fmt.Sprintf("found %s; expected %s", typeName(k.got.names()[0]), strings.Join(want, " or "))
}

func (k enumKind) describe(p *message.Printer) string {
	if len(k.want) == 1 {
		return fmt.Sprintf("found %v; %s", k.got, p.Sprintf("value must be %s", quote(k.want[0])))
	}
	want := make([]string, len(k.want))
	for i, w := range k.want {
		want[i] = quote(w)
	}
	return fmt.Sprintf("found %v; %s", k.got, p.Sprintf("value must be one of %s", strings.Join(want, ", ")))
}

func (k requiredKind) describe(p *message.Printer) string {
	if len(k.missing) == 1 {
		return p.Sprintf("missing property %s", quote(k.missing[0]))
	}
	quoted := make([]string, len(k.missing))
	for i, m := range k.missing {
		quoted[i] = quote(m)
	}
	return p.Sprintf("missing properties %s", strings.Join(quoted, ", "))
}

func (k additionalKind) describe(p *message.Printer) string {
	quoted := make([]string, len(k.props))
	for i, m := range k.props {
		quoted[i] = quote(m)
	}
	return p.Sprintf("additional properties %s not allowed", strings.Join(quoted, ", "))
}

func (k patternKind) describe(p *message.Printer) string {
	return p.Sprintf("%s does not match pattern %s", quote(k.got), quote(k.want))
}

func (k uniqueKind) describe(p *message.Printer) string {
	return p.Sprintf("items at %d and %d are equal", k.i, k.j)
}

func (k minimumKind) describe(p *message.Printer) string {
	got, _ := rat(k.got).Float64()
	return p.Sprintf("minimum: got %v, want %v", got, k.want)
}

func (k maximumKind) describe(p *message.Printer) string {
	got, _ := rat(k.got).Float64()
	return p.Sprintf("maximum: got %v, want %v", got, k.want)
}

// quote is santhosh's: a Go-quoted string in single quotes.
func quote(s string) string {
	s = fmt.Sprintf("%q", s)
	s = strings.ReplaceAll(s, `\"`, `"`)
	s = strings.ReplaceAll(s, `'`, `\'`)
	return "'" + s[1:len(s)-1] + "'"
}
