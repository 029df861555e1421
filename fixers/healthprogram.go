package fixers

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/fixers/kb"
	"go.yaml.in/yaml/v3"
)

const healthProgramID = "CF103"

func healthProgramRule() *Rule {
	return &Rule{
		ID: healthProgramID, Name: "healthcheck-program-missing", Safety: Unsafe, Severity: Warning,
		Summary: "an existing healthcheck runs a program the image does not have",
		Doc: `A healthcheck whose program is not in the image can never pass.

The program is the first word of the test: the item after "CMD", or the first word of
a "CMD-SHELL" command (or of a test written as a string), after any VAR=value
assignments. A CMD-SHELL test also needs /bin/sh. The program cannot exist when the
image's files were inspected (--inspect-files) and it is not in the PATH directories
of the image's config, or when the knowledge base knows that the image variant lacks
it: minio images dropped curl in RELEASE.2023-11-01, typesense ships neither curl nor
wget, loki 3.6 dropped busybox (no shell, wget or curl).

Such a check keeps the container unhealthy forever, and every service waiting for
condition: service_healthy never starts. The fix replaces the test with the knowledge
base's command for the image, which may probe something else (a readiness command
instead of an HTTP endpoint), so it is unsafe: applied with --unsafe-fixes. Without a
working command the finding has no fix.

Before:
  services:
    minio:
      image: minio/minio:RELEASE.2024-12-13T22-19-12Z
      command: server /data
      healthcheck:
        test: ["CMD", "curl", "-f", "http://localhost:9000/minio/health/live"]

After (--unsafe-fixes):
  services:
    minio:
      image: minio/minio:RELEASE.2024-12-13T22-19-12Z
      command: server /data
      healthcheck:
        test: ["CMD-SHELL", "mc ready local"]`,
		Check: checkHealthProgram,
	}
}

// testProgram returns the program a healthcheck test runs ("" when it
// cannot be read: an interpolation, a subshell) and whether the test runs
// through /bin/sh. ok is false for NONE and shapes composefix cannot read.
func testProgram(test *yaml.Node) (prog string, shell, ok bool) {
	test = compose.Resolve(test)
	switch {
	case test == nil:
		return "", false, false
	case test.Kind == yaml.ScalarNode:
		return firstWord(test.Value), true, true
	case test.Kind != yaml.SequenceNode || len(test.Content) < 2:
		return "", false, false
	}
	form, arg := compose.Resolve(test.Content[0]), compose.Resolve(test.Content[1])
	if form == nil || arg == nil || form.Kind != yaml.ScalarNode || arg.Kind != yaml.ScalarNode {
		return "", false, false
	}
	switch form.Value {
	case "CMD":
		if arg.Value == "" || strings.Contains(arg.Value, "$") {
			return "", false, false
		}
		return arg.Value, false, true
	case "CMD-SHELL":
		return firstWord(arg.Value), true, true
	}
	return "", false, false
}

// firstWord returns the program of a shell command line: its first word
// after VAR=value assignments; "" when that is not a plain word.
func firstWord(cmd string) string {
	words, err := kb.SplitShell(cmd)
	if err != nil {
		words = strings.Fields(cmd)
	}
	for _, w := range words {
		if name, _, isAssign := strings.Cut(w, "="); isAssign && name != "" && !strings.ContainsAny(name, "/$ ") {
			continue
		}
		if w == "" || strings.ContainsAny(w, "$`(){}|;&<>") {
			return ""
		}
		return w
	}
	return ""
}

// missingProgram says why prog (and, for a shell test, /bin/sh) cannot be
// in the image: "" when it may well be there.
func missingProgram(f ImageFacts, known bool, entry kb.Healthcheck, hasEntry bool, prog string, shell bool) (missing, evidence string) {
	if known && f.Files != nil {
		if shell && !f.Files.Has("/bin/sh") {
			return "/bin/sh", "the image's files have no /bin/sh"
		}
		if prog == "" || strings.Contains(prog, "/") && !strings.HasPrefix(prog, "/") {
			return "", "" // unreadable, or relative to the working directory: cannot tell
		}
		if !f.Files.Has(prog) {
			where := "PATH directories"
			if strings.HasPrefix(prog, "/") {
				where = "files"
			}
			return prog, "the image's " + where + " have no " + path.Base(prog)
		}
		return "", ""
	}
	if !hasEntry {
		return "", ""
	}
	if shell && slices.Contains(entry.Absent, "sh") {
		return "/bin/sh", fmt.Sprintf("the knowledge base (entry %q) knows this image has no shell", entry.Name)
	}
	if prog != "" && slices.Contains(entry.Absent, path.Base(prog)) {
		return prog, fmt.Sprintf("the knowledge base (entry %q) knows this image has no %s", entry.Name, path.Base(prog))
	}
	return "", ""
}

func checkHealthProgram(p *Pass) error {
	h, err := newHealthCtx(p)
	if err != nil {
		return err
	}
	for _, s := range h.ss {
		hc := s.get("healthcheck")
		if hc == nil || hc.Kind != yaml.MappingNode || healthcheckDisabled(hc) {
			continue
		}
		testNode, _ := compose.Lookup(hc, "test")
		prog, shell, ok := testProgram(testNode)
		if !ok || prog == "" && !shell {
			continue
		}
		image := imageOf(s)
		if image == "" {
			continue
		}
		facts, known := p.imageFacts(s)
		entry, hasEntry := h.index.LookupAt(image, facts.Created)
		missing, evidence := missingProgram(facts, known, entry, hasEntry, prog, shell)
		if missing == "" {
			if !known {
				// Without the image's files (offline and not cached) the
				// rule could not check: an ignore here is not stale.
				p.Unchecked(compose.Resolve(testNode))
			}
			continue
		}
		fix, why := h.programFix(s, image, testNode, facts, known, entry, hasEntry)
		msg := fmt.Sprintf("healthcheck of service %q runs %q, which image %q does not have (%s); it can never pass", s.Name, missing, image, evidence)
		if fix == nil && why != "" {
			msg += "; no fix: " + why
		}
		p.reportf(compose.Resolve(testNode), fix, "%s", msg)
	}
	return nil
}

// programFix replaces the test with the knowledge base's command for the
// image, when that command's own program is there and the test is the
// service's own to edit.
func (h *healthCtx) programFix(s svc, image string, testNode *yaml.Node, f ImageFacts, known bool, entry kb.Healthcheck, hasEntry bool) (*Fix, string) {
	if !hasEntry {
		return nil, "the knowledge base has no healthcheck for this image"
	}
	ks := kbService(s, image)
	if known && f.Files != nil {
		picked, missing, ok := h.runnable(image, ks, f)
		if !ok {
			return nil, fmt.Sprintf("none of the knowledge base's checks can run in it: it lacks %s", strings.Join(missing, ", "))
		}
		entry = picked
	}
	test, err := h.index.Render(entry, ks)
	switch {
	case errors.Is(err, kb.ErrNoFix):
		return nil, strings.TrimSuffix(entry.NoFix, ".")
	case err != nil:
		return nil, err.Error()
	}
	if pre := entry.Prerequisites(ks); pre.State == kb.PrereqMissing || pre.State == kb.PrereqConflict {
		return nil, fmt.Sprintf("the %s healthcheck needs %s", entry.Family, prereqText(entry))
	}
	newNode := &yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{compose.Str(test[0]), compose.Str(test[1])}}
	if prog, shell, ok := testProgram(newNode); ok {
		if m, _ := missingProgram(f, known, entry, true, prog, shell); m != "" {
			return nil, fmt.Sprintf("the knowledge base's %s check runs %q, which is missing too", entry.Family, m)
		}
	}
	if hc := s.own("healthcheck"); hc == nil || s.target == nil {
		return nil, "the healthcheck is inherited; change it where it is defined"
	} else if hc.Kind == yaml.AliasNode || hc.Anchor != "" {
		return nil, "the healthcheck is shared through an anchor; change it where it is defined"
	}
	if testNode == nil || testNode.Kind == yaml.AliasNode || testNode.Anchor != "" {
		return nil, "the test is shared through an anchor; change it where it is defined"
	}
	if _, inherited := compose.Lookup(compose.Resolve(s.get("healthcheck")), "test"); inherited {
		return nil, "the test is inherited; change it where it is defined"
	}
	saved := h.flowTest
	h.flowTest = testNode.Kind != yaml.SequenceNode || testNode.Style&yaml.FlowStyle != 0
	node := h.testNode(test)
	h.flowTest = saved
	ch, err := h.p.Document.ReplaceValue(testNode, node)
	if err != nil {
		return nil, err.Error()
	}
	return h.p.fixf(ch, "Replace the healthcheck test with the %s check", entry.Family), ""
}
