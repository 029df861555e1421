package registry

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParsePolicy(t *testing.T) {
	tests := []struct {
		in      string
		want    Policy
		wantErr bool
	}{
		{"patch", PolicyPatch, false},
		{"minor", PolicyMinor, false},
		{"major", PolicyMajor, false},
		{"Minor", PolicyMinor, false},
		{"", 0, true},
		{"latest", 0, true},
		{" minor", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParsePolicy(tt.in)
			if tt.wantErr {
				if !errors.Is(err, ErrUnknownPolicy) {
					t.Fatalf("ParsePolicy(%q) error = %v, want ErrUnknownPolicy", tt.in, err)
				}
				if want := `parsing update policy "` + tt.in + `": unknown update policy (want patch, minor or major)`; err.Error() != want {
					t.Errorf("ParsePolicy(%q) error = %q, want %q", tt.in, err, want)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ParsePolicy(%q) = %v, %v, want %v, nil", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestPolicyText(t *testing.T) {
	for _, p := range []Policy{PolicyPatch, PolicyMinor, PolicyMajor} {
		text, err := p.MarshalText()
		if err != nil {
			t.Fatalf("%v.MarshalText() error = %v", p, err)
		}
		if string(text) != p.String() {
			t.Errorf("%v.MarshalText() = %q, want %q", p, text, p.String())
		}
		var back Policy
		if err := back.UnmarshalText(text); err != nil || back != p {
			t.Errorf("UnmarshalText(%q) = %v, %v, want %v, nil", text, back, err, p)
		}
	}
	if got := Policy(7).String(); got != "Policy(7)" {
		t.Errorf("Policy(7).String() = %q, want %q", got, "Policy(7)")
	}
	if _, err := Policy(7).MarshalText(); !errors.Is(err, ErrUnknownPolicy) {
		t.Errorf("Policy(7).MarshalText() error = %v, want ErrUnknownPolicy", err)
	}
	var p Policy
	if err := p.UnmarshalText([]byte("huge")); !errors.Is(err, ErrUnknownPolicy) {
		t.Errorf("UnmarshalText(%q) error = %v, want ErrUnknownPolicy", "huge", err)
	}
}

func TestNewerTags(t *testing.T) {
	redis := []string{
		"7.4.1-alpine", "7.4.2-alpine", "7.4.3-alpine", "7.4.3-bookworm", "7.4.3-alpine3.20", "7.4-alpine",
		"7.5.0-alpine", "7.10.0-alpine", "7.9.9-alpine", "8.0.0-alpine", "8.0.1-rc1-alpine", "7.4.4-rc1-alpine",
		"7.4.0-alpine", "7.4.3", "latest", "alpine", "7.4.2-alpine",
	}
	tests := []struct {
		name    string
		current string
		tags    []string
		policy  Policy
		want    []string
	}{
		{"patch", "7.4.1-alpine", redis, PolicyPatch, []string{"7.4.3-alpine", "7.4.2-alpine"}},
		{"minor", "7.4.1-alpine", redis, PolicyMinor, []string{"7.10.0-alpine", "7.9.9-alpine", "7.5.0-alpine", "7.4.3-alpine", "7.4.2-alpine"}},
		{"major", "7.4.1-alpine", redis, PolicyMajor, []string{"8.0.0-alpine", "7.10.0-alpine", "7.9.9-alpine", "7.5.0-alpine", "7.4.3-alpine", "7.4.2-alpine"}},
		{"newest already", "8.0.0-alpine", redis, PolicyMajor, nil},
		{"keeps precision", "7.4-alpine", redis, PolicyMajor, nil},
		{"no suffix", "7.4.1", redis, PolicyMajor, []string{"7.4.3"}},
		{"not a version", "latest", redis, PolicyMajor, nil},
		{"pre-release current sees pre-releases", "8.0.1-rc0-alpine", redis, PolicyPatch, []string{"8.0.1-rc1-alpine"}},
		{"traefik v", "v3.2.1", traefikTags, PolicyMinor, []string{"v3.2.3", "v3.2.2"}},
		{"traefik v skips rc", "v3.2.1", traefikTags, PolicyMajor, []string{"v3.2.3", "v3.2.2"}},
		{"traefik rc to release", "v3.3.0-rc1", append([]string{"v3.3.0", "v3.3.1"}, traefikTags...), PolicyPatch, []string{"v3.3.1", "v3.3.0", "v3.3.0-rc2"}},
		{"traefik no prefix", "3.1.7", traefikTags, PolicyMinor, []string{"3.2.3", "3.2.2", "3.2.1"}},
		{"python alpha to release", "3.14.0a3-alpine", []string{"3.14.0a4-alpine", "3.14.0b1-alpine", "3.14.0-alpine", "3.14.0a4", "3.14.1-alpine3.21"}, PolicyPatch, []string{"3.14.0-alpine", "3.14.0b1-alpine", "3.14.0a4-alpine"}},
		{"postgres two components patch", "16.4", postgresTags, PolicyPatch, nil},
		{"postgres two components minor", "16.4", postgresTags, PolicyMinor, []string{"16.6", "16.5"}},
		{"postgres two components major", "16.4-bookworm", postgresTags, PolicyMajor, []string{"17.2-bookworm", "16.6-bookworm"}},
		{"postgres old major", "9.6.24", postgresTags, PolicyMajor, nil},
		{"nginx variant", "1.25.3-bookworm-perl", nginxTags, PolicyMinor, []string{"1.27.3-bookworm-perl"}},
		{"clamav base", "1.3.2_base", clamavTags, PolicyMinor, []string{"1.4.1_base", "1.4.0_base"}},
		{"node alpine3.21", "22.12.0-alpine3.21", nodeTags, PolicyMajor, []string{"23.4.0-alpine3.21"}},
		{"minio patch", "RELEASE.2024-10-29T16-01-48Z", minioTags, PolicyPatch, nil},
		{"minio minor", "RELEASE.2024-10-29T16-01-48Z", minioTags, PolicyMinor, []string{"RELEASE.2024-12-13T22-19-12Z", "RELEASE.2024-12-13T09-05-01Z", "RELEASE.2024-11-07T00-52-20Z"}},
		{"minio cpuv1", "RELEASE.2024-11-07T00-52-20Z-cpuv1", minioTags, PolicyMajor, []string{"RELEASE.2024-12-13T22-19-12Z-cpuv1"}},
		{"ubuntu snapshot", "jammy-20240911", []string{"jammy-20241119", "jammy-20241119.1", "noble-20241118", "jammy", "20241213"}, PolicyMajor, []string{"jammy-20241119"}},
		{"unknown policy allows nothing", "7.4.1-alpine", redis, Policy(9), nil},
		{"long list", "7.3.2-alpine", longTagList(), PolicyMinor, []string{"7.9.4-alpine", "7.9.3-alpine", "7.9.2-alpine", "7.9.1-alpine", "7.9.0-alpine",
			"7.8.4-alpine", "7.8.3-alpine", "7.8.2-alpine", "7.8.1-alpine", "7.8.0-alpine",
			"7.7.4-alpine", "7.7.3-alpine", "7.7.2-alpine", "7.7.1-alpine", "7.7.0-alpine",
			"7.6.4-alpine", "7.6.3-alpine", "7.6.2-alpine", "7.6.1-alpine", "7.6.0-alpine",
			"7.5.4-alpine", "7.5.3-alpine", "7.5.2-alpine", "7.5.1-alpine", "7.5.0-alpine",
			"7.4.4-alpine", "7.4.3-alpine", "7.4.2-alpine", "7.4.1-alpine", "7.4.0-alpine",
			"7.3.4-alpine", "7.3.3-alpine"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := NewerTags(tt.current, tt.tags, tt.policy)
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("NewerTags(%q, tags, %v) mismatch (-want +got):\n%s", tt.current, tt.policy, d)
			}
		})
	}
}

func BenchmarkNewerTags(b *testing.B) {
	tags := longTagList()
	b.ReportAllocs()
	for b.Loop() {
		NewerTags("7.3.2-alpine", tags, PolicyMinor)
	}
}

func TestUpdateKind(t *testing.T) {
	for _, tt := range []struct{ from, to, want string }{
		{"7.4.1-alpine", "8.0.0-alpine", KindMajor},
		{"7.4.1-alpine", "7.5.0-alpine", KindMinor},
		{"7.4.1-alpine", "7.4.3-alpine", KindPatch},
		{"v3.2.2", "v3.2.3", KindPatch},
		{"16.4", "16.6", KindMinor},
		{"16.4", "17.0", KindMajor},
		{"1.2.3.4", "1.2.3.5", KindPatch},
		{"7.4.1", "7.4.1", KindDigest},
		{"RELEASE.2024-11-07T00-52-20Z", "RELEASE.2024-12-13T22-19-12Z", KindMinor},
		{"latest", "stable", KindMajor},
	} {
		if got := UpdateKind(tt.from, tt.to); got != tt.want {
			t.Errorf("UpdateKind(%q, %q) = %q, want %q", tt.from, tt.to, got, tt.want)
		}
	}
}
