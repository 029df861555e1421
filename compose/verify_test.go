package compose

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestVerifyNamesTheDifference verifies edited bytes against hand-made
// operations: output that decodes to the intended tree passes (through
// aliases, set and inserted values), any other fails naming where.
func TestVerifyNamesTheDifference(t *testing.T) {
	const src = "x-base: &base\n  image: a\nservices:\n  web:\n    image: w\n    ports: [\"80\"]\n  api: *base\n"
	web := func(d *Document) *yaml.Node { _, s := MapGet(d.Root, "services"); _, w := MapGet(s, "web"); return w }
	insertRestart := func(d *Document) []*Op {
		return []*Op{{Kind: OpInsert, Target: web(d), Key: "restart", Value: Str("always")}}
	}
	setBase := func(d *Document) []*Op {
		_, b := MapGet(d.Root, "x-base")
		_, img := MapGet(b, "image")
		return []*Op{{Kind: OpSet, Target: img, Value: Str("b")}}
	}
	appendPort := func(d *Document) []*Op {
		_, p := MapGet(web(d), "ports")
		return []*Op{{Kind: OpAppend, Target: p, Value: Str("81")}}
	}
	deleteImage := func(d *Document) []*Op {
		return []*Op{{Kind: OpDelete, Target: web(d), Key: "image"}}
	}
	for _, tc := range []struct {
		name, out string
		ops       func(*Document) []*Op
		want      string // error substring; "" passes
		at, from  Pos    // the difference in the output, and the input position it came from
	}{
		{"inserted", "x-base: &base\n  image: a\nservices:\n  web:\n    image: w\n    ports: [\"80\"]\n    restart: always\n  api: *base\n", insertRestart, "", Pos{}, Pos{}},
		{"inserted at the wrong indentation", "x-base: &base\n  image: a\nservices:\n  web:\n    image: w\n    ports: [\"80\"]\n  restart: always\n  api: *base\n", insertRestart, "at .services (expected 2 keys, got 3)", Pos{7, 3}, Pos{4, 3}},
		{"inserted value differs", "x-base: &base\n  image: a\nservices:\n  web:\n    image: w\n    ports: [\"80\"]\n    restart: alway\n  api: *base\n", insertRestart, `at .services.web.restart (expected !!str "always", got !!str "alway")`, Pos{7, 14}, Pos{5, 5}},
		{"nothing inserted", src, insertRestart, "at .services.web (expected 3 keys, got 2)", Pos{5, 5}, Pos{5, 5}},
		{"anchor set, seen through the alias", "x-base: &base\n  image: b\nservices:\n  web:\n    image: w\n    ports: [\"80\"]\n  api: *base\n", setBase, "", Pos{}, Pos{}},
		{"alias replaced by a copy of the old anchor", "x-base: &base\n  image: b\nservices:\n  web:\n    image: w\n    ports: [\"80\"]\n  api:\n    image: a\n", setBase, `at .services.api.image (expected !!str "b", got !!str "a")`, Pos{8, 12}, Pos{2, 10}},
		{"appended", "x-base: &base\n  image: a\nservices:\n  web:\n    image: w\n    ports: [\"80\", \"81\"]\n  api: *base\n", appendPort, "", Pos{}, Pos{}},
		{"appended as a number", "x-base: &base\n  image: a\nservices:\n  web:\n    image: w\n    ports: [\"80\", 81]\n  api: *base\n", appendPort, `at .services.web.ports[1] (expected !!str "81", got !!int "81")`, Pos{6, 19}, Pos{6, 12}},
		{"deleted", "x-base: &base\n  image: a\nservices:\n  web:\n    ports: [\"80\"]\n  api: *base\n", deleteImage, "", Pos{}, Pos{}},
		{"the wrong key deleted", "x-base: &base\n  image: a\nservices:\n  web:\n    image: w\n  api: *base\n", deleteImage, `at .services.web.ports (key) (expected !!str "ports", got !!str "image")`, Pos{5, 5}, Pos{6, 5}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Load("c.yaml", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			err = Verify(d, tc.ops(d), []byte(tc.out))
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Verify: %v; expected it to pass", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("Verify: %v; expected an error containing %q", err, tc.want)
			case tc.want != "":
				// The first difference, in the output and in the input.
				var me *MismatchError
				if !errors.As(err, &me) || me.Path != "c.yaml" || me.Out != tc.at || me.In != tc.from {
					t.Errorf("Verify: %#v; want a *MismatchError at %s of the output, from %s of the input", err, tc.at, tc.from)
				}
				if want := fmt.Sprintf("c.yaml:%s: ", tc.from); !strings.HasPrefix(err.Error(), want) {
					t.Errorf("Verify: %q; want it to start with %q", err, want)
				}
				if want := fmt.Sprintf("at %s of the edited text", tc.at); !strings.Contains(err.Error(), want) {
					t.Errorf("Verify: %q; want it to name %q", err, want)
				}
			}
			if got := d.Src; string(got) != src {
				t.Errorf("Verify changed the input's bytes")
			}
			// Verification telling a visitor the entries it compares
			// comes to the same verdict, and tells each entry, and each
			// service with the input's, once, in order, or abandons.
			v := &recordingVisitor{}
			_, verr := VerifyLoadVisit(d, tc.ops(d), []byte(tc.out), v)
			if (verr == nil) != (err == nil) {
				t.Errorf("VerifyLoadVisit: %v; Verify: %v", verr, err)
			}
			_, svcs := MapGet(d.Root, "services")
			want := fmt.Sprintf("root entry x-base entry services service web %p service api %p", svcs.Content[1], svcs.Content[3])
			if verr != nil {
				if !v.abandoned {
					t.Errorf("VerifyLoadVisit failed (%v) and did not abandon the visit", verr)
				}
			} else if got := strings.Join(v.told, " "); v.abandoned || got != want {
				t.Errorf("VerifyLoadVisit told %q (abandoned: %v), want %q", got, v.abandoned, want)
			}
			// The encoded intended tree judges alike, without the input's
			// tree (made before it goes, as the driver makes it).
			intent, err := Intend(d, tc.ops(d))
			if err != nil {
				t.Fatalf("Intend: %v", err)
			}
			d.DropTree()
			switch _, err := intent.VerifyLoad([]byte(tc.out)); {
			case tc.want == "" && err != nil:
				t.Errorf("Intent.VerifyLoad: %v; expected it to pass", err)
			case tc.want != "" && !errors.Is(err, ErrNotIntended):
				t.Errorf("Intent.VerifyLoad: %v; expected ErrNotIntended", err)
			}
		})
	}
}

// recordingVisitor is an EntryVisitor that asks for the services and
// notes what it is told.
type recordingVisitor struct {
	told      []string
	services  *yaml.Node
	abandoned bool
}

func (v *recordingVisitor) Root(*yaml.Node) bool { v.told = append(v.told, "root"); return true }
func (v *recordingVisitor) Entry(k, _ *yaml.Node) bool {
	v.told = append(v.told, "entry", k.Value)
	return k.Value == "services"
}
func (v *recordingVisitor) InputServices(m *yaml.Node) bool { v.services = m; return true }
func (v *recordingVisitor) Service(k, _, was *yaml.Node, known bool) {
	if !known {
		was = nil
	}
	v.told = append(v.told, "service", k.Value, fmt.Sprintf("%p", was))
}
func (v *recordingVisitor) Abandon() { v.abandoned = true }

// TestVerifyLeavesTheTreeAlone: verification replays operations onto
// copies of only the nodes they change, sharing every other node with the
// document; the document's tree must come out as it went in (a later
// pass, or a kept first-pass document, reads it). A replayed operation
// that wrote into the slice it shares with the document (a delete moving
// the entries after it down, say) would change the document unseen; the
// slices get spare capacity, as appends leave it, so that nothing
// reallocates by chance.
func TestVerifyLeavesTheTreeAlone(t *testing.T) {
	const src = "x-base: &base\n  image: a\nservices:\n  web:\n    image: w\n    ports: [\"80\", \"81\", \"82\"]\n    environment:\n      A: \"1\"\n      B: \"2\"\n      C: \"3\"\n  api: *base\n"
	svc := func(d *Document, name string) *yaml.Node {
		_, s := MapGet(d.Root, "services")
		_, n := MapGet(s, name)
		return n
	}
	ops := func(d *Document) []*Op {
		web := svc(d, "web")
		_, ports := MapGet(web, "ports")
		_, env := MapGet(web, "environment")
		_, base := MapGet(d.Root, "x-base")
		_, img := MapGet(base, "image")
		return []*Op{
			{Kind: OpAppend, Target: ports, Value: Str("83")},
			{Kind: OpDelete, Target: env, Key: "A"},
			{Kind: OpInsert, Target: env, Key: "D", Value: Str("4")},
			{Kind: OpInsert, Target: web, Key: "restart", Value: Str("always")},
			{Kind: OpSet, Target: img, Value: Str("b")},
		}
	}
	const out = "x-base: &base\n  image: b\nservices:\n  web:\n    image: w\n    ports: [\"80\", \"81\", \"82\", \"83\"]\n    environment:\n      B: \"2\"\n      C: \"3\"\n      D: \"4\"\n    restart: always\n  api: *base\n"
	d, err := Load("c.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	// Spare capacity in every slice the operations touch, as appends leave.
	var grow func(n *yaml.Node)
	grow = func(n *yaml.Node) {
		n.Content = append(make([]*yaml.Node, 0, 2*len(n.Content)+4), n.Content...)
		for _, c := range n.Content {
			grow(c)
		}
	}
	grow(d.Root)
	if err := Verify(d, ops(d), []byte(out)); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	fresh, err := Load("c.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if _, same := (&comparer{in: &intended{}, explain: true}).same(fresh.Root, d.Root, ""); !same {
		p, _ := (&comparer{in: &intended{}, explain: true}).same(fresh.Root, d.Root, "")
		t.Errorf("after Verify, the document's tree differs from the file at %s", p)
	}
	if err := Verify(d, nil, []byte(src)); err != nil {
		t.Errorf("the document no longer verifies as its own file: %v", err)
	}
}

// TestCompareScalarsAsDecoded checks the comparison of scalar pairs, which
// most take a shortcut for (same tag written alike), against the rule it
// stands for: equal when the tags a decoder reads them by (decodedTag)
// are and, unless both are null, the values too.
func TestCompareScalarsAsDecoded(t *testing.T) {
	tags := []string{"!!str", "!!int", "!!null", "!!bool", "", "tag:yaml.org,2002:str", "!local"}
	values := []string{"a", "1", "", "~", "null", "true", "512M"}
	var nodes []*yaml.Node
	for _, tag := range tags {
		for _, v := range values {
			for _, style := range []yaml.Style{0, yaml.DoubleQuotedStyle} {
				nodes = append(nodes, &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: v, Style: style})
			}
		}
	}
	in := &intended{ov: map[*yaml.Node]*yaml.Node{}}
	for _, a := range nodes {
		for _, b := range nodes {
			wt, gt := decodedTag(a), decodedTag(b)
			want := wt == gt && (wt == "!!null" || a.Value == b.Value)
			if _, got := (&comparer{in: in}).compare(a, b, ""); got != want {
				t.Errorf("compare(%q %q, %q %q) = %v, want %v", a.Tag, a.Value, b.Tag, b.Value, got, want)
			}
			if _, got := (&comparer{in: in, explain: true}).same(a, b, ""); got != want {
				t.Errorf("same(%q %q, %q %q) explaining = %v, want %v", a.Tag, a.Value, b.Tag, b.Value, got, want)
			}
		}
	}
}

// TestVerifyVisitEdges checks what VerifyLoadVisit tells a visitor where
// the output's services are not the input's mapping read in place: a
// services mapping written as an alias of an equal one verifies (the
// comparison resolves aliases) but tells no service, so the visit is
// abandoned rather than left believing it saw every service; and a
// service whose key an operation renames is told without the input's
// service at its place, which has another name.
func TestVerifyVisitEdges(t *testing.T) {
	for _, tc := range []struct {
		name, src, out string
		ops            func(d *Document) []*Op
		want           string // what the visitor is told; "abandoned" when abandoned
	}{{
		name: "services written as an alias",
		src:  "x-s: &s\n  web:\n    image: a\nservices:\n  web:\n    image: a\n",
		out:  "x-s: &s\n  web:\n    image: a\nservices: *s\n",
		ops:  func(*Document) []*Op { return nil },
		want: "abandoned",
	}, {
		name: "a service renamed",
		src:  "services:\n  web:\n    image: a\n  db:\n    image: b\n",
		out:  "services:\n  front:\n    image: a\n  db:\n    image: b\n",
		ops: func(d *Document) []*Op {
			_, s := MapGet(d.Root, "services")
			return []*Op{{Kind: OpSet, Target: s.Content[0], Value: Str("front")}}
		},
		want: "root entry services service front 0x0 service db known",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Load("c.yaml", []byte(tc.src))
			if err != nil {
				t.Fatal(err)
			}
			v := &recordingVisitor{}
			if _, err := VerifyLoadVisit(d, tc.ops(d), []byte(tc.out), v); err != nil {
				t.Fatalf("VerifyLoadVisit: %v; expected it to pass", err)
			}
			got := strings.Join(v.told, " ")
			if v.abandoned {
				got = "abandoned"
			}
			_, svcs := MapGet(d.Root, "services")
			if svcs.Kind == yaml.MappingNode && len(svcs.Content) > 3 {
				got = strings.ReplaceAll(got, fmt.Sprintf("%p", svcs.Content[3]), "known")
			}
			if got != tc.want {
				t.Errorf("VerifyLoadVisit told %q, want %q", got, tc.want)
			}
		})
	}
}
