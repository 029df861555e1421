package fixers

import (
	"bytes"
	"encoding/binary"

	"github.com/composefix/composefix/compose"
	"github.com/klauspost/compress/zstd"
)

// This file parks the first pass's findings while a large file's later
// stages run: verification, which holds the input's tree and the output's
// at once, the later passes' analyses of the output's tree, and the check
// of the output against the schema. None of them reads the findings'
// messages, titles, positions or the fixes not being applied; the
// findings are read again only to record a later pass's fixes and to
// finish the run. A first pass over the 8 MiB benchmark file (100,287
// services) finds 902,582 findings, 275 MB with their fixes: parked, they
// are a few megabytes of compressed bytes. Parking and restoring are exact:
// restore gives back the findings as they were, a fix shared by findings
// still shared and edits that shared a text still sharing it.

// parkAt is the number of first-pass findings from which Run parks them.
// Below it, parking costs more time than the memory it frees is worth: a
// file of 10,000 services finds about 90,000.
const parkAt = 150_000

// parked is findings encoded and compressed (see park).
type parked struct {
	n      int
	blocks [][]byte // zstd frames, each of whole findings
	// strs holds the rule IDs and paths, by index.
	strs []string
	// rules holds each finding's rule ID, as an index into strs: what
	// lineage.appliedRules reads while the findings are parked.
	rules []uint32
	// ops holds the operations of the fixes that still have them (allowed
	// fixes that lost a conflict), by finding index: pointers into the
	// pass's tree, which stays in memory for them.
	ops map[int][]*compose.Op
}

// parkBlock is the size at which an encoded block is compressed.
const parkBlock = 1 << 20

// park encodes fs and compresses them in blocks. fs must not be used
// afterwards: its findings are what restore returns.
func park(fs []Finding) *parked {
	p := &parked{n: len(fs), rules: make([]uint32, len(fs)), ops: map[int][]*compose.Op{}}
	strIndex := map[string]uint64{}
	str := func(s string) uint64 {
		i, ok := strIndex[s]
		if !ok {
			i = uint64(len(p.strs))
			strIndex[s] = i
			p.strs = append(p.strs, s)
		}
		return i
	}
	// Texts that edits repeat are written once, then referred to by the
	// order of their first appearance: a large file's edits insert the
	// same healthcheck or logging entry in every service.
	texts := map[string]uint64{}
	// A fix already written: its finding's index. Sized for them all: a
	// map grown to hold the fixes of a large file copied itself again and
	// again, at the moment its findings take the most memory.
	fixes := make(map[*Fix]uint64, len(fs))
	buf := make([]byte, 0, parkBlock+4096)
	u := func(v uint64) { buf = binary.AppendUvarint(buf, v) }
	i64 := func(v int) { buf = binary.AppendVarint(buf, int64(v)) }
	s := func(v string) { u(uint64(len(v))); buf = append(buf, v...) }
	text := func(v string) {
		if i, ok := texts[v]; ok {
			u(i<<1 | 1)
			return
		}
		if len(v) > 0 {
			texts[v] = uint64(len(texts))
		}
		u(uint64(len(v)) << 1)
		buf = append(buf, v...)
	}
	edits := func(es []compose.Edit) {
		if es == nil {
			u(0)
			return
		}
		u(uint64(len(es)) + 1)
		for _, e := range es {
			i64(e.Start)
			i64(e.End)
			text(e.New)
		}
	}
	// zstd at its fastest: half the size of s2's blocks (14 MB for the
	// 8 MiB benchmark file's findings, against 26 MB), for 0.2 s more.
	// One block at a time, in the run's goroutine.
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1), zstd.WithWindowSize(parkBlock*2))
	if err != nil {
		panic("fixers: parking findings: " + err.Error()) // constant options: a bug
	}
	defer enc.Close()
	var scratch []byte
	flush := func() {
		// The block is copied out of scratch to its own size.
		scratch = enc.EncodeAll(buf, scratch[:0])
		p.blocks = append(p.blocks, bytes.Clone(scratch))
		buf = buf[:0]
	}
	for i := range fs {
		f := &fs[i]
		r := str(f.RuleID)
		p.rules[i] = uint32(r)
		u(r)
		u(str(f.Path))
		i64(int(f.Severity))
		i64(f.Span.Start)
		i64(f.Span.End)
		i64(f.Pos.Line)
		i64(f.Pos.Col)
		i64(f.End.Line)
		i64(f.End.Col)
		s(f.Message)
		flags := uint64(0)
		if f.Applied {
			flags |= 1
		}
		switch j, shared := fixes[f.Fix]; {
		case f.Fix == nil:
			u(flags)
		case shared:
			u(flags | 4)
			u(j)
		default:
			fixes[f.Fix] = uint64(i)
			u(flags | 2)
			x := f.Fix
			s(x.Title)
			i64(int(x.Safety))
			edits(x.Change.Edits)
			edits(x.Needs)
			if len(x.Change.Ops) > 0 {
				p.ops[i] = x.Change.Ops
			}
		}
		if len(buf) >= parkBlock {
			flush()
		}
	}
	if len(buf) > 0 {
		flush()
	}
	return p
}

// ruleOf returns the rule ID of finding i.
func (p *parked) ruleOf(i int) string { return p.strs[p.rules[i]] }

// restore decodes the findings park encoded.
func (p *parked) restore() []Finding {
	fs := make([]Finding, p.n)
	var texts []string
	var buf []byte
	u := func() uint64 {
		v, n := binary.Uvarint(buf)
		buf = buf[n:]
		return v
	}
	i64 := func() int {
		v, n := binary.Varint(buf)
		buf = buf[n:]
		return int(v)
	}
	s := func() string {
		n := u()
		v := string(buf[:n])
		buf = buf[n:]
		return v
	}
	text := func() string {
		v := u()
		if v&1 == 1 {
			return texts[v>>1]
		}
		n := v >> 1
		t := string(buf[:n])
		buf = buf[n:]
		if n > 0 {
			texts = append(texts, t)
		}
		return t
	}
	edits := func() []compose.Edit {
		n := u()
		if n == 0 {
			return nil
		}
		es := make([]compose.Edit, n-1)
		for k := range es {
			es[k].Start = i64()
			es[k].End = i64()
			es[k].New = text()
		}
		return es
	}
	dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1))
	if err != nil {
		panic("fixers: parked findings: " + err.Error()) // constant options: a bug
	}
	defer dec.Close()
	var scratch []byte
	i := 0
	for _, b := range p.blocks {
		if buf, err = dec.DecodeAll(b, scratch[:0]); err != nil {
			panic("fixers: parked findings: " + err.Error()) // written by park: a bug
		}
		scratch = buf
		for ; len(buf) > 0; i++ {
			f := &fs[i]
			f.RuleID = p.strs[u()]
			f.Path = p.strs[u()]
			f.Severity = Severity(i64())
			f.Span.Start = i64()
			f.Span.End = i64()
			f.Pos.Line = i64()
			f.Pos.Col = i64()
			f.End.Line = i64()
			f.End.Col = i64()
			f.Message = s()
			flags := u()
			f.Applied = flags&1 != 0
			switch {
			case flags&4 != 0:
				f.Fix = fs[u()].Fix
			case flags&2 != 0:
				x := &Fix{Title: s(), Safety: Safety(i64())}
				x.Change.Edits = edits()
				x.Needs = edits()
				x.Change.Ops = p.ops[i]
				f.Fix = x
			}
		}
	}
	return fs
}
