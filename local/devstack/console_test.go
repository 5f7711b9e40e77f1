package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"innkeeper/shared/consolesec"
	"innkeeper/shared/topology"
)

// The devstack's listener sends the manifest's paths to the API and
// serves the console for the rest: gzip when the client accepts it,
// plain otherwise, hashed assets immutable, index.html revalidated.
func TestConsoleIsServedCompressedBesideTheAPI(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	script := []byte(strings.Repeat("console.log('innkeeper');\n", 200))
	index := []byte("<!doctype html><title>Innkeeper</title>" + strings.Repeat("<!-- pad -->", 40))
	if err := os.MkdirAll(filepath.Join(dir, "assets"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string][]byte{"index.html": index, "assets/index-abc123.js": script} {
		if err := os.WriteFile(filepath.Join(dir, name), body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Api", "yes")
		_, _ = io.WriteString(w, "api "+r.URL.Path)
	})
	h, err := consoleHandler(dir, consoleConfig{Stage: "local", WSURL: "ws://127.0.0.1:3001"}, topology.Innkeeper.Routes, api)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	// The transport's own gzip handling is off, so the test sees the
	// encoding the server chose.
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	get := func(path, encoding string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		if encoding != "" {
			req.Header.Set("Accept-Encoding", encoding)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, body
	}
	gunzip := func(b []byte) []byte {
		t.Helper()
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("not gzip: %v", err)
		}
		out, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}

	for _, tc := range []struct {
		name, path, encoding string
		want                 []byte
		cache                string
	}{
		{"asset gzip", "/assets/index-abc123.js", "gzip, deflate, br", script, "immutable"},
		{"asset plain", "/assets/index-abc123.js", "", script, "immutable"},
		{"index gzip", "/", "gzip", index, "no-cache"},
		{"index plain", "/index.html", "", index, "no-cache"},
		{"config", "/config.json", "", []byte(`{"stage":"local","ws_url":"ws://127.0.0.1:3001"}`), "no-cache"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := get(tc.path, tc.encoding)
			if resp.StatusCode != 200 {
				t.Fatalf("%s: %d %s", tc.path, resp.StatusCode, body)
			}
			if !strings.Contains(resp.Header.Get("Cache-Control"), tc.cache) {
				t.Fatalf("Cache-Control %q, want %q", resp.Header.Get("Cache-Control"), tc.cache)
			}
			if strings.Contains(tc.encoding, "gzip") {
				if resp.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
					t.Fatalf("Content-Encoding %q Vary %q, want gzip", resp.Header.Get("Content-Encoding"), resp.Header.Get("Vary"))
				}
				if len(body) >= len(tc.want) {
					t.Fatalf("gzip body %d bytes is no smaller than %d", len(body), len(tc.want))
				}
				body = gunzip(body)
			} else if resp.Header.Get("Content-Encoding") != "" {
				t.Fatalf("Content-Encoding %q without Accept-Encoding", resp.Header.Get("Content-Encoding"))
			}
			if !bytes.Equal(body, tc.want) {
				t.Fatalf("body %q, want %q", body, tc.want)
			}
		})
	}

	// The manifest's paths, and any path the build has no file for, go
	// to the API (its $default 404), untouched by the console.
	for _, p := range []string{"/v1/hotels", "/livez", "/health", "/metrics", "/nowhere", "/assets/missing.js", "/v1/index.html"} {
		resp, body := get(p, "gzip")
		if resp.Header.Get("X-Api") != "yes" || string(body) != "api "+p || resp.Header.Get("Content-Encoding") != "" {
			t.Fatalf("%s went to the console: %q", p, body)
		}
	}

	// Without a build, the console says how to make one.
	if err := os.Remove(filepath.Join(dir, "index.html")); err != nil {
		t.Fatal(err)
	}
	resp, body := get("/", "")
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "make web") {
		t.Fatalf("no build: %d %q", resp.StatusCode, body)
	}
}

// The devstack sends the console the CDN's security headers: the same
// policy (consolesec's), its WebSocket origins the devstack's; the API's
// answers are the API's own.
func TestConsoleSendsTheCloudsSecurityHeaders(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte("<!doctype html><title>Innkeeper</title>"), 0o644); err != nil {
		t.Fatal(err)
	}
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "api") })
	h, err := consoleHandler(dir, consoleConfig{Stage: "local"}, topology.Innkeeper.Routes, api)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/", "/index.html", "/config.json"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		csp := rec.Header().Get("Content-Security-Policy")
		if want := consolesec.CSP("ws://127.0.0.1:*", "ws://localhost:*"); csp != want {
			t.Errorf("%s: CSP %q, want %q", path, csp, want)
		}
		if strings.Contains(csp, "unsafe-") {
			t.Errorf("%s: CSP is looser than the cloud's: %s", path, csp)
		}
		for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": consolesec.ReferrerPolicy} {
			if got := rec.Header().Get(k); got != v {
				t.Errorf("%s: %s %q, want %q", path, k, got, v)
			}
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/hotels", nil))
	if got := rec.Header().Get("Content-Security-Policy"); got != "" {
		t.Errorf("the API's answer has the console's CSP: %q", got)
	}
}
