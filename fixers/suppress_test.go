package fixers

import (
	"testing"

	"github.com/composefix/composefix/compose"
	"github.com/google/go-cmp/cmp"
)

// TestUnusedIgnoreOfRuleThatCouldNotRun: offline with nothing cached, the
// pin rules cannot run for an image; an ignore naming them there is not
// known to be stale, and a user who removed it as told would get the image
// pinned on the next online run. A rule that did run keeps the claim.
func TestUnusedIgnoreOfRuleThatCouldNotRun(t *testing.T) {
	rules, err := Select(Rules(), []string{"CF0", "CF900"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		image    string
		resolved Resolutions
		want     []string // rule IDs of the findings
	}{
		{"offline and not cached", "offline:1", pinResolutions(), []string{"CF003"}},
		{"registry error", "gone:1", pinResolutions(), []string{"CF003"}},
		{"no registry asked", "redis:7", nil, nil},
		{"digest pin, offline", "offline:1@" + dRedis7, Resolutions{"offline:1@" + dRedis7: {Err: pinResolutions()["offline:1"].Err}}, []string{"CF003"}},
		{"resolved, nothing to pin", "postgres:16.4", pinResolutions(), []string{"CF900"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := "services:\n  a:\n    image: " + tc.image + " # composefix:ignore CF001,CF002\n"
			d, err := compose.Load("compose.yaml", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			res, err := Run(d, Options{Rules: rules, Resolved: tc.resolved})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range res.Findings {
				got = append(got, f.RuleID)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("findings of %q (-want +got):\n%s", tc.image, d)
			}
		})
	}
}

// TestUnusedIgnoreOfHealthProgramWithoutFacts: without the image's files
// CF103 cannot check a healthcheck's program; its ignore is not reported.
func TestUnusedIgnoreOfHealthProgramWithoutFacts(t *testing.T) {
	rules, err := Select(Rules(), []string{"CF103", "CF900"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	src := "services:\n  a:\n    image: acme/app:1.0.0\n    healthcheck:\n      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost/\"] # composefix:ignore CF103\n"
	d, err := compose.Load("compose.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(d, Options{Rules: rules, Resolved: Resolutions{"acme/app:1.0.0": {Err: pinResolutions()["offline:1"].Err}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Findings {
		t.Errorf("unexpected finding %s %q", f.RuleID, f.Message)
	}
}
