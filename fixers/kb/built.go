package kb

import (
	"errors"
	"time"
)

// builtClause is one comparison of a Built constraint: "<2024-02-12", a
// UTC day.
type builtClause = clause[time.Time]

// parseBuilt parses a constraint such as "<2024-02-12" or
// ">=2023-01-01 <2024-02-12": dates (UTC days) after an operator, separated
// by blanks, all of which must hold.
func parseBuilt(s string) ([]builtClause, error) {
	return parseClauses(s, "date", func(v string) (time.Time, error) {
		day, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return day, errors.New("want a date such as 2024-02-12")
		}
		return day, nil
	})
}

// builtMatch reports whether an image created at created (any time of a
// day counts as that day, in UTC) satisfies every clause.
func builtMatch(clauses []builtClause, created time.Time) bool {
	y, m, d := created.UTC().Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return allHold(clauses, day.Compare)
}
