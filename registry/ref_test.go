package registry

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	_ "github.com/composefix/composefix/internal/golden"
)

const testDigest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func TestParseReference(t *testing.T) {
	tests := []struct {
		in      string
		want    Reference
		key     string
		name    string
		wantErr bool
	}{
		{in: "redis", want: Reference{Registry: "docker.io", Repository: "library/redis", Tag: "latest", ImplicitTag: true}, key: "docker.io/library/redis:latest", name: "redis"},
		{in: "redis:7", want: Reference{Registry: "docker.io", Repository: "library/redis", Tag: "7"}, key: "docker.io/library/redis:7", name: "redis"},
		{in: "docker.io/redis:7", want: Reference{Registry: "docker.io", Repository: "library/redis", Tag: "7"}, key: "docker.io/library/redis:7", name: "docker.io/redis"},
		{in: "index.docker.io/library/redis:7", want: Reference{Registry: "docker.io", Repository: "library/redis", Tag: "7"}, key: "docker.io/library/redis:7", name: "index.docker.io/library/redis"},
		{in: "registry-1.docker.io/redis:7", want: Reference{Registry: "docker.io", Repository: "library/redis", Tag: "7"}, key: "docker.io/library/redis:7", name: "registry-1.docker.io/redis"},
		{in: "minio/minio:latest", want: Reference{Registry: "docker.io", Repository: "minio/minio", Tag: "latest"}, key: "docker.io/minio/minio:latest", name: "minio/minio"},
		{in: "ghcr.io/owner/app/sub:v1.2", want: Reference{Registry: "ghcr.io", Repository: "owner/app/sub", Tag: "v1.2"}, key: "ghcr.io/owner/app/sub:v1.2", name: "ghcr.io/owner/app/sub"},
		{in: "localhost:5000/app", want: Reference{Registry: "localhost:5000", Repository: "app", Tag: "latest", ImplicitTag: true}, key: "localhost:5000/app:latest", name: "localhost:5000/app"},
		{in: "localhost/app:1", want: Reference{Registry: "localhost", Repository: "app", Tag: "1"}, key: "localhost/app:1", name: "localhost/app"},
		{in: "127.0.0.1:5000/team/app:1.0", want: Reference{Registry: "127.0.0.1:5000", Repository: "team/app", Tag: "1.0"}, key: "127.0.0.1:5000/team/app:1.0", name: "127.0.0.1:5000/team/app"},
		{in: "Registry.Example.com:443/app:1", want: Reference{Registry: "registry.example.com:443", Repository: "app", Tag: "1"}, key: "registry.example.com:443/app:1", name: "Registry.Example.com:443/app"},
		{in: "[::1]:5000/app:1", want: Reference{Registry: "[::1]:5000", Repository: "app", Tag: "1"}, key: "[::1]:5000/app:1", name: "[::1]:5000/app"},
		{in: "redis:7@" + testDigest, want: Reference{Registry: "docker.io", Repository: "library/redis", Tag: "7", Digest: testDigest}, key: "docker.io/library/redis:7@" + testDigest, name: "redis"},
		{in: "redis@" + testDigest, want: Reference{Registry: "docker.io", Repository: "library/redis", Digest: testDigest}, key: "docker.io/library/redis@" + testDigest, name: "redis"},
		{in: "localhost:5000/app@" + testDigest, want: Reference{Registry: "localhost:5000", Repository: "app", Digest: testDigest}, key: "localhost:5000/app@" + testDigest, name: "localhost:5000/app"},
		{in: "minio/minio:RELEASE.2024-12-13T22-19-12Z", want: Reference{Registry: "docker.io", Repository: "minio/minio", Tag: "RELEASE.2024-12-13T22-19-12Z"}, key: "docker.io/minio/minio:RELEASE.2024-12-13T22-19-12Z", name: "minio/minio"},
		// A tag is at most 128 characters.
		{in: "redis:" + strings.Repeat("a", 128), want: Reference{Registry: "docker.io", Repository: "library/redis", Tag: strings.Repeat("a", 128)}, key: "docker.io/library/redis:" + strings.Repeat("a", 128), name: "redis"},
		{in: "redis:" + strings.Repeat("a", 129), wantErr: true},
		{in: "", wantErr: true},
		{in: "Redis:7", wantErr: true},
		{in: "redis:", wantErr: true},
		{in: "redis:-bad", wantErr: true},
		{in: "redis@sha256:abc", wantErr: true},
		{in: "redis:7 ", wantErr: true},
		{in: "${IMAGE}", wantErr: true},
		{in: "docker.io/", wantErr: true},
		{in: "exa_mple.com/app:1", wantErr: true},
		{in: "redis//x", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in[:min(len(tt.in), 40)], func(t *testing.T) {
			got, err := ParseReference(tt.in)
			if tt.wantErr {
				if !errors.Is(err, ErrInvalidReference) {
					t.Fatalf("ParseReference(%q) error = %v, want ErrInvalidReference", tt.in, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseReference(%q): %v", tt.in, err)
			}
			tt.want.Original = tt.in
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("ParseReference(%q) mismatch (-want +got):\n%s", tt.in, d)
			}
			if got.Key() != tt.key {
				t.Errorf("ParseReference(%q).Key() = %q, want %q", tt.in, got.Key(), tt.key)
			}
			if got.Name() != tt.name {
				t.Errorf("ParseReference(%q).Name() = %q, want %q", tt.in, got.Name(), tt.name)
			}
		})
	}
}

func TestLiteralImage(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		offset  int
		wantErr bool
	}{
		{in: "redis:7", want: "redis:7"},
		{in: "${REDIS_IMAGE:-redis:7}", want: "redis:7", offset: 15},
		{in: "${REDIS_IMAGE-redis:7-alpine}", want: "redis:7-alpine", offset: 14},
		{in: "${R:-localhost:5000/app@" + testDigest + "}", want: "localhost:5000/app@" + testDigest, offset: 5},
		{in: "${REDIS_IMAGE}", wantErr: true},
		{in: "$REDIS_IMAGE", wantErr: true},
		{in: "${REDIS_IMAGE:?must be set}", wantErr: true},
		{in: "${REDIS_IMAGE:+redis:7}", wantErr: true},
		{in: "${REDIS_IMAGE:-}", wantErr: true},
		{in: "${REGISTRY:-docker.io}/redis:7", wantErr: true},
		{in: "redis:${TAG:-7}", wantErr: true},
		{in: "${A:-${B:-redis:7}}", wantErr: true},
		{in: "${1A:-redis}", wantErr: true},
		{in: "redis$$", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, off, err := LiteralImage(tt.in)
			if tt.wantErr {
				var ie *InterpolationError
				if !errors.Is(err, ErrInterpolated) || !errors.As(err, &ie) || ie.Value != tt.in {
					t.Fatalf("LiteralImage(%q) error = %v, want an *InterpolationError wrapping ErrInterpolated", tt.in, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("LiteralImage(%q): %v", tt.in, err)
			}
			if got != tt.want || off != tt.offset {
				t.Errorf("LiteralImage(%q) = %q, %d, want %q, %d", tt.in, got, off, tt.want, tt.offset)
			}
			if tt.in[off:off+len(got)] != got {
				t.Errorf("LiteralImage(%q): offset %d does not point at %q", tt.in, off, got)
			}
		})
	}
}

func FuzzParseReference(f *testing.F) {
	for _, s := range []string{"redis", "redis:7", "index.docker.io/library/redis:7@" + testDigest, "localhost:5000/a/b:c",
		"[::1]:5000/app", "minio/minio:RELEASE.2024-12-13T22-19-12Z", "a@b", "A/b", "docker.io/", ":7"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseReference(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidReference) {
				t.Fatalf("ParseReference(%q) error = %v, want ErrInvalidReference", s, err)
			}
			return
		}
		if r.Original != s || !strings.HasPrefix(s, r.Name()) {
			t.Fatalf("ParseReference(%q) = %+v: Original or Name does not keep the spelling", s, r)
		}
		// The key is itself a reference that normalises to the same key.
		again, err := ParseReference(r.Key())
		if err != nil {
			t.Fatalf("ParseReference(%q.Key() = %q): %v", s, r.Key(), err)
		}
		if again.Key() != r.Key() {
			t.Fatalf("ParseReference(%q).Key() = %q, reparsed %q", s, r.Key(), again.Key())
		}
	})
}
