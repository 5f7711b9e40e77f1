package booking

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"innkeeper/shared/auth"
)

// Change is what a modification asks for. A zero field keeps what the
// reservation has: its dates, occupancy, room type or rate plan.
type Change struct {
	CheckIn  Date
	CheckOut Date
	Adults   *int
	Children *int
	Rooms    *int
	// ChildrenAges, when not nil, replaces the children's ages; without
	// Children, the children are then as many as the ages. Children
	// changed without ages drops ages that no longer match the count.
	ChildrenAges []int
	RoomType     string
	// RatePlan omitted keeps the plan's code; with a new room type, that
	// is the plan of the same code under the new room type.
	RatePlan string
}

// Errors of a modification that the status table allows but the terms
// do not; nothing changed.
var (
	// ErrNonRefundable means a guest asked to modify a booking under a
	// non-refundable plan: the guest bought these exact nights.
	ErrNonRefundable = errors.New("a non-refundable booking cannot be modified by the guest")
	// ErrModifyDeadline means a guest asked to modify at or after the
	// booking's free-cancellation deadline.
	ErrModifyDeadline = errors.New("modification after the free-cancellation deadline")
	// ErrUnchanged means the modification asks for what the reservation
	// already has. It is refused (422) rather than answered as a no-op:
	// a client that sends it has a bug or a stale view, and a silent 200
	// would write an event, an audit row and an email about nothing.
	ErrUnchanged = errors.New("the modification changes nothing")
)

// GuestMayModify is the guest's limit on modifying r at instant now: the
// status table must allow it, the booking must be refundable, and now
// must be before its free-cancellation deadline. A modification gives
// nights back, so the guest may do it exactly while giving them all
// back (a free cancellation) would cost nothing.
func GuestMayModify(r Reservation, now time.Time) error {
	if err := DeskMayModify(r, now); err != nil {
		return err
	}
	if !r.Refundable {
		return ErrNonRefundable
	}
	if r.FreeCancellationUntil == nil || !now.Before(*r.FreeCancellationUntil) {
		return ErrModifyDeadline
	}
	return nil
}

// DeskMayModify is the front desk's limit: the status table, and a hold
// must still be live (one past its expiry is the sweep's to expire, not
// a booking to move). The desk may change a booking under any terms at
// any time before check-in.
func DeskMayModify(r Reservation, now time.Time) error {
	if _, err := Next(r.Status, ActionModify); err != nil {
		return err
	}
	if r.Status == StatusHeld && r.HoldExpiresAt != nil && !now.Before(*r.HoldExpiresAt) {
		return Conflict("the hold has expired; book again")
	}
	return nil
}

// Modification is a change of stay the Store applies to a locked
// reservation: New is the reservation as it will be, priced by the Store
// through New.Price from the new plan's rates inside its transaction,
// under the plan's terms as committed (as Book).
type Modification struct {
	At    time.Time
	New   NewReservation
	Audit *Audit
}

// apply resolves c against r at hotel h: the stay, room type and plan as
// they will be, checked as a new booking of them would be (Stay
// validation, archived plans, occupancy: admit).
func (c Change) apply(r Reservation, h HotelDetail, now time.Time) (NewReservation, error) {
	stay := r.Stay
	if !c.CheckIn.IsZero() {
		stay.CheckIn = c.CheckIn
	}
	if !c.CheckOut.IsZero() {
		stay.CheckOut = c.CheckOut
	}
	for _, f := range []struct {
		p  *int
		to *int
	}{{c.Adults, &stay.Adults}, {c.Children, &stay.Children}, {c.Rooms, &stay.Rooms}} {
		if f.p != nil {
			*f.to = *f.p
		}
	}
	switch {
	case c.ChildrenAges != nil:
		stay.ChildrenAges = slices.Clone(c.ChildrenAges)
		if c.Children == nil {
			stay.Children = len(c.ChildrenAges)
		}
	case len(stay.ChildrenAges) != stay.Children:
		stay.ChildrenAges = nil
	}
	rtCode, planCode := r.RoomTypeCode, r.RatePlanCode
	if c.RoomType != "" {
		rtCode = c.RoomType
	}
	if c.RatePlan != "" {
		planCode = c.RatePlan
	}
	if err := stay.Validate(h.Today(now)); err != nil {
		return NewReservation{}, err
	}
	if stay.Equal(r.Stay) && rtCode == r.RoomTypeCode && planCode == r.RatePlanCode {
		return NewReservation{}, ErrUnchanged
	}
	if _, ok := h.RoomType(rtCode); !ok {
		return NewReservation{}, Invalid("room_type", "is not a room type of this hotel")
	}
	rt, plan, err := h.find(rtCode, planCode)
	if err != nil {
		return NewReservation{}, Invalid("rate_plan", fmt.Sprintf("is not a rate plan of room type %s", rtCode))
	}
	if err := admit(rt, plan, stay, h.ChildAgeBands); err != nil {
		return NewReservation{}, err
	}
	// The restrictions sell stays: a change that keeps the dates and the
	// plan (more guests, another room count) sells no new stay, so a
	// restriction set after the booking does not hold it hostage.
	sameStay := stay.CheckIn == r.CheckIn && stay.CheckOut == r.CheckOut && planCode == r.RatePlanCode
	return NewReservation{
		Reference: r.Reference, Hotel: h.Hotel, RoomType: rt, RatePlan: plan, Taxes: h.Taxes, Stay: stay, Guest: r.Guest,
		Status: r.Status, HoldExpiresAt: r.HoldExpiresAt, AccessTokenHash: r.AccessTokenHash, Now: now,
		IgnoreRestrictions: sameStay && rtCode == r.RoomTypeCode, AgeBands: h.ChildAgeBands,
	}, nil
}

// admit checks that a stay may be sold as rt under plan: neither
// archived, the children's ages in the hotel's bands, and the guests, as
// the bands count them (Stay.Party), fit. Book and a modification both
// ask it.
func admit(rt RoomType, plan RatePlan, stay Stay, bands AgeBands) error {
	if rt.ArchivedAt != nil || plan.ArchivedAt != nil {
		return ErrArchived(rt.Code, plan.Code)
	}
	p, err := stay.Party(bands)
	if err != nil {
		return err
	}
	if !p.FitsParty(rt, stay.Rooms) {
		counted := stay
		counted.Adults, counted.Children = p.Adults, len(p.Children)
		return counted.occupancyError(rt)
	}
	return nil
}

// Modified is a reservation as it is, beside its own modification as it
// would be (a quote) or as it was committed.
type Modified struct {
	Current Reservation
	New     Reservation
	// Nightly is each new night for all the rooms and guests (PriceNights).
	Nightly []NightPrice
	// Available reports whether every new night has the rooms free,
	// counting the nights the reservation itself would give back.
	Available bool
}

// DifferenceCents is what the modification adds to the total (negative
// when it costs less).
func (m Modified) DifferenceCents() int64 { return m.New.TotalCents - m.Current.TotalCents }

// ModificationQuote prices the guest's change of the reservation and
// says whether its nights are free; it changes nothing. It refuses what
// Modify would refuse for the same reasons (the guest's limit, invalid
// stays, the restrictions), except a sold-out night, which it reports as
// not Available.
func (s *Service) ModificationQuote(ctx context.Context, reference, token string, c Change) (Modified, error) {
	r, err := s.Reservation(ctx, reference, token)
	if err != nil {
		return Modified{}, err
	}
	now := s.now()
	if err := GuestMayModify(r, now); err != nil {
		return Modified{}, err
	}
	h, err := s.modifiable(ctx, r, c)
	if err != nil {
		return Modified{}, err
	}
	n, err := c.apply(r, h, now)
	if err != nil {
		return Modified{}, err
	}
	if !n.IgnoreRestrictions {
		// The stay's dates and its check-out date, as Modify reads them.
		rows, err := s.store.Restrictions(ctx, n.RatePlan.ID, DateRange{From: n.Stay.CheckIn, To: n.Stay.CheckOut.AddDays(1)})
		if err != nil {
			return Modified{}, err
		}
		if err := n.CheckRestrictions(rows); err != nil {
			return Modified{}, err
		}
	}
	nightly, available, err := s.store.QuoteModification(ctx, r, n)
	if err != nil {
		return Modified{}, err
	}
	priced, rooms, err := n.Priced(nightly)
	if err != nil {
		return Modified{}, err
	}
	return Modified{Current: r, New: priced, Nightly: rooms, Available: available}, nil
}

// modifiable returns the reservation's hotel, reloaded if the cached one
// lacks the room type or plan the change names (created since).
func (s *Service) modifiable(ctx context.Context, r Reservation, c Change) (HotelDetail, error) {
	h, _, err := s.lookup(ctx, r.HotelSlug, func(h HotelDetail) bool {
		rtCode, planCode := r.RoomTypeCode, r.RatePlanCode
		if c.RoomType != "" {
			rtCode = c.RoomType
		}
		if c.RatePlan != "" {
			planCode = c.RatePlan
		}
		_, _, err := h.find(rtCode, planCode)
		return err == nil
	})
	return h, err
}

// Modify applies the guest's change to the reservation: within the
// guest's limit (GuestMayModify), it gives the old nights back and takes
// the new ones in one transaction, reprices from the new plan and copies
// its terms; a night without the rooms is ErrSoldOut and changes
// nothing.
func (s *Service) Modify(ctx context.Context, reference, token string, c Change, receipt *Receipt) (Reservation, error) {
	r, err := s.Reservation(ctx, reference, token)
	if err != nil {
		return Reservation{}, err
	}
	want := auth.Hash(token)
	by := *s.guest(ctx, "")
	return s.modify(ctx, r, c, by, func(locked Reservation, now time.Time) error {
		if !auth.Equal(locked.AccessTokenHash, want) {
			return ErrNotFound
		}
		return GuestMayModify(locked, now)
	}, receipt, false)
}

// DeskModification is the front desk's change of a reservation.
type DeskModification struct {
	Change
	Reason string
	// By names who acts; the action and reason are filled in here.
	By Audit
}

// DeskModify applies a front-desk change: as the guest's Modify, but
// without the guest's limit (any terms, past the deadline); only the
// status table applies. The rate plan's restrictions (min/max stay,
// closures, stop-sell) are among the guest's limits: they steer what is
// sold online, and the desk, talking to the guest, may move a stay onto
// dates they close (a guest who must leave a day early on a 2-night
// minimum). Rooms still have to be free. The acting key is recorded in
// the audit trail.
func (s *Service) DeskModify(ctx context.Context, reference string, d DeskModification, receipt *Receipt) (Reservation, error) {
	d.Reason = strings.TrimSpace(d.Reason)
	if utf8.RuneCountInString(d.Reason) > 500 {
		return Reservation{}, Invalid("reason", "must be at most 500 characters")
	}
	if !ValidReference(reference) {
		return Reservation{}, ErrNotFound
	}
	r, err := s.store.Reservation(ctx, reference)
	if err != nil {
		return Reservation{}, err
	}
	by := d.By
	by.Reason = d.Reason
	return s.modify(ctx, r, d.Change, by, DeskMayModify, receipt, true)
}

// modify runs a modification of r under limit, which is asked again on
// the locked row: the status, terms and deadline are those of the
// moment the change commits. desk exempts it from the restrictions.
func (s *Service) modify(ctx context.Context, r Reservation, c Change, by Audit, limit func(Reservation, time.Time) error, receipt *Receipt, desk bool) (Reservation, error) {
	now := s.now()
	// Refuse early what the unlocked row already refuses, before reading
	// the catalogue; the locked row is asked again below.
	if err := limit(r, now); err != nil {
		return Reservation{}, err
	}
	h, err := s.modifiable(ctx, r, c)
	if err != nil {
		return Reservation{}, err
	}
	by.Action = "reservation." + string(ActionModify)
	res, err := s.store.Modify(ctx, r.Reference, func(locked Reservation) (Modification, error) {
		if err := limit(locked, now); err != nil {
			return Modification{}, err
		}
		n, err := c.apply(locked, h, now)
		if err != nil {
			return Modification{}, err
		}
		n.IgnoreRestrictions = n.IgnoreRestrictions || desk
		if n.Status == StatusHeld {
			// Only the share of units held unpaid applies: the hold
			// counts once for its email before and after.
			n.Quota = HoldQuota{SharePercent: s.quota.SharePercent}
		}
		return Modification{At: now, New: n, Audit: &by}, nil
	}, receipt)
	if err != nil {
		return Reservation{}, err
	}
	s.afterCommit(ctx, res.Reference)
	return res, nil
}
