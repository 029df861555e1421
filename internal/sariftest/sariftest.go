package sariftest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/composefix/composefix/internal/golden"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Schema compiles the schema under the URL SARIF documents name in their
// "$schema", or skips the test when ../shared is absent (and fails when
// ../shared is present without the schema, which would pass silently).
func Schema(t testing.TB, url string) *jsonschema.Schema {
	t.Helper()
	path := filepath.Join(golden.SharedDir(t), "schemas", "sarif-schema-2.1.0.json")
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("../shared is present but its SARIF schema is not: %v", err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("reading %s: %v", path, err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(url, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(url)
	if err != nil {
		t.Fatalf("compiling the SARIF schema: %v", err)
	}
	return sch
}
