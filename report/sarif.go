package report

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/composefix/composefix/compose"
	"github.com/composefix/composefix/fixers"
)

// SARIFSchema is the JSON schema SARIF output names in "$schema" and is
// validated against in tests.
const SARIFSchema = "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json"

// sarifLog is the log with its results as R: a *streamedArray written,
// []sarifResult read back (tests).
type sarifLog[R any] struct {
	Schema  string        `json:"$schema"`
	Version string        `json:"version"`
	Runs    []sarifRun[R] `json:"runs"`
}

type sarifRun[R any] struct {
	Tool        sarifTool         `json:"tool"`
	Invocations []sarifInvocation `json:"invocations"`
	ColumnKind  string            `json:"columnKind"`
	Results     R                 `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name"`
	ShortDescription     sarifText      `json:"shortDescription"`
	FullDescription      sarifText      `json:"fullDescription"`
	Help                 sarifText      `json:"help"`
	DefaultConfiguration sarifConfig    `json:"defaultConfiguration"`
	Properties           map[string]any `json:"properties"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifInvocation struct {
	ExecutionSuccessful bool                `json:"executionSuccessful"`
	Notifications       []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations,omitempty"`
}

type sarifResult struct {
	RuleID     string          `json:"ruleId"`
	RuleIndex  *int            `json:"ruleIndex,omitempty"`
	Level      string          `json:"level"`
	Message    sarifText       `json:"message"`
	Locations  []sarifLocation `json:"locations"`
	Fixes      []sarifFix      `json:"fixes,omitempty"`
	Properties map[string]any  `json:"properties,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

// sarifArtifact is an artifact location: a URI reference, or for a
// document read from stdin, which has none, a description.
type sarifArtifact struct {
	URI         string     `json:"uri,omitempty"`
	Description *sarifText `json:"description,omitempty"`
}

// stdinArtifact is where a document read from stdin without
// --stdin-filename is (File.Stdin): no file of any checkout, so no URI.
func stdinArtifact() sarifArtifact {
	return sarifArtifact{Description: &sarifText{"the document read from stdin; --stdin-filename names the file it stands for"}}
}

// sarifArtifactOf is the artifact location of path, a file of f's report.
func sarifArtifactOf(f *File, path string) sarifArtifact {
	if f.Stdin && path == f.Path {
		return stdinArtifact()
	}
	return sarifArtifact{URI: sarifURI(path)}
}

// sarifRegion is a text region (lines and character columns, end column
// exclusive); deleted regions of fixes also carry the byte range.
type sarifRegion struct {
	StartLine   int  `json:"startLine"`
	StartColumn int  `json:"startColumn"`
	EndLine     int  `json:"endLine"`
	EndColumn   int  `json:"endColumn"`
	ByteOffset  *int `json:"byteOffset,omitempty"`
	ByteLength  *int `json:"byteLength,omitempty"`
}

type sarifFix struct {
	Description     sarifText             `json:"description"`
	ArtifactChanges []sarifArtifactChange `json:"artifactChanges"`
}

type sarifArtifactChange struct {
	ArtifactLocation sarifArtifact      `json:"artifactLocation"`
	Replacements     []sarifReplacement `json:"replacements"`
}

type sarifReplacement struct {
	DeletedRegion   sarifRegion `json:"deletedRegion"`
	InsertedContent *sarifText  `json:"insertedContent,omitempty"`
}

// SARIF writes a SARIF 2.1.0 log with one run: the rules the findings
// refer to in tool.driver.rules (in rule-table order), one result per
// finding, and files that could not be processed as tool execution
// notifications. Columns count Unicode code
// points; positions refer to each file's original bytes.
//
// Every finding with a fix carries it as a SARIF fix (artifactChanges with
// replacements) whether or not this run applied it, since the file on disk
// is still the original — except for files this run rewrote (--write),
// whose fixes are left out because their regions no longer match the file.
func SARIF(w io.Writer, files []File, opts ...Option) error {
	return writeSARIF(w, files, &streamer{}, opts...)
}

// writeSARIF is SARIF with its results written by s.
func writeSARIF(w io.Writer, files []File, s *streamer, opts ...Option) error {
	o := buildOptions(opts)
	ruleIndex := map[string]int{}
	run := sarifRun[*streamedArray]{
		Tool: sarifTool{Driver: sarifDriver{
			Name: "composefix", Version: o.toolVersion, InformationURI: InformationURI,
			Rules: make([]sarifRule, 0, len(o.rules)),
		}},
		ColumnKind: "unicodeCodePoints",
	}
	used := map[string]bool{}
	for _, f := range files {
		for _, fd := range f.Findings {
			used[fd.RuleID] = true
		}
	}
	for _, r := range o.rules {
		if used[r.ID] {
			ruleIndex[r.ID] = len(run.Tool.Driver.Rules)
			run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRuleOf(r))
		}
	}
	inv := sarifInvocation{ExecutionSuccessful: true}
	// ends[i] is the number of results up to and including files[i]'s.
	ends := make([]int, len(files))
	for i := range files {
		f := &files[i]
		if f.Err != nil {
			inv.ExecutionSuccessful = false
			inv.Notifications = append(inv.Notifications, sarifNotificationOf(f, files))
		}
		ends[i] = len(f.Findings)
		if i > 0 {
			ends[i] += ends[i-1]
		}
	}
	idx := make([]*lineIndex, len(files))
	total := 0
	if len(ends) > 0 {
		total = ends[len(ends)-1]
	}
	run.Results = s.array(total, func(n int) any {
		i, _ := slices.BinarySearch(ends, n+1)
		f := &files[i]
		fd := f.Findings[n-(ends[i]-len(f.Findings))]
		res := sarifResultOf(fd, sarifArtifactOf(f, fd.Path))
		if ri, ok := ruleIndex[fd.RuleID]; ok {
			res.RuleIndex = &ri
		}
		if fd.Fix != nil && len(fd.Fix.Change.Edits) > 0 && !f.Written {
			if idx[i] == nil {
				idx[i] = newLineIndex(f.Original)
			}
			res.Fixes = []sarifFix{sarifFixOf(fd, res.Locations[0].PhysicalLocation.ArtifactLocation, idx[i])}
		}
		return res
	})
	run.Invocations = []sarifInvocation{inv}
	log := sarifLog[*streamedArray]{Schema: SARIFSchema, Version: "2.1.0", Runs: []sarifRun[*streamedArray]{run}}
	if err := s.write(w, log); err != nil {
		return fmt.Errorf("writing the SARIF report: %w", err)
	}
	return nil
}

func sarifRuleOf(r *fixers.Rule) sarifRule {
	doc := r.Doc
	if doc == "" {
		doc = r.Summary
	}
	level, _ := levelOf(r.Severity)
	return sarifRule{
		ID: r.ID, Name: r.Name,
		ShortDescription:     sarifText{r.Summary},
		FullDescription:      sarifText{doc},
		Help:                 sarifText{doc},
		DefaultConfiguration: sarifConfig{Level: level},
		Properties:           map[string]any{"safety": r.Safety.String()},
	}
}

// sarifResultOf is fd's result, located at art.
func sarifResultOf(fd fixers.Finding, art sarifArtifact) sarifResult {
	level, _ := levelOf(fd.Severity)
	loc := sarifPhysical{ArtifactLocation: art}
	if start, end := span(fd.Pos, fd.End); start.Line > 0 {
		loc.Region = &sarifRegion{StartLine: start.Line, StartColumn: start.Col, EndLine: end.Line, EndColumn: end.Col}
	}
	res := sarifResult{
		RuleID: fd.RuleID, Level: level, Message: sarifText{fd.Message},
		Locations: []sarifLocation{{PhysicalLocation: loc}},
	}
	if fd.Fix != nil {
		res.Properties = map[string]any{"fixSafety": fd.Fix.Safety.String(), "fixApplied": fd.Applied}
	}
	return res
}

// sarifFixOf is fd's fix, changing art (fd's own location).
func sarifFixOf(fd fixers.Finding, art sarifArtifact, idx *lineIndex) sarifFix {
	change := sarifArtifactChange{ArtifactLocation: art, Replacements: []sarifReplacement{}}
	for _, e := range fd.Fix.Change.Edits {
		s, t := idx.pos(e.Start), idx.pos(e.End)
		off, n := e.Start, e.End-e.Start
		rep := sarifReplacement{DeletedRegion: sarifRegion{
			StartLine: s.Line, StartColumn: s.Col, EndLine: t.Line, EndColumn: t.Col,
			ByteOffset: &off, ByteLength: &n,
		}}
		if e.New != "" {
			rep.InsertedContent = &sarifText{e.New}
		}
		change.Replacements = append(change.Replacements, rep)
	}
	desc := fd.Fix.Title
	if fd.Fix.Safety != fixers.Safe {
		desc += " (" + fd.Fix.Safety.String() + ")"
	}
	return sarifFix{Description: sarifText{desc}, ArtifactChanges: []sarifArtifactChange{change}}
}

func sarifNotificationOf(f *File, files []File) sarifNotification {
	path, msg, pe := fileErrorAt(f, files)
	n := sarifNotification{Level: "error", Message: sarifText{msg}}
	// A path given that names no file (File.NoFile) is still its
	// location: an artifact location is a URI reference, which need not
	// name a file the checkout has.
	loc := sarifPhysical{ArtifactLocation: sarifArtifactOf(f, path)}
	if pe != nil {
		col := max(pe.Col, 1)
		loc.Region = &sarifRegion{StartLine: pe.Line, StartColumn: col, EndLine: pe.Line, EndColumn: col}
	}
	n.Locations = []sarifLocation{{PhysicalLocation: loc}}
	return n
}

// sarifURI turns a path as given into a URI reference: relative paths stay
// relative (code-scanning services resolve them against the checkout) with
// forward slashes and percent-encoded segments (a colon in the first one
// after "./"); absolute paths become file URIs.
func sarifURI(path string) string {
	p := filepath.ToSlash(filepath.Clean(path))
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	u := strings.Join(segs, "/")
	if filepath.IsAbs(path) {
		if !strings.HasPrefix(u, "/") {
			u = "/" + u // a Windows drive path
		}
		return "file://" + u
	}
	if strings.Contains(segs[0], ":") {
		// A first segment with a colon would read as a scheme ("x:y"
		// as scheme x): RFC 3986 4.2 writes it after a "./".
		u = "./" + u
	}
	return u
}

// fileErrorAt is where a report that names the file apart puts f's error
// (path) and what it says of it (msg): without the path and position when
// the error has a position in f or names f itself (the message repeated
// the path otherwise), and pe, when the error has a position to report.
//
// A position in another file (a base merged before f, a file f includes
// or extends, that does not load) is not a line of f: the error goes to
// that file, as files names it, when the run reports on it, and otherwise
// to f with no line, the whole error (which names the other file and the
// position) as its message.
func fileErrorAt(f *File, files []File) (path, msg string, pe *compose.PosError) {
	if !errors.As(f.Err, &pe) {
		return f.Path, f.Err.Error(), nil
	}
	same := sameFile(pe.Path)
	own := pe.Path == "" || same(f.Path)
	switch {
	case pe.Line > 0 && own:
		return f.Path, pe.Text(), pe
	case pe.Line > 0:
		for i := range files {
			if same(files[i].Path) {
				msg := f.Err.Error()
				if !strings.HasPrefix(msg, f.Path+":") {
					msg = f.Path + ": " + msg // the annotation is not on f
				}
				return files[i].Path, msg, pe
			}
		}
	case own:
		return f.Path, pe.Text(), nil
	}
	return f.Path, f.Err.Error(), nil
}

// sameFile returns whether a path names the same file as path, both as
// given: equal once cleaned, or, when one is absolute and the other
// relative (an include named by its absolute path), equal once the
// relative one is made absolute. It reads the working directory at most
// once, at the first such comparison: fileErrorAt compares one path with
// every file of the run, and filepath.Abs reads it at each call.
func sameFile(path string) func(string) bool {
	path = filepath.Clean(path)
	var wd string
	var wdErr error
	abs := func(p string) (string, bool) {
		if filepath.IsAbs(p) {
			return p, true
		}
		if wd == "" && wdErr == nil {
			wd, wdErr = os.Getwd()
		}
		return filepath.Join(wd, p), wdErr == nil
	}
	return func(other string) bool {
		other = filepath.Clean(other)
		if other == path {
			return true
		}
		if filepath.IsAbs(other) == filepath.IsAbs(path) {
			return false // both absolute or both relative to the same directory
		}
		a, okA := abs(path)
		b, okB := abs(other)
		return okA && okB && a == b
	}
}
