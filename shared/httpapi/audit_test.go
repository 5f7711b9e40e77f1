package httpapi_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"innkeeper/local/testenv"
)

// auditPage reads one page of GET /v1/admin/audit as admin.
func auditPage(t *testing.T, c *client, query url.Values) ([]map[string]any, string) {
	t.Helper()
	r := c.do("GET", "/v1/admin/audit?"+query.Encode(), nil, admin()...)
	if r.Status != http.StatusOK || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("audit %s: %d %s", query.Encode(), r.Status, r.Body)
	}
	m := r.JSON(t)
	var rows []map[string]any
	for _, e := range m["events"].([]any) {
		rows = append(rows, e.(map[string]any))
	}
	next, _ := m["next_cursor"].(string)
	return rows, next
}

func TestAuditTrailFiltersAndPages(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})
	var refs []string
	tokens := map[string]string{}
	for range 4 {
		ref, token := c.book(bookingBody())
		refs = append(refs, ref)
		tokens[ref] = token
	}
	cancelled := refs[1]
	if r := c.do("POST", "/v1/reservations/"+cancelled+"/cancel", nil, with(bearer(tokens[cancelled]), "Idempotency-Key", newKey())...); r.Status != 200 {
		t.Fatalf("cancel: %d %s", r.Status, r.Body)
	}

	// One reservation: its cancel, then its booking, newest first, by
	// the access token's holder, with the status before and after.
	rows, next := auditPage(t, c, url.Values{"reservation": {cancelled}})
	if len(rows) != 2 || next != "" {
		t.Fatalf("rows of %s: %v (next %q), want the cancel and the booking", cancelled, rows, next)
	}
	cancel, create := rows[0], rows[1]
	if cancel["action"] != "reservation.cancel" || create["action"] != "reservation.create" {
		t.Fatalf("actions %v, %v; want newest first", cancel["action"], create["action"])
	}
	for _, e := range rows {
		if e["actor_kind"] != "guest" || e["actor"] != "access-token" || e["hotel"] != "lisbon-riverside" ||
			e["reservation"] != cancelled || e["request_id"] == nil || e["actor_role"] != nil || e["entity_kind"] != nil {
			t.Errorf("row %v", e)
		}
	}
	if create["before"] != nil || create["after"].(map[string]any)["status"] != "confirmed" ||
		cancel["before"].(map[string]any)["status"] != "confirmed" || cancel["after"].(map[string]any)["status"] != "cancelled" {
		t.Errorf("before/after: create %v→%v, cancel %v→%v", create["before"], create["after"], cancel["before"], cancel["after"])
	}

	// Paging: the guests' rows (five, all at the clock's one instant, so
	// the id breaks the ties) two by two, with neither gap nor repeat,
	// equal to the whole list in one page.
	whole, next := auditPage(t, c, url.Values{"actor": {"access-token"}, "limit": {"200"}})
	if len(whole) != 5 || next != "" {
		t.Fatalf("the guests' rows: %d (next %q), want 5 in one page", len(whole), next)
	}
	var paged []map[string]any
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		q := url.Values{"actor": {"access-token"}, "limit": {"2"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		rows, next := auditPage(t, c, q)
		if len(rows) > 2 || (next != "" && len(rows) != 2) {
			t.Fatalf("page of %d rows, next %q", len(rows), next)
		}
		paged = append(paged, rows...)
		if next == "" {
			break
		}
		cursor = next
	}
	if len(paged) != len(whole) {
		t.Fatalf("paged %d rows, want %d", len(paged), len(whole))
	}
	for i := range whole {
		if paged[i]["id"] != whole[i]["id"] {
			t.Fatalf("row %d: paged id %v, whole id %v", i, paged[i]["id"], whole[i]["id"])
		}
		if i > 0 {
			prev, cur := whole[i-1], whole[i]
			pa, _ := time.Parse(time.RFC3339Nano, prev["at"].(string))
			ca, _ := time.Parse(time.RFC3339Nano, cur["at"].(string))
			if ca.After(pa) || (ca.Equal(pa) && cur["id"].(float64) >= prev["id"].(float64)) {
				t.Fatalf("rows %d and %d are not newest first: %v %v", i-1, i, prev, cur)
			}
		}
	}

	// Action, hotel and time filters.
	rows, _ = auditPage(t, c, url.Values{"action": {"reservation.cancel"}, "hotel": {"lisbon-riverside"}})
	if len(rows) != 1 || rows[0]["reservation"] != cancelled {
		t.Fatalf("cancels: %v", rows)
	}
	at := cancel["at"].(string)
	rows, _ = auditPage(t, c, url.Values{"actor": {"access-token"}, "from": {at}})
	if len(rows) != 5 {
		t.Fatalf("from the instant itself: %d rows, want 5 (from is inclusive)", len(rows))
	}
	rows, _ = auditPage(t, c, url.Values{"actor": {"access-token"}, "to": {at}})
	if len(rows) != 0 {
		t.Fatalf("to the instant itself: %d rows, want none (to is exclusive)", len(rows))
	}
	rows, _ = auditPage(t, c, url.Values{"actor": {"access-token"}, "from": {"2026-11-30"}, "to": {"2026-12-02"}})
	if len(rows) != 5 {
		t.Fatalf("dates around the instant: %d rows, want 5", len(rows))
	}
	// The other demo hotel: its catalogue, loaded by the seed, and none
	// of these guests.
	rows, _ = auditPage(t, c, url.Values{"hotel": {"nyc-midtown"}, "limit": {"200"}})
	if len(rows) == 0 {
		t.Fatal("no rows of the other hotel's catalogue")
	}
	for _, e := range rows {
		if e["hotel"] != "nyc-midtown" || e["actor"] == "access-token" {
			t.Fatalf("a row of hotel=nyc-midtown: %v", e)
		}
	}
	if last := rows[len(rows)-1]; last["action"] != "hotel.create" || last["actor_kind"] != "system" || last["actor"] != "seed" ||
		last["entity_kind"] != "hotel" || last["entity_key"] != "nyc-midtown" || last["before"] != nil {
		t.Fatalf("the hotel's first row %v, want its creation by the seed", last)
	}
}

func TestAuditTrailIsForAdminsAndRefusesBadQueries(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})
	staff, _ := staffKey(t, c, "staff")
	finance, _ := staffKey(t, c, "finance")
	c.do("GET", "/v1/admin/audit", nil).Problem(t, http.StatusUnauthorized, "unauthorized")
	c.do("GET", "/v1/admin/audit", nil, bearer(staff)...).Problem(t, http.StatusForbidden, "forbidden")
	c.do("GET", "/v1/admin/audit", nil, bearer(finance)...).Problem(t, http.StatusForbidden, "forbidden")

	for _, tt := range []struct {
		name, query, field string
	}{
		{"unknown parameter", "status=cancelled", "status"},
		{"a parameter twice", "actor=a&actor=b", "actor"},
		{"limit too large", "limit=201", "limit"},
		{"limit negative", "limit=-1", "limit"},
		{"limit not a number", "limit=ten", "limit"},
		{"from not an instant", "from=yesterday", "from"},
		{"to not an instant", "to=2026-13-01", "to"},
		{"to before from", "from=2026-12-02&to=2026-12-01", "to"},
		{"a forged cursor", "cursor=bm90LWEtY3Vyc29y", "cursor"},
		{"a reservation that is no reference", "reservation=INK-1", "reservation"},
		{"a quote in the hotel", "hotel=" + url.QueryEscape("x' OR '1'='1"), "hotel"},
		{"a slash in the actor", "actor=a%2Fb", "actor"},
		{"capitals in the action", "action=Reservation.Cancel", "action"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c.do("GET", "/v1/admin/audit?"+tt.query, nil, admin()...).FieldError(t, http.StatusUnprocessableEntity, tt.field)
		})
	}
	c.do("GET", "/v1/admin/audit?%zz", nil, admin()...).Problem(t, http.StatusBadRequest, "bad-request")
}
