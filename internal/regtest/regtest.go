package regtest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/composefix/composefix/internal/e2e"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	memreg "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"golang.org/x/crypto/bcrypt"
)

// InProcess serves go-containerregistry's in-memory registry on 127.0.0.1
// behind wrap (nil: none) and returns its host:port.
func InProcess(t testing.TB, wrap func(http.Handler) http.Handler) string {
	t.Helper()
	var h http.Handler = memreg.New(memreg.Logger(log.New(io.Discard, "", 0)))
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// Family is a set of tags carrying one pushed image, or a multi-platform
// index when Index is set.
type Family struct {
	Repo  string // below the registry, such as library/redis
	Tags  []string
	Index bool
	// Created and Labels, when set, go into the config of the image (of
	// each image of an index), as a real build writes them.
	Created time.Time
	Labels  map[string]string
}

// Push pushes random content for each family to the registry at host (with
// auth, or anonymously when nil) and returns "repo:tag" → digest.
func Push(t testing.TB, host string, auth authn.Authenticator, fams []Family) map[string]string {
	t.Helper()
	if auth == nil {
		auth = authn.Anonymous
	}
	out := map[string]string{}
	for _, f := range fams {
		var img v1.Image
		var idx v1.ImageIndex
		var d v1.Hash
		var err error
		if f.Index {
			if idx, err = random.Index(64, 1, 2); err == nil && (!f.Created.IsZero() || f.Labels != nil) {
				idx, err = describeIndex(idx, f)
			}
			if err == nil {
				d, err = idx.Digest()
			}
		} else if img, err = random.Image(64, 1); err == nil {
			if !f.Created.IsZero() || f.Labels != nil {
				img, err = describe(img, f, "amd64")
			}
			if err == nil {
				d, err = img.Digest()
			}
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, tag := range f.Tags {
			ref, err := name.NewTag(host+"/"+f.Repo+":"+tag, name.Insecure)
			if err != nil {
				t.Fatal(err)
			}
			if f.Index {
				err = remote.WriteIndex(ref, idx, remote.WithAuth(auth))
			} else {
				err = remote.Write(ref, img, remote.WithAuth(auth))
			}
			if err != nil {
				t.Fatalf("pushing %s: %v", ref, err)
			}
			out[f.Repo+":"+tag] = d.String()
		}
	}
	return out
}

// describe sets the created time and labels of img's config, and the
// Linux platform of arch, as a real build writes them.
func describe(img v1.Image, f Family, arch string) (v1.Image, error) {
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", arch
	cf.Created = v1.Time{Time: f.Created}
	cf.Config.Labels = f.Labels
	return mutate.ConfigFile(img, cf)
}

// describeIndex rebuilds idx with each image described and given a
// platform (linux/amd64 first, then linux/arm64).
func describeIndex(idx v1.ImageIndex, f Family) (v1.ImageIndex, error) {
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	var adds []mutate.IndexAddendum
	for i, desc := range im.Manifests {
		img, err := idx.Image(desc.Digest)
		if err != nil {
			return nil, err
		}
		arch := []string{"amd64", "arm64"}[i%2]
		if img, err = describe(img, f, arch); err != nil {
			return nil, err
		}
		adds = append(adds, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{
			MediaType: desc.MediaType, Platform: &v1.Platform{OS: "linux", Architecture: arch},
		}})
	}
	return mutate.AppendManifests(empty.Index, adds...), nil
}

// Distribution starts the real distribution registry (Debian's
// docker-registry) on 127.0.0.1 with a temporary storage directory and
// returns its host:port. With htpasswd ("user:bcrypt-hash") it requires
// basic auth. Without the binary the test skips, unless COMPOSEFIX_E2E=1,
// where it fails.
func Distribution(t testing.TB, htpasswd string) string {
	t.Helper()
	return distribution(t, htpasswd, "")
}

// ProxyDistribution starts the distribution registry as a pull-through
// cache of the registry at remoteURL (its proxy mode, as a fleet's shared
// mirror runs it) and returns its host:port.
func ProxyDistribution(t testing.TB, remoteURL string) string {
	t.Helper()
	return distribution(t, "", fmt.Sprintf("proxy:\n  remoteurl: %s\n", remoteURL))
}

func distribution(t testing.TB, htpasswd, extra string) string {
	t.Helper()
	bin := e2e.Tool(t, "docker-registry", "apt-get install -y docker-registry")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()

	dir := t.TempDir()
	auth := ""
	if htpasswd != "" {
		pw := filepath.Join(dir, "htpasswd")
		if err := os.WriteFile(pw, []byte(htpasswd+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		auth = fmt.Sprintf("auth:\n  htpasswd:\n    realm: basic-realm\n    path: %s\n", pw)
	}
	cfg := fmt.Sprintf("version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n"+
		"storage:\n  filesystem:\n    rootdirectory: %s\n"+
		"http:\n  addr: %s\n  secret: composefix-e2e\n%s%s", filepath.Join(dir, "storage"), addr, auth, extra)
	cfgPath := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	var out lockedBuffer
	cmd := exec.Command(bin, "serve", cfgPath)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", bin, err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	// Wait for it to answer, at most 10s.
	client := &http.Client{Timeout: time.Second}
	for i := 0; ; i++ {
		resp, err := client.Get("http://" + addr + "/v2/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusUnauthorized {
				return addr
			}
		}
		if i == 100 {
			t.Fatalf("docker-registry on %s not ready after 10s (last error %v); its output:\n%s", addr, err, out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// lockedBuffer collects the registry's two output streams.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Htpasswd returns the htpasswd line ("user:bcrypt-hash") that Distribution
// takes to require basic auth.
func Htpasswd(t testing.TB, user, password string) string {
	t.Helper()
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return user + ":" + string(hash)
}

// DockerConfig writes dir/config.json with auths (host → "user:password"),
// as `docker login` does, and points DOCKER_CONFIG at dir for the test.
func DockerConfig(t testing.TB, dir string, auths map[string]string) {
	t.Helper()
	m := map[string]any{}
	for host, userPass := range auths {
		m[host] = map[string]string{"auth": base64.StdEncoding.EncodeToString([]byte(userPass))}
	}
	b, err := json.Marshal(map[string]any{"auths": m})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DOCKER_CONFIG", dir)
}
