package fixers

import (
	"errors"
	"strings"
	"testing"

	"github.com/composefix/composefix/compose"
)

// TestSchemaFindings reports each violation of the compose schema as an
// error at its key or value.
func TestSchemaFindings(t *testing.T) {
	src := "services:\n  web:\n    imagee: nginx\n    image: nginx:1.27.3\n    restart: sometimes\n    ports: 8080\n"
	res, err := runOn(t, src, Options{Rules: []*Rule{schemaRule()}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range res.Findings {
		got = append(got, f.Pos.String()+" "+f.Severity.String()+" "+f.Message)
	}
	want := []string{
		`3:5 error services.web: unknown key "imagee"`,
		`5:14 error services.web.restart: found "sometimes"; expected "no", always, on-failure, on-failure:N or unless-stopped`,
		`6:12 error services.web.ports: found a number; expected a list`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestOutputBreakingTheSchemaIsNotWritten has a rule add a key compose does
// not know: the run fails naming the rule, where the input was valid.
func TestOutputBreakingTheSchemaIsNotWritten(t *testing.T) {
	src := "services:\n  web:\n    image: nginx:1.27.3\n"
	bad := changeRule("CF990", func(d *compose.Document) compose.Change {
		_, svc := compose.MapGet(d.Root, "services")
		_, web := compose.MapGet(svc, "web")
		if _, v := compose.MapGet(web, "imagee"); v != nil {
			return compose.Change{}
		}
		ch, err := d.InsertKey(web, "imagee", compose.Str("x"))
		if err != nil {
			t.Fatal(err)
		}
		return ch
	})
	// With CF603, the output check validates only the service the fix
	// changed, from the input's check; without, the whole output.
	for _, rules := range [][]*Rule{{bad}, {schemaRule(), bad}} {
		_, err := runOn(t, src, Options{Rules: rules})
		var ie *InternalError
		if !errors.As(err, &ie) || len(ie.Rules) != 1 || ie.Rules[0] != "CF990" || !strings.Contains(err.Error(), `4:5: services.web: unknown key "imagee"`) {
			t.Fatalf("Run with %d rules = %v, want an internal error in CF990 naming the unknown key", len(rules), err)
		}
	}
	// The same key in the input is the input's problem, not the rules'.
	res, err := runOn(t, "services:\n  web:\n    image: nginx:1.27.3\n    imagee: y\n", Options{Rules: []*Rule{restartRule()}})
	if err != nil || !res.Changed() {
		t.Errorf("Run on an input that already breaks the schema = %v, want a fixed file and no error", err)
	}
}

// TestSchemaValidatesEachDocumentOnce counts the schema validations of a
// run: the input once (the rule), the output once when the fixes changed
// it, however many passes the fixes took; the intermediate documents are
// never written, so no display-only rule looks at them.
func TestSchemaValidatesEachDocumentOnce(t *testing.T) {
	// CF201 adds a restart policy; the test rule then appends a comment in
	// a second pass, once the policy is there.
	second := changeRule("CF991", func(d *compose.Document) compose.Change {
		if !strings.Contains(string(d.Src), "restart:") || strings.Contains(string(d.Src), "# done") {
			return compose.Change{}
		}
		return compose.Change{Edits: []compose.Edit{{Start: len(d.Src), End: len(d.Src), New: "# done\n"}}}
	})
	// fed: the output's check was made as verification compared the
	// output, service by service (Entrywise): a valid input, and a run
	// that ends on its first pass's output.
	for _, tt := range []struct {
		name, src   string
		rules       []*Rule
		passes      int
		validations int64
		fed         int64
	}{
		{"unchanged", "services:\n  web:\n    image: nginx:1.27.3\n    restart: always\n", []*Rule{schemaRule(), restartRule()}, 0, 1, 0},
		{"one pass", "services:\n  web:\n    image: nginx:1.27.3\n", []*Rule{schemaRule(), restartRule()}, 1, 2, 1},
		{"two passes", "services:\n  web:\n    image: nginx:1.27.3\n", []*Rule{schemaRule(), restartRule(), second}, 2, 2, 0},
		{"a broken input, fixed", "services:\n  web:\n    image: nginx:1.27.3\n    imagee: x\n", []*Rule{schemaRule(), restartRule(), second}, 2, 2, 0},
		{"the rule not selected", "services:\n  web:\n    image: nginx:1.27.3\n", []*Rule{restartRule(), second}, 2, 1, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			k, err := LoadKnowledge()
			if err != nil {
				t.Fatal(err)
			}
			cfg.Knowledge = k
			res, err := runOn(t, tt.src, Options{Rules: tt.rules, Config: cfg})
			if err != nil {
				t.Fatal(err)
			}
			if res.Passes != tt.passes {
				t.Fatalf("passes = %d, want %d", res.Passes, tt.passes)
			}
			if got := k.Schema.Validations(); got != tt.validations {
				t.Errorf("schema validations = %d, want %d", got, tt.validations)
			}
			if got := k.Schema.EntrywiseChecks(); got != tt.fed {
				t.Errorf("outputs checked as verified = %d, want %d", got, tt.fed)
			}
		})
	}
}
