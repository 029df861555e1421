// Tag model (version.go and policy.go).
//
// An image tag is either a version or a name. A version is
// prefix + numeric core + suffix:
//
//	v3.2.3                          prefix "v", core 3.2.3
//	1.25.3-bookworm-perl            core 1.25.3, suffix "-bookworm-perl"
//	3.14.0a3-alpine                 core 3.14.0, suffix "a3-alpine" (pre-release "a3", variant "-alpine")
//	21.0.5_11-jdk                   core 21.0.5_11 (an underscore before a digit continues the core)
//	1.4.1_base                      core 1.4.1, suffix "_base" (an underscore before a letter starts the suffix)
//	RELEASE.2024-12-13T22-19-12Z    prefix "RELEASE.", date core, ordered as a timestamp
//
// The prefix is empty, "v" or "V" glued to the core, or a word of letters
// ending in '-', '.' or '_' ("RELEASE.", "version-"). Everything after the
// core is the suffix. A suffix starting with a letter is accepted only when
// it is a pre-release marker (rc1, a3, beta3), so hash-like tags such as
// "1234abc" are not versions; neither are tags of 7 or more hex digits, a
// lone core of 7 or more digits without a word prefix (20241213, but
// jammy-20240911 is one), nor prefixes naming builds ("sha-", "pr-").
//
// Tags that share prefix, suffix, date-ness and number of components form a
// family; only members of one family are ordered against each other, by
// numeric value (7.10.0 > 7.9.9), with the raw tag breaking ties. A suffix
// whose first token is a pre-release marker (rc, alpha/a, beta/b, dev,
// nightly, M02 ...) makes the tag a pre-release: its variant is the suffix
// without that token, and it orders below the release of the same numbers.
//
// A floating tag (latest, 7-alpine, 1.25) is pinned by looking for the tag
// with the same digest among the more precise members of its family: those
// that extend its numbers (7 -> 7.4.1), or for a name such as latest,
// stable or alpine, the newest releases whose variant is the name's
// ("alpine" -> "-alpine"). PreciseCandidates only decides which tags to ask
// for and in what order; the caller compares digests.

package registry

import (
	"cmp"
	"slices"
	"strings"
)

// Version is a parsed image tag.
type Version struct {
	Raw    string // the tag as written
	Prefix string // "v", "RELEASE.", "" ...
	Nums   []int  // numeric components: 7.4.1 -> [7 4 1]; a date RELEASE.2024-12-13T22-19-12Z -> [2024 12 13 22 19 12]
	Suffix string // "-alpine", "-alpine3.20", "-bookworm", "" (everything after the numeric core)
	Date   bool   // date-style version (ordered as a timestamp, never mixed with semver-like tags)
}

// String returns the tag as written.
func (v Version) String() string { return v.Raw }

// Prerelease reports whether the suffix marks a pre-release (-rc1, -beta,
// a3, -M02, -dev, -nightly ...), wherever the marker stands in the suffix.
func (v Version) Prerelease() bool {
	_, _, _, any := splitPrerelease(v.Suffix)
	return any
}

// Variant returns the suffix without a leading pre-release marker:
// "-rc1-alpine" -> "-alpine", "a3" -> "", "-bookworm" -> "-bookworm".
// Tags of one family that differ only in pre-release share a variant.
func (v Version) Variant() string {
	variant, _, _, _ := splitPrerelease(v.Suffix)
	return variant
}

// Compare returns -1, 0 or +1 as v is older than, the same as or newer
// than w. Components are compared numerically from the left; when one list
// of numbers is a prefix of the other, the shorter is older (7.4 < 7.4.0).
// Equal numbers are ordered by a leading pre-release marker: dev < alpha <
// beta < rc < release, then by the marker's number (rc1 < rc2). Prefix,
// Suffix and Date are otherwise ignored: the result only means something
// within one family.
func (v Version) Compare(w Version) int {
	if c := compareTagNums(v.Nums, w.Nums); c != 0 {
		return c
	}
	_, vr, vn, _ := splitPrerelease(v.Suffix)
	_, wr, wn, _ := splitPrerelease(w.Suffix)
	if c := cmp.Compare(vr, wr); c != 0 {
		return c
	}
	return cmp.Compare(vn, wn)
}

// ParseVersion parses tag as a version. It returns false for tags that are
// names rather than versions ("latest", "stable", "alpine", "mainline",
// "alpine3.20", "windowsservercore-ltsc2022") and for hash-like tags.
func ParseVersion(tag string) (Version, bool) {
	t, ok := parseTag(tag)
	return t.Version, ok
}

// IsPrecise reports whether tag names one release (3+ numeric components such as 7.4.1, 1.25.3-alpine, v3.2.3, a full RELEASE date), not a floating tag.
// Pre-releases with three components (v3.3.0-rc1) are precise; two-component
// releases such as postgres 17.2 are not, although no more precise tag
// exists for them.
//
// A channel word after the numbers (2019-latest, 1.2.3-stable) makes a tag
// floating whatever its numbers.
func IsPrecise(tag string) bool {
	t, ok := parseTag(tag)
	if !ok || len(t.Nums) < 3 {
		return false
	}
	_, channel := channelSuffix(t)
	return !channel
}

// namesRelease reports whether a version tag that nothing refines names its
// release (postgres:16.4): not when a channel word follows its numbers
// (5-latest moves whatever the registry lists).
func namesRelease(tag string) bool {
	t, ok := parseTag(tag)
	if !ok {
		return false
	}
	_, channel := channelSuffix(t)
	return !channel
}

// channelSuffix reports whether a version's suffix starts with a channel
// word ("2019-latest", "2022-latest-ubuntu") and returns what follows it.
func channelSuffix(t tagInfo) (variant string, ok bool) {
	first, rest := cutTagToken(trimTagSep(t.Suffix))
	if !tagChannel(strings.ToLower(first)) {
		return "", false
	}
	return trimTagSep(rest), true
}

// PreciseCandidates returns the tags from tags that may carry the same digest as floating and are more precise than it, newest first, at most max (max <= 0: no limit).
//
// For a numeric floating tag (7-alpine, 16, 1.25) the candidates have the
// same prefix, the same suffix (exactly: "-alpine" is not "-alpine3.20"),
// and more components that start with the floating tag's numbers.
//
// For a named floating tag the first token may be a channel (latest,
// stable, mainline, lts, current, ...) and the rest a variant:
// "stable-alpine" wants variant "-alpine", "stable_base" "_base"; a name
// that is no channel is the variant itself ("alpine" wants "-alpine",
// "bookworm-slim" "-bookworm-slim"). Candidates are releases without
// pre-release markers (unless the channel is itself a pre-release channel
// such as edge, nightly or unstable), of prefix "", "v" or "V", or dates
// (after a word prefix such as "version-" only when there is nothing else).
// Dates and numeric versions are never mixed: the kind with more tags wins.
// "v3.2.3" and "3.2.3" are the same release; the prefix used more often in
// the list is offered, "v" on a tie. Numeric candidates are ordered so that
// one HEAD per release line comes first: the newest release of each major
// line, then of each major.minor line, then the rest, each newest first
// (so lts finds 22.12.0 behind 23.4.0, and stable 1.26.2 behind 1.27.3).
//
// In both cases only the most precise tags are offered: a tag extended by
// another candidate (7.4 when 7.4.1 exists) is left out.
//
// Three kinds of floating tags look further, since a tag is precise only
// when the registry serves no more precise tag for the same digest:
//   - a version followed by a channel word (mssql's 2019-latest) is the
//     channel of its line: the other tags of the line are offered (see
//     lineCandidates);
//   - a plain version that no tag of its family refines (ubuntu's 22.04)
//     may carry the digest of a dated tag (jammy-20240911.1): the newest
//     tag of each dated family is offered;
//   - a name that is neither a channel nor a variant with candidates is a
//     codename (traefik's cantal): it is offered what latest is.
func PreciseCandidates(floating string, tags []string, max int) []string {
	var out []string
	if f, ok := parseTag(floating); ok {
		if variant, channel := channelSuffix(f); channel {
			out = lineCandidates(f, variant, tags)
		} else if out = numericCandidates(f, tags); len(out) == 0 && f.Suffix == "" && !f.Date {
			out = datedCandidates(tags)
		}
	} else {
		out = namedCandidates(floating, tags)
		if first, _ := cutTagToken(floating); len(out) == 0 && !tagChannel(strings.ToLower(first)) {
			out = namedCandidates("latest", tags)
		}
	}
	if max > 0 && len(out) > max {
		out = out[:max:max]
	}
	return out
}

// numericCandidates implements PreciseCandidates for a version tag.
func numericCandidates(f tagInfo, tags []string) []string {
	var pool []tagInfo
	for _, raw := range tags {
		if !strings.HasPrefix(raw, f.Prefix) || !strings.HasSuffix(raw, f.Suffix) {
			continue // cheap rejection before parsing
		}
		t, ok := parseTag(raw)
		if !ok || t.Prefix != f.Prefix || t.Suffix != f.Suffix || t.Date != f.Date ||
			len(t.Nums) <= len(f.Nums) || !slices.Equal(t.Nums[:len(f.Nums)], f.Nums) {
			continue
		}
		pool = append(pool, t)
	}
	pool = leafTags(pool)
	slices.SortFunc(pool, newestFirst)
	return rawTags(pool)
}

// lineCandidates implements PreciseCandidates for a version followed by a
// channel word: the tags of the same prefix whose numbers start with f's,
// with no channel word, holding the channel's variant when it has one
// ("2022-latest-ubuntu" wants "ubuntu"), and not f's bare line. Their
// suffixes are not versions (CU28-ubuntu-20.04), so they are ordered by
// numbers, then by the number in the suffix's first token (CU28 before
// CU9, GA last), then naturally, newest first.
func lineCandidates(f tagInfo, variant string, tags []string) []string {
	var pool []tagInfo
	for _, raw := range tags {
		t, ok := parseTag(raw)
		if !ok || raw == f.Raw || t.Prefix != f.Prefix || t.Date != f.Date ||
			len(t.Nums) < len(f.Nums) || !slices.Equal(t.Nums[:len(f.Nums)], f.Nums) {
			continue
		}
		if _, channel := channelSuffix(t); channel || len(t.Nums) == len(f.Nums) && t.Suffix == "" {
			continue
		}
		if variant != "" && !strings.Contains(strings.ToLower(t.Suffix), strings.ToLower(variant)) {
			continue
		}
		pool = append(pool, t)
	}
	slices.SortFunc(pool, func(a, b tagInfo) int {
		return cmp.Or(
			compareTagNums(b.Nums, a.Nums),
			cmp.Compare(leadNumber(b.Suffix), leadNumber(a.Suffix)),
			naturalCompare(b.Suffix, a.Suffix),
			strings.Compare(a.Raw, b.Raw),
		)
	})
	return rawTags(pool)
}

// datedTagMin and datedTagMax bound a YYYYMMDD number.
const datedTagMin, datedTagMax = 19000101, 29991231

// datedCandidates returns the newest tag of each family of dated tags
// after a word ("jammy-20240911.1", "noble-20241015"), newest first. Which
// family a version belongs to is not in the tags: the digest decides.
func datedCandidates(tags []string) []string {
	newest := map[string]tagInfo{}
	for _, raw := range tags {
		t, ok := parseTag(raw)
		if !ok || t.prerelease || tagKind(t)[0] != 'w' || t.Nums[0] < datedTagMin || t.Nums[0] > datedTagMax {
			continue
		}
		if cur, ok := newest[t.Prefix]; !ok || newestFirst(t, cur) < 0 {
			newest[t.Prefix] = t
		}
	}
	pool := make([]tagInfo, 0, len(newest))
	for _, t := range newest {
		pool = append(pool, t)
	}
	slices.SortFunc(pool, newestFirst)
	return rawTags(pool)
}

// leadNumber returns the number in the first token of a suffix ("-CU28-
// ubuntu-20.04": 28), or -1 when it has none ("-GA-ubuntu-16.04").
func leadNumber(suffix string) int {
	s, _ := cutTagToken(trimTagSep(suffix))
	n, seen := 0, false
	for i := 0; i < len(s); i++ {
		switch {
		case isTagDigit(s[i]) && n < 1e8:
			n, seen = n*10+int(s[i]-'0'), true
		case seen:
			return n
		}
	}
	if !seen {
		return -1
	}
	return n
}

// naturalCompare compares strings with runs of digits compared as numbers.
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		if isTagDigit(a[0]) && isTagDigit(b[0]) {
			i, j := 0, 0
			for i < len(a) && isTagDigit(a[i]) {
				i++
			}
			for j < len(b) && isTagDigit(b[j]) {
				j++
			}
			x, y := strings.TrimLeft(a[:i], "0"), strings.TrimLeft(b[:j], "0")
			if c := cmp.Or(cmp.Compare(len(x), len(y)), strings.Compare(x, y)); c != 0 {
				return c
			}
			a, b = a[i:], b[j:]
			continue
		}
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Compare(len(a), len(b))
}

// The word lists below are switches, not package maps: a map literal is
// built by code at every process start, --version included (issue 14).

// tagChannel reports whether name (lower case) denotes a release channel
// rather than a variant; "stable-alpine" is the channel stable of variant
// "-alpine".
func tagChannel(name string) bool {
	switch name {
	case "latest", "stable", "mainline", "lts", "current",
		"release", "main", "master", "production":
		return true
	}
	return prereleaseChannel(name)
}

// prereleaseChannel reports whether the channel name (lower case) may
// point at pre-releases, so that its candidates may too.
func prereleaseChannel(name string) bool {
	switch name {
	case "edge", "unstable", "nightly", "dev", "develop",
		"beta", "rc", "next", "canary", "testing":
		return true
	}
	return false
}

// namedCandidates implements PreciseCandidates for a named tag.
func namedCandidates(name string, tags []string) []string {
	variant, allowPre := name, false
	if first, rest := cutTagToken(name); tagChannel(strings.ToLower(first)) {
		variant, allowPre = trimTagSep(rest), prereleaseChannel(strings.ToLower(first))
	}

	var pool []tagInfo
	count := map[string]int{} // by kind, see tagKind
	for _, raw := range tags {
		if variant != "" && !strings.Contains(raw, variant) {
			continue // cheap rejection before parsing
		}
		t, ok := parseTag(raw)
		if !ok || (t.prerelease && !allowPre) || trimTagSep(t.variant) != variant {
			continue
		}
		pool = append(pool, t)
		count[tagKind(t)]++
	}
	if len(pool) == 0 {
		return nil
	}

	// The kind with most tags wins, numeric before dates on a tie. Word
	// prefixes (nanoserver-1809, version-1.2.3) more often name platforms
	// than releases: they count only when nothing else is there.
	kinds := make([]string, 0, len(count))
	for k := range count {
		kinds = append(kinds, k)
	}
	word := func(kind string) int {
		if kind[0] == 'w' {
			return 1
		}
		return 0
	}
	slices.SortFunc(kinds, func(a, b string) int {
		return cmp.Or(
			cmp.Compare(word(a), word(b)),
			cmp.Compare(count[b], count[a]),
			cmp.Compare(a, b),
		)
	})
	kind := kinds[0]
	prefixCount := map[string]int{}
	pool = slices.DeleteFunc(pool, func(t tagInfo) bool { return tagKind(t) != kind })
	for _, t := range pool {
		prefixCount[t.Prefix]++
	}

	// Equal numbers under different prefixes (v3.2.3, 3.2.3) are one
	// release: keep the tag of the most used prefix, "v" on a tie.
	slices.SortFunc(pool, func(a, b tagInfo) int {
		return cmp.Or(
			compareTagValue(a, b),
			cmp.Compare(prefixCount[b.Prefix], prefixCount[a.Prefix]),
			cmp.Compare(len(b.Prefix), len(a.Prefix)),
			strings.Compare(a.Raw, b.Raw),
		)
	})
	pool = slices.CompactFunc(pool, func(a, b tagInfo) bool { return compareTagValue(a, b) == 0 })
	pool = leafTags(pool)
	slices.SortFunc(pool, newestFirst)
	if kind[0] == 'd' {
		return rawTags(pool) // a timestamp has no release lines
	}

	// One release per line first: newest per major, then per major.minor.
	tier := make([]int, len(pool))
	majors, minors := map[int]bool{}, map[[2]int]bool{}
	for i, t := range pool {
		switch {
		case !majors[t.Nums[0]]:
			majors[t.Nums[0]] = true
			if len(t.Nums) > 1 {
				minors[[2]int{t.Nums[0], t.Nums[1]}] = true
			}
		case len(t.Nums) > 1 && !minors[[2]int{t.Nums[0], t.Nums[1]}]:
			minors[[2]int{t.Nums[0], t.Nums[1]}] = true
			tier[i] = 1
		default:
			tier[i] = 2
		}
	}
	out := make([]string, 0, len(pool))
	for want := 0; want <= 2; want++ {
		for i, t := range pool {
			if tier[i] == want {
				out = append(out, t.Raw)
			}
		}
	}
	return out
}

// tagKind groups named-tag candidates that may be ordered together: "n"
// for numbers with prefix "", "v" or "V", "d"+prefix for dates, "w"+prefix
// for numbers after a word.
func tagKind(t tagInfo) string {
	switch {
	case t.Date:
		return "d" + t.Prefix
	case t.Prefix == "" || t.Prefix == "v" || t.Prefix == "V":
		return "n"
	}
	return "w" + t.Prefix
}

// leafTags drops every tag whose numbers are a proper prefix of another
// tag's numbers in pool (7.4 when 7.4.1 is there). The order of pool is
// not kept.
func leafTags(pool []tagInfo) []tagInfo {
	slices.SortFunc(pool, func(a, b tagInfo) int {
		return cmp.Or(compareTagNums(a.Nums, b.Nums), strings.Compare(a.Raw, b.Raw))
	})
	// In ascending order the extensions of a tag follow it directly, after
	// the tags with equal numbers.
	out := pool[:0]
	for i := 0; i < len(pool); {
		j := i + 1
		for j < len(pool) && slices.Equal(pool[j].Nums, pool[i].Nums) {
			j++
		}
		extended := j < len(pool) && len(pool[j].Nums) > len(pool[i].Nums) &&
			slices.Equal(pool[j].Nums[:len(pool[i].Nums)], pool[i].Nums)
		if !extended {
			out = append(out, pool[i:j]...)
		}
		i = j
	}
	return out
}

// newestFirst orders tags of one family newest first, ties by raw tag.
func newestFirst(a, b tagInfo) int {
	return cmp.Or(compareTagValue(b, a), strings.Compare(a.Raw, b.Raw))
}

// compareTagValue is Version.Compare on analysed tags.
func compareTagValue(a, b tagInfo) int {
	return cmp.Or(
		compareTagNums(a.Nums, b.Nums),
		cmp.Compare(a.preRank, b.preRank),
		cmp.Compare(a.preNum, b.preNum),
	)
}

func rawTags(pool []tagInfo) []string {
	if len(pool) == 0 {
		return nil
	}
	out := make([]string, len(pool))
	for i, t := range pool {
		out[i] = t.Raw
	}
	return out
}

// compareTagNums compares numbers from the left; a proper prefix is older.
func compareTagNums(a, b []int) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return cmp.Compare(a[i], b[i])
		}
	}
	return cmp.Compare(len(a), len(b))
}

// tagInfo is a Version with its suffix analysed once.
type tagInfo struct {
	Version
	variant    string // Suffix without a leading pre-release marker
	preRank    int    // rank of the leading marker, preRelease when none
	preNum     int    // number of the leading marker (rc2 -> 2)
	prerelease bool   // a pre-release marker anywhere in Suffix
}

// Pre-release ranks: ordering of a leading marker among equal numbers.
const (
	preDev = iota
	preAlpha
	preBeta
	preRC
	preRelease
)

// prereleaseMarker returns the rank of a pre-release token's letters,
// and whether they mark one. Single letters count only with a number (a3,
// b1, M02), never alone.
func prereleaseMarker(letters string) (rank int, ok bool) {
	switch letters {
	case "dev", "nightly", "snapshot", "canary",
		"experimental", "unstable", "edge", "next":
		return preDev, true
	case "alpha", "a", "ea", "m", "milestone",
		"pre", "preview":
		return preAlpha, true
	case "beta", "b":
		return preBeta, true
	case "rc":
		return preRC, true
	}
	return 0, false
}

// maxTagComponentDigits keeps components inside int range on 32-bit
// platforms and rejects long build numbers posing as versions.
const maxTagComponentDigits = 9

// parseTag parses tag; see the model at the top of this file.
func parseTag(tag string) (tagInfo, bool) {
	var t tagInfo
	if !validTagSyntax(tag) || hexLikeTag(tag) {
		return t, false
	}
	start, ok := tagPrefixEnd(tag)
	if !ok {
		return t, false
	}
	nums, end, date, ok := parseTagCore(tag, start)
	if !ok {
		return t, false
	}
	suffix := tag[end:]
	if !validTagSuffix(suffix) {
		return t, false
	}
	t.Version = Version{Raw: tag, Prefix: tag[:start], Nums: nums, Suffix: suffix, Date: date}
	t.variant, t.preRank, t.preNum, t.prerelease = splitPrerelease(suffix)
	return t, true
}

// validTagSyntax checks the reference grammar of a tag: [\w][\w.-]{0,127}.
func validTagSyntax(tag string) bool {
	if tag == "" || len(tag) > 128 || tag[0] == '.' || tag[0] == '-' {
		return false
	}
	for i := 0; i < len(tag); i++ {
		if c := tag[i]; !isTagDigit(c) && !isTagLetter(c) && !isTagSep(c) {
			return false
		}
	}
	return true
}

// hexLikeTag reports tags of 7 or more hex digits (commit hashes).
func hexLikeTag(tag string) bool {
	if len(tag) < 7 {
		return false
	}
	for i := 0; i < len(tag); i++ {
		c := tag[i]
		if !isTagDigit(c) && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// buildPrefix reports whether word (lower case) names builds, not
// releases, as a tag's prefix.
func buildPrefix(word string) bool {
	switch word {
	case "sha", "git", "commit", "pr", "pull", "run":
		return true
	}
	return false
}

// tagPrefixEnd returns where the numeric core starts.
func tagPrefixEnd(tag string) (int, bool) {
	switch {
	case isTagDigit(tag[0]):
		return 0, true
	case (tag[0] == 'v' || tag[0] == 'V') && len(tag) > 1 && isTagDigit(tag[1]):
		return 1, true
	}
	i := 0
	for i < len(tag) && isTagLetter(tag[i]) {
		i++
	}
	if i == 0 || i+1 >= len(tag) || !isTagSep(tag[i]) || !isTagDigit(tag[i+1]) ||
		buildPrefix(strings.ToLower(tag[:i])) {
		return 0, false
	}
	return i + 1, true
}

// parseTagCore reads the numeric core of tag at start: a date
// (YYYY-MM-DD, optionally THH-MM-SS and Z) or numbers separated by '.' or
// by '_' before a digit. It returns the numbers and where the core ends.
func parseTagCore(tag string, start int) (nums []int, end int, date bool, ok bool) {
	if nums, n, ok := parseTagDate(tag[start:]); ok {
		return nums, start + n, true, true
	}
	count := 1
	for i := start + 1; i+1 < len(tag); i++ {
		if (tag[i] == '.' || tag[i] == '_') && isTagDigit(tag[i-1]) && isTagDigit(tag[i+1]) {
			count++
		}
	}
	nums = make([]int, 0, count)
	i := start
	for {
		n, digits := 0, 0
		for i < len(tag) && isTagDigit(tag[i]) {
			n = n*10 + int(tag[i]-'0')
			digits++
			i++
			if digits > maxTagComponentDigits {
				return nil, 0, false, false
			}
		}
		nums = append(nums, n)
		if i+1 < len(tag) && (tag[i] == '.' || tag[i] == '_') && isTagDigit(tag[i+1]) {
			i++
			continue
		}
		if len(nums) == 1 && digits >= 7 && start < 2 {
			// A hash or build number, not a version; after a word it is a
			// snapshot stamp (jammy-20240911) and orders like one.
			return nil, 0, false, false
		}
		return nums, i, false, true
	}
}

// parseTagDate reads YYYY-MM-DD[THH-MM-SS[Z]] at the start of s.
func parseTagDate(s string) ([]int, int, bool) {
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return nil, 0, false
	}
	y, ok1 := tagDigits(s[0:4])
	mo, ok2 := tagDigits(s[5:7])
	d, ok3 := tagDigits(s[8:10])
	if !ok1 || !ok2 || !ok3 || mo < 1 || mo > 12 || d < 1 || d > 31 {
		return nil, 0, false
	}
	if len(s) >= 19 && s[10] == 'T' && s[13] == '-' && s[16] == '-' {
		h, ok1 := tagDigits(s[11:13])
		mi, ok2 := tagDigits(s[14:16])
		sec, ok3 := tagDigits(s[17:19])
		if ok1 && ok2 && ok3 && h <= 23 && mi <= 59 && sec <= 60 {
			n := 19
			if len(s) > 19 && s[19] == 'Z' {
				n = 20
			}
			return []int{y, mo, d, h, mi, sec}, n, true
		}
	}
	return []int{y, mo, d}, 10, true
}

func tagDigits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		if !isTagDigit(s[i]) {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// validTagSuffix accepts "", a separator followed by a letter or digit, or
// a pre-release marker glued to the core (3.14.0a3, 17rc1).
func validTagSuffix(s string) bool {
	switch {
	case s == "":
		return true
	case isTagSep(s[0]):
		return len(s) > 1 && isTagAlnum(s[1])
	case isTagLetter(s[0]):
		tok, _ := cutTagToken(s)
		_, _, ok := prereleaseToken(tok)
		return ok
	}
	return false
}

// splitPrerelease analyses a suffix: the variant without a leading
// pre-release token (with a following all-digit token, as in "-rc.1"), the
// leading token's rank and number, and whether any token is a pre-release.
func splitPrerelease(suffix string) (variant string, rank, num int, any bool) {
	variant, rank = suffix, preRelease
	rest := suffix
	if rest != "" && isTagSep(rest[0]) {
		rest = rest[1:]
	}
	tok, after := cutTagToken(rest)
	if r, n, ok := prereleaseToken(tok); ok {
		rank, num, any = r, n, true
		if n == -1 && after != "" && after[0] == '.' {
			if ntok, after2 := cutTagToken(after[1:]); ntok != "" {
				if v, ok := tagDigits(ntok); ok && len(ntok) <= maxTagComponentDigits {
					num, after = v, after2
				}
			}
		}
		variant = after
	}
	if num == -1 {
		num = 0
	}
	for !any && after != "" {
		tok, after = cutTagToken(after[1:])
		_, _, any = prereleaseToken(tok)
	}
	return variant, rank, num, any
}

// prereleaseToken parses letters+digits such as rc1, beta, a3 or M02. The
// number is -1 when the token has none.
func prereleaseToken(tok string) (rank, num int, ok bool) {
	i := 0
	for i < len(tok) && isTagLetter(tok[i]) {
		i++
	}
	letters := strings.ToLower(tok[:i])
	rank, known := prereleaseMarker(letters)
	if !known {
		return 0, 0, false
	}
	if i == len(tok) {
		if len(letters) == 1 {
			return 0, 0, false // "a", "b", "m" alone are too common to mean pre-release
		}
		return rank, -1, true
	}
	if len(tok)-i > maxTagComponentDigits {
		return 0, 0, false
	}
	num, ok = tagDigits(tok[i:])
	return rank, num, ok
}

// cutTagToken splits s before its first separator.
func cutTagToken(s string) (tok, rest string) {
	for i := 0; i < len(s); i++ {
		if isTagSep(s[i]) {
			return s[:i], s[i:]
		}
	}
	return s, ""
}

func trimTagSep(s string) string {
	if s != "" && isTagSep(s[0]) {
		return s[1:]
	}
	return s
}

func isTagDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isTagLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isTagAlnum(c byte) bool  { return isTagDigit(c) || isTagLetter(c) }
func isTagSep(c byte) bool    { return c == '-' || c == '.' || c == '_' }
