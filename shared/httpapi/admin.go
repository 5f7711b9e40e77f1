package httpapi

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"innkeeper/shared/auth"
	"innkeeper/shared/booking"
	"innkeeper/shared/logging"
)

// requireRole lets a request through only with a live staff key whose
// role allows it: no key or an unknown key is 401, a wrong role 403.
func (s *Server) requireRole(next http.HandlerFunc, roles ...auth.Role) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		token, ok := auth.Bearer(r.Header.Get("Authorization"))
		if !ok {
			writeProblem(w, staffUnauthorized("Send a staff API key as Authorization: Bearer <key>."))
			return
		}
		key, err := s.keyOf(r, token)
		if errors.Is(err, booking.ErrNotFound) {
			writeProblem(w, staffUnauthorized("The API key is unknown, revoked or expired."))
			return
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), keyKey{}, key))
		if !key.Role.Allows(roles...) {
			writeProblem(w, problem(http.StatusForbidden, "forbidden", "Forbidden",
				fmt.Sprintf("A %s key may not do this; it needs the %s role.", key.Role, roles[0])))
			return
		}
		next(w, r)
	}
}

// keyOf looks up the API key token and names it in the access log: by
// the public id in its text even when it is refused, so who keeps using
// a revoked key shows. booking.ErrNotFound: unknown, revoked or expired.
func (s *Server) keyOf(r *http.Request, token string) (auth.Key, error) {
	info := infoFrom(r.Context())
	if info != nil {
		info.key = auth.PublicIDOf(token)
	}
	key, err := s.keys.APIKey(r.Context(), token)
	if err == nil && info != nil {
		info.key = key.PublicID
	}
	return key, err
}

// actor is the key requireRole let through, as the audit trail names
// who made a write.
func actor(r *http.Request) booking.Audit {
	k, _ := actingKey(r.Context())
	return booking.ByKey(k, logging.RequestID(r.Context()))
}

// staffUnauthorized is the 401 of a route that needs a staff API key.
func staffUnauthorized(detail string) *Problem {
	p := problem(http.StatusUnauthorized, "unauthorized", "Unauthorized", detail)
	p.header = map[string]string{"WWW-Authenticate": `Bearer realm="innkeeper-staff"`}
	return p
}

type createHotelRequest struct {
	Slug        string `json:"slug"`
	Name        string `json:"name"`
	City        string `json:"city"`
	Country     string `json:"country"`
	Timezone    string `json:"timezone"`
	Currency    string `json:"currency"`
	CheckInTime string `json:"check_in_time"`
	// The legal entity, optional; the invoice prefix is derived from the
	// slug when not given.
	LegalName     string `json:"legal_name"`
	LegalAddress  string `json:"legal_address"`
	TaxID         string `json:"tax_id"`
	InvoicePrefix string `json:"invoice_prefix"`
}

func (s *Server) createHotel(w http.ResponseWriter, r *http.Request) {
	var req createHotelRequest
	if _, err := readJSON(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	h, err := s.svc.CreateHotel(r.Context(), booking.Hotel{
		Slug: req.Slug, Name: req.Name, City: req.City, Country: req.Country,
		Timezone: req.Timezone, Currency: req.Currency, CheckInTime: req.CheckInTime,
		LegalName: req.LegalName, LegalAddress: req.LegalAddress, TaxID: req.TaxID, InvoicePrefix: req.InvoicePrefix,
	}, actor(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/v1/hotels/"+h.Slug)
	writeJSON(w, http.StatusCreated, struct {
		Hotel createdHotelView `json:"hotel"`
	}{createdHotelView{viewHotel(h), viewLegal(h)}})
}

// createdHotelView is a new hotel with its legal entity, the invoice
// prefix derived if it was not sent.
type createdHotelView struct {
	hotelView
	legalView
}

type createRoomTypeRequest struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	MaxAdults   int    `json:"max_adults"`
	MaxChildren int    `json:"max_children"`
}

func (s *Server) createRoomType(w http.ResponseWriter, r *http.Request) {
	var req createRoomTypeRequest
	if _, err := readJSON(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	rt, err := s.svc.CreateRoomType(r.Context(), r.PathValue("slug"), booking.RoomType{
		Code: req.Code, Name: req.Name, MaxAdults: req.MaxAdults, MaxChildren: req.MaxChildren,
	}, actor(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, struct {
		RoomType roomTypeView `json:"room_type"`
	}{viewRoomType(rt)})
}

type createRatePlanRequest struct {
	RoomType              string `json:"room_type"`
	Code                  string `json:"code"`
	Name                  string `json:"name"`
	Refundable            *bool  `json:"refundable"`
	FreeCancellationHours int    `json:"free_cancellation_hours"`
	PenaltyPercent        int    `json:"penalty_percent"`
	// Occupancy pricing (booking.Occupancy); omitted prices the rate alone.
	BaseOccupancy                int              `json:"base_occupancy"`
	ExtraAdultCents              int64            `json:"extra_adult_cents"`
	ExtraChildCents              map[string]int64 `json:"extra_child_cents"`
	SingleOccupancyDiscountCents int64            `json:"single_occupancy_discount_cents"`
	// PaymentPolicy omitted is the default for the terms: guarantee when
	// refundable, prepay when not (booking.DefaultPolicy).
	PaymentPolicy  string `json:"payment_policy"`
	DepositPercent int    `json:"deposit_percent"`
}

func (s *Server) createRatePlan(w http.ResponseWriter, r *http.Request) {
	var req createRatePlanRequest
	if _, err := readJSON(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if req.Refundable == nil {
		s.fail(w, r, booking.Invalid("refundable", "is required (true or false)"))
		return
	}
	p, err := s.svc.CreateRatePlan(r.Context(), r.PathValue("slug"), booking.RatePlan{
		RoomTypeCode: req.RoomType, Code: req.Code, Name: req.Name, Refundable: *req.Refundable,
		FreeCancellationHours: req.FreeCancellationHours, PenaltyPercent: req.PenaltyPercent,
		Occupancy: booking.Occupancy{BaseOccupancy: req.BaseOccupancy, ExtraAdultCents: req.ExtraAdultCents,
			ExtraChildCents: req.ExtraChildCents, SingleOccupancyDiscountCents: req.SingleOccupancyDiscountCents},
		Payment: booking.PaymentPolicy{Policy: req.PaymentPolicy, DepositPercent: req.DepositPercent},
	}, actor(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, struct {
		RatePlan ratePlanView `json:"rate_plan"`
	}{viewRatePlan(p)})
}

func dateRange(v *booking.ValidationError, from, to string) booking.DateRange {
	return booking.DateRange{From: dateField(v, "from", from), To: dateField(v, "to", to)}
}

type inventoryRequest struct {
	RoomType string `json:"room_type"`
	From     string `json:"from"`
	To       string `json:"to"`
	Units    *int   `json:"units"`
}

func (s *Server) setInventory(w http.ResponseWriter, r *http.Request) {
	var req inventoryRequest
	if _, err := readJSON(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	v := &booking.ValidationError{}
	rng := dateRange(v, req.From, req.To)
	if req.Units == nil {
		v.Add("units", "is required")
	}
	if err := v.Err(); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.svc.SetInventory(r.Context(), r.PathValue("slug"), req.RoomType, rng, *req.Units, actor(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Inventory inventoryRequest `json:"inventory"`
		Nights    int              `json:"nights"`
	}{req, rng.From.DaysUntil(rng.To)})
}

type ratesRequest struct {
	RatePlan    string `json:"rate_plan"`
	From        string `json:"from"`
	To          string `json:"to"`
	AmountCents *int64 `json:"amount_cents"`
}

func (s *Server) setRates(w http.ResponseWriter, r *http.Request) {
	var req ratesRequest
	if _, err := readJSON(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	v := &booking.ValidationError{}
	rng := dateRange(v, req.From, req.To)
	if req.AmountCents == nil {
		v.Add("amount_cents", "is required")
	}
	if err := v.Err(); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.svc.SetRates(r.Context(), r.PathValue("slug"), req.RatePlan, rng, *req.AmountCents, actor(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Rates  ratesRequest `json:"rates"`
		Nights int          `json:"nights"`
	}{req, rng.From.DaysUntil(rng.To)})
}

// A cursor is opaque to clients: base64 of "key:id", where key is what
// the page is ordered by first (a check-in date, an instant) and id the
// row's, which breaks ties.
func opaqueCursor(key string, id int64) *string {
	s := base64.RawURLEncoding.EncodeToString([]byte(key + ":" + strconv.FormatInt(id, 10)))
	return &s
}

// openCursor is the key and id of a cursor opaqueCursor made.
func openCursor(s string) (key string, id int64, ok bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return "", 0, false
	}
	key, n, ok := strings.Cut(string(b), ":")
	id, err = strconv.ParseInt(n, 10, 64)
	if !ok || err != nil || id < 1 {
		return "", 0, false
	}
	return key, id, true
}

func encodeCursor(c *booking.Cursor) *string {
	if c == nil {
		return nil
	}
	return opaqueCursor(c.CheckIn.String(), c.ID)
}

func decodeCursor(s string) (*booking.Cursor, bool) {
	if s == "" {
		return nil, true
	}
	date, id, ok := openCursor(s)
	if !ok {
		return nil, false
	}
	d, err := booking.ParseDate(date)
	if err != nil {
		return nil, false
	}
	return &booking.Cursor{CheckIn: d, ID: id}, true
}

func (s *Server) listReservations(w http.ResponseWriter, r *http.Request) {
	q, err := parseQuery(r, "from", "to", "status", "q", "limit", "cursor")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := booking.ReservationFilter{
		From: q.date("from", false), To: q.date("to", false),
		Status: q.str("status"), Query: q.str("q"), Limit: q.integer("limit", 0),
	}
	cursor, ok := decodeCursor(q.str("cursor"))
	if !ok {
		q.v.Add("cursor", "is not a cursor this API returned")
	}
	f.After = cursor
	if err := q.err(); err != nil {
		s.fail(w, r, err)
		return
	}
	rs, next, err := s.svc.Reservations(r.Context(), r.PathValue("slug"), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := struct {
		Reservations []reservationView `json:"reservations"`
		NextCursor   *string           `json:"next_cursor"`
	}{Reservations: []reservationView{}, NextCursor: encodeCursor(next)}
	for _, res := range rs {
		out.Reservations = append(out.Reservations, viewReservation(res))
	}
	writeJSON(w, http.StatusOK, out)
}

// redriveEvents moves every message of the events dead-letter queue back
// to the queue, once whatever made them fail is fixed.
func (s *Server) redriveEvents(w http.ResponseWriter, r *http.Request) {
	if err := emptyCommand(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	if s.redrive == nil {
		writeProblem(w, problem(http.StatusNotImplemented, "no-queue", "No queue", "This API has no events queue configured."))
		return
	}
	task, err := s.redrive(r.Context())
	if err != nil {
		s.log.ErrorContext(r.Context(), "redrive failed", slog.String("error", err.Error()))
		writeProblem(w, unavailable("The queue did not accept the redrive; retry shortly."))
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"task_handle": task})
}
