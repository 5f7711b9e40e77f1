package httpapi

import (
	"net/http"

	"innkeeper/shared/apispec"
)

// openAPI serves the API's OpenAPI document (shared/apispec). It changes
// only with a deploy, so clients may keep it for an hour and revalidate
// it by its ETag.
func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) {
	doc, err := apispec.Document()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	etag := apispec.ETag()
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Cache-Control", "public, max-age=3600")
	if match := r.Header.Get("If-None-Match"); match != "" && (match == etag || match == "*") {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(doc)
}
