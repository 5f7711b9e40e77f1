package booking

import (
	"context"
	"time"
)

// Store is the persistence the domain needs. Every method is atomic: it
// commits all of its writes or none.
type Store interface {
	ListHotels(ctx context.Context) ([]Hotel, error)
	// HotelDetail returns ErrNotFound for an unknown slug.
	HotelDetail(ctx context.Context, slug string) (HotelDetail, error)
	// CreateHotel, CreateRoomType, CreateRatePlan, SetInventory and
	// SetRates record by in the audit trail in the write's transaction,
	// with the values set (and, for inventory and rates, those they
	// replace). Room types and rate plans name their hotel's slug.
	CreateHotel(ctx context.Context, h Hotel, by Audit) (Hotel, error)
	CreateRoomType(ctx context.Context, slug string, rt RoomType, by Audit) (RoomType, error)
	CreateRatePlan(ctx context.Context, slug string, p RatePlan, by Audit) (RatePlan, error)
	// SetInventory sets units for every night of r; it fails with a
	// ConflictError, changing nothing, when a night has more sold than units.
	SetInventory(ctx context.Context, roomTypeID int64, r DateRange, units int, by Audit) error
	SetRates(ctx context.Context, ratePlanID int64, r DateRange, amountCents int64, by Audit) error
	// SetRestrictions applies p to the rate plan's restrictions on every
	// date of r, with the audit row of the runs before and after; nothing
	// changed writes no audit row.
	SetRestrictions(ctx context.Context, ratePlanID int64, r DateRange, p RestrictionPatch, by Audit) error
	// SetAgeBands replaces the child age bands of the hotel (id, slug)
	// with bands, with the audit row of the bands before and after; the
	// same bands again writes no audit row. It locks the hotel's row, so
	// a booking in flight prices under the bands before or after, whole.
	SetAgeBands(ctx context.Context, hotelID int64, slug string, bands AgeBands, by Audit) error
	// SetTaxes replaces the hotel's taxes and fees with taxes, in their
	// order, with the audit row of the lists before and after, in one
	// transaction; an unchanged list writes nothing. An unknown slug is
	// ErrNotFound.
	SetTaxes(ctx context.Context, slug string, taxes []Tax, by Audit) error
	// UpdateHotel, UpdateRoomType and UpdateRatePlan lock the item (an
	// unknown one is ErrNotFound), ask edit for its new values, write
	// them and the audit row of e with the values before and after, in
	// one transaction; an error from edit changes nothing. booked tells
	// edit whether the hotel has any reservation.
	UpdateHotel(ctx context.Context, slug string, edit func(h Hotel, booked bool) (Hotel, error), e CatalogEdit) (Hotel, error)
	UpdateRoomType(ctx context.Context, slug, code string, edit func(RoomType) (RoomType, error), e CatalogEdit) (RoomType, error)
	UpdateRatePlan(ctx context.Context, slug, code string, edit func(RatePlan) (RatePlan, error), e CatalogEdit) (RatePlan, error)

	// Candidates lists, for every rate plan of the hotel, the free units
	// and the nightly prices over the stay's nights, and its restriction
	// rows over [check-in, check-out].
	Candidates(ctx context.Context, hotelID int64, stay Stay) ([]Candidate, error)
	// CityCandidates is Candidates for every hotel whose city is city,
	// compared without case or accents, in one query; hotels, room
	// types and rate plans that are archived are left out.
	CityCandidates(ctx context.Context, city string, stay Stay) ([]HotelCandidates, error)
	// Book takes rooms for every night of the stay and records the
	// reservation, its event and the receipt in one transaction. It fails
	// with ErrSoldOut or ErrNoRate without writing anything, and with
	// ErrArchived's conflict when the rate plan or its room type is
	// archived. It books under the rate plan's terms as committed, not
	// those of n (which may come from a cache), and asks
	// n.CheckRestrictions of the plan's restrictions as committed: a
	// RestrictedError writes nothing.
	Book(ctx context.Context, n NewReservation, receipt *Receipt) (Reservation, error)
	// Reservation returns ErrNotFound for an unknown reference.
	Reservation(ctx context.Context, reference string) (Reservation, error)
	// Transition locks the reservation, asks decide what to do, and applies
	// the answer with its event and receipt in one transaction. It returns
	// the reservation as committed and the Transition's Err.
	Transition(ctx context.Context, reference string, decide func(Reservation) (Transition, error), receipt *Receipt) (Reservation, error)
	// Modify locks the reservation, asks decide for the change, and, in
	// one transaction, gives the old nights back, takes the new ones,
	// prices them (m.New.Price) under the new plan's terms as committed,
	// and records the reservation, its EventModified event, the audit row
	// and the receipt. A night without the rooms is ErrSoldOut and
	// changes nothing; so is a RestrictedError from
	// m.New.CheckRestrictions, asked of the new plan's restrictions read
	// in the transaction.
	Modify(ctx context.Context, reference string, decide func(Reservation) (Modification, error), receipt *Receipt) (Reservation, error)
	// QuoteModification reads, without locking or writing, n's nightly
	// prices and whether every night of n has n.Stay.Rooms free, counting
	// the rooms r would give back on its own nights.
	QuoteModification(ctx context.Context, r Reservation, n NewReservation) ([]NightPrice, bool, error)
	// Restrictions lists a rate plan's restriction rows over the dates of
	// r, without locking: advice, as a quote is.
	Restrictions(ctx context.Context, ratePlanID int64, r DateRange) ([]NightRestrictions, error)
	ListReservations(ctx context.Context, q ReservationQuery) ([]Reservation, error)
	// RequestAccess writes ev to the outbox if a reservation has ev's
	// reference and, compared in lower case, email; otherwise nothing.
	// It does the same work either way (see Service.RequestAccess).
	RequestAccess(ctx context.Context, ev Event, email string) error
	// DueHolds lists references of holds whose expiry is before now.
	DueHolds(ctx context.Context, now time.Time, limit int) ([]string, error)
	// BookLines is Book for every line of a booking, all or nothing, in
	// one transaction: the lines' plans' terms and restrictions as
	// committed, their nights taken in the global lock order (room type
	// id, then night), each line priced by its NewReservation.Price, and
	// the booking, its reservations, their nights, events and audit rows
	// and the receipt recorded. A line refused is a LineError wrapping
	// Book's error for it (ErrSoldOut, a RestrictedError, …), and
	// nothing is written.
	BookLines(ctx context.Context, b NewBooking, receipt *Receipt) (Booking, error)
	// Booking returns a booking with its lines as they are now;
	// ErrNotFound for an unknown reference.
	Booking(ctx context.Context, reference string) (Booking, error)
	// TransitionBooking locks every line of a booking and, in one
	// transaction, applies what decide chooses for each, with its
	// events, and the receipt; a line decide refuses stays as it is.
	// When it refuses every line, nothing changes and the error is the
	// first line's as a LineError; ErrNotFound from decide ends it all.
	TransitionBooking(ctx context.Context, reference string, decide func(Reservation) (Transition, error), receipt *Receipt) (Booking, error)
}

// Candidate is one rate plan's view of a stay, before the domain decides
// whether it can be offered.
type Candidate struct {
	RoomType RoomType
	RatePlan RatePlan
	// Available is the fewest free units over the nights that have
	// inventory; InventoryNights counts those nights.
	Available       int
	InventoryNights int
	// Nightly holds the prices of the nights that have one, in date order.
	Nightly []NightPrice
	// Restrictions holds the plan's restriction rows over [check-in,
	// check-out] (the check-out date's for closed to departure).
	Restrictions []NightRestrictions
	// AgeBands are the hotel's child age bands, which the plan's
	// Occupancy prices children by.
	AgeBands AgeBands
}

// NightPrice is the price of one night, in minor units: of one room as a
// rate plan's rates set it, or of all a stay's rooms with their guests
// as PriceNights makes it.
type NightPrice struct {
	Date        Date
	AmountCents int64
}

// NewReservation is what the Store needs to record a booking. The domain
// has validated it; the Store prices it from the rates inside its
// transaction, through Price.
type NewReservation struct {
	Reference string
	Hotel     Hotel
	RoomType  RoomType
	RatePlan  RatePlan
	// Taxes are the hotel's taxes and fees the stay is priced under. The
	// domain fills them from the catalogue, which a quote prices with;
	// Book and Modify replace them with those read in their transaction
	// (Store.Book), so a booking is priced under the taxes committed.
	Taxes           []Tax
	Stay            Stay
	Guest           Guest
	Status          Status
	HoldExpiresAt   *time.Time
	AccessTokenHash []byte
	// AccessToken is the clear token, only to render the receipt; it is
	// never stored in the reservation.
	AccessToken string
	Now         time.Time
	// Quota bounds a hold (Status held); the zero value bounds nothing.
	// The Store checks it under the locks that take the nights, so
	// concurrent holds cannot pass it together; it fails with ErrHoldLimit
	// or ErrHoldShare, writing nothing.
	Quota HoldQuota
	// Audit, when set, is recorded in the audit trail in the same
	// transaction, with the reservation as booked.
	Audit *Audit
	// IgnoreRestrictions exempts the stay from the rate plan's
	// restrictions (CheckRestrictions): the front desk's modification,
	// and a guest's that keeps the dates and the plan.
	IgnoreRestrictions bool
	// AgeBands are the hotel's child age bands the stay is priced by;
	// the Store reads them again in its transaction, with the plan's
	// terms and Occupancy.
	AgeBands AgeBands
}

// RoomNights is what each night of the stay costs for all its rooms and
// guests (PriceNights), from one room's nightly rates the Store read:
// the amounts reservation_nights keeps.
func (n NewReservation) RoomNights(nightly []NightPrice) ([]NightPrice, error) {
	return PriceNights(n.RatePlan, n.AgeBands, n.Stay, nightly)
}

// Price completes a new reservation from the nightly prices the Store read
// inside its transaction: the rooms by their occupancy (RoomNights), then
// n.Taxes on them (PriceStay), Price line by line and TotalCents its
// total. It fails with ErrNoRate unless every night has a price, and with
// a ValidationError when the children's ages fit none of the hotel's
// bands.
func (n NewReservation) Price(nightly []NightPrice) (Reservation, error) {
	r, _, err := n.Priced(nightly)
	return r, err
}

// Priced is Price with the nights it priced the rooms by (RoomNights),
// the amounts reservation_nights keeps, so a caller does not price them
// again.
func (n NewReservation) Priced(nightly []NightPrice) (Reservation, []NightPrice, error) {
	rooms, err := n.RoomNights(nightly)
	if err != nil {
		return Reservation{}, nil, err
	}
	price, err := PriceStay(n.Hotel.Currency, n.Taxes, n.Stay, rooms)
	if err != nil {
		return Reservation{}, nil, err
	}
	return Reservation{
		Reference:             n.Reference,
		Status:                n.Status,
		HotelID:               n.Hotel.ID,
		HotelSlug:             n.Hotel.Slug,
		Timezone:              n.Hotel.Timezone,
		CheckInTime:           n.Hotel.CheckInTime,
		RoomTypeID:            n.RoomType.ID,
		RoomTypeCode:          n.RoomType.Code,
		RatePlanCode:          n.RatePlan.Code,
		Stay:                  n.Stay,
		Guest:                 n.Guest,
		TotalCents:            price.TotalCents,
		Currency:              n.Hotel.Currency,
		Price:                 price,
		Refundable:            n.RatePlan.Refundable,
		FreeCancellationUntil: FreeCancellationUntil(n.Hotel, n.RatePlan, n.Stay.CheckIn),
		PenaltyPercent:        n.RatePlan.PenaltyPercent,
		Payment:               n.RatePlan.Payment.Or(n.RatePlan.Refundable),
		HoldExpiresAt:         n.HoldExpiresAt,
		AccessTokenHash:       n.AccessTokenHash,
		CreatedAt:             n.Now,
		UpdatedAt:             n.Now,
	}, rooms, nil
}

// ReceiptTTL is how long an idempotency key keeps its outcome.
const ReceiptTTL = 24 * time.Hour

// Receipt ties a command to the client's idempotency key: the Store saves
// the rendered outcome under (Scope, Key) in the command's own transaction,
// so a retry finds either the whole outcome or nothing. If the key already
// holds an outcome, the Store fails with ErrReceiptTaken and rolls back.
type Receipt struct {
	Scope       string
	Key         string
	Fingerprint []byte
	Render      func(Outcome) (StoredResponse, error)
	// Replace marks a later step of a command whose first step stored
	// the receipt (a booking held, then paid): the stored response is
	// replaced with this one, under the same scope, key and fingerprint,
	// without claiming the key again.
	Replace bool
}

// Outcome is what a command produced, for a Receipt to render.
type Outcome struct {
	Reservation Reservation
	// AccessToken is set only when the reservation was just created.
	AccessToken string
	// Booking is set, instead of Reservation, by a booking of several
	// rooms (BookLines).
	Booking *Booking
	// Payment is how the payment the command made ended, when it made
	// one (package cashier).
	Payment *PaymentOutcome
}

// StoredResponse is a response kept to be replayed to a retrying client.
type StoredResponse struct {
	Status int
	Header map[string]string
	Body   []byte
}

// ReservationQuery selects a hotel's reservations for staff, in pages.
type ReservationQuery struct {
	HotelID int64
	From    Date // stays overlapping [From, To); zero for no bound
	To      Date
	Status  Status // empty for all
	// Query is text the reference, guest email or guest name contains,
	// ignoring case and accents; empty for all.
	Query string
	Limit int
	After *Cursor
}

// Cursor marks where the previous page ended (keyset pagination).
type Cursor struct {
	CheckIn Date
	ID      int64
}
