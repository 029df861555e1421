package kb

import (
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"
	"text/template"
	"time"
)

// Index answers Lookup and ClassOf over fixed entries and mappings without
// scanning them: literal repositories are looked up, only glob patterns
// (rare: in-house entries, a few vendor families) are matched one by one,
// and each entry's tag expression is compiled once. Results are those of
// the package-level Lookup and ClassOf over the same data. An Index is
// immutable, but for the templates Render parses once, and safe for
// concurrent use.
//
// A tag expression is compiled at its entry's first tag match, not in
// NewIndex, and the embedded index (EmbeddedIndex) parses an entry's
// versions and built clauses there too: a run meets a few repositories
// (issue 14: startup). Entries arrive validated (ParseHealthchecks, and the
// generated tables from the same), and, as in the package-level Lookup, an
// expression that does not compile matches no tag.
type Index struct {
	entries []Healthcheck
	clauses []entryClauses // per entry
	repos   repoIndex      // literal image -> entry indices
	globs   []int          // entries with a glob image, ascending

	// maps, when set, sets an entry's map fields, which entries lacks
	// (the embedded tables: setMaps); entry builds them once per entry.
	maps func(i int, h *Healthcheck)

	mappings []ImageClass
	mapRepos repoIndex // literal image -> the index of its first mapping, alone
	mapGlobs []int     // mappings with a glob image, ascending

	// tests holds the parsed templates of the test elements Render met
	// that substitute cannot fill ({{with}}, {{if}}, {{sh}}): parsing one
	// again for every service the entry is rendered for cost 0.44% of the
	// corpus run's CPU. A parsed template executes safely concurrently.
	testsMu sync.Mutex
	tests   map[testKey]parsedTest
	// matches holds the compiled Match expressions of the parameters
	// Render resolved, under testsMu: compiling one again for every
	// service was 0.7% of the corpus run's CPU.
	matches map[string]compiledMatch
	// rendered holds the tests Render made (see renderMemo).
	rendered renderMemo
}

// entryClauses holds an entry's tag expression, compiled at its first tag
// match, and its versions and built clauses, parsed by NewIndex or, in the
// embedded index, at the entry's first match: the embedded entries were
// validated when the tables were generated, and parsing every entry's
// clauses and making a closure for each tag expression was half of a
// small file's knowledge-base setup (issue 14).
type entryClauses struct {
	tagsOnce sync.Once
	tags     *regexp.Regexp
	tagsErr  error

	parseOnce sync.Once
	versions  []versionClause // nil when the entry has no Versions
	built     []builtClause   // nil when the entry has no Built
	parseErr  error

	entryOnce sync.Once
	entry     *Healthcheck // the entry with its map fields (Index.maps)
}

// parse parses h's versions and built clauses, once.
func (c *entryClauses) parse(h *Healthcheck) error {
	c.parseOnce.Do(func() {
		if h.Versions != "" {
			if c.versions, c.parseErr = parseVersions(h.Versions); c.parseErr != nil {
				c.parseErr = invalidf("entry %q: versions %q: %v", h.Name, h.Versions, c.parseErr)
				return
			}
		}
		if h.Built != "" {
			if c.built, c.parseErr = parseBuilt(h.Built); c.parseErr != nil {
				c.parseErr = invalidf("entry %q: built %q: %v", h.Name, h.Built, c.parseErr)
			}
		}
	})
	return c.parseErr
}

// tagRegexp returns h's compiled tag expression, compiling it once.
func (c *entryClauses) tagRegexp(h *Healthcheck) (*regexp.Regexp, error) {
	c.tagsOnce.Do(func() { c.tags, c.tagsErr = regexp.Compile(h.Tags) })
	return c.tags, c.tagsErr
}

type compiledMatch struct {
	re  *regexp.Regexp
	err error
}

// testKey names a test element of an entry: entries may share an
// element's text, and the entry's name is the template's, which its errors
// quote.
type testKey struct{ name, elem string }

type parsedTest struct {
	tmpl *template.Template
	err  error
}

// EmbeddedIndex returns the Index of the embedded entries and mappings
// (Healthchecks, ImageClasses). It is made once per process and shared:
// building it cost every run about 44 µs and 269 allocations, a tenth of
// a small file's in-process work (issue 14). The Index's memos only ever
// hold what parsing or compiling their keys gives, so sharing them across
// runs changes no result.
func EmbeddedIndex() (*Index, error) { return embeddedIndex() }

// The embedded index is laid out by the linker (tables_gen.go: the
// tables themselves, never written to, and their lookups, which TestTables
// makes with NewIndex); a run only allocates the entries' clauses, parsed at
// each entry's first match (entryClauses), and builds an entry's maps there
// too (entry). Indexing the entries was most of a small file's
// knowledge-base setup (issue 14: startup).
var embeddedIndex = sync.OnceValues(func() (*Index, error) {
	return &Index{
		entries:  healthcheckTable[:],
		clauses:  make([]entryClauses, len(healthcheckTable)),
		repos:    embeddedRepos,
		globs:    embeddedGlobs,
		maps:     setMaps,
		mappings: embeddedImageClasses,
		mapRepos: embeddedMapRepos,
		mapGlobs: embeddedMapGlobs,
	}, nil
})

// NewIndex indexes entries and mappings, which must not change afterwards.
// It fails when a versions or built clause does not parse (Validate would
// have said so); tag expressions compile on first use (see Index).
func NewIndex(entries []Healthcheck, mappings []ImageClass) (*Index, error) {
	x := &Index{entries: entries, clauses: make([]entryClauses, len(entries)), mappings: mappings}
	repos := map[string][]int{}
	for i, h := range entries {
		if err := x.clauses[i].parse(&x.entries[i]); err != nil {
			return nil, err
		}
		glob := false
		for _, img := range h.Images {
			if isGlob(img) {
				glob = true
				continue
			}
			if l := repos[img]; len(l) == 0 || l[len(l)-1] != i {
				repos[img] = append(l, i)
			}
		}
		if glob {
			x.globs = append(x.globs, i)
		}
	}
	mapRepos := map[string][]int{}
	for i, m := range mappings {
		if isGlob(m.Image) {
			x.mapGlobs = append(x.mapGlobs, i)
		} else if _, ok := mapRepos[m.Image]; !ok {
			mapRepos[m.Image] = []int{i}
		}
	}
	x.repos, x.mapRepos = sortedRepos(repos), sortedRepos(mapRepos)
	return x, nil
}

// repoIndex is literal images, sorted, each with the indices of the
// entries (or mappings) that name it, ascending: a sorted slice rather
// than a map, so that the linker can lay out the embedded index's.
type repoIndex []repoIndices

type repoIndices struct {
	repo    string
	indices []int
}

func sortedRepos(m map[string][]int) repoIndex {
	r := make(repoIndex, 0, len(m))
	for repo, indices := range m {
		r = append(r, repoIndices{repo, indices})
	}
	slices.SortFunc(r, func(a, b repoIndices) int { return strings.Compare(a.repo, b.repo) })
	return r
}

// find returns the indices of repo's entries (or mappings); nil for none.
func (r repoIndex) find(repo string) []int {
	i, ok := slices.BinarySearchFunc(r, repo, func(e repoIndices, repo string) int { return strings.Compare(e.repo, repo) })
	if !ok {
		return nil
	}
	return r[i].indices
}

// Render is h.Render, with each template parsed once for the index's
// life; h need not be one of the indexed entries.
func (x *Index) Render(h Healthcheck, s Service) ([]string, error) {
	return h.renderWith(s, compilers{parse: x.parseTest, match: x.compileMatch, rendered: &x.rendered})
}

// compileMatch is regexp.Compile, memoized.
func (x *Index) compileMatch(expr string) (*regexp.Regexp, error) {
	x.testsMu.Lock()
	defer x.testsMu.Unlock()
	c, ok := x.matches[expr]
	if !ok {
		c.re, c.err = regexp.Compile(expr)
		if x.matches == nil {
			x.matches = map[string]compiledMatch{}
		}
		x.matches[expr] = c
	}
	return c.re, c.err
}

// parseTest is parseTest, memoized.
func (x *Index) parseTest(name, elem string) (*template.Template, error) {
	k := testKey{name, elem}
	x.testsMu.Lock()
	defer x.testsMu.Unlock()
	p, ok := x.tests[k]
	if !ok {
		p.tmpl, p.err = parseTest(name, elem)
		if x.tests == nil {
			x.tests = map[testKey]parsedTest{}
		}
		x.tests[k] = p
	}
	return p.tmpl, p.err
}

// isGlob reports whether an image pattern has path.Match syntax; a literal
// pattern matches only itself.
func isGlob(p string) bool { return strings.ContainsAny(p, `*?[\`) }

// Lookup is the package-level Lookup over the indexed entries.
func (x *Index) Lookup(image string) (Healthcheck, bool) {
	return x.LookupAt(image, time.Time{})
}

// LookupAt is the package-level LookupAt over the indexed entries.
func (x *Index) LookupAt(image string, created time.Time) (Healthcheck, bool) {
	repo, tag := SplitImage(image)
	if repo == "" {
		return Healthcheck{}, false
	}
	if i := x.first(repo, func(i int) bool { return x.tagMatches(i, tag, created) }); i >= 0 {
		return x.entry(i), true
	}
	return Healthcheck{}, false
}

// entry returns entry i whole: with its map fields, which an index over
// the embedded tables builds once, here.
func (x *Index) entry(i int) Healthcheck {
	if x.maps == nil {
		return x.entries[i]
	}
	c := &x.clauses[i]
	c.entryOnce.Do(func() {
		h := x.entries[i]
		x.maps(i, &h)
		c.entry = &h
	})
	return *c.entry
}

// tagMatches reports whether entry i's Tags, Versions and Built accept tag
// and the creation date (zero: unknown).
func (x *Index) tagMatches(i int, tag string, created time.Time) bool {
	h, c := &x.entries[i], &x.clauses[i]
	if h.Tags != "" {
		if re, err := c.tagRegexp(h); err != nil || !re.MatchString(tag) {
			return false
		}
	}
	if h.Versions == "" && h.Built == "" {
		return true
	}
	if c.parse(h) != nil {
		return false
	}
	if c.versions != nil && !versionsMatch(c.versions, tag) {
		return false
	}
	return c.built == nil || h.builtApplies(c.built, created)
}

// ClassOf is the package-level ClassOf over the indexed entries and
// mappings.
func (x *Index) ClassOf(image string) string {
	repo, tag := SplitImage(image)
	best := -1
	if l := x.mapRepos.find(repo); l != nil {
		best = l[0]
	}
	for _, i := range x.mapGlobs {
		if best >= 0 && i > best {
			break
		}
		if ok, err := path.Match(x.mappings[i].Image, repo); err == nil && ok {
			best = i
			break
		}
	}
	if best >= 0 {
		return x.mappings[best].Class
	}
	// Lookup's entry, from the image split once, and only its class: the
	// whole entry (its maps) is not needed.
	if repo != "" {
		if i := x.first(repo, func(i int) bool { return x.tagMatches(i, tag, time.Time{}) }); i >= 0 && x.entries[i].Class != "" {
			return x.entries[i].Class
		}
	}
	// A tag-specific entry of the right family.
	if i := x.first(repo, func(i int) bool { return x.entries[i].Class != "" }); i >= 0 {
		return x.entries[i].Class
	}
	return DefaultClass
}

// first returns the lowest index of an entry whose images match repo and
// for which ok holds, or -1: the literal candidates and the glob entries
// are merged in index order, as a scan of the entries would meet them.
func (x *Index) first(repo string, ok func(int) bool) int {
	lit, globs := x.repos.find(repo), x.globs
	for len(lit) > 0 || len(globs) > 0 {
		var i int
		if len(globs) == 0 || len(lit) > 0 && lit[0] < globs[0] {
			i, lit = lit[0], lit[1:]
		} else {
			i, globs = globs[0], globs[1:]
			if len(lit) > 0 && lit[0] == i {
				lit = lit[1:] // literal and glob images in one entry
			}
			if !x.entries[i].matchesRepository(repo) {
				continue
			}
		}
		if ok(i) {
			return i
		}
	}
	return -1
}

// Alternatives returns the healthchecks that may work for image, best
// first: the entry Lookup picks, then every other entry of the same
// repository whatever its tag constraints (another variant's check may
// still fit, such as busybox wget where curl is gone), in file order.
// Entries without a command (NoFix) are left out. A caller that knows the
// image's files picks the first whose program is there. created is the
// image's creation date for the first pick (zero: unknown); see LookupAt.
func (x *Index) Alternatives(image string, created time.Time) []Healthcheck {
	repo, _ := SplitImage(image)
	if repo == "" {
		return nil
	}
	var out []Healthcheck
	picked := ""
	if h, ok := x.LookupAt(image, created); ok {
		picked = h.Name
		if h.NoFix == "" {
			out = append(out, h)
		}
	}
	x.first(repo, func(i int) bool {
		if h := &x.entries[i]; h.Name != picked && h.NoFix == "" {
			out = append(out, x.entry(i))
		}
		return false // visit every entry of the repository
	})
	return out
}
