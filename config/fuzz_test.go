package config

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics and that every error it returns
// is a *Error with a real position.
func FuzzParse(f *testing.F) {
	f.Add(DefaultTemplate)
	f.Add(UncommentTemplate(DefaultTemplate))
	f.Add("select: CF1, x\nresources: {classes: {a: {cpus: 0}}}\n")
	f.Add("x-a: &a {cpus: 1}\nresources:\n  classes:\n    b: {<<: *a}\n")
	f.Add("healthchecks:\n  - {image: a, test: [CMD-SHELL]}\n")
	f.Fuzz(func(t *testing.T, src string) {
		file, err := Parse("c.yaml", []byte(src))
		if err == nil {
			if file == nil {
				t.Fatalf("Parse(%q) = nil, nil", src)
			}
			return
		}
		j, ok := err.(interface{ Unwrap() []error })
		if !ok {
			t.Fatalf("Parse(%q) error %T is not joined", src, err)
		}
		lines := strings.Count(src, "\n") + 1
		for _, e := range j.Unwrap() {
			var ce *Error
			if !errors.As(e, &ce) {
				t.Fatalf("Parse(%q) error %T is not a *Error: %v", src, e, e)
			}
			if ce.Line < 1 || ce.Col < 1 || ce.Line > lines+1 {
				t.Errorf("Parse(%q) error at %d:%d, outside the %d-line input: %v", src, ce.Line, ce.Col, lines, ce)
			}
		}
	})
}

func TestAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("x-0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 9; i++ {
		b.WriteString("x-")
		b.WriteByte(byte('0' + i))
		b.WriteString(": &a")
		b.WriteByte(byte('0' + i))
		b.WriteString(" [")
		for j := range 10 {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*a")
			b.WriteByte(byte('0' + i - 1))
		}
		b.WriteString("]\n")
	}
	b.WriteString("select: *a8\n")
	_, err := Parse("c.yaml", []byte(b.String()))
	got := errorStrings(t, err)
	want := []string{"c.yaml:1:1: aliases expand to more than 100000 nodes; expected a configuration without alias bombs"}
	if len(got) != 1 || got[0] != want[0] {
		t.Errorf("Parse(alias bomb) errors = %q, want %q", got, want)
	}
}
