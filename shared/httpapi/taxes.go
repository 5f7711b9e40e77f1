package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"

	"innkeeper/shared/booking"
)

// taxesRequest is PUT /v1/admin/hotels/{slug}/taxes: the hotel's whole
// list of taxes and fees, in the order they are priced.
type taxesRequest struct {
	Taxes *[]taxRequest `json:"taxes"`
}

// taxRequest is one tax or fee. The percent is raw JSON so that both
// "14.75" and 14.75 are read as the exact decimal they spell, never
// through a float; the dates are strings, read as YYYY-MM-DD.
type taxRequest struct {
	Code           string          `json:"code"`
	Name           string          `json:"name"`
	Kind           string          `json:"kind"`
	VAT            bool            `json:"vat"`
	Percent        json.RawMessage `json:"percent,omitempty"`
	AmountCents    int64           `json:"amount_cents"`
	Included       bool            `json:"included"`
	PayAtHotel     bool            `json:"pay_at_hotel"`
	ExemptUnderAge int             `json:"exempt_under_age"`
	MaxNights      int             `json:"max_nights"`
	ValidFrom      *string         `json:"valid_from"`
	ValidTo        *string         `json:"valid_to"`
}

// percentText is a percent given as a JSON string or number, as its
// decimal text (the domain checks it is one); null or absent is "".
func percentText(v *booking.ValidationError, field string, raw json.RawMessage) string {
	if len(raw) == 0 || bytes.Equal(raw, jsonNull) {
		return ""
	}
	var s string
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			v.Add(field, "must be a decimal string such as \"6\" or \"14.75\"")
		}
		return s
	}
	return string(raw)
}

// optionalDate reads a date that may be absent or null (no bound).
func optionalDate(v *booking.ValidationError, field string, s *string) booking.Date {
	if s == nil || *s == "" {
		return booking.Date{}
	}
	return dateField(v, field, *s)
}

// taxes reads the request's list into the domain's, naming each field
// that cannot be read as taxes[i].field.
func (req taxesRequest) taxes() ([]booking.Tax, error) {
	v := &booking.ValidationError{}
	if req.Taxes == nil {
		v.Add("taxes", "is required: the hotel's whole list, [] for none")
		return nil, v
	}
	out := make([]booking.Tax, len(*req.Taxes))
	for i, t := range *req.Taxes {
		f := func(name string) string { return fmt.Sprintf("taxes[%d].%s", i, name) }
		out[i] = booking.Tax{Code: t.Code, Name: t.Name, Kind: t.Kind, VAT: t.VAT,
			Percent: percentText(v, f("percent"), t.Percent), AmountCents: t.AmountCents,
			Included: t.Included, PayAtHotel: t.PayAtHotel, ExemptUnderAge: t.ExemptUnderAge, MaxNights: t.MaxNights,
			ValidFrom: optionalDate(v, f("valid_from"), t.ValidFrom), ValidTo: optionalDate(v, f("valid_to"), t.ValidTo)}
	}
	if err := v.Err(); err != nil {
		// The domain's problems too, so one answer lists every one.
		if derr, ok := booking.ValidateTaxes(out).(*booking.ValidationError); ok {
			for k, msg := range derr.Fields {
				v.Add(k, msg)
			}
		}
		return nil, v
	}
	return out, nil
}

type taxesView struct {
	Hotel string        `json:"hotel"`
	Taxes []booking.Tax `json:"taxes"`
}

// setTaxes replaces a hotel's taxes and fees; a bad list is a 422
// naming every bad field, and changes nothing.
func (s *Server) setTaxes(w http.ResponseWriter, r *http.Request) {
	var req taxesRequest
	if _, err := readJSON(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	taxes, err := req.taxes()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h, err := s.svc.SetTaxes(r.Context(), r.PathValue("slug"), taxes, actor(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, taxesView{Hotel: h.Slug, Taxes: viewTaxes(h.Taxes)})
}

// getTaxes lists a hotel's taxes and fees as stored.
func (s *Server) getTaxes(w http.ResponseWriter, r *http.Request) {
	if _, err := parseQuery(r); err != nil {
		s.fail(w, r, err)
		return
	}
	h, err := s.svc.Taxes(r.Context(), r.PathValue("slug"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, taxesView{Hotel: h.Slug, Taxes: viewTaxes(h.Taxes)})
}
