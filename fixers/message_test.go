package fixers

import (
	"errors"
	"fmt"
	"testing"
)

// TestMessageIsSprintf compares message with fmt.Sprintf over the verbs
// it writes itself and the formats it must leave to fmt.
func TestMessageIsSprintf(t *testing.T) {
	tests := []struct {
		format string
		args   []any
	}{
		{"plain text", nil},
		{"%s", []any{"already formatted"}},
		{"service %q has no restart policy; expected restart: %s", []any{"web", "unless-stopped"}},
		{"%q and %q", []any{"tab\there \"quoted\" é 中 \x01 \u2028", ""}},
		{"%q %q %q %q", []any{"back\\slash", "del\x7f", "~ and space ", "invalid \xff utf-8"}},
		{"port %d of %s, %d", []any{5432, "db", -7}},
		{"%d %d %d %d", []any{0, 9, 10, -10}},
		{"%d", []any{-9223372036854775808}},
		{"ends with %s", []any{"x"}},
		{"a percent %% sign", nil},
		{"%v and %s", []any{3, "x"}},
		{"%5d", []any{42}},
		{"%s", []any{errors.New("an error")}},
		{"%d", []any{int64(9)}},
		{"%q", []any{[]string{"a"}}},
		{"missing %s and %s", []any{"one"}},
		{"extra %s", []any{"one", "two"}},
		{"trailing %", []any{}},
		{"no verbs", []any{"extra"}},
	}
	for _, tt := range tests {
		want := fmt.Sprintf(tt.format, tt.args...)
		if got := message(tt.format, tt.args); got != want {
			t.Errorf("message(%q, %v) = %q, want %q", tt.format, tt.args, got, want)
		}
	}
}

// TestMessageQuotesEveryByte: %q of each byte value, alone and inside
// printable text, is fmt's, whichever way message quotes it.
func TestMessageQuotesEveryByte(t *testing.T) {
	for c := range 256 {
		for _, v := range []string{string([]byte{byte(c)}), "ab" + string([]byte{byte(c)}) + "cd"} {
			want := fmt.Sprintf("x %q y", v)
			if got := message("x %q y", []any{v}); got != want {
				t.Errorf("message(%q) = %q, want %q", v, got, want)
			}
		}
	}
}

// TestMsgfIsSprintf compares msgf with fmt.Sprintf, over the formats it
// writes itself and those it hands to message.
func TestMsgfIsSprintf(t *testing.T) {
	tests := []struct {
		format string
		args   []string
	}{
		{"plain text", nil},
		{"service %q has no healthcheck and gets none: %s", []string{"web", "a reason"}},
		{"%q%q%s", []string{"tab\t \"q\" é \x01 \xff", "", "%d"}},
		{"ends with %s", []string{"x"}},
		{"%s", []string{""}},
		{"a percent %% sign and %s", []string{"x"}},
		{"%v and %s", []string{"3", "x"}},
		{"missing %s and %s", []string{"one"}},
		{"extra %s", []string{"one", "two"}},
		{"trailing %", nil},
	}
	for _, tt := range tests {
		boxed := make([]any, len(tt.args))
		for i, a := range tt.args {
			boxed[i] = a
		}
		want := fmt.Sprintf(tt.format, boxed...)
		if got := msgf(tt.format, tt.args...); got != want {
			t.Errorf("msgf(%q, %q) = %q, want %q", tt.format, tt.args, got, want)
		}
	}
}
