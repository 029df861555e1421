package composeschema

import "testing"

// TestSchemaMeetsItsMetaSchema compiles the compose schema under an
// ordinary name, where the compiler checks it against the draft's
// meta-schema, as compile (which skips that check) cannot.
func TestSchemaMeetsItsMetaSchema(t *testing.T) {
	if _, err := compileAs("compose-spec.json"); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkCompile is what the first check of a run pays.
func BenchmarkCompile(b *testing.B) {
	for b.Loop() {
		if _, _, err := compile(); err != nil {
			b.Fatal(err)
		}
	}
}
