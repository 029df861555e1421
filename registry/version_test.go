package registry

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	_ "github.com/composefix/composefix/internal/golden" // defines -update for go test ./... -update
)

// Tag lists modelled on Docker Hub, in the registry's (lexical) order, with
// the decoys real lists carry: pre-releases, other variants, Windows
// images, hash tags and channel names.
var (
	redisTags = []string{
		"6", "6-alpine", "6-bookworm", "6.2", "6.2-alpine", "6.2.16", "6.2.16-alpine", "6.2.16-alpine3.20", "6.2.16-bookworm",
		"7", "7-alpine", "7-alpine3.20", "7-bookworm", "7.0", "7.0.15", "7.0.15-alpine",
		"7.2", "7.2-alpine", "7.2.5", "7.2.5-alpine", "7.2.6", "7.2.6-alpine", "7.2.6-alpine3.20", "7.2.6-bookworm",
		"7.4", "7.4-alpine", "7.4-alpine3.20", "7.4-bookworm", "7.4-rc2", "7.4-rc2-alpine", "7.4.0", "7.4.0-alpine",
		"7.4.0-v0", "7.4.1", "7.4.1-alpine", "7.4.1-alpine3.20", "7.4.1-bookworm",
		"8.0-M02", "8.0-M02-alpine", "8.0-M02-bookworm",
		"alpine", "alpine3.20", "bookworm", "e1c2a3b", "latest", "unstable", "unstable-alpine",
	}
	postgresTags = []string{
		"16", "16-alpine", "16-bookworm", "16.4", "16.4-bookworm", "16.5", "16.6", "16.6-alpine", "16.6-alpine3.21", "16.6-bookworm",
		"17", "17-alpine", "17-bookworm", "17.2", "17.2-alpine", "17.2-alpine3.21", "17.2-bookworm",
		"17beta3", "17beta3-alpine", "17rc1", "18beta1",
		"9", "9.6", "9.6.24", "9.6.24-alpine",
		"alpine", "alpine3.21", "bookworm", "latest",
	}
	nginxTags = []string{
		"1", "1-alpine", "1.25", "1.25.3", "1.25.3-bookworm-perl", "1.25.4", "1.25.5", "1.25.5-alpine",
		"1.26", "1.26-alpine", "1.26.2", "1.26.2-alpine", "1.26.2-perl",
		"1.27", "1.27-alpine", "1.27.2", "1.27.2-alpine", "1.27.3", "1.27.3-alpine", "1.27.3-alpine-perl",
		"1.27.3-alpine3.20", "1.27.3-alpine3.20-perl", "1.27.3-bookworm", "1.27.3-bookworm-perl", "1.27.3-perl",
		"alpine", "alpine-perl", "alpine-slim", "latest", "mainline", "mainline-alpine", "perl",
		"stable", "stable-alpine", "stable-perl",
	}
	traefikTags = []string{
		"1.7", "1.7.34", "1.7.34-alpine", "2.11", "2.11.16", "3", "3.1.7", "3.2", "3.2.1", "3.2.2", "3.2.3",
		"3.2.3-windowsservercore-ltsc2022", "3.3.0-rc1", "3.3.0-rc2",
		"chabichou", "comte", "experimental-v3.3", "latest", "maroilles", "windowsservercore-ltsc2022",
		"v1.7", "v1.7.34", "v1.7.34-alpine", "v2.11", "v2.11.16", "v3", "v3.1.7", "v3.2", "v3.2.1", "v3.2.2", "v3.2.3",
		"v3.2.3-windowsservercore-ltsc2022", "v3.3.0-rc1", "v3.3.0-rc2",
	}
	minioTags = []string{
		"RELEASE.2023-12-23T07-19-11Z", "RELEASE.2024-10-02T17-50-41Z", "RELEASE.2024-10-29T16-01-48Z",
		"RELEASE.2024-11-07T00-52-20Z", "RELEASE.2024-11-07T00-52-20Z-cpuv1",
		"RELEASE.2024-12-13T09-05-01Z", "RELEASE.2024-12-13T22-19-12Z", "RELEASE.2024-12-13T22-19-12Z-cpuv1",
		"RELEASE.2024-12-13T22-19-12Z.fips", "edge", "latest", "latest-cpuv1",
	}
	mssqlTags = []string{
		"2017-CU31-ubuntu-18.04", "2017-latest", "2019-CU27-ubuntu-20.04", "2019-CU28-ubuntu-20.04",
		"2019-CU9-ubuntu-16.04", "2019-GA-ubuntu-16.04", "2019-latest", "2022-CU16-ubuntu-22.04", "2022-latest", "latest",
	}
	ubuntuTags = []string{
		"20.04", "22.04", "24.04", "24.10", "devel", "focal", "focal-20240918", "focal-20241011",
		"jammy", "jammy-20240808", "jammy-20240911.1", "latest", "noble", "noble-20241015",
		"oracular", "oracular-20241009", "rolling",
	}
	clamavTags = []string{
		"1.0", "1.0.7", "1.0.7_base", "1.0_base", "1.3", "1.3.2", "1.3.2_base",
		"1.4", "1.4.0", "1.4.0_base", "1.4.1", "1.4.1_base", "1.4_base",
		"latest", "latest_base", "stable", "stable_base", "unstable", "unstable_base",
	}
	nodeTags = []string{
		"18", "18.20.5", "20", "20.18", "20.18.1", "20.18.1-alpine", "22", "22-alpine", "22-bookworm-slim",
		"22.11.0", "22.12", "22.12.0", "22.12.0-alpine", "22.12.0-alpine3.21", "22.12.0-bookworm-slim",
		"23", "23.3.0", "23.4", "23.4.0", "23.4.0-alpine", "23.4.0-alpine3.21",
		"alpine", "current", "current-alpine", "iron", "jod", "latest", "lts", "lts-alpine",
	}
	pythonTags = []string{
		"3", "3.10.16", "3.12", "3.12.8", "3.13", "3.13-slim", "3.13.0rc3", "3.13.1", "3.13.1-alpine",
		"3.13.1-alpine3.21", "3.13.1-slim", "3.13.1-slim-bookworm", "3.13.1-windowsservercore-ltsc2022",
		"3.14-rc-alpine", "3.14.0a3", "3.14.0a3-alpine", "3.9.21",
		"alpine", "latest", "slim", "windowsservercore", "windowsservercore-ltsc2022",
	}
)

func TestParseVersion(t *testing.T) {
	tests := []struct {
		tag  string
		want Version
		ok   bool
	}{
		{"7", Version{Nums: []int{7}}, true},
		{"7.4.1", Version{Nums: []int{7, 4, 1}}, true},
		{"7-alpine", Version{Nums: []int{7}, Suffix: "-alpine"}, true},
		{"16.4", Version{Nums: []int{16, 4}}, true},
		{"16.4-bookworm", Version{Nums: []int{16, 4}, Suffix: "-bookworm"}, true},
		{"2024.1.5", Version{Nums: []int{2024, 1, 5}}, true},
		{"v3.2.3", Version{Prefix: "v", Nums: []int{3, 2, 3}}, true},
		{"V2", Version{Prefix: "V", Nums: []int{2}}, true},
		{"1.4.1_base", Version{Nums: []int{1, 4, 1}, Suffix: "_base"}, true},
		{"21.0.5_11-jdk", Version{Nums: []int{21, 0, 5, 11}, Suffix: "-jdk"}, true},
		{"8.0.40-debian", Version{Nums: []int{8, 0, 40}, Suffix: "-debian"}, true},
		{"3.13.7-management-alpine", Version{Nums: []int{3, 13, 7}, Suffix: "-management-alpine"}, true},
		{"1.25.3-bookworm-perl", Version{Nums: []int{1, 25, 3}, Suffix: "-bookworm-perl"}, true},
		{"7.4.1-alpine3.20", Version{Nums: []int{7, 4, 1}, Suffix: "-alpine3.20"}, true},
		{"1.27.3-alpine3.20-perl", Version{Nums: []int{1, 27, 3}, Suffix: "-alpine3.20-perl"}, true},
		{"RELEASE.2024-12-13T22-19-12Z", Version{Prefix: "RELEASE.", Nums: []int{2024, 12, 13, 22, 19, 12}, Date: true}, true},
		{"RELEASE.2024-12-13T22-19-12Z-cpuv1", Version{Prefix: "RELEASE.", Nums: []int{2024, 12, 13, 22, 19, 12}, Suffix: "-cpuv1", Date: true}, true},
		{"RELEASE.2024-12-13T22-19-12Z.fips", Version{Prefix: "RELEASE.", Nums: []int{2024, 12, 13, 22, 19, 12}, Suffix: ".fips", Date: true}, true},
		{"2024-12-13", Version{Nums: []int{2024, 12, 13}, Date: true}, true},
		{"2024-13-01", Version{Nums: []int{2024}, Suffix: "-13-01"}, true}, // month 13: not a date
		{"version-1.2.3", Version{Prefix: "version-", Nums: []int{1, 2, 3}}, true},
		{"jammy-20240911.1", Version{Prefix: "jammy-", Nums: []int{20240911, 1}}, true},
		{"noble-20241118", Version{Prefix: "noble-", Nums: []int{20241118}}, true},
		{"3.14.0a3", Version{Nums: []int{3, 14, 0}, Suffix: "a3"}, true},
		{"3.14.0a3-alpine", Version{Nums: []int{3, 14, 0}, Suffix: "a3-alpine"}, true},
		{"17rc1", Version{Nums: []int{17}, Suffix: "rc1"}, true},
		{"v3.3.0-rc.1", Version{Prefix: "v", Nums: []int{3, 3, 0}, Suffix: "-rc.1"}, true},
		{"8.0-M02", Version{Nums: []int{8, 0}, Suffix: "-M02"}, true},
		{"1.2.3-1", Version{Nums: []int{1, 2, 3}, Suffix: "-1"}, true},
		{"latest", Version{}, false},
		{"stable", Version{}, false},
		{"alpine", Version{}, false},
		{"mainline", Version{}, false},
		{"alpine3.20", Version{}, false},
		{"lts-alpine", Version{}, false},
		{"windowsservercore-ltsc2022", Version{}, false},
		{"experimental-v3.3", Version{}, false},
		{"e1c2a3b", Version{}, false},
		{"1234abc", Version{}, false},
		{"1234a56", Version{}, false}, // hex: a hash, not 1234 alpha 56
		{"1234567", Version{}, false},
		{"20241213", Version{}, false},
		{"sha-1234567", Version{}, false},
		{"pr-1234", Version{}, false},
		{"1.2.", Version{}, false},
		{"1.2-", Version{}, false},
		{"1.2_", Version{}, false},
		{"1a", Version{}, false}, // single-letter marker needs a number
		{"1.0000000001", Version{}, false},
		{"", Version{}, false},
		{"-1.2", Version{}, false},
		{"1.2/3", Version{}, false},
		{"v", Version{}, false},
		{strings.Repeat("1", 129), Version{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.tag, func(t *testing.T) {
			got, ok := ParseVersion(tt.tag)
			if tt.ok {
				tt.want.Raw = tt.tag
			}
			if ok != tt.ok {
				t.Fatalf("ParseVersion(%q) ok = %v, want %v (got %+v)", tt.tag, ok, tt.ok, got)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("ParseVersion(%q) mismatch (-want +got):\n%s", tt.tag, d)
			}
		})
	}
}

func TestVersionPrereleaseVariant(t *testing.T) {
	tests := []struct {
		tag        string
		prerelease bool
		variant    string
	}{
		{"7.4.1", false, ""},
		{"7.4.1-alpine", false, "-alpine"},
		{"7.4-rc2", true, ""},
		{"7.4-rc2-alpine", true, "-alpine"},
		{"v3.3.0-rc.1", true, ""},
		{"3.14.0a3-alpine", true, "-alpine"},
		{"3.14.0b1", true, ""},
		{"17beta3-alpine", true, "-alpine"},
		{"8.0-M02-bookworm", true, "-bookworm"},
		{"1.0.0-alpha", true, ""},
		{"1.0.0-dev", true, ""},
		{"1.0.0-nightly-alpine", true, "-alpine"},
		{"1.0.0-alpine-rc1", true, "-alpine-rc1"}, // marker not leading: excluded, variant kept whole
		{"1.27.3-bookworm-perl", false, "-bookworm-perl"},
		{"6.2.16-bookworm", false, "-bookworm"},
		{"1.2.3-r1", false, "-r1"},
		{"1.2.3-b", false, "-b"},
		{"RELEASE.2024-12-13T22-19-12Z-cpuv1", false, "-cpuv1"},
	}
	for _, tt := range tests {
		t.Run(tt.tag, func(t *testing.T) {
			v, ok := ParseVersion(tt.tag)
			if !ok {
				t.Fatalf("ParseVersion(%q) failed", tt.tag)
			}
			if got := v.Prerelease(); got != tt.prerelease {
				t.Errorf("ParseVersion(%q).Prerelease() = %v, want %v", tt.tag, got, tt.prerelease)
			}
			if got := v.Variant(); got != tt.variant {
				t.Errorf("ParseVersion(%q).Variant() = %q, want %q", tt.tag, got, tt.variant)
			}
		})
	}
}

func TestVersionCompare(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"7.10.0", "7.9.9", 1},
		{"7.9.9", "7.10.0", -1},
		{"7.4.1", "7.4.1", 0},
		{"1.02.0", "1.2.0", 0},
		{"7.4", "7.4.0", -1},
		{"v3.2.3", "v3.2.10", -1},
		{"10.0.0", "9.99.99", 1},
		{"v3.3.0-rc1", "v3.3.0", -1},
		{"v3.3.0-rc1", "v3.3.0-rc2", -1},
		{"v3.3.0-rc10", "v3.3.0-rc9", 1},
		{"3.14.0a3", "3.14.0b1", -1},
		{"3.14.0b1", "3.14.0rc1", -1},
		{"1.0.0-dev", "1.0.0-alpha", -1},
		{"3.14.0rc1", "3.14.0", -1},
		{"3.13.1", "3.14.0a3", -1},
		{"RELEASE.2024-12-13T22-19-12Z", "RELEASE.2024-12-13T09-05-01Z", 1},
		{"RELEASE.2024-02-04T22-36-13Z", "RELEASE.2024-10-02T17-50-41Z", -1},
		{"RELEASE.2023-12-23T07-19-11Z", "RELEASE.2024-01-01T00-00-00Z", -1},
	}
	for _, tt := range tests {
		t.Run(tt.a+"_"+tt.b, func(t *testing.T) {
			a, ok1 := ParseVersion(tt.a)
			b, ok2 := ParseVersion(tt.b)
			if !ok1 || !ok2 {
				t.Fatalf("ParseVersion(%q), ParseVersion(%q) ok = %v, %v", tt.a, tt.b, ok1, ok2)
			}
			if got := a.Compare(b); got != tt.want {
				t.Errorf("%q.Compare(%q) = %d, want %d", tt.a, tt.b, got, tt.want)
			}
			if got := b.Compare(a); got != -tt.want {
				t.Errorf("%q.Compare(%q) = %d, want %d", tt.b, tt.a, got, -tt.want)
			}
		})
	}
}

func TestIsPrecise(t *testing.T) {
	tests := []struct {
		tag  string
		want bool
	}{
		{"7.4.1", true},
		{"1.25.3-alpine", true},
		{"v3.2.3", true},
		{"v3.3.0-rc1", true},
		{"21.0.5_11-jdk", true},
		{"RELEASE.2024-12-13T22-19-12Z", true},
		{"RELEASE.2024-12-13T22-19-12Z-cpuv1", true},
		{"2024-12-13", true},
		{"7", false},
		{"1.2.3-latest", false},
		{"2019-latest", false},
		{"7-alpine", false},
		{"1.25", false},
		{"17.2", false},
		{"v3", false},
		{"latest", false},
		{"stable", false},
		{"alpine3.20", false},
		{"e1c2a3b", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := IsPrecise(tt.tag); got != tt.want {
			t.Errorf("IsPrecise(%q) = %v, want %v", tt.tag, got, tt.want)
		}
	}
}

func TestPreciseCandidates(t *testing.T) {
	tests := []struct {
		name     string
		floating string
		tags     []string
		max      int
		want     []string
	}{
		// Numeric floating tags: same prefix numbers, prefix and exact suffix.
		{"redis major", "7", redisTags, 0, []string{"7.4.1", "7.4.0", "7.2.6", "7.2.5", "7.0.15"}},
		{"redis major alpine", "7-alpine", redisTags, 0, []string{"7.4.1-alpine", "7.4.0-alpine", "7.2.6-alpine", "7.2.5-alpine", "7.0.15-alpine"}},
		{"redis alpine3.20 is its own suffix", "7-alpine3.20", redisTags, 0, []string{"7.4.1-alpine3.20", "7.2.6-alpine3.20"}},
		{"redis minor", "7.4", redisTags, 0, []string{"7.4.1", "7.4.0"}},
		{"redis minor max", "7.4-alpine", redisTags, 1, []string{"7.4.1-alpine"}},
		{"redis pre-release keeps its suffix", "7.4-rc2", redisTags, 0, nil},
		{"redis precise has nothing more precise", "7.4.1", redisTags, 0, nil},
		{"postgres two components", "16", postgresTags, 0, []string{"16.6", "16.5", "16.4"}},
		{"postgres bookworm", "16-bookworm", postgresTags, 0, []string{"16.6-bookworm", "16.4-bookworm"}},
		{"nginx minor", "1.25", nginxTags, 0, []string{"1.25.5", "1.25.4", "1.25.3"}},
		{"nginx variant pair", "1-alpine", nginxTags, 0, []string{"1.27.3-alpine", "1.27.2-alpine", "1.26.2-alpine", "1.25.5-alpine"}},
		{"traefik v", "v3", traefikTags, 0, []string{"v3.2.3", "v3.2.2", "v3.2.1", "v3.1.7"}},
		{"traefik no v", "3.2", traefikTags, 0, []string{"3.2.3", "3.2.2", "3.2.1"}},
		{"node", "22", nodeTags, 0, []string{"22.12.0", "22.11.0"}},
		{"node slim", "22-bookworm-slim", nodeTags, 0, []string{"22.12.0-bookworm-slim"}},
		{"python skips a3 and rc", "3.13", pythonTags, 0, []string{"3.13.1"}},
		{"python windows", "3-windowsservercore-ltsc2022", pythonTags, 0, []string{"3.13.1-windowsservercore-ltsc2022"}},
		{"numeric order not lexical", "7", []string{"7.9.9", "7.10.0", "7.10", "7.9", "7.1.0"}, 0, []string{"7.10.0", "7.9.9", "7.1.0"}},
		{"intermediate kept when no leaf below it", "7", []string{"7.4", "7.2.1"}, 2, []string{"7.4", "7.2.1"}},
		{"ties by raw", "1", []string{"1.2.0", "1.02.0", "1.1.0"}, 0, []string{"1.02.0", "1.2.0", "1.1.0"}},

		// Named floating tags.
		{"redis latest", "latest", redisTags, 0, []string{"7.4.1", "6.2.16", "7.2.6", "7.0.15", "7.4.0", "7.2.5"}},
		{"redis latest max", "latest", redisTags, 1, []string{"7.4.1"}},
		{"redis alpine", "alpine", redisTags, 2, []string{"7.4.1-alpine", "6.2.16-alpine"}},
		{"redis bookworm", "bookworm", redisTags, 0, []string{"7.4.1-bookworm", "6.2.16-bookworm", "7.2.6-bookworm"}},
		{"postgres latest", "latest", postgresTags, 3, []string{"17.2", "16.6", "9.6.24"}},
		{"postgres alpine", "alpine", postgresTags, 0, []string{"17.2-alpine", "16.6-alpine", "9.6.24-alpine"}},
		{"nginx stable second", "stable", nginxTags, 2, []string{"1.27.3", "1.26.2"}},
		{"nginx mainline", "mainline", nginxTags, 1, []string{"1.27.3"}},
		{"nginx stable-alpine", "stable-alpine", nginxTags, 0, []string{"1.27.3-alpine", "1.26.2-alpine", "1.25.5-alpine", "1.27.2-alpine"}},
		{"nginx perl", "stable-perl", nginxTags, 0, []string{"1.27.3-perl", "1.26.2-perl"}},
		{"nginx alpine-perl", "alpine-perl", nginxTags, 0, []string{"1.27.3-alpine-perl"}},
		{"traefik latest prefers v", "latest", traefikTags, 0, []string{"v3.2.3", "v2.11.16", "v1.7.34", "v3.1.7", "v3.2.2", "v3.2.1"}},
		{"most used prefix wins", "latest", []string{"1.2.3", "1.2.2", "v1.2.3"}, 0, []string{"1.2.3", "1.2.2"}},
		{"traefik windows", "windowsservercore-ltsc2022", traefikTags, 0, []string{"v3.2.3-windowsservercore-ltsc2022"}},
		// A codename is a channel of its own: traefik:cantal is whichever
		// release carries its digest (v3.2.3), found among the newest ones.
		{"traefik codename", "cantal", traefikTags, 2, []string{"v3.2.3", "v2.11.16"}},
		// A version plus a channel word (mssql 2019-latest) is that line's
		// channel: the tags of the line, newest first in natural order.
		{"version plus channel", "2019-latest", mssqlTags, 0, []string{"2019-CU28-ubuntu-20.04", "2019-CU27-ubuntu-20.04", "2019-CU9-ubuntu-16.04", "2019-GA-ubuntu-16.04"}},
		{"version plus channel and variant", "2022-latest-ubuntu", []string{"2022-latest-ubuntu", "2022-CU16-ubuntu-22.04", "2022-CU16-rhel-9"}, 0, []string{"2022-CU16-ubuntu-22.04"}},
		// A distribution version no tag of its family refines (ubuntu:22.04)
		// may carry the digest of a dated tag: the newest of each dated family.
		{"distribution version", "22.04", ubuntuTags, 0, []string{"noble-20241015", "focal-20241011", "oracular-20241009", "jammy-20240911.1"}},
		{"version without dated tags", "16.4", postgresTags, 0, nil},
		{"minio latest", "latest", minioTags, 3, []string{"RELEASE.2024-12-13T22-19-12Z", "RELEASE.2024-12-13T09-05-01Z", "RELEASE.2024-11-07T00-52-20Z"}},
		{"minio cpuv1", "latest-cpuv1", minioTags, 0, []string{"RELEASE.2024-12-13T22-19-12Z-cpuv1", "RELEASE.2024-11-07T00-52-20Z-cpuv1"}},
		{"clamav stable", "stable", clamavTags, 1, []string{"1.4.1"}},
		{"clamav stable_base", "stable_base", clamavTags, 0, []string{"1.4.1_base", "1.3.2_base", "1.0.7_base", "1.4.0_base"}},
		{"node lts second", "lts", nodeTags, 2, []string{"23.4.0", "22.12.0"}},
		{"node lts-alpine", "lts-alpine", nodeTags, 0, []string{"23.4.0-alpine", "22.12.0-alpine", "20.18.1-alpine"}},
		{"python latest skips pre-releases", "latest", pythonTags, 2, []string{"3.13.1", "3.12.8"}},
		{"python slim", "slim", pythonTags, 0, []string{"3.13.1-slim"}},
		{"pre-release channel sees pre-releases", "unstable", []string{"1.4.1", "1.5.0-rc1", "1.5.0-beta"}, 0, []string{"1.5.0-rc1", "1.4.1", "1.5.0-beta"}},
		{"dates and numbers never mix", "latest", []string{"1.0.0", "2024-12-13", "2024-12-14", "2024-11-01"}, 0, []string{"2024-12-14", "2024-12-13", "2024-11-01"}},
		{"numbers win when more", "latest", []string{"1.0.0", "1.0.1", "1.1.0", "2024-12-13"}, 0, []string{"1.1.0", "1.0.1", "1.0.0"}},
		{"other word prefixes are platforms, not releases", "latest", []string{"nanoserver-1809", "1.2.3"}, 0, []string{"1.2.3"}},
		{"word prefix when nothing else", "latest", []string{"version-1.2.3", "version-1.2.4", "1.2.4-ls12", "nanoserver-1809"}, 0, []string{"version-1.2.4", "version-1.2.3"}},
		{"nothing but names", "latest", []string{"latest", "stable", "alpine"}, 0, nil},
		{"empty list", "7", nil, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := PreciseCandidates(tt.floating, tt.tags, tt.max)
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("PreciseCandidates(%q, tags, %d) mismatch (-want +got):\n%s", tt.floating, tt.max, d)
			}
		})
	}
}

// TestPreciseCandidatesOrderIndependent checks that the registry's order of
// tags does not change the answer.
func TestPreciseCandidatesOrderIndependent(t *testing.T) {
	lists := map[string][]string{"redis": redisTags, "traefik": traefikTags, "minio": minioTags, "nginx": nginxTags}
	floatings := []string{"latest", "7", "7-alpine", "alpine", "v3", "stable", "1.27"}
	for name, tags := range lists {
		reversed := slices.Clone(tags)
		slices.Reverse(reversed)
		for _, f := range floatings {
			want := PreciseCandidates(f, tags, 0)
			if got := PreciseCandidates(f, reversed, 0); !slices.Equal(got, want) {
				t.Errorf("%s: PreciseCandidates(%q) on reversed tags = %q, want %q", name, f, got, want)
			}
		}
	}
}

// TestPreciseCandidatesLongList runs on a list as long as a popular image
// has: the answer must still come from the newest line.
func TestPreciseCandidatesLongList(t *testing.T) {
	tags := longTagList()
	if len(tags) < 2000 {
		t.Fatalf("longTagList() has %d tags, want at least 2000", len(tags))
	}
	tests := []struct {
		floating string
		want     []string
	}{
		{"7-alpine", []string{"7.9.4-alpine", "7.9.3-alpine", "7.9.2-alpine"}},
		{"latest", []string{"9.9.4", "8.9.4", "7.9.4"}},
		{"alpine", []string{"9.9.4-alpine", "8.9.4-alpine", "7.9.4-alpine"}},
		{"8.3-bookworm", []string{"8.3.4-bookworm", "8.3.3-bookworm", "8.3.2-bookworm"}},
	}
	for _, tt := range tests {
		if got := PreciseCandidates(tt.floating, tags, 3); !slices.Equal(got, tt.want) {
			t.Errorf("PreciseCandidates(%q, longTagList(), 3) = %q, want %q", tt.floating, got, tt.want)
		}
	}
}

// longTagList returns 2,000+ tags: nine majors, ten minors, five patches
// in four variants, their floating tags, release candidates and hashes.
func longTagList() []string {
	var tags []string
	for major := 1; major <= 9; major++ {
		for minor := 0; minor <= 9; minor++ {
			for patch := 0; patch <= 4; patch++ {
				v := fmt.Sprintf("%d.%d.%d", major, minor, patch)
				tags = append(tags, v, v+"-alpine", v+"-alpine3.20", v+"-bookworm")
			}
			tags = append(tags, fmt.Sprintf("%d.%d", major, minor), fmt.Sprintf("%d.%d-alpine", major, minor),
				fmt.Sprintf("%d.%d.5-rc1", major, minor), fmt.Sprintf("%d.%d.5-rc1-alpine", major, minor))
		}
		tags = append(tags, fmt.Sprint(major), fmt.Sprintf("%d-alpine", major))
	}
	for i := range 100 {
		tags = append(tags, fmt.Sprintf("%07x", 0xa1b2c3d+i*7919))
	}
	tags = append(tags, "latest", "alpine", "bookworm", "10.0-M01")
	slices.Sort(tags) // registries list tags lexically
	return tags
}

func BenchmarkPreciseCandidates(b *testing.B) {
	tags := longTagList()
	for _, floating := range []string{"7-alpine", "latest", "alpine"} {
		b.Run(floating, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				PreciseCandidates(floating, tags, 5)
			}
		})
	}
}

func BenchmarkParseVersion(b *testing.B) {
	tags := longTagList()
	b.ReportAllocs()
	for b.Loop() {
		for _, tag := range tags {
			ParseVersion(tag)
		}
	}
}

func FuzzParseVersion(f *testing.F) {
	for _, list := range [][]string{redisTags, postgresTags, nginxTags, traefikTags, minioTags, clamavTags, nodeTags, pythonTags} {
		for _, tag := range list {
			f.Add(tag)
		}
	}
	for _, tag := range []string{"21.0.5_11-jdk", "v3.3.0-rc.1", "2024-12-13", "1.2.3-1", "jammy-20240911.1", "9999999999", "1_2_3"} {
		f.Add(tag)
	}
	f.Fuzz(func(t *testing.T, tag string) {
		v, ok := ParseVersion(tag)
		IsPrecise(tag)
		PreciseCandidates(tag, []string{tag, "1.2.3", "latest"}, 0)
		NewerTags(tag, []string{tag, "1.2.3"}, PolicyMajor)
		if !ok {
			return
		}
		if v.Raw != tag || !strings.HasPrefix(tag, v.Prefix) || !strings.HasSuffix(tag, v.Suffix) || len(v.Nums) == 0 {
			t.Fatalf("ParseVersion(%q) = %+v: parts do not match the tag", tag, v)
		}
		again, ok := ParseVersion(v.Raw)
		if !ok {
			t.Fatalf("ParseVersion(%q) = false on its own Raw", v.Raw)
		}
		if d := cmp.Diff(v, again); d != "" {
			t.Fatalf("ParseVersion(%q) does not round trip (-first +second):\n%s", tag, d)
		}
		if c := v.Compare(again); c != 0 {
			t.Fatalf("ParseVersion(%q).Compare(itself) = %d, want 0", tag, c)
		}
	})
}
