package booking

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"innkeeper/shared/auth"
)

// Service is the booking use cases, over a Store and a clock.
type Service struct {
	store     Store
	now       func() time.Time
	catalog   catalog
	committed func(ctx context.Context, reference string)
	quota     HoldQuota
	resolved  func(ctx context.Context, slug string)
	requestID func(ctx context.Context) string
	// searches caches city searches (citysearch.go); nil caches none.
	searches SearchCache
}

// OnHotel sets what runs each time a command or query has found the
// hotel it names: the only point where a slug from a caller is known to
// be a real hotel (cost attribution records it there, and only there).
func (s *Service) OnHotel(fn func(ctx context.Context, slug string)) { s.resolved = fn }

func (s *Service) found(ctx context.Context, slug string) {
	if s.resolved != nil {
		s.resolved(ctx, slug)
	}
}

// AfterCommit sets what runs once a command on a reservation has
// committed its events to the outbox: the relay that sends them on. It
// must not fail the command; what it cannot do is left to the sweep.
func (s *Service) AfterCommit(fn func(ctx context.Context, reference string)) { s.committed = fn }

// Committed runs what AfterCommit set, for a change of reference that
// another package (the cashier) committed.
func (s *Service) Committed(ctx context.Context, reference string) { s.afterCommit(ctx, reference) }

func (s *Service) afterCommit(ctx context.Context, reference string) {
	// Every command that commits a reservation's events took or gave back
	// rooms (or may have): cached city searches are stale.
	s.changed(ctx)
	if s.committed != nil {
		s.committed(ctx, reference)
	}
}

// NewService returns a Service. now is the clock; nil means time.Now.
func NewService(store Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	// The database keeps microseconds; so does the clock, so that what a
	// command returns equals what a later read returns.
	return &Service{store: store, now: func() time.Time { return now().Truncate(time.Microsecond) }, quota: DefaultHoldQuota}
}

// Now is the service's clock, for callers that must agree with it.
func (s *Service) Now() time.Time { return s.now() }

// Hotels lists every hotel.
func (s *Service) Hotels(ctx context.Context) ([]Hotel, error) {
	return s.store.ListHotels(ctx)
}

// Hotel returns a hotel with its room types and rate plans.
func (s *Service) Hotel(ctx context.Context, slug string) (HotelDetail, error) {
	return s.hotel(ctx, slug)
}

// Offer is a rate plan that can sell the stay: rooms free every night at
// these prices.
type Offer struct {
	RoomType  RoomType
	RatePlan  RatePlan
	Available int
	Currency  string
	// Nightly is each night for all the rooms and their guests
	// (PriceNights); TotalCents is their sum.
	Nightly    []NightPrice
	TotalCents int64
	// Price is TotalCents line by line.
	Price                 Price
	FreeCancellationUntil *time.Time
}

// OfferedHotel returns a hotel that is sold: an archived one is not
// found, as for the public catalogue it no longer exists.
func (s *Service) OfferedHotel(ctx context.Context, slug string) (HotelDetail, error) {
	h, err := s.hotel(ctx, slug)
	if err == nil && h.ArchivedAt != nil {
		return HotelDetail{}, fmt.Errorf("booking: hotel %s is archived: %w", slug, ErrNotFound)
	}
	return h, err
}

// Search returns the offers for a stay at a hotel: only room types the
// guests fit, with stay.Rooms units free and a price on every night, and
// rate plans whose restrictions allow the stay. An archived hotel is not
// found.
func (s *Service) Search(ctx context.Context, slug string, stay Stay) (HotelDetail, []Offer, error) {
	h, offers, _, err := s.Explain(ctx, slug, stay)
	return h, offers, err
}

// Unavailable is a rate plan the guests fit that Search left out because
// its restrictions forbid the stay, with the restrictions it breaks.
type Unavailable struct {
	RoomType   RoomType
	RatePlan   RatePlan
	Violations []Violation
}

// Explain is Search, with the rate plans it left out for their
// restrictions and why (whether or not they had the rooms and prices).
// Plans left out for other reasons (sold out, no price, too many guests,
// archived) are not listed.
func (s *Service) Explain(ctx context.Context, slug string, stay Stay) (HotelDetail, []Offer, []Unavailable, error) {
	h, err := s.OfferedHotel(ctx, slug)
	if err != nil {
		return HotelDetail{}, nil, nil, err
	}
	if err := stay.Validate(h.Today(s.now())); err != nil {
		return h, nil, nil, err
	}
	// Ages the hotel's bands do not cover are the guest's to correct.
	if _, err := stay.Party(h.ChildAgeBands); err != nil {
		return h, nil, nil, err
	}
	cands, err := s.store.Candidates(ctx, h.ID, stay)
	if err != nil {
		return h, nil, nil, fmt.Errorf("booking: search %s: %w", slug, err)
	}
	offers, unavailable := s.offers(h.Hotel, h.Taxes, stay, cands)
	return h, offers, unavailable, nil
}

// offers is the rule of what a hotel sells for a stay, the one Search
// and SearchCity share: rate plans sold (not archived) of room types the
// guests fit, whose restrictions allow the stay, with stay.Rooms units
// free and a price on every night, priced under the hotel's taxes. The
// plans the guests fit that their restrictions forbid are returned apart,
// with why.
func (s *Service) offers(h Hotel, taxes []Tax, stay Stay, cands []Candidate) ([]Offer, []Unavailable) {
	nights := stay.Nights()
	offers, unavailable := []Offer{}, []Unavailable{}
	for _, c := range cands {
		if c.Archived() || !stay.FitsBands(c.RoomType, c.AgeBands) {
			continue
		}
		if v := stay.Violations(c.Restrictions); len(v) > 0 {
			unavailable = append(unavailable, Unavailable{RoomType: c.RoomType, RatePlan: c.RatePlan, Violations: v})
			continue
		}
		if c.InventoryNights != nights || c.Available < stay.Rooms || len(c.Nightly) != nights {
			continue
		}
		nightly, err := PriceNights(c.RatePlan, c.AgeBands, stay, c.Nightly)
		if err != nil {
			continue
		}
		price, err := PriceStay(h.Currency, taxes, stay, nightly)
		if err != nil {
			continue // a tax the list's validation let through: not sold rather than mispriced
		}
		offers = append(offers, Offer{
			RoomType:              c.RoomType,
			RatePlan:              c.RatePlan,
			Available:             c.Available,
			Currency:              h.Currency,
			Nightly:               nightly,
			TotalCents:            price.TotalCents,
			Price:                 price,
			FreeCancellationUntil: FreeCancellationUntil(h, c.RatePlan, stay.CheckIn),
		})
	}
	return offers, unavailable
}

// BookRequest is a guest's request to book or hold rooms.
type BookRequest struct {
	Hotel    string
	RoomType string
	RatePlan string
	Stay
	Guest Guest
	Hold  bool
	// AwaitPayment books a hold that waits for its payment (package
	// cashier): it expires after HoldTTL like any hold, unless the
	// payment confirms it first. It is not one of the guest's holds the
	// quota counts: a declined card gives it back at once.
	AwaitPayment bool
}

// Book creates a confirmed reservation, or a hold that expires after
// HoldTTL. It returns the reservation and the guest's access token, which
// is shown once.
func (s *Service) Book(ctx context.Context, req BookRequest, receipt *Receipt) (Reservation, string, error) {
	v := &ValidationError{}
	req.Guest.Name = strings.Trim(req.Guest.Name, " ")
	if req.Hotel == "" {
		v.Add("hotel", "is required")
	}
	if req.RoomType == "" {
		v.Add("room_type", "is required")
	}
	if req.RatePlan == "" {
		v.Add("rate_plan", "is required")
	}
	req.Guest.validateInto(v)
	if err := v.Err(); err != nil {
		// Validate the stay too, so one answer lists every problem.
		req.Stay.validateInto(v, DateOf(s.now()).AddDays(-1))
		return Reservation{}, "", v
	}

	var rt RoomType
	var plan RatePlan
	var missing error
	h, _, err := s.lookup(ctx, req.Hotel, func(h HotelDetail) bool {
		rt, plan, missing = h.find(req.RoomType, req.RatePlan)
		return missing == nil
	})
	if err != nil {
		return Reservation{}, "", err
	}
	now := s.now()
	req.Stay.validateInto(v, h.Today(now))
	if err := v.Err(); err != nil {
		return Reservation{}, "", err
	}
	if missing != nil {
		return Reservation{}, "", missing
	}
	if h.ArchivedAt != nil {
		return Reservation{}, "", ErrHotelArchived(h.Slug)
	}
	if err := admit(rt, plan, req.Stay, h.ChildAgeBands); err != nil {
		return Reservation{}, "", err
	}

	token, hash := auth.NewToken("rat_")
	n := NewReservation{
		Hotel: h.Hotel, RoomType: rt, RatePlan: plan, Taxes: h.Taxes, Stay: req.Stay, Guest: req.Guest,
		Status: StatusConfirmed, AccessToken: token, AccessTokenHash: hash, Now: now,
		Audit: s.guest(ctx, ActionReservationCreate), AgeBands: h.ChildAgeBands,
	}
	s.holding(&n, req.Hold, req.AwaitPayment, now)
	// A reference clash is a one-in-a-billion event; try a few fresh ones.
	for attempt := 0; ; attempt++ {
		n.Reference = NewReference()
		r, err := s.store.Book(ctx, n, receipt)
		if errors.Is(err, errDuplicateReference) && attempt < 3 {
			continue
		}
		if err != nil {
			return Reservation{}, "", err
		}
		// A hold awaiting its payment is sent on once paid (or declined):
		// its hold email would be stale by then.
		if !req.AwaitPayment {
			s.afterCommit(ctx, r.Reference)
		}
		return r, token, nil
	}
}

// holding makes n a hold, for HoldTTL from now, when the guest asks for
// one (counted by the hold quota) or when it waits for its payment (not
// counted: a declined card gives it back at once).
func (s *Service) holding(n *NewReservation, hold, awaitPayment bool, now time.Time) {
	if hold || awaitPayment {
		exp := now.Add(HoldTTL)
		n.Status, n.HoldExpiresAt = StatusHeld, &exp
	}
	if hold {
		n.Quota = s.quota
	}
}

// errDuplicateReference is what a Store reports when a new reference is
// taken; DuplicateReference wraps it for adapters.
var errDuplicateReference = errors.New("duplicate reference")

// DuplicateReference is the error a Store returns when the reference of a
// new reservation already exists; Book then retries with another.
func DuplicateReference() error { return errDuplicateReference }

func (h HotelDetail) find(roomType, ratePlan string) (RoomType, RatePlan, error) {
	var rt RoomType
	found := false
	for _, r := range h.RoomTypes {
		if r.Code == roomType {
			rt, found = r, true
		}
	}
	if !found {
		return RoomType{}, RatePlan{}, fmt.Errorf("room type %q: %w", roomType, ErrNotFound)
	}
	for _, p := range h.RatePlans {
		if p.Code == ratePlan && p.RoomTypeID == rt.ID {
			return rt, p, nil
		}
	}
	return RoomType{}, RatePlan{}, fmt.Errorf("rate plan %q for room type %q: %w", ratePlan, roomType, ErrNotFound)
}

// RoomType finds a room type of the hotel by code.
func (h HotelDetail) RoomType(code string) (RoomType, bool) {
	for _, r := range h.RoomTypes {
		if r.Code == code {
			return r, true
		}
	}
	return RoomType{}, false
}

// RatePlan finds a rate plan of the hotel by code.
func (h HotelDetail) RatePlan(code string) (RatePlan, bool) {
	for _, p := range h.RatePlans {
		if p.Code == code {
			return p, true
		}
	}
	return RatePlan{}, false
}

// Reservation returns the reservation if token is its access token.
// Anything else is ErrNotFound, so references cannot be probed.
func (s *Service) Reservation(ctx context.Context, reference, token string) (Reservation, error) {
	return byToken(ctx, reference, token, s.store.Reservation, func(r Reservation) []byte { return r.AccessTokenHash })
}

// byToken reads what reference names, a reservation or a booking, and
// returns it only if token is its access token (hash reads its hash).
// A malformed reference, no token and a wrong token are all ErrNotFound,
// as an unknown reference is, so references cannot be probed.
func byToken[T any](ctx context.Context, reference, token string, read func(context.Context, string) (T, error), hash func(T) []byte) (T, error) {
	var zero T
	if !ValidReference(reference) || token == "" {
		return zero, ErrNotFound
	}
	v, err := read(ctx, reference)
	if err != nil {
		return zero, err
	}
	if !auth.Equal(hash(v), auth.Hash(token)) {
		return zero, ErrNotFound
	}
	return v, nil
}

// ReservationByLink returns a reservation whose signed link the edge has
// verified.
func (s *Service) ReservationByLink(ctx context.Context, reference string) (Reservation, error) {
	if !ValidReference(reference) {
		return Reservation{}, ErrNotFound
	}
	return s.store.Reservation(ctx, reference)
}

// CancellationQuote is what cancelling now would cost; it changes nothing.
func (s *Service) CancellationQuote(ctx context.Context, reference, token string) (Reservation, int64, error) {
	r, err := s.Reservation(ctx, reference, token)
	if err != nil {
		return Reservation{}, 0, err
	}
	if _, err := Cancel(r, s.now()); err != nil {
		return r, 0, err
	}
	return r, r.CancellationFee(s.now()), nil
}

// Confirm turns the guest's hold into a booking.
func (s *Service) Confirm(ctx context.Context, reference, token string, receipt *Receipt) (Reservation, error) {
	return s.transition(ctx, reference, token, ActionConfirm, Confirm, receipt)
}

// Cancel cancels the guest's reservation under its terms, setting the fee.
func (s *Service) Cancel(ctx context.Context, reference, token string, receipt *Receipt) (Reservation, error) {
	return s.transition(ctx, reference, token, ActionCancel, Cancel, receipt)
}

// transition applies a guest's action with the access token, recorded
// in the audit trail as the token's holder's; a confirmation that finds
// the hold expired records the expiry it made.
func (s *Service) transition(ctx context.Context, reference, token string, action Action, rule func(Reservation, time.Time) (Transition, error), receipt *Receipt) (Reservation, error) {
	if !ValidReference(reference) || token == "" {
		return Reservation{}, ErrNotFound
	}
	want := auth.Hash(token)
	r, err := s.store.Transition(ctx, reference, func(r Reservation) (Transition, error) {
		if !auth.Equal(r.AccessTokenHash, want) {
			return Transition{}, ErrNotFound
		}
		t, err := rule(r, s.now())
		if err != nil {
			return t, err
		}
		t.Audit = s.guest(ctx, "reservation."+string(action))
		if errors.Is(t.Err, ErrHoldExpired) {
			t.Audit.Action, t.Audit.Reason = ActionReservationExpire, "confirmed after the hold expired"
		}
		return t, nil
	}, receipt)
	if err == nil || errors.Is(err, ErrHoldExpired) {
		// Committed: an expired hold's change is as real as a confirmation.
		s.afterCommit(ctx, reference)
	}
	return r, err
}

// ExpireHolds expires every hold past its time and gives its nights back.
// It returns how many it expired.
func (s *Service) ExpireHolds(ctx context.Context) (int, error) {
	expired := 0
	for {
		refs, err := s.store.DueHolds(ctx, s.now(), 100)
		if err != nil {
			return expired, fmt.Errorf("booking: due holds: %w", err)
		}
		if len(refs) == 0 {
			return expired, nil
		}
		progress := false
		for _, ref := range refs {
			_, err := s.store.Transition(ctx, ref, func(r Reservation) (Transition, error) {
				t, err := Expire(r, s.now())
				t.Audit = &Audit{ActorKind: ActorJob, Actor: ActorExpireHolds, Action: ActionReservationExpire}
				return t, err
			}, nil)
			switch {
			case err == nil:
				expired++
				progress = true
				s.afterCommit(ctx, ref)
			case errors.Is(err, ErrConflict):
				// Confirmed or cancelled since it was listed: nothing to do.
			default:
				return expired, fmt.Errorf("booking: expire %s: %w", ref, err)
			}
		}
		if !progress {
			return expired, nil
		}
	}
}
