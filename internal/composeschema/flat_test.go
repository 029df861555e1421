package composeschema

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestQuickVerdicts: a quick validation, which takes shortcuts (flats,
// refOnly schemas, alternatives refused by type), gives the verdict of
// the general way (the same table with no flats, and a validation that
// words its errors, which takes none) and santhosh's: for services, jobs
// and a deploy's per-replica limits, judged as flats (see flat), mappings
// that pass and fail each of the flat's parts (a property of each allOf
// member and of the schema itself, the x- pattern, a key none of them
// names, required, merge keys, values that are not mappings); and values
// of each type for the oneOf and anyOf of the properties that have them.
func TestQuickVerdicts(t *testing.T) {
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
		// oneOf and anyOf alternatives of each type.
		"services: {web: {image: x, labels: [a=b], command: ls, entrypoint: [sh], env_file: .env}}",
		"services: {web: {image: x, labels: {a: b}, command: [ls, 1], entrypoint: 1, env_file: [{path: .env, required: false}]}}",
		"services: {web: {image: x, labels: 1, command: {a: b}}}",
		"services: {web: {image: x, labels: [a, a]}}",
		"services: {web: {image: x, labels: {a: [b]}}}",
		"services: {web: {image: x, cpus: 1.5, mem_limit: 1g, cpu_count: 2, cpu_percent: '50', ulimits: {nofile: {soft: 1, hard: 2}, nproc: 3}}}",
		"services: {web: {image: x, cpus: [1], cpu_count: 1.5, cpu_percent: 101}}",
		"services: {web: {image: x, ulimits: {nofile: [1]}}}",
		"services: {web: {image: x, ports: [80, '80:80', {target: 80, published: '8080'}], expose: [80, '81']}}",
		"services: {web: {image: x, ports: [{target: x}]}}",
		"services: {web: {image: x, ports: [[80]]}}",
		"services: {web: {image: x, healthcheck: {test: CMD true, interval: 1s}}}",
		"services: {web: {image: x, healthcheck: {test: {a: b}}}}",
		"services: {web: {image: x, depends_on: {db: {condition: service_started, restart: true}}, networks: {a: null, b: {aliases: [c]}}}}",
		"services: {web: {image: x, networks: [a, 1]}}",
		"services: {web: {image: x, networks: {a: [b]}}}",
		"services: {web: {image: x, volumes: [./a:/a, {type: bind, source: ., target: /a, bind: {propagation: rprivate}}]}}",
		"services: {web: {image: x, volumes: [{type: bind}]}}",
		"services: {web: {image: x, volumes: [1]}}",
		"services: {web: {image: x, build: {context: ., args: [A=1], cache_from: [a], ssh: default, secrets: [s]}}}",
		"services: {web: {image: x, build: {args: {A: [1]}}}}",
		"services: {web: {image: x, build: 1}}",
		"services: {web: {image: x, logging: {driver: json-file, options: {max-size: 1m, max-file: 3}}}}",
		"services: {web: {image: x, logging: {options: {max-size: [1]}}}}",
		"services: {web: {image: x, pull_policy: every_12h, restart: unless-stopped, extends: {service: a}}}",
		"services: {web: {image: x, pull_policy: sometimes, extends: svc}}",
		"services: {web: {image: x, extends: 1}}",
		"services: {web: {image: x, develop: {watch: [{path: ., action: sync}]}, gpus: all}}",
		"services: {web: {image: x, gpus: [{driver: nvidia, count: all}]}}",
		"services: {web: {image: x, gpus: some}}",
		"services: {web: {image: x, deploy: {replicas: 1, restart_policy: {condition: any, max_attempts: 1.5}}}}",
		"volumes: {v: {external: true, driver_opts: {a: 1}}, w: null}\nnetworks: {n: {ipam: {config: [{subnet: 10.0.0.0/8}]}}, m: {external: {name: x}}}",
		"volumes: {v: {external: [true]}}\nnetworks: {n: {ipam: {config: {subnet: x}}}}",
		"secrets: {s: {file: ./s}, t: {environment: T}}\nconfigs: {c: {content: x}}",
		"secrets: {s: {file: [./s]}}",
		"include: [a.yaml, {path: [b.yaml], env_file: .env}]",
		"include: [1]",
		"models: {m: {model: ai/x, context_size: 10}}",
		"models: {m: {context_size: x}}",
		"name: x\nversion: '3'",
		"name: [x]",
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
			t.Errorf("%s: valid = %v, the table without flats says %v", tc, got, want)
		}
		if want := c.validateTop(root.Content[0], false) == nil; got != want {
			t.Errorf("%s: valid = %v, a validation that words its errors says %v", tc, got, want)
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
