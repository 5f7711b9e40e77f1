package finance

import (
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"innkeeper/shared/pricing"
)

func TestAllocate(t *testing.T) {
	tests := []struct {
		name    string
		total   pricing.Nanos
		weights []int64
		want    []pricing.Nanos
		ok      bool
	}{
		{"exact", 1000, []int64{5, 3, 2}, []pricing.Nanos{500, 300, 200}, true},
		// 33.3 each: the nano left goes to the first of equal remainders.
		{"equal remainders, the first first", 100, []int64{1, 1, 1}, []pricing.Nanos{34, 33, 33}, true},
		// 10 × 1/7 = 1 r 3, × 2/7 = 2 r 6, × 4/7 = 5 r 5: floors 8, the
		// two nanos left to the remainders 6 and 5.
		{"largest remainders", 10, []int64{1, 2, 4}, []pricing.Nanos{1, 3, 6}, true},
		{"a weight of zero gets nothing", 7, []int64{0, 3, 3}, []pricing.Nanos{0, 4, 3}, true},
		{"nothing to split", 0, []int64{2, 5}, []pricing.Nanos{0, 0}, true},
		{"one part", 999, []int64{4}, []pricing.Nanos{999}, true},
		// 2^62 × 2^62 overflows an int64; the split is still exact.
		{"large", 1 << 62, []int64{1 << 62, 1 << 62}, []pricing.Nanos{1 << 61, 1 << 61}, true},
		{"no weight", 5, []int64{0, 0}, nil, false},
		{"no parts", 5, nil, nil, false},
		{"a negative weight", 5, []int64{3, -1}, nil, false},
		{"a negative total", -5, []int64{1}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Allocate(tt.total, tt.weights)
			if ok != tt.ok || !slices.Equal(got, tt.want) {
				t.Fatalf("Allocate(%d, %v) = %v %v, want %v %v", tt.total, tt.weights, got, ok, tt.want, tt.ok)
			}
		})
	}
}

// Whatever the figures, the parts add up to the total and each is its
// exact quota rounded down or up.
func TestAllocateAddsUp(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 2026))
	for range 2000 {
		total := pricing.Nanos(rng.Int64N(1 << 40))
		weights := make([]int64, 1+rng.IntN(12))
		var sum int64
		for i := range weights {
			weights[i] = rng.Int64N(1_000_000)
			sum += weights[i]
		}
		parts, ok := Allocate(total, weights)
		if sum == 0 {
			if ok {
				t.Fatalf("%v: split by nothing", weights)
			}
			continue
		}
		var got pricing.Nanos
		for i, p := range parts {
			got += p
			// The part is the quota total × w / sum rounded down or up:
			// |part × sum − total × w| < sum.
			d := new(big.Int).Sub(new(big.Int).Mul(big.NewInt(int64(p)), big.NewInt(sum)),
				new(big.Int).Mul(big.NewInt(int64(total)), big.NewInt(weights[i])))
			if d.Abs(d).Cmp(big.NewInt(sum)) >= 0 {
				t.Fatalf("part %d of Allocate(%d, %v): %d, off its quota by a nano or more", i, total, weights, p)
			}
		}
		if got != total {
			t.Fatalf("Allocate(%d, %v) adds up to %d", total, weights, got)
		}
	}
}

func TestSplit(t *testing.T) {
	tests := []struct {
		name  string
		total pricing.Nanos
		n     int64
		want  []pricing.Nanos
	}{
		{"alone", 205, 1, []pricing.Nanos{205}},
		{"a nano left, to the first", 205, 2, []pricing.Nanos{103, 102}},
		{"thirds", 1000, 3, []pricing.Nanos{334, 333, 333}},
		{"less than a nano each", 2, 3, []pricing.Nanos{1, 1, 0}},
		{"even", 900, 3, []pricing.Nanos{300, 300, 300}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []pricing.Nanos
			var sum pricing.Nanos
			for i := range tt.n {
				got = append(got, Split(tt.total, tt.n, i))
				sum += got[i]
			}
			if !slices.Equal(got, tt.want) || sum != tt.total {
				t.Fatalf("got %v (sum %d), want %v", got, sum, tt.want)
			}
		})
	}
	if got := Split(10, 0, 0); got != 10 {
		t.Fatalf("split by none: %d", got)
	}
}

// unitFacts are three days of December 2026, the third without fixed
// cost rows, with the figures the comments of TestBuildUnitEconomics
// compute from.
func unitFacts() UnitFacts {
	p := Period{From: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)}
	return UnitFacts{
		Summary: Summary{Period: p, Invocations: 10, Cost: 30_000, Bookings: 4, Searches: 4, SearchCost: 4_000},
		Hotels: []HotelUsage{
			{Hotel: "nyc", Invocations: 2, Cost: 3_000, Bookings: 1},
			{Hotel: "porto", Bookings: 1},
			{Hotel: Unattributed, Invocations: 1, Cost: 1_000},
			{Hotel: "lisbon", Invocations: 5, Cost: 20_000, Bookings: 2},
			{Hotel: NoHotel, Invocations: 2, Cost: 6_000},
		},
		Days: []DayUsage{
			{Day: "2026-12-01", Invocations: 6, Cost: 20_000, Bookings: 2, Searches: 3, SearchCost: 3_000},
			{Day: "2026-12-02", Invocations: 4, Cost: 10_000, Bookings: 2, Searches: 1, SearchCost: 1_000},
			{Day: "2026-12-03"},
		},
		Fixed: []FixedCostDay{{Day: "2026-12-01", Items: 3, Cost: 1_000_000}, {Day: "2026-12-02", Items: 3, Cost: 1_000_001}},
	}
}

func TestBuildUnitEconomics(t *testing.T) {
	u := BuildUnitEconomics(unitFacts())
	if u.Fixed != 2_000_001 || !slices.Equal(u.MissingFixedDays, []string{"2026-12-03"}) || u.FixedComplete() {
		t.Fatalf("fixed %d, missing %v", u.Fixed, u.MissingFixedDays)
	}
	// 2,000,001 by invocations 5 : 2 : 2 : 1 : 0 (most first, then by
	// name: "(no hotel)" sorts before "nyc"): 1,000,000.5, 400,000.2,
	// 400,000.2, 200,000.1, 0; the nano left to the largest remainder,
	// lisbon's.
	type part struct {
		hotel string
		fixed pricing.Nanos
	}
	var hotels, unallocated []part
	for _, h := range u.Hotels {
		hotels = append(hotels, part{h.Hotel, h.Fixed})
	}
	for _, h := range u.Unallocated {
		unallocated = append(unallocated, part{h.Hotel, h.Fixed})
	}
	if want := []part{{"lisbon", 1_000_001}, {"nyc", 400_000}, {"porto", 0}}; !slices.Equal(hotels, want) {
		t.Fatalf("hotels %v, want %v", hotels, want)
	}
	if want := []part{{NoHotel, 400_000}, {Unattributed, 200_000}}; !slices.Equal(unallocated, want) {
		t.Fatalf("unallocated %v, want %v", unallocated, want)
	}
	if u.AllocatedFixed() != 1_400_001 || u.UnallocatedFixed() != 600_000 {
		t.Fatalf("allocated %d, unallocated %d", u.AllocatedFixed(), u.UnallocatedFixed())
	}
	// lisbon: 20,000 + 1,000,001 over 2 bookings = 510,000.5 → 510,001.
	lisbon := u.Hotels[0]
	if n, ok := lisbon.FullyLoadedPerBooking(); lisbon.FullyLoaded() != 1_020_001 || !ok || n != 510_001 {
		t.Fatalf("lisbon fully loaded %d, per booking %d %v", lisbon.FullyLoaded(), n, ok)
	}
	if n, ok := lisbon.MarginalPerBooking(); !ok || n != 10_000 {
		t.Fatalf("lisbon marginal per booking %d %v", n, ok)
	}
	if pct, ok := lisbon.SharePercent(u.Invocations); !ok || pct != "50.0" {
		t.Fatalf("lisbon share %q", pct)
	}
	if _, ok := u.Unallocated[0].FullyLoadedPerBooking(); ok {
		t.Fatal("a bucket without bookings has no cost per booking")
	}
	// 30,000 + 2,000,001 over 4 bookings: 507,500.25 → 507,500.
	if n, ok := u.FullyLoadedPerBooking(); u.FullyLoaded() != 2_030_001 || !ok || n != 507_500 {
		t.Fatalf("fully loaded %d, per booking %d", u.FullyLoaded(), n)
	}
	// Searches are 4 of 10 invocations: 800,000.4 → 800,000 of the fixed
	// cost (the nano left goes to the 6, remainder .6); (4,000 + 800,000)
	// over 4 = 201,000.
	if n, ok := u.FullyLoadedPerSearch(); u.SearchFixed != 800_000 || !ok || n != 201_000 {
		t.Fatalf("search fixed %d, per search %d", u.SearchFixed, n)
	}

	type day struct {
		day                   string
		fixed, searchFixed    pricing.Nanos
		hasFixed              bool
		perBooking, perSearch pricing.Nanos
		okBooking, okSearch   bool
	}
	var days []day
	for _, d := range u.Days {
		pb, okB := d.FullyLoadedPerBooking()
		ps, okS := d.FullyLoadedPerSearch()
		days = append(days, day{d.Day, d.Fixed, d.SearchFixed, d.HasFixed, pb, ps, okB, okS})
	}
	want := []day{
		// 1,000,000 by 3 : 3 → 500,000; (20,000 + 1,000,000) / 2 =
		// 510,000; (3,000 + 500,000) / 3 = 167,666.7 → 167,667.
		{"2026-12-01", 1_000_000, 500_000, true, 510_000, 167_667, true, true},
		// 1,000,001 by 1 : 3 → 250,000.25 → 250,000 (the nano to the 3);
		// 1,010,001 / 2 = 505,000.5 → 505,001; 251,000 / 1.
		{"2026-12-02", 1_000_001, 250_000, true, 505_001, 251_000, true, true},
		// No fixed rows: unknown, not zero.
		{"2026-12-03", 0, 0, false, 0, 0, false, false},
	}
	if !slices.Equal(days, want) {
		t.Fatalf("days\n got %v\nwant %v", days, want)
	}
}

// Without invocations nothing is allocated: the whole fixed cost stays
// unallocated; without fixed rows every day is missing.
func TestBuildUnitEconomicsEdges(t *testing.T) {
	f := unitFacts()
	f.Summary.Invocations, f.Summary.Cost, f.Summary.Searches, f.Summary.SearchCost = 0, 0, 0, 0
	f.Hotels = []HotelUsage{{Hotel: "porto", Bookings: 1}}
	u := BuildUnitEconomics(f)
	if u.AllocatedFixed() != 0 || u.UnallocatedFixed() != 2_000_001 || len(u.Hotels) != 1 || u.SearchFixed != 0 {
		t.Fatalf("allocated %d, unallocated %d", u.AllocatedFixed(), u.UnallocatedFixed())
	}
	if _, ok := u.FullyLoadedPerSearch(); ok {
		t.Fatal("no searches, no cost per search")
	}

	f = unitFacts()
	f.Fixed = nil
	u = BuildUnitEconomics(f)
	if u.Fixed != 0 || len(u.MissingFixedDays) != 3 || u.Days[0].HasFixed {
		t.Fatalf("fixed %d, missing %v", u.Fixed, u.MissingFixedDays)
	}
}

// A day the period covers in part counts for that part of its fixed
// cost, rounded half up once.
func TestBuildUnitEconomicsPartDays(t *testing.T) {
	p := Period{From: time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC), To: time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)}
	u := BuildUnitEconomics(UnitFacts{
		Summary: Summary{Period: p},
		Days:    []DayUsage{{Day: "2026-12-01"}, {Day: "2026-12-02"}},
		Fixed:   []FixedCostDay{{Day: "2026-12-01", Cost: 1_000_000_001}, {Day: "2026-12-02", Cost: 101}},
	})
	// 18 h of 1,000,000,001: 750,000,000.75 → 750,000,001; 12 h of 101:
	// 50.5 → 51.
	if u.Days[0].Fixed != 750_000_001 || u.Days[0].Covered != 18*time.Hour || u.Days[1].Fixed != 51 ||
		u.Days[1].Covered != 12*time.Hour || u.Fixed != 750_000_052 || !u.FixedComplete() {
		t.Fatalf("fixed %d (%d for %v, %d for %v)", u.Fixed, u.Days[0].Fixed, u.Days[0].Covered, u.Days[1].Fixed, u.Days[1].Covered)
	}
}

func TestFillUsageDays(t *testing.T) {
	p := Period{From: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC), To: time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)}
	got := FillUsageDays([]DayUsage{{Day: "2026-12-01", Invocations: 3}}, p)
	want := []DayUsage{{Day: "2026-11-30"}, {Day: "2026-12-01", Invocations: 3}}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}
