package suggest

import (
	"strings"
	"unicode/utf8"
)

// Closest returns the choice nearest to s by edit distance, ignoring case
// and treating "-" and "_" alike, or "" when none is near enough: at most
// two edits, one for words of up to four characters.
func Closest(s string, choices []string) string {
	best, bestDist := "", -1
	norm := strings.ToLower(strings.ReplaceAll(s, "-", "_"))
	for _, c := range choices {
		dist := levenshtein(norm, strings.ToLower(strings.ReplaceAll(c, "-", "_")))
		if bestDist < 0 || dist < bestDist {
			best, bestDist = c, dist
		}
	}
	limit := 2
	if utf8.RuneCountInString(s) <= 4 {
		limit = 1
	}
	if bestDist < 0 || bestDist > limit {
		return ""
	}
	return best
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
