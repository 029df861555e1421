package kb

import "testing"

// BenchmarkHealthchecks measures decoding and validating the embedded
// knowledge base; callers decode once per run and cache the result.
func BenchmarkHealthchecks(b *testing.B) {
	for b.Loop() {
		if _, err := Healthchecks(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLookupRender measures the per-service cost once the entries are
// cached.
func BenchmarkLookupRender(b *testing.B) {
	hs, err := Healthchecks()
	if err != nil {
		b.Fatal(err)
	}
	svc := Service{Image: "redis:7.4-alpine", Command: []string{"redis-server", "--requirepass", "${REDIS_PASSWORD}"}}
	for b.Loop() {
		h, ok := Lookup(hs, svc.Image)
		if !ok {
			b.Fatal("no entry")
		}
		if _, err := h.Render(svc); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIsOneShotName measures the uncached convenience function.
func BenchmarkIsOneShotName(b *testing.B) {
	for b.Loop() {
		IsOneShotName("minio-init")
	}
}
