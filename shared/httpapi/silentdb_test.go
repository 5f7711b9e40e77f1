package httpapi_test

import (
	"net/http"
	"testing"
	"time"

	"innkeeper/local/testenv"
)

// A database that goes silent, its connections open and no reply coming
// back, costs a request a retryable 503 within 2 s, not the request
// timeout: reads, bookings and readiness alike.
func TestSilentDatabaseAnswers503Fast(t *testing.T) {
	t.Parallel()
	pg, dbURL := testenv.StallDatabase(t)
	c := newClient(t, testenv.APIOptions{Env: map[string]string{"DATABASE_URL": dbURL}})
	// Connections are in the pool before the database goes silent.
	ref, token := c.book(bookingBody())

	pg.Stall()
	requests := []struct {
		name, method, path string
		body               any
		headers            []string
	}{
		{"book", "POST", "/v1/reservations", bookingBody(set("check_in", "2027-01-20"), set("check_out", "2027-01-21")), []string{"Idempotency-Key", newKey()}},
		{"read a booking", "GET", "/v1/reservations/" + ref, nil, bearer(token)},
		{"staff list", "GET", "/v1/admin/hotels/lisbon-riverside/reservations", nil, admin()},
		{"revenue report", "GET", "/v1/finance/revenue?from=2027-01-01&to=2027-01-31", nil, admin()},
		{"reconciliation", "GET", "/v1/finance/reconciliation?from=2027-01-01&to=2027-01-31", nil, admin()},
	}
	for _, rq := range requests {
		start := time.Now()
		r := c.do(rq.method, rq.path, rq.body, rq.headers...)
		took := time.Since(start)
		if took > 2*time.Second {
			t.Errorf("%s took %v with the database silent", rq.name, took)
		}
		r.Problem(t, http.StatusServiceUnavailable, "unavailable")
		if r.Header.Get("Retry-After") == "" {
			t.Errorf("%s: 503 without Retry-After", rq.name)
		}
	}
	pg.Resume()
}
