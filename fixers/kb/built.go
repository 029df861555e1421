package kb

import (
	"fmt"
	"strings"
	"time"
)

// builtClause is one comparison of a Built constraint: "<2024-02-12".
type builtClause struct {
	op  string // one of <, <=, >, >=
	day time.Time
}

// parseBuilt parses a constraint such as "<2024-02-12" or
// ">=2023-01-01 <2024-02-12": dates (UTC days) after an operator, separated
// by blanks, all of which must hold.
func parseBuilt(s string) ([]builtClause, error) {
	fields := strings.Fields(s)
	if len(fields) == 0 {
		return nil, fmt.Errorf("empty date constraint")
	}
	out := make([]builtClause, 0, len(fields))
	for _, f := range fields {
		var c builtClause
		for _, op := range []string{"<=", ">=", "<", ">"} {
			if strings.HasPrefix(f, op) {
				c.op = op
				break
			}
		}
		if c.op == "" {
			return nil, fmt.Errorf("date clause %q: want <, <=, > or >= before the date", f)
		}
		day, err := time.Parse(time.DateOnly, strings.TrimPrefix(f, c.op))
		if err != nil {
			return nil, fmt.Errorf("date clause %q: want a date such as 2024-02-12", f)
		}
		c.day = day
		out = append(out, c)
	}
	return out, nil
}

// builtMatch reports whether an image created at created (any time of a
// day counts as that day, in UTC) satisfies every clause.
func builtMatch(clauses []builtClause, created time.Time) bool {
	y, m, d := created.UTC().Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	for _, c := range clauses {
		ok := false
		switch c.op {
		case "<":
			ok = day.Before(c.day)
		case "<=":
			ok = !day.After(c.day)
		case ">":
			ok = day.After(c.day)
		case ">=":
			ok = !day.Before(c.day)
		}
		if !ok {
			return false
		}
	}
	return true
}
