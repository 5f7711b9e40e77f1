package scan

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"innkeeper/shared/auth"
	"innkeeper/shared/httpapi"
	"innkeeper/shared/topology"
)

// credential is what a request shows to reach a route's handler.
type credential int

const (
	credNone    credential = iota
	credGuest              // the reservation's access token
	credStaff              // a staff key
	credAdmin              // an admin key: admin-only routes
	credFinance            // a finance key (the admin key without one)
	credMetrics            // the metrics token
	credAnyKey             // any role's key (staff, admin or finance): no wrong role to refuse
)

// whose says which reservation or hotel a route's parameters name.
type whose int

const (
	target whose = iota // the target's reservation, or its hotel
	own                 // the scan's own booking, or its hotel
)

// param is a query parameter with the real value the scan sends; an
// empty value is not sent in a real request, only as a hostile one.
type param struct{ name, value string }

// sample is how to make a real request of a route: who may, with which
// values, and what a real request may be answered.
type sample struct {
	cred  credential
	slug  whose // whose hotel {slug} is
	ref   whose // whose booking {reference} is
	query func(s *scanner) []param
	body  func(s *scanner) []byte
	// idempotent routes need an Idempotency-Key.
	idempotent bool
	ok         []int
}

// samples holds a sample for every route of the manifest but $default;
// a test fails when a route is added without one. The admin-only routes
// (credAdmin) are those whose handler asks for the admin role.
var samples = map[string]sample{
	"GET /livez":   {ok: []int{200}},
	"GET /readyz":  {ok: []int{200}},
	"GET /health":  {ok: []int{200}},
	"GET /metrics": {cred: credMetrics, ok: []int{200}},

	"GET /v1/openapi.json": {ok: []int{200}},

	"GET /v1/hotels":        {ok: []int{200}},
	"GET /v1/hotels/{slug}": {ok: []int{200}},
	"GET /v1/hotels/{slug}/availability": {ok: []int{200}, query: func(s *scanner) []param {
		return []param{{"check_in", s.checkIn}, {"check_out", s.checkOut}, {"adults", "1"}, {"children", "0"}, {"rooms", "1"}, {"explain", "1"}}
	}},
	"GET /v1/availability": {ok: []int{200}, query: func(s *scanner) []param {
		return []param{{"city", "Lisbon"}, {"check_in", s.checkIn}, {"check_out", s.checkOut}, {"adults", "2"},
			{"children", "1"}, {"children_ages", "7"}, {"rooms", "1"}, {"sort", "price"}, {"limit", "10"}, {"cursor", ""}}
	}},
	// A hold: it takes no payment (one with a payment is a 422); the
	// confirmation below pays it.
	"POST /v1/reservations": {idempotent: true, ok: []int{201}, body: func(s *scanner) []byte {
		in, out := s.ownStay()
		return jsonBody(map[string]any{
			"hotel": s.own, "room_type": ownRoomType, "rate_plan": ownRatePlan, "check_in": in, "check_out": out,
			"adults": 1, "children": 0, "rooms": 1, "hold": true,
			// An address per run: holds are limited per email (3 active).
			"guest": map[string]any{"name": "Scan Guest", "email": "scan-" + s.run + "@example.com"},
		})
	}},
	"GET /v1/reservations/{reference}": {cred: credGuest, ok: []int{200}},
	// The target's reservation is booked alone, so no booking of
	// several rooms has its reference: 404, as for a booking not yours.
	"GET /v1/bookings/{reference}":                        {cred: credGuest, ok: []int{200, 404}},
	"POST /v1/bookings/{reference}/cancel":                {cred: credGuest, idempotent: true, ok: []int{200, 404}},
	"GET /v1/reservations/{reference}/cancellation-quote": {cred: credGuest, ok: []int{200}},
	"GET /v1/reservations/{reference}/invoice":            {cred: credGuest, ok: []int{200}},
	"GET /v1/reservations/{reference}/manage": {ok: []int{200}, query: func(s *scanner) []param {
		exp := s.now().Add(time.Hour).Unix()
		return []param{{"expires", strconv.FormatInt(exp, 10)},
			{"signature", auth.SignLink(s.t.AppKey, s.t.Reservation.Reference, time.Unix(exp, 0))}}
	}},
	// A hold of the scan's own: confirmed in the baseline, paid with
	// Stripe's test card (the API takes payments), cancelled at the end.
	"POST /v1/reservations/{reference}/confirm": {cred: credGuest, ref: own, idempotent: true, ok: []int{200}, body: func(*scanner) []byte {
		return jsonBody(map[string]any{"payment": map[string]any{"payment_method": scanCard}})
	}},
	"POST /v1/reservations/{reference}/cancel": {cred: credGuest, ref: own, idempotent: true, ok: []int{200}},
	// The scan's own booking, confirmed above, with a second adult: the
	// quote changes nothing; the modification is 200 the first time and
	// 422 (nothing to change) once the booking already has two adults.
	"POST /v1/reservations/{reference}/modification-quote": {cred: credGuest, ref: own, ok: []int{200, 422}, body: func(*scanner) []byte {
		return jsonBody(map[string]any{"adults": 2})
	}},
	"POST /v1/reservations/{reference}/modify": {cred: credGuest, ref: own, idempotent: true, ok: []int{200, 422}, body: func(*scanner) []byte {
		return jsonBody(map[string]any{"adults": 2})
	}},
	// Made last, after the cancel above (finish): the link verifies and
	// the booking is already cancelled, a 409; a bad link is a 403.
	keyManageCancel: {ref: own, idempotent: true, ok: []int{200, 409}, query: func(s *scanner) []param {
		exp := s.now().Add(time.Hour).Unix()
		return []param{{"expires", strconv.FormatInt(exp, 10)},
			{"signature", auth.SignLink(s.t.AppKey, s.booking.Reference, time.Unix(exp, 0))}}
	}},
	// Stripe's events. The scan holds no endpoint secret, so its real
	// request is an event with no Stripe-Signature: the API refuses it
	// (400) and records nothing; only Stripe, with the secret, gets a
	// 200. (A 2xx here would be the finding: a forged event taken.)
	"POST " + topology.StripeWebhook: {ok: []int{400}, body: func(s *scanner) []byte {
		return jsonBody(map[string]any{"id": "evt_scan_" + s.run, "object": "event", "type": "payment_intent.succeeded",
			"livemode": false, "data": map[string]any{"object": map[string]any{"id": "pi_scan_" + s.run, "object": "payment_intent",
				"status": "succeeded", "amount": 100, "currency": "eur"}}})
	}},
	// Someone else's reference with an address not its own: the answer
	// is the same 202 as a match, and no mail goes out.
	"POST /v1/reservations/lookup": {ok: []int{202}, body: func(s *scanner) []byte {
		return jsonBody(map[string]any{"reference": s.t.Reservation.Reference, "email": "scan-" + s.run + "@example.com"})
	}},

	"POST /v1/admin/hotels": {cred: credAdmin, ok: []int{201}, body: func(s *scanner) []byte {
		return jsonBody(map[string]any{"slug": s.own, "name": "Scan " + s.run, "city": "Porto", "country": "PT",
			"timezone": "Europe/Lisbon", "currency": "EUR"})
	}},
	"POST /v1/admin/hotels/{slug}/room-types": {cred: credAdmin, slug: own, ok: []int{201}, body: func(s *scanner) []byte {
		return jsonBody(map[string]any{"code": ownRoomType, "name": "Scan room", "max_adults": 2, "max_children": 0})
	}},
	"POST /v1/admin/hotels/{slug}/rate-plans": {cred: credAdmin, slug: own, ok: []int{201}, body: func(s *scanner) []byte {
		return jsonBody(map[string]any{"room_type": ownRoomType, "code": ownRatePlan, "name": "Scan rate",
			"refundable": true, "free_cancellation_hours": 24, "penalty_percent": 50})
	}},
	// Catalogue edits of the scan's own hotel; archiving twice is a
	// conflict, and each archive is followed by its unarchive (manifest
	// order), so the scan's own plan stays bookable.
	"PATCH /v1/admin/hotels/{slug}": {cred: credAdmin, slug: own, ok: []int{200}, body: func(s *scanner) []byte {
		return jsonBody(map[string]any{"name": "Scan " + s.run + " edited"})
	}},
	"POST /v1/admin/hotels/{slug}/archive":   {cred: credAdmin, slug: own, ok: []int{200, 409}},
	"POST /v1/admin/hotels/{slug}/unarchive": {cred: credAdmin, slug: own, ok: []int{200, 409}},
	"PATCH /v1/admin/hotels/{slug}/room-types/{code}": {cred: credAdmin, slug: own, ok: []int{200}, body: func(*scanner) []byte {
		return jsonBody(map[string]any{"name": "Scan room edited"})
	}},
	"POST /v1/admin/hotels/{slug}/room-types/{code}/archive":   {cred: credAdmin, slug: own, ok: []int{200, 409}},
	"POST /v1/admin/hotels/{slug}/room-types/{code}/unarchive": {cred: credAdmin, slug: own, ok: []int{200, 409}},
	"PATCH /v1/admin/hotels/{slug}/rate-plans/{code}": {cred: credAdmin, slug: own, ok: []int{200}, body: func(*scanner) []byte {
		return jsonBody(map[string]any{"name": "Scan rate edited"})
	}},
	"POST /v1/admin/hotels/{slug}/rate-plans/{code}/archive":   {cred: credAdmin, slug: own, ok: []int{200, 409}},
	"POST /v1/admin/hotels/{slug}/rate-plans/{code}/unarchive": {cred: credAdmin, slug: own, ok: []int{200, 409}},
	// The usual bands; the scan's own room type takes no children, so
	// they change none of its prices.
	"PUT /v1/admin/hotels/{slug}/age-bands": {cred: credAdmin, slug: own, ok: []int{200}, body: func(*scanner) []byte {
		return jsonBody(map[string]any{"child_age_bands": []map[string]any{
			{"code": "infant", "name": "Infants", "min_age": 0, "max_age": 2},
			{"code": "child", "name": "Children", "min_age": 3, "max_age": 12}}})
	}},
	"PUT /v1/admin/hotels/{slug}/inventory": {cred: credStaff, slug: own, ok: []int{200}, body: func(s *scanner) []byte {
		in, out := s.ownStay()
		return jsonBody(map[string]any{"room_type": ownRoomType, "from": in, "to": out, "units": 3})
	}},
	"PUT /v1/admin/hotels/{slug}/rates": {cred: credStaff, slug: own, ok: []int{200}, body: func(s *scanner) []byte {
		in, out := s.ownStay()
		return jsonBody(map[string]any{"rate_plan": ownRatePlan, "from": in, "to": out, "amount_cents": 9900})
	}},
	// A limit the scan's own stays always meet, so the scan's bookings
	// and modifications are not refused by it.
	"PUT /v1/admin/hotels/{slug}/restrictions": {cred: credStaff, slug: own, ok: []int{200}, body: func(s *scanner) []byte {
		in, out := s.ownStay()
		return jsonBody(map[string]any{"rate_plan": ownRatePlan, "from": in, "to": out, "max_stay_arrival": 30})
	}},
	"GET /v1/admin/hotels/{slug}/restrictions": {cred: credStaff, slug: own, ok: []int{200}, query: func(s *scanner) []param {
		in, out := s.ownStay()
		return []param{{"rate_plan", ownRatePlan}, {"from", in}, {"to", out}}
	}},
	// A VAT included in the room price: the scan's own bookings cost
	// what they did, and their price shows the line.
	"PUT /v1/admin/hotels/{slug}/taxes": {cred: credAdmin, slug: own, ok: []int{200}, body: func(*scanner) []byte {
		return jsonBody(map[string]any{"taxes": []map[string]any{
			{"code": "vat", "name": "VAT", "kind": "percent", "vat": true, "percent": "6", "included": true}}})
	}},
	"GET /v1/admin/hotels/{slug}/taxes": {cred: credStaff, slug: own, ok: []int{200}},
	"GET /v1/admin/hotels/{slug}/reservations": {cred: credStaff, slug: own, ok: []int{200}, query: func(s *scanner) []param {
		in, out := s.ownStay()
		return []param{{"from", in}, {"to", out}, {"status", "confirmed"}, {"q", "scan"}, {"limit", "10"}, {"cursor", ""}}
	}},
	"GET /v1/admin/hotels/{slug}/night-audits": {cred: credStaff, slug: own, ok: []int{200}, query: func(s *scanner) []param {
		return []param{{"from", s.day(-7)}, {"to", s.day(0)}}
	}},
	"GET /v1/admin/reservations/{reference}": {cred: credStaff, ok: []int{200}},
	// The scan issues no invoice: its number is of none, and a 404 is
	// the real answer.
	"GET /v1/admin/invoices/{number}": {cred: credStaff, ok: []int{200, 404}},
	"GET /v1/admin/audit": {cred: credAdmin, ok: []int{200}, query: func(s *scanner) []param {
		return []param{{"hotel", s.own}, {"reservation", s.t.Reservation.Reference}, {"actor", "access-token"},
			{"action", "reservation.create"}, {"from", "2026-01-01"}, {"to", "2099-01-01"}, {"limit", "10"}, {"cursor", ""}}
	}},
	"POST /v1/admin/api-keys": {cred: credAdmin, ok: []int{201}, body: func(s *scanner) []byte {
		return jsonBody(map[string]any{"name": "scan " + s.run, "role": "staff"})
	}},
	// The list must never show a secret: the scan's new key's is one
	// (baseline). The scan revokes the key it made, and only that one.
	"GET /v1/admin/api-keys":               {cred: credAdmin, ok: []int{200}},
	"DELETE /v1/admin/api-keys/{id}":       {cred: credAdmin, ok: []int{204}},
	"POST /v1/ws-tickets":                  {cred: credStaff, ok: []int{201}},
	"GET /v1/me":                           {cred: credAnyKey, ok: []int{200}},
	"POST /v1/admin/queues/events/redrive": {cred: credAdmin, ok: []int{202}},
	// The front desk acts on the scan's own booking, once the guest has
	// cancelled it (finish): the status table refuses each with 409, as
	// it would a booking in another status; the target's are never touched.
	keyDeskCancel: {cred: credStaff, ref: own, ok: []int{200, 409}, body: func(*scanner) []byte {
		return jsonBody(map[string]any{"reason": "scan", "waive_fee": true})
	}},
	"POST /v1/admin/reservations/{reference}/check-in":  {cred: credStaff, ref: own, ok: []int{200, 409}},
	"POST /v1/admin/reservations/{reference}/check-out": {cred: credStaff, ref: own, ok: []int{200, 409}},
	"POST /v1/admin/reservations/{reference}/no-show":   {cred: credStaff, ref: own, ok: []int{200, 409}},
	"POST /v1/admin/reservations/{reference}/modify": {cred: credStaff, ref: own, ok: []int{200, 409}, body: func(*scanner) []byte {
		return jsonBody(map[string]any{"adults": 1, "reason": "scan"})
	}},

	"GET /v1/finance/costs": {cred: credFinance, ok: []int{200}, query: func(s *scanner) []param {
		return []param{{"from", s.day(-7)}, {"to", s.day(0)}, {"group_by", "route"}}
	}},
	"GET /v1/finance/unit-economics": {cred: credFinance, ok: []int{200}, query: func(s *scanner) []param {
		return []param{{"from", s.day(-7)}, {"to", s.day(0)}}
	}},
	// A booking's cost receipt exists once its invocations are priced.
	"GET /v1/finance/reservations/{reference}/cost": {cred: credFinance, ok: []int{200, 404}},
	"GET /v1/finance/forecast": {cred: credFinance, ok: []int{200}, query: func(*scanner) []param {
		return []param{{"bookings_per_day", "10"}, {"stage", "staging"}}
	}},
	"GET /v1/finance/revenue": {cred: credFinance, ok: []int{200}, query: func(s *scanner) []param {
		return []param{{"from", s.day(-7)}, {"to", s.day(0)}, {"group_by", "room_type"}}
	}},
	"GET /v1/finance/memory": {cred: credFinance, ok: []int{200}, query: func(s *scanner) []param {
		return []param{{"from", s.day(-7)}, {"to", s.day(0)}}
	}},
	"GET /v1/finance/reconciliation": {cred: credFinance, ok: []int{200}, query: func(s *scanner) []param {
		return []param{{"from", s.day(-7)}, {"to", s.day(0)}}
	}},
}

// keyDeskCancel is the front desk's cancellation.
const keyDeskCancel = "POST /v1/admin/reservations/{reference}/cancel"

// deskRoute reports whether key is a front-desk action, made only after
// the scan's own booking is cancelled.
func deskRoute(key string) bool { return strings.HasPrefix(key, "POST /v1/admin/reservations/") }

// The scan's own room type and rate plan, in its own hotel.
const (
	ownRoomType = "SCAN"
	ownRatePlan = "SCAN-FLEX"
)

// scanCard pays the scan's own hold when it is confirmed: Stripe's test
// Visa, which the devstack's emulator and a Stripe test-mode account
// take with no authentication.
const scanCard = "pm_card_visa"

// ownCode is the code a catalogue edit's {code} names: the scan's own
// room type or rate plan.
func ownCode(r topology.Route) string {
	if strings.Contains(r.Path, "/room-types/") {
		return ownRoomType
	}
	return ownRatePlan
}

func jsonBody(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("scan: encode a sample body: %v", err)) // a defect of the samples
	}
	return b
}

// day is a date relative to today, YYYY-MM-DD.
func (s *scanner) day(offset int) string {
	return s.now().UTC().AddDate(0, 0, offset).Format(time.DateOnly)
}

// ownStay is the two nights the scan books in its own hotel.
func (s *scanner) ownStay() (string, string) { return s.day(30), s.day(32) }

// routes is every route of the manifest but $default, in its order.
func routes() []topology.Route {
	var out []topology.Route
	for _, r := range topology.Innkeeper.Routes {
		if r.Path != topology.DefaultRoute {
			out = append(out, r)
		}
	}
	return out
}

// variant changes a real request into one made to be refused (or a
// different real one).
type variant struct {
	method string
	// pathParam is set to pathValue, as sent on the wire.
	pathParam, pathValue string
	// queryParam is set to queryValue, as sent on the wire.
	queryParam, queryValue string
	// auth replaces the Authorization header ("" sends none) when
	// authSet; ref replaces the reservation named, with its token.
	auth    string
	authSet bool
	ref     *Reservation
	// body replaces the body when bodySet; contentType replaces its
	// Content-Type when set.
	body        []byte
	bodySet     bool
	contentType string
	origin      string
}

// reservationOf is the booking a route's {reference} names.
func (s *scanner) reservationOf(sm sample) Reservation {
	if sm.ref == own {
		return s.booking
	}
	return s.t.Reservation
}

// scanInvoiceNumber is the invoice number the scan asks for: well formed,
// and of no invoice.
const scanInvoiceNumber = "SCAN-2026-000001"

// build makes the request for route r, real but for what v changes.
func (s *scanner) build(r topology.Route, v variant) *request {
	sm := samples[r.Key()]
	res := s.reservationOf(sm)
	if v.ref != nil {
		res = *v.ref
	}
	slug := s.hotel
	if sm.slug == own {
		slug = s.own
	}
	var path strings.Builder
	for i, seg := range strings.Split(strings.TrimPrefix(r.Path, "/"), "/") {
		if i > 0 || seg != "" {
			path.WriteByte('/')
		}
		name, isParam := strings.CutPrefix(seg, "{")
		name = strings.TrimSuffix(name, "}")
		switch {
		case !isParam:
			path.WriteString(seg)
		case name == v.pathParam:
			path.WriteString(v.pathValue)
		case name == "slug":
			path.WriteString(url.PathEscape(slug))
		case name == "reference":
			path.WriteString(url.PathEscape(res.Reference))
		case name == "id":
			path.WriteString(url.PathEscape(s.keyID))
		case name == "code":
			path.WriteString(ownCode(r))
		case name == "number":
			path.WriteString(scanInvoiceNumber)
		}
	}
	var query []string
	if sm.query != nil {
		for _, p := range sm.query(s) {
			switch {
			case p.name == v.queryParam:
				query = append(query, url.QueryEscape(p.name)+"="+v.queryValue)
			case p.value != "":
				query = append(query, url.QueryEscape(p.name)+"="+url.QueryEscape(p.value))
			}
		}
	}
	rq := &request{
		route: r.Key(), method: r.Method, target: path.String(), header: http.Header{},
		cacheable: r.Method == http.MethodGet && r.Auth == topology.Public &&
			(strings.HasPrefix(r.Path, "/v1/hotels") || r.Path == "/v1/availability" || r.Path == "/v1/openapi.json"),
		corsAPI: r.Function == httpapi.Function,
	}
	if len(query) > 0 {
		rq.target += "?" + strings.Join(query, "&")
	}
	if v.method != "" {
		rq.method = v.method
	}
	if a := s.credential(sm.cred, res); a != "" {
		rq.header.Set("Authorization", a)
	}
	if v.authSet {
		rq.header.Del("Authorization")
		if v.auth != "" {
			rq.header.Set("Authorization", v.auth)
		}
	}
	if sm.idempotent {
		rq.header.Set("Idempotency-Key", s.unique("scan-"))
	}
	if sm.body != nil {
		rq.body = sm.body(s)
	}
	if v.bodySet {
		rq.body = v.body
	}
	if rq.body != nil {
		rq.header.Set("Content-Type", "application/json")
	}
	if v.contentType != "" {
		rq.header.Set("Content-Type", v.contentType)
	}
	if v.origin != "" {
		rq.header.Set("Origin", v.origin)
	}
	if rq.cacheable && rq.header.Get("Authorization") != "" {
		rq.cacheable = false
	}
	return rq
}

// credential is the Authorization header of c; "" for none.
func (s *scanner) credential(c credential, res Reservation) string {
	token := map[credential]string{
		credGuest: res.Token, credStaff: s.t.StaffKey, credAdmin: s.t.AdminKey,
		credFinance: s.t.FinanceKey, credMetrics: s.t.MetricsToken, credAnyKey: s.t.StaffKey,
	}[c]
	if c == credFinance && token == "" {
		token = s.t.AdminKey
	}
	if token == "" {
		return ""
	}
	return "Bearer " + token
}

// queryParams is the query parameters a route declares.
func queryParams(s *scanner, key string) []string {
	sm := samples[key]
	if sm.query == nil {
		return nil
	}
	var names []string
	for _, p := range sm.query(s) {
		names = append(names, p.name)
	}
	return names
}

// pathParams is the path parameters of a route.
func pathParams(r topology.Route) []string {
	var names []string
	for seg := range strings.SplitSeq(r.Path, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			names = append(names, strings.Trim(seg, "{}"))
		}
	}
	return names
}
