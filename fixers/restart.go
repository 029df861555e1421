package fixers

import (
	"github.com/composefix/composefix/compose"
)

func restartRule() *Rule {
	return &Rule{
		ID: "CF201", Name: "restart-policy", Safety: Safe, Severity: Warning,
		Summary: "services without a restart policy get unless-stopped (one-shot jobs \"no\")",
		Doc: `Services without a restart policy get one.

A container that crashes or whose host reboots stays down unless it has a restart
policy. Long-running services get "restart: unless-stopped"; one-shot jobs (a service
others wait on with condition service_completed_successfully, one named like init,
migrate, migrations, setup, seed, create-buckets or *-init, or one whose entrypoint or
command runs a job: pg_dump, cp, a migration or seed (manage.py migrate, db:seed), a
package script or script file named as a job (npm run seed, yarn migrate, pnpm run
build, npm ci, node scripts/seed.js), a sleep of less than an hour, openssl req, a
"sh -c" script that ends in one) get
restart: "no" so they are not restarted after they finish; sleep infinity and scripts
named start, serve or dev keep running. When unsure, the service is reported without
a fix: a "sh -c" script that ends in neither a server nor a known job, a package
script whose name says both (migrate-and-start), or a sleep of an hour or more (a
keep-alive may be meant to restart). Services that set restart themselves, inherit
it through a merge key or extends, or use deploy.restart_policy are left alone.

Before:
  services:
    web:
      image: nginx:1.27.3
    migrate:
      image: app:1.4.2

After:
  services:
    web:
      image: nginx:1.27.3
      restart: unless-stopped
    migrate:
      image: app:1.4.2
      restart: "no"`,
		Check: checkRestart,
	}
}

func checkRestart(p *Pass) error {
	ss := p.services()
	all := p.serviceNames()
	completed := p.completedDependencies()
	// One value node for every service: nothing writes to a value once
	// it is rendered (see healthCtx.shape).
	unlessStopped, no := compose.Str("unless-stopped"), compose.Quoted("no")
	for _, s := range ss {
		if p.settled(all, s, "restart") {
			continue
		}
		if deploy := s.get("deploy"); deploy != nil {
			if v, _ := compose.Lookup(deploy, "restart_policy"); v != nil {
				continue
			}
		}
		value, want := unlessStopped, "unless-stopped"
		switch life, why := p.lifecycle(s, completed); life {
		case oneShot:
			value, want = no, `"no"`
		case unsureLife:
			// A script that may exit: unless-stopped would run a job again
			// after it succeeded, "no" would leave a server down.
			p.reportf(s.Key, nil, "service %q has no restart policy, and its command ends in %q, which may exit; expected restart: unless-stopped for a server or \"no\" for a job, set by hand", s.Name, why)
			continue
		}
		if o := p.overlayRuns(s.Name); o != "" {
			p.reportf(s.Key, nil, "service %q has no restart policy; %s, an overlay of this file, runs another image or command for it: set one by hand, here or in the overlay", s.Name, o)
			continue
		}
		var fix *Fix
		if s.target != nil {
			// A refusal (a shape the engine cannot edit safely) leaves the
			// finding without a fix; it must not stop the other services.
			if ch, err := p.Document.InsertKey(s.target, "restart", value); err == nil {
				fix = p.fixf(ch, "Add restart: %s to %s", want, s.Name)
			}
		}
		p.reportf(s.Key, fix, "service %q has no restart policy; expected restart: %s", s.Name, want)
	}
	return nil
}
