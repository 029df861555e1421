package fixers

import (
	"fmt"
	"strings"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/internal/composeschema"
)

const schemaID = "CF603"

func schemaRule() *Rule {
	return &Rule{
		ID: schemaID, Name: "compose-schema", Safety: DisplayOnly, Severity: Error,
		Summary: "the file breaks the compose specification (its JSON schema, as compose-go ships it)",
		Doc: `Keys and values the compose specification does not allow are errors.

Each violation of the compose-spec JSON schema that compose-go ships (and of the
restart policies compose checks when it loads a file) is reported at its key or
value: a misspelt key that docker compose would reject, a value of the wrong type.
Values holding a variable are left to compose, which checks them after
substitution. composefix also checks its own output the same way and writes
nothing that breaks the schema where the input did not.

Before:
  services:
    web:
      imagee: nginx:1.27.3
      restart: sometimes
      ports: 8080

After (by hand):
  services:
    web:
      image: nginx:1.27.3
      restart: unless-stopped
      ports:
        - "8080:8080"`,
		Check: checkSchema,
	}
}

func checkSchema(p *Pass) error {
	vs, err := p.Config.Knowledge.Schema.Check(p.Document.Root)
	if err != nil {
		return err
	}
	for _, v := range vs {
		p.Report(v.Node, nil, "%s", v.Message)
	}
	return nil
}

// checkOutputSchema validates the document a run produced: a violation
// the input did not have is a bug in the rules that changed it, and nothing
// is written.
func checkOutputSchema(s *composeschema.Schema, in, out *compose.Document, applied []string) error {
	got, err := s.Check(out.Root)
	if err != nil || len(got) == 0 {
		return err
	}
	had, err := s.Check(in.Root)
	if err != nil {
		return err
	}
	old := map[string]bool{}
	for _, v := range had {
		old[v.Message] = true
	}
	var added []string
	for _, v := range got {
		if !old[v.Message] {
			added = append(added, fmt.Sprintf("%d:%d: %s", v.Node.Line, v.Node.Column, v.Message))
		}
	}
	if len(added) == 0 {
		return nil
	}
	return &InternalError{Path: in.Path, Rules: applied, Err: fmt.Errorf("the fixed file breaks the compose schema: %s", strings.Join(added, "; "))}
}
