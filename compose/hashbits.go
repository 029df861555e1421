package compose

import (
	"unsafe"

	"go.yaml.in/yaml/v3"
)

// hashBits is a set of 64-bit hashes kept as one bit per hash prefix: it
// may answer "maybe" for a hash not added, never "no" for one added. In
// front of a map, it answers most questions about what the map lacks
// without reading the map: a map with an entry for each of a large file's
// operations does not fit the processor's cache, where a bit array a
// tenth of its size does.
type hashBits struct {
	bits  []uint64
	shift uint // 64 minus the log2 of the number of bits
}

// newHashBits returns a set sized for about n hashes: 16 bits or more per
// hash, so that about one question in sixteen about a hash not added
// answers "maybe".
func newHashBits(n int) hashBits {
	logBits := uint(10)
	for 1<<logBits < 16*n {
		logBits++
	}
	return hashBits{bits: make([]uint64, 1<<(logBits-6)), shift: 64 - logBits}
}

// add adds h and reports whether its bit was set already.
func (b *hashBits) add(h uint64) bool {
	i := h >> b.shift
	w, bit := &b.bits[i>>6], uint64(1)<<(i&63)
	had := *w&bit != 0
	*w |= bit
	return had
}

// mayHave reports whether h may have been added; false: it was not.
func (b *hashBits) mayHave(h uint64) bool {
	i := h >> b.shift
	return b.bits[i>>6]&(1<<(i&63)) != 0
}

// nodeHash hashes n's address, whose top bits hashBits reads. The address
// is only read: Go's heap objects do not move, so a node keeps its hash
// for as long as it lives.
func nodeHash(n *yaml.Node) uint64 {
	return uint64(uintptr(unsafe.Pointer(n))) * 0x9e3779b97f4a7c15
}
