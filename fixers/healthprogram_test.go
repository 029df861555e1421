package fixers

import (
	"testing"

	"github.com/composefix/composefix/fixers/kb"
	"go.yaml.in/yaml/v3"
)

func TestTestProgram(t *testing.T) {
	tests := []struct {
		yaml      string
		prog      string
		shell, ok bool
	}{
		{`["CMD", "curl", "-f", "http://x/"]`, "curl", false, true},
		{`["CMD", "/usr/bin/wget", "-q"]`, "/usr/bin/wget", false, true},
		{`["CMD-SHELL", "wget -q http://x/ || exit 1"]`, "wget", true, true},
		{`["CMD-SHELL", "LANG=C A=b curl -f http://x/"]`, "curl", true, true},
		{`curl -fsS http://x/`, "curl", true, true},
		{`["NONE"]`, "", false, false},
		{`["CMD", "${PROBE}"]`, "", false, false},
		// A shell test whose program cannot be read still needs /bin/sh.
		{`["CMD-SHELL", "$$PROBE http://x/"]`, "", true, true},
		{`["CMD-SHELL", "(curl x)"]`, "", true, true},
		{`["CMD-SHELL", ""]`, "", true, true},
		{`{test: x}`, "", false, false},
	}
	for _, tt := range tests {
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(tt.yaml), &n); err != nil {
			t.Fatal(err)
		}
		prog, shell, ok := testProgram(n.Content[0])
		if prog != tt.prog || shell != tt.shell || ok != tt.ok {
			t.Errorf("testProgram(%s) = %q, %v, %v, want %q, %v, %v", tt.yaml, prog, shell, ok, tt.prog, tt.shell, tt.ok)
		}
	}
}

// With file facts the image's own files decide; the knowledge base is only
// consulted without them.
func TestMissingProgram(t *testing.T) {
	files := &FileFacts{
		Programs: map[string]bool{"wget": true, "sh": true, "busybox": true},
		Paths:    map[string]bool{"/bin/sh": true, "/bin/busybox": true, "/usr/bin/wget": true},
	}
	noShell := &FileFacts{Programs: map[string]bool{"app": true}, Paths: map[string]bool{"/app": true}}
	curlAbsent := kb.Healthcheck{Name: "x", Absent: []string{"curl", "sh"}}
	tests := []struct {
		name     string
		facts    ImageFacts
		known    bool
		entry    kb.Healthcheck
		hasEntry bool
		prog     string
		shell    bool
		want     string
	}{
		{"files have it", ImageFacts{Files: files}, true, kb.Healthcheck{}, false, "wget", false, ""},
		{"files lack it", ImageFacts{Files: files}, true, kb.Healthcheck{}, false, "curl", false, "curl"},
		{"absolute path present", ImageFacts{Files: files}, true, kb.Healthcheck{}, false, "/usr/bin/wget", false, ""},
		{"absolute path absent", ImageFacts{Files: files}, true, kb.Healthcheck{}, false, "/usr/bin/curl", false, "/usr/bin/curl"},
		{"shell test without a shell", ImageFacts{Files: noShell}, true, kb.Healthcheck{}, false, "app", true, "/bin/sh"},
		{"relative path cannot be judged", ImageFacts{Files: files}, true, kb.Healthcheck{}, false, "./probe", false, ""},
		// The files win over the knowledge base: this image has curl's
		// replacement wget, and the entry's absent list does not matter.
		{"files beat the knowledge base", ImageFacts{Files: files}, true, curlAbsent, true, "wget", true, ""},
		{"knowledge base absent", ImageFacts{}, false, curlAbsent, true, "/usr/bin/curl", false, "/usr/bin/curl"},
		{"knowledge base no shell", ImageFacts{}, false, curlAbsent, true, "wget", true, "/bin/sh"},
		{"knowledge base silent", ImageFacts{}, false, curlAbsent, true, "wget", false, ""},
		{"config facts only", ImageFacts{User: "1000"}, true, curlAbsent, true, "curl", false, "curl"},
		{"unreadable shell test, no shell", ImageFacts{Files: noShell}, true, kb.Healthcheck{}, false, "", true, "/bin/sh"},
		{"unreadable shell test, shell", ImageFacts{Files: files}, true, kb.Healthcheck{}, false, "", true, ""},
		{"nothing known", ImageFacts{}, false, kb.Healthcheck{}, false, "curl", false, ""},
	}
	for _, tt := range tests {
		got, evidence := missingProgram(tt.facts, tt.known, tt.entry, tt.hasEntry, tt.prog, tt.shell)
		if got != tt.want {
			t.Errorf("%s: missingProgram(%q) = %q, want %q", tt.name, tt.prog, got, tt.want)
		}
		if (got == "") != (evidence == "") {
			t.Errorf("%s: evidence %q for missing %q", tt.name, evidence, got)
		}
	}
}
