package composeschema

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

func check(t *testing.T, src string) []string {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(src), &n); err != nil {
		t.Fatal(err)
	}
	vs, err := Check(&n)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, v := range vs {
		out = append(out, fmt.Sprintf("%d:%d %s", v.Node.Line, v.Node.Column, v.Message))
	}
	return out
}

func TestCheck(t *testing.T) {
	for _, tt := range []struct {
		name, src string
		want      []string
	}{{
		name: "valid",
		src:  "services:\n  web:\n    image: nginx:1.27.3\n    restart: on-failure:3\n    ports: [\"80:80\", 8080]\nx-custom: {any: thing}\n",
	}, {
		name: "misspelt key, at the key",
		src:  "services:\n  web:\n    imagee: nginx\n",
		want: []string{`3:5 services.web: unknown key "imagee"`},
	}, {
		name: "restart the schema leaves to compose",
		src:  "services:\n  web:\n    image: nginx\n    restart: sometimes\n",
		want: []string{`4:14 services.web.restart: found "sometimes"; expected "no", always, on-failure, on-failure:N or unless-stopped`},
	}, {
		name: "ports not a list",
		src:  "services:\n  web:\n    image: nginx\n    ports: 8080\n",
		want: []string{`4:12 services.web.ports: found a number; expected a list`},
	}, {
		name: "several violations, in document order",
		src:  "services:\n  web:\n    imagee: nginx\n    restart: sometimes\n    ports: 8080\n",
		want: []string{
			`3:5 services.web: unknown key "imagee"`,
			`4:14 services.web.restart: found "sometimes"; expected "no", always, on-failure, on-failure:N or unless-stopped`,
			`5:12 services.web.ports: found a number; expected a list`,
		},
	}, {
		name: "interpolated values are compose's to check after substitution",
		src:  "services:\n  web:\n    image: nginx\n    restart: ${RESTART:-always}\n    cpus: ${CPUS}\n",
	}, {
		name: "a merged mapping's violation is at the anchor",
		src:  "x-base: &base\n  imagee: nginx\nservices:\n  web:\n    <<: *base\n    image: nginx\n",
		want: []string{`2:3 services.web: unknown key "imagee"`},
	}, {
		name: "keys after a failed value are still known",
		src:  "services:\n  web:\n    image: nginx\n    ports: 8080\n    healthcheck: {test: [CMD, \"true\"]}\n",
		want: []string{`4:12 services.web.ports: found a number; expected a list`},
	}, {
		// compose-go drops !reset values before it validates: an overlay
		// resets the base's logging with !reset null.
		name: "reset values are not validated",
		src:  "services:\n  web:\n    image: nginx\n    logging: !reset null\n    user: !reset\n    ports: [!reset {a: 1}, 8080]\n    restart: !override always\n",
	}, {
		name: "unknown top-level key",
		src:  "services: {}\nservice: {}\n",
		want: []string{`2:1 the file: unknown key "service"`},
	}} {
		t.Run(tt.name, func(t *testing.T) {
			if d := cmp.Diff(tt.want, check(t, tt.src)); d != "" {
				t.Errorf("Check(%q) (-want +got):\n%s", tt.src, d)
			}
		})
	}
}
