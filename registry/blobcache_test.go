package registry

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/types"
)

// A content-addressed entry is re-verified on every read: bytes that no
// longer hash to their name, or a manifest whose stored type no longer
// fits its body, are a miss, never a hit.
func TestContentCacheTamperedEntriesAreMisses(t *testing.T) {
	const image = `{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",` +
		`"config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":2,"digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"},"layers":[]}`
	m, err := verifyManifest([]byte(image), string(types.DockerManifestSchema2), "")
	if err != nil {
		t.Fatal(err)
	}
	d := digestOf([]byte(image))
	config := []byte(`{"architecture":"amd64","os":"linux"}`)
	cd := digestOf(config)
	mt := string(types.DockerManifestSchema2) + "\n"
	tests := []struct {
		name, kind, content string
		hit                 bool
	}{
		{name: "manifest as stored", kind: kindManifest, content: mt + image, hit: true},
		{name: "manifest body changed (still valid JSON)", kind: kindManifest, content: mt + image + " "},
		{name: "manifest truncated", kind: kindManifest, content: mt + image[:len(image)-1]},
		{name: "manifest type line changed", kind: kindManifest, content: string(types.OCIImageIndex) + "\n" + image},
		{name: "manifest without its type line", kind: kindManifest, content: image},
		{name: "config as stored", kind: kindConfig, content: string(config), hit: true},
		{name: "config changed", kind: kindConfig, content: strings.Replace(string(config), "amd64", "arm64", 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newDiskCache(t.TempDir(), time.Hour, time.Hour, time.Now)
			if err := c.putManifest(m); err != nil {
				t.Fatal(err)
			}
			if err := c.putContent(kindConfig, cd, config); err != nil {
				t.Fatal(err)
			}
			var got bool
			if tt.kind == kindManifest {
				if err := os.WriteFile(c.blobPath(kindManifest, d), []byte(tt.content), 0o644); err != nil {
					t.Fatal(err)
				}
				var cm Manifest
				cm, got = c.getManifest(d)
				if got && (cm.Digest != d.String() || string(cm.Body) != image || cm.MediaType != types.DockerManifestSchema2) {
					t.Errorf("getManifest() = {%s %s}, want the stored manifest", cm.MediaType, cm.Digest)
				}
			} else {
				if err := os.WriteFile(c.blobPath(kindConfig, cd), []byte(tt.content), 0o644); err != nil {
					t.Fatal(err)
				}
				_, got = c.getContent(kindConfig, cd)
			}
			if got != tt.hit {
				t.Errorf("read of %s = hit %v, want %v", tt.name, got, tt.hit)
			}
		})
	}
}
