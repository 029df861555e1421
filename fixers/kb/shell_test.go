package kb

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSplitShell(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"redis-server --requirepass ${REDIS_PASSWORD}", []string{"redis-server", "--requirepass", "${REDIS_PASSWORD}"}},
		{"  a\tb\n c  ", []string{"a", "b", "c"}},
		{`sh -c "redis-server --port 6380"`, []string{"sh", "-c", "redis-server --port 6380"}},
		{`echo 'it''s' "x\"y" "\$HOME" "a\b"`, []string{"echo", "its", `x"y`, "$HOME", `a\b`}},
		{`a\ b c`, []string{"a b", "c"}},
		{`--email=${ACME_EMAIL:-admin@example.com}`, []string{"--email=${ACME_EMAIL:-admin@example.com}"}},
		{`"" x`, []string{"", "x"}},
		{"line \\\nnext", []string{"line", "next"}},
		{"", nil},
		// Quotes and escapes inside a word join its parts; a word that
		// is only an escaped line break is an empty word.
		{`pre'a b'"c d"post x`, []string{"prea bc dpost", "x"}},
		{"a \\\n b", []string{"a", "", "b"}},
		// Runes after a backslash, inside quotes and outside them stay
		// whole, and each byte of invalid UTF-8 reads as U+FFFD.
		{`\é "é\é" 'ü' ü`, []string{"é", `é\é`, "ü", "ü"}},
		{"a\xff\xfe 'b\xff'", []string{"a\uFFFD\uFFFD", "b\uFFFD"}},
	}
	for _, tt := range tests {
		got, err := SplitShell(tt.in)
		if err != nil {
			t.Errorf("SplitShell(%q) error: %v", tt.in, err)
			continue
		}
		if d := cmp.Diff(tt.want, got); d != "" {
			t.Errorf("SplitShell(%q) mismatch (-want +got):\n%s", tt.in, d)
		}
	}
	for _, in := range []string{`echo "open`, `echo 'open`, `trailing\`} {
		if got, err := SplitShell(in); !errors.Is(err, ErrUnterminatedQuote) {
			t.Errorf("SplitShell(%q) = %q, %v, want ErrUnterminatedQuote", in, got, err)
		}
	}
}

func TestShellQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"s3cret", "s3cret"},
		{"user@host:5432/db", "user@host:5432/db"},
		{"${REDIS_PASSWORD}", `"${REDIS_PASSWORD}"`},
		{"$$SECRET", `"$$SECRET"`},
		{`pa"ss`, `"pa\"ss"`},
		{"a b", `"a b"`},
		{"back`tick\\", "\"back\\`tick\\\\\""},
		{"", `""`},
	}
	for _, tt := range tests {
		if got := shellQuote(tt.in); got != tt.want {
			t.Errorf("shellQuote(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTCPPort(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"80", "80", true},
		{" 80/tcp ", "80", true},
		{"80/TCP", "80", true},
		{"8000-8010", "8000", true},
		{"${APP_PORT}", "${APP_PORT}", true},
		{"53/udp", "", false},
		{"http", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := tcpPort(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("tcpPort(%q) = %q, %v, want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
