package smoke

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"innkeeper/local/apiclient"
	"innkeeper/local/awsid"
)

// preferredHotel is booked when the stage has it (the demo data does).
const preferredHotel = "lisbon-riverside"

// Days ahead and length of the stay booked: far enough out that free
// cancellation applies, short enough to be within any stage's inventory.
const (
	daysAhead = 45
	nights    = 2
	adults    = 2
)

func (r *run) livez(ctx context.Context) outcome { return r.probe(ctx, "/livez") }

func (r *run) readyz(ctx context.Context) outcome { return r.probe(ctx, "/readyz") }

// probe passes when path answers 200.
func (r *run) probe(ctx context.Context, path string) outcome {
	a, err := r.api(ctx, http.MethodGet, path, nil)
	if err != nil {
		return fail("%v", err)
	}
	if a.status != http.StatusOK {
		return fail("%s", a.summary())
	}
	return pass("%d", a.status)
}

func (r *run) health(ctx context.Context) outcome {
	// The metrics token shows /health's warnings; without it, /health
	// says its status and version only.
	var auth []string
	if r.cfg.MetricsToken != "" {
		auth = []string{"Authorization", "Bearer " + r.cfg.MetricsToken}
	}
	a, err := r.api(ctx, http.MethodGet, "/health", nil, auth...)
	if err != nil {
		return fail("%v", err)
	}
	var rep struct {
		Status   string   `json:"status"`
		Version  string   `json:"version"`
		Warnings []string `json:"warnings"`
	}
	if err := a.decode(http.StatusOK, &rep); err != nil {
		return fail("%v", err)
	}
	switch rep.Status {
	case "ok":
		return pass("%d ok, version %s", a.status, rep.Version)
	case "warning":
		return pass("%d warning (%s), version %s", a.status, strings.Join(rep.Warnings, "; "), rep.Version)
	}
	return fail("%d with status %q, version %s", a.status, rep.Status, rep.Version)
}

func (r *run) hotels(ctx context.Context) outcome {
	api, err := r.generated()
	if err != nil {
		return fail("%v", err)
	}
	ctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	res, err := api.ListHotelsWithResponse(ctx)
	if err != nil {
		return fail("%v", err)
	}
	a := answerOf(res.HTTPResponse, res.Body)
	var list struct {
		Hotels []struct {
			Slug string `json:"slug"`
		} `json:"hotels"`
	}
	if err := a.decode(http.StatusOK, &list); err != nil {
		return fail("%v", err)
	}
	if len(list.Hotels) == 0 {
		return fail("%d with no hotels", a.status)
	}
	r.hotel = list.Hotels[0].Slug
	for _, h := range list.Hotels {
		if h.Slug == preferredHotel {
			r.hotel = h.Slug
		}
	}
	return pass("%d, %d hotels, using %s", a.status, len(list.Hotels), r.hotel)
}

// TestCard is the PaymentMethod the booking pays with: Stripe's test
// Visa, which succeeds with no authentication in Stripe's test mode and
// in the devstack's emulator (live mode refuses it; see
// Config.NoBooking).
const TestCard = "pm_card_visa"

// offer is the room type and rate plan booked.
type offer struct {
	RoomType   string `json:"room_type"`
	RatePlan   string `json:"rate_plan"`
	Available  int    `json:"available"`
	Refundable bool   `json:"refundable"`
	Payment    struct {
		Policy string `json:"policy"`
	} `json:"payment"`
}

// rank orders the offers the smoke test may book: a refundable one, so
// the cancellation costs nothing, and of those one that charges nothing
// now (a guarantee saves the card), so no money moves.
func (o offer) rank() int {
	n := 0
	if o.Refundable {
		n += 2
	}
	if o.Payment.Policy == "guarantee" {
		n++
	}
	return n
}

// stay is the check-in and check-out dates booked: in daysAhead days,
// UTC, for nights nights.
func stay() (checkIn, checkOut string) {
	in := time.Now().UTC().AddDate(0, 0, daysAhead)
	return in.Format(time.DateOnly), in.AddDate(0, 0, nights).Format(time.DateOnly)
}

func (r *run) availability(ctx context.Context) outcome {
	if r.hotel == "" {
		return skip("no hotel to search (hotels did not pass)")
	}
	in, out := stay()
	api, err := r.generated()
	if err != nil {
		return fail("%v", err)
	}
	ctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	grown, none, one := fmt.Sprint(adults), "0", "1"
	ans, err := api.HotelAvailabilityWithResponse(ctx, r.hotel, &apiclient.HotelAvailabilityParams{
		CheckIn: &in, CheckOut: &out, Adults: &grown, Children: &none, Rooms: &one})
	if err != nil {
		return fail("%v", err)
	}
	a := answerOf(ans.HTTPResponse, ans.Body)
	var res struct {
		Offers []offer `json:"offers"`
	}
	if err := a.decode(http.StatusOK, &res); err != nil {
		return fail("%v", err)
	}
	for _, o := range res.Offers {
		if o.Available > 0 && (r.offer == nil || o.rank() > r.offer.rank()) {
			r.offer = &o
		}
	}
	if r.offer == nil {
		return fail("%d, %d offers for %s %s–%s and none available", a.status, len(res.Offers), r.hotel, in, out)
	}
	policy := ""
	if r.offer.Payment.Policy != "" {
		policy = ", " + r.offer.Payment.Policy
	}
	return pass("%d, %d offers for %s %s–%s, using %s/%s (%d left%s)", a.status, len(res.Offers), r.hotel, in, out,
		r.offer.RoomType, r.offer.RatePlan, r.offer.Available, policy)
}

// guestAddress is base with the run's label, or an example.com address
// of the run without a base.
func guestAddress(base, label string) string {
	local, domain, ok := strings.Cut(base, "@")
	if !ok || local == "" || domain == "" {
		return "smoke+" + label + "@example.com"
	}
	local, _, _ = strings.Cut(local, "+")
	return local + "+smoke-" + label + "@" + domain
}

// reservation is the part of the API's reservation envelope the checks
// read.
type reservation struct {
	Reservation struct {
		Reference string `json:"reference"`
		Status    string `json:"status"`
	} `json:"reservation"`
	AccessToken string `json:"access_token"`
}

func (r *run) createReservation(ctx context.Context) outcome {
	if r.cfg.NoBooking {
		return skip("NoBooking: this stage takes real money (Stripe live mode); nothing is booked")
	}
	if r.offer == nil {
		return skip("nothing to book (availability did not pass)")
	}
	in, out := stay()
	r.email = guestAddress(r.cfg.GuestEmail, randomHex(6))
	api, err := r.generated()
	if err != nil {
		return fail("%v", err)
	}
	str := func(s string) *string { return &s }
	num := func(n int) *int { return &n }
	var rooms apiclient.CreateReservation_Rooms
	if err := rooms.FromCreateReservationRooms0(1); err != nil {
		return fail("%v", err)
	}
	hold := false
	body := apiclient.CreateReservation{
		Hotel: &r.hotel, RoomType: &r.offer.RoomType, RatePlan: &r.offer.RatePlan,
		CheckIn: &in, CheckOut: &out, Adults: num(adults), Children: num(0), Rooms: &rooms,
		Guest: &apiclient.GuestInput{Name: str("Smoke Test"), Email: &r.email}, Hold: &hold,
		Payment: &apiclient.PaymentInput{PaymentMethod: str(TestCard)},
	}
	ctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	key := awsid.UUID()
	ans, err := api.CreateReservationWithResponse(ctx, &apiclient.CreateReservationParams{IdempotencyKey: &key}, body)
	if err != nil {
		return fail("%v", err)
	}
	a := answerOf(ans.HTTPResponse, ans.Body)
	var res reservation
	if err := a.decode(http.StatusCreated, &res); err != nil {
		return fail("%v", err)
	}
	if res.Reservation.Reference == "" || res.AccessToken == "" {
		return fail("%d without a reference or access token: %s", a.status, clip(a.body))
	}
	r.ref, r.token = res.Reservation.Reference, res.AccessToken
	return pass("%d %s %s for %s", a.status, r.ref, res.Reservation.Status, r.email)
}

func (r *run) readReservation(ctx context.Context) outcome {
	if r.ref == "" {
		return skip("no reservation (create-reservation did not pass)")
	}
	api, err := r.generated()
	if err != nil {
		return fail("%v", err)
	}
	ctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	ans, err := api.GetReservationWithResponse(ctx, r.ref, r.bearer)
	if err != nil {
		return fail("%v", err)
	}
	a := answerOf(ans.HTTPResponse, ans.Body)
	var res reservation
	if err := a.decode(http.StatusOK, &res); err != nil {
		return fail("%v", err)
	}
	if res.Reservation.Reference != r.ref || res.Reservation.Status != "confirmed" {
		return fail("%d, %s is %q, want confirmed", a.status, res.Reservation.Reference, res.Reservation.Status)
	}
	return pass("%d %s confirmed", a.status, r.ref)
}

// cancelReservation runs whenever the booking exists, even if reading
// it back failed: the run leaves no booking behind.
func (r *run) cancelReservation(ctx context.Context) outcome {
	if r.ref == "" {
		return skip("no reservation (create-reservation did not pass)")
	}
	api, err := r.generated()
	if err != nil {
		return fail("%v (%s may still be confirmed)", err, r.ref)
	}
	ctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	key := awsid.UUID()
	ans, err := api.CancelReservationWithResponse(ctx, r.ref, &apiclient.CancelReservationParams{IdempotencyKey: &key},
		apiclient.EmptyCommand{}, r.bearer)
	if err != nil {
		return fail("%v (%s may still be confirmed)", err, r.ref)
	}
	a := answerOf(ans.HTTPResponse, ans.Body)
	var res reservation
	if err := a.decode(http.StatusOK, &res); err != nil {
		return fail("%v (%s may still be confirmed)", err, r.ref)
	}
	if res.Reservation.Status != "cancelled" {
		return fail("%d, %s is %q, want cancelled", a.status, r.ref, res.Reservation.Status)
	}
	r.cancelled = true
	return pass("%d %s cancelled", a.status, r.ref)
}

// bearer sends the reservation's access token.
func (r *run) bearer(_ context.Context, req *http.Request) error {
	req.Header.Set("Authorization", "Bearer "+r.token)
	return nil
}
