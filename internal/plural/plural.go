// Package plural spells an English count noun for a number. report, pipeline
// and cmd/composefix all print counts ("3 files", "1 fix"); one definition
// keeps their spelling the same.
package plural

import "strings"

// Noun returns word as it reads after the number n: unchanged for 1,
// otherwise plural ("fix" → "fixes", "image" → "images"). It knows only the
// words composefix prints: regular nouns and those ending in "x".
func Noun(n int, word string) string {
	if n == 1 {
		return word
	}
	if strings.HasSuffix(word, "x") {
		return word + "es"
	}
	return word + "s"
}
