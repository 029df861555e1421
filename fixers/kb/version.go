package kb

import (
	"fmt"
	"strconv"
	"strings"
)

// tagVersion reads the version a tag starts with: "3.6.0", "v2.55.0",
// "9.2-alpine" (9.2), "1.13", what `^v?(\d+(?:\.\d+)*)` would capture, and
// the length of the match, v included. It is not ok for tags without one
// ("latest", "alpine", "RELEASE.2024-12-13T22-19-12Z", "${TAG}"). A scan,
// not a regexp: building the embedded index compiled one in every run
// (issue 14: a small file's startup).
func tagVersion(tag string) (version string, n int, ok bool) {
	start := 0
	if strings.HasPrefix(tag, "v") {
		start = 1
	}
	end := digitsEnd(tag, start)
	if end == start {
		return "", 0, false
	}
	// A dot counts only with digits after it.
	for end < len(tag) && tag[end] == '.' {
		next := digitsEnd(tag, end+1)
		if next == end+1 {
			break
		}
		end = next
	}
	return tag[start:end], end, true
}

// digitsEnd returns the index past the ASCII digits of s from i.
func digitsEnd(s string, i int) int {
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	return i
}

// versionClause is one comparison of a Versions constraint: ">=3.6.0".
type versionClause = clause[[]int]

// parseVersions parses a constraint such as ">=3.6.0" or ">=1.2 <2": clauses
// separated by blanks, all of which must hold.
func parseVersions(s string) ([]versionClause, error) {
	return parseClauses(s, "version", func(num string) ([]int, error) {
		if _, n, ok := tagVersion(num); !ok || n != len(num) {
			return nil, fmt.Errorf("%q is not a dotted number", num)
		}
		return splitVersion(strings.TrimPrefix(num, "v")), nil
	})
}

func splitVersion(s string) []int {
	parts := strings.Split(s, ".")
	out := make([]int, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil {
			n = 1<<31 - 1 // too long for an int: beyond any constraint
		}
		out[i] = n
	}
	return out
}

// versionsMatch reports whether the tag satisfies every clause.
//
// A tag names the newest image of its line: "3" is the newest 3.x.y and
// "latest" (or any tag without a version) the newest of all. So a component
// the tag leaves out counts as larger than any written one: "9.2" is below
// 9.3 and "3.6" is at least 3.6.0, while "3" is not below 3.7.
func versionsMatch(clauses []versionClause, tag string) bool {
	var ver []int // nil: the newest
	if v, _, ok := tagVersion(tag); ok {
		ver = splitVersion(v)
	}
	return allHold(clauses, func(want []int) int { return compareFloating(ver, want) })
}

// compareFloating compares a tag's version (missing components are
// unbounded) with a constraint's (missing components are 0).
func compareFloating(tag, want []int) int {
	for i := range want {
		if i >= len(tag) {
			return 1 // the tag floats above every value of this component
		}
		if tag[i] != want[i] {
			if tag[i] < want[i] {
				return -1
			}
			return 1
		}
	}
	if len(tag) > len(want) {
		for _, n := range tag[len(want):] {
			if n > 0 {
				return 1
			}
		}
	}
	// Equal on every written component; a tag with fewer components still
	// floats above (handled in the loop), so only exact equality remains.
	return 0
}
