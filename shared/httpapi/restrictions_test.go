package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"innkeeper/local/testenv"
)

const stayQuery = "/v1/hotels/lisbon-riverside/availability?check_in=2027-01-10&check_out=2027-01-11&adults=2"

// offeredAt is the set of rate plans availability offers for path.
func offeredAt(t *testing.T, c *client, path string) (map[string]bool, map[string]any) {
	t.Helper()
	r := c.do("GET", path, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("%s: %d %s", path, r.Status, r.Body)
	}
	m := r.JSON(t)
	out := map[string]bool{}
	for _, o := range m["offers"].([]any) {
		out[o.(map[string]any)["rate_plan"].(string)] = true
	}
	return out, m
}

// reasonsOf is the unavailable entry of plan in an explained answer, as
// [restriction, date, limit] triples.
func reasonsOf(t *testing.T, m map[string]any, plan string) []map[string]any {
	t.Helper()
	un, ok := m["unavailable"].([]any)
	if !ok {
		t.Fatalf("no unavailable list: %v", m)
	}
	for _, u := range un {
		e := u.(map[string]any)
		if e["rate_plan"] == plan {
			var out []map[string]any
			for _, r := range e["reasons"].([]any) {
				out = append(out, r.(map[string]any))
			}
			return out
		}
	}
	return nil
}

func putRestrictions(t *testing.T, c *client, body map[string]any) {
	t.Helper()
	if r := c.do("PUT", lisbon+"/restrictions", body, admin()...); r.Status != http.StatusOK {
		t.Fatalf("put restrictions: %d %s", r.Status, r.Body)
	}
}

// Each of min stay on arrival, closed to arrival and stop-sell takes its
// plan out of availability, is explained with its date under explain=1
// (and only then), and refuses a booking with a 409 naming it.
func TestAvailabilityExplainsRestrictions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		body        map[string]any
		restriction string
		date        string
		limit       float64
	}{
		{"min stay on arrival", map[string]any{"from": "2027-01-10", "to": "2027-01-11", "min_stay_arrival": 2},
			"min_stay_arrival", "2027-01-10", 2},
		{"closed to arrival", map[string]any{"from": "2027-01-10", "to": "2027-01-11", "closed_to_arrival": true},
			"closed_to_arrival", "2027-01-10", 0},
		{"stop-sell", map[string]any{"from": "2027-01-10", "to": "2027-01-11", "stop_sell": true},
			"stop_sell", "2027-01-10", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newClient(t, testenv.APIOptions{})
			before, _ := offeredAt(t, c, stayQuery)
			if !before["STD-FLEX"] || !before["STD-NR"] {
				t.Fatalf("before: offers %v", before)
			}
			tt.body["rate_plan"] = "STD-FLEX"
			putRestrictions(t, c, tt.body)

			plain, m := offeredAt(t, c, stayQuery)
			if plain["STD-FLEX"] || !plain["STD-NR"] {
				t.Fatalf("after: offers %v, want STD-NR without STD-FLEX", plain)
			}
			if _, ok := m["unavailable"]; ok {
				t.Fatalf("unavailable without explain: %v", m)
			}
			_, m = offeredAt(t, c, stayQuery+"&explain=1")
			reasons := reasonsOf(t, m, "STD-FLEX")
			if len(reasons) != 1 || reasons[0]["restriction"] != tt.restriction || reasons[0]["date"] != tt.date {
				t.Fatalf("reasons %v, want %s on %s", reasons, tt.restriction, tt.date)
			}
			if lim, _ := reasons[0]["limit"].(float64); lim != tt.limit {
				t.Fatalf("limit %v, want %v", reasons[0]["limit"], tt.limit)
			}
			if reasonsOf(t, m, "STD-NR") != nil {
				t.Fatalf("an unrestricted plan explained: %v", m["unavailable"])
			}

			r := c.do("POST", "/v1/reservations", bookingBody(set("check_out", "2027-01-11")), "Idempotency-Key", newKey())
			p := r.Problem(t, http.StatusConflict, "restricted")
			vs, _ := p["violations"].([]any)
			if len(vs) != 1 || vs[0].(map[string]any)["restriction"] != tt.restriction || vs[0].(map[string]any)["date"] != tt.date {
				t.Fatalf("violations %v", p["violations"])
			}
			// The other plan still books.
			c.book(bookingBody(set("check_out", "2027-01-11"), set("rate_plan", "STD-NR")))
		})
	}
}

// A plan that meets its restrictions is offered; explain=1 then lists
// nothing unavailable. Clearing with null brings the offer back.
func TestRestrictionsClearedWithNull(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})
	putRestrictions(t, c, map[string]any{"rate_plan": "STD-FLEX", "from": "2027-01-10", "to": "2027-01-11", "min_stay_arrival": 2})
	if got, _ := offeredAt(t, c, stayQuery); got["STD-FLEX"] {
		t.Fatal("min stay not applied")
	}
	two, m := offeredAt(t, c, "/v1/hotels/lisbon-riverside/availability?check_in=2027-01-10&check_out=2027-01-12&adults=2&explain=1")
	if !two["STD-FLEX"] || len(m["unavailable"].([]any)) != 0 {
		t.Fatalf("a 2-night stay: offers %v, unavailable %v", two, m["unavailable"])
	}
	putRestrictions(t, c, map[string]any{"rate_plan": "STD-FLEX", "from": "2027-01-10", "to": "2027-01-11", "min_stay_arrival": nil})
	if got, _ := offeredAt(t, c, stayQuery); !got["STD-FLEX"] {
		t.Fatal("null did not clear the minimum")
	}
}

// Bad input is a 422 (or 400 for bad JSON) naming the field, and sets
// nothing; a finance key is 403, no key 401.
func TestRestrictionsRefused(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})
	base := func(k string, v any) map[string]any {
		b := map[string]any{"rate_plan": "STD-FLEX", "from": "2027-01-10", "to": "2027-01-11", "stop_sell": true}
		if v == nil {
			delete(b, k)
		} else {
			b[k] = v
		}
		return b
	}
	tests := []struct {
		name   string
		body   map[string]any
		status int
		field  string
	}{
		{"zero nights", base("min_stay_arrival", 0), 422, "min_stay_arrival"},
		{"too many nights", base("max_stay_through", 31), 422, "max_stay_through"},
		{"text nights", base("min_stay_through", "two"), 422, "min_stay_through"},
		{"text flag", base("closed_to_arrival", "yes"), 422, "closed_to_arrival"},
		{"unknown plan", base("rate_plan", "NOPE"), 422, "rate_plan"},
		{"no plan", base("rate_plan", ""), 422, "rate_plan"},
		{"to before from", base("to", "2027-01-09"), 422, "to"},
		{"bad date", base("from", "2027-13-01"), 422, "from"},
		{"unknown field", base("min_stay", 2), 400, "min_stay"},
		{"nothing to set", map[string]any{"rate_plan": "STD-FLEX", "from": "2027-01-10", "to": "2027-01-11"}, 422, "restrictions"},
		{"min above max", map[string]any{"rate_plan": "STD-FLEX", "from": "2027-01-10", "to": "2027-01-11",
			"min_stay_arrival": 3, "max_stay_arrival": 2}, 422, "min_stay_arrival"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.do("PUT", lisbon+"/restrictions", tt.body, admin()...).FieldError(t, tt.status, tt.field)
		})
	}
	staff, _ := createKey(t, c, map[string]any{"name": "desk", "role": "staff"})
	finance, _ := createKey(t, c, map[string]any{"name": "books", "role": "finance"})
	ok := base("", nil)
	c.do("PUT", lisbon+"/restrictions", ok).Problem(t, http.StatusUnauthorized, "unauthorized")
	c.do("PUT", lisbon+"/restrictions", ok, bearer(finance)...).Problem(t, http.StatusForbidden, "forbidden")
	c.do("PUT", "/v1/admin/hotels/nowhere/restrictions", ok, admin()...).Problem(t, http.StatusNotFound, "not-found")
	c.do("GET", stayQuery+"&explain=maybe", nil).FieldError(t, 422, "explain")
	if got, _ := offeredAt(t, c, stayQuery); !got["STD-FLEX"] {
		t.Fatal("a refused request set a restriction")
	}
	// The staff role may set them.
	r := c.do("PUT", lisbon+"/restrictions", ok, bearer(staff)...)
	if r.Status != http.StatusOK || r.JSON(t)["nights"] != float64(1) {
		t.Fatalf("staff: %d %s", r.Status, r.Body)
	}
	if got, _ := offeredAt(t, c, stayQuery); got["STD-FLEX"] {
		t.Fatal("the staff's stop-sell was not applied")
	}
}

// GET reads back what PUT set, as runs of dates that restrict alike: two
// PUTs over touching ranges with the same limit read as one run, a date
// between that restricts nothing splits runs, and a plan or range that
// is wrong is a 422 naming the field.
func TestRestrictionsReadBackAsRuns(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})
	putRestrictions(t, c, map[string]any{"rate_plan": "STD-FLEX", "from": "2027-03-01", "to": "2027-03-03", "min_stay_arrival": 2})
	putRestrictions(t, c, map[string]any{"rate_plan": "STD-FLEX", "from": "2027-03-03", "to": "2027-03-05", "min_stay_arrival": 2})
	putRestrictions(t, c, map[string]any{"rate_plan": "STD-FLEX", "from": "2027-03-06", "to": "2027-03-07", "closed_to_arrival": true})

	r := c.do("GET", lisbon+"/restrictions?rate_plan=STD-FLEX&from=2027-02-28&to=2027-03-10", nil, admin()...)
	if r.Status != http.StatusOK {
		t.Fatalf("get restrictions: %d %s", r.Status, r.Body)
	}
	m := r.JSON(t)
	runs := m["restrictions"].([]any)
	if len(runs) != 2 {
		t.Fatalf("runs = %v, want 2", runs)
	}
	first, second := runs[0].(map[string]any), runs[1].(map[string]any)
	if first["from"] != "2027-03-01" || first["to"] != "2027-03-05" || first["min_stay_arrival"] != float64(2) || first["closed_to_arrival"] != false {
		t.Errorf("first run = %v, want 2027-03-01..2027-03-05 min stay 2", first)
	}
	if second["from"] != "2027-03-06" || second["to"] != "2027-03-07" || second["closed_to_arrival"] != true || second["min_stay_arrival"] != nil {
		t.Errorf("second run = %v, want 2027-03-06 closed to arrival", second)
	}

	// A range that holds none of them reads as an empty list, not null.
	r = c.do("GET", lisbon+"/restrictions?rate_plan=STD-FLEX&from=2027-04-01&to=2027-04-10", nil, admin()...)
	if r.Status != http.StatusOK || r.JSON(t)["restrictions"] == nil || len(r.JSON(t)["restrictions"].([]any)) != 0 {
		t.Errorf("empty range: %d %s", r.Status, r.Body)
	}

	for _, bad := range []struct{ query, field string }{
		{"rate_plan=NOPE&from=2027-03-01&to=2027-03-02", "rate_plan"},
		{"from=2027-03-01&to=2027-03-02", "rate_plan"},
		{"rate_plan=STD-FLEX&from=2027-03-02&to=2027-03-01", "to"},
		{"rate_plan=STD-FLEX&to=2027-03-01", "from"},
	} {
		r := c.do("GET", lisbon+"/restrictions?"+bad.query, nil, admin()...)
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), `"`+bad.field+`"`) {
			t.Errorf("%s: %d %s, want 422 naming %s", bad.query, r.Status, r.Body, bad.field)
		}
	}
	if r := c.do("GET", lisbon+"/restrictions?rate_plan=STD-FLEX&from=2027-03-01&to=2027-03-02", nil); r.Status != http.StatusUnauthorized {
		t.Errorf("without a key: %d, want 401", r.Status)
	}
}
