package main

import (
	"strings"
	"testing"
)

// TestCLIUpdateEachUseUnderItsOwnPolicy checks that an image used under
// two update policies is answered under each: a file whose policy is patch
// never receives the major bump another file's policy allows, whichever is
// read first. The tag list is still fetched once: the second answer is
// computed from the same listing.
func TestCLIUpdateEachUseUnderItsOwnPolicy(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  map[string]string // file -> the image it must hold after the update
	}{{
		// Each directory's nearest configuration sets its policy.
		name: "per-directory configurations",
		files: map[string]string{
			".git/HEAD":              "",
			"a/.composefix.yaml":     "update:\n  policy: major\n",
			"a/compose.yaml":         "services:\n  cache:\n    image: redis:7.4.1-alpine\n",
			"b/.composefix.yaml":     "update:\n  policy: patch\n",
			"b/compose.yaml":         "services:\n  cache:\n    image: redis:7.4.1-alpine\n",
			"c/.composefix.yaml":     "update:\n  policy: patch\n",
			"c/sub/compose.yaml":     "services:\n  cache:\n    image: redis:7.4.1-alpine\n",
			"d/.composefix.yaml":     "update:\n  policy: major\n",
			"d/sub/sub/compose.yaml": "services:\n  cache:\n    image: redis:7.4.1-alpine\n",
		},
		want: map[string]string{
			"a/compose.yaml": "redis:8.0.0-alpine", "b/compose.yaml": "redis:7.4.3-alpine",
			"c/sub/compose.yaml": "redis:7.4.3-alpine", "d/sub/sub/compose.yaml": "redis:8.0.0-alpine",
		},
	}, {
		// One configuration, two spellings of one image: a per-image
		// entry names only the long spelling.
		name: "per-image entry matching one spelling",
		files: map[string]string{
			".git/HEAD":        "",
			".composefix.yaml": "update:\n  policy: patch\n  images:\n    \"index.docker.io/*\":\n      policy: major\n",
			"a/compose.yaml":   "services:\n  cache:\n    image: redis:7.4.1-alpine\n",
			"b/compose.yaml":   "services:\n  cache:\n    image: index.docker.io/library/redis:7.4.1-alpine\n",
			"c/compose.yaml":   "services:\n  cache:\n    image: redis:7.4.1-alpine\n",
		},
		want: map[string]string{
			"a/compose.yaml": "redis:7.4.3-alpine", "b/compose.yaml": "index.docker.io/library/redis:8.0.0-alpine",
			"c/compose.yaml": "redis:7.4.3-alpine",
		},
	}, {
		// The same, with the other spelling read first.
		name: "per-image entry matching one spelling, read first",
		files: map[string]string{
			".git/HEAD":        "",
			".composefix.yaml": "update:\n  policy: patch\n  images:\n    \"index.docker.io/*\":\n      policy: major\n",
			"a/compose.yaml":   "services:\n  cache:\n    image: index.docker.io/library/redis:7.4.1-alpine\n",
			"b/compose.yaml":   "services:\n  cache:\n    image: redis:7.4.1-alpine\n",
		},
		want: map[string]string{
			"a/compose.yaml": "index.docker.io/library/redis:8.0.0-alpine", "b/compose.yaml": "redis:7.4.3-alpine",
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mirror, rl, _ := updateRegistry(t)
			dir := writeFiles(t, tt.files)
			_, errOut, code := runCLI(t, dir, "", append([]string{"update", "-w", "."}, mirror...)...)
			if code != exitOK {
				t.Fatalf("exit %d; stderr:\n%s", code, errOut)
			}
			for file, image := range tt.want {
				if got := readFile(t, dir+"/"+file); !strings.Contains(got, "image: "+image+"\n") {
					t.Errorf("%s after the update:\n%s\nwant image %s", file, got, image)
				}
			}
			if n := rl.count("GET", "/tags/list"); n != 1 {
				t.Errorf("the tag list was fetched %d times, want 1:\n%s", n, rl)
			}
		})
	}
}
