package kb

import (
	"regexp"
	"testing"
)

// TestTagVersionIsTheRegexp checks the hand-written scan against the
// expression it replaces, `^v?(\d+(?:\.\d+)*)`, on the shapes tags take.
func TestTagVersionIsTheRegexp(t *testing.T) {
	re := regexp.MustCompile(`^v?(\d+(?:\.\d+)*)`)
	for _, tag := range []string{
		"", "v", "vv1", "latest", "alpine", "3.6.0", "v2.55.0", "9.2-alpine", "1.13",
		"1.", "1..2", "1.2.", "1.2.x", ".1", "v.1", "v1.2.3.4.5-rc1", "01.002",
		"RELEASE.2024-12-13T22-19-12Z", "${TAG}", "7", "7a", "1.2.3+build", "١٢",
		"99999999999999999999.1",
	} {
		m := re.FindStringSubmatch(tag)
		v, n, ok := tagVersion(tag)
		if ok != (m != nil) {
			t.Errorf("tagVersion(%q) ok = %v, regexp matches: %v", tag, ok, m != nil)
			continue
		}
		if ok && (v != m[1] || n != len(m[0])) {
			t.Errorf("tagVersion(%q) = %q, %d; regexp: %q, %d", tag, v, n, m[1], len(m[0]))
		}
	}
}

// FuzzTagVersion checks the scan against the regexp on any input.
func FuzzTagVersion(f *testing.F) {
	re := regexp.MustCompile(`^v?(\d+(?:\.\d+)*)`)
	for _, s := range []string{"v1.2.3-x", "1..2", "latest"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tag string) {
		m := re.FindStringSubmatch(tag)
		v, n, ok := tagVersion(tag)
		if ok != (m != nil) || ok && (v != m[1] || n != len(m[0])) {
			t.Errorf("tagVersion(%q) = %q, %d, %v; regexp: %q", tag, v, n, ok, m)
		}
	})
}
