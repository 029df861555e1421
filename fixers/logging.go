package fixers

import (
	"strings"

	"github.com/composefix/composefix/compose"
	"go.yaml.in/yaml/v3"
)

const (
	loggingKey    = "x-logging"
	loggingAnchor = "default-logging"
)

func loggingRule() *Rule {
	return &Rule{
		ID: "CF401", Name: "logging-anchor", Safety: Safe, Severity: Warning,
		Summary: "services without logging share one rotated json-file logging anchor",
		Doc: `Services without a logging configuration share one rotated logging anchor.

Docker's default json-file driver never rotates: a chatty container fills the disk.
The fix adds one top-level "x-logging: &default-logging" block before services (driver
json-file with max-size "50m", max-file "5", compress "true", configurable in
.composefix.yaml) and "logging: *default-logging" to every service that has no logging
of its own or inherited. An existing top-level logging anchor is reused; a second one
is never added.

Before:
  services:
    web:
      image: nginx:1.27.3

After:
  x-logging: &default-logging
    driver: json-file
    options:
      max-size: "50m"
      max-file: "5"
      compress: "true"

  services:
    web:
      image: nginx:1.27.3
      logging: *default-logging`,
		Check: checkLogging,
	}
}

func checkLogging(p *Pass) error {
	d := p.Document
	ss := services(d)
	all := byName(ss)
	var missing []svc
	for _, s := range ss {
		if !p.settled(all, s, "logging") {
			missing = append(missing, s)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	// Refusals of the engine (a shape it cannot edit safely) leave the
	// findings without fixes; they never stop the rule.
	anchor := existingLoggingAnchor(d)
	var shared compose.Change // the anchor block, shared by every service's fix
	if anchor == nil && canAddLoggingAnchor(d) {
		block := loggingBlock(p.Config.Logging)
		if ch, err := d.AddExtension(loggingKey, block); err == nil {
			anchor, shared = block, ch
		}
	} else if anchor != nil && !definedBeforeServices(d, anchor) {
		anchor = nil // an alias can only name an anchor defined above it
	}
	for _, s := range missing {
		var fix *Fix
		if anchor != nil && s.target != nil {
			ch, err := d.InsertKey(s.target, "logging", compose.Alias(anchor))
			if err != nil {
				p.Report(s.Key, nil, "service %q has no logging configuration; the default json-file driver never rotates logs", s.Name)
				continue
			}
			var all compose.Change
			all.Add(shared)
			all.Add(ch)
			compose.SortEdits(all.Edits)
			fix = p.NewFix(all, "Add logging: *%s to %s", anchor.Anchor, s.Name)
		}
		p.Report(s.Key, fix, "service %q has no logging configuration; the default json-file driver never rotates logs", s.Name)
	}
	return nil
}

// definedBeforeServices reports whether n starts above the services key.
func definedBeforeServices(d *compose.Document, n *yaml.Node) bool {
	k, _ := compose.MapGet(d.Root, "services")
	return k != nil && d.NodeOffset(n) < d.NodeOffset(k)
}

// existingLoggingAnchor returns a top-level extension's value that carries an
// anchor and looks like a logging configuration (a driver or options key).
func existingLoggingAnchor(d *compose.Document) *yaml.Node {
	root := d.Root
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if !strings.HasPrefix(k.Value, "x-") || v.Kind != yaml.MappingNode || v.Anchor == "" {
			continue
		}
		if _, drv := compose.MapGet(v, "driver"); drv != nil {
			return v
		}
		if _, opts := compose.MapGet(v, "options"); opts != nil && strings.Contains(k.Value, "log") {
			return v
		}
	}
	return nil
}

// canAddLoggingAnchor reports whether x-logging and &default-logging are free.
func canAddLoggingAnchor(d *compose.Document) bool {
	if k, _ := compose.MapGet(d.Root, loggingKey); k != nil {
		return false
	}
	free := true
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Anchor == loggingAnchor {
			free = false
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(d.Root)
	return free
}

func loggingBlock(cfg Logging) *yaml.Node {
	opts := compose.Map()
	for _, kv := range cfg.Options {
		opts.Content = append(opts.Content, compose.Str(kv.Key), compose.Quoted(kv.Value))
	}
	block := compose.Map("driver", cfg.Driver)
	if len(opts.Content) > 0 {
		block.Content = append(block.Content, compose.Str("options"), opts)
	}
	block.Anchor = loggingAnchor
	return block
}
