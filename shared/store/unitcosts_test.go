package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"innkeeper/local/testenv"
	"innkeeper/shared/finance"
	"innkeeper/shared/meter"
	"innkeeper/shared/pricing"
	"innkeeper/shared/store"
)

// addFixed writes a fixed_cost_days row, as the daily accrual would.
func addFixed(t *testing.T, st *store.Store, day, item string, nanos int64) {
	t.Helper()
	if _, err := st.Pool().Exec(context.Background(), `INSERT INTO fixed_cost_days (day, item, service, stage, region, amount_nanos)
		VALUES ($1, $2, 'AmazonRDS', 'prod', 'eu-west-1', $3)`, day, item, nanos); err != nil {
		t.Fatal(err)
	}
}

func TestFixedCostByDay(t *testing.T) {
	t.Parallel()
	st := testenv.Store(t)
	ctx := context.Background()
	addFixed(t, st, "2026-12-01", "rds", 600_000_000)
	addFixed(t, st, "2026-12-01", "elasticache", 400_000_001)
	addFixed(t, st, "2026-12-03", "rds", 600_000_000)
	addFixed(t, st, "2026-12-05", "rds", 7)
	tests := []struct {
		name     string
		from, to time.Time
		want     []finance.FixedCostDay
	}{
		{"whole days, a day without rows absent", day(1, 0), day(5, 0), []finance.FixedCostDay{
			{Day: "2026-12-01", Items: 2, Cost: 1_000_000_001}, {Day: "2026-12-03", Items: 1, Cost: 600_000_000}}},
		{"a day touched by an instant counts", day(1, 12), day(5, 0).Add(time.Nanosecond * 1000), []finance.FixedCostDay{
			{Day: "2026-12-01", Items: 2, Cost: 1_000_000_001}, {Day: "2026-12-03", Items: 1, Cost: 600_000_000}, {Day: "2026-12-05", Items: 1, Cost: 7}}},
		{"none", day(20, 0), day(21, 0), []finance.FixedCostDay{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := st.FixedCostByDay(ctx, tt.from, tt.to)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestUnitFacts(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 10)
	ctx := context.Background()
	// Two bookings made at clock (Dec 1, 10:00), one of them confirmed
	// on Dec 2; one confirmed before the period.
	var refs []string
	for range 3 {
		r, _, err := f.book(ctx, "2026-12-10", "2026-12-11", 1)
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, r.Reference)
	}
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := f.st.Pool().Exec(ctx, sql, args...); err != nil {
			t.Fatal(err)
		}
	}
	exec(`UPDATE reservations SET updated_at = $2, confirmed_at = $2 WHERE reference = $1`, refs[1], day(2, 9))
	exec(`UPDATE reservations SET updated_at = $2, confirmed_at = $2 WHERE reference = $1`, refs[2], day(1, 0).Add(-time.Second))
	if _, err := f.st.RecordCosts(ctx, []pricing.Record{
		invocation("s1", "api", day(1, 9), 1000, viaHTTP(finance.SearchRoute, "h", "c1")),
		invocation("b1", "api", day(1, 10), 5000, viaHTTP(finance.BookRoute, "h", "c1", refs[0])),
		invocation("w1", "worker", day(1, 11), 3000, touching(meter.TriggerSQS, "events", refs[0])),
		invocation("s2", "api", day(2, 9), 1200, viaHTTP(finance.SearchRoute, "x", "c2")),
		invocation("u1", "api", day(2, 10), 700, func(r *pricing.Record) { r.Attributed = false }),
		invocation("late", "api", day(3, 1), 99999, viaHTTP(finance.SearchRoute, "h", "c1")),
	}); err != nil {
		t.Fatal(err)
	}
	addFixed(t, f.st, "2026-12-01", "rds", 600_000)
	addFixed(t, f.st, "2026-12-01", "nat", 400_000)
	addFixed(t, f.st, "2026-12-03", "rds", 5) // outside the period

	p := finance.Period{From: day(1, 0), To: day(3, 0)}
	facts, err := f.st.UnitFacts(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	s := facts.Summary
	if s.Invocations != 5 || s.Cost != 10_900 || s.Bookings != 2 || s.Searches != 2 || s.SearchCost != 2200 || s.Unattributed.Invocations != 1 {
		t.Fatalf("summary %+v", s)
	}
	hotels := map[string]finance.HotelUsage{}
	var n int64
	for _, h := range facts.Hotels {
		hotels[h.Hotel] = h
		n += h.Invocations
	}
	want := map[string]finance.HotelUsage{
		"h":                  {Hotel: "h", Invocations: 2, Cost: 6000, Bookings: 2},
		"x":                  {Hotel: "x", Invocations: 1, Cost: 1200},
		finance.NoHotel:      {Hotel: finance.NoHotel, Invocations: 1, Cost: 3000},
		finance.Unattributed: {Hotel: finance.Unattributed, Invocations: 1, Cost: 700},
	}
	if len(hotels) != len(want) || n != s.Invocations {
		t.Fatalf("hotels %v (%d invocations), want %v", facts.Hotels, n, want)
	}
	for k, w := range want {
		if hotels[k] != w {
			t.Errorf("%s: %+v, want %+v", k, hotels[k], w)
		}
	}
	wantDays := []finance.DayUsage{
		{Day: "2026-12-01", Invocations: 3, Cost: 9000, Bookings: 1, Searches: 1, SearchCost: 1000},
		{Day: "2026-12-02", Invocations: 2, Cost: 1900, Bookings: 1, Searches: 1, SearchCost: 1200},
	}
	if !slices.Equal(facts.Days, wantDays) {
		t.Fatalf("days %v, want %v", facts.Days, wantDays)
	}
	if want := []finance.FixedCostDay{{Day: "2026-12-01", Items: 2, Cost: 1_000_000}}; !slices.Equal(facts.Fixed, want) {
		t.Fatalf("fixed %v, want %v", facts.Fixed, want)
	}
	// Built: Dec 2 has no fixed rows and says so; the 1,000,000 is split
	// 2 : 1 : 1 : 1 (h, then "(no hotel)", "(unattributed)", "x" by name):
	// 400,000 and 200,000 each, exactly.
	u := finance.BuildUnitEconomics(facts)
	if !slices.Equal(u.MissingFixedDays, []string{"2026-12-02"}) || u.Fixed != 1_000_000 ||
		u.AllocatedFixed() != 600_000 || u.UnallocatedFixed() != 400_000 || u.Hotels[0].Fixed != 400_000 {
		t.Fatalf("built %+v", u)
	}
}

// A search that led to several bookings is shared between them, exactly:
// the receipts never add up to more than the ledger.
func TestReceiptsShareSearches(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 10)
	ctx := context.Background()
	book := func(at time.Time) string {
		t.Helper()
		r, _, err := f.book(ctx, "2026-12-10", "2026-12-11", 1)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.st.Pool().Exec(ctx, `UPDATE reservations SET created_at = $2 WHERE reference = $1`, r.Reference, at); err != nil {
			t.Fatal(err)
		}
		return r.Reference
	}
	a, b := book(clock), book(clock.Add(5*time.Minute))
	d := book(clock.Add(21 * time.Minute)) // 31 minutes after the first search
	c := book(clock.Add(10 * time.Minute)) // another client's
	search := viaHTTP(finance.SearchRoute, "h", "guest")
	bookAt := func(id, ref, client string, at time.Time) pricing.Record {
		return invocation(id, "api", at, 4000, viaHTTP(finance.BookRoute, "h", client, ref), startedAt(at.Add(-30*time.Millisecond)))
	}
	records := []pricing.Record{
		// Led to a and b (d is 31 minutes after it): 1,001 = 501 + 500.
		invocation("search-1", "api", clock, 1001, search, startedAt(clock.Add(-10*time.Minute))),
		// Led to b and d: 2,001 = 1,001 + 1,000.
		invocation("search-2", "api", clock, 2001, search, startedAt(clock.Add(time.Minute))),
		bookAt("book-a", a, "guest", clock),
		bookAt("book-b", b, "guest", clock.Add(5*time.Minute)),
		bookAt("book-d", d, "guest", clock.Add(21*time.Minute)),
		bookAt("book-c", c, "other", clock.Add(10*time.Minute)),
		// A search that worked on a reservation is charged to it, and
		// precedes no booking (b's, 4 minutes later).
		invocation("search-touching", "api", clock, 700, viaHTTP(finance.SearchRoute, "h", "guest", a), startedAt(clock.Add(time.Minute))),
		// Shared by the three of a, b and c as listed: 1,000 = 334 + 333 + 333.
		invocation("emails", "worker", clock, 1000, touching(meter.TriggerSQS, "events", a, b, c), startedAt(clock.Add(time.Hour))),
		// On no receipt.
		invocation("cleanup", "scheduler", clock, 777, touching(meter.TriggerSchedule, "cleanup"), startedAt(clock.Add(2*time.Hour))),
	}
	if _, err := f.st.RecordCosts(ctx, records); err != nil {
		t.Fatal(err)
	}
	type line struct {
		id              string
		sharedBy, index int
		share           pricing.Nanos
	}
	want := map[string][]line{
		a: {{"search-1", 2, 0, 501}, {"book-a", 1, 0, 4000}, {"search-touching", 1, 0, 700}, {"emails", 3, 0, 334}},
		b: {{"search-1", 2, 1, 500}, {"search-2", 2, 0, 1001}, {"book-b", 1, 0, 4000}, {"emails", 3, 1, 333}},
		c: {{"book-c", 1, 0, 4000}, {"emails", 3, 2, 333}},
		d: {{"search-2", 2, 1, 1000}, {"book-d", 1, 0, 4000}},
	}
	var receipts, ledger pricing.Nanos
	shareOf := map[string]pricing.Nanos{}
	for _, ref := range []string{a, b, c, d} {
		rc, err := f.st.Receipt(ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		var got []line
		for _, l := range rc.Lines {
			got = append(got, line{l.RequestID, l.SharedBy, l.ShareIndex, l.Share()})
			shareOf[l.RequestID] += l.Share()
		}
		if !slices.Equal(got, want[ref]) {
			t.Errorf("receipt of %s\n got %v\nwant %v", ref, got, want[ref])
		}
		receipts += rc.Total()
	}
	// Each invocation is charged, over all the receipts, its cost.
	for _, r := range records {
		ledger += r.Breakdown.Total
		if r.RequestID != "cleanup" && shareOf[r.RequestID] != r.Breakdown.Total {
			t.Errorf("%s: receipts charge %d of %d", r.RequestID, shareOf[r.RequestID], r.Breakdown.Total)
		}
	}
	if receipts > ledger || receipts != ledger-777 {
		t.Fatalf("receipts add up to %d, ledger %d", receipts, ledger)
	}
}
