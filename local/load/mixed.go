package load

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Mixed runs searches and bookings, c.SearchesPerBooking to one, at the
// rising rates of c.Rates, each for an equal share of c.Duration, then
// runs the overbooking check. It returns the report so far with an
// error when ctx ends the run early or the check cannot run; failed
// requests and a failed check are in the report (Report.Failures), not
// the error.
func Mixed(ctx context.Context, c Config) (Report, error) {
	c = c.withDefaults()
	rep := Report{Name: "mixed", URL: c.URL}
	if err := c.validate(false); err != nil {
		return rep, err
	}
	client := newClient(c.MaxWorkers, c.Timeout)
	defer client.CloseIdleConnections()
	rooms, err := catalogue(ctx, client, c.URL, c.Hotels)
	if err != nil {
		return rep, err
	}
	today := time.Now().UTC().Truncate(24 * time.Hour)
	m := &mix{base: c.URL, rooms: rooms, first: today.AddDate(0, 0, c.WindowStart), days: c.WindowDays,
		every: uint64(c.SearchesPerBooking) + 1, run: runID()}

	total := newTally("total", 0, c.MaxWorkers)
	total.metrics.Histogram = &vegeta.Histogram{Buckets: histogramBuckets}
	searches, bookings := newTally("searches", 0, 0), newTally("bookings", 0, 0)
	var refs []string
	step := c.Duration / time.Duration(len(c.Rates))
	for i, rate := range c.Rates {
		name := "step " + strconv.Itoa(i+1)
		st := newTally(name, rate, c.MaxWorkers)
		atk := vegeta.NewAttacker(vegeta.Client(client),
			vegeta.Workers(uint64(min(4, c.MaxWorkers))), vegeta.MaxWorkers(uint64(c.MaxWorkers)))
		stop := context.AfterFunc(ctx, func() { atk.Stop() })
		for res := range atk.Attack(m.target, vegeta.Rate{Freq: rate, Per: time.Second}, step, name) {
			cl := classify(res)
			st.add(res, cl)
			total.add(res, cl)
			if res.Method == http.MethodPost {
				bookings.add(res, cl)
				if res.Code == http.StatusCreated {
					refs = append(refs, reference(res.Body))
				}
			} else {
				searches.add(res, cl)
			}
		}
		stop()
		rep.Steps = append(rep.Steps, st.finish())
		if ctx.Err() != nil {
			break
		}
	}
	rep.Searches, rep.Bookings, rep.Total = searches.finish(), bookings.finish(), total.finish()
	rep.Histogram = buckets(total.metrics.Histogram)
	if err := ctx.Err(); err != nil {
		return rep, fmt.Errorf("load: mixed run cut short: %w", err)
	}
	if rep.Check, err = checkInventory(ctx, c.DatabaseURL, refs); err != nil {
		return rep, err
	}
	return rep, nil
}

// reference is the reservation reference of a 201's body.
func reference(body []byte) string {
	var v struct {
		Reservation struct {
			Reference string `json:"reference"`
		} `json:"reservation"`
	}
	_ = json.Unmarshal(body, &v)
	return v.Reservation.Reference
}

// mix makes the mixed run's requests. Its target method is called by
// many workers at once.
type mix struct {
	base  string
	rooms []roomType
	first time.Time // the window's first night
	days  int       // nights in the window
	every uint64    // one booking in every this many requests
	run   string
	n     atomic.Uint64
}

// bookingRequest is the body of POST /v1/reservations.
type bookingRequest struct {
	Hotel    string `json:"hotel"`
	RoomType string `json:"room_type"`
	RatePlan string `json:"rate_plan"`
	CheckIn  string `json:"check_in"`
	CheckOut string `json:"check_out"`
	Adults   int    `json:"adults"`
	Children int    `json:"children"`
	Rooms    int    `json:"rooms"`
	Guest    guest  `json:"guest"`
	Hold     bool   `json:"hold"`
	// Payment is the card a booking pays with; a hold takes none (the
	// API refuses one) and would pay when confirmed.
	Payment *payment `json:"payment,omitempty"`
}

// payment is the "payment" member of a booking: the id of a
// PaymentMethod the guest's browser made with Stripe.js.
type payment struct {
	PaymentMethod string `json:"payment_method"`
}

// TestCard is what the load test's bookings pay with: Stripe's test
// Visa, which succeeds with no authentication in the devstack's
// emulator and in a Stripe test-mode account (never point the load test
// at production, whose Stripe is live).
const TestCard = "pm_card_visa"

// withCard is b paid with TestCard, unless it is a hold.
func (b bookingRequest) withCard() bookingRequest {
	if !b.Hold {
		b.Payment = &payment{PaymentMethod: TestCard}
	}
	return b
}

type guest struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone,omitempty"`
}

// target is a vegeta.Targeter: a random stay of a random room type in
// the window, searched for or booked (one request in m.every; every
// fourth booking a hold, the others paid with TestCard), with an
// Idempotency-Key of its own.
func (m *mix) target(t *vegeta.Target) error {
	n := m.n.Add(1)
	rt := m.rooms[rand.IntN(len(m.rooms))]
	nights := 1 + rand.IntN(min(3, m.days))
	checkIn := m.first.AddDate(0, 0, rand.IntN(m.days-nights+1))
	checkOut := checkIn.AddDate(0, 0, nights)
	rooms := 1 + rand.IntN(2)
	adults := rooms * (1 + rand.IntN(min(2, rt.maxAdults)))
	if n%m.every != 0 {
		q := url.Values{}
		q.Set("check_in", checkIn.Format(time.DateOnly))
		q.Set("check_out", checkOut.Format(time.DateOnly))
		q.Set("adults", strconv.Itoa(adults))
		q.Set("children", "0")
		q.Set("rooms", strconv.Itoa(rooms))
		t.Method, t.URL = http.MethodGet, m.base+"/v1/hotels/"+rt.hotel+"/availability?"+q.Encode()
		return nil
	}
	body, err := json.Marshal(bookingRequest{
		Hotel: rt.hotel, RoomType: rt.code, RatePlan: rt.ratePlans[rand.IntN(len(rt.ratePlans))],
		CheckIn: checkIn.Format(time.DateOnly), CheckOut: checkOut.Format(time.DateOnly),
		Adults: adults, Rooms: rooms,
		Guest: guest{Name: "Load Test", Email: fmt.Sprintf("load-%s-%d@example.com", m.run, n)},
		Hold:  (n/m.every)%4 == 0,
	}.withCard())
	if err != nil {
		return fmt.Errorf("load: encode booking: %w", err)
	}
	t.Method, t.URL, t.Body = http.MethodPost, m.base+"/v1/reservations", body
	t.Header = http.Header{
		"Content-Type":    {"application/json"},
		"Idempotency-Key": {fmt.Sprintf("load-%s-%d", m.run, n)},
	}
	return nil
}
