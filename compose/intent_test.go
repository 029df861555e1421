package compose

import (
	"fmt"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// A value node that fixes share (one healthcheck for every service that
// gains it) is encoded once: an Intent holds a large file's intended tree
// in a few megabytes because of it. The same values in a node per service
// are encoded per service.
func TestIntentEncodesASharedValueOnce(t *testing.T) {
	const n = 200
	var src strings.Builder
	src.WriteString("services:\n")
	for i := range n {
		fmt.Fprintf(&src, "  s%d:\n    image: redis\n", i)
	}
	value := func() *yaml.Node {
		return Map("test", Seq(Str("CMD"), Str("true")), "interval", Str("10s"), "timeout", Str("5s"), "retries", Int("5"))
	}
	size := func(shared bool) int {
		d, err := Load("c.yaml", []byte(src.String()))
		if err != nil {
			t.Fatal(err)
		}
		_, svcs := MapGet(d.Root, "services")
		v := value()
		var ops []*Op
		for i := 1; i < len(svcs.Content); i += 2 {
			if !shared {
				v = value()
			}
			ops = append(ops, &Op{Kind: OpInsert, Target: svcs.Content[i], Key: "healthcheck", Value: v})
		}
		intent, err := Intend(d, ops)
		if err != nil {
			t.Fatal(err)
		}
		return len(intent.buf)
	}
	shared, apart := size(true), size(false)
	// The value's record: a mapping of four entries, one a sequence of two.
	if per := (apart - shared) / (n - 1); per < 20 {
		t.Errorf("a value node per service costs %d bytes more per service than one shared (%d and %d bytes): the shared one is not encoded once", per, apart, shared)
	}
}

// An Intent reads no node of the tree it was made from: the driver lets
// that tree go before it loads the output. Its fields hold none (bytes and
// strings); this checks that verifying with it after DropTree judges as
// before, through aliases, inserted values and a dangling-free tree.
func TestIntentWithoutTheTree(t *testing.T) {
	const src = "x-base: &base\n  image: a\nservices:\n  web:\n    image: w\n  api: *base\n  db: *base\n"
	d, err := Load("c.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	_, svcs := MapGet(d.Root, "services")
	_, web := MapGet(svcs, "web")
	_, base := MapGet(d.Root, "x-base")
	_, img := MapGet(base, "image")
	ops := []*Op{
		{Kind: OpInsert, Target: web, Key: "restart", Value: Str("always")},
		{Kind: OpSet, Target: img, Value: Str("b")},
	}
	intent, err := Intend(d, ops)
	if err != nil {
		t.Fatal(err)
	}
	d.DropTree()
	for _, tc := range []struct {
		out  string
		want bool
	}{
		{"x-base: &base\n  image: b\nservices:\n  web:\n    image: w\n    restart: always\n  api: *base\n  db: *base\n", true},
		// The aliases written out as copies decode alike.
		{"x-base: &base\n  image: b\nservices:\n  web:\n    image: w\n    restart: always\n  api:\n    image: b\n  db: {image: b}\n", true},
		{"x-base: &base\n  image: b\nservices:\n  web:\n    image: w\n    restart: always\n  api: *base\n  db:\n    image: a\n", false},
		{"x-base: &base\n  image: b\nservices:\n  web:\n    image: w\n  restart: always\n  api: *base\n  db: *base\n", false},
		{"x-base: &base\n  image: b\nservices:\n  web:\n    image: w\n    restart: 1\n  api: *base\n  db: *base\n", false},
	} {
		got, err := intent.VerifyLoad([]byte(tc.out))
		if tc.want && (err != nil || got == nil) {
			t.Errorf("VerifyLoad(%q) = %v; expected it to pass", tc.out, err)
		}
		if !tc.want && err != ErrNotIntended {
			t.Errorf("VerifyLoad(%q) = %v; expected ErrNotIntended", tc.out, err)
		}
	}
}

// ReloadTree gives a document whose tree was let go the same tree again,
// in new nodes, with what Load noted about it.
func TestReloadTree(t *testing.T) {
	const src = "x-base: &base\n  image: a\nservices:\n  web:\n    <<: *base\n    ports: [\"80\"]\n"
	d, err := Load("c.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	old := d.Root
	if err := d.ReloadTree(); err != nil || d.Root != old {
		t.Fatalf("ReloadTree of a tree never let go: %v, and a new tree (%v): it is to keep the tree", err, d.Root != old)
	}
	if d.TreeDropped() {
		t.Fatal("TreeDropped before DropTree")
	}
	d.DropTree()
	if d.Root != nil || d.Docs != nil || !d.TreeDropped() {
		t.Fatalf("DropTree left the tree, or TreeDropped (%v) does not say it is gone", d.TreeDropped())
	}
	if err := d.ReloadTree(); err != nil {
		t.Fatal(err)
	}
	if d.Root == nil || d.Root == old || d.TreeDropped() {
		t.Fatalf("ReloadTree gave no new tree, or TreeDropped (%v) says it is still gone", d.TreeDropped())
	}
	again := d.Root
	if err := d.ReloadTree(); err != nil || d.Root != again {
		t.Fatalf("a second ReloadTree: %v, and a new tree (%v): it is to keep the tree", err, d.Root != again)
	}
	if err := Verify(d, nil, []byte(src)); err != nil {
		t.Errorf("the reloaded tree differs from its bytes: %v", err)
	}
	if targets, ok := d.AliasTargets(); !ok || len(targets) != 1 || !d.MayMerge() {
		t.Errorf("AliasTargets = %v, %v; MayMerge = %v: want the anchor, true and true", targets, ok, d.MayMerge())
	}
	if _, web := MapGet(d.Root, "services"); d.Parent(web) != d.Root {
		t.Error("the parent index is not the reloaded tree's")
	}
}
