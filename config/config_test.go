package config

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	_ "github.com/composefix/composefix/internal/golden"
)

// ignoreRoot leaves the node tree (kept for Pos) out of comparisons.
var ignoreRoot = cmpopts.IgnoreUnexported(File{})

func TestParseValid(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want File
	}{
		{name: "empty file", src: ""},
		{name: "only comments", src: "# nothing yet\n\n# still nothing\n"},
		{name: "document marker only", src: "---\n"},
		{name: "null root", src: "~\n"},
		{name: "empty mapping", src: "{}\n"},
		{name: "null values are unset", src: "select:\nignore:\npin:\nupdate:\nresources:\nhealthchecks:\n"},
		{name: "extension keys are ignored", src: "x-defaults: &d {cpus: 1}\nx-anything: [1, 2]\n"},
		{
			name: "select list",
			src:  "select: [CF001, CF1, restart-policy, all]\n",
			want: File{Select: []RuleRef{{"CF001", 1, 10}, {"CF1", 1, 17}, {"restart-policy", 1, 22}, {"all", 1, 38}}},
		},
		{
			name: "select block list",
			src:  "select:\n  - CF001\n  - pin-image\n",
			want: File{Select: []RuleRef{{"CF001", 2, 5}, {"pin-image", 3, 5}}},
		},
		{
			name: "select comma string has per-item positions",
			src:  "select: CF0,  CF1 ,restart-policy\n",
			want: File{Select: []RuleRef{{"CF0", 1, 9}, {"CF1", 1, 15}, {"restart-policy", 1, 20}}},
		},
		{
			name: "ignore quoted comma string",
			src:  "ignore: \"CF600, CF9\"\n",
			want: File{Ignore: []RuleRef{{"CF600", 1, 10}, {"CF9", 1, 17}}},
		},
		{
			name: "projects",
			src:  "projects:\n  - [compose.yaml, compose.prod.yaml]\n  - [deploy/standalone.yml]\n",
			want: File{Projects: [][]string{{"compose.yaml", "compose.prod.yaml"}, {"deploy/standalone.yml"}}},
		},
		{
			name: "exclude",
			src:  "exclude:\n  - legacy/\n  - \"*.dev.yaml\"\n",
			want: File{Exclude: []string{"legacy/", "*.dev.yaml"}},
		},
		{
			name: "ignore_images",
			src:  "ignore_images:\n  - registry.internal/*\n  - \"acme/*\"\n  - redis:7*\n",
			want: File{IgnoreImages: []string{"registry.internal/*", "acme/*", "redis:7*"}},
		},
		{
			name: "unsafe_fixes bool",
			src:  "unsafe_fixes: true\n",
			want: File{UnsafeFixes: []UnsafeFix{{Rule: RuleRef{"all", 1, 15}, Enabled: true}}},
		},
		{
			name: "unsafe_fixes mapping",
			src:  "unsafe_fixes:\n  all: false\n  CF3: true\n  no-new-privileges: true\n",
			want: File{UnsafeFixes: []UnsafeFix{
				{Rule: RuleRef{"all", 2, 3}, Enabled: false},
				{Rule: RuleRef{"CF3", 3, 3}, Enabled: true},
				{Rule: RuleRef{"no-new-privileges", 4, 3}, Enabled: true},
			}},
		},
		{name: "pin version", src: "pin: version\n", want: File{Pin: PinVersion}},
		{name: "pin digest", src: "pin: digest\n", want: File{Pin: PinDigest}},
		{name: "pin version+digest", src: "pin: \"version+digest\"\n", want: File{Pin: PinVersionDigest}},
		{
			name: "update",
			src:  "update:\n  policy: patch\n  images:\n    postgres: minor\n    \"acme/*\": major\n",
			want: File{Update: UpdatePolicy{Policy: PolicyPatch, Images: []ImagePolicy{
				{Pattern: "postgres", Policy: PolicyMinor, Line: 4, Col: 5},
				{Pattern: "acme/*", Policy: PolicyMajor, Line: 5, Col: 5},
			}}},
		},
		{
			name: "update min_age and group_by",
			src:  "update:\n  min_age: 3d\n  group_by: image\n  images:\n    grafana/*:\n      policy: major\n      min_age: 12h\n    redis: {min_age: \"0\"}\n",
			want: File{Update: UpdatePolicy{MinAge: 72 * time.Hour, GroupBy: GroupImage, Images: []ImagePolicy{
				{Pattern: "grafana/*", Policy: PolicyMajor, MinAge: 12 * time.Hour, HasMinAge: true, Line: 5, Col: 5},
				{Pattern: "redis", HasMinAge: true, Line: 8, Col: 5},
			}}},
		},
		{
			name: "mirrors",
			src:  "mirrors:\n  docker.io: http://127.0.0.1:5000\n  ghcr.io: https://mirror.internal/ghcr/\n  \"registry.local:5000\": https://[::1]:8443\n",
			want: File{Mirrors: map[string]string{
				"docker.io":           "http://127.0.0.1:5000",
				"ghcr.io":             "https://mirror.internal/ghcr/",
				"registry.local:5000": "https://[::1]:8443",
			}},
		},
		{
			name: "insecure_registries",
			src:  "insecure_registries: [registry.local:5000, 10.0.0.1, \"[::1]:5000\"]\n",
			want: File{InsecureRegistries: []string{"registry.local:5000", "10.0.0.1", "[::1]:5000"}},
		},
		{name: "cache_ttl", src: "cache_ttl: 30m\n", want: File{CacheTTL: 30 * time.Minute}},
		{name: "cache_ttl compound", src: "cache_ttl: 1h30m\n", want: File{CacheTTL: 90 * time.Minute}},
		{name: "cache_not_found_ttl", src: "cache_not_found_ttl: 10m\n", want: File{CacheNotFoundTTL: 10 * time.Minute}},
		{
			name: "resources",
			src: `resources:
  classes:
    database: {cpus: 2, memory: 2G, reservation_memory: 1g}
    cache: {cpus: 0.5, memory: 512Mb}
    tiny: {cpus: "0.25", memory: 1048576, reservation_memory: 100b}
    big: {memory: 1.5GB, reservation_memory: 1536 KB}
    empty:
  services:
    api:
      class: application
      cpus: "1.5"
    batch: {disable: true}
    worker: {memory: 768m}
  images:
    acme/search-*: search
    "registry.internal/*": application
`,
			want: File{Resources: Resources{
				Classes: map[string]Limits{
					"database": {CPUs: "2", Memory: "2G", ReservationMemory: "1g"},
					"cache":    {CPUs: "0.5", Memory: "512Mb"},
					"tiny":     {CPUs: "0.25", Memory: "1048576", ReservationMemory: "100b"},
					"big":      {Memory: "1.5GB", ReservationMemory: "1536 KB"},
					"empty":    {},
				},
				Services: map[string]ServiceLimits{
					"api":    {Class: "application", Limits: Limits{CPUs: "1.5"}, Line: 9, Col: 5},
					"batch":  {Disable: true, Line: 12, Col: 5},
					"worker": {Limits: Limits{Memory: "768m"}, Line: 13, Col: 5},
				},
				Images: []ImageClass{
					{Pattern: "acme/search-*", Class: "search", Line: 15, Col: 20},
					{Pattern: "registry.internal/*", Class: "application", Line: 16, Col: 28},
				},
			}},
		},
		{
			name: "logging",
			src:  "logging:\n  driver: local\n  options: {max-size: 10M, max-file: 3, compress: false, tag: \"{{.Name}}\"}\n",
			want: File{Logging: Logging{Driver: "local", Options: map[string]string{
				"max-size": "10M", "max-file": "3", "compress": "false", "tag": "{{.Name}}",
			}}},
		},
		{
			name: "healthchecks",
			src: `healthchecks:
  - image: acme/api*
    test: ["CMD", "wget", "-q", "--spider", "http://localhost:8080/"]
    interval: 30s
    timeout: 5s
    retries: 3
    start_period: 0s
    start_interval: 1s
  - service: worker
    test: celery inspect ping
  - image: acme/migrate
    disable: true
  - service: web
    test: [CMD-SHELL, "curl -f http://localhost/ || exit 1"]
`,
			want: File{Healthchecks: []Healthcheck{
				{Image: "acme/api*", Test: []string{"CMD", "wget", "-q", "--spider", "http://localhost:8080/"},
					Interval: "30s", Timeout: "5s", Retries: 3, StartPeriod: "0s", StartInterval: "1s", Line: 2, Col: 5},
				{Service: "worker", Test: []string{"CMD-SHELL", "celery inspect ping"}, Line: 9, Col: 5},
				{Image: "acme/migrate", Disable: true, Line: 11, Col: 5},
				{Service: "web", Test: []string{"CMD-SHELL", "curl -f http://localhost/ || exit 1"}, Line: 13, Col: 5},
			}},
		},
		{
			name: "aliases and merge keys",
			src: `x-limits: &small {cpus: "0.5", memory: 256m}
x-check: &check
  interval: 10s
  retries: 5
resources:
  classes:
    proxy: *small
    cache:
      <<: *small
      memory: 512m
    search:
      <<: [*small, {reservation_memory: 128m}]
healthchecks:
  - <<: *check
    image: acme/*
    test: [CMD, /healthcheck]
`,
			want: File{
				Resources: Resources{Classes: map[string]Limits{
					"proxy":  {CPUs: "0.5", Memory: "256m"},
					"cache":  {CPUs: "0.5", Memory: "512m"},
					"search": {CPUs: "0.5", Memory: "256m", ReservationMemory: "128m"},
				}},
				Healthchecks: []Healthcheck{{Image: "acme/*", Test: []string{"CMD", "/healthcheck"},
					Interval: "10s", Retries: 5, Line: 14, Col: 5}},
			},
		},
		{
			name: "CRLF line endings",
			src:  "pin: digest\r\nselect:\r\n  - CF0\r\n",
			want: File{Pin: PinDigest, Select: []RuleRef{{"CF0", 3, 5}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(".composefix.yaml", []byte(tt.src))
			if err != nil {
				t.Fatalf("Parse(%q) error: %v", tt.src, err)
			}
			tt.want.Path = ".composefix.yaml"
			if d := cmp.Diff(&tt.want, got, ignoreRoot, cmpopts.EquateEmpty()); d != "" {
				t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tt.src, d)
			}
		})
	}
}

// errorStrings flattens the joined errors of Parse.
func errorStrings(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("error %T is not joined: %v", err, err)
	}
	var out []string
	for _, e := range j.Unwrap() {
		var ce *Error
		if !errors.As(e, &ce) {
			t.Errorf("error %T is not a *config.Error: %v", e, e)
		}
		out = append(out, e.Error())
	}
	return out
}

func TestParseErrors(t *testing.T) {
	const keys = "select, ignore, ignore_images, projects, exclude, unsafe_fixes, severity, pin, update, mirrors, insecure_registries, cache_ttl, cache_not_found_ttl, inspect_files, resources, logging, healthchecks"
	const rule = `expected a rule ID ("CF001"), an ID prefix ("CF1"), a rule name or "all"`
	const size = `expected a size such as "512m" or "2g" (units b, k, kb, m, mb, g, gb)`
	const cpus = `expected a positive number of CPUs such as "0.5" or "2"`
	const dur = `expected a duration such as "30s", "5m" or "1h30m"`
	const pat = `expected an image pattern such as "acme/*" or "registry.internal/*"`
	const mirror = `expected an http or https URL such as "https://mirror.internal" or "http://127.0.0.1:5000"`
	const host = `expected a registry host such as "docker.io" or "registry.local:5000"`
	tests := []struct {
		name string
		src  string
		want []string
	}{
		// Structure.
		{"sequence root", "- pin\n- select\n", []string{
			`c.yaml:1:1: found a sequence at the top level; expected a mapping of keys such as select and pin`}},
		{"scalar root", "pin version\n", []string{
			`c.yaml:1:1: found "pin version" at the top level; expected a mapping of keys such as select and pin`}},
		// yaml.v3 gives no column and numbers a parser error's line from 0
		// (compose's loader corrects it); the column is that line's first
		// non-blank.
		{"syntax error", "pin: version\nselect:\n  [CF1\n", []string{
			`c.yaml:3:3: invalid YAML: did not find expected ',' or ']'`}},
		{"unclosed flow sequence on line two", "rules:\n  CF201: [bad", []string{
			`c.yaml:2:3: invalid YAML: did not find expected ',' or ']'`}},
		// At the end of the stream: just past the last content, not the
		// line after the final newline.
		{"unclosed flow sequence on the only line", "rules: [bad\n", []string{
			`c.yaml:1:12: invalid YAML: did not find expected ',' or ']'`}},
		// An unterminated quote: where it opens.
		{"syntax error indented", "update:\n  policy: \"minor\n", []string{
			`c.yaml:2:11: invalid YAML: found unexpected end of stream`}},
		{"syntax error on line one", "pin: a: b\n", []string{
			`c.yaml:1:1: invalid YAML: mapping values are not allowed in this context`}},
		{"tab indentation", "update:\n\tpolicy: minor\n", []string{
			`c.yaml:2:1: invalid YAML: found character that cannot start any token`}},
		{"second document", "pin: digest\n---\npin: version\n", []string{
			`c.yaml:3:1: a second YAML document; expected a single document`}},
		{"invalid UTF-8", "pin: \"ve\xffrsion\"\n", []string{
			`c.yaml:1:9: invalid UTF-8; expected a UTF-8 text file`}},
		{"unknown key with suggestion", "pin: version\n  \npinn: digest\n", []string{
			`c.yaml:3:1: unknown key "pinn"; expected one of: ` + keys + `; did you mean "pin"?`}},
		{"dashed key suggests underscore", "cache-ttl: 1h\n", []string{
			`c.yaml:1:1: unknown key "cache-ttl"; expected one of: ` + keys + `; did you mean "cache_ttl"?`}},
		{"unknown key without suggestion", "registry: x\n", []string{
			`c.yaml:1:1: unknown key "registry"; expected one of: ` + keys}},
		{"unknown nested key", "update:\n  polcy: minor\n", []string{
			`c.yaml:2:3: unknown key "polcy" in update; expected one of: policy, min_age, group_by, images; did you mean "policy"?`}},
		{"duplicate key", "pin: version\nselect: [CF1]\npin: digest\n", []string{
			`c.yaml:3:1: duplicate key "pin"; first defined at line 1`}},
		{"duplicate nested key", "logging:\n  driver: local\n  driver: json-file\n", []string{
			`c.yaml:3:3: logging: duplicate key "driver"; first defined at line 2`}},
		{"non-scalar key", "? [a]\n: b\n", []string{
			`c.yaml:1:3: found a sequence as a key; expected a plain key`}},
		{"bad merge", "update:\n  <<: 3\n", []string{
			`c.yaml:2:7: update: merge key: found 3; expected an alias of a mapping`}},
		{"bad merge list item", "x-a: &a [1]\nupdate:\n  <<: [*a]\n", []string{
			`c.yaml:1:6: update: merge key: found a sequence; expected an alias of a mapping`}},
		// select / ignore.
		{"select mapping", "select: {a: b}\n", []string{
			`c.yaml:1:9: select: found a mapping; expected a list of rule IDs, ID prefixes or names`}},
		{"select bad item", "select: [CF1, 12, \"two words\", ~]\n", []string{
			`c.yaml:1:15: select: found 12; ` + rule,
			`c.yaml:1:19: select: found "two words"; ` + rule,
			`c.yaml:1:32: select: found null; ` + rule}},
		{"ignore empty item in string", "ignore: \"CF1,,CF2\"\n", []string{
			`c.yaml:1:14: ignore: found ""; ` + rule}},
		// ignore_images.
		{"exclude string", "exclude: legacy/\n", []string{
			`c.yaml:1:10: exclude: found "legacy/"; expected a list of path patterns`}},
		{"exclude bad glob", "exclude:\n  - legacy/\n  - \"[a\"\n", []string{
			`c.yaml:3:5: exclude: found "[a" (syntax error in pattern); expected a path pattern in .gitignore syntax such as "legacy/" or "*.dev.yaml"`}},
		{"exclude bad items", "exclude: [\"\", ~, \"# x\", 1]\n", []string{
			`c.yaml:1:11: exclude: found ""; expected a path pattern in .gitignore syntax such as "legacy/" or "*.dev.yaml"`,
			`c.yaml:1:15: exclude: found null; expected a path pattern in .gitignore syntax such as "legacy/" or "*.dev.yaml"`,
			`c.yaml:1:18: exclude: found "# x"; expected a path pattern in .gitignore syntax such as "legacy/" or "*.dev.yaml"`,
			`c.yaml:1:25: exclude: found 1; expected a path pattern in .gitignore syntax such as "legacy/" or "*.dev.yaml"`}},
		{"ignore_images string", "ignore_images: acme/*\n", []string{
			`c.yaml:1:16: ignore_images: found "acme/*"; expected a list of image patterns`}},
		{"ignore_images bad glob", "ignore_images: [\"acme/[x\", \"\", ~]\n", []string{
			`c.yaml:1:17: ignore_images: found "acme/[x", a malformed pattern (unclosed [ or trailing \); ` + pat,
			`c.yaml:1:28: ignore_images: found ""; ` + pat,
			`c.yaml:1:32: ignore_images: found null; ` + pat}},
		// unsafe_fixes.
		{"unsafe_fixes string", "unsafe_fixes: yes\n", []string{
			`c.yaml:1:15: unsafe_fixes: found "yes"; expected true, false or a mapping of rule IDs, ID prefixes or names to true or false`}},
		{"unsafe_fixes bad values", "unsafe_fixes:\n  CF3: on\n  CF5:\n  \"bad name\": true\n", []string{
			`c.yaml:2:8: unsafe_fixes.CF3: found "on"; expected true or false`,
			`c.yaml:3:7: unsafe_fixes.CF5: found null; expected true or false`,
			`c.yaml:4:3: unsafe_fixes: found "bad name"; ` + rule}},
		// pin.
		{"pin unknown mode", "pin: digets\n", []string{
			`c.yaml:1:6: pin: found "digets"; expected "version", "digest" or "version+digest"; did you mean "digest"?`}},
		{"pin wrong type", "pin: [version]\n", []string{
			`c.yaml:1:6: pin: found a sequence; expected "version", "digest" or "version+digest"`}},
		// update.
		{"update policy", "update:\n  policy: minr\n", []string{
			`c.yaml:2:11: update.policy: found "minr"; expected "patch", "minor" or "major"; did you mean "minor"?`}},
		{"update min_age", "update:\n  min_age: soon\n  group_by: repo\n", []string{
			`c.yaml:2:12: update.min_age: found "soon"; expected an age such as "3d", "12h" or "0"`,
			`c.yaml:3:13: update.group_by: found "repo"; expected "all", "image" or "type"`}},
		{"update not a mapping", "update: minor\n", []string{
			`c.yaml:1:9: update: found "minor"; expected a mapping`}},
		{"update images", "update:\n  images:\n    \"[\": major\n    redis: 7\n", []string{
			`c.yaml:3:5: update.images: found "[", a malformed pattern (unclosed [ or trailing \); ` + pat,
			`c.yaml:4:12: update.images.redis: found 7; expected "patch", "minor" or "major"`}},
		// mirrors and insecure_registries.
		{"mirror without scheme", "mirrors:\n  docker.io: 127.0.0.1:5000\n", []string{
			`c.yaml:2:14: mirrors."docker.io": found "127.0.0.1:5000"; ` + mirror}},
		{"mirror ftp", "mirrors: {docker.io: \"ftp://m\"}\n", []string{
			`c.yaml:1:22: mirrors."docker.io": found "ftp://m"; ` + mirror}},
		{"mirror credentials", "mirrors: {docker.io: \"https://u:p@m\"}\n", []string{
			`c.yaml:1:22: mirrors."docker.io": found credentials in the URL; expected a URL without user:password (use docker login)`}},
		// A refused URL is quoted without what may be a credential.
		{"mirror query", "mirrors: {docker.io: \"https://m/?token=q-5ecret\"}\n", []string{
			`c.yaml:1:22: mirrors."docker.io": found "https://m/?[redacted]"; ` + mirror + ` without a query or fragment`}},
		{"mirror fragment", "mirrors: {docker.io: \"https://m/#f-5ecret\"}\n", []string{
			`c.yaml:1:22: mirrors."docker.io": found "https://m/#[redacted]"; ` + mirror + ` without a query or fragment`}},
		{"mirror ftp with credentials", "mirrors: {docker.io: \"ftp://u:pw-5ecret@m/x\"}\n", []string{
			`c.yaml:1:22: mirrors."docker.io": found "ftp://[redacted]@m/x"; ` + mirror}},
		{"mirror without scheme with credentials", "mirrors: {docker.io: \"u:pw-5ecret@m\"}\n", []string{
			`c.yaml:1:22: mirrors."docker.io": found "[redacted]@m"; ` + mirror}},
		{"mirror host with scheme", "mirrors:\n  https://ghcr.io: https://m\n  quay.io:\n", []string{
			`c.yaml:2:3: mirrors: found "https://ghcr.io"; ` + host + ` without a scheme`,
			`c.yaml:3:11: mirrors."quay.io": found null; ` + mirror}},
		{"insecure registry", "insecure_registries: [\"http://r:5000\", \"r/path\", 5000]\n", []string{
			`c.yaml:1:23: insecure_registries: found "http://r:5000"; ` + host + ` without a scheme`,
			`c.yaml:1:40: insecure_registries: found "r/path"; ` + host,
			`c.yaml:1:50: insecure_registries: found 5000; ` + host}},
		{"insecure registries not a list", "insecure_registries: r:5000\n", []string{
			`c.yaml:1:22: insecure_registries: found "r:5000"; expected a list of registry hosts`}},
		{"insecure registry null", "insecure_registries: [~]\n", []string{
			`c.yaml:1:23: insecure_registries: found null; ` + host}},
		// cache_ttl.
		{"cache_ttl number", "cache_ttl: 3600\n", []string{
			`c.yaml:1:12: cache_ttl: found 3600; ` + dur + ` (a unit is required: "3600s")`}},
		{"cache_ttl bad", "cache_ttl: 1d\n", []string{
			`c.yaml:1:12: cache_ttl: found "1d"; ` + dur}},
		{"cache_ttl negative", "cache_ttl: -5m\n", []string{
			`c.yaml:1:12: cache_ttl: found "-5m", a negative duration; ` + dur}},
		{"cache_ttl zero", "cache_ttl: 0s\n", []string{
			`c.yaml:1:12: cache_ttl: found "0s"; expected a duration greater than zero`}},
		{"cache_not_found_ttl zero", "cache_not_found_ttl: 0s\n", []string{
			`c.yaml:1:22: cache_not_found_ttl: found "0s"; expected a duration greater than zero`}},
		// resources.
		{"resources limits", `resources:
  classes:
    db: {cpus: 0, memory: 2GG, reservation_memory: -1g}
    q: {cpus: "-1", memory: 2tb}
    r: {cpus: two, memory: 0}
    s: {cpus: .inf, memory: g1}
    t: [1]
    u: {cpu: 1}
`, []string{
			`c.yaml:3:16: resources.classes.db.cpus: found 0; ` + cpus,
			`c.yaml:3:27: resources.classes.db.memory: found "2GG"; ` + size,
			`c.yaml:3:52: resources.classes.db.reservation_memory: found "-1g"; ` + size,
			`c.yaml:4:15: resources.classes.q.cpus: found "-1"; ` + cpus,
			`c.yaml:4:29: resources.classes.q.memory: found "2tb"; ` + size,
			`c.yaml:5:15: resources.classes.r.cpus: found "two"; ` + cpus,
			`c.yaml:5:28: resources.classes.r.memory: found 0; ` + size,
			`c.yaml:6:15: resources.classes.s.cpus: found .inf; ` + cpus,
			`c.yaml:6:29: resources.classes.s.memory: found "g1"; ` + size,
			`c.yaml:7:8: resources.classes.t: found a sequence; expected a mapping`,
			`c.yaml:8:9: unknown key "cpu" in resources.classes.u; expected one of: cpus, memory, reservation_memory; did you mean "cpus"?`}},
		{"reservation above limit", "resources:\n  services:\n    api: {memory: 512m, reservation_memory: 1g}\n", []string{
			`c.yaml:3:45: resources.services.api.reservation_memory: found "1g", more than memory "512m"; expected at most the memory limit`}},
		{"service disable beside limits", "resources:\n  services:\n    api:\n      cpus: 1\n      disable: true\n", []string{
			`c.yaml:5:7: resources.services.api.disable: found true beside limits; expected either disable: true or limits, not both`}},
		{"service bad fields", "resources:\n  services:\n    api: {class: [a], disable: 1}\n", []string{
			`c.yaml:3:18: resources.services.api.class: found a sequence; expected a class name`,
			`c.yaml:3:32: resources.services.api.disable: found 1; expected true or false`}},
		{"resource images", "resources:\n  images:\n    \"a[\": db\n    acme/*:\n    b/*: [x]\n", []string{
			`c.yaml:3:5: resources.images: found "a[", a malformed pattern (unclosed [ or trailing \); ` + pat,
			`c.yaml:4:12: resources.images."acme/*": found null; expected a class name`,
			`c.yaml:5:10: resources.images."b/*": found a sequence; expected a class name`}},
		// logging.
		{"logging", "logging:\n  driver: \"\"\n  options: {max-size: 50q, max-file: 0, compress: yes, labels: [a]}\n", []string{
			`c.yaml:2:11: logging.driver: found ""; expected a logging driver such as "json-file" or "local"`,
			`c.yaml:3:23: logging.options.max-size: found "50q"; expected a size such as "50m" (units k, m, g)`,
			`c.yaml:3:38: logging.options.max-file: found 0; expected a positive number of files such as "5"`,
			`c.yaml:3:51: logging.options.compress: found "yes"; expected "true" or "false"`,
			`c.yaml:3:64: logging.options.labels: found a sequence; expected a string`}},
		// healthchecks.
		{"healthchecks not a list", "healthchecks: {image: a}\n", []string{
			`c.yaml:1:15: healthchecks: found a mapping; expected a list of healthchecks, each with image or service`}},
		{"healthcheck entries", `healthchecks:
  - 3
  - {}
  - {image: a, service: b, test: "true"}
  - {image: a, disable: true, test: [CMD, x]}
  - {image: a, test: [CMD]}
  - {image: a, test: [NONE]}
  - {image: a, test: [RUN, x]}
  - {image: a, test: [CMD-SHELL, a, b]}
  - {image: a, test: [CMD, 1]}
  - {image: a, test: ""}
  - {image: a, test: []}
`, []string{
			`c.yaml:2:5: healthchecks[0]: found 3; expected a mapping with image or service, and test or disable`,
			`c.yaml:3:5: healthchecks[1]: found neither image nor service; expected one of them to say what the healthcheck is for`,
			`c.yaml:3:5: healthchecks[1]: found no test; expected test, or disable: true to turn the healthcheck rule off`,
			`c.yaml:4:16: healthchecks[2]: found both image and service; expected one of them`,
			`c.yaml:5:31: healthchecks[3].test: found a test beside disable: true; expected one of them`,
			`c.yaml:6:22: healthchecks[4].test: found "CMD" alone; expected a command after it`,
			`c.yaml:7:23: healthchecks[5].test: found "NONE"; expected disable: true instead of test to turn the healthcheck off`,
			`c.yaml:8:23: healthchecks[6].test: found "RUN" as the first item; expected "CMD" or "CMD-SHELL"`,
			`c.yaml:9:37: healthchecks[7].test: found 2 items after "CMD-SHELL"; expected one shell command string`,
			`c.yaml:10:28: healthchecks[8].test: found 1; expected a string`,
			`c.yaml:11:22: healthchecks[9].test: found an empty command; expected a command such as ["CMD", "wget", "-q", "--spider", "http://localhost:8080/"] or a shell command string`,
			`c.yaml:12:22: healthchecks[10].test: found an empty list; expected a command such as ["CMD", "wget", "-q", "--spider", "http://localhost:8080/"] or a shell command string`}},
		{"healthcheck values", `healthchecks:
  - image: "a["
    test: [CMD, x]
    interval: 30
    timeout: 0s
    start_period: -1s
    start_interval: soon
    retries: "3"
    disable: "no"
    command: x
`, []string{
			`c.yaml:2:12: healthchecks[0].image: found "a[", a malformed pattern (unclosed [ or trailing \); ` + pat,
			`c.yaml:4:15: healthchecks[0].interval: found 30; ` + dur + ` (a unit is required: "30s")`,
			`c.yaml:5:14: healthchecks[0].timeout: found "0s"; expected a duration greater than zero`,
			`c.yaml:6:19: healthchecks[0].start_period: found "-1s", a negative duration; ` + dur,
			`c.yaml:7:21: healthchecks[0].start_interval: found "soon"; ` + dur,
			`c.yaml:8:14: healthchecks[0].retries: found "3"; expected a positive number of retries such as 3`,
			`c.yaml:9:14: healthchecks[0].disable: found "no"; expected true or false`,
			`c.yaml:10:5: unknown key "command" in healthchecks[0]; expected one of: image, service, test, interval, timeout, start_period, start_interval, retries, disable`}},
		{"projects", "projects:\n  - compose.yaml\n  - [\"\", \"${X}.yml\", a.yml]\n  - []\n", []string{
			`c.yaml:2:5: projects[0]: found "compose.yaml"; expected a list of compose files merged in order, such as [compose.yaml, compose.prod.yaml]`,
			`c.yaml:3:6: projects[1][0]: found ""; expected a compose file path relative to the configuration file`,
			`c.yaml:3:10: projects[1][1]: found "${X}.yml"; expected a compose file path relative to the configuration file (no interpolation)`,
			`c.yaml:4:5: projects[2]: found an empty list; expected a list of compose files merged in order, such as [compose.yaml, compose.prod.yaml]`}},
		// Positions count characters, not bytes: "ü" is two bytes.
		{"column counts characters", "update: {images: {\"ü*\": patch}, policy: bad}\n", []string{
			`c.yaml:1:41: update.policy: found "bad"; expected "patch", "minor" or "major"`}},
		// All errors at once, in file order, even when found out of order.
		{"errors in file order", "pin: bad\nhealthchecks:\n  - {}\nselect: [\"a b\"]\nzzz: 1\n", []string{
			`c.yaml:1:6: pin: found "bad"; expected "version", "digest" or "version+digest"`,
			`c.yaml:3:5: healthchecks[0]: found neither image nor service; expected one of them to say what the healthcheck is for`,
			`c.yaml:3:5: healthchecks[0]: found no test; expected test, or disable: true to turn the healthcheck rule off`,
			`c.yaml:4:10: select: found "a b"; ` + rule,
			`c.yaml:5:1: unknown key "zzz"; expected one of: ` + keys}},
		// A bad value behind an anchor is reported at the anchor, once per use.
		{"error behind alias", "x-l: &l {cpus: none}\nresources:\n  classes:\n    a: *l\n    b: *l\n", []string{
			`c.yaml:1:16: resources.classes.a.cpus: found "none"; ` + cpus,
			`c.yaml:1:16: resources.classes.b.cpus: found "none"; ` + cpus}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse("c.yaml", []byte(tt.src))
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, want errors %q", tt.src, f, tt.want)
			}
			if f != nil {
				t.Errorf("Parse(%q) returned a File beside its error", tt.src)
			}
			if d := cmp.Diff(tt.want, errorStrings(t, err)); d != "" {
				t.Errorf("Parse(%q) errors mismatch (-want +got):\n%s", tt.src, d)
			}
		})
	}
}

func TestErrorFields(t *testing.T) {
	_, err := Parse("dir/.composefix.yaml", []byte("pin: version\nupdate:\n  policy: weekly\n"))
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Parse error %T is not a *config.Error: %v", err, err)
	}
	want := &Error{Path: "dir/.composefix.yaml", Line: 3, Col: 11,
		Msg: `update.policy: found "weekly"; expected "patch", "minor" or "major"`}
	if d := cmp.Diff(want, e); d != "" {
		t.Errorf("Parse error mismatch (-want +got):\n%s", d)
	}
	if got, want := (&Error{Line: 1, Col: 2, Msg: "m"}).Error(), "<config>:1:2: m"; got != want {
		t.Errorf("Error() without a path = %q, want %q", got, want)
	}
}

func TestPos(t *testing.T) {
	src := "select: [CF1]\nresources:\n  services:\n    api: {cpus: 1}\nhealthchecks:\n  - image: a\n    test: [CMD, x]\n"
	f, err := Parse("c.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		keys      []string
		line, col int
		ok        bool
	}{
		{[]string{}, 1, 1, true},
		{[]string{"select"}, 1, 1, true},
		{[]string{"select", "0"}, 1, 10, true},
		{[]string{"resources", "services", "api"}, 4, 5, true},
		{[]string{"resources", "services", "api", "cpus"}, 4, 11, true},
		{[]string{"healthchecks", "0", "test"}, 7, 5, true},
		{[]string{"healthchecks", "1"}, 0, 0, false},
		{[]string{"healthchecks", "x"}, 0, 0, false},
		{[]string{"pin"}, 0, 0, false},
		{[]string{"select", "0", "deeper"}, 0, 0, false},
	}
	for _, tt := range tests {
		line, col, ok := f.Pos(tt.keys...)
		if line != tt.line || col != tt.col || ok != tt.ok {
			t.Errorf("Pos(%q) = %d, %d, %t, want %d, %d, %t", tt.keys, line, col, ok, tt.line, tt.col, tt.ok)
		}
	}
	empty, err := Parse("c.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, ok := empty.Pos("select"); ok {
		t.Errorf("Pos on an empty file = ok, want not found")
	}
	var none *File
	if _, _, ok := none.Pos(); ok {
		t.Errorf("Pos on a nil *File = ok, want not found")
	}
}

func TestParseRejectsKeysCaseSensitively(t *testing.T) {
	// YAML keys are case-sensitive; "Pin" is a typo the user should hear about.
	_, err := Parse("c.yaml", []byte("Pin: digest\n"))
	got := errorStrings(t, err)
	if len(got) != 1 || !strings.Contains(got[0], `unknown key "Pin"`) || !strings.HasSuffix(got[0], `did you mean "pin"?`) {
		t.Errorf("Parse(%q) errors = %q, want one unknown key suggesting \"pin\"", "Pin: digest", got)
	}
}
