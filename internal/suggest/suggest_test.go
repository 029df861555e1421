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

// TestClosestLimits pins what the distance and the limits decide: edits
// count characters (not bytes), words of up to four characters allow one
// edit and longer ones two, and a tie goes to the earlier choice.
func TestClosestLimits(t *testing.T) {
	tests := []struct {
		s       string
		choices []string
		want    string
	}{
		{"pinn", []string{"pin"}, "pin"},                  // 4 characters, 1 edit
		{"pi", []string{"pin", "pull"}, "pin"},            // 1 insertion
		{"px", []string{"pin"}, ""},                       // 4 characters or fewer: 2 edits is too far
		{"formt_", []string{"format"}, "format"},          // 2 edits
		{"frmt_", []string{"format"}, ""},                 // 3 edits
		{"größe", []string{"grose"}, "grose"},             // ö→o, ß→s: 2 edits in characters, 4 in bytes
		{"CACHE-TTL", []string{"cache_ttl"}, "cache_ttl"}, // case and - vs _ are free
		{"cat", []string{"car", "cut"}, "car"},            // a tie keeps the first
		{"cat", []string{"cut", "car"}, "cut"},
		{"", []string{"a", "ab"}, "a"},
		{"pin", nil, ""},
	}
	for _, tt := range tests {
		if got := Closest(tt.s, tt.choices); got != tt.want {
			t.Errorf("Closest(%q, %q) = %q, want %q", tt.s, tt.choices, got, tt.want)
		}
	}
}
