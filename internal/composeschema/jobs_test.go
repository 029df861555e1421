package composeschema

import (
	"fmt"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestUncommonKeywordsAsSanthosh: what no corpus file and no test data
// reaches, so that TestSameErrorsAsSanthosh never compares it: jobs (the
// schema's only anyOf, its triggers, a job's required key and its
// unevaluatedProperties over two schemas), and a service of more keys than
// one word of the unevaluated-properties bit set holds; infinities and NaN,
// a !reset list item, and a long list whose items repeat. Each document, and
// each made from it by breaking one node, is judged as santhosh judges it,
// and checked from the document as it is as when checked whole.
func TestUncommonKeywordsAsSanthosh(t *testing.T) {
	ref := santhoshValidator(t)
	c, err := compileTable(&spec)
	if err != nil {
		t.Fatal(err)
	}
	var many strings.Builder
	for i := range 70 {
		fmt.Fprintf(&many, "    x-k%d: %d\n", i, i)
	}
	var dns []string
	for i := range 40 {
		dns = append(dns, fmt.Sprintf("10.0.0.%d", i%37))
	}
	dnsList := strings.Join(dns, ", ")
	docs := []string{
		"jobs:\n  migrate:\n    image: app:1\n    triggers:\n      manual: true\n",
		"jobs:\n  nightly:\n    image: app:1\n    profiles: [ops]\n    triggers:\n      schedule:\n        - \"0 3 * * *\"\n        - cron: \"0 4 * * *\"\n          timezone: UTC\n",
		"jobs:\n  none:\n    image: app:1\n    triggers: {}\n",
		"jobs:\n  missing:\n    image: app:1\n",
		"jobs:\n  odd:\n    image: app:1\n    restart: always\n    bogus: 1\n    triggers:\n      manual: false\n      other: 1\n",
		"jobs:\n  bad:\n    image: app:1\n    triggers:\n      schedule:\n        - timezone: UTC\n        - 7\n",
		"services:\n  big:\n    image: app:1\n" + many.String() + "    bogus: 1\n    restart: always\n    image2: x\n",
		"services:\n  odd:\n    image: app:1\n    cpus: .inf\n    cpu_count: .nan\n    mem_swappiness: -.inf\n    ports:\n      - !reset \"80:80\"\n      - \"81:81\"\n    dns: [" + dnsList + "]\n",
	}
	compared, invalid := 0, 0
	for _, src := range docs {
		var root, orig yaml.Node
		if err := yaml.Unmarshal([]byte(src), &root); err != nil {
			t.Fatal(err)
		}
		if err := yaml.Unmarshal([]byte(src), &orig); err != nil {
			t.Fatal(err)
		}
		base := checkWith(c.validateTop, c.compositional, nil, orig.Content[0])
		compare := func(what string) {
			compared++
			if !sameChecks(t, c, ref, &root, what) {
				invalid++
			}
			whole := violationsText(checkWith(c.validateTop, c.compositional, nil, root.Content[0]).Violations)
			if from := violationsText(checkWith(c.validateTop, c.compositional, base, root.Content[0]).Violations); from != whole {
				t.Errorf("%s: checked from the document as it is:\n%s\nchecked whole:\n%s", what, from, whole)
			}
		}
		first := strings.SplitN(src, "\n", 3)[1]
		compare(first)
		for _, m := range mutations(root.Content[0]) {
			undo := m.apply()
			compare(first + ": " + m.what)
			undo()
		}
	}
	if invalid == 0 || invalid == compared {
		t.Errorf("%d of %d documents invalid: the comparison proves little", invalid, compared)
	}
}
