package regtest

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// ManifestFault is a wrong answer to a manifest GET, as a broken registry,
// a captive portal or a meddling proxy gives it. Rewrite receives the true
// answer's header (to edit in place) and body, and returns the body to send.
type ManifestFault struct {
	Name    string
	Rewrite func(h http.Header, body []byte) []byte
}

// A digest no registry holds.
const wrongDigest = "sha256:0000000000000000000000000000000000000000000000000000000000000000"

// portalPage is what a captive portal serves for any URL.
const portalPage = "<!DOCTYPE html><html><head><title>Sign in</title></head><body>Accept the terms to continue.</body></html>\n"

// ManifestFaults returns every fault the resolver must refuse: none of
// them may produce a pin or a cache entry. Each body fault comes twice:
// with the registry's Docker-Content-Digest passed through, as a proxy
// does, and without it, where only the body can be checked.
func ManifestFaults() []ManifestFault {
	faults := []ManifestFault{{
		Name: "wrong digest header",
		Rewrite: func(h http.Header, body []byte) []byte {
			h.Set("Docker-Content-Digest", wrongDigest)
			return body
		},
	}}
	bodies := []ManifestFault{{
		Name: "HTML 200",
		Rewrite: func(h http.Header, body []byte) []byte {
			h.Set("Content-Type", "text/html; charset=utf-8")
			return []byte(portalPage)
		},
	}, {
		Name: "truncated body",
		Rewrite: func(h http.Header, body []byte) []byte {
			return body[:len(body)/2]
		},
	}, {
		Name: "unknown media type",
		Rewrite: func(h http.Header, body []byte) []byte {
			h.Set("Content-Type", "application/vnd.example.unknown+json")
			return body
		},
	}, {
		Name: "JSON that is not a manifest",
		Rewrite: func(h http.Header, body []byte) []byte {
			return []byte(`{"name":"library/broken","tags":["1"]}`)
		},
	}, {
		Name: "generic JSON without a manifest type",
		Rewrite: func(h http.Header, body []byte) []byte {
			h.Set("Content-Type", "application/json")
			return []byte(`{"schemaVersion":2}`)
		},
	}}
	for _, b := range bodies {
		faults = append(faults, b, ManifestFault{
			Name: b.Name + " and no digest header",
			Rewrite: func(h http.Header, body []byte) []byte {
				h.Del("Docker-Content-Digest")
				return b.Rewrite(h, body)
			},
		})
	}
	return faults
}

// NoDigestHeader is a registry that sends no Docker-Content-Digest but the
// true manifest: not a fault, since the resolver hashes the body itself. A
// function, not a variable, so that no test can change it for another.
func NoDigestHeader() ManifestFault {
	return ManifestFault{
		Name: "no digest header, true body",
		Rewrite: func(h http.Header, body []byte) []byte {
			h.Del("Docker-Content-Digest")
			return body
		},
	}
}

// Inject wraps next so that, while *fault is set, every manifest GET or
// HEAD whose path contains sub is answered by the fault's rewrite of the
// true answer (a HEAD gets the rewritten GET's header, as from a proxy that
// is consistent in its faults). Every other request passes through.
// Setting fault to nil heals it.
func Inject(next http.Handler, sub string, fault *atomic.Pointer[ManifestFault]) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f := fault.Load()
		head := r.Method == http.MethodHead
		if f == nil || r.Method != http.MethodGet && !head || !strings.Contains(r.URL.Path, "/manifests/") || !strings.Contains(r.URL.Path, sub) {
			next.ServeHTTP(w, r)
			return
		}
		if head {
			r = r.Clone(r.Context())
			r.Method = http.MethodGet
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		res := rec.Result()
		if res.StatusCode != http.StatusOK {
			copyResponse(w, res.Header, res.StatusCode, rec.Body.Bytes())
			return
		}
		h := res.Header.Clone()
		body := f.Rewrite(h, rec.Body.Bytes())
		h.Set("Content-Length", strconv.Itoa(len(body)))
		if head {
			body = nil
		}
		copyResponse(w, h, http.StatusOK, body)
	})
}

func copyResponse(w http.ResponseWriter, h http.Header, status int, body []byte) {
	for k, v := range h {
		w.Header()[k] = v
	}
	w.WriteHeader(status)
	w.Write(body)
}

// Proxy serves a reverse proxy to the registry at host (host:port, plain
// http) on 127.0.0.1 behind wrap, and returns the proxy's host:port: a
// stand-in for a mirror or corporate proxy between composefix and a real
// registry.
func Proxy(t testing.TB, host string, wrap func(http.Handler) http.Handler) string {
	t.Helper()
	target := &url.URL{Scheme: "http", Host: host}
	rp := httputil.NewSingleHostReverseProxy(target)
	var h http.Handler = rp
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}
