package compose

import (
	"testing"
	"unicode/utf8"
)

// TestOffsetMatchesRuneWalk checks Offset's ASCII walk against decoding
// every character up to the line's end, for every line and every column
// up to past the end: LF and CRLF endings, a carriage return inside a
// line, multi-byte characters before and after ASCII, an empty line and
// a last line without a line break.
func TestOffsetMatchesRuneWalk(t *testing.T) {
	srcs := []string{
		"services:\n  web:\n    image: nginx\n",
		"services:\r\n  web:\r\n\r\n    image: \"é\"\r\n",
		"a: \"x\ry\"\nb: ü-ß-中 c\nlast: no newline",
		"k: 中文字\n  é: 1\n\n",
	}
	for _, src := range srcs {
		d := &Document{Src: []byte(src), lineStarts: lineStarts([]byte(src))}
		for line := 1; line <= len(d.lineStarts); line++ {
			start := d.lineStarts[line-1]
			end := d.LineEnd(start)
			for col := 1; col <= end-start+3; col++ {
				want := start
				for c := 1; c < col && want < end; c++ {
					_, size := utf8.DecodeRune(d.Src[want:end])
					want += size
				}
				if got := d.Offset(line, col); got != want {
					t.Errorf("%q: Offset(%d, %d) = %d, want %d", src, line, col, got, want)
				}
			}
		}
	}
}
