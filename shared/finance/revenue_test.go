package finance

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"innkeeper/shared/pricing"
)

// Each figure's rounding, at its edges.
func TestRevenueFigures(t *testing.T) {
	tests := []struct {
		name            string
		row             RevenueRow
		occupancy       string
		adr, revpar     string
		costPerThousand string
	}{
		{"two thirds", RevenueRow{Sold: 2, Available: 3, RevenueCents: 20001, Cost: 1, HasCost: true}, "66.67", "10001", "6667", "5"},
		{"a half of a hundredth rounds up", RevenueRow{Sold: 1, Available: 20000, RevenueCents: 5, Cost: 0, HasCost: true}, "0.01", "5", "0", "0"},
		{"below a half", RevenueRow{Sold: 1, Available: 30000, RevenueCents: 100_000, Cost: 3_000_001, HasCost: true}, "0.00", "100000", "3", "3000001"},
		{"full", RevenueRow{Sold: 7, Available: 7, RevenueCents: 7, Cost: 2, HasCost: true}, "100.00", "1", "1", "28571"},
		{"oversold after the inventory shrank", RevenueRow{Sold: 3, Available: 2, RevenueCents: 300, HasCost: true}, "150.00", "100", "150", "0"},
		{"nothing sold", RevenueRow{Sold: 0, Available: 4, Cost: 9, HasCost: true}, "0.00", "-", "0", "-"},
		{"no inventory", RevenueRow{Sold: 0, Available: 0}, "-", "-", "-", "-"},
		{"no cost known", RevenueRow{Sold: 1, Available: 1, RevenueCents: 100, Cost: 5}, "100.00", "100", "100", "-"},
	}
	show := func(v any, ok bool) string {
		if !ok {
			return "-"
		}
		if n, isNanos := v.(pricing.Nanos); isNanos {
			return fmt.Sprint(int64(n))
		}
		return fmt.Sprint(v)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			occ, ok := tt.row.Occupancy()
			got := []string{show(occ, ok), show(tt.row.ADR()), show(tt.row.RevPAR()), show(tt.row.CostPerThousand())}
			want := []string{tt.occupancy, tt.adr, tt.revpar, tt.costPerThousand}
			if !slices.Equal(got, want) {
				t.Fatalf("occupancy, ADR, RevPAR, cost per 1,000: %v, want %v", got, want)
			}
		})
	}
}

func TestRevenueGroupValid(t *testing.T) {
	for _, g := range RevenueGroups {
		if !g.Valid() {
			t.Errorf("%s not valid", g)
		}
	}
	for _, g := range []RevenueGroup{"", "function", "Day", "room-type"} {
		if g.Valid() {
			t.Errorf("%q valid", g)
		}
	}
}

func TestBuildRevenue(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2027, 3, d, 0, 0, 0, 0, time.UTC) }
	n := Nights{From: day(1), To: day(4)}
	if n.Count() != 3 {
		t.Fatalf("%d nights", n.Count())
	}
	facts := []NightFacts{
		{Hotel: "a", Currency: "EUR", RoomType: "STD", Night: day(1), Available: 2, Sold: 1, RevenueCents: 100},
		{Hotel: "a", Currency: "EUR", RoomType: "STD", Night: day(2), Available: 2, Sold: 2, RevenueCents: 250, Cancellations: 1, CancellationFeesCents: 40},
		{Hotel: "a", Currency: "EUR", RoomType: "SUI", Night: day(2), Available: 1, Sold: 1, RevenueCents: 500},
		{Hotel: "b", Currency: "USD", RoomType: "STD", Night: day(1), Available: 3, Sold: 0},
	}
	costs := []HotelCost{
		{Hotel: "a", Currency: "EUR", Day: day(2), Cost: 7},
		{Hotel: "b", Currency: "USD", Day: day(3), Cost: 11},
		// A hotel with cost and no inventory still has its row.
		{Hotel: "c", Currency: "EUR", Day: day(1), Cost: 1},
	}
	line := func(r RevenueRow) string {
		return fmt.Sprintf("%s|%s|%s %s %d/%d %d %d %d cost %d %v", r.Day, r.Hotel, r.RoomType, r.Currency,
			r.Sold, r.Available, r.RevenueCents, r.Cancellations, r.CancellationFeeCents, r.Cost, r.HasCost)
	}
	tests := []struct {
		g    RevenueGroup
		want []string
	}{
		{RevenueByDay, []string{
			"2027-03-01|| EUR 1/2 100 0 0 cost 1 true",
			"2027-03-01|| USD 0/3 0 0 0 cost 0 true",
			"2027-03-02|| EUR 3/3 750 1 40 cost 7 true",
			"2027-03-02|| USD 0/0 0 0 0 cost 0 true",
			"2027-03-03|| EUR 0/0 0 0 0 cost 0 true",
			"2027-03-03|| USD 0/0 0 0 0 cost 11 true",
		}},
		{RevenueByHotel, []string{
			"|a| EUR 4/5 850 1 40 cost 7 true",
			"|b| USD 0/3 0 0 0 cost 11 true",
			"|c| EUR 0/0 0 0 0 cost 1 true",
		}},
		{RevenueByRoomType, []string{
			"|a|STD EUR 3/4 350 1 40 cost 0 false",
			"|a|SUI EUR 1/1 500 0 0 cost 0 false",
			"|b|STD USD 0/3 0 0 0 cost 0 false",
		}},
	}
	for _, tt := range tests {
		t.Run(string(tt.g), func(t *testing.T) {
			rep := BuildRevenue("", n, tt.g, facts, costs)
			var got []string
			for _, r := range rep.Rows {
				got = append(got, line(r))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("rows\n%q\nwant\n%q", got, tt.want)
			}
			var totals []string
			for _, r := range rep.Totals {
				totals = append(totals, line(r))
			}
			if want := []string{"|| EUR 4/5 850 1 40 cost 8 true", "|| USD 0/3 0 0 0 cost 11 true"}; !slices.Equal(totals, want) {
				t.Errorf("totals %q, want %q", totals, want)
			}
		})
	}
	// Nothing at all: no rows, no totals, not nil.
	if rep := BuildRevenue("x", n, RevenueByDay, nil, nil); rep.Rows == nil || len(rep.Rows) != 0 || len(rep.Totals) != 0 {
		t.Fatalf("empty: %+v", rep)
	}
}
