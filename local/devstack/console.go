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

	"innkeeper/shared/consolesec"
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

// consoleHandler serves the console from dir (its build, web/dist): "/",
// /config.json and the build's files, compressed with gzip when the
// client accepts it; hashed assets are immutable, index.html and
// config.json revalidated every time. Every other path is the API's, as
// the CDN's API behaviour sends it there: the manifest's routes and the
// $default route's 404 problem for a path nothing serves (the console
// routes in the URL's hash, so it needs no fallback page). Without a
// build, "/" says how to make one.
func consoleHandler(dir string, cfg consoleConfig, routes []topology.Route, api http.Handler) (http.Handler, error) {
	prefixes := apiPrefixes(routes)
	rawConfig, err := json.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("devstack: console config: %w", err)
	}
	static := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setConsoleHeaders(w.Header())
		switch {
		case r.URL.Path == "/config.json":
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Cache-Control", "no-cache")
			_, _ = w.Write(rawConfig)
		case !consoleBuilt(dir):
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintf(w, "The console is not built: run `make web` (npm ci and a Vite build into %s), then reload.\n", dir)
		default:
			name := r.URL.Path
			if name == "/" {
				name = "/index.html"
			}
			if strings.HasPrefix(name, "/assets/") {
				// Vite names every asset by its content hash.
				w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
			} else {
				w.Header().Set("Cache-Control", "no-cache")
			}
			http.ServeFile(w, r, filepath.Join(dir, filepath.FromSlash(name)))
		}
	})
	gz, err := gzhttp.NewWrapper(gzhttp.MinSize(256))
	if err != nil {
		return nil, fmt.Errorf("devstack: gzip: %w", err)
	}
	compressed := gz(static)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isConsolePath(r, dir, prefixes) {
			compressed.ServeHTTP(w, r)
			return
		}
		api.ServeHTTP(w, r)
	}), nil
}

// isConsolePath reports whether the console answers r: a GET or HEAD of
// "/", /config.json or a file of the build, outside the API's paths.
func isConsolePath(r *http.Request, dir string, apiPrefixes map[string]bool) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	p := r.URL.Path
	seg, _, _ := strings.Cut(strings.TrimPrefix(p, "/"), "/")
	switch {
	case apiPrefixes[seg]:
		return false
	case p == "/" || p == "/config.json":
		return true
	}
	clean := path.Clean(p)
	if clean != p || strings.Contains(p, "\\") {
		return false
	}
	st, err := os.Stat(filepath.Join(dir, filepath.FromSlash(clean)))
	return err == nil && st.Mode().IsRegular()
}

// consoleWSOrigins are the devstack's WebSocket API, on whatever port it
// listens.
var consoleWSOrigins = []string{"ws://127.0.0.1:*", "ws://localhost:*"}

// setConsoleHeaders are the console's security headers, the CDN's
// (consolesec) with the devstack's WebSocket API: everything from its
// own origin (scripts, styles, the API), nothing framed.
func setConsoleHeaders(h http.Header) {
	for k, v := range consolesec.Headers(consoleWSOrigins...) {
		h.Set(k, v)
	}
}

// consoleBuilt says whether dir holds a console build.
func consoleBuilt(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "index.html"))
	return !errors.Is(err, fs.ErrNotExist)
}
