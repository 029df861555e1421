package diff

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// This file holds a small, strict unified-diff applier used as a test oracle
// (by the fuzz target and the table tests): hunks must match exactly at the
// line they name, with no offset and no fuzz.

// hunkShape records what a hunk looked like, so tests can check the GNU
// context and merge rules.
type hunkShape struct {
	oldStart, oldLen int // 0-based first line of a and number of lines of a
	lead, trail      int // context lines before the first and after the last change
	maxInner         int // longest run of context lines between two changes
}

var hunkHeader = regexp.MustCompile(`^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@$`)

// applyUnified applies the single-file unified diff patch to a and returns
// the result and the shape of each hunk. It rejects anything malformed:
// wrong counts, context or deleted lines that differ from a, hunks out of
// order, a "\ No newline" marker anywhere but after a file's last line.
func applyUnified(a string, patch string) (string, []hunkShape, error) {
	if patch == "" {
		return a, nil, nil
	}
	plines := splitLines(patch)
	if len(plines) < 3 || !strings.HasPrefix(plines[0], "--- ") || !strings.HasPrefix(plines[1], "+++ ") {
		return "", nil, fmt.Errorf("patch does not start with ---/+++ headers: %q", patch)
	}
	for _, l := range plines {
		if !strings.HasSuffix(l, "\n") {
			return "", nil, fmt.Errorf("patch line %q lacks a newline", l)
		}
	}
	oldLines := splitLines(a)
	var (
		out    strings.Builder
		shapes []hunkShape
		pos    int // next line of a to copy
		newPos int // lines written to out so far
	)
	p := 2
	for p < len(plines) {
		m := hunkHeader.FindStringSubmatch(strings.TrimSuffix(plines[p], "\n"))
		if m == nil {
			return "", nil, fmt.Errorf("line %d: want a hunk header, got %q", p+1, plines[p])
		}
		p++
		oldStart, oldLen := parseRange(m[1], m[2])
		newStart, newLen := parseRange(m[3], m[4])
		if oldStart < pos {
			return "", nil, fmt.Errorf("hunk at old line %d overlaps or precedes the previous one (next line %d)", oldStart+1, pos+1)
		}
		if oldStart+oldLen > len(oldLines) {
			return "", nil, fmt.Errorf("hunk -%d,%d runs past the end of a (%d lines)", oldStart+1, oldLen, len(oldLines))
		}
		for _, l := range oldLines[pos:oldStart] {
			out.WriteString(l)
			newPos++
		}
		if newStart != newPos {
			return "", nil, fmt.Errorf("hunk +%d: new start should be %d", newStart+1, newPos+1)
		}
		pos = oldStart
		shape := hunkShape{oldStart: oldStart, oldLen: oldLen}
		var (
			oldSeen, newSeen int
			run              int  // current run of context lines
			seenChange       bool // a -/+ line has been seen in this hunk
		)
		for oldSeen < oldLen || newSeen < newLen {
			if p >= len(plines) {
				return "", nil, fmt.Errorf("hunk -%d,%d +%d,%d is truncated", oldStart+1, oldLen, newStart+1, newLen)
			}
			l := plines[p]
			p++
			kind, text := l[0], l[1:]
			if kind != ' ' {
				if seenChange && run > 0 {
					shape.maxInner = max(shape.maxInner, run)
				}
				run = 0
			}
			// A following marker means this line has no newline.
			if p < len(plines) && plines[p] == noNewline {
				text = strings.TrimSuffix(text, "\n")
				p++
			}
			switch kind {
			case ' ', '-':
				if pos >= len(oldLines) || oldLines[pos] != text {
					return "", nil, fmt.Errorf("hunk line %q does not match a's line %d", l, pos+1)
				}
				if !strings.HasSuffix(text, "\n") && pos != len(oldLines)-1 {
					return "", nil, fmt.Errorf("no-newline marker on line %d, not the last", pos+1)
				}
				pos++
				oldSeen++
				if kind == ' ' {
					out.WriteString(text)
					newPos++
					newSeen++
					run++
				} else {
					seenChange = true
				}
			case '+':
				out.WriteString(text)
				newPos++
				newSeen++
				seenChange = true
			default:
				return "", nil, fmt.Errorf("unexpected hunk line %q", l)
			}
			if !seenChange {
				shape.lead = run
			}
		}
		if !seenChange {
			return "", nil, fmt.Errorf("hunk -%d has no change", oldStart+1)
		}
		shape.trail = run
		if oldSeen != oldLen || newSeen != newLen {
			return "", nil, fmt.Errorf("hunk counts -%d +%d, body -%d +%d", oldLen, newLen, oldSeen, newSeen)
		}
		shapes = append(shapes, shape)
	}
	for _, l := range oldLines[pos:] {
		out.WriteString(l)
	}
	return out.String(), shapes, nil
}

// parseRange decodes a hunk range into a 0-based start and a count.
func parseRange(start, count string) (int, int) {
	s, _ := strconv.Atoi(start)
	c := 1
	if count != "" {
		c, _ = strconv.Atoi(count)
	}
	if c == 0 {
		return s, 0 // an empty range names the line before it
	}
	return s - 1, c
}

// checkShapes verifies GNU diff -u's context and merge rules for a diff of
// a file with nA lines: each hunk has exactly `context` lines of context at
// each end unless the file ends first, hunks are separated by at least one
// line, and no run of context inside a hunk is longer than 2*context.
func checkShapes(shapes []hunkShape, nA, context int) error {
	prevEnd := -1
	for i, s := range shapes {
		if want := min(context, s.oldStart+s.lead); s.lead != want {
			return fmt.Errorf("hunk %d: %d leading context lines, want %d", i+1, s.lead, want)
		}
		end := s.oldStart + s.oldLen
		if s.trail != context && end != nA {
			return fmt.Errorf("hunk %d: %d trailing context lines, want %d", i+1, s.trail, context)
		}
		if s.trail > context || s.lead > context {
			return fmt.Errorf("hunk %d: context %d/%d exceeds %d", i+1, s.lead, s.trail, context)
		}
		if s.maxInner > 2*context {
			return fmt.Errorf("hunk %d: %d context lines between changes, want at most %d", i+1, s.maxInner, 2*context)
		}
		if prevEnd >= 0 && s.oldStart <= prevEnd {
			return fmt.Errorf("hunk %d starts at line %d, touching the previous hunk ending at %d: they should merge", i+1, s.oldStart+1, prevEnd)
		}
		prevEnd = end
	}
	return nil
}
