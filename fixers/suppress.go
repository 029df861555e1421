package fixers

import (
	"bytes"
	"strings"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/internal/lazyre"
	"go.yaml.in/yaml/v3"
)

// A suppression is a "# composefix:ignore [RULES] [-- reason]" comment.
type suppression struct {
	line     int      // 1-based line of the comment
	col      int      // column of the '#'
	offset   int      // byte offset of the '#'
	file     bool     // ignore-file: the whole file
	rules    []string // IDs, prefixes or names; empty: every rule
	from, to int      // lines covered
	used     bool
}

type suppressions []*suppression

var suppressRE = lazyre.New(`(?:^|\s)#\s*composefix:(ignore-file|ignore)\b(.*)$`)

// parseSuppressions finds the ignore comments of d and the lines each
// covers: a comment alone on its line covers the next line with content, one
// after content covers its own line; when that line holds a mapping key
// (such as a service's name) the key's whole value is covered too.
func parseSuppressions(d *compose.Document) suppressions {
	if !bytes.Contains(d.Src, []byte("composefix:")) {
		return nil // most files have none: skip the per-line scan
	}
	keyEnds := keyLineEnds(d)
	var out suppressions
	for line := 1; line <= d.Lines(); line++ {
		start := d.Offset(line, 1)
		text := string(d.Src[start:d.LineEnd(start)])
		m := suppressRE().FindStringSubmatchIndex(text)
		if m == nil {
			continue
		}
		hash := start + strings.Index(text[m[0]:], "#") + m[0]
		s := &suppression{line: line, offset: hash, col: d.Pos(hash).Col, file: text[m[2]:m[3]] == "ignore-file"}
		args := text[m[4]:m[5]]
		if i := strings.Index(args, " -- "); i >= 0 {
			args = args[:i]
		} else if strings.HasPrefix(strings.TrimSpace(args), "--") {
			args = ""
		}
		s.rules = append(s.rules, strings.FieldsFunc(args, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })...)
		target := line
		if strings.TrimSpace(text[:m[0]]) == "" { // alone on its line
			target = nextContentLine(d, line)
		}
		s.from, s.to = target, target
		if end, ok := keyEnds[target]; ok {
			s.to = end
		}
		out = append(out, s)
	}
	return out
}

// nextContentLine returns the first line after line that is neither blank
// nor a comment.
func nextContentLine(d *compose.Document, line int) int {
	for l := line + 1; l <= d.Lines(); l++ {
		start := d.Offset(l, 1)
		t := strings.TrimSpace(string(d.Src[start:d.LineEnd(start)]))
		if t != "" && !strings.HasPrefix(t, "#") {
			return l
		}
	}
	return line
}

// keyLineEnds maps the line of each block mapping key to the last line of
// its value.
func keyLineEnds(d *compose.Document) map[int]int {
	out := map[int]int{}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if end, err := d.NodeEnd(v); err == nil {
					if last := d.Pos(end).Line; last > out[k.Line] {
						out[k.Line] = last
					}
				}
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	for _, doc := range d.Docs {
		walk(doc)
	}
	return out
}

// silences reports whether a suppression covers f, marking it used.
func (ss suppressions) silences(f Finding, rules []*Rule) bool {
	hit := false
	for _, s := range ss {
		if !s.file && (f.Pos.Line < s.from || f.Pos.Line > s.to) {
			continue
		}
		if len(s.rules) > 0 && !matchesAny(f.RuleID, s.rules, rules) {
			continue
		}
		s.used = true
		hit = true
	}
	return hit
}

// unused returns a CF900 finding for each suppression that silenced nothing,
// when CF900 is selected and every rule it names is too (an ignore for a rule
// that did not run is not known to be stale).
func (ss suppressions) unused(d *compose.Document, rules []*Rule) []Finding {
	var meta *Rule
	for _, r := range rules {
		if r.ID == unusedSuppressionID {
			meta = r
		}
	}
	if meta == nil {
		return nil
	}
	var out []Finding
	for _, s := range ss {
		if s.used || !namesSelected(s.rules, rules) {
			continue
		}
		what := "every rule"
		if len(s.rules) > 0 {
			what = strings.Join(s.rules, ",")
		}
		end := d.LineEnd(s.offset)
		out = append(out, Finding{
			RuleID:   meta.ID,
			Severity: meta.Severity,
			Path:     d.Path,
			Span:     compose.Span{Start: s.offset, End: end},
			Pos:      d.Pos(s.offset),
			End:      d.Pos(end),
			Message:  "ignore comment for " + what + " silences nothing; remove it",
		})
	}
	return out
}

func namesSelected(names []string, rules []*Rule) bool {
	for _, n := range names {
		found := false
		for _, r := range rules {
			if r.Matches(n) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// matchesAny reports whether rule id is named by any token.
func matchesAny(id string, tokens []string, rules []*Rule) bool {
	for _, r := range rules {
		if r.ID != id {
			continue
		}
		for _, t := range tokens {
			if r.Matches(t) {
				return true
			}
		}
	}
	return false
}
