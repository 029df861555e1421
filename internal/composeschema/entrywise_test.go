package composeschema

import (
	"testing"

	"github.com/composefix/composefix/compose"
	"go.yaml.in/yaml/v3"
)

// TestEntrywiseFedByVerification feeds Entrywise as the driver does, from
// compose.VerifyLoadVisit comparing an edited file with the intended
// tree, and requires its verdict to be CheckFrom's on the same output.
// Each case's edit changes a node that the comparison reads through the
// intended tree but that is not the input's services mapping itself, such
// as a service's key renamed in place: the services then keep their
// places, and the input's value at a service's place is not the input's
// service of the output's name.
func TestEntrywiseFedByVerification(t *testing.T) {
	tests := []struct {
		name, src string
		// edit returns the operation on the input's tree.
		edit func(d *compose.Document) (compose.Change, error)
	}{{
		name: "a service renamed to a name the schema refuses",
		src:  "services:\n  web:\n    image: redis\n  db:\n    image: postgres\n",
		edit: func(d *compose.Document) (compose.Change, error) {
			return d.SetScalar(serviceKey(t, d, "web"), "we b")
		},
	}, {
		name: "a service renamed to a name the schema takes",
		src:  "services:\n  web:\n    image: redis\n  db:\n    image: postgres\n",
		edit: func(d *compose.Document) (compose.Change, error) {
			return d.SetScalar(serviceKey(t, d, "web"), "front")
		},
	}, {
		name: "a value the schema refuses in a service",
		src:  "services:\n  web:\n    image: redis\n    restart: always\n",
		edit: func(d *compose.Document) (compose.Change, error) {
			_, svc := compose.MapGet(d.Root, "services")
			_, web := compose.MapGet(svc, "web")
			return d.InsertKey(web, "privileged", compose.Str("maybe"))
		},
	}, {
		name: "a top-level key the schema refuses",
		src:  "services:\n  web:\n    image: redis\n",
		edit: func(d *compose.Document) (compose.Change, error) {
			return d.InsertKey(d.Root, "bogus", compose.Str("x"))
		},
	}, {
		name: "an extension renamed to a key the schema refuses",
		src:  "x-common: &c\n  image: redis\nservices:\n  web:\n    image: redis\n",
		edit: func(d *compose.Document) (compose.Change, error) {
			return d.SetScalar(d.Root.Content[0], "common")
		},
	}}
	s := &Schema{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := compose.Load("in.yaml", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			base, err := s.CheckFrom(nil, in.Root)
			if err != nil || len(base.Violations) > 0 {
				t.Fatalf("the input must meet the schema: %v %v", err, base.Violations)
			}
			ch, err := tt.edit(in)
			if err != nil {
				t.Fatal(err)
			}
			if _, verified := checkFedByVerification(t, s, base, in, ch); !verified {
				t.Fatal("verification refused the output")
			}
		})
	}
}

// serviceKey returns the key node of d's service name.
func serviceKey(t *testing.T, d *compose.Document, name string) *yaml.Node {
	t.Helper()
	_, svcs := compose.MapGet(d.Root, "services")
	for i := 0; i+1 < len(svcs.Content); i += 2 {
		if svcs.Content[i].Value == name {
			return svcs.Content[i]
		}
	}
	t.Fatalf("no service %q", name)
	return nil
}

// TestEntrywiseAsVerificationFeedsIt is TestEntrywiseFedByVerification
// over the corpus and the test data: each valid document gets one
// operation at a time (a scalar set, keys and service names included, to
// a value the schema may refuse; a key inserted into a mapping; a key
// deleted), and where verification accepts the output, Entrywise fed by
// it must pass only what CheckFrom passes, with CheckFrom's violations.
func TestEntrywiseAsVerificationFeedsIt(t *testing.T) {
	s := &Schema{}
	values := []string{"we b", "bad name!", "7", "front", "x-y"}
	perDoc := 20
	if testing.Short() {
		perDoc = 8
	}
	var fed, failed, docs int
	for _, src := range testDocuments(t) {
		in, err := compose.Load(src.name, src.bytes)
		if err != nil || in.Root == nil {
			continue
		}
		base, err := s.CheckFrom(nil, in.Root)
		if err != nil || len(base.Violations) > 0 || base.valid == nil {
			continue
		}
		docs++
		var nodes []*yaml.Node
		var walk func(n *yaml.Node)
		walk = func(n *yaml.Node) {
			if n == nil || n.Kind == yaml.AliasNode {
				return
			}
			nodes = append(nodes, n)
			for _, c := range n.Content {
				walk(c)
			}
		}
		walk(in.Root)
		step := max(1, len(nodes)/perDoc)
		for i := 0; i < len(nodes); i += step {
			n := nodes[i]
			var changes []compose.Change
			switch n.Kind {
			case yaml.ScalarNode:
				for _, v := range values {
					if ch, err := in.SetScalar(n, v); err == nil {
						changes = append(changes, ch)
					}
				}
			case yaml.MappingNode:
				if ch, err := in.InsertKey(n, "privileged", compose.Str("maybe")); err == nil {
					changes = append(changes, ch)
				}
				if len(n.Content) >= 2 && n.Content[0].Kind == yaml.ScalarNode {
					if ch, err := in.DeleteKey(n, n.Content[0].Value); err == nil {
						changes = append(changes, ch)
					}
				}
			}
			for _, ch := range changes {
				// Where verification refuses the output, there is nothing
				// to check.
				switch passed, verified := checkFedByVerification(t, s, base, in, ch); {
				case passed:
					fed++
				case verified:
					failed++
				}
			}
		}
	}
	t.Logf("%d valid documents; %d outputs passed entry by entry, %d left to CheckFrom", docs, fed, failed)
	if fed == 0 || failed == 0 {
		t.Errorf("Entrywise passed %d outputs and left %d: it must do both for the comparison to prove anything", fed, failed)
	}
}

// checkFedByVerification applies ch to in, verifies the output feeding
// Entrywise as the driver does, and fails t unless Entrywise, when it
// passes the output, agrees with CheckFrom. passed: Entrywise passed it;
// verified: verification accepted the output.
func checkFedByVerification(t *testing.T, s *Schema, base *Checked, in *compose.Document, ch compose.Change) (passed, verified bool) {
	t.Helper()
	out, err := compose.Apply(in.Src, ch.Edits)
	if err != nil {
		return false, false
	}
	e := s.Entrywise(base)
	if e == nil {
		t.Fatal("Entrywise(base) = nil for a valid input")
	}
	got, err := compose.VerifyLoadVisit(in, ch.Ops, out, e)
	if err != nil {
		return false, false
	}
	want, err := s.CheckFrom(base, got.Root)
	if err != nil {
		t.Fatal(err)
	}
	c, ok := e.Checked(got.Root)
	if ok && (want.valid == nil || len(c.Violations) != len(want.Violations)) {
		t.Errorf("%s: output %q: checked entry by entry: valid with %d violations; CheckFrom: %d violations, valid %v",
			in.Path, out, len(c.Violations), len(want.Violations), want.valid != nil)
	}
	return ok, true
}
