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
	vs, err := p.schema.check(p.Config.Knowledge.Schema, p.Document)
	if err != nil {
		return err
	}
	for _, v := range vs {
		p.reportf(v.Node, nil, "%s", v.Message)
	}
	return nil
}

// schemaMemo keeps one document's check, so that no document of a run is
// validated twice: the input's, made by CF603, serve the output's check.
// nil remembers nothing.
type schemaMemo struct {
	doc *compose.Document
	c   *composeschema.Checked
	fed *schemaFeed // see feed
}

// schemaFeed is the check of a first pass's output against the schema,
// made entry by entry as verification compares the output with the
// intended tree (composeschema.Entrywise): a large file's output does not
// fit the processor's cache, and its check at the end of the run read it,
// and the input, from memory again. It serves checkOutputSchema when the
// run ends on that output (one pass, as most files take).
type schemaFeed struct {
	*composeschema.Entrywise
	in, out *compose.Document // out: set once verified
}

// feed returns the check to feed with the first pass's output of in, or
// nil when there is none to make: in's own check, which CF603 made, is
// not remembered or found violations (checkOutputSchema then checks the
// output whole or by NoneAdded).
func (m *schemaMemo) feed(s *composeschema.Schema, in *compose.Document) *schemaFeed {
	if m == nil || m.doc != in || len(m.c.Violations) > 0 {
		return nil
	}
	e := s.Entrywise(m.c)
	if e == nil {
		return nil
	}
	m.fed = &schemaFeed{Entrywise: e, in: in}
	return m.fed
}

// fedWith returns the check fed with out, made from in, or nil.
func (m *schemaMemo) fedWith(in, out *compose.Document) *schemaFeed {
	if m == nil || m.fed == nil || m.fed.in != in || m.fed.out != out {
		return nil
	}
	return m.fed
}

// detach lets go of d's tree in the check of d kept (see verifyDropping).
func (m *schemaMemo) detach(d *compose.Document) {
	if m.doc == d && m.c != nil {
		m.c = m.c.Detach()
	}
}

// validWithout reports whether the check of d kept says d meets the
// schema (without violations): the output's check (checkOutputSchema) then
// needs no tree of d, though without it it validates the whole output
// rather than only what the fixes changed (as many services as a large
// file's fixes reach: every one in the 8 MiB benchmark file).
func (m *schemaMemo) validWithout(d *compose.Document) bool {
	return m.doc == d && m.c != nil && len(m.c.Violations) == 0
}

// attach gives the check of d kept d's tree, loaded again.
func (m *schemaMemo) attach(d *compose.Document) {
	if m.doc == d && m.c != nil {
		m.c = m.c.Attach(d.Root)
	}
}

func (m *schemaMemo) check(s *composeschema.Schema, d *compose.Document) ([]composeschema.Violation, error) {
	if m != nil && m.doc == d {
		return m.c.Violations, nil
	}
	c, err := s.CheckFrom(nil, d.Root)
	if err != nil {
		return nil, err
	}
	if m != nil {
		m.doc, m.c = d, c
	}
	return c.Violations, nil
}

// checkOutputSchema validates the document a run produced: a violation
// the input did not have is a bug in the rules that changed it, and nothing
// is written. The output is always validated (it has not been before: no
// display-only rule looks at a later pass's document): with the input's
// check, when CF603 made it, only the services and top-level values the
// fixes changed. Without it, or when the input breaks the schema, those
// values are validated first, against the input: when they meet the
// schema, the output has no violation the input lacks. Only when they do
// not is the output checked whole, and the input again if CF603 did not.
func checkOutputSchema(s *composeschema.Schema, memo *schemaMemo, in, out *compose.Document, applied []string) error {
	var base *composeschema.Checked
	if memo != nil && memo.doc == in {
		base = memo.c
	}
	// A valid input's check already limits CheckFrom to what changed; an
	// invalid one's does not, so what changed is validated first then too.
	if base == nil || len(base.Violations) > 0 {
		if ok, err := s.NoneAdded(in.Root, out.Root); ok || err != nil {
			return err
		}
	}
	c, fed := (*composeschema.Checked)(nil), false
	if f := memo.fedWith(in, out); f != nil {
		c, fed = f.Checked(out.Root)
	}
	if !fed {
		var err error
		if c, err = s.CheckFrom(base, out.Root); err != nil {
			return err
		}
	}
	if len(c.Violations) == 0 {
		return nil
	}
	got := c.Violations
	had, err := memo.check(s, in)
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
