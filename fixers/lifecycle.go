package fixers

import (
	"math"
	"path"
	"strconv"
	"strings"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/fixers/kb"
	"go.yaml.in/yaml/v3"
)

// lifecycle is whether a service keeps running or runs once and exits; it
// decides restart: unless-stopped or "no", and whether a healthcheck and
// limits make sense.
type lifecycle int

const (
	longRunning lifecycle = iota // nothing says it exits
	oneShot                      // its name, a dependent or its command says it exits
	unsureLife                   // a shell script whose end is neither a server nor a known job
)

// The word lists of this file are switches that report whether a word is
// in the list: a package map literal is built by code at every process
// start, --version included (issue 14).

// oneShotPrograms exit when their work is done: dumps and restores, copies,
// migrations, certificate and key generation, clients. Names are program
// base names.
func oneShotPrograms(name string) bool {
	switch name {
	case "pg_dump", "pg_dumpall", "pg_restore", "pg_basebackup", "mysqldump",
		"mariadb-dump", "mongodump", "mongorestore", "mongoimport", "cp", "mv",
		"rsync", "tar", "chown", "chmod", "mkdir", "ln", "rm", "touch", "echo", "true",
		"envsubst", "migrate", "flyway", "liquibase", "alembic", "openssl", "certbot",
		"ssh-keygen", "keytool", "htpasswd", "mkcert", "mc", "curl", "wget", "psql",
		"git":
		return true
	}
	return false
}

// oneShotWords are arguments that make a run a migration or setup job
// ("python manage.py migrate", "npx prisma migrate deploy").
func oneShotWords(arg string) bool {
	switch arg {
	case "migrate", "db:migrate", "migrate:deploy", "migrate:latest", "collectstatic",
		"seed", "db:seed", "seed:run", "loaddata", "db:setup", "db:create":
		return true
	}
	return false
}

// oneShotWordPrefixes make a migration or seed task of any argument they
// start (artisan's migrate:fresh, knex's seed:make).
var oneShotWordPrefixes = []string{"migrate:", "seed:", "db:migrate:", "db:seed:"}

// packageRunners run a script of the project's package.json by name
// ("npm run seed", "yarn migrate"); the name says whether it is a job.
func packageRunners(name string) bool {
	switch name {
	case "npm", "yarn", "pnpm", "bun":
		return true
	}
	return false
}

// interpreters run a script file (or a python -m module) whose name says
// whether it is a job ("node scripts/seed.js", "python init_db.py").
func interpreters(name string) bool {
	switch name {
	case "node", "nodejs", "python", "python3", "ruby", "php", "deno", "tsx", "ts-node",
		"perl":
		return true
	}
	return false
}

// packageRunnerExec run a package's binary, like npx: the binary decides.
func packageRunnerExec(name string) bool {
	switch name {
	case "npx", "pnpx", "bunx":
		return true
	}
	return false
}

// scriptJobWords and scriptServerWords are the words of a package script's
// name (split at ":", "-", "_" and ".") that make it a job or a server.
// Words such as "dev" or "prod" that only name an environment decide
// nothing after the first word ("seed:dev", "build:prod").
func scriptJobWords(word string) bool {
	switch word {
	case "seed", "seeds", "seeder", "migrate", "migration", "migrations",
		"build", "install", "ci", "test", "tests", "lint", "generate",
		"codegen", "setup", "init", "bootstrap", "compile", "typecheck":
		return true
	}
	return false
}

func scriptServerWords(word string) bool {
	switch word {
	case "start", "serve", "server", "watch", "preview", "develop":
		return true
	}
	return false
}

// longRunningPrograms are servers and supervisors: a script that ends in
// one keeps running.
func longRunningPrograms(name string) bool {
	switch name {
	case "nginx", "httpd", "httpd-foreground", "apache2-foreground", "caddy", "traefik",
		"haproxy", "envoy", "redis-server", "valkey-server", "postgres", "mysqld",
		"mariadbd", "mongod", "memcached", "rabbitmq-server", "node", "npm", "yarn",
		"pnpm", "bun", "deno", "gunicorn", "uvicorn", "hypercorn", "daphne", "celery",
		"java", "php-fpm", "php-fpm8", "supervisord", "crond", "cron", "tail", "wait",
		"docker-entrypoint.sh", "/docker-entrypoint.sh", "minio", "grafana-server",
		"uwsgi", "puma", "unicorn", "rails", "bundle", "flask", "streamlit", "dotnet",
		"prometheus", "dockerd-entrypoint.sh":
		return true
	}
	return false
}

// imageEntrypoints name the program of images whose entrypoint is a tool,
// so that a command holds only its arguments (alpine/openssl req -x509):
// the program of the image repository repo, and whether it is one.
func imageEntrypoints(repo string) (string, bool) {
	switch repo {
	case "alpine/openssl":
		return "openssl", true
	case "minio/mc":
		return "mc", true
	case "curlimages/curl":
		return "curl", true
	case "certbot/certbot":
		return "certbot", true
	case "flyway/flyway":
		return "flyway", true
	case "migrate/migrate":
		return "migrate", true
	case "liquibase/liquibase":
		return "liquibase", true
	case "alpine/git":
		return "git", true
	}
	return "", false
}

// wrappers run the program given as their arguments.
func wrappers(name string) bool {
	switch name {
	case "exec", "env", "tini", "dumb-init", "gosu", "su-exec", "nice", "time":
		return true
	}
	return false
}

func shellNames(name string) bool {
	switch name {
	case "sh", "bash", "ash", "dash", "zsh":
		return true
	}
	return false
}

// lifecycle classifies s, with the program or script end that decided it
// when its command did ("" otherwise). It is made once per run for each
// service the run keeps (svcDerived), else for each (entrypoint, command,
// image) the services hold: several rules ask about every service, and a
// dependency is asked about by each of its dependants. p may be nil:
// nothing is kept.
func (p *Pass) lifecycle(s svc, completed map[string]bool) (lifecycle, string) {
	if completed[s.Name] {
		return oneShot, ""
	}
	if c := s.derived; c != nil {
		if !c.known {
			c.life, c.why = classifyService(s)
			c.known = true
		}
		return c.life, c.why
	}
	if isOneShotName(s.Name) {
		return oneShot, ""
	}
	ep, cmd, img := s.value("entrypoint"), s.value("command"), s.value("image")
	k := [3]*yaml.Node{ep, cmd, img}
	var memo map[[3]*yaml.Node]classified
	if p != nil && p.memo != nil {
		if memo = p.memo.lifecycles[p.Document]; memo == nil {
			// Services run nodes of their own: about one entry each.
			memo = make(map[[3]*yaml.Node]classified, len(p.servicesOf(p.Document)))
			p.memo.lifecycles[p.Document] = memo
		}
		if c, ok := memo[k]; ok {
			return c.l, c.why
		}
	}
	l, why := runLifecycle(s, ep, cmd)
	if memo != nil {
		memo[k] = classified{l, why}
	}
	return l, why
}

// classifyService is lifecycle without the dependencies that wait for s
// to complete, and without a memo.
func classifyService(s svc) (lifecycle, string) {
	if isOneShotName(s.Name) {
		return oneShot, ""
	}
	return runLifecycle(s, s.value("entrypoint"), s.value("command"))
}

// runLifecycle classifies what s runs: its entrypoint ep (or its image's) and
// command cmd.
func runLifecycle(s svc, ep, cmd *yaml.Node) (lifecycle, string) {
	argv := append(words(ep), words(cmd)...)
	if ep == nil {
		if prog, ok := imageEntrypoints(kb.Repository(imageOf(s))); ok {
			argv = append([]string{prog}, argv...)
		}
	}
	return commandLifecycle(argv)
}

// classified is a command's lifecycle, with what decided it.
type classified struct {
	l   lifecycle
	why string
}

// isOneShot reports whether a service runs once and exits.
func (p *Pass) isOneShot(s svc, completed map[string]bool) bool {
	l, _ := p.lifecycle(s, completed)
	return l == oneShot
}

// commandLifecycle classifies a command in exec form. An unknown program is
// long-running: only a command that says it exits makes a job.
func commandLifecycle(argv []string) (lifecycle, string) {
	argv = unwrap(argv)
	if len(argv) == 0 {
		return longRunning, ""
	}
	prog := path.Base(argv[0])
	if shellNames(prog) {
		if script, ok := shellScript(argv[1:]); ok {
			return scriptLifecycle(script)
		}
		return longRunning, ""
	}
	switch {
	case prog == "openssl" && len(argv) > 1 && argv[1] == "s_server":
		return longRunning, ""
	case oneShotPrograms(prog):
		return oneShot, prog
	case prog == "sleep":
		return sleepLifecycle(argv)
	case packageRunnerExec(prog):
		if rest := withoutFlags(argv[1:]); len(rest) > 0 {
			return commandLifecycle(rest)
		}
	case packageRunners(prog):
		if l, why, ok := packageScriptLifecycle(prog, withoutFlags(argv[1:])); ok {
			return l, why
		}
	case interpreters(prog):
		if l, why, ok := scriptFileLifecycle(prog, argv[1:]); ok {
			return l, why
		}
	}
	for _, a := range argv[1:] {
		if isOneShotArg(a) {
			return oneShot, strings.Join(argv[:2], " ")
		}
	}
	if longRunningPrograms(prog) {
		return longRunning, prog
	}
	return longRunning, ""
}

// isOneShotArg reports whether an argument names a migration or setup
// task.
func isOneShotArg(a string) bool {
	if oneShotWords(a) {
		return true
	}
	for _, p := range oneShotWordPrefixes {
		if strings.HasPrefix(a, p) {
			return true
		}
	}
	return false
}

// maxJobSleep is how long a lone sleep may be and still be a job's wait.
// A longer one (sleep 86400) is usually a keep-alive that is meant to be
// restarted when it ends: unsure.
const maxJobSleep = 3600 // seconds

// sleepLifecycle classifies "sleep ARGS": infinity never ends; a short
// duration ends (a delay job); a long or unknown one (a variable) is unsure.
func sleepLifecycle(argv []string) (lifecycle, string) {
	why := strings.Join(argv, " ")
	total := 0.0
	for _, a := range argv[1:] {
		if a == "infinity" || a == "inf" {
			return longRunning, why
		}
		unit := 1.0
		switch {
		case strings.HasSuffix(a, "s"):
			a = strings.TrimSuffix(a, "s")
		case strings.HasSuffix(a, "m"):
			a, unit = strings.TrimSuffix(a, "m"), 60
		case strings.HasSuffix(a, "h"):
			a, unit = strings.TrimSuffix(a, "h"), 3600
		case strings.HasSuffix(a, "d"):
			a, unit = strings.TrimSuffix(a, "d"), 86400
		}
		n, err := strconv.ParseFloat(a, 64)
		if err != nil || n < 0 || math.IsInf(n, 0) || math.IsNaN(n) {
			return unsureLife, why
		}
		total += n * unit
	}
	if len(argv) < 2 || total >= maxJobSleep {
		return unsureLife, why
	}
	return oneShot, why
}

// withoutFlags drops the leading options of a runner's arguments
// ("--silent run seed").
func withoutFlags(args []string) []string {
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		args = args[1:]
	}
	return args
}

// packageScriptLifecycle classifies "npm|yarn|pnpm|bun ARGS" by what it
// runs: an install or a package script whose name says job or server. ok
// is false when nothing in it decides (an unknown script name).
func packageScriptLifecycle(runner string, args []string) (l lifecycle, why string, ok bool) {
	if len(args) == 0 {
		if runner == "yarn" {
			return oneShot, "yarn", true // a bare yarn installs
		}
		return longRunning, "", false
	}
	cmd, rest := args[0], withoutFlags(args[1:])
	why = runner + " " + cmd
	switch cmd {
	case "install", "i", "ci", "add", "rebuild", "prune", "install-clean":
		return oneShot, why, true
	case "exec", "x", "dlx":
		if len(rest) == 0 {
			return longRunning, "", false
		}
		l, why := commandLifecycle(rest)
		return l, why, true
	case "run", "run-script":
		if len(rest) == 0 {
			return longRunning, "", false
		}
		cmd, why = rest[0], why+" "+rest[0]
	case "start":
		return longRunning, why, true
	case "test", "t":
		if runner == "npm" {
			return oneShot, why, true
		}
	}
	if runner == "npm" && why == "npm "+cmd {
		return longRunning, "", false // npm runs a script only through run
	}
	if l, ok := nameLifecycle(cmd); ok {
		return l, why, true
	}
	return longRunning, "", false
}

// scriptFileLifecycle classifies "node|python|... [options] FILE" (or
// python's "-m MODULE", or deno's "run FILE") by the file's or module's
// name; ok is false when the name decides nothing.
func scriptFileLifecycle(prog string, args []string) (l lifecycle, why string, ok bool) {
	if prog == "deno" && len(args) > 0 && args[0] == "run" {
		args = args[1:]
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-m" && i+1 < len(args):
			mod := args[i+1]
			l, ok := nameLifecycle(mod[strings.LastIndex(mod, ".")+1:])
			return l, prog + " -m " + mod, ok
		case a == "-c" || a == "-e" || a == "--eval":
			return longRunning, "", false // inline code: nothing to go by
		case strings.HasPrefix(a, "-"):
			continue
		}
		base := path.Base(a)
		l, ok := nameLifecycle(strings.TrimSuffix(base, path.Ext(base)))
		return l, prog + " " + a, ok
	}
	return longRunning, "", false
}

// nameLifecycle classifies a package script's, file's or module's name by
// its words, split at ":", "-", "_" and ".": job words make a job, server
// words (or a first word "dev") a server, both are unsure; ok is false
// when it has neither.
func nameLifecycle(name string) (lifecycle, bool) {
	words := strings.FieldsFunc(strings.ToLower(name), func(r rune) bool { return r == ':' || r == '-' || r == '_' || r == '.' })
	job, server := false, len(words) > 0 && words[0] == "dev"
	for _, w := range words {
		job = job || scriptJobWords(w)
		server = server || scriptServerWords(w)
	}
	switch {
	case job && server:
		return unsureLife, true
	case job:
		return oneShot, true
	case server:
		return longRunning, true
	}
	return longRunning, false
}

// unwrap drops wrappers (exec, env VAR=x, tini --) in front of a program.
func unwrap(argv []string) []string {
	for len(argv) > 0 {
		p := path.Base(argv[0])
		switch {
		case wrappers(p):
			argv = argv[1:]
		case p == "--" || strings.HasPrefix(p, "-") && len(argv) > 1 || strings.Contains(argv[0], "="):
			argv = argv[1:] // tini's "--", env's options and assignments
		default:
			return argv
		}
	}
	return argv
}

// shellScript returns the script of "sh [-e...] -c SCRIPT".
func shellScript(args []string) (string, bool) {
	for i, a := range args {
		if !strings.HasPrefix(a, "-") {
			return "", false
		}
		if strings.Contains(a, "c") && i+1 < len(args) {
			return args[i+1], true
		}
	}
	return "", false
}

// scriptLifecycle classifies a shell script by its last command: a server
// (or exec of any program, which then runs as the container's process) or
// a loop keeps it running, a known job ends it, anything else is unsure.
func scriptLifecycle(script string) (lifecycle, string) {
	last := lastCommand(script)
	if last == "" {
		return unsureLife, ""
	}
	if strings.HasPrefix(last, "while ") || strings.HasPrefix(last, "until ") || last == "done" || strings.HasSuffix(last, " done") {
		return longRunning, "a loop"
	}
	for _, kw := range []string{"then ", "else ", "do ", "{ ", "( "} {
		last = strings.TrimSpace(strings.TrimPrefix(last, kw))
	}
	argv, err := kb.SplitShell(last)
	if err != nil || len(argv) == 0 {
		return unsureLife, last
	}
	if path.Base(argv[0]) == "exec" && len(unwrap(argv)) > 0 {
		if l, why := commandLifecycle(argv); l != longRunning {
			return l, why
		}
		return longRunning, "exec"
	}
	switch l, why := commandLifecycle(argv); {
	case l != longRunning:
		return l, why
	case why != "":
		return longRunning, why
	}
	return unsureLife, unwrap(argv)[0]
}

// lastCommand returns the last simple command of a script: after the last
// ";", "&&", "||", "&" or newline outside quotes, comments dropped.
func lastCommand(script string) string {
	var cmds []string
	var cur strings.Builder
	quote := byte(0)
	flush := func() {
		if c := strings.TrimSpace(cur.String()); c != "" {
			cmds = append(cmds, c)
		}
		cur.Reset()
	}
	for i := 0; i < len(script); i++ {
		c := script[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			} else if c == '\\' && quote == '"' && i+1 < len(script) {
				cur.WriteByte(c)
				i++
				c = script[i]
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '\\' && i+1 < len(script):
			cur.WriteByte(c)
			i++
			c = script[i]
		case c == '#' && (i == 0 || script[i-1] == ' ' || script[i-1] == '\n' || script[i-1] == '\t'):
			for i < len(script) && script[i] != '\n' {
				i++
			}
			flush()
			continue
		case c == ';' || c == '\n' || c == '&' || c == '|':
			flush()
			continue
		}
		cur.WriteByte(c)
	}
	flush()
	// A loop or block written over several commands ends in "done" or "fi";
	// keep its head so that it is recognised.
	for i := len(cmds) - 1; i >= 0; i-- {
		if cmds[i] == "done" || strings.HasSuffix(cmds[i], " done") {
			return "done"
		}
		if cmds[i] != "fi" && cmds[i] != "}" {
			return cmds[i]
		}
	}
	return ""
}

// words returns a command or entrypoint in exec form: a sequence's items,
// or a string split as a shell would.
func words(n *yaml.Node) []string {
	switch {
	case n == nil:
		return nil
	case n.Kind == yaml.SequenceNode:
		var out []string
		for _, it := range n.Content {
			if it = compose.Resolve(it); it != nil && it.Kind == yaml.ScalarNode {
				out = append(out, it.Value)
			}
		}
		return out
	case n.Kind == yaml.ScalarNode && n.Tag != "!!null":
		w, err := kb.SplitShell(n.Value)
		if err != nil {
			return strings.Fields(n.Value)
		}
		return w
	}
	return nil
}
