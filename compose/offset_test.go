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

// TestPositionsArePos: Positions gives what Pos gives for both ends of
// every span of a document with a byte-order mark, CRLF, characters of
// several bytes and invalid UTF-8, and of spans past its end.
func TestPositionsArePos(t *testing.T) {
	src := []byte("\xef\xbb\xbfa: é中\r\nb: \xe2\x82x \xff\n\nc: d")
	d, err := Load("pos.yaml", []byte("services: {}\n"))
	if err != nil {
		t.Fatal(err)
	}
	d.Src, d.lineStarts = src, lineStarts(src)
	for start := 0; start <= len(src)+1; start++ {
		for end := 0; end <= len(src)+1; end++ {
			gs, ge := d.Positions(Span{Start: start, End: end})
			if ws, we := d.Pos(start), d.Pos(end); gs != ws || ge != we {
				t.Errorf("Positions(%d, %d) = %v, %v; want %v, %v", start, end, gs, ge, ws, we)
			}
		}
	}
}
