package fixers

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/composefix/composefix/compose"
	"go.yaml.in/yaml/v3"
)

const (
	loggingKey    = "x-logging"
	loggingAnchor = "default-logging"
	// The block added beside a file's own x-logging anchor that does not
	// rotate logs.
	rotatedLoggingKey    = "x-rotated-logging"
	rotatedLoggingAnchor = "rotated-logging"
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
of its own or inherited. An existing top-level logging anchor is reused when it rotates
logs (json-file with a max-size, or local); one that does not (driver none, json-file
without max-size, syslog) is left to the services that use it, and the others get a
rotating anchor of their own (x-rotated-logging when x-logging is taken), or a finding
when no name is free.

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
	ss := p.servicesOf(d)
	all := p.namesOf(d)
	missing := make([]svc, 0, len(ss)) // at most every service, grown a doubling at a time in a large file
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
	var refused string        // why no anchor can be given, for the message
	switch {
	case anchor != nil && !rotatesLogs(anchor):
		// Reusing it would discard logs (driver: none) or keep them
		// unrotated; the file gets a rotating anchor of its own.
		refused = fmt.Sprintf("; the file's logging anchor &%s does not rotate logs (expected json-file or local with a max-size), so it is not reused", anchor.Anchor)
		anchor = nil
		for _, name := range []struct{ key, anchor string }{{loggingKey, loggingAnchor}, {rotatedLoggingKey, rotatedLoggingAnchor}} {
			if canAddAnchor(d, name.key, name.anchor) {
				block := loggingBlock(p.Config.Logging, name.anchor)
				if ch, err := d.AddExtension(name.key, block); err == nil {
					anchor, shared, refused = block, ch, ""
				}
				break
			}
		}
	case anchor == nil && canAddAnchor(d, loggingKey, loggingAnchor):
		block := loggingBlock(p.Config.Logging, loggingAnchor)
		if ch, err := d.AddExtension(loggingKey, block); err == nil {
			anchor, shared = block, ch
		}
	case anchor != nil && !definedBeforeServices(d, anchor):
		anchor = nil // an alias can only name an anchor defined above it
	}
	var alias *yaml.Node // one for every service (see healthCtx.shape)
	if anchor != nil {
		alias = compose.Alias(anchor)
	}
	for _, s := range missing {
		var fix *Fix
		if refused != "" {
			p.reportf(s.Key, nil, "service %q has no logging configuration; the default json-file driver never rotates logs%s", s.Name, refused)
			continue
		}
		if anchor != nil && s.target != nil {
			ch, err := d.InsertKey(s.target, "logging", alias)
			if err != nil {
				p.reportf(s.Key, nil, "service %q has no logging configuration; the default json-file driver never rotates logs", s.Name)
				continue
			}
			// Sized: two appends to empty slices grew each of them twice.
			all := compose.Change{Edits: make([]compose.Edit, 0, len(shared.Edits)+len(ch.Edits)), Ops: make([]*compose.Op, 0, len(shared.Ops)+len(ch.Ops))}
			all.Add(shared)
			all.Add(ch)
			compose.SortEdits(all.Edits)
			fix = p.fixf(all, "Add logging: *%s to %s", anchor.Anchor, s.Name)
		}
		p.reportf(s.Key, fix, "service %q has no logging configuration; the default json-file driver never rotates logs", s.Name)
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

// rotatesLogs reports whether a logging configuration keeps the logs on
// the host and rotates them: json-file (the default driver) with a
// max-size, or local, which rotates by default and whose max-size only
// changes the limit. Other drivers discard the logs (none) or send them
// elsewhere: reusing them for another service changes where its logs go.
func rotatesLogs(cfg *yaml.Node) bool {
	driver := "json-file"
	if _, v := compose.MapGet(cfg, "driver"); v != nil {
		driver = compose.Resolve(v).Value
	}
	switch driver {
	case "local":
		return true
	case "json-file":
		opts, _ := compose.Lookup(cfg, "options")
		size, _ := compose.Lookup(compose.Resolve(opts), "max-size")
		size = compose.Resolve(size)
		return size != nil && size.Kind == yaml.ScalarNode && size.Value != "" && size.Value != "-1"
	}
	return false
}

// canAddAnchor reports whether the top-level key and the anchor name are
// free.
func canAddAnchor(d *compose.Document, key, anchor string) bool {
	if k, _ := compose.MapGet(d.Root, key); k != nil {
		return false
	}
	// An anchor is written "&name": a file without that text has no node
	// of that anchor, and is not walked (at 10,000 services the tree does
	// not fit in the processor's cache, and a walk reads it from memory).
	if !bytes.Contains(d.Src, []byte("&"+anchor)) {
		return true
	}
	free := true
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Anchor == anchor {
			free = false
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(d.Root)
	return free
}

func loggingBlock(cfg Logging, anchor string) *yaml.Node {
	opts := compose.Map()
	for _, kv := range cfg.Options {
		opts.Content = append(opts.Content, compose.Str(kv.Key), compose.Quoted(kv.Value))
	}
	block := compose.Map("driver", cfg.Driver)
	if len(opts.Content) > 0 {
		block.Content = append(block.Content, compose.Str("options"), opts)
	}
	block.Anchor = anchor
	return block
}
