package httpapi

import (
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"innkeeper/shared/auth"
	"innkeeper/shared/booking"
	"innkeeper/shared/health"
)

// probeTimeout bounds each dependency check of /readyz and /health.
const probeTimeout = time.Second

// HealthCacheTTL is how long /health reuses its last report for callers
// without credentials: a flood of them costs at most one round of
// database and SQS calls per process every HealthCacheTTL.
const HealthCacheTTL = 5 * time.Second

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

// publicHealth is all /health tells a caller without credentials: the
// checks' and gauges' text (the jobs' last errors above all) can name
// hosts, ARNs and references.
type publicHealth struct {
	Status  health.Status `json:"status"`
	Version string        `json:"version"`
}

// healthCache keeps the last /health report and when it was made.
type healthCache struct {
	mu  sync.Mutex
	at  time.Time
	rep health.Report
}

// health reports the overall status and the version; with a staff key
// or the metrics token, also every check with its status and latency,
// and the gauges. It is 503 only when a critical dependency failed.
// Callers without credentials get a report at most HealthCacheTTL old;
// those with them a fresh one, counted against their rate limit.
func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	detail, p := s.healthDetail(r)
	if p != nil {
		writeProblem(w, p)
		return
	}
	s.healthCache.mu.Lock()
	rep := s.healthCache.rep
	if detail || s.healthCache.at.IsZero() || time.Since(s.healthCache.at) >= HealthCacheTTL {
		rep = health.Run(r.Context(), probeTimeout, s.version, s.checks, s.gauges...)
		s.healthCache.rep, s.healthCache.at = rep, time.Now()
	}
	s.healthCache.mu.Unlock()
	status := http.StatusOK
	if rep.Status == health.Failed {
		status = http.StatusServiceUnavailable
	}
	if !detail {
		writeJSON(w, status, publicHealth{Status: rep.Status, Version: rep.Version})
		return
	}
	writeJSON(w, status, rep)
}

// healthDetail says whether the request may see /health in full: it
// carries the metrics token or a staff or admin API key. A credential
// that is wrong is a problem, not a quiet downgrade, so a monitor set up
// with a bad one is told.
func (s *Server) healthDetail(r *http.Request) (bool, *Problem) {
	token, ok := auth.Bearer(r.Header.Get("Authorization"))
	if !ok {
		return false, nil
	}
	if s.metricsToken != "" && auth.Equal([]byte(token), []byte(s.metricsToken)) {
		return true, nil
	}
	unauthorized := staffUnauthorized("The details of /health need a staff API key or the metrics token; without Authorization it answers its status only.")
	if s.keys == nil {
		return false, unauthorized
	}
	key, err := s.keyOf(r, token)
	switch {
	case errors.Is(err, booking.ErrNotFound):
		return false, unauthorized
	case err != nil:
		return false, unavailable("The API key cannot be checked now; the metrics token works without the database.")
	case !key.Role.Allows(auth.RoleStaff):
		return false, problem(http.StatusForbidden, "forbidden", "Forbidden",
			"A "+string(key.Role)+" key may not see the details of /health; it needs the staff role.")
	}
	return true, nil
}
