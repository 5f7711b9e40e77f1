package httpapi

import (
	"net/http"
)

// me answers who the key is: its role and its name, so a client (the
// console) learns what to show from the key alone. Any role may ask.
func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	k, ok := actingKey(r.Context())
	if !ok {
		writeProblem(w, staffUnauthorized("Send an API key as Authorization: Bearer <key>."))
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, struct {
		Role string `json:"role"`
		Name string `json:"name"`
	}{string(k.Role), k.Name})
}
