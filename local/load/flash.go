package load

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/oapi-codegen/runtime/types"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"innkeeper/local/apiclient"
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
	adm, err := api(setup, c.URL, c.AdminKey)
	if err != nil {
		return rep, err
	}
	from, to, err := dates(f.Night, next)
	if err != nil {
		return rep, err
	}
	text := func(s string) *string { return &s }
	num := func(n int) *int { return &n }
	steps := []struct {
		op   string
		call func() (int, []byte, error)
		want int
	}{
		{"create hotel", func() (int, []byte, error) {
			r, err := adm.CreateHotelWithResponse(ctx, apiclient.AdminHotelCreate{Slug: text(f.Hotel), Name: text("Flash sale " + run),
				City: text("Lisbon"), Country: text("PT"), Timezone: text("Europe/Lisbon"), Currency: text("EUR")})
			if err != nil {
				return 0, nil, err
			}
			return r.StatusCode(), r.Body, nil
		}, http.StatusCreated},
		{"create room type", func() (int, []byte, error) {
			r, err := adm.CreateRoomTypeWithResponse(ctx, f.Hotel, apiclient.AdminRoomTypeCreate{Code: text(f.RoomType),
				Name: text("Flash sale room"), MaxAdults: num(2), MaxChildren: num(0)})
			if err != nil {
				return 0, nil, err
			}
			return r.StatusCode(), r.Body, nil
		}, http.StatusCreated},
		{"create rate plan", func() (int, []byte, error) {
			r, err := adm.CreateRatePlanWithResponse(ctx, f.Hotel, apiclient.AdminRatePlanCreate{RoomType: text(f.RoomType),
				Code: text(plan), Name: text("Flash sale"), Refundable: true, FreeCancellationHours: num(24), PenaltyPercent: num(0)})
			if err != nil {
				return 0, nil, err
			}
			return r.StatusCode(), r.Body, nil
		}, http.StatusCreated},
		{"set inventory", func() (int, []byte, error) {
			r, err := adm.SetInventoryWithResponse(ctx, f.Hotel, apiclient.AdminInventory{RoomType: f.RoomType,
				From: from, To: to, Units: f.Units})
			if err != nil {
				return 0, nil, err
			}
			return r.StatusCode(), r.Body, nil
		}, http.StatusOK},
		{"set rates", func() (int, []byte, error) {
			r, err := adm.SetRatesWithResponse(ctx, f.Hotel, apiclient.AdminRates{RatePlan: plan, From: from, To: to, AmountCents: 9900})
			if err != nil {
				return 0, nil, err
			}
			return r.StatusCode(), r.Body, nil
		}, http.StatusOK},
	}
	for _, s := range steps {
		st, b, err := s.call()
		if err == nil {
			err = expect(s.op, st, b, s.want)
		}
		if err != nil {
			return rep, fmt.Errorf("load: flash sale set-up: %s: %w", s.op, err)
		}
	}
	// The guest's view before the sale: every unit free.
	guestAPI, err := api(setup, c.URL, "")
	if err != nil {
		return rep, err
	}
	one, zero := "1", "0"
	ar, err := guestAPI.HotelAvailabilityWithResponse(ctx, f.Hotel, &apiclient.HotelAvailabilityParams{
		CheckIn: &f.Night, CheckOut: &next, Adults: &one, Children: &zero, Rooms: &one})
	if err != nil {
		return rep, fmt.Errorf("load: flash sale availability: %w", err)
	}
	if err := expect("flash sale availability", ar.StatusCode(), ar.Body, http.StatusOK); err != nil {
		return rep, err
	}
	if offers := ar.JSON200.Offers; len(offers) == 0 || offers[0].Available != f.Units {
		return rep, fmt.Errorf("load: flash sale set-up: availability shows %+v, want %d units of %s", offers, f.Units, f.RoomType)
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

// dates parses the set-up's from and to dates for the generated client.
func dates(from, to string) (f, t types.Date, err error) {
	if f.Time, err = time.Parse(time.DateOnly, from); err != nil {
		return f, t, fmt.Errorf("load: date %q: %w", from, err)
	}
	if t.Time, err = time.Parse(time.DateOnly, to); err != nil {
		return f, t, fmt.Errorf("load: date %q: %w", to, err)
	}
	return f, t, nil
}
