package httpapi_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"innkeeper/local/testenv"
	"innkeeper/shared/auth"
)

// localAppKey is the local APP_KEY the test API signs links with.
const localAppKey = "local-development-app-key-not-secret-0000"

// manageCancelLink is the cancel of ref's manage link, signed with key
// until exp.
func manageCancelLink(ref, key string, exp time.Time) string {
	return "/v1/reservations/" + ref + "/manage/cancel?expires=" + strconv.FormatInt(exp.Unix(), 10) +
		"&signature=" + url.QueryEscape(auth.SignLink(key, ref, exp))
}

func TestLookupAnswersTheSameWhetherOrNotTheBookingExists(t *testing.T) {
	t.Parallel()
	// No relay: the lookup's events stay in the outbox to be counted.
	c := newClient(t, testenv.APIOptions{NoRelay: true})
	ref, _ := c.book(bookingBody(set("guest", map[string]any{"name": "Ana Silva", "email": "Ana@Example.com"})))
	other, _ := c.book(bookingBody(set("guest", map[string]any{"name": "Rui Costa", "email": "rui@example.com"})))
	asked := func() int {
		return c.api.Int(t, `SELECT count(*) FROM outbox WHERE event_type = 'reservation.access_requested'`)
	}
	tests := []struct {
		name      string
		reference string
		email     string
		emailed   bool
	}{
		{"reference and email match, but for case", ref, "ana@example.com", true},
		{"the email in another case still", ref, "ANA@EXAMPLE.COM", true},
		{"another guest's email", ref, "rui@example.com", false},
		{"the email of another booking", other, "ana@example.com", false},
		{"no such booking", "INK-ZZZZZZ", "ana@example.com", false},
	}
	var first []byte
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := asked()
			r := c.do("POST", "/v1/reservations/lookup", map[string]any{"reference": tt.reference, "email": tt.email})
			if r.Status != http.StatusAccepted {
				t.Fatalf("status %d, want 202\n%s", r.Status, r.Body)
			}
			if first == nil {
				first = r.Body
			} else if string(r.Body) != string(first) {
				t.Fatalf("body %s differs from %s", r.Body, first)
			}
			want := before
			if tt.emailed {
				want++
				if n := c.api.Int(t, `SELECT count(*) FROM outbox WHERE event_type = 'reservation.access_requested'
					AND aggregate_id = $1 AND payload->>'reference' = $1`, tt.reference); n < 1 {
					t.Fatalf("no access event for %s", tt.reference)
				}
			}
			if got := asked(); got != want {
				t.Fatalf("%d access events, want %d", got, want)
			}
		})
	}
}

func TestLookupRefusesABadBody(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{NoRelay: true})
	tests := []struct {
		name   string
		body   any
		status int
		field  string
	}{
		{"no reference", map[string]any{"email": "ana@example.com"}, 422, "reference"},
		{"no email", map[string]any{"reference": "INK-7K3Q9P"}, 422, "email"},
		{"not a reference", map[string]any{"reference": "7K3Q9P", "email": "ana@example.com"}, 422, "reference"},
		{"not an email", map[string]any{"reference": "INK-7K3Q9P", "email": "ana at example"}, 422, "email"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.do("POST", "/v1/reservations/lookup", tt.body).FieldError(t, tt.status, tt.field)
		})
	}
	c.do("POST", "/v1/reservations/lookup", `{"reference": "INK-7K3Q9P", "email": "ana@example.com", "x": 1}`).
		Problem(t, http.StatusBadRequest, "malformed")
	if n := c.api.Int(t, `SELECT count(*) FROM outbox WHERE event_type = 'reservation.access_requested'`); n != 0 {
		t.Fatalf("%d access events after bad requests", n)
	}
}

func TestManageLinkCancels(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})
	ref, token := c.book(bookingBody())
	status := func() string {
		return c.do("GET", "/v1/reservations/"+ref, nil, bearer(token)...).JSON(t)["reservation"].(map[string]any)["status"].(string)
	}
	audits := func() int {
		return c.api.Int(t, `SELECT count(*) FROM audit_events WHERE reservation = $1 AND actor = 'manage-link'`, ref)
	}
	later := testenv.Clock.Add(time.Hour)
	refused := []struct {
		name string
		path string
	}{
		{"expired", manageCancelLink(ref, localAppKey, testenv.Clock.Add(-time.Second))},
		{"signed with another key", manageCancelLink(ref, "another-key-another-key-another-key!!", later)},
		{"another booking's link", strings.Replace(manageCancelLink("INK-ZZZZZZ", localAppKey, later), "INK-ZZZZZZ", ref, 1)},
		{"no signature", "/v1/reservations/" + ref + "/manage/cancel"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			c.do("POST", tt.path, nil, "Idempotency-Key", newKey()).Problem(t, http.StatusForbidden, "link-invalid")
			if s := status(); s != "confirmed" || audits() != 0 {
				t.Fatalf("a refused link changed the booking: %s, %d audit rows", s, audits())
			}
		})
	}
	link := manageCancelLink(ref, localAppKey, later)
	c.do("POST", link, nil).Problem(t, http.StatusBadRequest, "idempotency-key-missing")

	key := newKey()
	r := c.do("POST", link, nil, "Idempotency-Key", key)
	if r.Status != http.StatusOK || r.JSON(t)["reservation"].(map[string]any)["status"] != "cancelled" {
		t.Fatalf("cancel by link: %d %s", r.Status, r.Body)
	}
	again := c.do("POST", link, nil, "Idempotency-Key", key)
	if again.Status != http.StatusOK || again.Header.Get("Idempotent-Replayed") != "true" || string(again.Body) != string(r.Body) {
		t.Fatalf("retry: %d %q %s", again.Status, again.Header.Get("Idempotent-Replayed"), again.Body)
	}
	c.do("POST", link, nil, "Idempotency-Key", newKey()).Problem(t, http.StatusConflict, "invalid-transition")
	if s := status(); s != "cancelled" {
		t.Fatalf("status %s after the cancel", s)
	}
	var kind, actor, action, was, is string
	err := c.api.Store.Pool().QueryRow(context.Background(), `SELECT actor_kind, actor, action, before->>'status', after->>'status'
		FROM audit_events WHERE reservation = $1 AND actor = 'manage-link'`, ref).Scan(&kind, &actor, &action, &was, &is)
	if err != nil {
		t.Fatalf("the audit row (one, and only one, expected: %d): %v", audits(), err)
	}
	if kind != "guest" || actor != "manage-link" || action != "reservation.cancel" || was != "confirmed" || is != "cancelled" {
		t.Fatalf("audit row: %s %s %s %s→%s", kind, actor, action, was, is)
	}
}

func TestManageLinkCannotCancelAfterCheckIn(t *testing.T) {
	t.Parallel()
	var now atomic.Int64
	now.Store(testenv.Clock.UnixMicro())
	c := newClient(t, testenv.APIOptions{Clock: func() time.Time { return time.UnixMicro(now.Load()).UTC() }})
	// Arriving today (Lisbon), whose check-in is this afternoon.
	ref, token := c.book(bookingBody(set("check_in", "2026-12-01"), set("check_out", "2026-12-03")))
	now.Store(testenv.Clock.Add(8 * time.Hour).UnixMicro()) // 18:00 in Lisbon
	link := manageCancelLink(ref, localAppKey, testenv.Clock.Add(72*time.Hour))
	c.do("POST", link, nil, "Idempotency-Key", newKey()).Problem(t, http.StatusConflict, "cancellation-after-check-in")
	res := c.do("GET", "/v1/reservations/"+ref, nil, bearer(token)...).JSON(t)["reservation"].(map[string]any)
	if res["status"] != "confirmed" {
		t.Fatalf("status %v after a refused cancel", res["status"])
	}
	if n := c.api.Int(t, `SELECT count(*) FROM audit_events WHERE reservation = $1 AND action <> 'reservation.create'`, ref); n != 0 {
		t.Fatalf("%d audit rows for a refused cancel", n)
	}
}
