package compose_test

import (
	"fmt"

	"github.com/composefix/composefix/compose"
)

// verify is compose.Verify, checked against an Intent of the same tree
// and operations (compose.Intend), which the driver verifies a large
// file with: the two must judge every output alike. A disagreement
// panics, failing the test that verified, whatever it expected.
func verify(d *compose.Document, ops []*compose.Op, out []byte) error {
	err := compose.Verify(d, ops, out)
	intent, ierr := compose.Intend(d, ops)
	if ierr == nil {
		_, ierr = intent.VerifyLoad(out)
	}
	if (err == nil) != (ierr == nil) {
		panic(fmt.Sprintf("Verify says %v, the Intent %v\ninput:\n%s\noutput:\n%s", err, ierr, d.Src, out))
	}
	return err
}
