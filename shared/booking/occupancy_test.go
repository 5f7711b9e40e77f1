package booking

import (
	"errors"
	"reflect"
	"testing"
)

// lisbonBands are the demo Lisbon hotel's: infants free, children priced.
var lisbonBands = AgeBands{
	{Code: "infant", Name: "Infants", MinAge: 0, MaxAge: 2},
	{Code: "child", Name: "Children", MinAge: 3, MaxAge: 12},
}

// family is a plan whose rate covers two adults: a third pays 3000 a
// night, a child 1500, an infant nothing, one adult alone 1000 less.
var family = RatePlan{Code: "FAM-FLEX", Occupancy: Occupancy{
	BaseOccupancy: 2, ExtraAdultCents: 3000,
	ExtraChildCents: map[string]int64{"child": 1500}, SingleOccupancyDiscountCents: 1000,
}}

// stayOf is a stay from 2027-05-01 for as many nights as rates.
func stayOf(adults, rooms int, ages ...int) Stay {
	s := Stay{CheckIn: MustDate("2027-05-01"), Adults: adults, Rooms: rooms, Children: len(ages)}
	if len(ages) > 0 {
		s.ChildrenAges = ages
	}
	return s
}

func ratesFrom(s *Stay, amounts ...int64) []NightPrice {
	s.CheckOut = s.CheckIn.AddDays(len(amounts))
	out := make([]NightPrice, len(amounts))
	for i, a := range amounts {
		out[i] = NightPrice{Date: s.CheckIn.AddDays(i), AmountCents: a}
	}
	return out
}

func amounts(ns []NightPrice) []int64 {
	out := make([]int64, len(ns))
	for i, n := range ns {
		out[i] = n.AmountCents
	}
	return out
}

func TestPriceNightsHandComputed(t *testing.T) {
	zero := RatePlan{Code: "STD-FLEX"}
	single := RatePlan{Code: "STD-FLEX", Occupancy: Occupancy{SingleOccupancyDiscountCents: 1000}}
	tests := []struct {
		name  string
		plan  RatePlan
		bands AgeBands
		stay  Stay
		rates []int64
		want  []int64 // each night, all rooms together
	}{
		// 3 adults in 1 room, base 2: one extra adult a night.
		// 10000 + 1×3000 = 13000; 12000 + 3000 = 15000; total 28000.
		{"base 2 with 3 adults", family, lisbonBands, stayOf(3, 1), []int64{10000, 12000}, []int64{13000, 15000}},
		// 2 adults (the base) + an infant aged 1 (free) + a child aged 8
		// (1500): 10000 + 0 + 1500 = 11500 each night; 3 nights 34500.
		{"infant free, child charged", family, lisbonBands, stayOf(2, 1, 1, 8), []int64{10000, 10000, 10000},
			[]int64{11500, 11500, 11500}},
		// 1 adult alone: 9000 − 1000 = 8000 a night; 2 nights 16000.
		{"single occupancy discount", single, lisbonBands, stayOf(1, 1), []int64{9000, 9000}, []int64{8000, 8000}},
		// 2 adults: no discount, 9000.
		{"two adults, no discount", single, lisbonBands, stayOf(2, 1), []int64{9000}, []int64{9000}},
		// 1 adult with a child is not single: 9000, the child free here
		// (the plan prices no band).
		{"one adult with a child, no discount", single, lisbonBands, stayOf(1, 1, 5), []int64{9000}, []int64{9000}},
		// A discount above the rate stops at zero: max(800 − 1000, 0).
		{"discount never below zero", single, lisbonBands, stayOf(1, 1), []int64{800}, []int64{0}},
		// 3 adults in 2 rooms: 2 in the first, 1 in the second.
		// Room 1: 10000 (2 = base). Room 2: 10000 − 1000 (single) = 9000.
		// Night: 19000.
		{"two rooms, three adults", family, lisbonBands, stayOf(3, 2), []int64{10000}, []int64{19000}},
		// 5 adults in 2 rooms: 3 and 2. Room 1: 10000 + 3000 = 13000.
		// Room 2: 10000. Night: 23000.
		{"two rooms, five adults", family, lisbonBands, stayOf(5, 2), []int64{10000}, []int64{23000}},
		// A 13-year-old is past the oldest band (12): an adult. 3 adults
		// and a child of 8: 10000 + 3000 + 1500 = 14500.
		{"a child of 13 is an adult", family, lisbonBands, stayOf(2, 1, 13, 8), []int64{10000}, []int64{14500}},
		// Two children, no ages: each at the dearest band (child, 1500):
		// 10000 + 2×1500 = 13000.
		{"children without ages at the dearest band", family, lisbonBands, Stay{CheckIn: MustDate("2027-05-01"), Adults: 2, Children: 2, Rooms: 1},
			[]int64{10000}, []int64{13000}},
		// A plan without occupancy pricing is the rate × rooms, as before:
		// 2 × 10000 = 20000 and 2 × 11000 = 22000, whatever the guests.
		{"zero occupancy is rate × rooms", zero, lisbonBands, stayOf(3, 2, 5), []int64{10000, 11000}, []int64{20000, 22000}},
		// Without bands every child is a child, priced by no band.
		{"no bands", family, nil, stayOf(2, 1, 13), []int64{10000}, []int64{10000}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stay := tc.stay
			rates := ratesFrom(&stay, tc.rates...)
			got, err := PriceNights(tc.plan, tc.bands, stay, rates)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(amounts(got), tc.want) {
				t.Fatalf("nights %v, want %v", amounts(got), tc.want)
			}
			for i := range got {
				if got[i].Date != rates[i].Date {
					t.Fatalf("night %d dated %s, want %s", i, got[i].Date, rates[i].Date)
				}
			}
		})
	}
}

func TestSpreadRule(t *testing.T) {
	// 3 adults and children aged 1, 10 and 8 in 2 rooms: adults 2 and 1
	// (the first room takes the extra one); children 1 and 2 (the last
	// room, with fewer adults, takes the extra one), oldest first into
	// the last room: [1] and [10, 8].
	p, err := stayOf(3, 2, 1, 10, 8).Party(lisbonBands)
	if err != nil {
		t.Fatal(err)
	}
	got := p.Spread(2)
	want := []RoomParty{{Adults: 2, Children: []int{1}}, {Adults: 1, Children: []int{10, 8}}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("spread %+v, want %+v", got, want)
	}
	// Rooms never get more than the ceiling of each share: 7 adults and
	// 3 children in 3 rooms are 3/2/2 adults and 1/1/1 children.
	p = Party{Adults: 7, Children: []int{9, 6, 4}}
	got = p.Spread(3)
	want = []RoomParty{{Adults: 3, Children: []int{4}}, {Adults: 2, Children: []int{6}}, {Adults: 2, Children: []int{9}}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("spread %+v, want %+v", got, want)
	}
}

func TestNewReservationPricesByOccupancy(t *testing.T) {
	// The family of the store test: 2 adults, children 1 and 8, one room,
	// FAM-FLEX, 2 nights at 10000: (10000 + 0 + 1500) × 2 = 23000.
	stay := stayOf(2, 1, 1, 8)
	rates := ratesFrom(&stay, 10000, 10000)
	n := NewReservation{Hotel: Hotel{Currency: "EUR", Timezone: "Europe/Lisbon"}, RatePlan: family, Stay: stay, AgeBands: lisbonBands}
	r, err := n.Price(rates)
	if err != nil {
		t.Fatal(err)
	}
	if r.TotalCents != 23000 || r.Price.RoomCents != 23000 {
		t.Fatalf("total %d (room %d), want 23000", r.TotalCents, r.Price.RoomCents)
	}
	if !reflect.DeepEqual(r.ChildrenAges, []int{1, 8}) {
		t.Fatalf("ages %v", r.ChildrenAges)
	}
	nights, err := n.RoomNights(rates)
	if err != nil || !reflect.DeepEqual(amounts(nights), []int64{11500, 11500}) {
		t.Fatalf("room nights %v, %v", nights, err)
	}
}

// fieldOf is the one field a ValidationError names, or "".
func fieldOf(t *testing.T, err error) string {
	t.Helper()
	var v *ValidationError
	if !errors.As(err, &v) || len(v.Fields) != 1 {
		t.Fatalf("want a ValidationError with one field, got %v", err)
	}
	for f := range v.Fields {
		return f
	}
	return ""
}

func TestOccupancyValidation(t *testing.T) {
	today := MustDate("2027-04-01")
	room := RoomType{Code: "DBL", MaxAdults: 2, MaxChildren: 1}

	// An age of 18 is an adult's: refused as a child's age.
	s := stayOf(2, 1, 18)
	s.CheckOut = s.CheckIn.AddDays(1)
	if f := fieldOf(t, s.Validate(today)); f != "children_ages" {
		t.Fatalf("age 18: field %q", f)
	}
	// Two ages for one child.
	s = stayOf(2, 1, 4, 6)
	s.CheckOut, s.Children = s.CheckIn.AddDays(1), 1
	if f := fieldOf(t, s.Validate(today)); f != "children_ages" {
		t.Fatalf("ages ≠ children: field %q", f)
	}
	// An age no band covers, under the adult age: a hotel whose children
	// are 3-12 cannot price a baby of 1.
	s = stayOf(2, 1, 1)
	s.CheckOut = s.CheckIn.AddDays(1)
	if err := s.Validate(today); err != nil {
		t.Fatalf("the stay alone is valid: %v", err)
	}
	onlyChildren := AgeBands{{Code: "child", Name: "Children", MinAge: 3, MaxAge: 12}}
	if f := fieldOf(t, admit(room, family, s, onlyChildren)); f != "children_ages" {
		t.Fatalf("age without band: field %q", f)
	}
	if _, err := PriceNights(family, onlyChildren, s, ratesFrom(&s, 10000)); fieldOf(t, err) != "children_ages" {
		t.Fatalf("PriceNights of an age without band: %v", err)
	}
	// Too many children for the room type (1 per room).
	s = stayOf(2, 1, 4, 6)
	s.CheckOut = s.CheckIn.AddDays(1)
	if f := fieldOf(t, admit(room, family, s, lisbonBands)); f != "children" {
		t.Fatalf("too many children: field %q", f)
	}
	// A 13-year-old counts as an adult: 2 adults and a child of 13 are 3
	// adults, one more than the room takes.
	s = stayOf(2, 1, 13)
	s.CheckOut = s.CheckIn.AddDays(1)
	if s.FitsBands(room, lisbonBands) {
		t.Fatal("2 adults and a 13-year-old fit a room for 2 adults")
	}
	if f := fieldOf(t, admit(room, family, s, lisbonBands)); f != "adults" {
		t.Fatalf("13-year-old over the adults: field %q", f)
	}
	// Without bands the same 13-year-old is a child, and fits.
	if err := admit(room, family, s, nil); err != nil {
		t.Fatalf("no bands: %v", err)
	}
}

func TestAgeBandsValidate(t *testing.T) {
	if err := lisbonBands.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := (AgeBands{}).Validate(); err != nil {
		t.Fatalf("no bands: %v", err)
	}
	for _, tc := range []struct {
		name  string
		bands AgeBands
		field string
	}{
		{"gap", AgeBands{{"infant", "Infants", 0, 2}, {"child", "Children", 4, 12}}, "child_age_bands[1].min_age"},
		{"overlap", AgeBands{{"infant", "Infants", 0, 3}, {"child", "Children", 3, 12}}, "child_age_bands[1].min_age"},
		{"past 17", AgeBands{{"teen", "Teens", 13, 18}}, "child_age_bands[0].max_age"},
		{"reversed", AgeBands{{"child", "Children", 12, 3}}, "child_age_bands[0].max_age"},
		{"negative", AgeBands{{"child", "Children", -1, 3}}, "child_age_bands[0].min_age"},
		{"same code", AgeBands{{"child", "Small", 0, 2}, {"child", "Big", 3, 12}}, "child_age_bands[1].code"},
		{"upper-case code", AgeBands{{"Child", "Children", 0, 12}}, "child_age_bands[0].code"},
		{"no name", AgeBands{{"child", " ", 0, 12}}, "child_age_bands[0].name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if f := fieldOf(t, tc.bands.Validate()); f != tc.field {
				t.Fatalf("field %q, want %q", f, tc.field)
			}
		})
	}
}

func TestOccupancyValidate(t *testing.T) {
	base := RatePlan{RoomTypeCode: "FAM", Code: "FAM-FLEX", Name: "Family", Refundable: true}
	good := base
	good.Occupancy = family.Occupancy
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		occ   Occupancy
		field string
	}{
		{"negative base", Occupancy{BaseOccupancy: -1}, "base_occupancy"},
		{"extra adult without base", Occupancy{ExtraAdultCents: 3000}, "extra_adult_cents"},
		{"negative extra adult", Occupancy{BaseOccupancy: 2, ExtraAdultCents: -1}, "extra_adult_cents"},
		{"negative child", Occupancy{ExtraChildCents: map[string]int64{"child": -5}}, "extra_child_cents"},
		{"bad band code", Occupancy{ExtraChildCents: map[string]int64{"Child": 5}}, "extra_child_cents"},
		{"negative discount", Occupancy{SingleOccupancyDiscountCents: -1}, "single_occupancy_discount_cents"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := base
			p.Occupancy = tc.occ
			if f := fieldOf(t, p.Validate()); f != tc.field {
				t.Fatalf("field %q, want %q", f, tc.field)
			}
		})
	}
}
