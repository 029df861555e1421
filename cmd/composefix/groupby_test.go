package main

import (
	"testing"

	"github.com/composefix/composefix/config"
	"github.com/composefix/composefix/pipeline"
)

// TestGroupByValuesAgree checks that the update.group_by values config
// accepts are the ones pipeline groups by: both packages spell them (config
// does not import pipeline), and the CLI hands config's string to
// pipeline.MakePlan as it is, so a value spelled differently would be
// accepted and then silently group majors apart.
func TestGroupByValuesAgree(t *testing.T) {
	for _, tc := range []struct{ cfg, pipe string }{
		{config.GroupAll, pipeline.GroupAll},
		{config.GroupImage, pipeline.GroupImage},
		{config.GroupType, pipeline.GroupType},
	} {
		if tc.cfg != tc.pipe {
			t.Errorf("config accepts group_by %q where pipeline groups by %q", tc.cfg, tc.pipe)
		}
		if tc.cfg == pipeline.GroupMajorsApart {
			t.Errorf("group_by %q is the default's value: setting it would change nothing", tc.cfg)
		}
	}
}
