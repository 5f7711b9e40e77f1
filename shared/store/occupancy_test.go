package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"innkeeper/local/testenv"
	"innkeeper/shared/booking"
)

var lisbonBands = booking.AgeBands{
	{Code: "infant", Name: "Infants", MinAge: 0, MaxAge: 2},
	{Code: "child", Name: "Children", MinAge: 3, MaxAge: 12},
}

// withFamily adds to f's hotel a family room (3 adults, 2 children) sold
// under FAM-FLEX at 10000 a night: base 2 adults, a third 3000, a child
// of the child band 1500, infants free; and the hotel's bands.
func (f fixture) withFamily(t *testing.T) fixture {
	t.Helper()
	ctx := context.Background()
	if _, err := f.svc.CreateRoomType(ctx, "h", booking.RoomType{Code: "FAM", Name: "Family", MaxAdults: 3, MaxChildren: 2}, bySeed); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CreateRatePlan(ctx, "h", booking.RatePlan{RoomTypeCode: "FAM", Code: "FAM-FLEX", Name: "Family flex",
		Refundable: true, FreeCancellationHours: 48, PenaltyPercent: 25,
		Occupancy: booking.Occupancy{BaseOccupancy: 2, ExtraAdultCents: 3000, ExtraChildCents: map[string]int64{"child": 1500}},
	}, bySeed); err != nil {
		t.Fatal(err)
	}
	rng := booking.DateRange{From: booking.MustDate("2026-12-01"), To: booking.MustDate("2027-02-01")}
	if err := f.svc.SetInventory(ctx, "h", "FAM", rng, 3, bySeed); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SetRates(ctx, "h", "FAM-FLEX", rng, 10000, bySeed); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SetAgeBands(ctx, "h", lisbonBands, bySeed); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f fixture) bookFamily(ctx context.Context, adults int, ages ...int) (booking.Reservation, string, error) {
	return f.svc.Book(ctx, booking.BookRequest{
		Hotel: "h", RoomType: "FAM", RatePlan: "FAM-FLEX",
		Stay: booking.Stay{CheckIn: booking.MustDate("2026-12-10"), CheckOut: booking.MustDate("2026-12-12"),
			Adults: adults, Children: len(ages), ChildrenAges: ages, Rooms: 1},
		Guest: booking.Guest{Name: "Family", Email: "family@example.com"},
	}, nil)
}

func TestFamilyBookingKeepsItsOccupancyPrice(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 3).withFamily(t)
	ctx := context.Background()

	// The catalogue shows the bands and the plan's occupancy pricing.
	h, err := f.st.HotelDetail(ctx, "h")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(h.ChildAgeBands, lisbonBands) {
		t.Fatalf("bands %+v", h.ChildAgeBands)
	}
	fam, _ := h.RatePlan("FAM-FLEX")
	if fam.Occupancy.BaseOccupancy != 2 || fam.Occupancy.ExtraAdultCents != 3000 || fam.Occupancy.ExtraChildCents["child"] != 1500 {
		t.Fatalf("FAM-FLEX occupancy %+v", fam.Occupancy)
	}

	// Offers: 2 adults, children 1 and 8, 2 nights:
	// (10000 + 0 infant + 1500 child) × 2 = 23000; DBL (1 child max) is
	// not offered.
	stay := booking.Stay{CheckIn: booking.MustDate("2026-12-10"), CheckOut: booking.MustDate("2026-12-12"),
		Adults: 2, Children: 2, ChildrenAges: []int{1, 8}, Rooms: 1}
	_, offers, err := f.svc.Search(ctx, "h", stay)
	if err != nil {
		t.Fatal(err)
	}
	if len(offers) != 1 || offers[0].RatePlan.Code != "FAM-FLEX" || offers[0].TotalCents != 23000 {
		t.Fatalf("offers %+v, want FAM-FLEX alone at 23000", offers)
	}

	r, token, err := f.bookFamily(ctx, 2, 1, 8)
	if err != nil {
		t.Fatal(err)
	}
	if r.TotalCents != 23000 || r.Price.RoomCents != 23000 {
		t.Fatalf("booked total %d (rooms %d), want (10000 + 1500) × 2 = 23000", r.TotalCents, r.Price.RoomCents)
	}
	got, err := f.st.Reservation(ctx, r.Reference)
	if err != nil {
		t.Fatal(err)
	}
	if got.TotalCents != 23000 || !reflect.DeepEqual(got.ChildrenAges, []int{1, 8}) || got.Children != 2 {
		t.Fatalf("stored total %d, children %d aged %v", got.TotalCents, got.Children, got.ChildrenAges)
	}
	d := f.deskRecord(t, r.Reference) // checks the nights add up to the total
	if want := nights("2026-12-10", 11500, 11500); !reflect.DeepEqual(d.Nights, want) {
		t.Fatalf("nights %v, want %v", d.Nights, want)
	}
	if want := nights("2026-12-10", 10000, 10000); !reflect.DeepEqual(d.Rates, want) {
		t.Fatalf("rates %v, want %v", d.Rates, want)
	}

	// The guest changes the ages: children 8 and 9 both pay 1500, and a
	// 13-year-old would be a third adult. (10000 + 1500 + 1500) × 2 = 26000.
	m, err := f.svc.Modify(ctx, r.Reference, token, booking.Change{ChildrenAges: []int{9, 8}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m.TotalCents != 26000 || !reflect.DeepEqual(m.ChildrenAges, []int{9, 8}) {
		t.Fatalf("modified total %d ages %v, want 26000 [9 8]", m.TotalCents, m.ChildrenAges)
	}
	// A child of 13 and one of 8: adults 3 (10000 + 3000) + 1500 = 14500
	// a night, 29000.
	m, err = f.svc.Modify(ctx, r.Reference, token, booking.Change{ChildrenAges: []int{13, 8}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m.TotalCents != 29000 {
		t.Fatalf("with a 13-year-old: total %d, want 29000", m.TotalCents)
	}
	f.deskRecord(t, r.Reference)
}

func TestFamilyBookingPricesUnderTheCommittedTerms(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 3).withFamily(t)
	ctx := context.Background()
	// Warm the service's catalogue, then change the plan's child price
	// and the bands behind its back: the booking's transaction reads them.
	if _, err := f.svc.Hotel(ctx, "h"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.Pool().Exec(ctx, `UPDATE rate_plans SET extra_child_cents = '{"child": 2000, "infant": 500}'`); err != nil {
		t.Fatal(err)
	}
	r, _, err := f.bookFamily(ctx, 2, 1, 8)
	if err != nil {
		t.Fatal(err)
	}
	// (10000 + 500 infant + 2000 child) × 2 = 25000.
	if r.TotalCents != 25000 {
		t.Fatalf("total %d, want 25000 under the committed plan", r.TotalCents)
	}
	// Bands that no longer cover age 1 refuse the booking, taking nothing.
	if _, err := f.st.Pool().Exec(ctx, `DELETE FROM hotel_age_bands WHERE code = 'infant'`); err != nil {
		t.Fatal(err)
	}
	_, _, err = f.bookFamily(ctx, 2, 1, 8)
	var v *booking.ValidationError
	if !errors.As(err, &v) || v.Fields["children_ages"] == "" {
		t.Fatalf("age 1 without an infant band: %v, want a children_ages error", err)
	}
	var sold int
	if err := f.st.Pool().QueryRow(ctx, `SELECT sold FROM inventory i JOIN room_types rt ON rt.id = i.room_type_id
		WHERE rt.code = 'FAM' AND night = '2026-12-10'`).Scan(&sold); err != nil {
		t.Fatal(err)
	}
	if sold != 1 {
		t.Fatalf("sold %d after a refused booking, want the first booking's 1", sold)
	}
}

func TestSetAgeBandsAuditsAndReplaces(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 1).withFamily(t)
	ctx := context.Background()
	// The same bands again write no audit row.
	if _, err := f.svc.SetAgeBands(ctx, "h", lisbonBands, bySeed); err != nil {
		t.Fatal(err)
	}
	teens := booking.AgeBands{{Code: "child", Name: "Children", MinAge: 0, MaxAge: 11}, {Code: "teen", Name: "Teens", MinAge: 12, MaxAge: 15}}
	if _, err := f.svc.SetAgeBands(ctx, "h", teens, bySeed); err != nil {
		t.Fatal(err)
	}
	rows, err := f.st.Pool().Query(ctx, `SELECT before, after FROM audit_events WHERE action = 'age_bands.set' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var audits [][2][]byte
	for rows.Next() {
		var b, a []byte
		if err := rows.Scan(&b, &a); err != nil {
			t.Fatal(err)
		}
		audits = append(audits, [2][]byte{b, a})
	}
	if len(audits) != 2 {
		t.Fatalf("%d audit rows, want 2 (set, then replaced; the repeat writes none)", len(audits))
	}
	var before, after struct {
		Bands booking.AgeBands `json:"age_bands"`
	}
	if err := json.Unmarshal(audits[1][0], &before); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(audits[1][1], &after); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(before.Bands, lisbonBands) || !reflect.DeepEqual(after.Bands, teens) {
		t.Fatalf("audit before %+v after %+v", before.Bands, after.Bands)
	}
	h, err := f.st.HotelDetail(ctx, "h")
	if err != nil || !reflect.DeepEqual(h.ChildAgeBands, teens) {
		t.Fatalf("bands %+v, %v", h.ChildAgeBands, err)
	}
	// Invalid bands change nothing.
	if _, err := f.svc.SetAgeBands(ctx, "h", booking.AgeBands{{Code: "a", Name: "A", MinAge: 0, MaxAge: 5}, {Code: "b", Name: "B", MinAge: 4, MaxAge: 9}}, bySeed); err == nil {
		t.Fatal("overlapping bands accepted")
	}
	if h, _ = f.st.HotelDetail(ctx, "h"); !reflect.DeepEqual(h.ChildAgeBands, teens) {
		t.Fatalf("bands after a refused edit %+v", h.ChildAgeBands)
	}
}

func TestUpdateRatePlanOccupancy(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 1).withFamily(t)
	ctx := context.Background()
	disc := int64(1000)
	children := map[string]int64{"child": 1800, "infant": 0}
	p, err := f.svc.UpdateRatePlan(ctx, "h", "DBL-FLEX", booking.RatePlanPatch{
		SingleOccupancyDiscountCents: &disc, ExtraChildCents: &children}, editor)
	if err != nil {
		t.Fatal(err)
	}
	h, err := f.st.HotelDetail(ctx, "h")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := h.RatePlan("DBL-FLEX")
	if !reflect.DeepEqual(got.Occupancy, p.Occupancy) || got.Occupancy.SingleOccupancyDiscountCents != 1000 || got.Occupancy.ExtraChildCents["child"] != 1800 {
		t.Fatalf("stored %+v, returned %+v", got.Occupancy, p.Occupancy)
	}
	// One adult alone in DBL now pays 10000 − 1000 = 9000 a night.
	r, _, err := f.book(ctx, "2026-12-10", "2026-12-12", 1)
	if err != nil {
		t.Fatal(err)
	}
	if r.TotalCents != 18000 {
		t.Fatalf("single total %d, want 9000 × 2", r.TotalCents)
	}
	// A base without an extra adult price is refused, changing nothing.
	extra := int64(500)
	if _, err := f.svc.UpdateRatePlan(ctx, "h", "DBL-FLEX", booking.RatePlanPatch{ExtraAdultCents: &extra}, editor); err == nil {
		t.Fatal("extra_adult_cents without base_occupancy accepted")
	}
}

// The children's ages are part of a cached city search's key: the same
// count of children with other ages is another answer. Porto's hotel h
// (newFixture) with the family room: 2 adults and a baby of 1 fit DBL
// (10000 a night, no occupancy pricing); with a 13-year-old instead they
// are 3 adults, who only fit FAM-FLEX: 10000 + 3000 = 13000 a night.
func TestCitySearchCacheKeysTheChildrensAges(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 3).withFamily(t)
	svc, _ := cachedService(t, f.st, testenv.Redis(t))
	ctx := context.Background()
	best := func(ages ...int) booking.Offer {
		t.Helper()
		stay := booking.Stay{CheckIn: booking.MustDate("2026-12-10"), CheckOut: booking.MustDate("2026-12-12"),
			Adults: 2, Children: len(ages), ChildrenAges: ages, Rooms: 1}
		page, _, err := svc.SearchCity(ctx, booking.CitySearch{City: "Porto", Stay: stay})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) != 1 {
			t.Fatalf("%d hotels in Porto", len(page))
		}
		return page[0].Offer
	}
	if o := best(1); o.RatePlan.Code != "DBL-FLEX" || o.TotalCents != 20000 {
		t.Fatalf("with a baby: %s at %d, want DBL-FLEX at 20000", o.RatePlan.Code, o.TotalCents)
	}
	if o := best(13); o.RatePlan.Code != "FAM-FLEX" || o.TotalCents != 26000 {
		t.Fatalf("with a 13-year-old: %s at %d, want FAM-FLEX at 13000 × 2", o.RatePlan.Code, o.TotalCents)
	}
	if o := best(1); o.RatePlan.Code != "DBL-FLEX" || o.TotalCents != 20000 {
		t.Fatalf("with a baby again: %s at %d", o.RatePlan.Code, o.TotalCents)
	}
}
