package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"innkeeper/local/testenv"
	"innkeeper/shared/booking"
	"innkeeper/shared/redisclient"
	"innkeeper/shared/searchcache"
)

// cityStay is the stay the city tests search: three nights.
var cityStay = booking.Stay{CheckIn: booking.MustDate("2026-12-10"), CheckOut: booking.MustDate("2026-12-13"), Adults: 2, Rooms: 1}

// cityHotel is a hotel to seed: its room types, each with plans and a
// nightly price (0: no rate set), and units per room type.
type cityHotel struct {
	slug, name, city, currency string
	rooms                      []cityRoom
}

type cityRoom struct {
	code      string
	maxAdults int
	units     int
	plans     map[string]int64 // plan code → nightly price; 0 leaves the plan without rates
}

func seedCity(t *testing.T, svc *booking.Service, hotels ...cityHotel) {
	t.Helper()
	ctx := context.Background()
	rng := booking.DateRange{From: booking.MustDate("2026-12-01"), To: booking.MustDate("2027-01-01")}
	for _, h := range hotels {
		if _, err := svc.CreateHotel(ctx, booking.Hotel{Slug: h.slug, Name: h.name, City: h.city, Country: "BR",
			Timezone: "America/Sao_Paulo", Currency: h.currency}, bySeed); err != nil {
			t.Fatal(err)
		}
		for _, rt := range h.rooms {
			if _, err := svc.CreateRoomType(ctx, h.slug, booking.RoomType{Code: rt.code, Name: rt.code, MaxAdults: rt.maxAdults, MaxChildren: 2}, bySeed); err != nil {
				t.Fatal(err)
			}
			if err := svc.SetInventory(ctx, h.slug, rt.code, rng, rt.units, bySeed); err != nil {
				t.Fatal(err)
			}
			for code, price := range rt.plans {
				if _, err := svc.CreateRatePlan(ctx, h.slug, booking.RatePlan{RoomTypeCode: rt.code, Code: code, Name: code, Refundable: true, FreeCancellationHours: 24}, bySeed); err != nil {
					t.Fatal(err)
				}
				if price > 0 {
					if err := svc.SetRates(ctx, h.slug, code, rng, price, bySeed); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
	}
}

func searchAll(t *testing.T, svc *booking.Service, q booking.CitySearch) []booking.CityOffer {
	t.Helper()
	var all []booking.CityOffer
	for pages := 0; ; pages++ {
		page, next, err := svc.SearchCity(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if q.Limit > 0 && len(page) > q.Limit {
			t.Fatalf("page of %d, limit %d", len(page), q.Limit)
		}
		all = append(all, page...)
		if next == nil {
			return all
		}
		if pages > 100 {
			t.Fatal("paging does not end")
		}
		q.After = next
	}
}

func slugs(offers []booking.CityOffer) []string {
	var out []string
	for _, o := range offers {
		out = append(out, o.Hotel.Slug)
	}
	return out
}

// The best offer is the cheapest plan that can sell the whole stay for
// the guests; a hotel that cannot sell it is left out; the city matches
// whatever its case and accents.
func TestCitySearchBestOfferPerHotel(t *testing.T) {
	t.Parallel()
	st := testenv.Store(t)
	svc := booking.NewService(st, func() time.Time { return clock })
	seedCity(t, svc,
		cityHotel{"centro", "Centro", "São Paulo", "BRL", []cityRoom{
			{"DBL", 2, 3, map[string]int64{"DBL-FLEX": 20000, "DBL-SAVER": 15000, "DBL-NORATE": 0}},
			{"FAM", 4, 1, map[string]int64{"FAM-FLEX": 40000}},
		}},
		// Cheaper than anything, but sold out.
		cityHotel{"lotado", "Lotado", "Sao Paulo", "BRL", []cityRoom{{"DBL", 2, 0, map[string]int64{"DBL-FLEX": 100}}}},
		cityHotel{"paulista", "Paulista", "SÃO PAULO", "BRL", []cityRoom{{"DBL", 2, 1, map[string]int64{"DBL-FLEX": 18000}}}},
		cityHotel{"rio", "Rio", "Rio de Janeiro", "BRL", []cityRoom{{"DBL", 2, 5, map[string]int64{"DBL-FLEX": 1000}}}},
		cityHotel{"fechado", "Fechado", "São Paulo", "BRL", []cityRoom{{"DBL", 2, 5, map[string]int64{"DBL-FLEX": 1000}}}},
	)
	ctx := context.Background()
	if _, err := svc.ArchiveHotel(ctx, "fechado", true, editor); err != nil {
		t.Fatal(err)
	}
	got := searchAll(t, svc, booking.CitySearch{City: "  sao PAULO ", Stay: cityStay})
	if want := []string{"centro", "paulista"}; !slices.Equal(slugs(got), want) {
		t.Fatalf("hotels %v, want %v", slugs(got), want)
	}
	best := got[0].Offer
	if best.RatePlan.Code != "DBL-SAVER" || best.TotalCents != 3*15000 || best.Available != 3 || best.Currency != "BRL" {
		t.Fatalf("centro's best offer %s %d (%d free), want DBL-SAVER 45000 (3 free)", best.RatePlan.Code, best.TotalCents, best.Available)
	}

	// Three adults fit only the family room: its plan is the best.
	three := cityStay
	three.Adults = 3
	got = searchAll(t, svc, booking.CitySearch{City: "São Paulo", Stay: three})
	if len(got) != 1 || got[0].Hotel.Slug != "centro" || got[0].Offer.RatePlan.Code != "FAM-FLEX" || got[0].Offer.TotalCents != 3*40000 {
		t.Fatalf("three adults: %+v", got)
	}

	// Two rooms: only centro's double has two free; the total is for both.
	two := cityStay
	two.Rooms = 2
	got = searchAll(t, svc, booking.CitySearch{City: "São Paulo", Stay: two})
	if len(got) != 1 || got[0].Offer.RatePlan.Code != "DBL-SAVER" || got[0].Offer.TotalCents != 2*3*15000 {
		t.Fatalf("two rooms: %+v", got)
	}

	// A plan missing one night's price cannot sell the stay.
	if _, err := st.Pool().Exec(ctx, `DELETE FROM rates WHERE night = '2026-12-12' AND rate_plan_id =
		(SELECT id FROM rate_plans WHERE code = 'DBL-SAVER')`); err != nil {
		t.Fatal(err)
	}
	got = searchAll(t, svc, booking.CitySearch{City: "São Paulo", Stay: cityStay})
	if len(got) != 2 || got[0].Hotel.Slug != "paulista" || got[1].Offer.RatePlan.Code != "DBL-FLEX" {
		t.Fatalf("without the saver's night: %+v", got)
	}

	// No hotel in the city: an empty answer, not an error.
	if got := searchAll(t, svc, booking.CitySearch{City: "Atlantis", Stay: cityStay}); len(got) != 0 {
		t.Fatalf("Atlantis: %+v", got)
	}
}

// Paging by price or by name goes through every hotel once, in order;
// prices of different currencies are grouped by currency code.
func TestCitySearchPagesWithoutGapsOrRepeats(t *testing.T) {
	t.Parallel()
	st := testenv.Store(t)
	svc := booking.NewService(st, func() time.Time { return clock })
	var hotels []cityHotel
	for i := range 13 {
		cur := "BRL"
		if i%3 == 0 {
			cur = "USD"
		}
		// Prices repeat (i%4), so ties are broken by slug.
		hotels = append(hotels, cityHotel{fmt.Sprintf("h%02d", i), fmt.Sprintf("Hotel %c", 'M'-i), "Campinas", cur,
			[]cityRoom{{"DBL", 2, 2, map[string]int64{"DBL-FLEX": int64(10000 + 1000*(i%4))}}}})
	}
	seedCity(t, svc, hotels...)

	for _, limit := range []int{1, 5, 13, 50} {
		byPrice := searchAll(t, svc, booking.CitySearch{City: "campinas", Stay: cityStay, Limit: limit})
		if len(byPrice) != 13 {
			t.Fatalf("limit %d: %d hotels by price, want 13: %v", limit, len(byPrice), slugs(byPrice))
		}
		seen := map[string]bool{}
		for i, o := range byPrice {
			if seen[o.Hotel.Slug] {
				t.Fatalf("limit %d: %s twice", limit, o.Hotel.Slug)
			}
			seen[o.Hotel.Slug] = true
			if i == 0 {
				continue
			}
			p := byPrice[i-1]
			if p.Offer.Currency > o.Offer.Currency ||
				(p.Offer.Currency == o.Offer.Currency && (p.Offer.TotalCents > o.Offer.TotalCents ||
					(p.Offer.TotalCents == o.Offer.TotalCents && p.Hotel.Slug > o.Hotel.Slug))) {
				t.Fatalf("limit %d: %s (%s %d) before %s (%s %d)", limit, p.Hotel.Slug, p.Offer.Currency, p.Offer.TotalCents,
					o.Hotel.Slug, o.Offer.Currency, o.Offer.TotalCents)
			}
		}
		if byPrice[0].Offer.Currency != "BRL" || byPrice[12].Offer.Currency != "USD" {
			t.Fatalf("limit %d: BRL hotels must come before USD ones", limit)
		}

		byName := searchAll(t, svc, booking.CitySearch{City: "Campinas", Stay: cityStay, Sort: booking.SortName, Limit: limit})
		var names []string
		for _, o := range byName {
			names = append(names, o.Hotel.Name)
		}
		if len(names) != 13 || !slices.IsSorted(names) || len(slices.Compact(slices.Clone(names))) != 13 {
			t.Fatalf("limit %d: by name %v", limit, names)
		}
	}

	// A cursor of one sort is refused by the other.
	_, next, err := svc.SearchCity(context.Background(), booking.CitySearch{City: "Campinas", Stay: cityStay, Limit: 2})
	if err != nil || next == nil {
		t.Fatal(next, err)
	}
	if _, _, err := svc.SearchCity(context.Background(), booking.CitySearch{City: "Campinas", Stay: cityStay, Sort: booking.SortName, After: next}); !invalidField(err, "cursor") {
		t.Fatalf("a price cursor by name: %v", err)
	}
}

// cachedService is a Service whose city searches are cached in Redis.
func cachedService(t *testing.T, st booking.Store, rc *redisclient.Client) (*booking.Service, *searchcache.Cache) {
	c := searchcache.New(rc.Ready, rc.Key(""), time.Second, nil)
	svc := booking.NewService(st, func() time.Time { return clock })
	svc.UseSearchCache(c)
	return svc, c
}

// A cached answer is served until something that changes what is sold
// is written through a Service sharing the cache, in any process: rates,
// inventory, a booking, a cancellation. Then the next search reads the
// change.
func TestCitySearchCacheIsInvalidatedByWrites(t *testing.T) {
	t.Parallel()
	st := testenv.Store(t)
	rc := testenv.Redis(t)
	svc, cache := cachedService(t, st, rc)
	other, _ := cachedService(t, st, rc) // another API process
	seedCity(t, svc,
		cityHotel{"a", "A", "Curitiba", "BRL", []cityRoom{{"DBL", 2, 2, map[string]int64{"DBL-FLEX": 10000}}}},
		cityHotel{"b", "B", "Curitiba", "BRL", []cityRoom{{"DBL", 2, 1, map[string]int64{"DBL-FLEX": 12000}}}},
	)
	ctx := context.Background()
	search := func(s *booking.Service) map[string]booking.Offer {
		t.Helper()
		page, _, err := s.SearchCity(ctx, booking.CitySearch{City: "Curitiba", Stay: cityStay})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]booking.Offer{}
		for _, o := range page {
			out[o.Hotel.Slug] = o.Offer
		}
		return out
	}
	if got := search(svc); got["a"].TotalCents != 30000 || got["a"].Available != 2 || got["b"].TotalCents != 36000 {
		t.Fatalf("first search %+v", got)
	}
	// A write behind the service's back (no invalidation) is not seen:
	// the answer comes from the cache, for both processes.
	if _, err := st.Pool().Exec(ctx, `UPDATE rates SET amount_cents = 1`); err != nil {
		t.Fatal(err)
	}
	if got := search(other); got["a"].TotalCents != 30000 {
		t.Fatalf("the cache was not used: %+v", got)
	}

	// Rates set through the other process: both see them at once.
	dates := booking.DateRange{From: cityStay.CheckIn, To: cityStay.CheckOut}
	if err := other.SetRates(ctx, "a", "DBL-FLEX", dates, 9000, bySeed); err != nil {
		t.Fatal(err)
	}
	if got := search(svc); got["a"].TotalCents != 27000 || got["b"].TotalCents != 3 {
		t.Fatalf("after SetRates %+v", got)
	}

	// Inventory: b closed.
	if err := svc.SetInventory(ctx, "b", "DBL", dates, 0, bySeed); err != nil {
		t.Fatal(err)
	}
	if got := search(other); len(got) != 1 || got["a"].Available != 2 {
		t.Fatalf("after SetInventory %+v", got)
	}

	// A booking takes one of a's two rooms: the cached answer may not
	// claim it.
	r, token, err := other.Book(ctx, booking.BookRequest{Hotel: "a", RoomType: "DBL", RatePlan: "DBL-FLEX", Stay: cityStay,
		Guest: booking.Guest{Name: "Guest", Email: "g@example.com"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := search(svc); got["a"].Available != 1 {
		t.Fatalf("after a booking %+v", got)
	}
	// And its cancellation gives it back.
	if _, err := svc.Cancel(ctx, r.Reference, token, nil); err != nil {
		t.Fatal(err)
	}
	if got := search(other); got["a"].Available != 2 {
		t.Fatalf("after a cancellation %+v", got)
	}
	// A stop-sell on a's plan, set through one process: a leaves the
	// city's answer at once in the other (restrictions drop offers as in
	// the hotel's own search); lifted, it is back.
	stop := func(on bool) {
		t.Helper()
		if err := svc.SetRestrictions(ctx, "a", "DBL-FLEX", dates,
			booking.RestrictionPatch{StopSell: booking.RestrictionFlag{Set: true, Value: on}}, bySeed); err != nil {
			t.Fatal(err)
		}
	}
	stop(true)
	if got := search(other); len(got) != 0 {
		t.Fatalf("after a stop-sell %+v", got)
	}
	stop(false)
	if got := search(other); got["a"].Available != 2 {
		t.Fatalf("after the stop-sell is lifted %+v", got)
	}
	if cache.Failed() != 0 {
		t.Fatalf("%d cache calls failed", cache.Failed())
	}
}

// With Redis gone the search answers from PostgreSQL, counting the
// failures, and writes still succeed.
func TestCitySearchWithoutRedis(t *testing.T) {
	t.Parallel()
	st := testenv.Store(t)
	rc, err := redisclient.Open("redis://"+testenv.FreeAddr(t), redisclient.Options{Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	svc, cache := cachedService(t, st, rc)
	seedCity(t, svc, cityHotel{"a", "A", "Natal", "BRL", []cityRoom{{"DBL", 2, 2, map[string]int64{"DBL-FLEX": 10000}}}})
	for range 2 {
		page, _, err := svc.SearchCity(context.Background(), booking.CitySearch{City: "natal", Stay: cityStay})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) != 1 || page[0].Offer.TotalCents != 30000 {
			t.Fatalf("without Redis %+v", page)
		}
	}
	if cache.Failed() == 0 {
		t.Fatal("Redis was down and no failure was counted")
	}
}

func invalidField(err error, field string) bool {
	var v *booking.ValidationError
	return errors.As(err, &v) && v.Fields[field] != ""
}
