package pipeline

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/composefix/composefix/fixers"
	"github.com/composefix/composefix/internal/lazyre"
	"github.com/composefix/composefix/registry"
)

// How updates are grouped into pull requests (config update.group_by).
const (
	// GroupMajorsApart, the default, gives each major update a group of
	// its own and puts every minor, patch and digest update in one more.
	GroupMajorsApart = ""
	GroupAll         = "all"   // one group
	GroupImage       = "image" // one group per image
	GroupType        = "type"  // one group per update type
)

// nonMajor names the group of minor, patch and digest updates when majors
// go apart, as Renovate's "all non-major" group.
const nonMajor = "non-major"

// Plan is what `update --plan` writes: the groups a scheduled job turns
// into pull requests, one each.
type Plan struct {
	GroupBy string  `json:"group_by"` // "" (majors apart), all, image or type
	Groups  []Group `json:"groups"`
}

// Group is one pull request's worth of updates.
type Group struct {
	Name    string   `json:"name"`    // for `update --apply-group NAME`
	Branch  string   `json:"branch"`  // composefix/NAME
	Title   string   `json:"title"`   // a pull-request title
	Files   []string `json:"files"`   // files the group changes, sorted
	Patch   string   `json:"patch"`   // unified diff of the group alone; `git apply` takes it
	Summary string   `json:"summary"` // Markdown table of the updates, for the pull-request body
	Updates []Update `json:"updates"`
}

// GroupName returns the group of an update under groupBy.
func GroupName(u Update, groupBy string) string {
	switch groupBy {
	case GroupAll:
		return "all"
	case GroupImage:
		return slug(u.Name)
	case GroupType:
		return u.Kind
	}
	if u.Kind == registry.KindMajor {
		return slug(u.Name) + "-" + slug(u.To)
	}
	return nonMajor
}

var slugRun = lazyre.New(`[^a-z0-9._]+`)

// slug makes s safe in a branch name and a matrix value.
func slug(s string) string {
	return strings.Trim(slugRun().ReplaceAllString(strings.ToLower(s), "-"), "-.")
}

// MakePlan runs the update over the files of each of runs (one per
// configuration) without writing, groups the updates under groupBy, and
// computes each group's patch by running the rules again with only that
// group's updates (on the same resolutions: no further registry request).
// The results are each run's.
func MakePlan(ctx context.Context, runs []Options, groupBy string) (*Plan, []Result) {
	var updates []Update
	resolved := make([]fixers.Resolutions, len(runs))
	results := make([]Result, len(runs))
	for i := range runs {
		runs[i].Write = false
		results[i] = Run(ctx, runs[i], func(f *File) {
			updates = append(updates, f.Updates...)
			resolved[i] = f.Resolved
		})
	}
	plan := &Plan{GroupBy: groupBy, Groups: []Group{}}
	byName := map[string][]Update{}
	for _, u := range updates {
		n := GroupName(u, groupBy)
		byName[n] = append(byName[n], u)
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	// Majors first, as in the summary, then by name.
	sort.Slice(names, func(i, j int) bool {
		a, b := byName[names[i]][0], byName[names[j]][0]
		if ra, rb := groupRank(a, groupBy), groupRank(b, groupBy); ra != rb {
			return ra < rb
		}
		return names[i] < names[j]
	})
	for _, n := range names {
		g := Group{Name: n, Branch: "composefix/" + n, Updates: byName[n]}
		g.Summary = Summary(g.Updates)
		g.Title = groupTitle(g, groupBy)
		var patch strings.Builder
		files := map[string]bool{}
		for i, o := range runs {
			if resolved[i] == nil {
				continue // no file
			}
			o.Reuse, o.Restrict, o.Progress, o.Messages = resolved[i], OnlyGroup(n, groupBy), nil, nil
			Run(ctx, o, func(f *File) {
				if f.Changed() {
					files[f.wd.diffPath(f.Path)] = true
					patch.WriteString(Diff(f))
				}
			})
		}
		for f := range files {
			g.Files = append(g.Files, f)
		}
		sort.Strings(g.Files)
		g.Patch = patch.String()
		plan.Groups = append(plan.Groups, g)
	}
	return plan, results
}

func groupRank(u Update, groupBy string) int {
	if groupBy == GroupMajorsApart || groupBy == GroupType {
		return kindRank(u.Kind)
	}
	return 0
}

// groupTitle is a pull-request title: the one update, or what the group
// holds.
func groupTitle(g Group, groupBy string) string {
	names := map[string]bool{}
	for _, u := range g.Updates {
		names[u.Name] = true
	}
	if len(g.Updates) == 1 || len(names) == 1 && g.Updates[0].To != g.Updates[0].From && sameMove(g.Updates) {
		u := g.Updates[0]
		if u.Kind == registry.KindDigest {
			return fmt.Sprintf("Update %s:%s digest", u.Name, u.To)
		}
		return fmt.Sprintf("Update %s to %s", u.Name, u.To)
	}
	switch {
	case groupBy == GroupMajorsApart && g.Name == nonMajor:
		return "Update container images (non-major)"
	case groupBy == GroupType:
		return fmt.Sprintf("Update container images (%s)", g.Name)
	case groupBy == GroupImage:
		return fmt.Sprintf("Update %s", g.Updates[0].Name)
	}
	return "Update container images"
}

func sameMove(us []Update) bool {
	for _, u := range us[1:] {
		if u.From != us[0].From || u.To != us[0].To {
			return false
		}
	}
	return true
}

// OnlyGroup returns an Options.Restrict that keeps the updates of group
// name under groupBy and withholds every other one: their newer versions
// are dropped and their written digest stays current.
func OnlyGroup(name, groupBy string) func(fixers.Resolutions) {
	return func(rs fixers.Resolutions) {
		for text, res := range rs {
			r, ok := fixers.ParseImageRef(text)
			if !ok {
				continue
			}
			tag, digest, moves := planBump(r, res, fixers.PinVersion)
			if !moves {
				continue
			}
			u := Update{Name: r.Name, From: r.Tag, To: tag, FromDigest: r.Digest, ToDigest: digest, Kind: registry.UpdateKind(r.Tag, tag)}
			if GroupName(u, groupBy) == name {
				continue
			}
			res.Newer, res.NewerRelease = nil, nil
			if r.Digest != "" {
				res.Digest = r.Digest
			}
			rs[text] = res
		}
	}
}
