package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/klauspost/compress/gzhttp"

	"innkeeper/shared/topology"
)

// consoleConfig is /config.json, what the console reads at start: the
// stage and the WebSocket API's URL (in the cloud the deployment writes
// one with the wss:// URL).
type consoleConfig struct {
	Stage string `json:"stage"`
	WSURL string `json:"ws_url"`
}

// apiPrefixes are the first path segments of the manifest's HTTP routes
// (v1, livez, readyz, health, metrics): those paths go to the API, as
// the CDN's API behaviour sends them; every other path is the console's.
func apiPrefixes(routes []topology.Route) map[string]bool {
	out := map[string]bool{}
	for _, r := range routes {
		if r.Path == topology.DefaultRoute {
			continue
		}
		seg, _, _ := strings.Cut(strings.TrimPrefix(r.Path, "/"), "/")
		out[seg] = true
	}
	return out
}

// consoleHandler serves the API's paths with api and everything else
// from dir (the console's build, web/dist), compressed with gzip when the
// client accepts it: hashed assets are immutable, index.html and
// config.json are revalidated every time. Without a build it says how
// to make one instead of answering 404s.
func consoleHandler(dir string, cfg consoleConfig, routes []topology.Route, api http.Handler) (http.Handler, error) {
	prefixes := apiPrefixes(routes)
	rawConfig, err := json.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("devstack: console config: %w", err)
	}
	static := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		setConsoleHeaders(w.Header())
		if r.URL.Path == "/config.json" {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Cache-Control", "no-cache")
			_, _ = w.Write(rawConfig)
			return
		}
		if _, err := os.Stat(filepath.Join(dir, "index.html")); err != nil {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintf(w, "The console is not built: run `make web` (npm ci and a Vite build into %s), then reload.\n", dir)
			return
		}
		name := path.Clean("/" + r.URL.Path)
		if name == "/" {
			name = "/index.html"
		}
		file := filepath.Join(dir, filepath.FromSlash(name))
		if st, err := os.Stat(file); err != nil || st.IsDir() {
			if path.Ext(name) != "" {
				http.NotFound(w, r)
				return
			}
			// A path without an extension is a page: the console's own
			// routes are in the hash, so the app answers for it.
			name, file = "/index.html", filepath.Join(dir, "index.html")
		}
		if strings.HasPrefix(name, "/assets/") {
			// Vite names every asset by its content hash.
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
		http.ServeFile(w, r, file)
	})
	gz, err := gzhttp.NewWrapper(gzhttp.MinSize(256))
	if err != nil {
		return nil, fmt.Errorf("devstack: gzip: %w", err)
	}
	compressed := gz(static)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seg, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		if prefixes[seg] {
			api.ServeHTTP(w, r)
			return
		}
		compressed.ServeHTTP(w, r)
	}), nil
}

// setConsoleHeaders are the console's security headers: everything from
// its own origin (scripts, styles, the API), WebSockets to the devstack's
// WebSocket API, nothing framed.
func setConsoleHeaders(h http.Header) {
	h.Set("Content-Security-Policy", "default-src 'self'; connect-src 'self' ws://127.0.0.1:* ws://localhost:*; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
}

// consoleBuilt says whether dir holds a console build.
func consoleBuilt(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "index.html"))
	return !errors.Is(err, fs.ErrNotExist)
}
