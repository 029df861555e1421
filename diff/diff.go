package diff

import (
	"bytes"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// ANSI SGR sequences used with WithColor(true); the same choice as git's
// defaults (bold meta lines, cyan hunk headers, red deletions, green
// insertions).
const (
	sgrBold  = "\x1b[1m"
	sgrCyan  = "\x1b[36m"
	sgrRed   = "\x1b[31m"
	sgrGreen = "\x1b[32m"
	sgrReset = "\x1b[m"
)

// noNewline is the marker GNU diff and git print after a line that ends
// its file without a newline.
const noNewline = "\\ No newline at end of file\n"

// Option configures Unified.
type Option func(*options)

type options struct {
	color   bool
	context int // unchanged lines shown around each change, >= 0
	// startsA and startsB are the texts' line starts, from
	// WithLineStarts; nil: found here.
	startsA, startsB []int
}

// defaultOptions holds every default in one place.
func defaultOptions() options {
	return options{color: false, context: 3}
}

// WithColor turns ANSI colour on or off: bold file headers, cyan hunk
// headers, red deleted and green inserted lines. The default is off; the
// caller decides (terminal, NO_COLOR, --no-color), not this package.
func WithColor(on bool) Option {
	return func(o *options) { o.color = on }
}

// WithContext sets how many unchanged lines surround each change. The
// default is 3, as in diff -u and git diff; a negative value means 0.
func WithContext(lines int) Option {
	return func(o *options) { o.context = max(lines, 0) }
}

// WithLineStarts gives Edited the byte offsets where the lines of a and
// of b start, as a caller that has read them may have them already: each
// line's start, in order, the first 0, then the text's length (for a text
// that ends with a line break, the start of the empty line after it). A
// text's offsets that do not fit it so, such as those of a text without a
// final line break, are found again.
func WithLineStarts(a, b []int) Option {
	return func(o *options) { o.startsA, o.startsB = a, b }
}

// Unified returns a unified diff turning a into b for the file at path, with
// 3 lines of context, headers "--- a/PATH" and "+++ b/PATH"; "" when a and b
// are equal.
//
// The output is what `git diff` prints for the same change, without the
// "diff --git" and "index" lines, so that both `git apply` and `patch -p1`
// accept it from the directory path is relative to:
//
//   - path is cleaned (a leading "./" and doubled slashes disappear) and
//     one leading "/" of an absolute path is dropped, as git diff --no-index
//     does: "/srv/compose.yaml" becomes "a/srv/compose.yaml".
//   - a name with a control character, '"', '\\' or a non-ASCII byte is
//     C-quoted with octal escapes ("a/caf\303\251.yaml"), and a header whose
//     name contains a space ends with a tab, both as git does.
//   - lines are compared as bytes including their terminator, so a CRLF file
//     keeps its "\r" in every line of the diff, and a last line without a
//     newline is followed by "\ No newline at end of file".
//   - hunks whose contexts touch or overlap are merged, as in GNU diff -u.
//   - line content is printed as it is, with or without colour: a file's own
//     control characters or escape sequences reach the output unchanged.
//
// An empty a or b is an ordinary file with no lines ("@@ -0,0 +1,2 @@"); the
// headers never use /dev/null, because composefix never creates or deletes
// a file.
func Unified(path string, a, b []byte, opts ...Option) string {
	if bytes.Equal(a, b) {
		return ""
	}
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	linesA, linesB := newLines(a), newLines(b)
	changes := lineChanges(linesA, linesB)
	return render(path, &o, changes, linesA, linesB)
}

// render writes the headers and the hunks of changes.
func render(path string, o *options, changes []change, linesA, linesB lines) string {
	var sb strings.Builder
	sb.Grow(renderSize(path, o, changes, linesA, linesB))
	name := headerName(path)
	writeHeader(&sb, o, "--- ", "a/", name)
	writeHeader(&sb, o, "+++ ", "b/", name)
	for len(changes) > 0 {
		n := hunkLen(changes, o.context)
		writeHunk(&sb, o, changes[:n], linesA, linesB)
		changes = changes[n:]
	}
	return sb.String()
}

// renderSize is at least the bytes render writes, and little more: a
// diff of a large file is megabytes, and growing the builder to that
// size copied it again and again.
func renderSize(path string, o *options, changes []change, linesA, linesB lines) int {
	// Per line: its prefix and newline, its colour, and room for a
	// missing newline's marker.
	perLine := 2
	if o.color {
		perLine += len(sgrGreen) + len(sgrReset)
	}
	// Headers, with room for every byte of the name C-quoted, and for the
	// "\ No newline" markers of both files' last lines.
	n := 2*(32+4*len(path)) + 2*len(noNewline)
	// A hunk's header: "@@ -s,c +s,c @@\n", each number at most as long
	// as the longer file's line count plus one, in colour or not.
	digits := len(strconv.Itoa(max(linesA.n(), linesB.n()) + 1))
	head := 10 + 2*(2*digits+1) + len(sgrCyan) + len(sgrReset)
	for len(changes) > 0 {
		k := hunkLen(changes, o.context)
		lead, trail := hunkContext(changes[:k], o.context, linesA.n())
		startA, endA := changes[0].A-lead, changes[k-1].A+changes[k-1].Del+trail
		// The hunk prints a's lines [startA, endA) as context or deleted,
		// then each change's inserted lines of b, and its header.
		n += head + len(linesA.span(startA, endA)) + (endA-startA)*perLine
		for _, c := range changes[:k] {
			n += len(linesB.span(c.B, c.B+c.Ins)) + c.Ins*perLine
		}
		changes = changes[k:]
	}
	return n
}

// change is one run of deleted lines a[A:A+Del] replaced by inserted lines
// b[B:B+Ins], with line indexes counted from 0. Changes are sorted and
// separated by at least one unchanged line.
type change struct {
	A, Del, B, Ins int
}

// lines is a text split after each "\n", held as the offsets of its
// lines rather than as strings, so that no line is copied: only the lines
// a diff prints are read, straight from the text. The last line lacks a
// newline when the text does not end with one: the split diffmatchpatch's
// line mode uses.
type lines struct {
	text []byte
	// starts holds the offset of each line, then len(text).
	starts []int
}

func newLines(text []byte) lines {
	l := lines{text: text, starts: make([]int, 0, bytes.Count(text, []byte{'\n'})+2)}
	for at := 0; at < len(text); {
		l.starts = append(l.starts, at)
		i := bytes.IndexByte(text[at:], '\n')
		if i < 0 {
			break
		}
		at += i + 1
	}
	l.starts = append(l.starts, len(text))
	return l
}

// linesOf is newLines of text, with starts as its offsets when they fit
// it (see WithLineStarts).
func linesOf(text []byte, starts []int) lines {
	if n := len(starts); n == 0 || starts[0] != 0 || starts[n-1] != len(text) ||
		len(text) > 0 && text[len(text)-1] != '\n' || n != bytes.Count(text, []byte{'\n'})+1 {
		return newLines(text)
	}
	return lines{text: text, starts: starts}
}

// n is the number of lines.
func (l lines) n() int { return len(l.starts) - 1 }

// sub returns lines [i, j) as lines of their own, numbered from 0.
func (l lines) sub(i, j int) lines { return lines{text: l.text, starts: l.starts[i : j+1]} }

// span returns lines [i, j) as they are written, terminators included.
func (l lines) span(i, j int) []byte { return l.text[l.starts[i]:l.starts[j]] }

// lineChanges diffs a and b line by line and returns the changes, deletions
// before insertions within each.
func lineChanges(a, b lines) []change {
	if c, ok := oneRun(a, b); ok {
		return c
	}
	return dmpChanges(string(a.span(0, a.n())), string(b.span(0, b.n())), a.n(), b.n())
}

// oneRun is lineChanges when, past the lines a and b begin and end with
// alike, only one side has lines left: one run of lines inserted or
// deleted, what most fixes make; or both have a few lines left and none
// of them alike: one run replaced. It places the run where diffmatchpatch
// does, without building its line table: between the lines alike, or at
// the first line when the run ends with the lines before it and lines
// follow it (diffmatchpatch's sideways shift; its shift the other way
// cannot happen here, since the run would then start with the line that
// follows it, which the common beginning would have taken).
// TestOneRunIsDiffmatchpatch holds it to diffmatchpatch. ok is false when
// both sides have lines left, some alike or too many to compare.
func oneRun(a, b lines) (c []change, ok bool) {
	nA, nB := a.n(), b.n()
	same := func(i, j int) bool { return bytes.Equal(a.span(i, i+1), b.span(j, j+1)) }
	pre := 0
	for pre < nA && pre < nB && same(pre, pre) {
		pre++
	}
	suf := 0
	for suf < nA-pre && suf < nB-pre && same(nA-1-suf, nB-1-suf) {
		suf++
	}
	delA, insB := nA-pre-suf, nB-pre-suf
	switch {
	case delA == 0 && insB == 0:
		return nil, true
	case delA > 0 && insB > 0:
		// Lines replaced by others, none of them alike (a fix rewriting a
		// value): diffmatchpatch finds nothing in common between the two
		// runs and, with no single edit to shift, deletes one and inserts
		// the other right there. Runs that share a line, or too long to
		// compare pairwise, are its to align.
		if delA*insB > 64 {
			return nil, false
		}
		for i := pre; i < pre+delA; i++ {
			for j := pre; j < pre+insB; j++ {
				if same(i, j) {
					return nil, false
				}
			}
		}
		return []change{{A: pre, Del: delA, B: pre, Ins: insB}}, true
	}
	// The run is x's lines [pre, pre+k); y has none there.
	x, k := b, insB
	if delA > 0 {
		x, k = a, delA
	}
	at := pre
	if pre > 0 && suf > 0 && k >= pre && bytes.Equal(x.span(k, pre+k), x.span(0, pre)) {
		at = 0
	}
	if delA > 0 {
		return []change{{A: at, Del: k, B: at}}, true
	}
	return []change{{A: at, B: at, Ins: k}}, true
}

// dmpChanges diffs texts a and b of nA and nB lines with diffmatchpatch.
func dmpChanges(a, b string, nA, nB int) []change {
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0 // no deadline: the same input always gives the same diff
	runesA, runesB, _ := dmp.DiffLinesToRunes(a, b)
	if len(runesA) != nA || len(runesB) != nB {
		// Both sides split on "\n" the same way; a mismatch is a bug here.
		panic("diff: line split disagrees with diffmatchpatch")
	}
	var (
		changes []change
		cur     = change{A: -1}
		i, j    int // next line of a and of b
	)
	flush := func() {
		if cur.A >= 0 {
			changes = append(changes, cur)
			cur = change{A: -1}
		}
	}
	for _, d := range dmp.DiffMainRunes(runesA, runesB, false) {
		// Each rune of d.Text stands for one line.
		n := utf8.RuneCountInString(d.Text)
		if d.Type == diffmatchpatch.DiffEqual {
			flush()
			i += n
			j += n
			continue
		}
		if cur.A < 0 {
			cur = change{A: i, B: j}
		}
		if d.Type == diffmatchpatch.DiffDelete {
			cur.Del += n
			i += n
		} else {
			cur.Ins += n
			j += n
		}
	}
	flush()
	if i != nA || j != nB {
		panic("diff: diffmatchpatch result does not cover both texts")
	}
	return changes
}

// hunkLen returns how many of changes form the next hunk: a change joins the
// hunk while at most 2*context unchanged lines separate it from the previous
// one, so that their contexts would touch or overlap (GNU diff's rule).
func hunkLen(changes []change, context int) int {
	n := 1
	for n < len(changes) {
		prev := changes[n-1]
		if changes[n].A-(prev.A+prev.Del) > 2*context {
			break
		}
		n++
	}
	return n
}

// hunkContext returns how many unchanged lines the hunk of changes shows
// before its first change and after its last (the same in both files), in
// a file a of nA lines; writeHunk and renderSize agree through it.
func hunkContext(changes []change, context, nA int) (lead, trail int) {
	last := changes[len(changes)-1]
	return min(context, changes[0].A), min(context, nA-(last.A+last.Del))
}

// writeHunk writes one hunk: its header, then context, deleted and inserted
// lines.
func writeHunk(sb *strings.Builder, o *options, changes []change, linesA, linesB lines) {
	first, last := changes[0], changes[len(changes)-1]
	lead, trail := hunkContext(changes, o.context, linesA.n())
	startA, endA := first.A-lead, last.A+last.Del+trail
	startB, endB := first.B-lead, last.B+last.Ins+trail

	if o.color {
		sb.WriteString(sgrCyan)
	}
	sb.WriteString("@@ -")
	writeRange(sb, startA, endA-startA)
	sb.WriteString(" +")
	writeRange(sb, startB, endB-startB)
	sb.WriteString(" @@")
	if o.color {
		sb.WriteString(sgrReset)
	}
	sb.WriteByte('\n')

	pos := startA
	for _, c := range changes {
		writeLines(sb, o, ' ', linesA, pos, c.A)
		writeLines(sb, o, '-', linesA, c.A, c.A+c.Del)
		writeLines(sb, o, '+', linesB, c.B, c.B+c.Ins)
		pos = c.A + c.Del
	}
	writeLines(sb, o, ' ', linesA, pos, endA)
}

// writeRange writes a hunk range "start,count" with start 1-based. As in
// GNU diff, ",1" is left out, and an empty range names the line before it
// (0 at the top of the file).
func writeRange(sb *strings.Builder, start, count int) {
	if count == 0 {
		sb.WriteString(strconv.Itoa(start))
		sb.WriteString(",0")
		return
	}
	sb.WriteString(strconv.Itoa(start + 1))
	if count != 1 {
		sb.WriteByte(',')
		sb.WriteString(strconv.Itoa(count))
	}
}

// writeLines writes lines [i, j) of ls with the given prefix; a line
// without a final newline (the file's last) gets one plus the "\ No
// newline" marker.
func writeLines(sb *strings.Builder, o *options, prefix byte, ls lines, i, j int) {
	color := ""
	if o.color {
		switch prefix {
		case '-':
			color = sgrRed
		case '+':
			color = sgrGreen
		}
	}
	for k := i; k < j; k++ {
		text, hasNL := bytes.CutSuffix(ls.span(k, k+1), []byte{'\n'})
		sb.WriteString(color)
		sb.WriteByte(prefix)
		sb.Write(text)
		if color != "" {
			sb.WriteString(sgrReset)
		}
		sb.WriteByte('\n')
		if !hasNL {
			sb.WriteString(noNewline)
		}
	}
}

// writeHeader writes a "--- " or "+++ " line for name.
func writeHeader(sb *strings.Builder, o *options, marker, prefix, name string) {
	if o.color {
		sb.WriteString(sgrBold)
	}
	sb.WriteString(marker)
	sb.WriteString(quoteName(prefix + name))
	if o.color {
		sb.WriteString(sgrReset)
	}
	if strings.ContainsRune(name, ' ') {
		// GNU patch reads a name up to a tab; git does the same for names
		// with a space.
		sb.WriteByte('\t')
	}
	sb.WriteByte('\n')
}

// headerName turns the caller's path into the name used after "a/" and
// "b/": cleaned, with forward slashes, and without one leading "/".
func headerName(p string) string {
	p = path.Clean(filepath.ToSlash(p))
	return strings.TrimPrefix(p, "/")
}

// quoteName C-quotes s the way git does (core.quotePath=true) when it holds
// a byte patch tools cannot take literally, and returns it unchanged
// otherwise.
func quoteName(s string) string {
	needs := false
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			needs = true
			break
		}
	}
	if !needs {
		return s
	}
	var sb strings.Builder
	sb.Grow(len(s) + 8)
	sb.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\a':
			sb.WriteString(`\a`)
		case '\b':
			sb.WriteString(`\b`)
		case '\t':
			sb.WriteString(`\t`)
		case '\n':
			sb.WriteString(`\n`)
		case '\v':
			sb.WriteString(`\v`)
		case '\f':
			sb.WriteString(`\f`)
		case '\r':
			sb.WriteString(`\r`)
		case '"':
			sb.WriteString(`\"`)
		case '\\':
			sb.WriteString(`\\`)
		default:
			if c < 0x20 || c >= 0x7f {
				sb.WriteByte('\\')
				sb.WriteByte('0' + c>>6)
				sb.WriteByte('0' + c>>3&7)
				sb.WriteByte('0' + c&7)
			} else {
				sb.WriteByte(c)
			}
		}
	}
	sb.WriteByte('"')
	return sb.String()
}
