package config

import "strings"

// DefaultTemplate is the commented configuration `composefix init` writes.
// Every key is present but commented out, so the file changes nothing until
// a line is uncommented, and later changes to built-in defaults still reach
// the user.
//
// Layout, which the tests rely on: prose lines are "#" alone or "# "
// followed by a non-blank character; every other line starting with "#" is
// an example, "#" followed directly by YAML (a top-level key, or two or more
// spaces of indentation). Removing the "#" from every example line yields a
// valid configuration that sets every key.
//
// UncommentTemplate turns it into a configuration that sets every key.
const DefaultTemplate = `# composefix configuration.
#
# Each compose file gets the nearest .composefix.yaml from its own
# directory up to its repository root (the directory holding .git), unless
# --config names one file for all. Every key is optional and everything
# here is commented out: uncomment a line (remove the "#") to use it.
# Command-line flags win over this file. Unknown keys and bad values are
# reported as file:line:col. Top-level keys starting with x- are ignored
# and may hold YAML anchors, as in compose files.

# Rules to run: rule IDs (CF001), ID prefixes (CF1), rule names, or all,
# as a list or a comma-separated string. Default: every rule. List the
# rules with "composefix rules".
#select: [CF0, CF1, CF2, CF3, CF4, CF5, CF6]

# Rules to skip, in the same forms as select. ignore wins over select.
#ignore: [CF509]

# Images composefix leaves alone: no registry lookup, no pin, no update.
# Glob patterns (* and ? stop at "/") on the image with or without its tag;
# a pattern ending in "/*" also covers deeper paths, so registry.internal/*
# matches registry.internal/team/app:1.2.
#ignore_images:
#  - registry.internal/*
#  - acme/*

# Files that form one project, merged in order as docker compose -f does;
# paths are relative to this file. Without this, compose.override.yaml and
# compose.<name>.yaml (docker-compose.<name>.yml) are analysed over the
# compose.yaml beside them, and fixes that add a default (restart, logging,
# healthcheck, limits, security options) go into the file that defines the
# service. A project of one file keeps such a file standalone.
#projects:
#  - [compose.yaml, compose.prod.yaml]
#  - [docker-compose.test.yml]

# Paths composefix leaves alone, in .gitignore syntax, relative to this
# file's directory; --exclude adds more. Directory search also skips what
# .gitignore ignores.
#exclude:
#  - legacy/
#  - "*.dev.yaml"

# Unsafe fixes can change how a service behaves (resource limits, port
# bindings, security options), so they are only shown unless enabled:
# for every rule with --unsafe-fixes or "unsafe_fixes: true", or here per
# rule ID, ID prefix or name. The most specific entry wins.
#unsafe_fixes:
#  all: false
#  CF3: true
#  CF501: true

# The severity of a rule's findings: error, warning or info, per rule
# ID, ID prefix or name; the most specific entry wins. Error-level
# findings make --check fail. Default: each rule's own (composefix rules).
#severity:
#  CF003: error
#  CF5: error
#  runs-as-root: warning

# How floating tags are pinned: version (redis:7 becomes redis:7.4.1),
# digest (redis:7@sha256:...) or version+digest (redis:7.4.1@sha256:...).
# Default: version; --pin wins.
#pin: version

# How far "composefix update" may move a pinned version: patch (7.4.1 to
# 7.4.3), minor (to 7.5.0) or major (to 8.0.0). Default: minor. min_age
# holds back releases younger than it ("3d", "12h"; like Renovate's
# minimumReleaseAge). group_by groups "update --plan" into pull requests:
# unset, each major alone and the rest together; or all, image or type.
# images sets a policy (and min_age) per image pattern; the first matching
# pattern wins.
#update:
#  policy: minor
#  min_age: 3d
#  group_by: type
#  images:
#    postgres: patch
#    traefik: major
#    grafana/*:
#      policy: major
#      min_age: 7d

# Resolve a registry's images at another URL: a pull-through cache or an
# air-gapped mirror (http or https). Pins keep the image's own host.
# docker.io also stands for index.docker.io and registry-1.docker.io.
# Credentials come from the Docker config, never from this file.
#mirrors:
#  docker.io: https://mirror.example.internal

# Registries reached over plain HTTP, as host or host:port. Loopback
# registries (127.0.0.1, localhost) need not be listed.
#insecure_registries:
#  - registry.local:5000

# How long registry answers (tag lists, digests) stay in the disk cache.
# Default: 1h; --refresh ignores the cache for one run.
#cache_ttl: 1h

# How long a registry's "not found" (no such repository, tag or digest)
# stays in the disk cache, offline too. Default: 1h; --refresh asks again.
#cache_not_found_ttl: 1h

# Read every image's layers (tar headers only, cached by layer digest) to
# learn which programs it holds, so that healthchecks use one that exists.
# Default: false; --inspect-files turns it on for one run.
#inspect_files: true

# Resource limits (deploy.resources; an unsafe fix, see unsafe_fixes).
# classes overrides the limits of an image class (database, cache, search,
# proxy, broker, monitoring, object-storage, scanner, application) or
# defines a new one; services overrides one service (class puts it in a
# class, disable: true adds no limits to it); images assigns image patterns
# to a class, the first matching pattern winning. cpus is a positive number;
# memory and reservation_memory are sizes in b, k, kb, m, mb, g or gb.
#resources:
#  classes:
#    database:
#      cpus: "2"
#      memory: 2g
#      reservation_memory: 1g
#  services:
#    api:
#      class: application
#      cpus: "1.5"
#      memory: 1536m
#      reservation_memory: 512m
#    batch:
#      disable: true
#  images:
#    acme/search-*: search

# The logging anchor added to services without logging. Default: driver
# json-file with max-size 50m, max-file 5 and compress true.
#logging:
#  driver: json-file
#  options:
#    max-size: 50m
#    max-file: "5"
#    compress: "true"

# Healthchecks for in-house images and services, or overrides of the
# built-in ones. Each entry names an image pattern or a service; entries
# naming the service win, then the first matching image. test is a list
# starting with CMD or CMD-SHELL, or a shell command string; the binary
# must exist inside the image. Durations look like 30s or 1m30s; retries
# is a positive count. disable: true turns the healthcheck rule off.
#healthchecks:
#  - image: acme/api*
#    test: ["CMD", "wget", "-q", "--spider", "http://localhost:8080/healthz"]
#    interval: 30s
#    timeout: 5s
#    retries: 3
#    start_period: 30s
#    start_interval: 5s
#  - service: worker
#    test: celery -A app inspect ping
#  - image: acme/migrate
#    disable: true
`

// UncommentTemplate removes the "#" from every example line of a template
// laid out as DefaultTemplate is and drops the prose: the result sets
// every key the template documents. Tests load it to keep the template's
// examples valid.
func UncommentTemplate(src string) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(src, "\n") {
		body := strings.TrimSuffix(line, "\n")
		if body == "#" || strings.HasPrefix(body, "# ") && len(body) > 2 && body[2] != ' ' {
			continue
		}
		b.WriteString(strings.TrimPrefix(line, "#"))
	}
	return b.String()
}
