package fixers

import (
	"fmt"
	"strings"
	"testing"

	"github.com/composefix/composefix/compose"
)

// TestIndexedGet checks that get and own answer from the keys indexKeys
// lists what they answer from the tree, for services that merge, are
// shared, are empty, or have keys that are not plain strings.
func TestIndexedGet(t *testing.T) {
	src := `x-base: &base
  restart: always
  image: base:1
x-r: &r "no"
x-a: &a
  image: a:1
  environment: {A: a}
x-b: &b
  <<: *base
  image: b:1
  ports: ["1:1"]
services:
  plain:
    image: redis:7
    ports: ["80:80"]
    environment: {A: b}
  merging:
    <<: *base
    image: own:1
  quoted-merge:
    "<<": {image: x}
    image: y
  shared: *base
  empty:
  odd:
    ? [a, b]
    : 1
    1: one
    image: odd:1
  aliased-value:
    image: redis:7
    restart: *r
  seq-merge:
    <<: [*a, *b]
    x: 1
  nested:
    <<: *b
    image: own:2
`
	d, err := compose.Load("compose.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	plain := services(d)
	ss := services(d)
	indexKeys(ss)
	indexed, inherited := 0, 0
	for i, s := range ss {
		if s.keys != nil {
			indexed++
		}
		if s.inherited != nil {
			inherited++
		}
		for _, key := range []string{"image", "restart", "ports", "environment", "<<", "1", "a", "x", "missing"} {
			if got, want := s.get(key), plain[i].get(key); got != want {
				t.Errorf("%s: get(%q) = %v from the index, %v from the tree", s.Name, key, got, want)
			}
			if _, want := compose.MapGet(plain[i].Node, key); s.own(key) != want {
				t.Errorf("%s: own(%q) = %v from the index, %v from the tree", s.Name, key, s.own(key), want)
			}
		}
	}
	// plain, quoted-merge, shared (an alias of a mapping that merges
	// nothing), odd and aliased-value; not merging or empty.
	if indexed != 5 {
		t.Errorf("%d services indexed, want 5", indexed)
	}
	// merging, seq-merge and nested list their effective keys.
	if inherited != 3 {
		t.Errorf("%d services list inherited keys, want 3", inherited)
	}
}

// TestEffectiveKeysBound: a merging service with more keys than
// maxInherited is left to compose.Lookup.
func TestEffectiveKeysBound(t *testing.T) {
	var b strings.Builder
	b.WriteString("x-a: &a {image: a}\nservices:\n  big:\n    <<: *a\n")
	for i := range maxInherited {
		fmt.Fprintf(&b, "    x-k%d: %d\n", i, i)
	}
	d, err := compose.Load("compose.yaml", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	ss := services(d)
	indexKeys(ss)
	if ss[0].inherited != nil {
		t.Errorf("a service of %d keys listed them", maxInherited+1)
	}
	if v := ss[0].get("image"); v == nil || v.Value != "a" {
		t.Errorf("get(image) = %v, want a", v)
	}
}

func TestIsOneShotName(t *testing.T) {
	for _, tc := range []struct {
		name string
		want bool
	}{
		{"init", true},
		{"db-migrate", true},
		{"minio-create-buckets", true},
		{"kafka_setup", true},
		{"app.init", true},
		{"DB_Migrate", true},
		{"seed--data", true},
		{"web", false},
		{"initializer", false},
		{"migrate-", true},
		{"-web-", false},
		{"", false},
	} {
		if got := isOneShotName(tc.name); got != tc.want {
			t.Errorf("isOneShotName(%q) = %v, want %v", tc.name, got, tc.want)
		}
	}
}
