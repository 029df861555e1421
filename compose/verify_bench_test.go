package compose_test

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/composefix/composefix/compose"
)

// BenchmarkVerifyKeysIntoOneMapping verifies k distinct keys inserted into
// one mapping: finding duplicate operations compares an insertion only
// with earlier ones of the same key, so the time per key stays flat from
// 1,000 to 10,000 (it grew with k when operations were chained by target
// alone).
func BenchmarkVerifyKeysIntoOneMapping(b *testing.B) {
	for _, k := range []int{1000, 10000} {
		b.Run(fmt.Sprint(k), func(b *testing.B) {
			d, err := compose.Load("compose.yaml", []byte("services:\n  web:\n    environment:\n      A: \"1\"\n"))
			if err != nil {
				b.Fatal(err)
			}
			_, services := compose.MapGet(d.Root, "services")
			_, web := compose.MapGet(services, "web")
			_, env := compose.MapGet(web, "environment")
			var all compose.Change
			for i := range k {
				ch, err := d.InsertKey(env, "K"+strconv.Itoa(i), compose.Str("v"))
				if err != nil {
					b.Fatal(err)
				}
				all.Add(ch)
			}
			out, err := compose.Apply(d.Src, all.Edits)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if err := compose.Verify(d, all.Ops, out); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*k), "ns/key")
		})
	}
}
