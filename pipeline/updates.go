package pipeline

import (
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/composefix/composefix/fixers"
	"github.com/composefix/composefix/registry"
)

// Update is one image update `composefix update` made (or shows in its
// diff) in one file: a compose file, or the .env file holding the image.
type Update struct {
	Path string `json:"path"` // the file changed, as the diff names it
	// Text is the image reference as resolved (the Resolutions key).
	Text string `json:"image_ref"`
	// Name is the image as written, without tag and digest.
	Name string `json:"image"`
	// From and To are the tags; To equals From for a digest update.
	From string `json:"from"`
	To   string `json:"to"`
	// FromDigest and ToDigest are the digests written before and after
	// ("" when none is written).
	FromDigest string `json:"from_digest,omitempty"`
	ToDigest   string `json:"to_digest,omitempty"`
	// Kind is registry.KindMajor, KindMinor, KindPatch or KindDigest.
	Kind string `json:"type"`
	// Released is the new release's creation date (YYYY-MM-DD); "" when
	// unknown.
	Released string `json:"released,omitempty"`
	// Links point at the release notes and the image's registry page.
	Links []Link `json:"links,omitempty"`
	// EnvVar is the .env variable changed ("" for a compose file).
	EnvVar string `json:"env_var,omitempty"`
}

// Link is a titled URL of the summary.
type Link struct {
	Title string `json:"title"`
	URL   string `json:"url"`
}

// newUpdate describes r moving to tag and digest under its resolution;
// shown is the file changed, as the diff names it.
func newUpdate(shown string, r fixers.ImageRef, res fixers.Resolution, tag, digest string) Update {
	u := Update{Path: shown, Text: r.Text, Name: r.Name, From: r.Tag, To: tag,
		FromDigest: r.Digest, ToDigest: digest, Kind: registry.UpdateKind(r.Tag, tag), EnvVar: r.EnvVar}
	rel := res.Release
	if tag != r.Tag {
		rel = res.NewerRelease
	}
	var labels map[string]string
	if rel != nil {
		if !rel.Created.IsZero() {
			u.Released = rel.Created.UTC().Format("2006-01-02")
		}
		labels = rel.Labels
	}
	u.Links = links(r.Text, labels)
	return u
}

// planBump returns the tag and digest CF004 moves r to, and whether it
// moves at all: the newest release the policy allows, else a digest the
// tag now points at.
func planBump(r fixers.ImageRef, res fixers.Resolution, mode fixers.PinMode) (tag, digest string, ok bool) {
	if b, ok := fixers.PlanUpdate(r, res, mode); ok {
		return b.To, b.Digest, true
	}
	if fixers.RefreshDigest(r, res) {
		return r.Tag, res.Digest, true
	}
	return "", "", false
}

// composeUpdates lists the updates CF004 applied to f, a compose file.
func composeUpdates(f *File) []Update {
	if f.doc == nil || f.Err != nil || f.Config == nil || !f.Config.Images.Update {
		return nil
	}
	applied := map[int]bool{}
	for _, fd := range f.Findings {
		if fd.RuleID == "CF004" && fd.Applied {
			applied[fd.Span.Start] = true
		}
	}
	if len(applied) == 0 {
		return nil // nothing to list: a tree the run let go stays gone
	}
	d := f.Document() // its tree, which a large file's run let go
	var out []Update
	for _, ref := range fixers.ImageRefs(d, f.Config) {
		sp, err := d.NodeSpan(ref.Node)
		if err != nil || !applied[sp.Start] || ref.EnvVar != "" {
			continue
		}
		res := f.Resolved[ref.Text]
		if tag, digest, ok := planBump(ref, res, f.Config.Pin); ok {
			out = append(out, newUpdate(f.wd.diffPath(f.Path), ref, res, tag, digest))
		}
	}
	return out
}

// links returns the release-notes link from the image's source label
// (org.opencontainers.image.source, else .url) and its registry page.
func links(text string, labels map[string]string) []Link {
	var out []Link
	src := labels["org.opencontainers.image.source"]
	if src == "" {
		src = labels["org.opencontainers.image.url"]
	}
	if l, ok := releaseNotes(src); ok {
		out = append(out, l)
	}
	if l, ok := registryPage(text); ok {
		out = append(out, l)
	}
	return out
}

// releaseNotes turns a source URL into its releases page on the forges
// that have one, else links the source itself. Only http(s) URLs count:
// a label is the image author's text, and it lands in a Markdown body.
func releaseNotes(src string) (Link, bool) {
	u, err := url.Parse(strings.TrimSpace(src))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return Link{}, false
	}
	u.RawQuery, u.Fragment = "", ""
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	host := strings.ToLower(u.Host)
	if len(parts) >= 2 && parts[0] != "" && parts[1] != "" {
		repo := "/" + parts[0] + "/" + strings.TrimSuffix(parts[1], ".git")
		switch host {
		case "github.com", "codeberg.org", "gitea.com":
			return Link{Title: "release notes", URL: u.Scheme + "://" + host + repo + "/releases"}, true
		case "gitlab.com":
			return Link{Title: "release notes", URL: u.Scheme + "://" + host + repo + "/-/releases"}, true
		}
	}
	return Link{Title: "source", URL: strings.NewReplacer("(", "%28", ")", "%29").Replace(u.String())}, true
}

// registryPage links the image's page on Docker Hub, ghcr.io or quay.io.
func registryPage(text string) (Link, bool) {
	ref, err := registry.ParseReference(text)
	if err != nil {
		return Link{}, false
	}
	switch ref.Registry {
	case registry.DockerHub:
		if name, ok := strings.CutPrefix(ref.Repository, "library/"); ok {
			return Link{Title: "Docker Hub", URL: "https://hub.docker.com/_/" + name}, true
		}
		return Link{Title: "Docker Hub", URL: "https://hub.docker.com/r/" + ref.Repository}, true
	case "ghcr.io":
		return Link{Title: "GitHub Packages", URL: "https://ghcr.io/" + ref.Repository}, true
	case "quay.io":
		return Link{Title: "Quay", URL: "https://quay.io/repository/" + ref.Repository}, true
	}
	return Link{}, false
}

// kindRank orders the summary: majors first, as they need the most care.
func kindRank(kind string) int {
	switch kind {
	case registry.KindMajor:
		return 0
	case registry.KindMinor:
		return 1
	case registry.KindPatch:
		return 2
	}
	return 3
}

// summaryRow is one row of the summary: one image moving from one version
// to another, in some files.
type summaryRow struct {
	Update
	files []string
}

// Summary renders updates as the Markdown body of a pull request: a table
// of image, type, versions, release date, files and links, majors first,
// then by image and versions; or a sentence when nothing moved.
func Summary(updates []Update) string {
	rows := map[[5]string]*summaryRow{}
	for _, u := range updates {
		k := [5]string{u.Name, u.From, u.To}
		if u.Kind == registry.KindDigest {
			k[3], k[4] = u.FromDigest, u.ToDigest
		}
		if rows[k] == nil {
			rows[k] = &summaryRow{Update: u}
		}
		if fs := rows[k].files; len(fs) == 0 || fs[len(fs)-1] != u.Path {
			rows[k].files = append(rows[k].files, u.Path)
		}
	}
	list := make([]*summaryRow, 0, len(rows))
	for _, r := range rows {
		list = append(list, r)
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if ra, rb := kindRank(a.Kind), kindRank(b.Kind); ra != rb {
			return ra < rb
		}
		for _, p := range [][2]string{{a.Name, b.Name}, {a.From, b.From}, {a.To, b.To}, {a.ToDigest, b.ToDigest}} {
			if p[0] != p[1] {
				return p[0] < p[1]
			}
		}
		return false
	})
	if len(list) == 0 {
		return "No newer image versions within the update policy.\n"
	}
	var sb strings.Builder
	sb.WriteString("| image | type | from | to | released | files | links |\n|---|---|---|---|---|---|---|\n")
	for _, r := range list {
		from, to := r.From, r.To
		if r.Kind == registry.KindDigest {
			from += "@" + shortDigest(r.FromDigest)
			to += "@" + shortDigest(r.ToDigest)
		}
		released := r.Released
		if released == "" {
			released = "unknown"
		}
		var ls []string
		for _, l := range r.Links {
			ls = append(ls, fmt.Sprintf("[%s](%s)", l.Title, l.URL))
		}
		fmt.Fprintf(&sb, "| %s | %s | %s | %s | %s | %s | %s |\n", mdCell(r.Name), r.Kind, mdCell(from), mdCell(to),
			released, mdCell(strings.Join(r.files, ", ")), mdCell(strings.Join(ls, " · ")))
	}
	return sb.String()
}

// mdCell escapes what would break a Markdown table cell.
func mdCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

// shortDigest abbreviates a digest for the summary: "sha256:0123456789ab".
func shortDigest(d string) string {
	if alg, hex, ok := strings.Cut(d, ":"); ok && len(hex) > 12 {
		return alg + ":" + hex[:12]
	}
	return d
}
