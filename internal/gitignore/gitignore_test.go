package gitignore

import (
	"testing"

	_ "github.com/composefix/composefix/internal/golden" // defines -update for go test ./... -update
)

// TestPatternMatch is go-git's pattern_test.go (v5.19.3), one row per
// test of its check.v1 suite, so the copy keeps go-git's behaviour.
func TestPatternMatch(t *testing.T) {
	tests := []struct {
		name, pattern string
		domain, path  []string
		isDir         bool
		want          MatchResult
	}{
		{"SimpleMatch_inclusion", "!vul?ano", nil, []string{"value", "vulkano", "tail"}, false, Include},
		{"Match_domainLonger_mismatch", "value", []string{"head", "middle", "tail"}, []string{"head", "middle"}, false, NoMatch},
		{"Match_domainSameLength_mismatch", "value", []string{"head", "middle", "tail"}, []string{"head", "middle", "tail"}, false, NoMatch},
		{"Match_domainMismatch_mismatch", "value", []string{"head", "middle", "tail"}, []string{"head", "middle", "_tail_", "value"}, false, NoMatch},
		{"SimpleMatch_withDomain", "middle/", []string{"value", "volcano"}, []string{"value", "volcano", "middle", "tail"}, false, Exclude},
		{"SimpleMatch_onlyMatchInDomain_mismatch", "volcano/", []string{"value", "volcano"}, []string{"value", "volcano", "tail"}, true, NoMatch},
		{"SimpleMatch_atStart", "value", nil, []string{"value", "tail"}, false, Exclude},
		{"SimpleMatch_inTheMiddle", "value", nil, []string{"head", "value", "tail"}, false, Exclude},
		{"SimpleMatch_atEnd", "value", nil, []string{"head", "value"}, false, Exclude},
		{"SimpleMatch_atStart_dirWanted", "value/", nil, []string{"value", "tail"}, false, Exclude},
		{"SimpleMatch_inTheMiddle_dirWanted", "value/", nil, []string{"head", "value", "tail"}, false, Exclude},
		{"SimpleMatch_atEnd_dirWanted", "value/", nil, []string{"head", "value"}, true, Exclude},
		{"SimpleMatch_atEnd_dirWanted_notADir_mismatch", "value/", nil, []string{"head", "value"}, false, NoMatch},
		{"SimpleMatch_mismatch", "value", nil, []string{"head", "val", "tail"}, false, NoMatch},
		{"SimpleMatch_valueLonger_mismatch", "val", nil, []string{"head", "value", "tail"}, false, NoMatch},
		{"SimpleMatch_withAsterisk", "v*o", nil, []string{"value", "vulkano", "tail"}, false, Exclude},
		{"SimpleMatch_withQuestionMark", "vul?ano", nil, []string{"value", "vulkano", "tail"}, false, Exclude},
		{"SimpleMatch_magicChars", "v[ou]l[kc]ano", nil, []string{"value", "volcano"}, false, Exclude},
		{"SimpleMatch_wrongPattern_mismatch", "v[ou]l[", nil, []string{"value", "vol["}, false, NoMatch},
		{"GlobMatch_fromRootWithSlash", "/value/vul?ano", nil, []string{"value", "vulkano", "tail"}, false, Exclude},
		{"GlobMatch_withDomain", "middle/tail/", []string{"value", "volcano"}, []string{"value", "volcano", "middle", "tail"}, true, Exclude},
		{"GlobMatch_onlyMatchInDomain_mismatch", "volcano/tail", []string{"value", "volcano"}, []string{"value", "volcano", "tail"}, false, NoMatch},
		{"GlobMatch_fromRootWithoutSlash", "value/vul?ano", nil, []string{"value", "vulkano", "tail"}, false, Exclude},
		{"GlobMatch_fromRoot_mismatch", "value/vulkano", nil, []string{"value", "volcano"}, false, NoMatch},
		{"GlobMatch_fromRoot_tooShort_mismatch", "value/vul?ano", nil, []string{"value"}, false, NoMatch},
		{"GlobMatch_fromRoot_notAtRoot_mismatch", "/value/volcano", nil, []string{"value", "value", "volcano"}, false, NoMatch},
		{"GlobMatch_leadingAsterisks_atStart", "**/*lue/vol?ano", nil, []string{"value", "volcano", "tail"}, false, Exclude},
		{"GlobMatch_leadingAsterisks_notAtStart", "**/*lue/vol?ano", nil, []string{"head", "value", "volcano", "tail"}, false, Exclude},
		{"GlobMatch_leadingAsterisks_mismatch", "**/*lue/vol?ano", nil, []string{"head", "value", "Volcano", "tail"}, false, NoMatch},
		{"GlobMatch_leadingAsterisks_isDir", "**/*lue/vol?ano/", nil, []string{"head", "value", "volcano", "tail"}, false, Exclude},
		{"GlobMatch_leadingAsterisks_isDirAtEnd", "**/*lue/vol?ano/", nil, []string{"head", "value", "volcano"}, true, Exclude},
		{"GlobMatch_leadingAsterisks_isDir_mismatch", "**/*lue/vol?ano/", nil, []string{"head", "value", "Colcano"}, true, NoMatch},
		{"GlobMatch_leadingAsterisks_isDirNoDirAtEnd_mismatch", "**/*lue/vol?ano/", nil, []string{"head", "value", "volcano"}, false, NoMatch},
		{"GlobMatch_tailingAsterisks", "/*lue/vol?ano/**", nil, []string{"value", "volcano", "tail", "moretail"}, false, Exclude},
		{"GlobMatch_tailingAsterisks_exactMatch", "/*lue/vol?ano/**", nil, []string{"value", "volcano"}, false, Exclude},
		{"GlobMatch_middleAsterisks_emptyMatch", "/*lue/**/vol?ano", nil, []string{"value", "volcano"}, false, Exclude},
		{"GlobMatch_middleAsterisks_oneMatch", "/*lue/**/vol?ano", nil, []string{"value", "middle", "volcano"}, false, Exclude},
		{"GlobMatch_middleAsterisks_multiMatch", "/*lue/**/vol?ano", nil, []string{"value", "middle1", "middle2", "volcano"}, false, Exclude},
		{"GlobMatch_middleAsterisks_isDir_trailing", "/*lue/**/vol?ano/", nil, []string{"value", "middle1", "middle2", "volcano"}, true, Exclude},
		{"GlobMatch_middleAsterisks_isDir_trailing_mismatch", "/*lue/**/vol?ano/", nil, []string{"value", "middle1", "middle2", "volcano"}, false, NoMatch},
		{"GlobMatch_middleAsterisks_isDir", "/*lue/**/vol?ano/", nil, []string{"value", "middle1", "middle2", "volcano", "tail"}, false, Exclude},
		{"GlobMatch_wrongDoubleAsterisk_mismatch", "/*lue/**foo/vol?ano", nil, []string{"value", "foo", "volcano", "tail"}, false, NoMatch},
		{"GlobMatch_magicChars", "**/head/v[ou]l[kc]ano", nil, []string{"value", "head", "volcano"}, false, Exclude},
		{"GlobMatch_wrongPattern_noTraversal_mismatch", "**/head/v[ou]l[", nil, []string{"value", "head", "vol["}, false, NoMatch},
		{"GlobMatch_wrongPattern_onTraversal_mismatch", "/value/**/v[ou]l[", nil, []string{"value", "head", "vol["}, false, NoMatch},
		{"GlobMatch_issue_923", "**/android/**/GeneratedPluginRegistrant.java", nil, []string{"packages", "flutter_tools", "lib", "src", "android", "gradle.dart"}, false, NoMatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ParsePattern(tt.pattern, tt.domain).Match(tt.path, tt.isDir); got != tt.want {
				t.Errorf("ParsePattern(%q, %q).Match(%q, %v) = %v, want %v", tt.pattern, tt.domain, tt.path, tt.isDir, got, tt.want)
			}
		})
	}
}

// TestMatcher is go-git's matcher_test.go: the last matching pattern wins.
func TestMatcher(t *testing.T) {
	m := NewMatcher([]Pattern{ParsePattern("**/middle/v[uo]l?ano", nil), ParsePattern("!volcano", nil)})
	if !m.Match([]string{"head", "middle", "vulkano"}, false) {
		t.Error("head/middle/vulkano is not ignored; want it ignored by **/middle/v[uo]l?ano")
	}
	if m.Match([]string{"head", "middle", "volcano"}, false) {
		t.Error("head/middle/volcano is ignored; want it kept by !volcano, the later pattern")
	}
}
