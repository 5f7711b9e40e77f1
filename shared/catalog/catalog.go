// Package catalog is a hotel catalogue as a file, YAML or JSON: hotels,
// their room types and rate plans, how many units of each room type to
// sell and at what nightly price, over the coming days. make seed sends
// one to a stage through the admin API; the demo data is one
// (local/demo/catalogue.yaml).
//
// Applying a catalogue is idempotent: a hotel, room type or rate plan
// that exists is left as it is (the admin API has no catalogue edits),
// and inventory, rates and a hotel's list of taxes and fees are set, not
// added, so a second run on the same day changes nothing. A later run extends them to its own horizon.
// Units already sold beyond the catalogue's count are left as they are.
//
// Prices: a rate plan has a base nightly price in cents; a hotel's
// seasons raise or lower it by month. The price of a night in a month
// with percent p is base × p / 100, rounded down to the cent (integer
// division), the one rounding of a catalogue.
package catalog

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"innkeeper/shared/booking"
)

// DefaultDays is the horizon of inventory and rates when a catalogue
// names none.
const DefaultDays = 365

// Catalog is a catalogue file.
type Catalog struct {
	// Days of inventory and rates from each hotel's today (its time
	// zone); DefaultDays if 0.
	Days   int     `yaml:"days,omitempty" json:"days,omitempty"`
	Hotels []Hotel `yaml:"hotels" json:"hotels"`
}

// Hotel is a hotel with its room types.
type Hotel struct {
	Slug        string `yaml:"slug" json:"slug"`
	Name        string `yaml:"name" json:"name"`
	City        string `yaml:"city" json:"city"`
	Country     string `yaml:"country" json:"country"`
	Timezone    string `yaml:"timezone" json:"timezone"`
	Currency    string `yaml:"currency" json:"currency"`
	CheckInTime string `yaml:"check_in_time,omitempty" json:"check_in_time,omitempty"`
	// The legal entity invoices name as the seller, and the prefix of
	// their numbers (derived from the slug when empty).
	LegalName     string `yaml:"legal_name,omitempty" json:"legal_name,omitempty"`
	LegalAddress  string `yaml:"legal_address,omitempty" json:"legal_address,omitempty"`
	TaxID         string `yaml:"tax_id,omitempty" json:"tax_id,omitempty"`
	InvoicePrefix string `yaml:"invoice_prefix,omitempty" json:"invoice_prefix,omitempty"`
	// Seasons change the rate plans' base prices by month; a month no
	// season names is at 100 %.
	Seasons []Season `yaml:"seasons,omitempty" json:"seasons,omitempty"`
	// ChildAgeBands are the hotel's child age bands, youngest first
	// (booking.AgeBands); set when the stage's hotel has none.
	ChildAgeBands []AgeBand  `yaml:"child_age_bands,omitempty" json:"child_age_bands,omitempty"`
	RoomTypes     []RoomType `yaml:"room_types" json:"room_types"`
	// Taxes, when the file lists them, are the hotel's whole list of
	// taxes and fees, set as listed (PUT …/taxes); absent leaves the
	// stage's list as it is.
	Taxes []Tax `yaml:"taxes,omitempty" json:"taxes,omitempty"`
}

// AgeBand is one child age band, as the admin API takes it.
type AgeBand struct {
	Code   string `yaml:"code" json:"code"`
	Name   string `yaml:"name" json:"name"`
	MinAge int    `yaml:"min_age" json:"min_age"`
	MaxAge int    `yaml:"max_age" json:"max_age"`
}

// bands are the hotel's bands as the domain has them.
func (h Hotel) bands() booking.AgeBands {
	var out booking.AgeBands
	for _, b := range h.ChildAgeBands {
		out = append(out, booking.AgeBand(b))
	}
	return out
}

// Tax is one tax or fee of a hotel, as booking.Tax: percent is an exact
// decimal string ("6", "14.75"), amounts in the currency's minor units,
// dates YYYY-MM-DD with valid_to exclusive.
type Tax struct {
	Code           string `yaml:"code" json:"code"`
	Name           string `yaml:"name" json:"name"`
	Kind           string `yaml:"kind" json:"kind"`
	VAT            bool   `yaml:"vat,omitempty" json:"vat,omitempty"`
	Percent        string `yaml:"percent,omitempty" json:"percent,omitempty"`
	AmountCents    int64  `yaml:"amount_cents,omitempty" json:"amount_cents,omitempty"`
	Included       bool   `yaml:"included,omitempty" json:"included,omitempty"`
	PayAtHotel     bool   `yaml:"pay_at_hotel,omitempty" json:"pay_at_hotel,omitempty"`
	ExemptUnderAge int    `yaml:"exempt_under_age,omitempty" json:"exempt_under_age,omitempty"`
	MaxNights      int    `yaml:"max_nights,omitempty" json:"max_nights,omitempty"`
	ValidFrom      string `yaml:"valid_from,omitempty" json:"valid_from,omitempty"`
	ValidTo        string `yaml:"valid_to,omitempty" json:"valid_to,omitempty"`
}

// taxes reads the hotel's list as the domain's, and the dates that are
// not dates.
func (h Hotel) taxes() ([]booking.Tax, []string) {
	var bad []string
	date := func(i int, field, s string) booking.Date {
		if s == "" {
			return booking.Date{}
		}
		d, err := booking.ParseDate(s)
		if err != nil {
			bad = append(bad, fmt.Sprintf("taxes[%d].%s must be a date as YYYY-MM-DD", i, field))
		}
		return d
	}
	out := make([]booking.Tax, len(h.Taxes))
	for i, t := range h.Taxes {
		out[i] = booking.Tax{Code: t.Code, Name: t.Name, Kind: t.Kind, VAT: t.VAT, Percent: t.Percent,
			AmountCents: t.AmountCents, Included: t.Included, PayAtHotel: t.PayAtHotel,
			ExemptUnderAge: t.ExemptUnderAge, MaxNights: t.MaxNights,
			ValidFrom: date(i, "valid_from", t.ValidFrom), ValidTo: date(i, "valid_to", t.ValidTo)}
	}
	return out, bad
}

// Season is the percent of the base price in some months (1–12).
type Season struct {
	Months  []int `yaml:"months" json:"months"`
	Percent int64 `yaml:"percent" json:"percent"`
}

// RoomType is a room type, the units of it sold every night of the
// horizon, and its rate plans.
type RoomType struct {
	Code        string     `yaml:"code" json:"code"`
	Name        string     `yaml:"name" json:"name"`
	MaxAdults   int        `yaml:"max_adults" json:"max_adults"`
	MaxChildren int        `yaml:"max_children" json:"max_children"`
	Units       int        `yaml:"units" json:"units"`
	RatePlans   []RatePlan `yaml:"rate_plans" json:"rate_plans"`
}

// RatePlan is a rate plan with its base nightly price.
type RatePlan struct {
	Code                  string `yaml:"code" json:"code"`
	Name                  string `yaml:"name" json:"name"`
	Refundable            *bool  `yaml:"refundable" json:"refundable"`
	FreeCancellationHours int    `yaml:"free_cancellation_hours,omitempty" json:"free_cancellation_hours,omitempty"`
	PenaltyPercent        int    `yaml:"penalty_percent,omitempty" json:"penalty_percent,omitempty"`
	AmountCents           int64  `yaml:"amount_cents" json:"amount_cents"`
	// Occupancy pricing (booking.Occupancy), as the admin API names it;
	// omitted, the nightly price covers every guest.
	BaseOccupancy                int              `yaml:"base_occupancy,omitempty" json:"base_occupancy,omitempty"`
	ExtraAdultCents              int64            `yaml:"extra_adult_cents,omitempty" json:"extra_adult_cents,omitempty"`
	ExtraChildCents              map[string]int64 `yaml:"extra_child_cents,omitempty" json:"extra_child_cents,omitempty"`
	SingleOccupancyDiscountCents int64            `yaml:"single_occupancy_discount_cents,omitempty" json:"single_occupancy_discount_cents,omitempty"`
	// PaymentPolicy (guarantee, deposit or prepay) and, for deposit,
	// DepositPercent (booking.PaymentPolicy); omitted, the API's default
	// for the terms: guarantee when refundable, prepay when not.
	PaymentPolicy  string `yaml:"payment_policy,omitempty" json:"payment_policy,omitempty"`
	DepositPercent int    `yaml:"deposit_percent,omitempty" json:"deposit_percent,omitempty"`
}

// Decode reads a catalogue, YAML or JSON (JSON is YAML too), refusing
// unknown fields, and validates it. Its errors name the entry at fault:
// a line for what cannot be read, a path such as hotels[1] (nyc-midtown)
// room_types[0] (QUEEN) for what is invalid.
func Decode(r io.Reader) (Catalog, error) {
	raw, err := io.ReadAll(r)
	if err != nil {
		return Catalog{}, fmt.Errorf("catalog: read: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	var c Catalog
	if err := dec.Decode(&c); err != nil {
		if errors.Is(err, io.EOF) {
			return Catalog{}, errors.New("catalog: the file is empty")
		}
		return Catalog{}, fmt.Errorf("catalog: %w", err)
	}
	if err := c.Validate(); err != nil {
		return Catalog{}, err
	}
	return c, nil
}

// Validate checks every entry with the rules the admin API applies, and
// what the API cannot see: duplicates, seasons, units and prices.
func (c Catalog) Validate() error {
	var problems []string
	add := func(path, msg string) { problems = append(problems, path+": "+msg) }
	addErr := func(path string, err error) {
		var v *booking.ValidationError
		if errors.As(err, &v) {
			for _, f := range slices.Sorted(maps.Keys(v.Fields)) {
				add(path, f+" "+v.Fields[f])
			}
			return
		}
		add(path, err.Error())
	}
	if c.Days < 0 || c.Days > booking.MaxRangeDays {
		add("days", fmt.Sprintf("must be between 1 and %d (0: %d)", booking.MaxRangeDays, DefaultDays))
	}
	if len(c.Hotels) == 0 {
		add("hotels", "the catalogue has none")
	}
	slugs := map[string]bool{}
	for i, h := range c.Hotels {
		hp := fmt.Sprintf("hotels[%d] (%s)", i, h.Slug)
		if err := h.booking().Validate(); err != nil {
			addErr(hp, err)
		}
		if slugs[h.Slug] {
			add(hp, "slug appears twice")
		}
		if err := h.bands().Validate(); err != nil {
			addErr(hp, err)
		}
		slugs[h.Slug] = true
		seen := map[int]bool{}
		for j, s := range h.Seasons {
			sp := fmt.Sprintf("%s seasons[%d]", hp, j)
			if s.Percent < 1 || s.Percent > 1000 {
				add(sp, "percent must be between 1 and 1000")
			}
			if len(s.Months) == 0 {
				add(sp, "months are required (1–12)")
			}
			for _, m := range s.Months {
				if m < 1 || m > 12 {
					add(sp, fmt.Sprintf("month %d is not 1–12", m))
				} else if seen[m] {
					add(sp, fmt.Sprintf("month %d is in two seasons", m))
				}
				seen[m] = true
			}
		}
		if len(h.RoomTypes) == 0 {
			add(hp, "room_types: the hotel has none")
		}
		taxes, bad := h.taxes()
		for _, b := range bad {
			add(hp, b)
		}
		if err := booking.ValidateTaxes(taxes); err != nil {
			addErr(hp, err)
		}
		codes := map[string]bool{}
		for j, rt := range h.RoomTypes {
			rp := fmt.Sprintf("%s room_types[%d] (%s)", hp, j, rt.Code)
			if err := rt.booking().Validate(); err != nil {
				addErr(rp, err)
			}
			if codes[rt.Code] {
				add(rp, "code appears twice in the hotel")
			}
			codes[rt.Code] = true
			if rt.Units < 0 || rt.Units > 10000 {
				add(rp, "units must be between 0 and 10000")
			}
			for k, p := range rt.RatePlans {
				pp := fmt.Sprintf("%s rate_plans[%d] (%s)", rp, k, p.Code)
				if p.Refundable == nil {
					add(pp, "refundable is required (true or false)")
				} else if err := p.booking(rt.Code).Validate(); err != nil {
					addErr(pp, err)
				}
				if codes["plan "+p.Code] {
					add(pp, "code appears twice in the hotel")
				}
				codes["plan "+p.Code] = true
				if p.AmountCents < 0 || p.AmountCents > 100_000_000 {
					add(pp, "amount_cents must be between 0 and 100000000")
				}
				for _, s := range h.Seasons {
					if p.AmountCents*s.Percent/100 > 100_000_000 {
						add(pp, fmt.Sprintf("amount_cents at %d %% is above 100000000", s.Percent))
					}
				}
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("catalog: %s", strings.Join(problems, "; "))
	}
	return nil
}

func (h Hotel) booking() booking.Hotel {
	return booking.Hotel{Slug: h.Slug, Name: h.Name, City: h.City, Country: h.Country,
		Timezone: h.Timezone, Currency: h.Currency, CheckInTime: h.CheckInTime,
		LegalName: h.LegalName, LegalAddress: h.LegalAddress, TaxID: h.TaxID, InvoicePrefix: h.InvoicePrefix}
}

func (rt RoomType) booking() booking.RoomType {
	return booking.RoomType{Code: rt.Code, Name: rt.Name, MaxAdults: rt.MaxAdults, MaxChildren: rt.MaxChildren}
}

func (p RatePlan) booking(roomType string) booking.RatePlan {
	bp := booking.RatePlan{RoomTypeCode: roomType, Code: p.Code, Name: p.Name,
		FreeCancellationHours: p.FreeCancellationHours, PenaltyPercent: p.PenaltyPercent,
		Occupancy: booking.Occupancy{BaseOccupancy: p.BaseOccupancy, ExtraAdultCents: p.ExtraAdultCents,
			ExtraChildCents: p.ExtraChildCents, SingleOccupancyDiscountCents: p.SingleOccupancyDiscountCents},
		Payment: booking.PaymentPolicy{Policy: p.PaymentPolicy, DepositPercent: p.DepositPercent}}
	if p.Refundable != nil {
		bp.Refundable = *p.Refundable
	}
	return bp
}

// percent is the hotel's percent of the base price in month m.
func (h Hotel) percent(m int) int64 {
	for _, s := range h.Seasons {
		for _, sm := range s.Months {
			if sm == m {
				return s.Percent
			}
		}
	}
	return 100
}
