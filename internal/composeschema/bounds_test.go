package composeschema

import (
	"fmt"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestBoundsAsSanthosh: the schema's numeric bounds (cpu_percent 0 to 100,
// oom_score_adj -1000 to 1000, umask 0 to 4294967295) judged as santhosh
// judges them, at, inside and past each end, as integers, floats and
// strings. TestSameErrorsAsSanthosh's mutations seldom land on these keys,
// and never past a maximum.
func TestBoundsAsSanthosh(t *testing.T) {
	ref := santhoshValidator(t)
	c, err := compileTable(&spec)
	if err != nil {
		t.Fatal(err)
	}
	values := map[string][]string{
		"cpu_percent":   {"0", "100", "101", "-1", "100.0", "100.5", "1e2", "1e3", "'101'", "0x65"},
		"oom_score_adj": {"1000", "1001", "-1000", "-1001", "1000.0", "1001.0", "-1000.5", "0x3e9"},
		"umask":         {"0", "4294967295", "4294967296", "-1", "4294967295.0", "4294967296.0", "1.5", "'022'", "null", "0o777", "9223372036854775807", "18446744073709551616"},
	}
	violations := 0
	for key, vs := range values {
		for _, v := range vs {
			src := fmt.Sprintf("services:\n  web:\n    image: nginx\n    %s: %s\n", key, v)
			var root yaml.Node
			if err := yaml.Unmarshal([]byte(src), &root); err != nil {
				t.Fatal(err)
			}
			if !sameChecks(t, c, ref, &root, key+": "+v) {
				violations++
			}
		}
	}
	if violations < 10 {
		t.Errorf("only %d of the documents break a bound: the test proves little", violations)
	}
}
