package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
)

// A report's large arrays (the JSON report's findings, SARIF's results)
// are written element by element: encoding/json builds a whole document in
// memory before it writes a byte, compact and then indented again, which
// for a large file's report (180,000 findings: 165 MB of JSON) held the
// document's values, its compact encoding and its indented copy at once,
// 2.7 GB at the peak for the 8 MiB benchmark file (its run peaks at 900 MiB
// without them). The document is encoded as before with each large array
// replaced by a marker (a skeleton of a few hundred bytes), and the
// elements are encoded one at a time in the marker's place, indented as
// the whole document's encoder would have indented them: the bytes are the
// same.

// streamedArray stands for a large array in a report's skeleton: n
// elements, the i-th made by elem when it is written.
type streamedArray struct {
	id   int
	n    int
	elem func(i int) any
	// whole is set when the skeleton is encoded a second time, whole,
	// after its markers were found ambiguous (see writeStreamed).
	whole *bool
}

// streamMarker begins each marker: a NUL, which YAML does not allow and so
// no finding's text holds; writeStreamed checks anyway.
const streamMarker = "\x00composefix-stream-"

func (a *streamedArray) MarshalJSON() ([]byte, error) {
	if a.n == 0 {
		return []byte("[]"), nil
	}
	if !*a.whole {
		return json.Marshal(fmt.Sprint(streamMarker, a.id))
	}
	var b bytes.Buffer
	b.WriteByte('[')
	for i := range a.n {
		if i > 0 {
			b.WriteByte(',')
		}
		if err := encodeTo(&b, a.elem(i), "", false); err != nil {
			return nil, err
		}
	}
	b.WriteByte(']')
	return b.Bytes(), nil
}

// encodeTo appends v's encoding to b as the reports encode it (HTML
// characters as they are), indented with prefix and two spaces when
// indent is set, without Encode's final newline.
func encodeTo(b *bytes.Buffer, v any, prefix string, indent bool) error {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	if indent {
		enc.SetIndent(prefix, "  ")
	}
	if err := enc.Encode(v); err != nil {
		return err
	}
	b.Truncate(b.Len() - 1)
	return nil
}

// streamer makes the streamedArrays of one skeleton and writes it.
type streamer struct {
	arrays []*streamedArray
	whole  bool
}

// array returns the stand-in for an array of n elements made by elem.
func (s *streamer) array(n int, elem func(i int) any) *streamedArray {
	a := &streamedArray{id: len(s.arrays), n: n, elem: elem, whole: &s.whole}
	s.arrays = append(s.arrays, a)
	return a
}

// write writes skeleton to w as a json.Encoder with SetEscapeHTML(false)
// and SetIndent("", "  ") would, its arrays streamed. Should a marker not
// be found exactly once (a string of the report holding one), the
// skeleton is encoded again whole, arrays included: the same bytes, held
// in memory.
func (s *streamer) write(w io.Writer, skeleton any) error {
	if s.whole {
		return s.writeWhole(w, skeleton)
	}
	var b bytes.Buffer
	if err := encodeTo(&b, skeleton, "", true); err != nil {
		return err
	}
	skel := b.Bytes()
	type cut struct {
		start, end int
		a          *streamedArray
	}
	var cuts []cut
	quoted := func(id string) []byte {
		q, _ := json.Marshal(streamMarker + id)
		return bytes.TrimSuffix(q, []byte(`"`)) // open: the prefix of every marker
	}
	for _, a := range s.arrays {
		if a.n == 0 {
			continue
		}
		m := append(quoted(fmt.Sprint(a.id)), '"')
		i := bytes.Index(skel, m)
		if i < 0 {
			return s.writeWhole(w, skeleton)
		}
		cuts = append(cuts, cut{i, i + len(m), a})
	}
	if bytes.Count(skel, quoted("")) != len(cuts) {
		return s.writeWhole(w, skeleton)
	}
	slices.SortFunc(cuts, func(x, y cut) int { return x.start - y.start })
	bw := bufio.NewWriterSize(w, 64<<10)
	var elem bytes.Buffer
	prev := 0
	for _, c := range cuts {
		bw.Write(skel[prev:c.start])
		// The array's key begins its line: its elements are indented
		// one step more, its closing bracket as the key.
		line := skel[bytes.LastIndexByte(skel[:c.start], '\n')+1:]
		pad := string(line[:len(line)-len(bytes.TrimLeft(line, " "))])
		bw.WriteByte('[')
		// One encoder for the array: it keeps its indentation buffer
		// from one element to the next.
		enc := json.NewEncoder(&elem)
		enc.SetEscapeHTML(false)
		enc.SetIndent(pad+"  ", "  ")
		for i := range c.a.n {
			if i > 0 {
				bw.WriteByte(',')
			}
			elem.Reset()
			if err := enc.Encode(c.a.elem(i)); err != nil {
				return err
			}
			bw.WriteString("\n" + pad + "  ")
			bw.Write(elem.Bytes()[:elem.Len()-1]) // without Encode's newline
		}
		bw.WriteString("\n" + pad + "]")
		prev = c.end
	}
	bw.Write(skel[prev:])
	bw.WriteByte('\n')
	return bw.Flush()
}

// writeWhole encodes skeleton whole, its arrays with it (see write).
func (s *streamer) writeWhole(w io.Writer, skeleton any) error {
	s.whole = true
	var b bytes.Buffer
	if err := encodeTo(&b, skeleton, "", true); err != nil {
		return err
	}
	b.WriteByte('\n')
	_, err := w.Write(b.Bytes())
	return err
}
