package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"strings"
	"testing"

	"innkeeper/local/testenv"
	"innkeeper/shared/httpapi"
)

// The fuzz targets here send what a client may send to the whole
// http.Handler, on a fresh schema and Redis prefix with the demo data,
// and check the edge's contract: never a 5xx (a panic is recovered into
// one), and every 4xx is a problem+json whose type, title and status agree
// with the response. Each worker process builds its own API once; an
// input costs one request.

// fuzzAPI is the API a fuzz target sends its inputs to: no queue, so
// nothing runs after a request but the request.
func fuzzAPI(f *testing.F) *testenv.API {
	return testenv.NewAPI(f, testenv.APIOptions{NoRelay: true})
}

// serve runs one request through the handler.
func serve(api *testenv.API, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	api.ServeHTTP(w, r)
	return w
}

// headerSafe drops from v what cannot arrive in a header value: a real
// server refuses control characters before any handler runs.
func headerSafe(v string) string {
	return strings.Map(func(r rune) rune {
		if (r < 0x20 && r != '\t') || r == 0x7f {
			return -1
		}
		return r
	}, v)
}

// onTheWire percent-encodes the bytes of a query that cannot stand in a
// request line (controls, space, DEL) or would end it (#), as a client
// must before sending it.
func onTheWire(q string) string {
	var b strings.Builder
	for i := 0; i < len(q); i++ {
		switch c := q[i]; {
		case c <= ' ' || c == 0x7f || c == '#':
			fmt.Fprintf(&b, "%%%02X", c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// checkEdge fails t unless the response is a success in ok or a 4xx
// problem+json that describes itself.
func checkEdge(t *testing.T, what string, w *httptest.ResponseRecorder, ok ...int) {
	t.Helper()
	body := w.Body.Bytes()
	for _, s := range ok {
		if w.Code == s {
			return
		}
	}
	if w.Code < 400 || w.Code > 499 {
		t.Fatalf("%s: status %d\n%s", what, w.Code, body)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("%s: %d as %q, want application/problem+json\n%s", what, w.Code, ct, body)
	}
	var p struct {
		Type   *string `json:"type"`
		Title  *string `json:"title"`
		Status *int    `json:"status"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("%s: %d problem is not JSON: %v\n%s", what, w.Code, err, body)
	}
	switch {
	case p.Type == nil || !strings.HasPrefix(*p.Type, httpapi.ProblemBase):
		t.Fatalf("%s: %d problem without a type under %s\n%s", what, w.Code, httpapi.ProblemBase, body)
	case p.Title == nil || *p.Title == "":
		t.Fatalf("%s: %d problem without a title\n%s", what, w.Code, body)
	case p.Status == nil || *p.Status != w.Code:
		t.Fatalf("%s: %d problem whose status says otherwise\n%s", what, w.Code, body)
	}
}

// FuzzCreateReservation sends any content type and body to
// POST /v1/reservations with a fresh Idempotency-Key: the answer is a 201
// that created exactly one reservation, or a 4xx problem that created
// none.
func FuzzCreateReservation(f *testing.F) {
	valid := `{"hotel":"lisbon-riverside","room_type":"STD","rate_plan":"STD-FLEX","check_in":"2027-01-10","check_out":"2027-01-12","adults":2,"children":0,"rooms":1,"guest":{"name":"Ana Silva","email":"ana@example.com","phone":"+351 912 345 678"},"hold":false}`
	swap := func(old, new string) string { return strings.Replace(valid, old, new, 1) }
	for _, s := range []struct{ ct, body string }{
		{"application/json", valid},
		{"application/json; charset=UTF-8", swap(`"hold":false`, `"hold":true`)},
		{"text/plain", valid},
		{"", valid},
		{"application/json", `{`},
		{"application/json", valid + valid},
		{"application/json", swap(`"adults":2`, `"adults":"2"`)},
		{"application/json", swap(`"adults":2`, `"adults":1e400`)},
		{"application/json", swap(`"adults":2`, `"adults":-9223372036854775808`)},
		{"application/json", swap(`"rooms":1`, `"rooms":2147483648`)},
		{"application/json", swap(`"children":0`, `"children":null`)},
		{"application/json", swap(`"check_in":"2027-01-10"`, `"check_in":"0001-01-01"`)},
		{"application/json", swap(`"check_out":"2027-01-12"`, `"check_out":"9999-12-31"`)},
		{"application/json", swap(`"name":"Ana Silva"`, `"name":"\u0000"`)},
		{"application/json", swap(`"hotel":"lisbon-riverside"`, `"hotel":"../../etc"`)},
		{"application/json", swap(`"hold":false`, `"hold":false,"price":1`)},
		{"application/json", swap(`"guest":{`, `"guest":{"vip":true,`)},
		{"application/json", `[]`},
		{"application/json", `null`},
		{"application/json", strings.Repeat(" ", httpapi.MaxBody) + valid},
	} {
		f.Add(s.ct, []byte(s.body))
	}
	api := fuzzAPI(f)
	count := func(t testing.TB) int { return api.Int(t, `SELECT count(*) FROM reservations`) }
	// This process is the schema's only writer, so the count before an
	// input is the count after the one before.
	before := count(f)
	f.Fuzz(func(t *testing.T, ct string, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "/v1/reservations", bytes.NewReader(body))
		r.Header.Set("Content-Type", headerSafe(ct))
		r.Header.Set("Idempotency-Key", newKey())
		w := serve(api, r)
		checkEdge(t, "POST /v1/reservations", w, http.StatusCreated)
		after := count(t)
		defer func() { before = after }()
		switch {
		case w.Code == http.StatusCreated && after != before+1:
			t.Fatalf("201 made %d reservations, want 1\n%s", after-before, w.Body)
		case w.Code != http.StatusCreated && after != before:
			t.Fatalf("%d made %d reservations, want none\n%s", w.Code, after-before, w.Body)
		case w.Code == http.StatusCreated && !strings.HasPrefix(w.Header().Get("Location"), "/v1/reservations/INK-"):
			t.Fatalf("201 without a Location: %q", w.Header().Get("Location"))
		}
	})
}

// FuzzAvailability sends any hotel slug and query string to
// GET /v1/hotels/{slug}/availability: the answer is a 200 with offers or
// a 4xx problem.
func FuzzAvailability(f *testing.F) {
	for _, s := range []struct{ slug, query string }{
		{"lisbon-riverside", "check_in=2027-01-10&check_out=2027-01-13&adults=2&children=0&rooms=1"},
		{"nyc-midtown", "check_in=2026-12-01&check_out=2026-12-31&adults=40&children=40&rooms=9"},
		{"lisbon-riverside", "adults=2"},
		{"lisbon-riverside", "check_in=2027-02-30&check_out=2027-03-02"},
		{"lisbon-riverside", "check_in=2027-01-10&check_out=2027-01-09"},
		{"lisbon-riverside", "check_in=0001-01-01&check_out=9999-12-31"},
		{"lisbon-riverside", "check_in=2027-01-10&check_out=2027-01-11&adults=999999&rooms=-99999"},
		{"lisbon-riverside", "check_in=2027-01-10&check_out=2027-01-11&adults=%2B2"},
		{"lisbon-riverside", "check_in=2027-01-10&check_in=2027-01-11&check_out=2027-01-12"},
		{"lisbon-riverside", "check_in=2027-01-10&check_out=2027-01-11&chek_out=1"},
		{"lisbon-riverside", "check_in=2027-01-10%27%20OR%201=1--&check_out=2027-01-11"},
		{"lisbon-riverside", "check_in=%zz&check_out=2027-01-11"},
		{"lisbon-riverside", "check_in=2027-01-10;check_out=2027-01-11"},
		{"atlantis", "check_in=2027-01-10&check_out=2027-01-11"},
		{"../..", ""},
		{"", "check_in=2027-01-10&check_out=2027-01-11"},
	} {
		f.Add(s.slug, s.query)
	}
	api := fuzzAPI(f)
	f.Fuzz(func(t *testing.T, slug, query string) {
		target := "/v1/hotels/" + url.PathEscape(slug) + "/availability"
		if query != "" {
			target += "?" + onTheWire(query)
		}
		u, err := url.ParseRequestURI(target)
		if err != nil {
			t.Fatalf("%q: %v", target, err)
		}
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.URL, r.RequestURI = u, target
		w := serve(api, r)
		what := "GET " + target
		if p := u.EscapedPath(); path.Clean(p) != p {
			// An empty or dot slug: a path that is not clean is a 404
			// problem, never the router's redirect to another resource.
			if w.Code != http.StatusNotFound {
				t.Fatalf("%s: status %d for a path that is not clean, want 404\n%s", what, w.Code, w.Body)
			}
			checkEdge(t, what, w)
			return
		}
		checkEdge(t, what, w, http.StatusOK)
		if w.Code == http.StatusOK {
			var out struct {
				Offers []json.RawMessage `json:"offers"`
				Nights int               `json:"nights"`
			}
			if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil || out.Offers == nil || out.Nights < 1 {
				t.Fatalf("%s: 200 without offers or nights: %v\n%s", what, err, w.Body)
			}
		}
	})
}

// staffRoutes are the staff endpoints that decode a JSON body.
var staffRoutes = []struct{ method, path string }{
	{http.MethodPost, "/v1/admin/hotels"},
	{http.MethodPost, "/v1/admin/hotels/lisbon-riverside/room-types"},
	{http.MethodPost, "/v1/admin/hotels/lisbon-riverside/rate-plans"},
	{http.MethodPut, "/v1/admin/hotels/lisbon-riverside/inventory"},
	{http.MethodPut, "/v1/admin/hotels/lisbon-riverside/rates"},
	{http.MethodPost, "/v1/admin/api-keys"},
}

// FuzzStaffBodies sends any content type and body, with the admin key, to
// each staff endpoint that takes JSON: the answer is a 200 or 201, or a
// 4xx problem.
func FuzzStaffBodies(f *testing.F) {
	for _, s := range []struct {
		route uint8
		body  string
	}{
		{0, `{"slug":"porto-fuzz","name":"Porto","city":"Porto","country":"PT","timezone":"Europe/Lisbon","currency":"EUR","check_in_time":"14:00"}`},
		{0, `{"slug":"x","name":"X","city":"X","country":"PT","timezone":"Local","currency":"EUR"}`},
		{0, `{"slug":"y","name":"Y","city":"Y","country":"PT","timezone":"../../etc/passwd","currency":"EUR"}`},
		{1, `{"code":"FZ","name":"Fuzz room","max_adults":2,"max_children":1}`},
		{1, `{"code":"FZ2","name":"Fuzz room","max_adults":2147483648,"max_children":-1}`},
		{2, `{"room_type":"STD","code":"STD-FZ","name":"Fuzz plan","refundable":true,"free_cancellation_hours":48,"penalty_percent":10}`},
		{2, `{"room_type":"STD","code":"STD-FZ2","name":"x","refundable":false,"free_cancellation_hours":9223372036854775807}`},
		{2, `{"room_type":"STD","code":"STD-FZ3","name":"x"}`},
		{3, `{"room_type":"STD","from":"2027-01-01","to":"2027-02-01","units":5}`},
		{3, `{"room_type":"STD","from":"0000-01-01","to":"0000-01-02","units":5}`},
		{3, `{"room_type":"STD","from":"9999-12-30","to":"9999-12-31","units":5}`},
		{3, `{"room_type":"STD","from":"2027-01-01","to":"2027-02-01","units":0}`},
		{3, `{"room_type":"STD","from":"2027-01-01","to":"2027-02-01"}`},
		{4, `{"rate_plan":"STD-FLEX","from":"2027-01-01","to":"2027-02-01","amount_cents":12000}`},
		{4, `{"rate_plan":"STD-FLEX","from":"2027-01-01","to":"2027-02-01","amount_cents":-1}`},
		{4, `{"rate_plan":"NOPE","from":"2027-01-01","to":"2027-01-01","amount_cents":1}`},
		{5, `{"name":"desk","role":"staff"}`},
		{5, `{"name":"desk","role":"root"}`},
		{5, `{"name":"` + strings.Repeat("n", 201) + `","role":"admin"}`},
		{0, `{`},
		{3, `[]`},
		{4, `{"rate_plan":"STD-FLEX","from":"2027-01-01","to":"2027-02-01","amount_cents":1,"currency":"EUR"}`},
	} {
		f.Add(s.route, "application/json", []byte(s.body))
	}
	f.Add(uint8(0), "text/plain", []byte(`{}`))
	f.Add(uint8(3), "application/json; charset=iso-8859-1", []byte(`{}`))
	api := fuzzAPI(f)
	f.Fuzz(func(t *testing.T, route uint8, ct string, body []byte) {
		rt := staffRoutes[int(route)%len(staffRoutes)]
		r := httptest.NewRequest(rt.method, rt.path, bytes.NewReader(body))
		r.Header.Set("Content-Type", headerSafe(ct))
		r.Header.Set("Authorization", "Bearer "+testenv.AdminKey)
		w := serve(api, r)
		checkEdge(t, rt.method+" "+rt.path, w, http.StatusOK, http.StatusCreated)
	})
}
