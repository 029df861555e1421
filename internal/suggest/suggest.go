package suggest

import (
	"strings"
	"unicode/utf8"

	"github.com/agnivade/levenshtein"
)

// Closest returns the choice nearest to s by edit distance, ignoring case
// and treating "-" and "_" alike, or "" when none is near enough: at most
// two edits, one for words of up to four characters.
func Closest(s string, choices []string) string {
	best, bestDist := "", -1
	norm := strings.ToLower(strings.ReplaceAll(s, "-", "_"))
	for _, c := range choices {
		dist := levenshtein.ComputeDistance(norm, strings.ToLower(strings.ReplaceAll(c, "-", "_")))
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
