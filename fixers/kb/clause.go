package kb

import (
	"fmt"
	"strings"
)

// clause is one comparison of a constraint: "<2024-02-12" (Built),
// ">=3.6.0" (Versions).
type clause[T any] struct {
	op  string // one of <, <=, >, >=
	val T
}

// parseClauses parses a constraint of clauses separated by blanks, all of
// which must hold, such as ">=1.2 <2". operand reads what follows each
// operator; what names it in errors ("date", "version").
func parseClauses[T any](s, what string, operand func(string) (T, error)) ([]clause[T], error) {
	fields := strings.Fields(s)
	if len(fields) == 0 {
		return nil, fmt.Errorf("empty %s constraint", what)
	}
	out := make([]clause[T], 0, len(fields))
	for _, f := range fields {
		var c clause[T]
		for _, op := range []string{"<=", ">=", "<", ">"} {
			if strings.HasPrefix(f, op) {
				c.op = op
				break
			}
		}
		if c.op == "" {
			return nil, fmt.Errorf("%s clause %q: want <, <=, > or >= before the %s", what, f, what)
		}
		v, err := operand(strings.TrimPrefix(f, c.op))
		if err != nil {
			return nil, fmt.Errorf("%s clause %q: %w", what, f, err)
		}
		c.val = v
		out = append(out, c)
	}
	return out, nil
}

// allHold reports whether every clause holds, given how a value compares
// with a clause's operand (negative, zero or positive).
func allHold[T any](clauses []clause[T], compare func(T) int) bool {
	for _, c := range clauses {
		cmp := compare(c.val)
		ok := false
		switch c.op {
		case "<":
			ok = cmp < 0
		case "<=":
			ok = cmp <= 0
		case ">":
			ok = cmp > 0
		case ">=":
			ok = cmp >= 0
		}
		if !ok {
			return false
		}
	}
	return true
}
