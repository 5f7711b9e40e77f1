package booking

import (
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Hotel is a property guests can book.
type Hotel struct {
	ID       int64
	Slug     string
	Name     string
	City     string
	Country  string // ISO 3166-1 alpha-2
	Timezone string // IANA name, e.g. Europe/Lisbon
	Currency string // ISO 4217, e.g. EUR
	// CheckInTime is the local time of day guests may arrive ("15:00"); the
	// free-cancellation deadline counts back from it.
	CheckInTime string
	// NightAuditTime is the local time of day ("03:00"), on the morning
	// after a business date, from which the night audit closes that date
	// (nightaudit.go).
	NightAuditTime string
	// ArchivedAt is when staff stopped selling the hotel (nil: sold). An
	// archived hotel is neither offered nor bookable; staff still see it
	// and manage its reservations.
	ArchivedAt *time.Time
	// The legal entity every invoice names as its seller: the legal
	// name (empty: the hotel's name), address and tax id (VAT number),
	// and the prefix of its invoice numbers ("LR" makes LR-2026-000001),
	// derived from the slug when not given.
	LegalName     string
	LegalAddress  string
	TaxID         string
	InvoicePrefix string
}

// Location returns the hotel's time zone.
func (h Hotel) Location() *time.Location { return Location(h.Timezone) }

// locations caches time zones: time.LoadLocation reads and parses the
// zone file on every call, which showed as a seventh of a booking's CPU.
var locations sync.Map // name → *time.Location

// Location returns the IANA time zone name, or UTC if there is none of
// that name. Zones are validated on the way in, so a bad one in the
// database is a data defect, and UTC is the least surprising fallback.
func Location(name string) *time.Location {
	if loc, ok := locations.Load(name); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	locations.Store(name, loc)
	return loc
}

// Today is the calendar date at the hotel at instant now.
func (h Hotel) Today(now time.Time) Date {
	return DateOf(now.In(h.Location()))
}

// CheckInInstant is the moment a stay starting on d begins, at the hotel.
func (h Hotel) CheckInInstant(d Date) time.Time {
	hh, mm := 15, 0
	if t, err := time.Parse("15:04", h.CheckInTime); err == nil {
		hh, mm = t.Hour(), t.Minute()
	}
	return time.Date(d.Year(), d.Month(), d.Day(), hh, mm, 0, 0, h.Location())
}

// RoomType is a kind of room a hotel sells, counted per night.
type RoomType struct {
	ID          int64
	HotelID     int64
	Code        string
	Name        string
	MaxAdults   int
	MaxChildren int
	// ArchivedAt is when staff stopped selling the room type (nil: sold).
	ArchivedAt *time.Time
}

// RatePlan is a way to sell a room type: its prices and cancellation terms.
type RatePlan struct {
	ID           int64
	HotelID      int64
	RoomTypeID   int64
	RoomTypeCode string
	Code         string
	Name         string
	Refundable   bool
	// FreeCancellationHours is how long before check-in (hotel time) a
	// refundable booking can still be cancelled for free.
	FreeCancellationHours int
	// PenaltyPercent of the total is charged when a refundable booking is
	// cancelled after the free period. Non-refundable plans charge 100%.
	PenaltyPercent int
	// Occupancy prices the guests of each room on top of the nightly
	// rate (occupancy.go); its zero value charges the rate alone.
	Occupancy Occupancy
	// Payment is how the plan takes payment (payment.go); every stored
	// plan names one (migration 0028), a new one the default for its
	// terms when it names none.
	Payment PaymentPolicy
	// ArchivedAt is when staff stopped selling the plan (nil: sold).
	ArchivedAt *time.Time
}

// HotelDetail is a hotel with everything it sells.
type HotelDetail struct {
	Hotel
	RoomTypes []RoomType
	RatePlans []RatePlan
	// ChildAgeBands are the hotel's child age bands, youngest first.
	ChildAgeBands AgeBands
	// Taxes are the hotel's taxes and fees, in the order they are priced
	// (PriceStay); a booking reads them again in its transaction.
	Taxes []Tax
}

// ValidSlug reports whether s can name a hotel in a URL.
func ValidSlug(s string) bool { return len(s) <= 64 && hyphenated(s, lowerDigits) }

// ValidCode reports whether s can be a room-type or rate-plan code.
func ValidCode(s string) bool { return len(s) <= 32 && hyphenated(s, upperDigits) }

func checkText(v *ValidationError, field, s string, max int) {
	switch {
	case strings.TrimSpace(s) == "":
		v.Add(field, "is required")
	case utf8.RuneCountInString(s) > max:
		v.Add(field, fmt.Sprintf("must be at most %d characters", max))
	case strings.ContainsAny(s, "\x00\r\n"):
		v.Add(field, "must be a single line of text")
	}
}

// Validate checks a new hotel.
func (h Hotel) Validate() error {
	v := &ValidationError{}
	if !ValidSlug(h.Slug) {
		v.Add("slug", "must be lowercase letters, digits and single hyphens, at most 64 characters")
	}
	checkText(v, "name", h.Name, 200)
	checkText(v, "city", h.City, 100)
	if !isUpper(h.Country, 2) {
		v.Add("country", "must be an ISO 3166-1 alpha-2 code such as PT")
	}
	if !isUpper(h.Currency, 3) {
		v.Add("currency", "must be an ISO 4217 code such as EUR")
	}
	if h.Timezone == "" || strings.EqualFold(h.Timezone, "local") {
		v.Add("timezone", "must be an IANA time zone such as Europe/Lisbon")
	} else if _, err := time.LoadLocation(h.Timezone); err != nil {
		v.Add("timezone", "must be an IANA time zone such as Europe/Lisbon")
	}
	if h.CheckInTime != "" && !isClock(h.CheckInTime) {
		v.Add("check_in_time", "must be a time of day as HH:MM")
	}
	if h.NightAuditTime != "" && !isClock(h.NightAuditTime) {
		v.Add("night_audit_time", "must be a time of day as HH:MM")
	}
	h.validateLegalInto(v)
	return v.Err()
}

// Validate checks a new room type.
func (r RoomType) Validate() error {
	v := &ValidationError{}
	if !ValidCode(r.Code) {
		v.Add("code", "must be uppercase letters, digits and single hyphens, at most 32 characters")
	}
	checkText(v, "name", r.Name, 200)
	if r.MaxAdults < 1 || r.MaxAdults > 20 {
		v.Add("max_adults", "must be between 1 and 20")
	}
	if r.MaxChildren < 0 || r.MaxChildren > 20 {
		v.Add("max_children", "must be between 0 and 20")
	}
	return v.Err()
}

// Validate checks a new rate plan.
func (p RatePlan) Validate() error {
	v := &ValidationError{}
	if !ValidCode(p.RoomTypeCode) {
		v.Add("room_type", "is required")
	}
	if !ValidCode(p.Code) {
		v.Add("code", "must be uppercase letters, digits and single hyphens, at most 32 characters")
	}
	checkText(v, "name", p.Name, 200)
	if p.FreeCancellationHours < 0 || p.FreeCancellationHours > 24*365 {
		v.Add("free_cancellation_hours", "must be between 0 and 8760")
	}
	if p.PenaltyPercent < 0 || p.PenaltyPercent > 100 {
		v.Add("penalty_percent", "must be between 0 and 100")
	}
	if !p.Refundable && p.FreeCancellationHours != 0 {
		v.Add("free_cancellation_hours", "must be 0 for a non-refundable plan")
	}
	p.Occupancy.validateInto(v)
	p.Payment.Or(p.Refundable).validateInto(v)
	return v.Err()
}

// validateLegalInto checks the legal entity: each field optional (an
// empty prefix is derived from the slug), single lines of bounded text,
// a tax id of letters, digits and the separators VAT numbers use.
func (h Hotel) validateLegalInto(v *ValidationError) {
	optional := func(field, s string, max int) {
		if s != "" {
			checkText(v, field, s, max)
		}
	}
	optional("legal_name", h.LegalName, 200)
	optional("legal_address", h.LegalAddress, 300)
	optional("tax_id", h.TaxID, 32)
	if h.TaxID != "" && strings.Trim(h.TaxID, upperDigits+" -./") != "" {
		v.Add("tax_id", "must be uppercase letters, digits, spaces, hyphens, dots or slashes, such as PT509999990")
	}
	if h.InvoicePrefix != "" && !ValidInvoicePrefix(h.InvoicePrefix) {
		v.Add("invoice_prefix", "must be 1 to 10 uppercase letters or digits, such as LRS")
	}
}
