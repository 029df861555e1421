package suggest

import "testing"

func TestClosest(t *testing.T) {
	choices := []string{"offline", "format", "unsafe-fixes", "ignore_images", "pin"}
	for s, want := range map[string]string{
		"offlin":        "offline",
		"fromat":        "format",
		"unsafe_fixes":  "unsafe-fixes",
		"ignore-images": "ignore_images",
		"pn":            "pin",
		"xyz":           "",
		"verbose":       "",
	} {
		if got := Closest(s, choices); got != want {
			t.Errorf("Closest(%q) = %q, want %q", s, got, want)
		}
	}
}
