package composeschema

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestFlatVerdicts: a quick validation that judges a service, a job or a
// deploy's per-replica limits as a flat (see flat) gives the verdict of
// the general way (the same table with no flats) and santhosh's, for
// mappings that pass and fail each of the flat's parts: a property of
// each allOf member and of the schema itself, the x- pattern, a key none
// of them names (unevaluatedProperties), required, merge keys and values
// that are not mappings.
func TestFlatVerdicts(t *testing.T) {
	ref := santhoshValidator(t)
	c, err := compileTable(&spec)
	if err != nil {
		t.Fatal(err)
	}
	general := spec
	general.nodes = append([]node(nil), spec.nodes...)
	flats := 0
	for i := range general.nodes {
		if general.nodes[i].flat != 0 {
			flats++
			general.nodes[i].flat = 0
		}
	}
	if flats == 0 || len(spec.flats) != flats {
		t.Fatalf("%d nodes are flats, of %d flats: the test proves nothing", flats, len(spec.flats))
	}
	g, err := compileTable(&general)
	if err != nil {
		t.Fatal(err)
	}
	var valid, invalid int
	for _, tc := range []string{
		// services: a base property, a build one, the service's own,
		// extensions, an unknown key, bad values in each.
		"services: {web: {image: redis}}",
		"services: {web: {image: redis, build: ., restart: always, x-a: 1, x-b: {c: d}}}",
		"services: {web: {image: redis, build: {context: ., dockerfile: D}, scale: 2, attach: false}}",
		"services: {web: {image: redis, imagee: redis}}",
		"services: {web: {image: [redis]}}",
		"services: {web: {build: {context: [x]}}}",
		"services: {web: {build: {contextt: x}}}",
		"services: {web: {restart: [always]}}",
		"services: {web: {scale: x}}",
		// NaN is no JSON value (santhosh is given none: see plain).
		"services: {web: {image: redis, x-: .nan}}",
		"services: {web: {image: redis, depends_on: [db], ports: ['80:80'], healthcheck: {test: [CMD, x]}}}",
		"services: {web: {image: redis, depends_on: {db: {condition: bad}}}}",
		"services: {web: {image: redis, tty: true, stdin_open: maybe}}",
		"services: {web: {image: redis, deploy: {resources: {limits: {cpus: '1'}}}, container_name: ab}}",
		"services: {web: {container_name: '-'}}",
		"services: {web: {}}",
		"services: {web: null}",
		"services: {web: [image, redis]}",
		"services: {web: redis}",
		"services: {web: {'': x}}",
		"services: {web: {pre_stop: [{command: x}], post_start: [{command: [a]}], provider: {type: t}}}",
		"services: {web: {pre_stop: {command: x}}}",
		// merge keys: the mapping validated is the effective one.
		"x-base: &b {image: redis, restart: always}\nservices: {web: {<<: *b, ports: ['1:1']}, db: {<<: *b, imagee: x}}",
		"x-base: &b {image: redis}\nservices: {web: {<<: *b}, db: *b}",
		"x-base: &b {bad: redis}\nservices: {web: {<<: *b, image: x}}",
		// jobs: required triggers, a property of the job, the base's.
		"jobs: {j: {triggers: {manual: {}}, image: x}}",
		"jobs: {j: {image: x}}",
		"jobs: {j: {triggers: {manual: {}}, profiles: [a], x-a: 1}}",
		"jobs: {j: {triggers: {manual: {}}, restart: always}}",
		"jobs: {j: {triggers: {manual: {}}, build: .}}",
		"jobs: {j: {triggers: {manual: {}}, image: [x]}}",
		// a deploy's per-replica limits.
		"services: {web: {image: x, deploy: {resources: {limits: {cpus: '1', per_replica: true}}}}}",
		"services: {web: {image: x, deploy: {resources: {limits: {per_replica: [x]}}}}}",
		"services: {web: {image: x, deploy: {resources: {limits: {bogus: 1}}}}}",
		"services: {web: {image: x, deploy: {resources: {reservations: {per_replica: true}}}}}",
	} {
		var root yaml.Node
		if err := yaml.Unmarshal([]byte(tc), &root); err != nil {
			t.Fatalf("%s: %v", tc, err)
		}
		got := c.validateTop(root.Content[0], true) == nil
		if want := g.validateTop(root.Content[0], true) == nil; got != want {
			t.Errorf("%s: valid = %v, the general way says %v", tc, got, want)
		}
		if m, ok := (&tree{}).value(root.Content[0], nil, 0).(map[string]any); ok && !strings.Contains(tc, ".nan") {
			if want := ref.validate(m, true) == nil; got != want {
				t.Errorf("%s: valid = %v, santhosh says %v", tc, got, want)
			}
		}
		if got {
			valid++
		} else {
			invalid++
		}
	}
	if valid < 5 || invalid < 5 {
		t.Errorf("%d valid and %d invalid cases: too few of one to prove anything", valid, invalid)
	}
}
