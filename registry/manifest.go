package registry

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Manifest is a manifest or an index whose bytes the resolver verified
// itself: Body hashes to Digest, MediaType is a known manifest or index
// type, and Body parses as that type. Only a Manifest's digest is ever
// cached, compared with a pin or written into a file; a registry's word
// (the Docker-Content-Digest header) is at most checked against it.
type Manifest struct {
	Digest    string          // "sha256:…" of Body
	MediaType types.MediaType // one of manifestTypes
	Body      []byte

	// index or image is Body as parsed by verifyManifest: a fact read
	// from a manifest (in this run or from the cache) starts there, so
	// the bytes are not parsed again. Both nil for a Manifest built
	// otherwise; Index and Image then parse Body.
	index *v1.IndexManifest
	image *v1.Manifest
}

// IsIndex reports whether m is a multi-platform index (OCI index or Docker
// manifest list) rather than a single image's manifest.
func (m Manifest) IsIndex() bool { return m.MediaType.IsIndex() }

// Index parses m as an index; it fails for an image manifest.
func (m Manifest) Index() (*v1.IndexManifest, error) {
	if !m.IsIndex() {
		return nil, fmt.Errorf("%s is a %s, not an index", m.Digest, m.MediaType)
	}
	if m.index != nil {
		return m.index, nil
	}
	var im v1.IndexManifest
	if err := json.Unmarshal(m.Body, &im); err != nil {
		return nil, err
	}
	return &im, nil
}

// Image parses m as an image manifest; it fails for an index.
func (m Manifest) Image() (*v1.Manifest, error) {
	if m.IsIndex() {
		return nil, fmt.Errorf("%s is a %s, not an image manifest", m.Digest, m.MediaType)
	}
	if m.image != nil {
		return m.image, nil
	}
	var im v1.Manifest
	if err := json.Unmarshal(m.Body, &im); err != nil {
		return nil, err
	}
	return &im, nil
}

// manifestTypes are the media types whose digest is a pin, indexes first so
// that a multi-arch image answers with its index digest. Docker's schema 1
// is left out: it is deprecated, and its signed form's digest is not the
// hash of the bytes served.
var manifestTypes = []types.MediaType{
	types.OCIImageIndex, types.DockerManifestList,
	types.OCIManifestSchema1, types.DockerManifestSchema2,
}

// manifestAccept is the Accept header of a manifest request:
// manifestTypes, in order (TestManifestAccept). A constant: a package
// variable computed by a function runs at every process start (issue 14).
const manifestAccept = string(types.OCIImageIndex) + "," + string(types.DockerManifestList) + "," +
	string(types.OCIManifestSchema1) + "," + string(types.DockerManifestSchema2)

// knownManifestType reports whether t is one of manifestTypes.
func knownManifestType(t types.MediaType) bool {
	for _, k := range manifestTypes {
		if t == k {
			return true
		}
	}
	return false
}

// fetchManifest GETs ident (":tag" or "@digest") of repo through rt and
// verifies the answer (see verifyManifest). Manifests and indexes are
// small, so the body costs no more than a HEAD's round trip, and it is the
// only way to know that a digest names real manifest bytes.
func fetchManifest(req *http.Request, rt http.RoundTripper) (Manifest, error) {
	resp, err := (&http.Client{Transport: rt}).Do(req)
	if err != nil {
		return Manifest{}, err
	}
	defer resp.Body.Close()
	if err := transport.CheckError(resp, http.StatusOK); err != nil {
		return Manifest{}, err
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return Manifest{}, err
	}
	m, err := verifyManifest(body, resp.Header.Get("Content-Type"), resp.Header.Get("Docker-Content-Digest"))
	if err != nil {
		return Manifest{}, fmt.Errorf("registry %s answered GET %s with %w", req.URL.Host, req.URL.Redacted(), err)
	}
	return m, nil
}

// manifestRequest builds the GET for ident (":tag" or "@digest") of repo.
func manifestRequest(rn *run, repo name.Repository, ident string) (*http.Request, error) {
	id := strings.TrimLeft(ident, ":@")
	u := url.URL{Scheme: repo.Scheme(), Host: repo.RegistryStr(), Path: "/v2/" + repo.RepositoryStr() + "/manifests/" + id}
	req, err := http.NewRequestWithContext(rn.ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", manifestAccept)
	return req, nil
}

// verifyManifest checks one manifest answer: its media type (from
// Content-Type, or from the body's mediaType field when Content-Type is
// missing or generic JSON) is a known manifest or index type, the body
// parses as that type with the fields a pin relies on, and its sha256
// equals announced (Docker-Content-Digest) when announced is set. The error
// completes "registry R answered GET U with …".
func verifyManifest(body []byte, contentType, announced string) (Manifest, error) {
	m := Manifest{Digest: digestOf(body).String(), Body: body}
	if announced != "" {
		h, err := v1.NewHash(announced)
		if err != nil || h.Algorithm != "sha256" {
			return Manifest{}, fmt.Errorf("a malformed or unsupported Docker-Content-Digest %q: %w", announced, ErrBadResponse)
		}
		if h.String() != m.Digest {
			return Manifest{}, fmt.Errorf("Docker-Content-Digest %s, but its %d bytes hash to %s: %w", announced, len(body), m.Digest, ErrDigestMismatch)
		}
	}
	// A type that is neither a manifest's nor generic JSON (an HTML
	// portal page, a schema 1 manifest) is refused before the body is read.
	ct := types.MediaType(baseType(contentType))
	generic := ct == "" || ct == "application/json"
	if !generic && !knownManifestType(ct) {
		return Manifest{}, fmt.Errorf("%s, not a manifest or an index: %w", describeType(contentType), ErrBadResponse)
	}
	var probe struct {
		SchemaVersion *int64          `json:"schemaVersion"`
		MediaType     types.MediaType `json:"mediaType"`
	}
	if err := json.Unmarshal(body, &probe); err != nil {
		return Manifest{}, fmt.Errorf("a body that is not a JSON object (%s): %w", shortJSONError(err), ErrBadResponse)
	}
	switch {
	case !generic:
		m.MediaType = ct
	case knownManifestType(probe.MediaType):
		m.MediaType = probe.MediaType
	default:
		return Manifest{}, fmt.Errorf("JSON that names no known manifest type (Content-Type %q, mediaType %q): %w", ct, probe.MediaType, ErrBadResponse)
	}
	if probe.MediaType != "" && probe.MediaType != m.MediaType {
		return Manifest{}, fmt.Errorf("Content-Type %s but a body of mediaType %s: %w", m.MediaType, probe.MediaType, ErrBadResponse)
	}
	if probe.SchemaVersion == nil || *probe.SchemaVersion != 2 {
		return Manifest{}, fmt.Errorf("%s content without schemaVersion 2: %w", m.MediaType, ErrBadResponse)
	}
	if err := checkManifestBody(&m); err != nil {
		return Manifest{}, fmt.Errorf("%s content that does not parse as one: %v: %w", m.MediaType, err, ErrBadResponse)
	}
	return m, nil
}

// checkManifestBody parses m as its type and checks the fields every such
// document has: an index lists manifests, an image manifest names its
// config, and every descriptor carries a media type and a valid digest.
// It keeps the parse in m for Index and Image.
func checkManifestBody(m *Manifest) error {
	desc := func(what string, d v1.Descriptor) error {
		if d.MediaType == "" || d.Digest.Hex == "" {
			return fmt.Errorf("%s without a media type and digest", what)
		}
		return nil
	}
	if m.IsIndex() {
		im, err := m.Index()
		if err != nil {
			return shortJSONErr(err)
		}
		if im.Manifests == nil {
			return fmt.Errorf("no manifests list")
		}
		for i, d := range im.Manifests {
			if err := desc(fmt.Sprintf("manifests[%d]", i), d); err != nil {
				return err
			}
		}
		m.index = im
		return nil
	}
	im, err := m.Image()
	if err != nil {
		return shortJSONErr(err)
	}
	if err := desc("config", im.Config); err != nil {
		return err
	}
	if im.Layers == nil {
		return fmt.Errorf("no layers list")
	}
	for i, d := range im.Layers {
		if err := desc(fmt.Sprintf("layers[%d]", i), d); err != nil {
			return err
		}
	}
	m.image = im
	return nil
}

// baseType returns a Content-Type without its parameters, lower-cased.
func baseType(ct string) string {
	if ct == "" {
		return ""
	}
	t, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return strings.ToLower(strings.TrimSpace(ct))
	}
	return t
}

// describeType names a response's Content-Type for an error.
func describeType(ct string) string {
	return fmt.Sprintf("Content-Type %q", baseType(ct))
}

// shortJSONError says why bytes are not the JSON expected, without quoting
// them: a body is the registry's (or a proxy's) text, not ours to echo.
func shortJSONError(err error) string {
	switch e := err.(type) {
	case *json.SyntaxError:
		return fmt.Sprintf("invalid JSON at byte %d", e.Offset)
	case *json.UnmarshalTypeError:
		return fmt.Sprintf("a %s where %s was expected at byte %d", e.Value, e.Type, e.Offset)
	}
	if err == io.ErrUnexpectedEOF || strings.Contains(err.Error(), "unexpected end of JSON input") {
		return "JSON cut short"
	}
	return err.Error()
}

func shortJSONErr(err error) error { return fmt.Errorf("%s", shortJSONError(err)) }
