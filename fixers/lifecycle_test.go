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
		// Found by QA: package-script jobs and a sleep that ends.
		{"npm run seed", "image: node:22.11.0\n    command: npm run seed", oneShot},
		{"npm run db:seed", "image: node:22.11.0\n    command: [\"npm\", \"run\", \"db:seed\"]", oneShot},
		{"yarn migrate", "image: node:22.11.0\n    command: yarn migrate", oneShot},
		{"yarn seed:dev", "image: node:22.11.0\n    command: yarn seed:dev", oneShot},
		{"pnpm run build", "image: node:22.11.0\n    command: pnpm run build", oneShot},
		{"npm ci", "image: node:22.11.0\n    command: npm ci", oneShot},
		{"yarn install", "image: node:22.11.0\n    command: yarn install --frozen-lockfile", oneShot},
		{"npx prisma db seed", "image: node:22.11.0\n    command: npx prisma db seed", oneShot},
		{"knex seed:run", "image: node:22.11.0\n    command: npx knex seed:run", oneShot},
		{"artisan db:seed", "image: php:8.3-cli\n    command: php artisan db:seed --force", oneShot},
		{"rails db:seed", "image: ruby:3.3\n    command: bundle exec rails db:seed", oneShot},
		{"manage.py loaddata", "image: python:3.12\n    command: python manage.py loaddata fixtures.json", oneShot},
		{"manage.py migrate in a script", "image: python:3.12\n    command: sh -c \"pip install -r requirements.txt && python manage.py migrate\"", oneShot},
		{"sleep 30", "image: alpine:3.20\n    command: sleep 30", oneShot},
		{"sleep 1m in a script", "image: alpine:3.20\n    command: sh -c \"touch /ready; sleep 1m\"", oneShot},
		{"sleep infinity", "image: alpine:3.20\n    command: sleep infinity", longRunning},
		{"sleep infinity in a script", "image: alpine:3.20\n    command: sh -c \"cp /a /b && sleep infinity\"", longRunning},
		{"sleep a day, a keep-alive that ends", "image: alpine:3.20\n    command: sleep 86400", unsureLife},
		{"sleep a variable", "image: alpine:3.20\n    command: sh -c 'sleep $$DELAY'", unsureLife},
		// Servers stay servers; a script name that says both is unsure.
		{"npm start", "image: node:22.11.0\n    command: npm start", longRunning},
		{"npm run start:prod", "image: node:22.11.0\n    command: npm run start:prod", longRunning},
		{"yarn dev", "image: node:22.11.0\n    command: yarn dev", longRunning},
		{"pnpm serve", "image: node:22.11.0\n    command: pnpm serve", longRunning},
		{"npm run with an unknown script", "image: node:22.11.0\n    command: npm run api", longRunning},
		{"npm run migrate-and-start", "image: node:22.11.0\n    command: npm run migrate-and-start", unsureLife},
		// Interpreters: the script file's name decides the same way.
		{"node seed script", "image: node:22.11.0\n    command: node scripts/seed.js", oneShot},
		{"python init_db.py", "image: python:3.12\n    command: [\"python\", \"-u\", \"init_db.py\"]", oneShot},
		{"python -m app.migrations", "image: python:3.12\n    command: python -m app.migrations", oneShot},
		{"python -m http.server", "image: python:3.12\n    command: python -m http.server 8000", longRunning},
		{"node server.js", "image: node:22.11.0\n    command: node server.js", longRunning},
		{"node index.js", "image: node:22.11.0\n    command: node index.js", longRunning},
		{"deno run server.ts", "image: denoland/deno:2.0.6\n    command: deno run --allow-net server.ts", longRunning},
		{"artisan serve", "image: php:8.3-cli\n    command: php artisan serve", longRunning},
		{"node start-with-migrations.js", "image: node:22.11.0\n    command: node start-with-migrations.js", unsureLife},
		{"migrate then npm start", "image: node:22.11.0\n    command: sh -c \"npm run migrate && npm start\"", longRunning},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := compose.Load("compose.yaml", []byte("services:\n  s:\n    "+tc.service+"\n"))
			if err != nil {
				t.Fatal(err)
			}
			got, why := (*Pass)(nil).lifecycle(services(d)[0], nil)
			if got != tc.want {
				t.Errorf("lifecycle(%s) = %d (%q), want %d", tc.name, got, why, tc.want)
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

// TestLifecycleKeptPerView: the lifecycle kept with a service (svcDerived)
// answers for that view of it only. The base file's own "app" runs
// nginx; merged with its override it runs a migration and exits, and a
// later pass's document is another file whose answer is its own.
func TestLifecycleKeptPerView(t *testing.T) {
	base := mustLoad(t, "compose.yaml", "services:\n  app:\n    image: nginx:1.27.3\n")
	override := mustLoad(t, "compose.override.yaml", "services:\n  app:\n    command: [\"python\", \"manage.py\", \"migrate\"]\n")
	memo := newRunMemo()
	p := &Pass{Document: base, Project: []*compose.Document{base, override}, memo: memo}
	own, merged := p.servicesOf(base)[0], p.services()[0]
	if own.derived == nil || merged.derived == nil {
		t.Fatal("the run's services keep no lifecycle: the test checks nothing")
	}
	for i := range 2 { // the second time from what was kept
		if l, _ := p.lifecycle(own, nil); l == oneShot {
			t.Errorf("ask %d: the base's own app is a job; it runs nginx", i+1)
		}
		if l, _ := p.lifecycle(merged, nil); l != oneShot {
			t.Errorf("ask %d: the merged app = %v, want a job (its override runs a migration)", i+1, l)
		}
	}
	// A later pass: the base fixed so that app itself runs the migration.
	next := mustLoad(t, "compose.yaml", "services:\n  app:\n    image: nginx:1.27.3\n    command: [\"python\", \"manage.py\", \"migrate\"]\n")
	p2 := &Pass{Document: next, Project: []*compose.Document{base, override}, memo: memo}
	if l, _ := p2.lifecycle(p2.servicesOf(next)[0], nil); l != oneShot {
		t.Errorf("next pass: app = %v, want a job", l)
	}
	if l, _ := p.lifecycle(p.servicesOf(base)[0], nil); l == oneShot {
		t.Errorf("after the next pass: the base's own app is a job; it runs nginx")
	}
}
