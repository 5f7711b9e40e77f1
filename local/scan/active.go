package scan

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"innkeeper/shared/auth"
	"innkeeper/shared/httpapi"
	"innkeeper/shared/topology"
)

// route is the manifest's route with key.
func route(key string) topology.Route {
	for _, r := range topology.Innkeeper.Routes {
		if r.Key() == key {
			return r
		}
	}
	panic("scan: no route " + key) // a defect of the scan, caught by its tests
}

// Route keys the phases name.
const (
	keyGet          = "GET /v1/reservations/{reference}"
	keyQuote        = "GET /v1/reservations/{reference}/cancellation-quote"
	keyManage       = "GET /v1/reservations/{reference}/manage"
	keyConfirm      = "POST /v1/reservations/{reference}/confirm"
	keyCancel       = "POST /v1/reservations/{reference}/cancel"
	keyManageCancel = "POST /v1/reservations/{reference}/manage/cancel"
	keyBook         = "POST /v1/reservations"
	keyHotels       = "GET /v1/hotels"
	defaultRoute    = topology.DefaultRoute
)

// refused reports whether a status refuses a request: a 4xx. A 429 is
// a refusal too, under the same header rules.
func refused(status int) bool { return status >= 400 && status < 500 }

// decode reads a JSON body into v; false when it is not that.
func decode(ex *exchange, v any) bool {
	return ex != nil && json.Unmarshal(ex.body, v) == nil
}

// discover reads the target's reservation (its hotel and stay), and
// checks the other one opens with its own token: without that, the
// cross-token check would prove nothing.
func (s *scanner) discover(ctx context.Context) {
	s.own = s.unique("scan-")
	s.checkIn, s.checkOut = s.day(30), s.day(32)
	if len(s.t.AllowedOrigins) == 0 {
		s.report(ruleBaseline, "", "", 0, "no allowed origin given: the CORS grant goes unchecked")
	}
	var got struct {
		Reservation struct {
			Hotel    string `json:"hotel"`
			CheckIn  string `json:"check_in"`
			CheckOut string `json:"check_out"`
		} `json:"reservation"`
	}
	ex := s.send(ctx, s.build(route(keyGet), variant{}))
	if ex != nil && ex.status == http.StatusOK && decode(ex, &got) && got.Reservation.Hotel != "" {
		s.hotel, s.checkIn, s.checkOut = got.Reservation.Hotel, got.Reservation.CheckIn, got.Reservation.CheckOut
	} else {
		if ex != nil {
			s.flag(ex, ruleBaseline, "the target reservation does not open with its token (%d)", ex.status)
		}
		var hotels struct {
			Hotels []struct {
				Slug string `json:"slug"`
			} `json:"hotels"`
		}
		if ex := s.send(ctx, s.build(route(keyHotels), variant{})); decode(ex, &hotels) && len(hotels.Hotels) > 0 {
			s.hotel = hotels.Hotels[0].Slug
		}
	}
	other := s.t.Other
	if ex := s.send(ctx, s.build(route(keyGet), variant{ref: &other})); ex != nil && ex.status != http.StatusOK {
		s.flag(ex, ruleBaseline, "the other reservation does not open with its token (%d)", ex.status)
	}
}

// baseline makes one real request of every route, from an allowed
// origin: each must succeed and be granted to the origin. The scan's
// own hotel comes first, so that it can book and confirm its own hold;
// the hold is cancelled last (finish).
func (s *scanner) baseline(ctx context.Context) {
	first := []string{
		"POST /v1/admin/hotels", "POST /v1/admin/hotels/{slug}/room-types", "POST /v1/admin/hotels/{slug}/rate-plans",
		"PUT /v1/admin/hotels/{slug}/inventory", "PUT /v1/admin/hotels/{slug}/rates", keyBook, keyMakeKey,
	}
	for _, key := range first {
		ex := s.real(ctx, key)
		if key == keyMakeKey {
			s.madeKey(ex)
			continue
		}
		if key != keyBook {
			continue
		}
		var made struct {
			Reservation struct {
				Reference string `json:"reference"`
			} `json:"reservation"`
			AccessToken string `json:"access_token"`
		}
		if decode(ex, &made) && ex.status == http.StatusCreated {
			s.booking = Reservation{made.Reservation.Reference, made.AccessToken}
			// Shown once, at its creation: any later response holding
			// it leaks it, and no finding shows it.
			if len(made.AccessToken) >= 8 {
				s.secrets[made.AccessToken] = "<scan's booking token>"
			}
		}
	}
	for _, r := range s.usable() {
		if slices.Contains(first, r.Key()) || r.Key() == keyCancel || r.Key() == keyManageCancel || deskRoute(r.Key()) {
			continue
		}
		s.real(ctx, r.Key())
	}
}

// keyMakeKey makes the API key the scan lists and revokes.
const keyMakeKey = "POST /v1/admin/api-keys"

// madeKey learns the id of the key the scan made, and its secret, which
// no later response may show (the key list in particular).
func (s *scanner) madeKey(ex *exchange) {
	var made struct {
		Key struct {
			ID int64 `json:"id"`
		} `json:"api_key"`
		Secret string `json:"secret"`
	}
	if decode(ex, &made) && ex.status == http.StatusCreated && made.Key.ID > 0 {
		s.keyID = strconv.FormatInt(made.Key.ID, 10)
		if len(made.Secret) >= 8 {
			s.secrets[made.Secret] = "<scan's new API key>"
		}
	}
}

// usable is every route but $default whose real request can be made:
// a route on the scan's own booking needs the booking (whose failure
// was reported).
func (s *scanner) usable() []topology.Route {
	var out []topology.Route
	for _, r := range routes() {
		if samples[r.Key()].ref == own && slices.Contains(pathParams(r), "reference") && s.booking.Reference == "" {
			continue
		}
		out = append(out, r)
	}
	return out
}

// real sends the real request of a route from the first allowed origin
// and checks it succeeds and, on a route of the API function, that the
// origin is granted.
func (s *scanner) real(ctx context.Context, key string) *exchange {
	r := route(key)
	sm := samples[key]
	if sm.cred != credNone && s.credential(sm.cred, s.reservationOf(sm)) == "" {
		if sm.cred != credMetrics { // the metrics token is optional
			s.report(ruleBaseline, key, "", 0, "no credential to make its real request")
		}
		return nil
	}
	var origin string
	if len(s.t.AllowedOrigins) > 0 {
		origin = s.t.AllowedOrigins[0]
	}
	ex := s.send(ctx, s.build(r, variant{origin: origin}))
	if ex == nil {
		return nil
	}
	if want := sm.ok; !slices.Contains(want, ex.status) {
		s.flag(ex, ruleBaseline, "a real request got %d, want %v: %s", ex.status, want, s.snippet(ex.body))
	}
	if origin != "" && ex.req.corsAPI && ex.header.Get("Access-Control-Allow-Origin") != origin {
		s.flag(ex, ruleCORS, "the allowed origin %q is not granted (Access-Control-Allow-Origin %s)",
			origin, shown(ex.header.Values("Access-Control-Allow-Origin")))
	}
	return ex
}

// unknownPaths: the $default route. A path no route serves is the
// API's 404 problem, with every header, whatever the method.
func (s *scanner) unknownPaths(ctx context.Context) {
	for _, rq := range []*request{
		{method: http.MethodGet, target: "/" + s.unique("scan-nowhere-")},
		{method: http.MethodGet, target: "/v1/hotels/" + url.PathEscape(s.hotel) + "/nowhere"},
		{method: http.MethodPost, target: "/v1/" + s.unique("scan-nowhere-"), body: []byte(`{}`),
			header: http.Header{"Content-Type": {"application/json"}}},
	} {
		rq.route = defaultRoute
		if ex := s.send(ctx, rq); ex != nil && ex.status != http.StatusNotFound {
			s.flag(ex, ruleNotFound, "an unknown path is answered %d, want 404", ex.status)
		}
	}
}

// wrongMethods: DELETE on every route whose path does not take it
// (PATCH, which none takes, on those that do) is a 405 problem naming
// the allowed methods on the API's routes, and a 4xx on others.
func (s *scanner) wrongMethods(ctx context.Context) {
	deletable := map[string]bool{}
	for _, r := range routes() {
		deletable[r.Path] = deletable[r.Path] || r.Method == http.MethodDelete
	}
	for _, r := range s.usable() {
		method := http.MethodDelete
		if deletable[r.Path] {
			method = http.MethodPatch
		}
		ex := s.send(ctx, s.build(r, variant{method: method}))
		switch {
		case ex == nil:
		case r.Function == httpapi.Function && ex.status != http.StatusMethodNotAllowed && ex.status != http.StatusTooManyRequests:
			s.flag(ex, ruleMethod, "%s is answered %d, want 405", method, ex.status)
		case !refused(ex.status):
			s.flag(ex, ruleMethod, "%s is answered %d, want a 4xx", method, ex.status)
		}
	}
}

// cors: ZAP 10098 beyond what every response shows. A preflight from
// the allowed origin is granted the route's method and headers; one
// from elsewhere gets nothing (the passive rule). Origins that only
// look like the allowed one get no grant either.
func (s *scanner) cors(ctx context.Context) {
	var allowed string
	if len(s.t.AllowedOrigins) > 0 {
		allowed = s.t.AllowedOrigins[0]
	}
	for _, r := range s.usable() {
		sm := samples[r.Key()]
		var want []string
		if sm.cred != credNone {
			want = append(want, "Authorization")
		}
		if sm.body != nil {
			want = append(want, "Content-Type")
		}
		if sm.idempotent {
			want = append(want, "Idempotency-Key")
		}
		for _, origin := range []string{allowed, foreignOrigin} {
			if origin == "" {
				continue
			}
			rq := s.build(r, variant{method: http.MethodOptions, origin: origin, authSet: true, bodySet: true})
			rq.header.Del("Content-Type")
			rq.header.Del("Idempotency-Key")
			rq.header.Set("Access-Control-Request-Method", r.Method)
			if len(want) > 0 {
				rq.header.Set("Access-Control-Request-Headers", strings.ToLower(strings.Join(want, ", ")))
			}
			ex := s.send(ctx, rq)
			if ex == nil || origin != allowed || !rq.corsAPI || ex.status == http.StatusTooManyRequests {
				continue
			}
			switch {
			case ex.status < 200 || ex.status > 299:
				s.flag(ex, ruleCORS, "a preflight from the allowed origin is answered %d", ex.status)
			case ex.header.Get("Access-Control-Allow-Origin") != origin:
				s.flag(ex, ruleCORS, "a preflight from the allowed origin %q is not granted (Access-Control-Allow-Origin %s)",
					origin, shown(ex.header.Values("Access-Control-Allow-Origin")))
			case !headerHas(ex.header, "Access-Control-Allow-Methods", r.Method):
				s.flag(ex, ruleCORS, "the preflight does not allow %s (Access-Control-Allow-Methods %s)",
					r.Method, shown(ex.header.Values("Access-Control-Allow-Methods")))
			}
			for _, h := range want {
				if ex.status >= 200 && ex.status <= 299 && !headerHas(ex.header, "Access-Control-Allow-Headers", h) {
					s.flag(ex, ruleCORS, "the preflight does not allow the %s header (Access-Control-Allow-Headers %s)",
						h, shown(ex.header.Values("Access-Control-Allow-Headers")))
				}
			}
		}
	}
	if allowed == "" {
		return
	}
	// Lookalikes: a suffix, a prefix, the other scheme, and "null"
	// (sandboxed frames, file: pages).
	u, err := url.Parse(allowed)
	if err != nil {
		return
	}
	other := "http"
	if u.Scheme == "http" {
		other = "https"
	}
	lookalikes := []string{
		"null",
		allowed + ".scan.invalid",
		u.Scheme + "://scan" + u.Host,
		other + "://" + u.Host,
	}
	a := s.t.Reservation
	for _, origin := range lookalikes {
		s.send(ctx, s.build(route(keyHotels), variant{origin: origin}))
		s.send(ctx, s.build(route(keyGet), variant{origin: origin, ref: &a}))
		rq := s.build(route(keyGet), variant{method: http.MethodOptions, origin: origin, authSet: true})
		rq.header.Set("Access-Control-Request-Method", http.MethodGet)
		rq.header.Set("Access-Control-Request-Headers", "authorization")
		s.send(ctx, rq)
	}
}

// bodies: a body over the API's limit is a 413 problem; a body the API
// cannot read, or that a cross-site form could send without a
// preflight, is a 415 problem. A malformed one is a 400 (its problem
// is checked like any).
func (s *scanner) bodies(ctx context.Context) {
	pad := `{"pad":"` + strings.Repeat("a", httpapi.MaxBody) + `"}`
	for _, r := range s.usable() {
		if r.Method != http.MethodPost && r.Method != http.MethodPut {
			continue
		}
		ex := s.send(ctx, s.build(r, variant{body: []byte(pad), bodySet: true}))
		if ex != nil && ex.status != http.StatusRequestEntityTooLarge && ex.status != http.StatusTooManyRequests {
			s.flag(ex, ruleBodyLimit, "a %d-byte body (the limit is %d) is answered %d, want 413", len(pad), httpapi.MaxBody, ex.status)
		}
		body := []byte(`{}`)
		if sm := samples[r.Key()]; sm.body != nil {
			body = sm.body(s)
		}
		for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin1", "application/xml"} {
			ex := s.send(ctx, s.build(r, variant{body: body, bodySet: true, contentType: ct}))
			if ex != nil && ex.status != http.StatusUnsupportedMediaType && ex.status != http.StatusTooManyRequests {
				s.flag(ex, ruleMediaType, "a body sent as %s is answered %d, want 415", ct, ex.status)
			}
		}
	}
	s.send(ctx, s.build(route(keyBook), variant{body: []byte(`{"hotel":`), bodySet: true}))
}

// hostile is a value made to escape a parameter.
type hostile struct {
	rule  rule
	label string
	// path and query are the value as sent in a path segment and as a
	// query value; with suffix, appended to the real value.
	path, query string
	suffix      bool
}

var hostiles = []hostile{
	{rulePathTraversal, "../../etc/passwd", "../../etc/passwd", "../../etc/passwd", false},
	{rulePathTraversal, "..%2f..%2fetc%2fpasswd", "..%2f..%2fetc%2fpasswd", "..%2f..%2fetc%2fpasswd", false},
	{rulePathTraversal, "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", false},
	{rulePathTraversal, "%2e%2e/%2e%2e/etc/passwd", "%2e%2e/%2e%2e/etc/passwd", "%2e%2e/%2e%2e/etc/passwd", false},
	{rulePathTraversal, "..%252f..%252fetc%252fpasswd", "..%252f..%252fetc%252fpasswd", "..%252f..%252fetc%252fpasswd", false},
	{rulePathTraversal, `..\..\windows\win.ini`, "..%5c..%5cwindows%5cwin.ini", "..%5c..%5cwindows%5cwin.ini", false},
	{ruleSQLInjection, "' OR 1=1 --", "%27%20OR%201=1%20--", "%27+OR+1%3D1+--", false},
	{ruleSQLInjection, `"; DROP TABLE reservations; --`, "%22%3B%20DROP%20TABLE%20reservations%3B%20--", "%22%3B+DROP+TABLE+reservations%3B+--", false},
	{ruleSQLInjection, "' UNION SELECT NULL --", "%27%20UNION%20SELECT%20NULL%20--", "%27+UNION+SELECT+NULL+--", false},
	{ruleSQLInjection, "<real>'", "%27", "%27", true},
	{ruleParameterTampering, "%00", "%00", "%00", false},
	{ruleParameterTampering, "<real>%00", "%00", "%00", true},
}

// hostileValues: ZAP 6, 40018, 40008 in every path and query parameter
// of every route, with the credentials that reach its handler. Each is
// a 4xx problem: never a server error, a redirect, or a success.
func (s *scanner) hostileValues(ctx context.Context) {
	for _, r := range s.usable() {
		real := s.build(r, variant{})
		for _, name := range pathParams(r) {
			value := s.hotel
			switch {
			case name == "reference":
				value = s.reservationOf(samples[r.Key()]).Reference
			case name == "id":
				value = s.keyID
			case name == "code":
				value = ownCode(r)
			case name == "number":
				value = scanInvoiceNumber
			case samples[r.Key()].slug == own:
				value = s.own
			}
			for _, h := range hostiles {
				wire := h.path
				if h.suffix {
					wire = url.PathEscape(value) + h.path
				}
				ex := s.send(ctx, s.build(r, variant{pathParam: name, pathValue: wire}))
				s.judgeHostile(ex, h, "{"+name+"}")
			}
		}
		var realQuery url.Values
		if u, err := url.Parse(real.target); err == nil {
			realQuery = u.Query()
		}
		for _, name := range queryParams(s, r.Key()) {
			value := realQuery.Get(name)
			for _, h := range hostiles {
				wire := h.query
				if h.suffix {
					wire = url.QueryEscape(value) + h.query
				}
				ex := s.send(ctx, s.build(r, variant{queryParam: name, queryValue: wire}))
				s.judgeHostile(ex, h, name+"=")
			}
		}
	}
}

func (s *scanner) judgeHostile(ex *exchange, h hostile, where string) {
	switch {
	case ex == nil, refused(ex.status):
	case ex.status >= 300 && ex.status < 400:
		s.flag(ex, h.rule, "%s in %s is redirected (%d to %q), want a 4xx problem", h.label, where, ex.status, ex.header.Get("Location"))
	default:
		s.flag(ex, h.rule, "%s in %s is answered %d, want a 4xx problem", h.label, where, ex.status)
	}
}

// ghost is a reference of the right shape that names no booking: the
// target's, rotated (so its characters are of the alphabet).
func (s *scanner) ghost() string {
	code := strings.TrimPrefix(s.t.Reservation.Reference, "INK-")
	for k := 1; k < len(code); k++ {
		ref := "INK-" + code[k:] + code[:k]
		if ref != s.t.Reservation.Reference && ref != s.t.Other.Reference {
			return ref
		}
	}
	return "INK-000000"
}

// crossTokens: ZAP 10102. Another booking's token opens nothing: a 404,
// and the very 404 a booking that does not exist gets, so that a token
// cannot tell which references exist.
func (s *scanner) crossTokens(ctx context.Context) {
	a, b := s.t.Reservation, s.t.Other
	if a.Reference == "" || b.Token == "" {
		s.report(ruleBaseline, keyGet, "", 0, "no second reservation: the cross-token check is skipped")
		return
	}
	ghost := Reservation{s.ghost(), b.Token}
	crossed := Reservation{a.Reference, b.Token}
	for _, key := range []string{keyGet, keyQuote, keyCancel, keyConfirm} {
		r := route(key)
		ex := s.send(ctx, s.build(r, variant{ref: &crossed}))
		if ex == nil || ex.status == http.StatusTooManyRequests {
			continue
		}
		switch {
		case ex.status == http.StatusNotFound:
		case ex.status == http.StatusForbidden:
			s.flag(ex, ruleAuthorization, "another reservation's token is answered 403, which tells the booking exists; want 404")
			continue
		case ex.status >= 200 && ex.status < 300:
			s.flag(ex, ruleAuthorization, "another reservation's token is accepted (%d)", ex.status)
			continue
		default:
			s.flag(ex, ruleAuthorization, "another reservation's token is answered %d, want 404", ex.status)
			continue
		}
		gx := s.send(ctx, s.build(r, variant{ref: &ghost}))
		if gx == nil {
			continue
		}
		if got, want := s.sameness(ex, a.Reference), s.sameness(gx, ghost.Reference); gx.status != ex.status || got != want {
			s.flag(ex, ruleAuthorization, "the refusal differs from a booking that does not exist (%d %s, not %d %s): it tells the booking exists",
				ex.status, got, gx.status, want)
		}
	}
}

// sameness is what of a refusal must not depend on the booking: its
// problem's type, title and detail, the reference masked.
func (s *scanner) sameness(ex *exchange, ref string) string {
	var p struct{ Type, Title, Detail string }
	_ = json.Unmarshal(ex.body, &p)
	return strconv.Quote(strings.ReplaceAll(p.Type+" | "+p.Title+" | "+p.Detail, ref, "<reference>"))
}

// roles: ZAP 10101 and 10102 on every route behind a credential. No
// key, a made-up key or another scheme is a 401; a real key of the
// wrong role is a 403. A guest route opens for no missing or made-up
// token: the 404 of a booking that is not there.
func (s *scanner) roles(ctx context.Context) {
	made := "Bearer ink_admin_" + s.unique("scan")
	names := map[credential]string{credStaff: "a staff key", credFinance: "a finance key", credAdmin: "an admin key"}
	for _, r := range s.usable() {
		sm := samples[r.Key()]
		if sm.cred == credNone {
			continue
		}
		if sm.cred == credGuest {
			for _, a := range []string{"", "Bearer rat_" + s.unique("scan")} {
				ex := s.send(ctx, s.build(r, variant{auth: a, authSet: true}))
				switch {
				case ex == nil:
				case !refused(ex.status):
					s.flag(ex, ruleAuthentication, "%s is answered %d", guestAttempt(a), ex.status)
				case a != "" && ex.status != http.StatusNotFound && ex.status != http.StatusTooManyRequests:
					s.flag(ex, ruleAuthentication, "%s is answered %d, want 404", guestAttempt(a), ex.status)
				}
			}
			continue
		}
		// Without the metrics token the scan cannot tell whether the
		// deployment has one (without, GET /metrics is a 404): any
		// refusal will do.
		lenient := sm.cred == credMetrics && s.t.MetricsToken == ""
		judge := func(ex *exchange, want int, r rule, what string) {
			switch {
			case ex == nil, ex.status == want, ex.status == http.StatusTooManyRequests, lenient && refused(ex.status):
			default:
				s.flag(ex, r, "%s is answered %d, want %d", what, ex.status, want)
			}
		}
		for _, a := range []string{"", made, "Basic c2NhbjpzY2Fu"} {
			what := "no credential"
			if a != "" {
				what = strings.Fields(a)[0] + " with a made-up secret"
			}
			judge(s.send(ctx, s.build(r, variant{auth: a, authSet: true})), http.StatusUnauthorized, ruleAuthentication, what)
		}
		wrong := map[credential][]credential{
			credAdmin:   {credStaff, credFinance},
			credStaff:   {credFinance},
			credFinance: {credStaff},
			credMetrics: {credAdmin},
		}[sm.cred]
		for _, c := range wrong {
			if c == credFinance && s.t.FinanceKey == "" {
				continue
			}
			want, rl := http.StatusForbidden, ruleAuthorization
			if sm.cred == credMetrics {
				// The metrics token is a credential of its own: a key
				// is no more than a made-up token there.
				want, rl = http.StatusUnauthorized, ruleAuthentication
			}
			judge(s.send(ctx, s.build(r, variant{auth: s.credential(c, Reservation{}), authSet: true})), want, rl, names[c])
		}
	}
}

func guestAttempt(authorization string) string {
	if authorization == "" {
		return "no token"
	}
	return "a made-up token"
}

// manage is a request of the manage link with the given query.
func (s *scanner) manage(ref string, expires int64, signature string) *request {
	rq := s.build(route(keyManage), variant{ref: &Reservation{Reference: ref}})
	path, _, _ := strings.Cut(rq.target, "?")
	rq.target = path + "?expires=" + strconv.FormatInt(expires, 10) + "&signature=" + url.QueryEscape(signature)
	return rq
}

// links: the signed links of the emails (GET …/manage). An expired,
// forged, stretched or another booking's link is refused with a
// problem; during a rotation, a link signed with APP_KEY_NEXT opens.
func (s *scanner) links(ctx context.Context) {
	a, b := s.t.Reservation.Reference, s.t.Other.Reference
	if a == "" || s.t.AppKey == "" {
		s.report(ruleBaseline, keyManage, "", 0, "no reservation or APP_KEY: the link checks are skipped")
		return
	}
	now := s.now()
	soon, past := now.Add(time.Hour).Unix(), now.Add(-time.Hour).Unix()
	bad := []struct {
		what      string
		rule      rule
		expires   int64
		signature string
	}{
		{"a link that expired an hour ago", ruleAuthentication, past, auth.SignLink(s.t.AppKey, a, time.Unix(past, 0))},
		{"a link signed with another key", ruleAuthentication, soon, auth.SignLink("scan-not-the-app-key-"+s.run+"-0000000000", a, time.Unix(soon, 0))},
		{"a link whose expiry was moved a day on", ruleAuthentication, soon + 86400, auth.SignLink(s.t.AppKey, a, time.Unix(soon, 0))},
	}
	if b != "" {
		bad = append(bad, struct {
			what      string
			rule      rule
			expires   int64
			signature string
		}{"another booking's link", ruleAuthorization, soon, auth.SignLink(s.t.AppKey, b, time.Unix(soon, 0))})
	}
	for _, l := range bad {
		if ex := s.send(ctx, s.manage(a, l.expires, l.signature)); ex != nil && !refused(ex.status) {
			s.flag(ex, l.rule, "%s is answered %d, want a 4xx problem", l.what, ex.status)
		}
	}
	if s.t.AppKeyNext == "" {
		return
	}
	ex := s.send(ctx, s.manage(a, soon, auth.SignLink(s.t.AppKeyNext, a, time.Unix(soon, 0))))
	switch {
	case ex == nil:
	case ex.status != http.StatusOK:
		s.flag(ex, ruleKeyRotation, "a link signed with APP_KEY_NEXT is answered %d, want 200", ex.status)
	case !strings.Contains(string(ex.body), a):
		s.flag(ex, ruleKeyRotation, "a link signed with APP_KEY_NEXT opens something else: %s", s.snippet(ex.body))
	}
}

// health: /health without credentials is its status and version, and
// nothing more.
func (s *scanner) health(ctx context.Context) {
	ex := s.send(ctx, s.build(route("GET /health"), variant{authSet: true}))
	if ex == nil {
		return
	}
	var body map[string]json.RawMessage
	if !decode(ex, &body) {
		s.flag(ex, ruleHealthDetail, "the answer without credentials is not a JSON object: %s", s.snippet(ex.body))
		return
	}
	var extra []string
	for k := range body {
		if k != "status" && k != "version" {
			extra = append(extra, k)
		}
	}
	slices.Sort(extra)
	if len(extra) > 0 || body["status"] == nil {
		s.flag(ex, ruleHealthDetail, "without credentials it shows %s: %s", strings.Join(extra, ", "), s.snippet(ex.body))
	}
}

// finish cancels the scan's own booking: the cancel route's real
// request, made last but for the signed link's cancel, which finds it
// cancelled, and the front desk's actions on the cancelled booking, which
// must change nothing.
func (s *scanner) finish(ctx context.Context) {
	if s.booking.Reference == "" {
		return
	}
	s.real(ctx, keyCancel)
	s.real(ctx, keyManageCancel)
	for _, r := range s.usable() {
		if deskRoute(r.Key()) {
			s.real(ctx, r.Key())
		}
	}
}

// mustSee are the statuses whose responses the header rules must have
// covered.
var mustSee = []int{400, 401, 403, 404, 405, 413, 415, 422}

// coverage reports a status the scan never saw: the rules on errors
// went unchecked for it, and the scan's own requests are wrong.
func (s *scanner) coverage() {
	for _, st := range mustSee {
		if !s.statuses[st] {
			s.report(ruleCoverage, "", "", 0, "no %d %s was seen, so the rules went unchecked on it", st, http.StatusText(st))
		}
	}
}
