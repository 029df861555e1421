package composeschema

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

// TestValueIsDecode: the document the validators judge (tree.value, which
// the differential test's reference reads too) is the one yaml.v3's own
// decoder makes, merge keys and aliases resolved by yaml.v3, over the
// corpus and the repository's test data. Scalars are compared by
// TestScalarIsDecode; here the shape: keys, merges, aliases, lists.
func TestValueIsDecode(t *testing.T) {
	compared := 0
	for _, d := range testDocuments(t) {
		var root yaml.Node
		if yaml.Unmarshal(d.bytes, &root) != nil || len(root.Content) == 0 || strings.Contains(string(d.bytes), "!reset") || strings.Contains(string(d.bytes), "!override") {
			continue // compose's own tags: yaml.v3 does not drop !reset values
		}
		var decoded any
		if err := root.Content[0].Decode(&decoded); err != nil {
			continue // a repeated key: compose.Load refuses the file
		}
		compared++
		got := (&tree{}).value(root.Content[0], nil, 0)
		if diff := cmp.Diff(normalDecoded(decoded), got); diff != "" {
			t.Errorf("%s: tree.value differs from yaml.v3's decoding (-decoded +value):\n%s", d.name, diff)
		}
	}
	t.Logf("%d documents compared", compared)
	if compared < 50 {
		t.Errorf("only %d documents compared", compared)
	}
}

// normalDecoded writes yaml.v3's decoding as tree.value types it: string
// keys, int64 integers, "$$" read as "$" (compose's interpolation).
func normalDecoded(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = normalDecoded(x)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[fmt.Sprint(k)] = normalDecoded(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = normalDecoded(x)
		}
		return out
	case int:
		return int64(v)
	case string:
		return strings.ReplaceAll(v, "$$", "$")
	}
	return v
}
