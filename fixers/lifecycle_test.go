package fixers

import (
	"testing"

	"github.com/composefix/composefix/compose"
)

// TestServiceLifecycle: a service is long-running only when nothing says it
// exits; the examples of issue 10 (pg_dump, cp in sh -c, openssl req) are
// jobs, a script ending in a server is not, and one ending in an unknown
// program is unsure.
func TestServiceLifecycle(t *testing.T) {
	for _, tc := range []struct {
		name, service string
		want          lifecycle
	}{
		{"pg_dump entrypoint", "image: postgres:16.4\n    entrypoint: [\"pg_dump\", \"-h\", \"db\", \"-f\", \"/backup/dump.sql\"]", oneShot},
		{"cp in sh -c", "image: alpine:3.20\n    command: sh -c \"cp -r /src/. /dst/\"", oneShot},
		{"openssl req through the image's entrypoint", "image: alpine/openssl:3.3.2\n    command: req -x509 -newkey rsa:4096 -nodes -keyout /certs/key.pem -out /certs/cert.pem -days 365 -subj /CN=localhost", oneShot},
		{"openssl s_server", "image: alpine/openssl:3.3.2\n    command: s_server -accept 4433", longRunning},
		{"manage.py migrate", "image: acme/app:1.0.0\n    command: [\"python\", \"manage.py\", \"migrate\"]", oneShot},
		{"migrate then a server", "image: acme/app:1.0.0\n    command: sh -c \"python manage.py migrate && exec gunicorn app.wsgi\"", longRunning},
		{"script ending in a server", "image: valkey/valkey:8.0.1\n    command:\n    - sh\n    - -c\n    - valkey-server --appendonly yes --requirepass $$REDIS_PASSWORD", longRunning},
		{"script ending in a loop", "image: alpine:3.20\n    command: sh -c 'while true; do cp /a /b; sleep 60; done'", longRunning},
		{"script ending in an unknown program", "image: alpine:3.20\n    command: [\"/bin/sh\", \"-c\", \"apk add jq && /scripts/run.sh\"]", unsureLife},
		{"script with a shell entrypoint", "image: alpine:3.20\n    entrypoint: [\"/bin/sh\", \"-ec\"]\n    command: [\"mkdir -p /data && chown 1000 /data\"]", oneShot},
		{"no command", "image: nginx:1.27.3", longRunning},
		{"unknown program", "image: acme/app:1.0.0\n    command: [\"/app/server\", \"--port\", \"8080\"]", longRunning},
		{"tini wrapper", "image: acme/app:1.0.0\n    entrypoint: [\"tini\", \"--\", \"pg_dumpall\"]", oneShot},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := compose.Load("compose.yaml", []byte("services:\n  s:\n    "+tc.service+"\n"))
			if err != nil {
				t.Fatal(err)
			}
			got, why := serviceLifecycle(services(d)[0], nil)
			if got != tc.want {
				t.Errorf("serviceLifecycle(%s) = %d (%q), want %d", tc.name, got, why, tc.want)
			}
		})
	}
}

// TestDependsOnJobInAnotherFile: a dependency defined only in another file
// of the project is a job by its command too, so it is waited for until it
// completes.
func TestDependsOnJobInAnotherFile(t *testing.T) {
	base, err := compose.Load("compose.yaml", []byte("services:\n  backup:\n    image: postgres:16.4\n    entrypoint: [\"pg_dump\", \"-h\", \"db\", \"-f\", \"/backup/app.sql\"]\n  db:\n    image: postgres:16.4\n    healthcheck:\n      test: [\"CMD-SHELL\", \"pg_isready\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	src := "services:\n  api:\n    image: acme/api:1.4.2\n    depends_on: [db, backup]\n"
	override, err := compose.Load("compose.override.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(override, Options{Rules: healthRules(), Project: []*compose.Document{base, override}})
	if err != nil {
		t.Fatal(err)
	}
	want := "services:\n  api:\n    image: acme/api:1.4.2\n    depends_on: {db: {condition: service_healthy}, backup: {condition: service_completed_successfully}}\n"
	if got := string(res.Output); got != want {
		t.Errorf("Run(override) =\n%s\nwant\n%s", got, want)
	}
}
