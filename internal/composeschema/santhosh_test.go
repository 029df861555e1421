package composeschema

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/schema"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// The reference: compose-go's schema compiled by santhosh-tekuri/jsonschema,
// the validator compose-go uses and composefix used until its package
// init (every process) and compile (every run) were measured to cost more
// than the checks. Tests only.

// compileSanthosh compiles compose-go's schema as compose-go does
// (draft 2020-12, formats not asserted), under url.
func compileSanthosh(url string) (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(schema.Schema))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(url, doc); err != nil {
		return nil, err
	}
	c.RegisterFormat(&jsonschema.Format{Name: "duration", Validate: func(v any) error {
		s, ok := v.(string)
		if !ok {
			return errors.New("expected a string")
		}
		_, err := time.ParseDuration(s)
		return err
	}})
	return c.Compile(url)
}

// TestSchemaMeetsItsMetaSchema compiles the compose schema under an
// ordinary name, where the compiler checks it against the draft's
// meta-schema.
func TestSchemaMeetsItsMetaSchema(t *testing.T) {
	if _, err := compileSanthosh("compose-spec.json"); err != nil {
		t.Fatal(err)
	}
}

// santhoshValidator validates as validateTop does, with santhosh, its
// errors translated kind for kind; t fails on a kind the translation does
// not know, or whose wording differs from the one santhosh's kind had.
func santhoshValidator(t *testing.T) *reference {
	t.Helper()
	sch, err := compileSanthosh("https://json-schema.org/composefix/compose-spec.json")
	if err != nil {
		t.Fatal(err)
	}
	p := message.NewPrinter(language.English)
	return &reference{schema: sch, validate: func(v any, quick bool) *verr {
		var ve *jsonschema.ValidationError
		err := sch.Validate(plain(v, 0))
		if err == nil {
			return nil
		}
		if !errors.As(err, &ve) {
			t.Fatalf("santhosh: %v", err)
		}
		return translate(t, p, ve)
	}}
}

// reference is santhosh with compose-go's schema: validate, its errors
// translated for checkWith, and the compiled schema, whose errors the
// test locates by itself (checkPlaces).
type reference struct {
	validate func(v any, quick bool) *verr
	schema   *jsonschema.Schema
}

func translate(t *testing.T, p *message.Printer, e *jsonschema.ValidationError) *verr {
	t.Helper()
	out := &verr{loc: e.InstanceLocation}
	for _, c := range e.Causes {
		out.causes = append(out.causes, translate(t, p, c))
	}
	switch k := e.ErrorKind.(type) {
	case *kind.Schema, *kind.Group, *kind.Reference, *kind.AllOf:
		out.kind = groupKind{}
	case *kind.AnyOf:
		out.kind = anyOfKind{}
	case *kind.OneOf:
		out.kind = oneOfKind{-1, -1}
		if k.Subschemas != nil {
			out.kind = oneOfKind{k.Subschemas[0], k.Subschemas[1]}
		}
	case *kind.FalseSchema:
		out.kind = falseKind{}
	case *kind.InvalidJsonValue:
		out.kind = invalidKind{k.Value}
	case *kind.Type:
		got, err := typeFrom(k.Got)
		if err != nil {
			t.Fatal(err)
		}
		var want jsonType
		for _, w := range k.Want {
			wt, err := typeFrom(w)
			if err != nil {
				t.Fatal(err)
			}
			want |= wt
		}
		out.kind = typeKind{got, want}
	case *kind.Enum:
		var want []string
		for _, w := range k.Want {
			want = append(want, w.(string))
		}
		out.kind = enumKind{k.Got, want}
	case *kind.Required:
		out.kind = requiredKind{k.Missing}
	case *kind.AdditionalProperties:
		// santhosh lists them in Go's map order; the validator in key order.
		out.kind = additionalKind{slices.Sorted(slices.Values(k.Properties))}
	case *kind.Pattern:
		out.kind = patternKind{k.Got, k.Want}
	case *kind.UniqueItems:
		out.kind = uniqueKind{k.Duplicates[0], k.Duplicates[1]}
	case *kind.Minimum:
		got, _ := k.Got.Float64()
		want, _ := k.Want.Float64()
		out.kind = minimumKind{got, want}
	case *kind.Maximum:
		got, _ := k.Got.Float64()
		want, _ := k.Want.Float64()
		out.kind = maximumKind{got, want}
	default:
		t.Fatalf("santhosh error kind %T is not translated: the validator does not implement it", k)
	}
	words := out.kind
	if k, ok := e.ErrorKind.(*kind.AdditionalProperties); ok {
		words = additionalKind{k.Properties}
	}
	if got, want := words.describe(), describedBefore(e.ErrorKind, p); len(e.Causes) == 0 && got != want {
		t.Errorf("%T is worded %q, santhosh's %q", out.kind, got, want)
	}
	return out
}

// describedBefore is how composefix worded santhosh's errors.
func describedBefore(k jsonschema.ErrorKind, p *message.Printer) string {
	switch k := k.(type) {
	case *kind.Type:
		want := make([]string, len(k.Want))
		for i, w := range k.Want {
			want[i] = typeName(w)
		}
		return fmt.Sprintf("found %s; expected %s", typeName(k.Got), strings.Join(want, " or "))
	case *kind.Enum:
		return fmt.Sprintf("found %v; %s", k.Got, k.LocalizedString(p))
	}
	return k.LocalizedString(p)
}

// TestEnglishNumbersAreXText: englishInt and englishFloat write numbers
// as x/text's English printer, through which santhosh words its errors.
func TestEnglishNumbersAreXText(t *testing.T) {
	p := message.NewPrinter(language.English)
	ints := []int{0, 1, 9, 10, 99, 100, 999, 1000, 1001, 12345, 123456, 1234567, 1 << 40, math.MaxInt64, -1, -1000, -1234567, math.MinInt64 + 1}
	for _, n := range ints {
		if got, want := englishInt(n), p.Sprintf("%d", n); got != want {
			t.Errorf("englishInt(%d) = %q, x/text %q", n, got, want)
		}
	}
	floats := []float64{0, math.Copysign(0, -1), 1, -1, 1.5, 0.1, 0.0001, 0.00001, 0.000123, 100, 1000, -1000, -1001, 99999, 999999, 999999.5,
		1e6, -1e6, 1234567, 4294967295, 4294967296, 1e15, 1e21, 1e22, 1.5e300, 5e-324, math.MaxFloat64, 123456.789, 12.5, 1e-5, 1.25e-7}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		f := math.Float64frombits(r.Uint64())
		if math.IsNaN(f) || math.IsInf(f, 0) {
			continue
		}
		floats = append(floats, f, math.Round(r.NormFloat64()*1e4), r.NormFloat64()*math.Pow(10, float64(r.IntN(20)-8)), float64(r.Int64N(1<<53)-1<<52))
	}
	for _, f := range floats {
		if got, want := englishFloat(f), p.Sprintf("%v", f); got != want {
			t.Errorf("englishFloat(%v) = %q, x/text %q", f, got, want)
		}
	}
}

// plain converts the nodes a value to validate may hold (the document's
// root, or its changed parts) as tree.value converts them.
func plain(v any, depth int) any {
	switch v := v.(type) {
	case *yaml.Node:
		return (&tree{}).value(v, nil, depth)
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = plain(x, depth+1)
		}
		return out
	}
	return v
}
