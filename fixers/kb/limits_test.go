package kb

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestClasses(t *testing.T) {
	classes, err := Classes()
	if err != nil {
		t.Fatalf("Classes() error: %v", err)
	}
	// The audits' numbers: the production audit's per-service table and the
	// AnalyticBot audit's default for every service.
	want := map[string]Limits{
		"database":       {CPUs: "2", Memory: "2G", ReservationMemory: "1G"},
		"cache":          {CPUs: "1", Memory: "512M", ReservationMemory: "256M"},
		"search":         {CPUs: "1", Memory: "1G", ReservationMemory: "512M"},
		"proxy":          {CPUs: "0.5", Memory: "256M", ReservationMemory: "128M"},
		"broker":         {CPUs: "1", Memory: "1G", ReservationMemory: "512M"},
		"monitoring":     {CPUs: "0.5", Memory: "512M", ReservationMemory: "256M"},
		"object-storage": {CPUs: "1", Memory: "1G", ReservationMemory: "512M"},
		"scanner":        {CPUs: "1", Memory: "2G", ReservationMemory: "1G"},
		"application":    {CPUs: "1", Memory: "1G", ReservationMemory: "512M"},
	}
	if d := cmp.Diff(want, classes); d != "" {
		t.Errorf("Classes() mismatch (-want +got):\n%s", d)
	}
}

func TestLimitsValidate(t *testing.T) {
	tests := []struct {
		l     Limits
		valid bool
	}{
		{Limits{CPUs: "0.5", Memory: "256M", ReservationMemory: "128M"}, true},
		{Limits{CPUs: "2", Memory: "2g", ReservationMemory: "2048m"}, true},
		{Limits{CPUs: "1", Memory: "1073741824", ReservationMemory: "512M"}, true},
		{Limits{CPUs: "", Memory: "1G", ReservationMemory: "512M"}, false},
		{Limits{CPUs: "0", Memory: "1G", ReservationMemory: "512M"}, false},
		{Limits{CPUs: "1.", Memory: "1G", ReservationMemory: "512M"}, false},
		{Limits{CPUs: "1", Memory: "1GB", ReservationMemory: "512M"}, false},
		{Limits{CPUs: "1", Memory: "1G", ReservationMemory: "2G"}, false},
		{Limits{CPUs: "1", Memory: "0", ReservationMemory: "0"}, false},
	}
	for _, tt := range tests {
		err := tt.l.Validate()
		if tt.valid && err != nil {
			t.Errorf("%+v.Validate() error: %v", tt.l, err)
		}
		if !tt.valid && !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v.Validate() = %v, want ErrInvalid", tt.l, err)
		}
	}
}

func TestMemoryBytes(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"512M", 512 << 20},
		{"2G", 2 << 30},
		{"1g", 1 << 30},
		{"64k", 64 << 10},
		{"100b", 100},
		{"4096", 4096},
		{" 512m\n", 512 << 20},
		{"64\u212a", 64 << 10}, // the Kelvin sign lowers to k
	}
	for _, tt := range tests {
		got, err := MemoryBytes(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("MemoryBytes(%q) = %d, %v, want %d", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"", "1.5G", "1T", "-1M", "M", "99999999999999999999G", "0", "+1M", "12kb", "1 M", "１M", "8589934592g"} {
		if _, err := MemoryBytes(in); !errors.Is(err, ErrInvalid) {
			t.Errorf("MemoryBytes(%q) error = %v, want ErrInvalid", in, err)
		}
	}
}

func TestClassOf(t *testing.T) {
	hs := mustHealthchecks(t)
	mappings, err := ImageClasses()
	if err != nil {
		t.Fatalf("ImageClasses() error: %v", err)
	}
	user := append([]ImageClass{{Image: "ghcr.io/acme/*", Class: "scanner"}}, mappings...)
	tests := []struct {
		image string
		want  string
	}{
		{"postgres:16", "database"},
		{"redis:7-alpine", "cache"},
		{"traefik:v3.2.3", "proxy"},
		{"typesense/typesense:27.1", "search"},
		{"clamav/clamav:1.4.1", "scanner"},
		{"minio/minio:latest", "object-storage"},
		{"prom/prometheus", "monitoring"},
		{"grafana/grafana:11.3.0-ubuntu", "monitoring"},
		{"rabbitmq:4", "broker"},
		{"nats:2.11", "broker"}, // no-fix entry still classifies
		{"minio/mc:RELEASE.2024-12-13T10-18-41Z", "application"},
		{"nginxinc/nginx-unprivileged:1.27", "proxy"},
		{"haproxytech/haproxy-alpine:3.0", "proxy"},
		{"bitnami/rabbitmq:4.0", "broker"},
		{"ghcr.io/acme/api:1.0", "scanner"},
		{"python:3.12-slim", "application"},
		{"", "application"},
	}
	for _, tt := range tests {
		if got := ClassOf(hs, user, tt.image); got != tt.want {
			t.Errorf("ClassOf(%q) = %q, want %q", tt.image, got, tt.want)
		}
	}
}
