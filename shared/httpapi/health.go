package httpapi

import (
	"net/http"
	"strings"
	"time"

	"innkeeper/shared/health"
)

// probeTimeout bounds each dependency check of /readyz and /health.
const probeTimeout = time.Second

func (s *Server) livez(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz is 200 only when every dependency answers in time; otherwise a
// 503 problem names the ones that did not.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	rep := health.Run(r.Context(), probeTimeout, s.version, s.checks)
	if failing := rep.Failing(); len(failing) > 0 {
		p := unavailable("Not ready: " + strings.Join(failing, ", ") + " not answering.")
		p.Failing = failing
		writeProblem(w, p)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

// health reports every check with its status and latency, and the
// version. It is 503 only when a critical dependency failed.
func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	rep := health.Run(r.Context(), probeTimeout, s.version, s.checks, s.gauges...)
	status := http.StatusOK
	if rep.Status == health.Failed {
		status = http.StatusServiceUnavailable
	}
	writeJSON(w, status, rep)
}
