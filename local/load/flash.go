package load

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Flash is a flash sale's outcome.
type Flash struct {
	Hotel, RoomType, Night string
	// Clients raced for Units rooms.
	Clients, Units int
	// Created are the 201s, SoldOut the 409 sold-out problems, Other
	// every other answer (or none).
	Created, SoldOut, Other int
	// What PostgreSQL has for the night afterwards: its units and sold,
	// and the rooms of the held and confirmed reservations on it.
	UnitsInDB, SoldInDB, BookedInDB int
}

// Failures lists how the sale differs from exactly Units sold.
func (f *Flash) Failures() []string {
	var out []string
	if f.Created != f.Units {
		out = append(out, fmt.Sprintf("flash sale: %d bookings succeeded for %d units", f.Created, f.Units))
	}
	if f.SoldOut != f.Clients-f.Units {
		out = append(out, fmt.Sprintf("flash sale: %d sold-out answers, want %d", f.SoldOut, f.Clients-f.Units))
	}
	if f.Other != 0 {
		out = append(out, fmt.Sprintf("flash sale: %d answers were neither 201 nor sold out", f.Other))
	}
	if f.UnitsInDB != f.Units || f.SoldInDB != f.Units || f.BookedInDB != f.Units {
		out = append(out, fmt.Sprintf("flash sale: PostgreSQL has units %d, sold %d, rooms booked %d; want %d each",
			f.UnitsInDB, f.SoldInDB, f.BookedInDB, f.Units))
	}
	return out
}

// flashDaysAhead is how far ahead the flash sale's night is.
const flashDaysAhead = 30

// FlashSale opens a fresh hotel with one room type of c.FlashUnits units
// for a single night (through the staff API, with c.AdminKey), then sends
// c.FlashClients bookings of one room for that night at once, each with
// its own Idempotency-Key, and reads the night back from PostgreSQL. A
// hotel of its own keeps the demo hotels' catalogue as it was.
func FlashSale(ctx context.Context, c Config) (Report, error) {
	c = c.withDefaults()
	rep := Report{Name: "flash sale", URL: c.URL}
	if err := c.validate(true); err != nil {
		return rep, err
	}
	setup := newClient(4, c.Timeout)
	defer setup.CloseIdleConnections()
	run := runID()
	f := &Flash{Hotel: "flash-sale-" + run, RoomType: "FLASH", Clients: c.FlashClients, Units: c.FlashUnits}
	night := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, flashDaysAhead)
	f.Night = night.Format(time.DateOnly)
	next := night.AddDate(0, 0, 1).Format(time.DateOnly)
	plan := f.RoomType + "-FLEX"
	admin := c.URL + "/v1/admin/hotels"
	steps := []struct {
		method, url string
		body        any
		want        int
	}{
		{http.MethodPost, admin, map[string]any{"slug": f.Hotel, "name": "Flash sale " + run, "city": "Lisbon",
			"country": "PT", "timezone": "Europe/Lisbon", "currency": "EUR"}, http.StatusCreated},
		{http.MethodPost, admin + "/" + f.Hotel + "/room-types", map[string]any{"code": f.RoomType, "name": "Flash sale room",
			"max_adults": 2, "max_children": 0}, http.StatusCreated},
		{http.MethodPost, admin + "/" + f.Hotel + "/rate-plans", map[string]any{"room_type": f.RoomType, "code": plan,
			"name": "Flash sale", "refundable": true, "free_cancellation_hours": 24, "penalty_percent": 0}, http.StatusCreated},
		{http.MethodPut, admin + "/" + f.Hotel + "/inventory", map[string]any{"room_type": f.RoomType, "from": f.Night,
			"to": next, "units": f.Units}, http.StatusOK},
		{http.MethodPut, admin + "/" + f.Hotel + "/rates", map[string]any{"rate_plan": plan, "from": f.Night,
			"to": next, "amount_cents": 9900}, http.StatusOK},
	}
	for _, s := range steps {
		if err := call(ctx, setup, s.method, s.url, c.AdminKey, s.body, nil, s.want); err != nil {
			return rep, fmt.Errorf("load: flash sale set-up: %w", err)
		}
	}
	// The guest's view before the sale: every unit free.
	var avail struct {
		Offers []struct {
			RoomType  string `json:"room_type"`
			Available int    `json:"available"`
		} `json:"offers"`
	}
	q := url.Values{"check_in": {f.Night}, "check_out": {next}, "adults": {"1"}, "children": {"0"}, "rooms": {"1"}}
	if err := call(ctx, setup, http.MethodGet, c.URL+"/v1/hotels/"+f.Hotel+"/availability?"+q.Encode(), "", nil, &avail, http.StatusOK); err != nil {
		return rep, err
	}
	if len(avail.Offers) == 0 || avail.Offers[0].Available != f.Units {
		return rep, fmt.Errorf("load: flash sale set-up: availability shows %+v, want %d units of %s", avail.Offers, f.Units, f.RoomType)
	}

	body, err := json.Marshal(bookingRequest{Hotel: f.Hotel, RoomType: f.RoomType, RatePlan: plan,
		CheckIn: f.Night, CheckOut: next, Adults: 1, Rooms: 1,
		Guest: guest{Name: "Flash Sale", Email: "flash+" + run + "@example.com"}}.withCard())
	if err != nil {
		return rep, fmt.Errorf("load: encode booking: %w", err)
	}
	var n atomic.Uint64
	target := func(t *vegeta.Target) error {
		t.Method, t.URL, t.Body = http.MethodPost, c.URL+"/v1/reservations", body
		t.Header = http.Header{
			"Content-Type":    {"application/json"},
			"Idempotency-Key": {"flash-" + run + "-" + strconv.FormatUint(n.Add(1), 10)},
		}
		return nil
	}
	// Every client has a worker and a connection of its own, all started
	// before the first request, and the pacer lets all of them go at once.
	clients := uint64(c.FlashClients)
	client := newClient(c.FlashClients, max(c.Timeout, 30*time.Second))
	defer client.CloseIdleConnections()
	atk := vegeta.NewAttacker(vegeta.Client(client), vegeta.Workers(clients), vegeta.MaxWorkers(clients))
	stop := context.AfterFunc(ctx, func() { atk.Stop() })
	t := newTally("flash sale", 0, c.FlashClients)
	t.metrics.Histogram = &vegeta.Histogram{Buckets: histogramBuckets}
	for res := range atk.Attack(target, allAtOnce(clients), 0, "flash-sale") {
		cl := classify(res)
		t.add(res, cl)
		switch {
		case res.Code == http.StatusCreated:
			f.Created++
		case cl == classSoldOut:
			f.SoldOut++
		default:
			f.Other++
		}
	}
	stop()
	rep.Total, rep.Flash = t.finish(), f
	rep.Histogram = buckets(t.metrics.Histogram)
	if err := ctx.Err(); err != nil {
		return rep, fmt.Errorf("load: flash sale cut short: %w", err)
	}
	f.UnitsInDB, f.SoldInDB, f.BookedInDB, err = flashInventory(ctx, c.DatabaseURL, f.Hotel, f.RoomType, night)
	return rep, err
}

// allAtOnce is a vegeta.Pacer that sends its number of hits without
// waiting, then stops.
type allAtOnce uint64

func (a allAtOnce) Pace(_ time.Duration, hits uint64) (time.Duration, bool) {
	return 0, hits >= uint64(a)
}

func (allAtOnce) Rate(time.Duration) float64 { return math.Inf(1) }
