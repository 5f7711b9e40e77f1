package booking

import (
	"context"
	"fmt"
	"time"

	"innkeeper/shared/auth"
)

// CatalogEdit is who changes the catalogue, for the audit trail: the
// Store records it, with the values before and after, as one audit row
// in the edit's own transaction.
type CatalogEdit struct {
	// Key is the staff API key that asked.
	Key auth.Key
	// Action names the change: hotel.update, room_type.archive, …; the
	// Service sets it.
	Action    string
	RequestID string
}

// Audit actions of catalogue edits.
const (
	ActionHotelUpdate       = "hotel.update"
	ActionHotelArchive      = "hotel.archive"
	ActionHotelUnarchive    = "hotel.unarchive"
	ActionRoomTypeUpdate    = "room_type.update"
	ActionRoomTypeArchive   = "room_type.archive"
	ActionRoomTypeUnarchive = "room_type.unarchive"
	ActionRatePlanUpdate    = "rate_plan.update"
	ActionRatePlanArchive   = "rate_plan.archive"
	ActionRatePlanUnarchive = "rate_plan.unarchive"
)

// An empty patch is refused, so that every edit changes something.
const (
	errNothingToChangeField  = "body"
	errNothingToChangeReason = "names no field to change"
)

// HotelPatch is a partial update of a hotel: a nil field keeps its value.
// The slug never changes.
type HotelPatch struct {
	Name, City, Country, Timezone, Currency, CheckInTime, NightAuditTime *string
	// The legal entity (Hotel.LegalName, …). The invoice prefix cannot
	// be emptied, and cannot change once the hotel has issued an invoice
	// (the Store refuses it): a series keeps its prefix.
	LegalName, LegalAddress, TaxID, InvoicePrefix *string
}

// RoomTypePatch is a partial update of a room type; its code never changes.
type RoomTypePatch struct {
	Name                   *string
	MaxAdults, MaxChildren *int
}

// RatePlanPatch is a partial update of a rate plan; its code and room type
// never change. New terms apply to bookings made after the edit: a
// reservation keeps the terms it was booked under.
type RatePlanPatch struct {
	Name                                  *string
	Refundable                            *bool
	FreeCancellationHours, PenaltyPercent *int
	// The plan's Occupancy, field by field; ExtraChildCents replaces the
	// whole map.
	BaseOccupancy                                 *int
	ExtraAdultCents, SingleOccupancyDiscountCents *int64
	ExtraChildCents                               *map[string]int64
	// PaymentPolicy and DepositPercent change the plan's Payment; a
	// policy other than deposit without a percent clears the percent.
	PaymentPolicy  *string
	DepositPercent *int
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// UpdateHotel applies a partial update to a hotel, under the rules of a
// new one. Its currency and time zone cannot change once it has
// reservations: their prices and deadlines were set in them.
func (s *Service) UpdateHotel(ctx context.Context, slug string, p HotelPatch, e CatalogEdit) (Hotel, error) {
	if p == (HotelPatch{}) {
		return Hotel{}, Invalid(errNothingToChangeField, errNothingToChangeReason)
	}
	if !ValidSlug(slug) {
		return Hotel{}, ErrNotFound
	}
	e.Action = ActionHotelUpdate
	defer s.forget(ctx, slug)
	return s.store.UpdateHotel(ctx, slug, func(h Hotel, booked bool) (Hotel, error) {
		next := h
		set(&next.Name, p.Name)
		set(&next.City, p.City)
		set(&next.Country, p.Country)
		set(&next.Timezone, p.Timezone)
		set(&next.Currency, p.Currency)
		set(&next.CheckInTime, p.CheckInTime)
		set(&next.NightAuditTime, p.NightAuditTime)
		set(&next.LegalName, p.LegalName)
		set(&next.LegalAddress, p.LegalAddress)
		set(&next.TaxID, p.TaxID)
		set(&next.InvoicePrefix, p.InvoicePrefix)
		if p.InvoicePrefix != nil && *p.InvoicePrefix == "" {
			return Hotel{}, Invalid("invoice_prefix", "must be 1 to 10 uppercase letters or digits, such as LRS")
		}
		if err := next.Validate(); err != nil {
			return Hotel{}, err
		}
		if booked && next.Currency != h.Currency {
			return Hotel{}, Conflict("the hotel has reservations, so its currency cannot change")
		}
		if booked && next.Timezone != h.Timezone {
			return Hotel{}, Conflict("the hotel has reservations, so its time zone cannot change")
		}
		return next, nil
	}, e)
}

// ArchiveHotel stops (archive) or resumes selling a hotel. Its
// reservations stay as they are, and the front desk keeps managing them.
func (s *Service) ArchiveHotel(ctx context.Context, slug string, archive bool, e CatalogEdit) (Hotel, error) {
	if !ValidSlug(slug) {
		return Hotel{}, ErrNotFound
	}
	e.Action = ActionHotelUnarchive
	if archive {
		e.Action = ActionHotelArchive
	}
	now := s.now()
	defer s.forget(ctx, slug)
	return s.store.UpdateHotel(ctx, slug, func(h Hotel, _ bool) (Hotel, error) {
		at, err := archiveAt(h.ArchivedAt, archive, now, "hotel "+h.Slug)
		h.ArchivedAt = at
		return h, err
	}, e)
}

// ErrHotelArchived returns the conflict that answers a booking at an
// archived hotel.
func ErrHotelArchived(slug string) error {
	return Conflict(fmt.Sprintf("hotel %s is archived and no longer sold", slug))
}

// UpdateRoomType applies a partial update to a room type, under the rules
// of a new one. Existing reservations keep their occupancy.
func (s *Service) UpdateRoomType(ctx context.Context, slug, code string, p RoomTypePatch, e CatalogEdit) (RoomType, error) {
	if p == (RoomTypePatch{}) {
		return RoomType{}, Invalid(errNothingToChangeField, errNothingToChangeReason)
	}
	e.Action = ActionRoomTypeUpdate
	return s.editRoomType(ctx, slug, code, e, func(rt RoomType) (RoomType, error) {
		set(&rt.Name, p.Name)
		set(&rt.MaxAdults, p.MaxAdults)
		set(&rt.MaxChildren, p.MaxChildren)
		return rt, rt.Validate()
	})
}

// ArchiveRoomType stops (archive) or resumes selling a room type and every
// rate plan of it. Its reservations are untouched.
func (s *Service) ArchiveRoomType(ctx context.Context, slug, code string, archive bool, e CatalogEdit) (RoomType, error) {
	e.Action = ActionRoomTypeUnarchive
	if archive {
		e.Action = ActionRoomTypeArchive
	}
	now := s.now()
	return s.editRoomType(ctx, slug, code, e, func(rt RoomType) (RoomType, error) {
		at, err := archiveAt(rt.ArchivedAt, archive, now, "room type "+rt.Code)
		rt.ArchivedAt = at
		return rt, err
	})
}

func (s *Service) editRoomType(ctx context.Context, slug, code string, e CatalogEdit, edit func(RoomType) (RoomType, error)) (RoomType, error) {
	if !ValidSlug(slug) || !ValidCode(code) {
		return RoomType{}, ErrNotFound
	}
	defer s.forget(ctx, slug)
	return s.store.UpdateRoomType(ctx, slug, code, edit, e)
}

// UpdateRatePlan applies a partial update to a rate plan, under the rules
// of a new one (a plan made non-refundable without a penalty charges
// 100%, as at creation).
func (s *Service) UpdateRatePlan(ctx context.Context, slug, code string, p RatePlanPatch, e CatalogEdit) (RatePlan, error) {
	if p == (RatePlanPatch{}) {
		return RatePlan{}, Invalid(errNothingToChangeField, errNothingToChangeReason)
	}
	e.Action = ActionRatePlanUpdate
	return s.editRatePlan(ctx, slug, code, e, func(rp RatePlan) (RatePlan, error) {
		set(&rp.Name, p.Name)
		set(&rp.Refundable, p.Refundable)
		set(&rp.FreeCancellationHours, p.FreeCancellationHours)
		set(&rp.PenaltyPercent, p.PenaltyPercent)
		set(&rp.Occupancy.BaseOccupancy, p.BaseOccupancy)
		set(&rp.Occupancy.ExtraAdultCents, p.ExtraAdultCents)
		set(&rp.Occupancy.SingleOccupancyDiscountCents, p.SingleOccupancyDiscountCents)
		set(&rp.Occupancy.ExtraChildCents, p.ExtraChildCents)
		if !rp.Refundable && p.PenaltyPercent == nil {
			rp.PenaltyPercent = 100
		}
		set(&rp.Payment.Policy, p.PaymentPolicy)
		set(&rp.Payment.DepositPercent, p.DepositPercent)
		if rp.Payment.Policy != PolicyDeposit && p.DepositPercent == nil {
			rp.Payment.DepositPercent = 0
		}
		return rp, rp.Validate()
	})
}

// ArchiveRatePlan stops (archive) or resumes selling a rate plan. Its
// reservations are untouched.
func (s *Service) ArchiveRatePlan(ctx context.Context, slug, code string, archive bool, e CatalogEdit) (RatePlan, error) {
	e.Action = ActionRatePlanUnarchive
	if archive {
		e.Action = ActionRatePlanArchive
	}
	now := s.now()
	return s.editRatePlan(ctx, slug, code, e, func(rp RatePlan) (RatePlan, error) {
		at, err := archiveAt(rp.ArchivedAt, archive, now, "rate plan "+rp.Code)
		rp.ArchivedAt = at
		return rp, err
	})
}

func (s *Service) editRatePlan(ctx context.Context, slug, code string, e CatalogEdit, edit func(RatePlan) (RatePlan, error)) (RatePlan, error) {
	if !ValidSlug(slug) || !ValidCode(code) {
		return RatePlan{}, ErrNotFound
	}
	defer s.forget(ctx, slug)
	return s.store.UpdateRatePlan(ctx, slug, code, edit, e)
}

// archiveAt is the archived_at an archive (or unarchive) sets; doing
// either twice is a conflict, so a second click does not write a second
// audit row.
func archiveAt(cur *time.Time, archive bool, now time.Time, what string) (*time.Time, error) {
	switch {
	case archive && cur != nil:
		return cur, Conflict(what + " is already archived")
	case !archive && cur == nil:
		return cur, Conflict(what + " is not archived")
	case archive:
		return &now, nil
	}
	return nil, nil
}

// Archived reports whether the rate plan or its room type is archived,
// and so may not be sold.
func (c Candidate) Archived() bool {
	return c.RatePlan.ArchivedAt != nil || c.RoomType.ArchivedAt != nil
}

// ErrArchived returns the conflict that answers a booking of an archived
// rate plan or room type: the Service's when its catalogue shows it, the
// Store's when the booking's transaction finds it.
func ErrArchived(roomType, ratePlan string) error {
	return Conflict(fmt.Sprintf("rate plan %s of room type %s is archived and no longer sold", ratePlan, roomType))
}

// AuditValues are the hotel's fields as the audit trail keeps them (the
// API's field names).
func (h Hotel) AuditValues() map[string]any {
	return map[string]any{"slug": h.Slug, "name": h.Name, "city": h.City, "country": h.Country,
		"timezone": h.Timezone, "currency": h.Currency, "check_in_time": h.CheckInTime,
		"night_audit_time": h.NightAuditTime, "archived_at": h.ArchivedAt,
		"legal_name": h.LegalName, "legal_address": h.LegalAddress, "tax_id": h.TaxID,
		"invoice_prefix": h.InvoicePrefix}
}

// AuditValues are the room type's fields as the audit trail keeps them.
func (r RoomType) AuditValues() map[string]any {
	return map[string]any{"code": r.Code, "name": r.Name, "max_adults": r.MaxAdults,
		"max_children": r.MaxChildren, "archived_at": r.ArchivedAt}
}

// AuditValues are the rate plan's fields as the audit trail keeps them.
func (p RatePlan) AuditValues() map[string]any {
	return map[string]any{"code": p.Code, "name": p.Name, "room_type": p.RoomTypeCode, "refundable": p.Refundable,
		"free_cancellation_hours": p.FreeCancellationHours, "penalty_percent": p.PenaltyPercent,
		"base_occupancy": p.Occupancy.BaseOccupancy, "extra_adult_cents": p.Occupancy.ExtraAdultCents,
		"extra_child_cents": p.Occupancy.ChildCents(), "single_occupancy_discount_cents": p.Occupancy.SingleOccupancyDiscountCents,
		"payment_policy": p.Payment.Policy, "deposit_percent": p.Payment.DepositPercent,
		"archived_at": p.ArchivedAt}
}
