package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"innkeeper/shared/jobs"
	"innkeeper/shared/logging"
)

// TestNightAuditReports: the route shows what the job recorded, newest
// first, to staff only, and refuses a bad span with a 422.
func TestNightAuditReports(t *testing.T) {
	t.Parallel()
	c, clock := newDeskClient(t)
	staff, _ := staffKey(t, c, "staff")
	finance, _ := staffKey(t, c, "finance")
	ref, _ := c.book(bookingBody()) // arrives 2027-01-10
	runner := &jobs.Runner{Store: c.api.Store, Log: logging.Discard(), Function: "scheduler"}
	run := func(at time.Time) {
		detail, _ := json.Marshal(map[string]string{"job": jobs.NightAudit})
		if _, err := runner.Handle(context.Background(), events.EventBridgeEvent{Time: at, Detail: detail}); err != nil {
			t.Fatal(err)
		}
	}
	run(time.Date(2027, 1, 10, 3, 30, 0, 0, time.UTC)) // closes the 9th
	run(time.Date(2027, 1, 11, 3, 30, 0, 0, time.UTC)) // closes the 10th
	clock.set("2027-01-11", 12)

	path := lisbon + "/night-audits"
	c.do("GET", path, nil).Problem(t, http.StatusUnauthorized, "unauthorized")
	c.do("GET", path, nil, bearer(finance)...).Problem(t, http.StatusForbidden, "forbidden")
	c.do("GET", path+"?from=2027-01-10&to=2027-01-01", nil, bearer(staff)...).FieldError(t, 422, "from")
	c.do("GET", path+"?from=2026-01-01&to=2027-01-01", nil, bearer(staff)...).FieldError(t, 422, "to")
	c.do("GET", path+"?from=yesterday", nil, bearer(staff)...).FieldError(t, 422, "from")
	c.do("GET", path+"?page=2", nil, bearer(staff)...).FieldError(t, 422, "page")
	c.do("GET", "/v1/admin/hotels/nope/night-audits", nil, bearer(staff)...).Problem(t, http.StatusNotFound, "not-found")

	// Without dates: the 30 days ending yesterday (the 10th).
	r := c.do("GET", path, nil, bearer(staff)...)
	if r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	m := r.JSON(t)
	reps := m["night_audits"].([]any)
	if m["from"] != "2026-12-12" || m["to"] != "2027-01-10" || len(reps) != 2 {
		t.Fatalf("default span %v–%v, %d reports: %s", m["from"], m["to"], len(reps), r.Body)
	}
	day := reps[0].(map[string]any)
	noShows := day["no_shows"].(map[string]any)
	if day["business_date"] != "2027-01-10" || noShows["count"] != 1.0 || noShows["references"].([]any)[0] != ref ||
		day["no_show_fees_cents"].(float64) <= 0 || day["ran_at"] != "2027-01-11T03:30:00Z" {
		t.Fatalf("report of the 10th: %v", day)
	}
	if reps[1].(map[string]any)["business_date"] != "2027-01-09" {
		t.Fatalf("second report: %v", reps[1])
	}
	one := c.do("GET", path+"?from=2027-01-09&to=2027-01-09", nil, bearer(staff)...).JSON(t)["night_audits"].([]any)
	if len(one) != 1 || one[0].(map[string]any)["business_date"] != "2027-01-09" {
		t.Fatalf("one day: %v", one)
	}
}
