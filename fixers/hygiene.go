package fixers

import "github.com/composefix/composefix/compose"

func versionRule() *Rule {
	return &Rule{
		ID: "CF601", Name: "obsolete-version", Safety: Safe, Severity: Warning,
		Summary: "remove the obsolete top-level version key",
		Doc: `The top-level version key is obsolete and is removed.

Docker Compose ignores "version:" and warns that it is obsolete. The fix removes its
line with its own line comment (and a blank line after it that would otherwise start
the file); every other comment stays.

Before:
  version: "3.8"

  services:
    web:
      image: nginx:1.27.3

After:
  services:
    web:
      image: nginx:1.27.3`,
		Check: checkVersion,
	}
}

func checkVersion(p *Pass) error {
	k, v := compose.MapGet(p.Document.Root, "version")
	if k == nil {
		return nil
	}
	ch, err := p.Document.DeleteKey(p.Document.Root, "version")
	var fix *Fix
	if err == nil {
		fix = p.fixTitled(ch, "Remove the obsolete version key")
	}
	p.reportf(k, fix, "the top-level version key (%q) is obsolete; compose ignores it", v.Value)
	return nil
}
