package kb

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/google/go-cmp/cmp"
)

func mustHealthchecks(t *testing.T) []Healthcheck {
	t.Helper()
	hs, err := Healthchecks()
	if err != nil {
		t.Fatalf("Healthchecks() error: %v", err)
	}
	return hs
}

func entry(t *testing.T, hs []Healthcheck, name string) Healthcheck {
	t.Helper()
	for _, h := range hs {
		if h.Name == name {
			return h
		}
	}
	t.Fatalf("no entry named %q", name)
	return Healthcheck{}
}

// The families issue 4 requires, each with at least one entry.
var requiredFamilies = []string{
	"postgres", "mysql", "mariadb", "mongo", "redis", "valkey", "memcached", "rabbitmq",
	"elasticsearch", "opensearch", "kibana", "minio", "traefik", "nginx", "httpd", "caddy",
	"haproxy", "grafana", "prometheus", "alertmanager", "loki", "typesense", "meilisearch",
	"clamav", "influxdb", "clickhouse", "cassandra", "kafka", "zookeeper", "consul", "vault",
	"etcd", "nats", "keycloak", "mailpit", "localstack", "neo4j", "couchdb", "mssql", "pgbouncer",
}

func TestHealthchecksCoverFamilies(t *testing.T) {
	hs := mustHealthchecks(t)
	families := make(map[string]bool)
	for _, h := range hs {
		families[h.Family] = true
	}
	for _, f := range requiredFamilies {
		if !families[f] {
			t.Errorf("no entry for family %q", f)
		}
	}
	// Kafka comes as separate Bitnami and Confluent entries (different scripts).
	for _, img := range []string{"bitnami/kafka", "confluentinc/cp-kafka"} {
		h, ok := Lookup(hs, img)
		if !ok || h.Family != "kafka" {
			t.Errorf("Lookup(%q) = %q, %v, want a kafka entry", img, h.Name, ok)
		}
	}
	if k1, k2 := entry(t, hs, "kafka-bitnami"), entry(t, hs, "kafka-confluent"); slices.Equal(k1.Test, k2.Test) {
		t.Errorf("kafka-bitnami and kafka-confluent have the same test %q", k1.Test)
	}
}

func TestHealthchecksEntries(t *testing.T) {
	hs := mustHealthchecks(t)
	if len(hs) < len(requiredFamilies) {
		t.Fatalf("Healthchecks() has %d entries, want at least %d", len(hs), len(requiredFamilies))
	}
	classes, err := Classes()
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hs {
		t.Run(h.Name, func(t *testing.T) {
			if h.Family == "" || len(h.Images) == 0 || h.Class == "" {
				t.Errorf("family %q, images %q, class %q: all must be set", h.Family, h.Images, h.Class)
			}
			if _, ok := classes[h.Class]; !ok {
				t.Errorf("class %q is not in limits.yaml", h.Class)
			}
			if h.Verified && h.Source == "" {
				t.Error("verified without a source")
			}
			if h.NoFix != "" {
				if _, err := h.Render(Service{}); !errors.Is(err, ErrNoFix) {
					t.Errorf("Render() error = %v, want ErrNoFix", err)
				}
				return
			}
			if h.Why == "" {
				t.Error("why is empty")
			}
			if h.Test[0] != "CMD" && h.Test[0] != "CMD-SHELL" {
				t.Errorf("test form %q, want CMD or CMD-SHELL", h.Test[0])
			}
			for _, d := range []string{h.Interval, h.Timeout, h.StartPeriod} {
				if dur, err := time.ParseDuration(d); err != nil || dur <= 0 {
					t.Errorf("duration %q: %v", d, err)
				}
			}
			if to, _ := time.ParseDuration(h.Timeout); to >= mustDuration(t, h.Interval)*2 {
				t.Errorf("timeout %s is not below twice the interval %s", h.Timeout, h.Interval)
			}
			if h.Retries < 1 {
				t.Errorf("retries %d", h.Retries)
			}
			got, err := h.Render(Service{Image: h.Images[0]})
			if errors.Is(err, ErrMissingParam) {
				return // needs something from the service; covered in TestRender
			}
			if err != nil {
				t.Fatalf("Render(no env) error: %v", err)
			}
			if got[0] != h.Test[0] || len(got) < 2 || got[1] == "" {
				t.Errorf("Render(no env) = %q, want a non-empty %s command", got, h.Test[0])
			}
			for _, s := range got {
				if strings.Contains(s, "{{") || strings.Contains(s, "<no value>") {
					t.Errorf("Render(no env) left template text: %q", s)
				}
			}
			if got[0] == "CMD" && strings.Contains(strings.Join(got, " "), "$${") {
				t.Errorf("CMD form %q uses ${...}, which only a shell expands", got)
			}
		})
	}
}

func mustDuration(t *testing.T, s string) time.Duration {
	t.Helper()
	d, err := time.ParseDuration(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestRender(t *testing.T) {
	hs := mustHealthchecks(t)
	tests := []struct {
		name    string
		svc     Service
		want    []string
		wantErr error
	}{
		{
			name: "postgres defaults",
			svc:  Service{Image: "postgres:16-alpine"},
			want: []string{"CMD-SHELL", "pg_isready -h 127.0.0.1 -p $${PGPORT:-5432} -U $${POSTGRES_USER:-postgres} -d $${POSTGRES_DB:-$${POSTGRES_USER:-postgres}}"},
		},
		{
			name: "postgres port from -c port=",
			svc:  Service{Image: "postgres:16", Command: []string{"postgres", "-c", "shared_buffers=256MB", "-c", "port=5433"}},
			want: []string{"CMD-SHELL", "pg_isready -h 127.0.0.1 -p 5433 -U $${POSTGRES_USER:-postgres} -d $${POSTGRES_DB:-$${POSTGRES_USER:-postgres}}"},
		},
		{
			name: "postgres port from -p",
			svc:  Service{Image: "postgres", Command: []string{"postgres", "-p", "6543"}},
			want: []string{"CMD-SHELL", "pg_isready -h 127.0.0.1 -p 6543 -U $${POSTGRES_USER:-postgres} -d $${POSTGRES_DB:-$${POSTGRES_USER:-postgres}}"},
		},
		{
			name: "mysql defaults",
			svc:  Service{Image: "mysql:8.4", Environment: map[string]string{"MYSQL_ROOT_PASSWORD": "${DB_ROOT_PASSWORD}"}},
			want: []string{"CMD", "mysqladmin", "ping", "-h", "127.0.0.1", "-P", "3306", "--silent"},
		},
		{
			name: "mysql port flag with =",
			svc:  Service{Image: "mysql", Command: []string{"mysqld", "--port=3307"}},
			want: []string{"CMD", "mysqladmin", "ping", "-h", "127.0.0.1", "-P", "3307", "--silent"},
		},
		{
			name: "mysql port from environment as written",
			svc:  Service{Image: "mysql", Environment: map[string]string{"MYSQL_TCP_PORT": "${MYSQL_PORT:-3308}"}},
			want: []string{"CMD", "mysqladmin", "ping", "-h", "127.0.0.1", "-P", "${MYSQL_PORT:-3308}", "--silent"},
		},
		{
			name: "mariadb",
			svc:  Service{Image: "mariadb:11.4", Environment: map[string]string{"MARIADB_ROOT_PASSWORD": "x"}},
			want: []string{"CMD", "healthcheck.sh", "--connect", "--innodb_initialized"},
		},
		{
			name: "redis without password",
			svc:  Service{Image: "redis:7-alpine"},
			want: []string{"CMD-SHELL", "redis-cli ping | grep -qE 'PONG|NOAUTH'"},
		},
		{
			name: "redis requirepass copied as written",
			svc:  Service{Image: "redis:7.4-alpine", Command: []string{"redis-server", "--appendonly", "yes", "--requirepass", "${REDIS_PASSWORD}"}},
			want: []string{"CMD-SHELL", `redis-cli -a "${REDIS_PASSWORD}" ping | grep -q PONG`},
		},
		{
			// A quoted argument of a string command is one word, not split
			// again: the whole password reaches redis-cli.
			name: "redis requirepass with a blank",
			svc:  Service{Image: "redis", Command: []string{"redis-server", "--requirepass", "two words"}},
			want: []string{"CMD-SHELL", `redis-cli -a "two words" ping | grep -q PONG`},
		},
		{
			name: "redis requirepass inside sh -c",
			svc:  Service{Image: "redis", Command: []string{"sh", "-c", `redis-server --requirepass "$${REDIS_PASSWORD:-secret}" --port 6380`}},
			want: []string{"CMD-SHELL", `redis-cli -p 6380 -a "$${REDIS_PASSWORD:-secret}" ping | grep -q PONG`},
		},
		{
			name: "redis port override",
			svc:  Service{Image: "redis", Command: []string{"redis-server", "--port", "6380"}},
			want: []string{"CMD-SHELL", "redis-cli -p 6380 ping | grep -qE 'PONG|NOAUTH'"},
		},
		{
			name: "redis plain password needs no quotes",
			svc:  Service{Image: "redis", Command: []string{"--requirepass=s3cret"}},
			want: []string{"CMD-SHELL", "redis-cli -a s3cret ping | grep -q PONG"},
		},
		{
			name: "redis-stack flags from REDIS_ARGS",
			svc:  Service{Image: "redis/redis-stack-server:7.4.0-v1", Environment: map[string]string{"REDIS_ARGS": "--save 60 1 --requirepass ${REDIS_PASSWORD} --port 6390"}},
			want: []string{"CMD-SHELL", `redis-cli -p 6390 -a "${REDIS_PASSWORD}" ping | grep -q PONG`},
		},
		{
			name: "haproxy alpine uses busybox nc",
			svc:  Service{Image: "haproxy:3.2-alpine", Ports: []string{"80"}},
			want: []string{"CMD", "nc", "-z", "127.0.0.1", "80"},
		},
		{
			name: "traefik",
			svc:  Service{Image: "traefik:v3.2.3", Command: []string{"--ping=true"}},
			want: []string{"CMD", "traefik", "healthcheck", "--ping"},
		},
		{
			name: "minio defaults",
			svc:  Service{Image: "minio/minio:RELEASE.2024-12-13T22-19-12Z", Command: []string{"server", "/data", "--console-address", ":9001"}},
			want: []string{"CMD-SHELL", "mc ready local"},
		},
		{
			name: "minio address override",
			svc:  Service{Image: "quay.io/minio/minio", Command: []string{"server", "/data", "--address", ":9002"}},
			want: []string{"CMD-SHELL", "MC_HOST_local=http://127.0.0.1:9002 mc ready local"},
		},
		{
			name: "nginx",
			svc:  Service{Image: "nginx:1.27"},
			want: []string{"CMD", "curl", "-sS", "-o", "/dev/null", "http://127.0.0.1:80/"},
		},
		{
			name: "nginx alpine-slim has no curl",
			svc:  Service{Image: "nginx:1.27-alpine-slim"},
			want: []string{"CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:80/"},
		},
		{
			name: "elasticsearch defaults",
			svc:  Service{Image: "docker.elastic.co/elasticsearch/elasticsearch:8.15.5"},
			want: []string{"CMD-SHELL", "curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:9200/ | grep -qE '200|401' || curl -sk -o /dev/null -w '%{http_code}' https://127.0.0.1:9200/ | grep -qE '200|401'"},
		},
		{
			name: "elasticsearch http.port",
			svc:  Service{Image: "elasticsearch:8.15.5", Environment: map[string]string{"http.port": "9201", "discovery.type": "single-node"}},
			want: []string{"CMD-SHELL", "curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:9201/ | grep -qE '200|401' || curl -sk -o /dev/null -w '%{http_code}' https://127.0.0.1:9201/ | grep -qE '200|401'"},
		},
		{
			name: "rabbitmq",
			svc:  Service{Image: "rabbitmq:4-management"},
			want: []string{"CMD", "rabbitmq-diagnostics", "-q", "ping"},
		},
		{
			name: "meilisearch address from environment",
			svc:  Service{Image: "getmeili/meilisearch:v1.11", Environment: map[string]string{"MEILI_HTTP_ADDR": "0.0.0.0:7701"}},
			want: []string{"CMD", "curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:7701/health"},
		},
		{
			name: "typesense api port flag",
			svc:  Service{Image: "typesense/typesense:27.1", Command: []string{"--data-dir", "/data", "--api-port=8109"}},
			want: []string{"CMD", "bash", "-c", `exec 3<>/dev/tcp/127.0.0.1/8109 && printf 'GET /health HTTP/1.0\r\n\r\n' >&3 && grep -qE '"ok": ?true' <&3`},
		},
		{
			name: "kafka bitnami listener port",
			svc:  Service{Image: "bitnami/kafka:3.7", Environment: map[string]string{"KAFKA_CFG_LISTENERS": "CONTROLLER://:9093,PLAINTEXT://:9094"}},
			want: []string{"CMD-SHELL", "kafka-broker-api-versions.sh --bootstrap-server 127.0.0.1:9094 >/dev/null"},
		},
		{
			name: "kafka confluent listener port",
			svc:  Service{Image: "confluentinc/cp-kafka:7.7.1", Environment: map[string]string{"KAFKA_LISTENERS": "PLAINTEXT://kafka:29092,PLAINTEXT_HOST://0.0.0.0:9092"}},
			want: []string{"CMD-SHELL", "kafka-topics --bootstrap-server 127.0.0.1:29092 --list >/dev/null"},
		},
		{
			name: "haproxy takes the first container port",
			svc:  Service{Image: "haproxy:3.2", Ports: []string{"8404", "443"}},
			want: []string{"CMD", "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8404"},
		},
		{
			name: "haproxy skips udp ports and ranges reduce to their first port",
			svc:  Service{Image: "haproxy:3.2", Ports: []string{"514/udp", "8000-8010/tcp", "443"}},
			want: []string{"CMD", "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8000"},
		},
		{
			name:    "haproxy with only udp ports",
			svc:     Service{Image: "haproxy:3.2", Ports: []string{"514/udp"}},
			wantErr: ErrMissingParam,
		},
		{
			name:    "haproxy without ports",
			svc:     Service{Image: "haproxy:3.2"},
			wantErr: ErrMissingParam,
		},
		{
			name: "nats alpine with the image's own command",
			svc:  Service{Image: "nats:2.11-alpine"},
			want: []string{"CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8222/healthz"},
		},
		{
			name: "nats alpine with -m in the command",
			svc:  Service{Image: "nats:2.11-alpine", Command: []string{"-js", "-m", "8223"}},
			want: []string{"CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8223/healthz"},
		},
		{
			name:    "nats alpine command replaces the config that enables monitoring",
			svc:     Service{Image: "nats:2.11-alpine", Command: []string{"-js"}},
			wantErr: ErrMissingParam,
		},
		{
			name:    "nats scratch image",
			svc:     Service{Image: "nats:2.11"},
			wantErr: ErrNoFix,
		},
		{
			name: "mongo 4 uses the legacy shell",
			svc:  Service{Image: "mongo:4.4"},
			want: []string{"CMD", "mongo", "--quiet", "--port", "27017", "--eval", "db.adminCommand('ping').ok"},
		},
		{
			name: "keycloak 26 management port",
			svc:  Service{Image: "quay.io/keycloak/keycloak:26.0", Environment: map[string]string{"KC_HEALTH_ENABLED": "true"}},
			want: []string{"CMD", "bash", "-c", `exec 3<>/dev/tcp/127.0.0.1/9000 && printf 'GET /health/ready HTTP/1.0\r\n\r\n' >&3 && grep -qE '^HTTP/1\.[01] 200' <&3`},
		},
		{
			name: "keycloak 24 main port",
			svc:  Service{Image: "quay.io/keycloak/keycloak:24.0.5"},
			want: []string{"CMD", "bash", "-c", `exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /health/ready HTTP/1.0\r\n\r\n' >&3 && grep -qE '^HTTP/1\.[01] 200' <&3`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, ok := Lookup(hs, tt.svc.Image)
			if !ok {
				t.Fatalf("Lookup(%q) found nothing", tt.svc.Image)
			}
			got, err := h.Render(tt.svc)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Render(%+v) error = %v, want %v", tt.svc, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Render(%+v) error: %v", tt.svc, err)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("Render(%+v) mismatch (-want +got):\n%s", tt.svc, d)
			}
		})
	}
}

func TestLookup(t *testing.T) {
	hs := mustHealthchecks(t)
	tests := []struct {
		image string
		want  string // entry name, "" for none
	}{
		{"postgres:16-alpine", "postgres"},
		{"docker.io/library/postgres", "postgres"},
		{"index.docker.io/library/postgres:17", "postgres"},
		{"library/postgres:17", "postgres"},
		{"POSTGRES:16", "postgres"},
		{"postgis/postgis:16-3.4", "postgres"},
		{"postgres:${PG_VERSION:-16}", "postgres"},
		{"bitnami/postgresql:16", "postgres-bitnami"},
		{"docker.io/bitnami/postgresql:16", "postgres-bitnami"},
		{"quay.io/minio/minio:RELEASE.2024-12-13T22-19-12Z", "minio"},
		{"minio/minio:latest", "minio"},
		{"redis@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "redis"},
		{"redis:7.4-alpine@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "redis"},
		{"clamav/clamav:1.4.1", "clamav"},
		{"grafana/grafana:11.3.0", "grafana"},
		{"grafana/grafana:11.3.0-ubuntu", "grafana-ubuntu"},
		{"prom/prometheus:v2.55.0", "prometheus"},
		{"confluentinc/cp-kafka:7.7.1", "kafka-confluent"},
		{"bitnami/kafka:3.8", "kafka-bitnami"},
		{"quay.io/keycloak/keycloak:26.0.5", "keycloak"},
		{"axllent/mailpit:v1.21", "mailpit"},
		{"mcr.microsoft.com/mssql/server:2022-latest", "mssql"},
		{"edoburu/pgbouncer:1.23.1", "pgbouncer"},
		{"bitnami/pgbouncer:1.23.1", "pgbouncer-bitnami"},
		{"docker.elastic.co/elasticsearch/elasticsearch:8.15.5", "elasticsearch"},
		{"memcached:1.6-alpine", "memcached-alpine"},
		{"memcached:1.6", "memcached"},
		{"nats:2.11-alpine3.22", "nats-alpine"},
		{"nats", "nats"},
		{"influxdb:1.11", "influxdb-1"},
		{"influxdb:1.11-alpine", "influxdb-1-alpine"},
		{"influxdb:2.7", "influxdb"},
		{"mongo:4.4.29", "mongo-legacy"},
		{"mongo:7.0", "mongo"},
		{"mongo", "mongo"},
		{"localhost:5000/postgres:16", ""},
		{"ghcr.io/acme/api:1.2.3", ""},
		{"myapp", ""},
		{"", ""},
		{"postgresql:16", ""},
		// Variant and version constraints (issue 11).
		{"grafana/loki:3.6.0", "loki-distroless"},
		{"grafana/loki:3.7.2", "loki-distroless"},
		{"grafana/loki:3", "loki-distroless"}, // the newest 3.x is past 3.6
		{"grafana/loki:latest", "loki-distroless"},
		{"grafana/loki", "loki-distroless"},
		{"grafana/loki:3.5.3", "loki"},
		{"grafana/loki:2.9.10", "loki"},
		{"clickhouse/clickhouse-server:26.4-distroless", "clickhouse-distroless"},
		{"clickhouse/clickhouse-server:25.12.3-alpine", "clickhouse"},
		{"nginx:1.13-alpine", "nginx-legacy-alpine"},
		{"nginx:1.17.6-alpine", "nginx-legacy-alpine"},
		{"nginx:1.16.1", "nginx-legacy"},
		{"nginx:1", "nginx"},
		{"nginx:1.27-alpine", "nginx"},
		{"nginx:1.27-alpine-slim", "nginx-alpine-slim"},
		{"bitnamilegacy/postgresql:16", "postgres-bitnami"},
		{"docker.io/bitnamilegacy/redis:7.2", "redis-bitnami"},
		{"bitnamilegacy/kafka:3.7", "kafka-bitnami"},
		{"postgres:9.2", "postgres-legacy"},
		{"postgres:9.1-alpine", "postgres-legacy-alpine"},
		{"postgres:9.3", "postgres"},
		{"postgres:9", "postgres"},
		{"rabbitmq:3.6-management", "rabbitmq-legacy"},
		{"rabbitmq:3.7", "rabbitmq"},
		{"rabbitmq:3", "rabbitmq"},
		{"mariadb:10.6.11", "mariadb-10"},
		{"mariadb:10", "mariadb-10"},
		{"mariadb:11.4", "mariadb"},
		{"mariadb:lts", "mariadb"},
		{"minio/minio:RELEASE.2023-10-25T06-33-25Z", "minio-curl"},
		{"minio/minio:RELEASE.2022-05-26T05-48-41Z", "minio-curl"},
		{"minio/minio:RELEASE.2023-11-01T18-37-25Z", "minio"},
		{"minio/minio:RELEASE.2024-12-13T22-19-12Z", "minio"},
	}
	for _, tt := range tests {
		t.Run(tt.image, func(t *testing.T) {
			h, ok := Lookup(hs, tt.image)
			got := ""
			if ok {
				got = h.Name
			}
			if got != tt.want {
				t.Errorf("Lookup(%q) = %q, want %q", tt.image, got, tt.want)
			}
		})
	}
}

func TestSplitImage(t *testing.T) {
	tests := []struct{ image, repo, tag string }{
		{"postgres", "postgres", ""},
		{"postgres:16-alpine", "postgres", "16-alpine"},
		{"docker.io/library/redis:7@sha256:abc", "redis", "7"},
		{"registry-1.docker.io/bitnami/redis", "bitnami/redis", ""},
		{"localhost:5000/team/api:1.0", "localhost:5000/team/api", "1.0"},
		{"Quay.io/MinIO/minio:RELEASE.2024", "quay.io/minio/minio", "RELEASE.2024"},
		{" redis:7 ", "redis", "7"},
		// An unresolved host keeps its capitals, like any single-label host.
		{"${REGISTRY}/api:${TAG:-latest}", "${REGISTRY}/api", "${TAG:-latest}"},
	}
	for _, tt := range tests {
		repo, tag := SplitImage(tt.image)
		if repo != tt.repo || tag != tt.tag {
			t.Errorf("SplitImage(%q) = %q, %q, want %q, %q", tt.image, repo, tag, tt.repo, tt.tag)
		}
	}
}

func TestPrerequisites(t *testing.T) {
	hs := mustHealthchecks(t)
	traefik, keycloak, postgres := entry(t, hs, "traefik"), entry(t, hs, "keycloak"), entry(t, hs, "postgres")
	tests := []struct {
		name string
		h    Healthcheck
		svc  Service
		want Prerequisites
	}{
		{"no prerequisites", postgres, Service{}, Prerequisites{State: PrereqNone}},
		{"traefik without command", traefik, Service{}, Prerequisites{State: PrereqMissing, Flag: "--ping=true"}},
		{"traefik without ping", traefik, Service{Command: []string{"--api.dashboard=false", "--providers.docker=true"}}, Prerequisites{State: PrereqMissing, Flag: "--ping=true"}},
		{"traefik --ping", traefik, Service{Command: []string{"--ping"}}, Prerequisites{State: PrereqMet}},
		{"traefik --ping=true", traefik, Service{Command: []string{"--providers.docker", "--ping=true"}}, Prerequisites{State: PrereqMet}},
		{"traefik ping entrypoint", traefik, Service{Command: []string{"--ping.entrypoint=web"}}, Prerequisites{State: PrereqMet}},
		{"traefik string command", traefik, Service{Command: []string{"traefik --log.level=INFO --ping=true"}}, Prerequisites{State: PrereqMet}},
		{"traefik --ping=false", traefik, Service{Command: []string{"--ping=false"}}, Prerequisites{State: PrereqConflict}},
		{"keycloak without env", keycloak, Service{}, Prerequisites{State: PrereqMissing, Env: []string{"KC_HEALTH_ENABLED=true"}}},
		{"keycloak with env", keycloak, Service{Environment: map[string]string{"KC_HEALTH_ENABLED": "TRUE"}}, Prerequisites{State: PrereqMet}},
		{"keycloak disabled", keycloak, Service{Environment: map[string]string{"KC_HEALTH_ENABLED": "false"}}, Prerequisites{State: PrereqConflict}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.h.Prerequisites(tt.svc)
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("Prerequisites(%+v) mismatch (-want +got):\n%s", tt.svc, d)
			}
		})
	}
}

const validEntry = `
  - name: api
    family: in-house
    images: [registry.acme.test/team/*]
    test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:{{.port}}/health"]
    interval: 10s
    timeout: 5s
    retries: 3
    start_period: 5s
    params:
      port: {default: "8080", env: [PORT]}
`

func TestParseHealthchecks(t *testing.T) {
	hs, err := ParseHealthchecks([]byte("healthchecks:" + validEntry))
	if err != nil {
		t.Fatalf("ParseHealthchecks(valid) error: %v", err)
	}
	if len(hs) != 1 || hs[0].Class != DefaultClass || hs[0].RunsAsRoot != nil {
		t.Fatalf("ParseHealthchecks(valid) = %+v, want one application entry with unknown root", hs)
	}
	got, err := hs[0].Render(Service{Image: "registry.acme.test/team/api:1.2", Environment: map[string]string{"PORT": "9000"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:9000/health"}; !slices.Equal(got, want) {
		t.Errorf("Render() = %q, want %q", got, want)
	}

	bad := []struct {
		name, yaml string
	}{
		{"unknown key", strings.Replace(validEntry, "retries: 3", "retries: 3\n    retry: 3", 1)},
		{"bad form", strings.Replace(validEntry, `["CMD", "wget"`, `["EXEC", "wget"`, 1)},
		{"empty command", strings.Replace(validEntry, `test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:{{.port}}/health"]`, `test: ["CMD"]`, 1)},
		{"two shell strings", strings.Replace(validEntry, `["CMD", "wget"`, `["CMD-SHELL", "wget"`, 1)},
		{"bad duration", strings.Replace(validEntry, "interval: 10s", "interval: 10", 1)},
		{"zero retries", strings.Replace(validEntry, "retries: 3", "retries: 0", 1)},
		{"unknown parameter", strings.Replace(validEntry, "{{.port}}", "{{.prot}}", 1)},
		{"template syntax", strings.Replace(validEntry, "{{.port}}", "{{.port", 1)},
		{"tagged image", strings.Replace(validEntry, "registry.acme.test/team/*", "registry.acme.test/team/api:1", 1)},
		{"bad tags", strings.Replace(validEntry, "family: in-house", "family: in-house\n    tags: '('", 1)},
		{"match without group", strings.Replace(validEntry, "env: [PORT]", `env: [PORT], match: '\d+'`, 1)},
		{"runs_as_root", strings.Replace(validEntry, "family: in-house", "family: in-house\n    runs_as_root: maybe", 1)},
		{"verified without source", strings.Replace(validEntry, "family: in-house", "family: in-house\n    verified: true", 1)},
		{"shell default in CMD form", strings.Replace(validEntry, `default: "8080"`, `default: "$${PORT:-8080}"`, 1)},
		{"no_fix with test", strings.Replace(validEntry, "family: in-house", "family: in-house\n    no_fix: scratch image", 1)},
		{"no images", strings.Replace(validEntry, "images: [registry.acme.test/team/*]", "images: []", 1)},
		{"duplicate name", validEntry + validEntry},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseHealthchecks([]byte("healthchecks:" + tt.yaml))
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("ParseHealthchecks(%s) error = %v, want ErrInvalid", tt.name, err)
			}
		})
	}
}

func TestMerge(t *testing.T) {
	base := mustHealthchecks(t)
	extra, err := ParseHealthchecks([]byte("healthchecks:" + validEntry + strings.NewReplacer(
		"name: api", "name: postgres",
		"family: in-house", "family: postgres",
		"registry.acme.test/team/*", "postgres",
	).Replace(validEntry)))
	if err != nil {
		t.Fatal(err)
	}
	merged := Merge(base, extra)
	if len(merged) != len(base)+1 {
		t.Errorf("len(Merge()) = %d, want %d (the user's postgres replaces the embedded one)", len(merged), len(base)+1)
	}
	for image, want := range map[string]string{
		"registry.acme.test/team/api:1.0": "api",
		"postgres:16":                     "wget",
		"redis:7":                         "CMD-SHELL",
	} {
		h, ok := Lookup(merged, image)
		if !ok {
			t.Errorf("Lookup(merged, %q) found nothing", image)
			continue
		}
		if got := strings.Join(append([]string{h.Name}, h.Test...), " "); !strings.Contains(got, want) {
			t.Errorf("Lookup(merged, %q) = %q, want it to contain %q", image, got, want)
		}
	}
	if _, ok := Lookup(base, "registry.acme.test/team/api:1.0"); ok {
		t.Error("Lookup(base, in-house image) found an entry; Merge must not modify base")
	}
}

// Every Bitnami entry also matches its bitnamilegacy/ home: Bitnami moved
// its versioned tags there, so files now name either.
func TestBitnamiLegacy(t *testing.T) {
	hs := mustHealthchecks(t)
	for _, h := range hs {
		for _, img := range h.Images {
			name, ok := strings.CutPrefix(img, "bitnami/")
			if !ok {
				continue
			}
			if !slices.Contains(h.Images, "bitnamilegacy/"+name) {
				t.Errorf("entry %q has %q but not %q", h.Name, img, "bitnamilegacy/"+name)
			}
		}
	}
}

// Absent names the programs a healthcheck cannot run; an entry that lists a
// program as absent must not use it itself.
func TestAbsentNotUsed(t *testing.T) {
	hs := mustHealthchecks(t)
	n := 0
	for _, h := range hs {
		if len(h.Absent) == 0 {
			continue
		}
		n++
		if h.Why == "" || h.Source == "" {
			t.Errorf("entry %q lists absent programs without why and source", h.Name)
		}
		if len(h.Test) < 2 {
			continue
		}
		words := h.Test[1:]
		if h.Test[0] == "CMD-SHELL" {
			words = strings.Fields(h.Test[1])
		}
		if slices.Contains(h.Absent, words[0]) {
			t.Errorf("entry %q runs %q, which it lists as absent", h.Name, words[0])
		}
	}
	if n == 0 {
		t.Error("no entry lists absent programs")
	}
}

func TestVersionsMatch(t *testing.T) {
	tests := []struct {
		constraint, tag string
		want            bool
	}{
		{">=3.6.0", "3.6.0", true},
		{">=3.6.0", "3.6", true},    // the newest 3.6.x
		{">=3.6.0", "3", true},      // the newest 3.x
		{">=3.6.0", "latest", true}, // the newest of all
		{">=3.6.0", "", true},       // no tag is latest
		{">=3.6.0", "3.5.3", false},
		{">=3.6.0", "v3.6.1", true},
		{">=3.6.0", "2", false},
		{"<9.3", "9.2", true},
		{"<9.3", "9.2-alpine", true},
		{"<9.3", "9.3", false},
		{"<9.3", "9", false},
		{"<9.3", "8.4.22", true},
		{"<9.3", "latest", false},
		{"<9.3", "${PG_TAG:-9.2}", false}, // unresolved: assume the newest
		{">=1.2 <2", "1.5", true},
		{">=1.2 <2", "2.0", false},
		{">=1.2 <2", "1.1.9", false},
		{"<=1.2", "1.2.0", true},
		{"<=1.2", "1.2.1", false},
		{">1.2", "1.2.0", false},
		{">1.2", "1.2.1", true},
	}
	for _, tt := range tests {
		clauses, err := parseVersions(tt.constraint)
		if err != nil {
			t.Fatalf("parseVersions(%q) error: %v", tt.constraint, err)
		}
		if got := versionsMatch(clauses, tt.tag); got != tt.want {
			t.Errorf("versionsMatch(%q, %q) = %v, want %v", tt.constraint, tt.tag, got, tt.want)
		}
	}
	for _, bad := range []string{"", "3.6", "=3.6", ">=x", ">=3.6-alpine"} {
		if _, err := parseVersions(bad); err == nil {
			t.Errorf("parseVersions(%q) = nil error, want one", bad)
		}
	}
}

func TestLookupAtBuilt(t *testing.T) {
	entries := []Healthcheck{
		{Name: "old-any", Images: []string{"db"}, Built: "<2023-01-01"},
		{Name: "old-10", Images: []string{"db"}, Versions: "<11", Built: "<2024-02-12"},
		{Name: "db", Images: []string{"db"}},
	}
	day := func(s string) time.Time {
		d, _ := time.Parse(time.DateOnly, s)
		return d
	}
	tests := []struct {
		image   string
		created time.Time
		want    string
	}{
		{"db:11.4", day("2022-12-31"), "old-any"},
		{"db:11.4", day("2023-01-01"), "db"},
		{"db:10.6", day("2024-02-11").Add(23 * time.Hour), "old-10"}, // any time of the day counts as the day
		{"db:10.6", day("2024-02-12"), "db"},
		{"db:10.6", time.Time{}, "old-10"}, // no date: the version decides
		{"db:11.4", time.Time{}, "db"},     // and a date-only entry does not apply
	}
	x, err := NewIndex(entries, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		if h, _ := LookupAt(entries, tt.image, tt.created); h.Name != tt.want {
			t.Errorf("LookupAt(%q, %v) = %q, want %q", tt.image, tt.created, h.Name, tt.want)
		}
		if h, _ := x.LookupAt(tt.image, tt.created); h.Name != tt.want {
			t.Errorf("Index.LookupAt(%q, %v) = %q, want %q", tt.image, tt.created, h.Name, tt.want)
		}
	}
	for _, bad := range []string{"2024-02-12", "<2024-13-01", "<", "<=yesterday"} {
		if _, err := parseBuilt(bad); err == nil {
			t.Errorf("parseBuilt(%q) = nil error, want one", bad)
		}
	}
}

// TestSubstituteAsTheTemplate checks that every test element substitute
// renders (those of the shipped entries and others) is what the template
// renders, and that it leaves to the template what it cannot render alike.
func TestSubstituteAsTheTemplate(t *testing.T) {
	values := map[string]string{"port": "5432", "user": "a b", "x_1": "", "X": "{{.port}}"}
	elems := []string{"", "plain", "{{.port}}", "-p {{.port}} -U {{.user}}", "{{.x_1}}", "{{.X}}", "$${A:-{{.port}}}", "a}}b", "{{.port}}{{.user}}"}
	fallback := []string{"{{ .port }}", "{{.port | sh}}", "{{.missing}}", "{{.}}", "{{.1a}}", "{{if .port}}y{{end}}", "{{.port", "{{-.port}}", "{{.port.x}}"}
	for _, h := range mustHealthchecks(t) {
		elems = append(elems, h.Test...)
		for name := range h.Params {
			values[name] = "v-" + name
		}
	}
	render := func(elem string) (string, error) {
		tmpl, err := template.New("t").Option("missingkey=error").Funcs(template.FuncMap{"sh": shellQuote}).Parse(elem)
		if err != nil {
			return "", err
		}
		var b strings.Builder
		err = tmpl.Execute(&b, values)
		return b.String(), err
	}
	for _, elem := range elems {
		got, ok := substitute(elem, values)
		if !ok {
			continue // left to the template
		}
		if want, err := render(elem); err != nil || got != want {
			t.Errorf("substitute(%q) = %q; the template renders %q (error %v)", elem, got, want, err)
		}
	}
	for _, elem := range fallback {
		if got, ok := substitute(elem, values); ok {
			t.Errorf("substitute(%q) = %q, true; want it left to the template", elem, got)
		}
	}
}
