package registry

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// The grammar as the distribution spec writes it, which the hand-written
// matchers must agree with.
var grammar = []struct {
	name    string
	re      *regexp.Regexp
	match   func(string) bool
	alpha   string // characters that matter to the pattern, and one that does not
	extreme []string
}{
	{"path component", regexp.MustCompile(`^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$`), isPathComponent,
		"a0._-Z/", []string{"a__b", "a___b", "a--b", "a-_b", "a._b", "é", "a\n"}},
	{"tag", regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`), isTag,
		"aZ0_.-:", []string{"_", ".a", "-a", "a\n", "1.2-alpine", "v1é"}},
	{"digest", regexp.MustCompile(`^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$`), isDigest,
		"a0.+_-:=Z/", []string{
			"sha256:" + strings.Repeat("a", 64), "sha256:" + strings.Repeat("a", 31), "sha256:" + strings.Repeat("a", 32),
			"sha256+b64u:" + strings.Repeat("Z=_-", 8), "sha256:" + strings.Repeat("a", 40) + ":", ":" + strings.Repeat("a", 32),
			"sha..256:" + strings.Repeat("a", 32), "sha.256:" + strings.Repeat("a", 31) + "é"}},
	{"host", regexp.MustCompile(`^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]+)?$`), isHost,
		"aZ0-.:[]f_", []string{"[::1]:5000", "[::1]", "[]", "[::1]]", "[g]", "localhost:", "a-.b", "ghcr.io", "127.0.0.1:5000:1", "a:b"}},
}

// TestGrammarMatchesSpec compares each matcher with its regular expression
// on every string up to five characters over the characters that matter,
// on the edge cases, and on random longer strings.
func TestGrammarMatchesSpec(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, g := range grammar {
		check := func(s string) {
			if got, want := g.match(s), g.re.MatchString(s); got != want {
				t.Errorf("%s %q: matcher says %v, the grammar %v", g.name, s, got, want)
			}
		}
		var all func(prefix string, n int)
		all = func(prefix string, n int) {
			check(prefix)
			if n == 0 {
				return
			}
			for i := 0; i < len(g.alpha); i++ {
				all(prefix+g.alpha[i:i+1], n-1)
			}
		}
		all("", 5)
		for _, s := range g.extreme {
			check(s)
		}
		matched := 0
		for range 20000 {
			var b strings.Builder
			for range rng.IntN(48) {
				b.WriteByte(g.alpha[rng.IntN(len(g.alpha))])
			}
			if g.name == "digest" {
				b.Reset() // an algorithm, a colon, a hash around the 32-character bound
				for range 1 + rng.IntN(6) {
					b.WriteByte("ab0.+_-"[rng.IntN(7)])
				}
				b.WriteByte(':')
				for range 28 + rng.IntN(8) {
					b.WriteByte("aZ0=_-:"[rng.IntN(7)])
				}
			}
			s := b.String()
			if g.re.MatchString(s) {
				matched++
			}
			check(s)
		}
		if matched == 0 {
			t.Errorf("%s: no random string matched: the comparison checks only refusals", g.name)
		}
	}
}

// FuzzGrammar compares the matchers with the grammar on any input.
func FuzzGrammar(f *testing.F) {
	for _, g := range grammar {
		for _, s := range g.extreme {
			f.Add(s)
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, g := range grammar {
			if got, want := g.match(s), g.re.MatchString(s); got != want {
				t.Errorf("%s %q: matcher says %v, the grammar %v", g.name, s, got, want)
			}
		}
	})
}
