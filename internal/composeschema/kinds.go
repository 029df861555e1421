package composeschema

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// errKind is what a validation error says, worded as santhosh's kinds
// word themselves, with composefix's rewording of types and enums.
// santhosh words them through golang.org/x/text's message printer in
// English, which writes numbers its own way (1,000; 4.294967295×10⁰⁹);
// englishInt and englishFloat write them the same way without that
// package, whose init every process would pay
// (TestEnglishNumbersAreXText).
type errKind interface {
	describe() string
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

func (groupKind) describe() string { return "validation failed" }
func (anyOfKind) describe() string { return "'anyOf' failed" }
func (k oneOfKind) describe() string {
	if k.a < 0 {
		return "'oneOf' failed, none matched"
	}
	return fmt.Sprintf("'oneOf' failed, subschemas %s, %s matched", englishInt(k.a), englishInt(k.b))
}
func (falseKind) describe() string { return "false schema" }
func (k invalidKind) describe() string {
	return fmt.Sprintf("invalid jsonType %T", k.v)
}

func (k typeKind) describe() string {
	names := k.want.names()
	want := make([]string, len(names))
	for i, w := range names {
		want[i] = typeName(w)
	}
	return fmt.Sprintf("found %s; expected %s", typeName(k.got.names()[0]), strings.Join(want, " or "))
}

func (k enumKind) describe() string {
	if len(k.want) == 1 {
		return fmt.Sprintf("found %v; %s", k.got, "value must be "+quote(k.want[0]))
	}
	want := make([]string, len(k.want))
	for i, w := range k.want {
		want[i] = quote(w)
	}
	return fmt.Sprintf("found %v; %s", k.got, "value must be one of "+strings.Join(want, ", "))
}

func (k requiredKind) describe() string {
	if len(k.missing) == 1 {
		return "missing property " + quote(k.missing[0])
	}
	quoted := make([]string, len(k.missing))
	for i, m := range k.missing {
		quoted[i] = quote(m)
	}
	return "missing properties " + strings.Join(quoted, ", ")
}

func (k additionalKind) describe() string {
	quoted := make([]string, len(k.props))
	for i, m := range k.props {
		quoted[i] = quote(m)
	}
	return "additional properties " + strings.Join(quoted, ", ") + " not allowed"
}

func (k patternKind) describe() string {
	return quote(k.got) + " does not match pattern " + quote(k.want)
}

func (k uniqueKind) describe() string {
	return "items at " + englishInt(k.i) + " and " + englishInt(k.j) + " are equal"
}

func (k minimumKind) describe() string {
	got, _ := rat(k.got).Float64()
	return "minimum: got " + englishFloat(got) + ", want " + englishFloat(k.want)
}

func (k maximumKind) describe() string {
	got, _ := rat(k.got).Float64()
	return "maximum: got " + englishFloat(got) + ", want " + englishFloat(k.want)
}

// quote is santhosh's: a Go-quoted string in single quotes.
func quote(s string) string {
	s = fmt.Sprintf("%q", s)
	s = strings.ReplaceAll(s, `\"`, `"`)
	s = strings.ReplaceAll(s, `'`, `\'`)
	return "'" + s[1:len(s)-1] + "'"
}

// englishInt writes n as x/text's English printer writes %d.
func englishInt(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + group(s[1:])
	}
	return group(s)
}

// group puts a comma between each three digits, from the right.
func group(digits string) string {
	var b strings.Builder
	for i := 0; i < len(digits); i++ {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(digits[i])
	}
	return b.String()
}

// englishFloat writes a finite v as x/text's English printer writes %v:
// strconv's %g with the shortest digits and six as the exponent's
// threshold, the integer part grouped, and an exponent written
// ×10 and superscript digits, at least two.
func englishFloat(v float64) string {
	var b strings.Builder
	if math.Signbit(v) && v != 0 {
		b.WriteByte('-')
	}
	if v == 0 {
		return "0"
	}
	mant, e, _ := strings.Cut(strconv.FormatFloat(math.Abs(v), 'e', -1, 64), "e")
	exp, _ := strconv.Atoi(e)
	if exp < -4 || exp >= 6 {
		b.WriteString(mant)
		b.WriteString("×10")
		if exp < 0 {
			b.WriteString("⁻")
			exp = -exp
		}
		ds := strconv.Itoa(exp)
		if len(ds) < 2 {
			ds = "0" + ds
		}
		sup := []rune("⁰¹²³⁴⁵⁶⁷⁸⁹")
		for _, d := range ds {
			b.WriteRune(sup[d-'0'])
		}
		return b.String()
	}
	digits := strings.Replace(mant, ".", "", 1)
	if exp < 0 {
		b.WriteString("0." + strings.Repeat("0", -exp-1) + digits)
		return b.String()
	}
	for len(digits) < exp+1 {
		digits += "0"
	}
	b.WriteString(group(digits[:exp+1]))
	if frac := digits[exp+1:]; frac != "" {
		b.WriteString("." + frac)
	}
	return b.String()
}
