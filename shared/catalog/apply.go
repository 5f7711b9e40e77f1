package catalog

import (
	"context"
	"errors"
	"fmt"
	"time"

	"innkeeper/shared/booking"
)

// Admin is what applying a catalogue needs of a stage: the admin API's
// catalogue calls. An entity that exists already is an error wrapping
// booking.ErrConflict, as are units below those sold. The HTTP client
// of make seed (local/seed) and Direct implement it.
type Admin interface {
	CreateHotel(ctx context.Context, h booking.Hotel) error
	CreateRoomType(ctx context.Context, slug string, rt booking.RoomType) error
	CreateRatePlan(ctx context.Context, slug string, p booking.RatePlan) error
	SetInventory(ctx context.Context, slug, roomType string, r booking.DateRange, units int) error
	SetRates(ctx context.Context, slug, ratePlan string, r booking.DateRange, amountCents int64) error
	// SetAgeBands replaces the hotel's child age bands.
	SetAgeBands(ctx context.Context, slug string, bands booking.AgeBands) error
	// SetTaxes replaces the hotel's taxes and fees (an equal list
	// changes nothing).
	SetTaxes(ctx context.Context, slug string, taxes []booking.Tax) error
	// Hotel reads a hotel with its room types and rate plans.
	Hotel(ctx context.Context, slug string) (booking.HotelDetail, error)
}

// Result is what applying a catalogue did, entry by entry.
type Result struct {
	// Created and Existing name hotels, room types and rate plans, as
	// "hotel lisbon-riverside", "room type lisbon-riverside/STD".
	Created, Existing []string
	// AgeBands names the hotels whose child age bands were set.
	AgeBands []string
	// InventoryNights and RateNights are the nights set (rows written,
	// to the values they may already have had).
	InventoryNights, RateNights int
	// Taxes counts the taxes and fees of the hotels whose list was set.
	Taxes int
	// Kept are inventory ranges left as they were because more units are
	// sold than the catalogue gives.
	Kept []string
	// Differ are the fields of entities that existed whose value in the
	// stage is not the file's: left as they are, for a person to decide.
	Differ []string
}

// Apply makes what of c is missing and sets its inventory and prices
// from each hotel's today (now in its time zone) for c.Days days. It
// stops at the first error, naming the entry; what it made until then
// stays, and a second run picks up from there.
func Apply(ctx context.Context, a Admin, c Catalog, now time.Time) (Result, error) {
	var res Result
	days := c.Days
	if days == 0 {
		days = DefaultDays
	}
	exists := func(what string, err error) error {
		switch {
		case err == nil:
			res.Created = append(res.Created, what)
		case errors.Is(err, booking.ErrConflict):
			res.Existing = append(res.Existing, what)
		default:
			return fmt.Errorf("catalog: %s: %w", what, err)
		}
		return nil
	}
	for _, h := range c.Hotels {
		existed := len(res.Existing)
		bh := h.booking()
		if err := exists("hotel "+h.Slug, a.CreateHotel(ctx, bh)); err != nil {
			return res, err
		}
		if err := applyBands(ctx, a, h, &res); err != nil {
			return res, err
		}
		today := bh.Today(now)
		span := booking.DateRange{From: today, To: today.AddDays(days)}
		for _, rt := range h.RoomTypes {
			what := "room type " + h.Slug + "/" + rt.Code
			if err := exists(what, a.CreateRoomType(ctx, h.Slug, rt.booking())); err != nil {
				return res, err
			}
			for _, p := range rt.RatePlans {
				if err := exists("rate plan "+h.Slug+"/"+p.Code, a.CreateRatePlan(ctx, h.Slug, p.booking(rt.Code))); err != nil {
					return res, err
				}
			}
			err := a.SetInventory(ctx, h.Slug, rt.Code, span, rt.Units)
			switch {
			case errors.Is(err, booking.ErrConflict):
				res.Kept = append(res.Kept, fmt.Sprintf("inventory %s %s–%s: %v", what, span.From, span.To, err))
			case err != nil:
				return res, fmt.Errorf("catalog: inventory of %s: %w", what, err)
			default:
				res.InventoryNights += days
			}
			for _, m := range Months(span) {
				for _, p := range rt.RatePlans {
					cents := p.AmountCents * h.percent(int(m.From.Month())) / 100
					if err := a.SetRates(ctx, h.Slug, p.Code, m, cents); err != nil {
						return res, fmt.Errorf("catalog: rates of rate plan %s/%s %s–%s: %w", h.Slug, p.Code, m.From, m.To, err)
					}
					res.RateNights += m.From.DaysUntil(m.To)
				}
			}
		}
		if h.Taxes != nil {
			taxes, _ := h.taxes() // Validate read them
			if err := a.SetTaxes(ctx, h.Slug, taxes); err != nil {
				return res, fmt.Errorf("catalog: taxes of hotel %s: %w", h.Slug, err)
			}
			res.Taxes += len(taxes)
		}
		if len(res.Existing) > existed {
			if err := differences(ctx, a, h, &res); err != nil {
				return res, err
			}
		}
	}
	return res, nil
}

// applyBands sets the file's child age bands of h when the stage's
// hotel has none: bands staff set since are theirs to keep.
func applyBands(ctx context.Context, a Admin, h Hotel, res *Result) error {
	if len(h.ChildAgeBands) == 0 {
		return nil
	}
	got, err := a.Hotel(ctx, h.Slug)
	if err != nil {
		return fmt.Errorf("catalog: read hotel %s: %w", h.Slug, err)
	}
	if len(got.ChildAgeBands) > 0 {
		return nil
	}
	if err := a.SetAgeBands(ctx, h.Slug, h.bands()); err != nil {
		return fmt.Errorf("catalog: age bands of hotel %s: %w", h.Slug, err)
	}
	res.AgeBands = append(res.AgeBands, "hotel "+h.Slug)
	return nil
}

// differences notes what of h, as the stage has it, is not what the
// file says. A value the file leaves empty takes the API's default.
func differences(ctx context.Context, a Admin, h Hotel, res *Result) error {
	got, err := a.Hotel(ctx, h.Slug)
	if err != nil {
		return fmt.Errorf("catalog: read hotel %s: %w", h.Slug, err)
	}
	differ := func(what, field string, stage, file any) {
		if stage != file {
			res.Differ = append(res.Differ, fmt.Sprintf("%s: %s is %v in the stage, %v in the file", what, field, stage, file))
		}
	}
	want := h.booking()
	if want.CheckInTime == "" {
		want.CheckInTime = got.CheckInTime
	}
	what := "hotel " + h.Slug
	differ(what, "name", got.Name, want.Name)
	differ(what, "city", got.City, want.City)
	differ(what, "country", got.Country, want.Country)
	differ(what, "timezone", got.Timezone, want.Timezone)
	differ(what, "currency", got.Currency, want.Currency)
	differ(what, "check_in_time", got.CheckInTime, want.CheckInTime)
	// The legal entity is compared only where the file names it.
	for _, f := range []struct{ field, stage, file string }{
		{"legal_name", got.LegalName, want.LegalName}, {"legal_address", got.LegalAddress, want.LegalAddress},
		{"tax_id", got.TaxID, want.TaxID}, {"invoice_prefix", got.InvoicePrefix, want.InvoicePrefix},
	} {
		if f.file != "" {
			differ(what, f.field, f.stage, f.file)
		}
	}
	for _, rt := range h.RoomTypes {
		what := "room type " + h.Slug + "/" + rt.Code
		g, ok := got.RoomType(rt.Code)
		if !ok {
			continue
		}
		differ(what, "name", g.Name, rt.Name)
		differ(what, "max_adults", g.MaxAdults, rt.MaxAdults)
		differ(what, "max_children", g.MaxChildren, rt.MaxChildren)
		for _, p := range rt.RatePlans {
			what := "rate plan " + h.Slug + "/" + p.Code
			g, ok := got.RatePlan(p.Code)
			if !ok {
				continue
			}
			w := p.booking(rt.Code)
			if !w.Refundable && w.PenaltyPercent == 0 {
				w.PenaltyPercent = 100 // as the API takes a plan without one
			}
			differ(what, "room_type", g.RoomTypeCode, w.RoomTypeCode)
			differ(what, "name", g.Name, w.Name)
			differ(what, "refundable", g.Refundable, w.Refundable)
			differ(what, "free_cancellation_hours", g.FreeCancellationHours, w.FreeCancellationHours)
			differ(what, "penalty_percent", g.PenaltyPercent, w.PenaltyPercent)
			differ(what, "base_occupancy", g.Occupancy.BaseOccupancy, w.Occupancy.BaseOccupancy)
			differ(what, "extra_adult_cents", g.Occupancy.ExtraAdultCents, w.Occupancy.ExtraAdultCents)
			differ(what, "extra_child_cents", fmt.Sprint(g.Occupancy.ChildCents()), fmt.Sprint(w.Occupancy.ChildCents()))
			differ(what, "single_occupancy_discount_cents", g.Occupancy.SingleOccupancyDiscountCents, w.Occupancy.SingleOccupancyDiscountCents)
			// A stage whose API predates payment policies shows none.
			if g.Payment.Policy != "" {
				pol := w.Payment.Or(w.Refundable)
				differ(what, "payment_policy", g.Payment.Policy, pol.Policy)
				differ(what, "deposit_percent", g.Payment.DepositPercent, pol.DepositPercent)
			}
		}
	}
	return nil
}

// Months cuts r at the first of each month, so that each piece has one
// season.
func Months(r booking.DateRange) []booking.DateRange {
	var out []booking.DateRange
	for from := r.From; from.Before(r.To); {
		to := booking.DateOf(time.Date(from.Year(), from.Month()+1, 1, 0, 0, 0, 0, time.UTC))
		if r.To.Before(to) {
			to = r.To
		}
		out = append(out, booking.DateRange{From: from, To: to})
		from = to
	}
	return out
}

// Direct applies a catalogue through the booking service itself, as the
// admin API would: the devstack's demo data and tests use it. The audit
// trail names the system's seed (booking.ActorSeed) as the actor.
func Direct(svc *booking.Service) Admin { return direct{svc} }

var seed = booking.BySystem(booking.ActorSeed)

type direct struct{ svc *booking.Service }

func (d direct) CreateHotel(ctx context.Context, h booking.Hotel) error {
	_, err := d.svc.CreateHotel(ctx, h, seed)
	return err
}

func (d direct) CreateRoomType(ctx context.Context, slug string, rt booking.RoomType) error {
	_, err := d.svc.CreateRoomType(ctx, slug, rt, seed)
	return err
}

func (d direct) CreateRatePlan(ctx context.Context, slug string, p booking.RatePlan) error {
	_, err := d.svc.CreateRatePlan(ctx, slug, p, seed)
	return err
}

func (d direct) SetInventory(ctx context.Context, slug, roomType string, r booking.DateRange, units int) error {
	return d.svc.SetInventory(ctx, slug, roomType, r, units, seed)
}

func (d direct) Hotel(ctx context.Context, slug string) (booking.HotelDetail, error) {
	return d.svc.Hotel(ctx, slug)
}

func (d direct) SetAgeBands(ctx context.Context, slug string, bands booking.AgeBands) error {
	_, err := d.svc.SetAgeBands(ctx, slug, bands, seed)
	return err
}

func (d direct) SetTaxes(ctx context.Context, slug string, taxes []booking.Tax) error {
	_, err := d.svc.SetTaxes(ctx, slug, taxes, seed)
	return err
}

func (d direct) SetRates(ctx context.Context, slug, ratePlan string, r booking.DateRange, amountCents int64) error {
	return d.svc.SetRates(ctx, slug, ratePlan, r, amountCents, seed)
}
