package fixers

import (
	"fmt"
	"testing"

	"github.com/composefix/composefix/compose"
)

// TestFindingBufKeepsOrder adds findings across chunks of every first size
// (one chunk, a small first chunk and the ones after it, 64 and more) and
// checks that keep returns those it keeps, in order.
func TestFindingBufKeepsOrder(t *testing.T) {
	for _, first := range []int{0, 1, 8, 24, 64} {
		for _, n := range []int{0, 1, 7, 8, 9, 63, 64, 65, 200, 1000} {
			b := findingBuf{first: first}
			for i := range n {
				b.add(Finding{Message: fmt.Sprint(i)})
			}
			kept := b.keep(func(f *Finding) bool { return f.Message[len(f.Message)-1] != '3' })
			i := 0
			for j := range n {
				if s := fmt.Sprint(j); s[len(s)-1] != '3' {
					if i >= len(kept) || kept[i].Message != s {
						t.Fatalf("first %d, %d findings: kept[%d] = %v, want %q", first, n, i, kept[i:min(i+1, len(kept))], s)
					}
					i++
				}
			}
			if i != len(kept) {
				t.Errorf("first %d, %d findings: kept %d, want %d", first, n, len(kept), i)
			}
		}
	}
}

// TestFirstChunk checks the first chunk's size: 8 per service and 8 more,
// at most 64.
func TestFirstChunk(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want int
	}{
		{"services: {}\n", 8},
		{"services:\n  a: {}\n", 16},
		{"services:\n  a: {}\n  b: {}\n  c: {}\n", 32},
		{"services: {a: {}, b: {}, c: {}, d: {}, e: {}, f: {}, g: {}, h: {}}\n", 64},
		{"x-a: 1\n", 8},
	} {
		d, err := compose.LoadWith("c.yaml", []byte(tc.src), compose.LoadOptions{AllowNonCompose: true})
		if err != nil {
			t.Fatal(err)
		}
		if got := firstChunk(d); got != tc.want {
			t.Errorf("firstChunk(%q) = %d, want %d", tc.src, got, tc.want)
		}
	}
}
