package compose

import (
	"fmt"
	"strconv"
	"testing"
)

// BenchmarkApplyInsertionsAtOneOffset applies k distinct insertions at one
// offset, each one a duplicate candidate of every earlier one: the time per
// insertion stays flat from 1,000 to 10,000 when finding duplicates is
// linear.
func BenchmarkApplyInsertionsAtOneOffset(b *testing.B) {
	src := []byte("services:\n  web:\n    ports:\n")
	for _, k := range []int{1000, 10000} {
		edits := make([]Edit, k)
		for i := range edits {
			edits[i] = Edit{len(src), len(src), "      - \"" + strconv.Itoa(i) + "\"\n"}
		}
		b.Run(fmt.Sprint(k), func(b *testing.B) {
			for range b.N {
				if _, err := Apply(src, edits); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*k), "ns/insertion")
		})
	}
}
