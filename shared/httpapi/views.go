package httpapi

import (
	"time"

	"innkeeper/shared/booking"
)

// The JSON shapes the API answers with. Times are RFC 3339; a time the
// guest reads against the hotel's calendar is in the hotel's offset, and
// so, for one reading, is every instant of a reservation.

type hotelView struct {
	Slug     string `json:"slug"`
	Name     string `json:"name"`
	City     string `json:"city"`
	Country  string `json:"country"`
	Timezone string `json:"timezone"`
	Currency string `json:"currency"`
}

func viewHotel(h booking.Hotel) hotelView {
	return hotelView{h.Slug, h.Name, h.City, h.Country, h.Timezone, h.Currency}
}

type roomTypeView struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	MaxAdults   int    `json:"max_adults"`
	MaxChildren int    `json:"max_children"`
	// ArchivedAt is shown to staff only: the public catalogue leaves
	// archived items out.
	ArchivedAt *time.Time `json:"archived_at,omitempty"`
}

func viewRoomType(rt booking.RoomType) roomTypeView {
	return roomTypeView{rt.Code, rt.Name, rt.MaxAdults, rt.MaxChildren, utcPtr(rt.ArchivedAt)}
}

type ratePlanView struct {
	Code                  string `json:"code"`
	Name                  string `json:"name"`
	RoomType              string `json:"room_type"`
	Refundable            bool   `json:"refundable"`
	FreeCancellationHours int    `json:"free_cancellation_hours"`
	PenaltyPercent        int    `json:"penalty_percent"`
	// Occupancy pricing (booking.Occupancy): base_occupancy 0 is a rate
	// for every adult the room takes; extra_child_cents is by age band
	// code, a band not listed free.
	BaseOccupancy                int              `json:"base_occupancy"`
	ExtraAdultCents              int64            `json:"extra_adult_cents"`
	ExtraChildCents              map[string]int64 `json:"extra_child_cents"`
	SingleOccupancyDiscountCents int64            `json:"single_occupancy_discount_cents"`
	// PaymentPolicy is guarantee, deposit or prepay (booking.PaymentPolicy);
	// DepositPercent the share of the total a deposit plan charges when
	// booking, 0 for the others.
	PaymentPolicy  string     `json:"payment_policy"`
	DepositPercent int        `json:"deposit_percent"`
	ArchivedAt     *time.Time `json:"archived_at,omitempty"`
}

func viewRatePlan(p booking.RatePlan) ratePlanView {
	pol := p.Payment.Or(p.Refundable)
	return ratePlanView{Code: p.Code, Name: p.Name, RoomType: p.RoomTypeCode, Refundable: p.Refundable,
		FreeCancellationHours: p.FreeCancellationHours, PenaltyPercent: p.PenaltyPercent,
		BaseOccupancy: p.Occupancy.BaseOccupancy, ExtraAdultCents: p.Occupancy.ExtraAdultCents,
		ExtraChildCents: p.Occupancy.ChildCents(), SingleOccupancyDiscountCents: p.Occupancy.SingleOccupancyDiscountCents,
		PaymentPolicy: pol.Policy, DepositPercent: pol.DepositPercent,
		ArchivedAt: utcPtr(p.ArchivedAt)}
}

// paymentView is what a stay costs now and later under its plan's
// payment policy (booking.PaymentTerms): due_now_cents is charged when
// booking, due_later_cents at check-out or by the hotel, and together
// they are total_cents; what is paid at the hotel is in neither (the
// price's pay_at_hotel_cents). refund_cents, on a cancellation quote
// only, is what cancelling now gives back of what was paid.
type paymentView struct {
	Policy         string `json:"policy"`
	DepositPercent int    `json:"deposit_percent,omitempty"`
	DueNowCents    int64  `json:"due_now_cents"`
	DueLaterCents  int64  `json:"due_later_cents"`
	// RefundCents is what cancelling gives back of what was paid: on a
	// cancellation quote and a reservation, now; on an offer, right
	// after booking it.
	RefundCents *int64 `json:"refund_cents,omitempty"`
	Currency    string `json:"currency"`
	// PaidCents, on a reservation, is what the payments ledger holds as
	// paid: charges and fees minus refunds.
	PaidCents *int64 `json:"paid_cents,omitempty"`
	// CardSaved, on a reservation, tells that a card is kept for
	// off-session fees (a guarantee).
	CardSaved *bool `json:"card_saved,omitempty"`
	// Status, ClientSecret and NextAction answer the request that paid:
	// succeeded, or requires_action with what the client's payment
	// library does next (Stripe.js handleNextAction with the client
	// secret), or processing. Pending names the intent a hold waits on.
	Status       string              `json:"status,omitempty"`
	ClientSecret string              `json:"client_secret,omitempty"`
	NextAction   *booking.NextAction `json:"next_action,omitempty"`
	Pending      string              `json:"pending,omitempty"`
}

func viewPayment(t booking.PaymentTerms) paymentView {
	return paymentView{Policy: t.Policy, DepositPercent: t.DepositPercent, DueNowCents: t.DueNowCents,
		DueLaterCents: t.DueLaterCents, Currency: t.Currency}
}

// ageBandView is one of a hotel's child age bands.
type ageBandView struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	MinAge int    `json:"min_age"`
	MaxAge int    `json:"max_age"`
}

// viewAgeBands shows a hotel's bands, youngest first; [] when none.
func viewAgeBands(bs booking.AgeBands) []ageBandView {
	out := []ageBandView{}
	for _, b := range bs {
		out = append(out, ageBandView(b))
	}
	return out
}

// nonNilAges shows children's ages as a list, [] when none were given.
func nonNilAges(ages []int) []int {
	if ages == nil {
		return []int{}
	}
	return ages
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

type hotelDetailView struct {
	hotelView
	CheckInTime string `json:"check_in_time"`
	// The legal entity that sells the stay, as its invoices name it;
	// left out until staff set it.
	LegalName    string         `json:"legal_name,omitempty"`
	LegalAddress string         `json:"legal_address,omitempty"`
	TaxID        string         `json:"tax_id,omitempty"`
	RoomTypes    []roomTypeView `json:"room_types"`
	RatePlans    []ratePlanView `json:"rate_plans"`
	// ChildAgeBands are the bands children are priced by, youngest
	// first; a guest older than the oldest is an adult.
	ChildAgeBands []ageBandView `json:"child_age_bands"`
	// Taxes are the hotel's taxes and fees: guests see what a price will
	// carry before they search.
	Taxes []booking.Tax `json:"taxes"`
}

func viewHotelDetail(h booking.HotelDetail) hotelDetailView {
	v := hotelDetailView{hotelView: viewHotel(h.Hotel), CheckInTime: h.CheckInTime,
		LegalName: h.LegalName, LegalAddress: h.LegalAddress, TaxID: h.TaxID,
		RoomTypes: []roomTypeView{}, RatePlans: []ratePlanView{}, ChildAgeBands: viewAgeBands(h.ChildAgeBands),
		Taxes: viewTaxes(h.Taxes)}
	// Archived items are not sold, so the public catalogue leaves them
	// out; a rate plan of an archived room type is not sold either.
	archived := map[int64]bool{}
	for _, rt := range h.RoomTypes {
		if rt.ArchivedAt != nil {
			archived[rt.ID] = true
			continue
		}
		v.RoomTypes = append(v.RoomTypes, viewRoomType(rt))
	}
	for _, p := range h.RatePlans {
		if p.ArchivedAt == nil && !archived[p.RoomTypeID] {
			v.RatePlans = append(v.RatePlans, viewRatePlan(p))
		}
	}
	return v
}

type nightView struct {
	Date        booking.Date `json:"date"`
	AmountCents int64        `json:"amount_cents"`
}

type offerView struct {
	RoomType              string      `json:"room_type"`
	RoomTypeName          string      `json:"room_type_name"`
	RatePlan              string      `json:"rate_plan"`
	Name                  string      `json:"name"`
	Available             int         `json:"available"`
	Currency              string      `json:"currency"`
	TotalCents            int64       `json:"total_cents"`
	Nightly               []nightView `json:"nightly"`
	Refundable            bool        `json:"refundable"`
	FreeCancellationUntil *time.Time  `json:"free_cancellation_until"`
	// Price is total_cents line by line: the rooms, each tax and fee,
	// and what is paid at the hotel apart.
	Price booking.Price `json:"price"`
	// Payment is what the offer would cost now and later under its
	// plan's payment policy.
	Payment paymentView `json:"payment"`
}

// stayView is the stay a search asked for, as its answer repeats it.
type stayView struct {
	CheckIn  booking.Date `json:"check_in"`
	CheckOut booking.Date `json:"check_out"`
	Nights   int          `json:"nights"`
	Adults   int          `json:"adults"`
	Children int          `json:"children"`
	// ChildrenAges are the ages asked for (children_ages), when given.
	ChildrenAges []int `json:"children_ages,omitempty"`
	Rooms        int   `json:"rooms"`
}

func viewStay(s booking.Stay) stayView {
	return stayView{CheckIn: s.CheckIn, CheckOut: s.CheckOut, Nights: s.Nights(), Adults: s.Adults,
		Children: s.Children, ChildrenAges: s.ChildrenAges, Rooms: s.Rooms}
}

type availabilityView struct {
	Hotel string `json:"hotel"`
	stayView
	Offers []offerView `json:"offers"`
	// Unavailable is there with explain=1, empty when nothing was left
	// out (omitzero keeps an empty list, drops a nil one): the plans left
	// out for their restrictions.
	Unavailable []unavailableView `json:"unavailable,omitzero"`
}

// viewOffer shows o as offered at instant now: refund_cents is what
// cancelling right after booking it would give back.
func viewOffer(o booking.Offer, now time.Time) offerView {
	v := offerView{
		RoomType: o.RoomType.Code, RoomTypeName: o.RoomType.Name, RatePlan: o.RatePlan.Code, Name: o.RatePlan.Name,
		Available: o.Available, Currency: o.Currency, TotalCents: o.TotalCents,
		Refundable: o.RatePlan.Refundable, FreeCancellationUntil: o.FreeCancellationUntil, Price: viewPrice(o.Price),
	}
	if o.Price.Currency == "" {
		// An offer without its price (a city search cached before prices
		// were kept): the rooms are the total.
		v.Price = booking.RoomOnly(o.Currency, o.TotalCents)
	}
	for _, n := range o.Nightly {
		v.Nightly = append(v.Nightly, nightView{n.Date, n.AmountCents})
	}
	v.Payment = viewPayment(booking.TermsOf(o.RatePlan.Payment.Or(o.RatePlan.Refundable), v.Price))
	refund := o.RefundOnCancel(now)
	v.Payment.RefundCents = &refund
	return v
}

type guestView struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone"`
}

type reservationView struct {
	Reference             string       `json:"reference"`
	Status                string       `json:"status"`
	Hotel                 string       `json:"hotel"`
	RoomType              string       `json:"room_type"`
	RatePlan              string       `json:"rate_plan"`
	CheckIn               booking.Date `json:"check_in"`
	CheckOut              booking.Date `json:"check_out"`
	Nights                int          `json:"nights"`
	Rooms                 int          `json:"rooms"`
	Adults                int          `json:"adults"`
	Children              int          `json:"children"`
	ChildrenAges          []int        `json:"children_ages"`
	Guest                 guestView    `json:"guest"`
	TotalCents            int64        `json:"total_cents"`
	Currency              string       `json:"currency"`
	Refundable            bool         `json:"refundable"`
	FreeCancellationUntil *time.Time   `json:"free_cancellation_until"`
	HoldExpiresAt         *time.Time   `json:"hold_expires_at"`
	CancellationFeeCents  *int64       `json:"cancellation_fee_cents"`
	NoShowFeeCents        *int64       `json:"no_show_fee_cents,omitempty"`
	CheckedInAt           *time.Time   `json:"checked_in_at,omitempty"`
	CheckedOutAt          *time.Time   `json:"checked_out_at,omitempty"`
	CreatedAt             time.Time    `json:"created_at"`
	UpdatedAt             time.Time    `json:"updated_at"`
	// Booking and Line name the booking of several rooms a line belongs
	// to, where it is read with its booking (and on the desk record).
	Booking string `json:"booking,omitempty"`
	Line    int    `json:"line,omitempty"`
	// Price is total_cents line by line, as booked.
	Price booking.Price `json:"price"`
	// Payment is what the booking costs now and later under the payment
	// policy it was booked under.
	Payment paymentView `json:"payment"`
}

func viewReservation(r booking.Reservation) reservationView {
	loc := booking.Location(r.Timezone)
	local := func(t *time.Time) *time.Time {
		if t == nil {
			return nil
		}
		u := t.In(loc)
		return &u
	}
	return reservationView{
		Reference: r.Reference, Status: string(r.Status), Hotel: r.HotelSlug, RoomType: r.RoomTypeCode,
		RatePlan: r.RatePlanCode, CheckIn: r.CheckIn, CheckOut: r.CheckOut, Nights: r.Nights(), Rooms: r.Rooms,
		Adults: r.Adults, Children: r.Children, ChildrenAges: nonNilAges(r.ChildrenAges),
		Guest:      guestView{r.Guest.Name, r.Guest.Email, r.Guest.Phone},
		TotalCents: r.TotalCents, Currency: r.Currency, Refundable: r.Refundable,
		FreeCancellationUntil: local(r.FreeCancellationUntil), HoldExpiresAt: local(r.HoldExpiresAt),
		CancellationFeeCents: r.CancellationFeeCents, NoShowFeeCents: r.NoShowFeeCents,
		CheckedInAt: local(r.CheckedInAt), CheckedOutAt: local(r.CheckedOutAt), CreatedAt: r.CreatedAt.In(loc), UpdatedAt: r.UpdatedAt.In(loc),
		Booking: r.BookingReference, Line: r.Line,
		Price: viewPrice(r.Price), Payment: viewReservationPayment(r),
	}
}

// viewReservationPayment is a reservation's payment terms with what it
// has paid and waits on.
func viewReservationPayment(r booking.Reservation) paymentView {
	v := viewPayment(r.PaymentTerms())
	paid, saved := r.PaidCents, r.Card.Saved()
	v.PaidCents, v.CardSaved, v.Pending = &paid, &saved, r.PendingPayment
	return v
}

// viewPrice is a price as the API shows it: lines a list, never null.
func viewPrice(p booking.Price) booking.Price {
	if p.Lines == nil {
		p.Lines = []booking.PriceLine{}
	}
	return p
}

// viewTaxes is a hotel's taxes and fees as staff set them and guests see
// them: booking.Tax's own JSON (percent an exact decimal string, dates
// left out when unbounded), a list, never null.
func viewTaxes(taxes []booking.Tax) []booking.Tax {
	if taxes == nil {
		return []booking.Tax{}
	}
	return taxes
}

type reservationEnvelope struct {
	Reservation reservationView `json:"reservation"`
	AccessToken string          `json:"access_token,omitempty"`
}
