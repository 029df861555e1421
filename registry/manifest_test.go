package registry

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/types"
)

func TestVerifyManifest(t *testing.T) {
	const (
		image = `{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",` +
			`"config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":2,"digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"},` +
			`"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":3,"digest":"sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"}]}`
		ociImage = `{"schemaVersion":2,` + // OCI leaves mediaType optional
			`"config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":2,"digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"},"layers":[]}`
		index = `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[` +
			`{"mediaType":"application/vnd.oci.image.manifest.v1+json","size":9,"digest":"sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae","platform":{"architecture":"amd64","os":"linux"}}]}`
	)
	sum := func(s string) string {
		h := sha256.Sum256([]byte(s))
		return "sha256:" + hex.EncodeToString(h[:])
	}
	tests := []struct {
		name, body, contentType, header string
		want                            types.MediaType // "" : refused
		kind                            error
	}{
		{name: "docker image with its digest", body: image, contentType: string(types.DockerManifestSchema2), header: sum(image), want: types.DockerManifestSchema2},
		{name: "no header: the body's own hash", body: image, contentType: string(types.DockerManifestSchema2), want: types.DockerManifestSchema2},
		{name: "content type with parameters", body: image, contentType: string(types.DockerManifestSchema2) + "; charset=utf-8", want: types.DockerManifestSchema2},
		{name: "OCI image without mediaType in the body", body: ociImage, contentType: string(types.OCIManifestSchema1), want: types.OCIManifestSchema1},
		{name: "OCI index", body: index, contentType: string(types.OCIImageIndex), header: sum(index), want: types.OCIImageIndex},
		{name: "generic JSON content type, type from the body", body: index, contentType: "application/json", want: types.OCIImageIndex},
		{name: "wrong header", body: image, contentType: string(types.DockerManifestSchema2), header: sum(index), kind: ErrDigestMismatch},
		{name: "header of another algorithm", body: image, contentType: string(types.DockerManifestSchema2), header: "sha512:" + sum(image)[7:], kind: ErrBadResponse},
		{name: "malformed header", body: image, contentType: string(types.DockerManifestSchema2), header: "sha256:XYZ", kind: ErrBadResponse},
		{name: "HTML page", body: "<html><body>portal</body></html>", contentType: "text/html", kind: ErrBadResponse},
		{name: "HTML page without a content type", body: "<html><body>portal</body></html>", kind: ErrBadResponse},
		{name: "schema 1", body: `{"schemaVersion":1,"name":"x","tag":"1","fsLayers":[]}`, contentType: string(types.DockerManifestSchema1Signed), kind: ErrBadResponse},
		{name: "unknown media type", body: image, contentType: "application/vnd.example+json", kind: ErrBadResponse},
		{name: "body type disagrees with content type", body: image, contentType: string(types.OCIManifestSchema1), kind: ErrBadResponse},
		{name: "index body under an image type", body: index, contentType: string(types.DockerManifestSchema2), kind: ErrBadResponse},
		{name: "truncated", body: image[:len(image)/2], contentType: string(types.DockerManifestSchema2), kind: ErrBadResponse},
		{name: "trailing bytes", body: image + "garbage", contentType: string(types.DockerManifestSchema2), kind: ErrBadResponse},
		{name: "tag list under a manifest type", body: `{"name":"library/redis","tags":["7"]}`, contentType: string(types.DockerManifestSchema2), kind: ErrBadResponse},
		{name: "error document", body: `{"errors":[{"code":"UNKNOWN"}]}`, contentType: "application/json", kind: ErrBadResponse},
		{name: "schemaVersion only", body: `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"}`, contentType: string(types.OCIManifestSchema1), kind: ErrBadResponse},
		{name: "index without manifests", body: `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json"}`, contentType: string(types.OCIImageIndex), kind: ErrBadResponse},
		{name: "descriptor without digest", body: `{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","size":1}]}`, contentType: string(types.OCIImageIndex), kind: ErrBadResponse},
		{name: "JSON array", body: `[]`, contentType: string(types.OCIImageIndex), kind: ErrBadResponse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := verifyManifest([]byte(tt.body), tt.contentType, tt.header)
			if tt.want == "" {
				if err == nil || !errors.Is(err, tt.kind) {
					t.Errorf("verifyManifest() = %+v, %v; want an error of kind %v", m.MediaType, err, tt.kind)
				}
				if m.Digest != "" {
					t.Errorf("verifyManifest() returned digest %s with its error", m.Digest)
				}
				return
			}
			if err != nil {
				t.Fatalf("verifyManifest() error = %v", err)
			}
			if m.MediaType != tt.want || m.Digest != sum(tt.body) || string(m.Body) != tt.body {
				t.Errorf("verifyManifest() = {%s %s}, want {%s %s} and the body", m.MediaType, m.Digest, tt.want, sum(tt.body))
			}
		})
	}
}

// TestManifestAccept: the Accept header of a manifest request lists
// manifestTypes, in order, and only them (it is a constant spelled out
// by hand).
func TestManifestAccept(t *testing.T) {
	want := make([]string, len(manifestTypes))
	for i, mt := range manifestTypes {
		want[i] = string(mt)
	}
	if got := strings.Split(manifestAccept, ","); !slices.Equal(got, want) {
		t.Errorf("manifestAccept = %q, want %q", got, want)
	}
}
