package regtest

import (
	"archive/tar"
	"bytes"
	"io"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// File is one tar entry of a test layer.
type File struct {
	Name string // path inside the image, without a leading slash: "bin/busybox"
	Mode int64  // permission bits; 0 means 0o755 for files, 0o777 for links
	Size int    // bytes of content (zeros) for a regular file
	Dir  bool   // a directory
	Link string // a symlink to this target
	Hard string // a hardlink to this earlier entry (a path, no leading slash)
}

// Layer is one test layer: real tar entries, gzip-compressed or not.
// A whiteout is a File named ".wh.<name>" in the directory of the deleted
// file (or ".wh..wh..opq" for an opaque directory).
type Layer struct {
	Files []File
	Gzip  bool
}

// ImageSpec describes a test image.
type ImageSpec struct {
	OS, Architecture, Variant string // default linux/amd64
	Layers                    []Layer
	Config                    v1.Config
	Created                   time.Time // the config's "created"; zero leaves it out
}

// TarBytes returns the uncompressed tar of files.
func TarBytes(t testing.TB, files []File) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		h := &tar.Header{Name: f.Name, Mode: f.Mode, Format: tar.FormatPAX}
		switch {
		case f.Dir:
			h.Typeflag, h.Name = tar.TypeDir, f.Name+"/"
			if h.Mode == 0 {
				h.Mode = 0o755
			}
		case f.Link != "":
			h.Typeflag, h.Linkname = tar.TypeSymlink, f.Link
			if h.Mode == 0 {
				h.Mode = 0o777
			}
		case f.Hard != "":
			h.Typeflag, h.Linkname = tar.TypeLink, f.Hard
			if h.Mode == 0 {
				h.Mode = 0o755
			}
		default:
			h.Typeflag, h.Size = tar.TypeReg, int64(f.Size)
			if h.Mode == 0 {
				h.Mode = 0o755
			}
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg && f.Size > 0 {
			if _, err := tw.Write(make([]byte, f.Size)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Image builds an OCI image from spec.
func Image(t testing.TB, spec ImageSpec) v1.Image {
	t.Helper()
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	for _, l := range spec.Layers {
		raw := TarBytes(t, l.Files)
		var layer v1.Layer
		var err error
		if l.Gzip {
			layer, err = tarball.LayerFromOpener(func() (io.ReadCloser, error) {
				return io.NopCloser(bytes.NewReader(raw)), nil
			}, tarball.WithMediaType(types.OCILayer))
			if err != nil {
				t.Fatal(err)
			}
		} else {
			layer = static.NewLayer(raw, types.OCIUncompressedLayer)
		}
		if img, err = mutate.AppendLayers(img, layer); err != nil {
			t.Fatal(err)
		}
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Variant = spec.OS, spec.Architecture, spec.Variant
	if cf.OS == "" {
		cf.OS = "linux"
	}
	if cf.Architecture == "" {
		cf.Architecture = "amd64"
	}
	cf.Config = spec.Config
	cf.Created = v1.Time{Time: spec.Created}
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	return img
}

// Index builds an OCI index of imgs, each listed under its config's
// platform.
func Index(t testing.TB, imgs ...v1.Image) v1.ImageIndex {
	t.Helper()
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, img := range imgs {
		cf, err := img.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{
			Add: img,
			Descriptor: v1.Descriptor{
				MediaType: types.OCIManifestSchema1,
				Platform:  &v1.Platform{OS: cf.OS, Architecture: cf.Architecture, Variant: cf.Variant},
			},
		})
	}
	return idx
}

// PushImage pushes img as host/ref ("repo:tag") and returns its digest.
func PushImage(t testing.TB, host, ref string, img v1.Image) string {
	t.Helper()
	tag, err := name.NewTag(host+"/"+ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(tag, img); err != nil {
		t.Fatalf("pushing %s: %v", tag, err)
	}
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d.String()
}

// PushIndex pushes idx as host/ref ("repo:tag") and returns its digest.
func PushIndex(t testing.TB, host, ref string, idx v1.ImageIndex) string {
	t.Helper()
	tag, err := name.NewTag(host+"/"+ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(tag, idx); err != nil {
		t.Fatalf("pushing %s: %v", tag, err)
	}
	d, err := idx.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d.String()
}
