package seed

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"innkeeper/shared/booking"
	"innkeeper/shared/httpapi"
)

// Admin is the admin API of a stage, as catalog.Admin: the routes of
// shared/topology under /v1/admin/hotels.
type Admin struct {
	// URL is the API's base, e.g. https://….execute-api….amazonaws.com.
	URL string
	// Key is an API key with the staff or admin role.
	Key    string
	Client *http.Client
	// Retries of a request answered 429 or 503, after its Retry-After.
	Retries int
	// MaxWait caps one Retry-After.
	MaxWait time.Duration
}

// apiError is an answer other than the one expected, with the API's
// problem.
type apiError struct {
	method, path string
	status       int
	problem      httpapi.Problem
	body         string
}

func (e *apiError) Error() string {
	msg := e.problem.Detail
	if msg == "" {
		msg = e.body
	}
	for _, f := range slices.Sorted(maps.Keys(e.problem.Errors)) {
		msg += fmt.Sprintf(" %s: %s;", f, e.problem.Errors[f])
	}
	return fmt.Sprintf("%s %s: %d %s", e.method, e.path, e.status, strings.TrimSpace(msg))
}

// Unwrap makes a 409 a booking.ErrConflict: the entity exists, or units
// are sold beyond the count.
func (e *apiError) Unwrap() error {
	if e.status == http.StatusConflict {
		return booking.ErrConflict
	}
	return nil
}

// send sends body to path and wants status; 429 and 503 are retried
// after their Retry-After, at most a.Retries times.
func (a Admin) send(ctx context.Context, method, path string, body any, want int) error {
	raw, err := json.Marshal(body)
	if err != nil {
		return err
	}
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(a.URL, "/")+path, bytes.NewReader(raw))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Authorization", "Bearer "+a.Key)
		req.Header.Set("User-Agent", "innkeeper-seed")
		resp, err := a.Client.Do(req)
		if err != nil {
			return fmt.Errorf("%s %s: %w", method, path, err)
		}
		text, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		if resp.StatusCode == want {
			return nil
		}
		if (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) && attempt < a.Retries {
			wait := time.Second
			if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
				wait = time.Duration(s) * time.Second
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(min(wait, a.MaxWait)):
			}
			continue
		}
		e := &apiError{method: method, path: path, status: resp.StatusCode, body: string(text)}
		_ = json.Unmarshal(text, &e.problem)
		return e
	}
}

func hotelPath(slug string) string { return "/v1/admin/hotels/" + url.PathEscape(slug) }

// CreateHotel is POST /v1/admin/hotels.
func (a Admin) CreateHotel(ctx context.Context, h booking.Hotel) error {
	body := map[string]any{
		"slug": h.Slug, "name": h.Name, "city": h.City, "country": h.Country,
		"timezone": h.Timezone, "currency": h.Currency, "check_in_time": h.CheckInTime,
	}
	// The legal entity only where the file names it: the stage derives
	// the invoice prefix itself when none is given.
	for field, v := range map[string]string{"legal_name": h.LegalName, "legal_address": h.LegalAddress,
		"tax_id": h.TaxID, "invoice_prefix": h.InvoicePrefix} {
		if v != "" {
			body[field] = v
		}
	}
	return a.send(ctx, http.MethodPost, "/v1/admin/hotels", body, http.StatusCreated)
}

// CreateRoomType is POST /v1/admin/hotels/{slug}/room-types.
func (a Admin) CreateRoomType(ctx context.Context, slug string, rt booking.RoomType) error {
	return a.send(ctx, http.MethodPost, hotelPath(slug)+"/room-types", map[string]any{
		"code": rt.Code, "name": rt.Name, "max_adults": rt.MaxAdults, "max_children": rt.MaxChildren,
	}, http.StatusCreated)
}

// CreateRatePlan is POST /v1/admin/hotels/{slug}/rate-plans.
func (a Admin) CreateRatePlan(ctx context.Context, slug string, p booking.RatePlan) error {
	body := map[string]any{
		"room_type": p.RoomTypeCode, "code": p.Code, "name": p.Name, "refundable": p.Refundable,
		"free_cancellation_hours": p.FreeCancellationHours, "penalty_percent": p.PenaltyPercent,
	}
	// Occupancy pricing only when the file has some, so a catalogue
	// without it still seeds a stage whose API predates the fields.
	if o := p.Occupancy; o.BaseOccupancy != 0 || o.ExtraAdultCents != 0 || len(o.ExtraChildCents) > 0 || o.SingleOccupancyDiscountCents != 0 {
		body["base_occupancy"], body["extra_adult_cents"] = o.BaseOccupancy, o.ExtraAdultCents
		body["extra_child_cents"], body["single_occupancy_discount_cents"] = o.ChildCents(), o.SingleOccupancyDiscountCents
	}
	// The payment policy likewise only when the file names one.
	if p.Payment.Policy != "" {
		body["payment_policy"] = p.Payment.Policy
		if p.Payment.DepositPercent != 0 {
			body["deposit_percent"] = p.Payment.DepositPercent
		}
	}
	return a.send(ctx, http.MethodPost, hotelPath(slug)+"/rate-plans", body, http.StatusCreated)
}

// SetAgeBands is PUT /v1/admin/hotels/{slug}/age-bands.
func (a Admin) SetAgeBands(ctx context.Context, slug string, bands booking.AgeBands) error {
	if bands == nil {
		bands = booking.AgeBands{}
	}
	return a.send(ctx, http.MethodPut, hotelPath(slug)+"/age-bands", map[string]any{"child_age_bands": bands}, http.StatusOK)
}

// SetInventory is PUT /v1/admin/hotels/{slug}/inventory.
func (a Admin) SetInventory(ctx context.Context, slug, roomType string, r booking.DateRange, units int) error {
	return a.send(ctx, http.MethodPut, hotelPath(slug)+"/inventory", map[string]any{
		"room_type": roomType, "from": r.From.String(), "to": r.To.String(), "units": units,
	}, http.StatusOK)
}

// SetRates is PUT /v1/admin/hotels/{slug}/rates.
func (a Admin) SetRates(ctx context.Context, slug, ratePlan string, r booking.DateRange, amountCents int64) error {
	return a.send(ctx, http.MethodPut, hotelPath(slug)+"/rates", map[string]any{
		"rate_plan": ratePlan, "from": r.From.String(), "to": r.To.String(), "amount_cents": amountCents,
	}, http.StatusOK)
}

// SetTaxes is PUT /v1/admin/hotels/{slug}/taxes, the hotel's whole
// list (an admin key).
func (a Admin) SetTaxes(ctx context.Context, slug string, taxes []booking.Tax) error {
	list := make([]map[string]any, len(taxes))
	for i, t := range taxes {
		m := map[string]any{"code": t.Code, "name": t.Name, "kind": t.Kind, "vat": t.VAT,
			"included": t.Included, "pay_at_hotel": t.PayAtHotel, "exempt_under_age": t.ExemptUnderAge, "max_nights": t.MaxNights}
		if t.Percent != "" {
			m["percent"] = t.Percent
		}
		if t.AmountCents != 0 {
			m["amount_cents"] = t.AmountCents
		}
		if !t.ValidFrom.IsZero() {
			m["valid_from"] = t.ValidFrom.String()
		}
		if !t.ValidTo.IsZero() {
			m["valid_to"] = t.ValidTo.String()
		}
		list[i] = m
	}
	return a.send(ctx, http.MethodPut, hotelPath(slug)+"/taxes", map[string]any{"taxes": list}, http.StatusOK)
}

// hotelDetail is the API's hotel detail (shared/httpapi/views.go).
type hotelDetail struct {
	Slug, Name, City, Country, Timezone, Currency string
	CheckInTime                                   string `json:"check_in_time"`
	RoomTypes                                     []struct {
		Code, Name  string
		MaxAdults   int `json:"max_adults"`
		MaxChildren int `json:"max_children"`
	} `json:"room_types"`
	RatePlans []struct {
		Code, Name            string
		RoomType              string `json:"room_type"`
		Refundable            bool
		FreeCancellationHours int    `json:"free_cancellation_hours"`
		PenaltyPercent        int    `json:"penalty_percent"`
		PaymentPolicy         string `json:"payment_policy"`
		DepositPercent        int    `json:"deposit_percent"`
		booking.Occupancy
	} `json:"rate_plans"`
	ChildAgeBands booking.AgeBands `json:"child_age_bands"`
	// The legal entity, as the public detail shows it once set.
	LegalName    string `json:"legal_name"`
	LegalAddress string `json:"legal_address"`
	TaxID        string `json:"tax_id"`
}

// Hotel is GET /v1/hotels/{slug}, the public detail of a hotel.
func (a Admin) Hotel(ctx context.Context, slug string) (booking.HotelDetail, error) {
	var h booking.HotelDetail
	path := "/v1/hotels/" + url.PathEscape(slug)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(a.URL, "/")+path, nil)
	if err != nil {
		return h, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "innkeeper-seed")
	resp, err := a.Client.Do(req)
	if err != nil {
		return h, fmt.Errorf("GET %s: %w", path, err)
	}
	defer resp.Body.Close()
	text, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if resp.StatusCode != http.StatusOK {
		e := &apiError{method: http.MethodGet, path: path, status: resp.StatusCode, body: string(text)}
		_ = json.Unmarshal(text, &e.problem)
		return h, e
	}
	var env struct {
		Hotel hotelDetail `json:"hotel"`
	}
	if err := json.Unmarshal(text, &env); err != nil {
		return h, fmt.Errorf("GET %s: %w", path, err)
	}
	v := env.Hotel
	h.Hotel = booking.Hotel{Slug: v.Slug, Name: v.Name, City: v.City, Country: v.Country, Timezone: v.Timezone,
		Currency: v.Currency, CheckInTime: v.CheckInTime, LegalName: v.LegalName, LegalAddress: v.LegalAddress, TaxID: v.TaxID}
	for _, rt := range v.RoomTypes {
		h.RoomTypes = append(h.RoomTypes, booking.RoomType{Code: rt.Code, Name: rt.Name, MaxAdults: rt.MaxAdults, MaxChildren: rt.MaxChildren})
	}
	for _, p := range v.RatePlans {
		h.RatePlans = append(h.RatePlans, booking.RatePlan{Code: p.Code, Name: p.Name, RoomTypeCode: p.RoomType, Refundable: p.Refundable,
			FreeCancellationHours: p.FreeCancellationHours, PenaltyPercent: p.PenaltyPercent, Occupancy: p.Occupancy,
			Payment: booking.PaymentPolicy{Policy: p.PaymentPolicy, DepositPercent: p.DepositPercent}})
	}
	h.ChildAgeBands = v.ChildAgeBands
	return h, nil
}
