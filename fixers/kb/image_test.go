package kb

import (
	"strings"
	"testing"

	"github.com/composefix/composefix/internal/imageref"
)

// TestSplitImageAgreesWithImageref runs SplitImage and internal/imageref
// (which pin rules and registry requests share) over the spellings of one
// image: where they read another repository, a knowledge-base lookup finds
// facts for an image the rest reads as another one, or misses one it
// accepts.
func TestSplitImageAgreesWithImageref(t *testing.T) {
	const digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	tests := []struct {
		image, repo, tag string
		// own: imageref does not read this spelling the same way by
		// design: a tag holding a variable (imageref splits at the last
		// ':'), or an upper-case repository, which SplitImage lowercases
		// and registry refuses (CF003 reports it).
		own bool
	}{
		{image: "postgres", repo: "postgres"},
		{image: "postgres:16", repo: "postgres", tag: "16"},
		{image: "library/postgres:16", repo: "postgres", tag: "16"},
		{image: "docker.io/postgres:16", repo: "postgres", tag: "16"},
		{image: "docker.io/library/postgres:16", repo: "postgres", tag: "16"},
		{image: "index.docker.io/postgres", repo: "postgres"},
		{image: "index.docker.io/library/postgres:16", repo: "postgres", tag: "16"},
		{image: "registry-1.docker.io/library/postgres:16", repo: "postgres", tag: "16"},
		{image: "registry-1.docker.io/bitnami/postgresql:16", repo: "bitnami/postgresql", tag: "16"},
		{image: "Docker.IO/library/postgres:16", repo: "postgres", tag: "16"},
		{image: "INDEX.DOCKER.IO/postgres", repo: "postgres"},
		{image: "postgres@" + digest, repo: "postgres"},
		{image: "postgres:16@" + digest, repo: "postgres", tag: "16"},
		{image: "docker.io/library/postgres:16@" + digest, repo: "postgres", tag: "16"},
		{image: "localhost:5000/postgres:16", repo: "localhost:5000/postgres", tag: "16"},
		{image: "Localhost:5000/postgres:16", repo: "localhost:5000/postgres", tag: "16"},
		{image: "localhost/postgres", repo: "localhost/postgres"},
		{image: "Registry.Example.com:443/team/postgres:16@" + digest, repo: "registry.example.com:443/team/postgres", tag: "16"},
		{image: "[::1]:5000/postgres:16", repo: "[::1]:5000/postgres", tag: "16"},
		{image: "ghcr.io/library/postgres", repo: "ghcr.io/library/postgres"},
		// A port makes another registry, even on a Docker Hub name.
		{image: "index.docker.io:443/postgres", repo: "index.docker.io:443/postgres"},
		{image: "MyRegistry:5000/postgres", repo: "myregistry:5000/postgres"},
		// Capitals make a single-label first component a registry host
		// (Docker pulls "Bitnami/postgresql" from the host "Bitnami"),
		// never Docker Hub's bitnami/postgresql.
		{image: "Bitnami/postgresql:16", repo: "Bitnami/postgresql", tag: "16"},
		{image: "postgres:${PG_TAG:-16}", repo: "postgres", tag: "${PG_TAG:-16}", own: true},
		{image: "docker.io/library/postgres:${PG_TAG:-16}@" + digest, repo: "postgres", tag: "${PG_TAG:-16}", own: true},
		{image: "Postgres:16", repo: "postgres", tag: "16", own: true},
		{image: "Quay.io/MinIO/minio:RELEASE.2024", repo: "quay.io/minio/minio", tag: "RELEASE.2024", own: true},
	}
	for _, tt := range tests {
		t.Run(strings.ReplaceAll(tt.image[:min(len(tt.image), 40)], "/", "_"), func(t *testing.T) {
			repo, tag := SplitImage(tt.image)
			if repo != tt.repo || tag != tt.tag {
				t.Errorf("SplitImage(%q) = %q, %q, want %q, %q", tt.image, repo, tag, tt.repo, tt.tag)
			}
			if tt.own {
				return
			}
			p := imageref.Split(tt.image)
			if got := imageref.Short(imageref.Long(p.Name)); got != repo || p.Tag != tag {
				t.Errorf("%q: SplitImage reads %q, %q; imageref %q, %q", tt.image, repo, tag, got, p.Tag)
			}
		})
	}
}
