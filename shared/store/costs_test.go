package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"innkeeper/local/testenv"
	"innkeeper/shared/booking"
	"innkeeper/shared/finance"
	"innkeeper/shared/lambdalog"
	"innkeeper/shared/meter"
	"innkeeper/shared/pricing"
	"innkeeper/shared/store"
)

// breakdown is a pricing.Breakdown of a compute line of c nanos and a
// requests line of 200, so every record's total is c + 200.
func breakdown(c pricing.Nanos) pricing.Breakdown {
	return pricing.Breakdown{
		Items: []pricing.LineItem{
			{Line: pricing.LineLambdaRequests, Quantity: 1, Unit: pricing.UnitRequests, Amount: 200},
			{Line: pricing.LineLambdaCompute, Quantity: int64(c), Unit: pricing.UnitMBms, Amount: c},
		},
		Total: c + 200,
	}
}

// invocation is a valid record of function fn that ended at end and
// cost total nanos (total ≥ 200); edits adjust it.
func invocation(id, fn string, end time.Time, total pricing.Nanos, edits ...func(*pricing.Record)) pricing.Record {
	r := pricing.Record{
		RequestID: id, Function: fn, Arch: pricing.ARM64, TriggerKind: meter.TriggerDirect, Attributed: true,
		Started: end.Add(-40 * time.Millisecond), Ended: end,
		Report: lambdalog.Report{RequestID: id, Function: fn, Duration: 40 * time.Millisecond,
			BilledDuration: 40*time.Millisecond + 300*time.Microsecond, MemorySizeMB: 256, Time: end},
		Breakdown: breakdown(total - 200),
	}
	for _, e := range edits {
		e(&r)
	}
	return r
}

func viaHTTP(route, hotel, client string, refs ...string) func(*pricing.Record) {
	return func(r *pricing.Record) {
		r.TriggerKind, r.Trigger, r.Hotel, r.Client, r.Reservations = meter.TriggerHTTP, route, hotel, client, refs
	}
}

func touching(kind meter.TriggerKind, trigger string, refs ...string) func(*pricing.Record) {
	return func(r *pricing.Record) { r.TriggerKind, r.Trigger, r.Reservations = kind, trigger, refs }
}

func startedAt(t time.Time) func(*pricing.Record) {
	return func(r *pricing.Record) { r.Started, r.Ended = t, t.Add(40*time.Millisecond) }
}

func countCosts(t *testing.T, st *store.Store) int {
	t.Helper()
	var n int
	if err := st.Pool().QueryRow(context.Background(), `SELECT count(*) FROM invocation_costs`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A redelivered log batch, a request id twice in one batch and two
// deliveries racing each other count every invocation once.
func TestRecordCostsCountsEachInvocationOnce(t *testing.T) {
	t.Parallel()
	st := testenv.Store(t)
	ctx := context.Background()
	a := invocation("req-a", "api", clock, 1000)
	b := invocation("req-b", "worker", clock, 2000)

	steps := []struct {
		name  string
		batch []pricing.Record
		want  int
	}{
		{"a new batch, one record twice", []pricing.Record{a, b, b}, 2},
		{"the same batch again", []pricing.Record{a, b}, 0},
		{"a batch with one new record", []pricing.Record{b, invocation("req-c", "api", clock, 300)}, 1},
		{"an empty batch", nil, 0},
	}
	for _, s := range steps {
		n, err := st.RecordCosts(ctx, s.batch)
		if err != nil || n != s.want {
			t.Fatalf("%s: inserted %d, err %v; want %d", s.name, n, err, s.want)
		}
	}

	batch := make([]pricing.Record, 50)
	for i := range batch {
		batch[i] = invocation(fmt.Sprintf("race-%02d", i), "api", clock, 500)
	}
	var wg sync.WaitGroup
	got := make([]int, 4)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if got[i], err = st.RecordCosts(ctx, batch); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if sum := got[0] + got[1] + got[2] + got[3]; sum != len(batch) {
		t.Fatalf("four concurrent deliveries inserted %v, %d in all; want %d", got, sum, len(batch))
	}
	if n := countCosts(t, st); n != 3+len(batch) {
		t.Fatalf("%d rows, want %d", n, 3+len(batch))
	}
	var sum int64
	if err := st.Pool().QueryRow(ctx, `SELECT sum(cost_nanos) FROM invocation_costs`).Scan(&sum); err != nil || sum != 1000+2000+300+50*500 {
		t.Fatalf("ledger total %d (err %v), want %d", sum, err, 1000+2000+300+50*500)
	}
}

func TestRecordCostsStoresTheRecord(t *testing.T) {
	t.Parallel()
	st := testenv.Store(t)
	ctx := context.Background()
	full := invocation("req-full", "worker", clock, 1234, touching(meter.TriggerSQS, "events", "INK-AAAAAA", "INK-BBBBBB", "INK-AAAAAA"), func(r *pricing.Record) {
		r.Hotel, r.Client, r.Arch = "h", "client-1", pricing.X8664
		r.Report.InitDuration = 101*time.Millisecond + 1
	})
	bare := invocation("req-bare", "api", clock, 200, func(r *pricing.Record) { r.Attributed = false })
	if n, err := st.RecordCosts(ctx, []pricing.Record{full, bare}); err != nil || n != 2 {
		t.Fatalf("inserted %d, err %v", n, err)
	}

	type row struct {
		fn, arch, kind         string
		trigger, hotel, client *string
		refs                   []string
		started, ended         time.Time
		billed, init, nanos    int64
		memory                 int
		attributed             bool
		breakdown              string
	}
	read := func(id string) row {
		var r row
		err := st.Pool().QueryRow(ctx, `SELECT function, arch, trigger_kind, trigger, hotel, client, reservations,
			started_at, ended_at, billed_ms, init_ms, cost_nanos, memory_mb, attributed, breakdown::text
			FROM invocation_costs WHERE request_id = $1`, id).Scan(&r.fn, &r.arch, &r.kind, &r.trigger, &r.hotel, &r.client,
			&r.refs, &r.started, &r.ended, &r.billed, &r.init, &r.nanos, &r.memory, &r.attributed, &r.breakdown)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	f := read("req-full")
	if f.fn != "worker" || f.arch != "x86_64" || f.kind != "sqs" || *f.trigger != "events" || *f.hotel != "h" || *f.client != "client-1" ||
		!slices.Equal(f.refs, []string{"INK-AAAAAA", "INK-BBBBBB"}) || !f.attributed || f.memory != 256 {
		t.Errorf("full record stored as %+v", f)
	}
	// 40.3 ms billed is 41 whole ms; 101 ms and a nanosecond of INIT 102.
	if f.billed != 41 || f.init != 102 || f.nanos != 1234 || !f.ended.Equal(clock) || !f.started.Equal(clock.Add(-40*time.Millisecond)) {
		t.Errorf("full record: billed %d init %d cost %d from %v to %v", f.billed, f.init, f.nanos, f.started, f.ended)
	}
	if !strings.Contains(f.breakdown, `"amount": "0.000001034"`) || !strings.Contains(f.breakdown, `"line": "lambda_requests"`) {
		t.Errorf("breakdown stored as %s", f.breakdown)
	}
	b := read("req-bare")
	if b.trigger != nil || b.hotel != nil || b.client != nil || len(b.refs) != 0 || b.attributed || b.kind != "direct" {
		t.Errorf("bare record stored as %+v", b)
	}
}

func TestRecordCostsLeavesOutBadRecords(t *testing.T) {
	t.Parallel()
	st := testenv.Store(t)
	ctx := context.Background()
	tests := []struct {
		name string
		edit func(*pricing.Record)
	}{
		{"no request id", func(r *pricing.Record) { r.RequestID = "" }},
		{"no function", func(r *pricing.Record) { r.Function = "" }},
		{"unknown architecture", func(r *pricing.Record) { r.Arch = "riscv" }},
		{"unknown trigger kind", func(r *pricing.Record) { r.TriggerKind = "carrier-pigeon" }},
		{"ends before it starts", func(r *pricing.Record) { r.Started = r.Ended.Add(time.Second) }},
		{"no memory", func(r *pricing.Record) { r.Report.MemorySizeMB = 0 }},
		{"items do not add up", func(r *pricing.Record) { r.Breakdown.Total++ }},
		{"negative cost", func(r *pricing.Record) {
			r.Breakdown = pricing.Breakdown{Items: []pricing.LineItem{{Amount: -5}}, Total: -5}
		}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			good := invocation(fmt.Sprintf("good-%d", i), "api", clock, 700)
			bad := invocation(fmt.Sprintf("bad-%d", i), "api", clock, 700, tt.edit)
			n, err := st.RecordCosts(ctx, []pricing.Record{bad, good})
			if err == nil || !strings.Contains(err.Error(), "1 of 2 records left out") {
				t.Fatalf("err %v, want the bad record named", err)
			}
			if n != 1 {
				t.Fatalf("inserted %d, want the good record only", n)
			}
		})
	}
	if n := countCosts(t, st); n != len(tests) {
		t.Fatalf("%d rows, want the %d good records", n, len(tests))
	}
}

// row is a cost report row.
func row(key string, n int64, c pricing.Nanos) finance.CostRow {
	return finance.CostRow{Key: key, Invocations: n, Cost: c}
}

// day is a time on day d of December 2026, UTC.
func day(d, hour int) time.Time { return time.Date(2026, 12, d, hour, 0, 0, 0, time.UTC) }

func TestCostsGroupedBy(t *testing.T) {
	t.Parallel()
	st := testenv.Store(t)
	ctx := context.Background()
	search := viaHTTP(finance.SearchRoute, "lisbon", "c1")
	records := []pricing.Record{
		invocation("1", "api", day(1, 9), 1000, search),
		invocation("2", "api", day(1, 23), 3000, viaHTTP(finance.BookRoute, "lisbon", "c1", "INK-AAAAAA")),
		invocation("3", "worker", day(2, 0), 2500, touching(meter.TriggerSQS, "events", "INK-AAAAAA")),
		invocation("4", "api", day(3, 12), 1500, viaHTTP(finance.SearchRoute, "nyc", "c2")),
		invocation("5", "scheduler", day(3, 13), 400, touching(meter.TriggerSchedule, "expire-holds")),
		invocation("6", "migrate", day(3, 14), 250), // direct: no trigger
		// No attribution line found: its own bucket, not "direct", not
		// among the invocations without a hotel.
		invocation("7", "api", day(3, 15), 700, func(r *pricing.Record) { r.Attributed = false }),
		// Outside [Dec 1, Dec 4): ends exactly at the end, and before.
		invocation("late", "api", day(4, 0), 99999, search),
		invocation("early", "api", day(1, 0).Add(-time.Nanosecond*1000), 99999, search),
	}
	if _, err := st.RecordCosts(ctx, records); err != nil {
		t.Fatal(err)
	}
	p := finance.Period{From: day(1, 0), To: day(4, 0)}
	tests := []struct {
		name  string
		group finance.Group
		p     finance.Period
		want  []finance.CostRow
	}{
		{"day", finance.ByDay, p, []finance.CostRow{row("2026-12-01", 2, 4000), row("2026-12-02", 1, 2500), row("2026-12-03", 4, 2850)}},
		{"day with empty days filled", finance.ByDay, finance.Period{From: day(2, 0), To: day(6, 0)},
			[]finance.CostRow{row("2026-12-02", 1, 2500), row("2026-12-03", 4, 2850), row("2026-12-04", 1, 99999), row("2026-12-05", 0, 0)}},
		{"function, costliest first", finance.ByFunction, p, []finance.CostRow{row("api", 4, 6200), row("worker", 1, 2500), row("scheduler", 1, 400), row("migrate", 1, 250)}},
		{"route, the trigger kind without a trigger", finance.ByRoute, p, []finance.CostRow{
			row(finance.BookRoute, 1, 3000), row(finance.SearchRoute, 2, 2500), row("events", 1, 2500), row(finance.Unattributed, 1, 700),
			row("expire-holds", 1, 400), row("direct", 1, 250)}},
		{"hotel, none as the empty key", finance.ByHotel, p, []finance.CostRow{row("lisbon", 2, 4000), row("", 3, 3150), row("nyc", 1, 1500),
			row(finance.Unattributed, 1, 700)}},
		{"nothing in range", finance.ByFunction, finance.Period{From: day(20, 0), To: day(21, 0)}, []finance.CostRow{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := st.Costs(ctx, tt.p, tt.group)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
				t.Fatalf("got  %v\nwant %v", got, tt.want)
			}
		})
	}
	if _, err := st.Costs(ctx, p, "week"); err == nil {
		t.Fatal("an unknown grouping must be refused")
	}
}

// Invocations without an attribution line are their own bucket of the
// summary, inside its totals.
func TestSummaryUnattributed(t *testing.T) {
	t.Parallel()
	st := testenv.Store(t)
	ctx := context.Background()
	unattributed := func(r *pricing.Record) { r.Attributed = false }
	timedOut := func(r *pricing.Record) { r.Attribution = pricing.AttributionStart }
	if _, err := st.RecordCosts(ctx, []pricing.Record{
		invocation("a", "api", day(1, 9), 3000, viaHTTP(finance.SearchRoute, "h", "c1")),
		invocation("b", "api", day(1, 10), 1000, unattributed),
		invocation("c", "scheduler", day(1, 11), 500, unattributed),
		invocation("d", "scheduler", day(1, 12), 500, touching(meter.TriggerSchedule, "cleanup"), timedOut),
	}); err != nil {
		t.Fatal(err)
	}
	s, err := st.Summary(ctx, finance.Period{From: day(1, 0), To: day(2, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if s.Invocations != 4 || s.Cost != 5000 || s.Unattributed != row(finance.Unattributed, 2, 1500) {
		t.Fatalf("summary %+v, want 4 invocations, 5,000, of which 2 and 1,500 unattributed", s)
	}
}

func TestSummary(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 10)
	ctx := context.Background()
	// Four bookings made at clock (Dec 1, 10:00): three confirmed, one
	// cancelled since; a hold confirmed on Dec 2; a hold still held; a
	// booking confirmed before the period.
	var refs []string
	for range 5 {
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
	exec(`UPDATE reservations SET status = 'cancelled', updated_at = $2 WHERE reference = $1`, refs[0], day(2, 8))
	exec(`UPDATE reservations SET updated_at = $2, confirmed_at = $2 WHERE reference = $1`, refs[1], day(2, 9)) // a hold confirmed later
	exec(`UPDATE reservations SET status = 'held', hold_expires_at = $2 WHERE reference = $1`, refs[2], day(5, 0))
	exec(`UPDATE reservations SET created_at = $2, updated_at = $2, confirmed_at = $2 WHERE reference = $1`, refs[3], day(1, 0).Add(-time.Second))
	// refs[4] stays confirmed at clock: with refs[1], two bookings.

	_, err := f.st.RecordCosts(ctx, []pricing.Record{
		invocation("s1", "api", day(1, 9), 1000, viaHTTP(finance.SearchRoute, "h", "c1")),
		invocation("s2", "api", day(1, 9).Add(time.Minute), 2001, viaHTTP(finance.SearchRoute, "h", "c1")),
		invocation("s3", "api", day(2, 9), 1200, viaHTTP(finance.SearchRoute, "h", "c2")),
		invocation("b1", "api", day(1, 10), 5000, viaHTTP(finance.BookRoute, "h", "c1", refs[4])),
		invocation("w1", "worker", day(1, 11), 3000, touching(meter.TriggerSQS, "events", refs[4])),
		invocation("j1", "scheduler", day(2, 0), 799, touching(meter.TriggerSchedule, "expire-holds")),
		invocation("old", "api", day(1, 0).Add(-time.Second), 50000, viaHTTP(finance.SearchRoute, "h", "c1")),
	})
	if err != nil {
		t.Fatal(err)
	}
	s, err := f.st.Summary(ctx, finance.Period{From: day(1, 0), To: day(3, 0)})
	if err != nil {
		t.Fatal(err)
	}
	// Total 1000 + 2001 + 1200 + 5000 + 3000 + 799 = 13,000 over 2
	// bookings: 6,500 each. Searches 4,201 over 3: 1,400.33 → 1,400.
	if s.Invocations != 6 || s.Cost != 13000 || s.Bookings != 2 || s.Searches != 3 || s.SearchCost != 4201 {
		t.Fatalf("summary %+v", s)
	}
	if c, ok := s.CostPerBooking(); !ok || c != 6500 {
		t.Errorf("cost per booking %d %v, want 6500", c, ok)
	}
	if c, ok := s.CostPerSearch(); !ok || c != 1400 {
		t.Errorf("cost per search %d %v, want 1400", c, ok)
	}
	want := []finance.CostRow{row("api", 4, 9201), row("worker", 1, 3000), row("scheduler", 1, 799)}
	if !slices.Equal(s.Functions, want) {
		t.Errorf("functions %v, want %v", s.Functions, want)
	}

	empty, err := f.st.Summary(ctx, finance.Period{From: day(20, 0), To: day(21, 0)})
	if err != nil || empty.Invocations != 0 || empty.Cost != 0 || empty.Bookings != 0 || len(empty.Functions) != 0 {
		t.Fatalf("empty period: %+v, %v", empty, err)
	}
	if _, ok := empty.CostPerBooking(); ok {
		t.Error("no bookings must give no cost per booking")
	}
}

func TestReceipt(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 10)
	ctx := context.Background()
	res, _, err := f.book(ctx, "2026-12-10", "2026-12-12", 1) // created at clock
	if err != nil {
		t.Fatal(err)
	}
	ref := res.Reference
	before := func(d time.Duration) func(*pricing.Record) { return startedAt(clock.Add(-d)) }
	_, err = f.st.RecordCosts(ctx, []pricing.Record{
		// Preceding searches: same client, same hotel, in the 30 minutes.
		invocation("search-29m", "api", clock, 1001, viaHTTP(finance.SearchRoute, "h", "guest"), before(29*time.Minute)),
		invocation("search-1s", "api", clock, 1003, viaHTTP(finance.SearchRoute, "h", "guest"), before(time.Second)),
		// Not preceding: too early, another client, another hotel, after.
		invocation("search-31m", "api", clock, 5000, viaHTTP(finance.SearchRoute, "h", "guest"), before(31*time.Minute)),
		invocation("search-other-client", "api", clock, 5000, viaHTTP(finance.SearchRoute, "h", "someone"), before(time.Minute)),
		invocation("search-other-hotel", "api", clock, 5000, viaHTTP(finance.SearchRoute, "elsewhere", "guest"), before(time.Minute)),
		invocation("search-after", "api", clock, 5000, viaHTTP(finance.SearchRoute, "h", "guest"), startedAt(clock.Add(time.Minute))),
		// Invocations that worked on the booking.
		invocation("book", "api", clock, 4000, viaHTTP(finance.BookRoute, "h", "guest", ref), startedAt(clock.Add(-30*time.Millisecond))),
		invocation("emails", "worker", clock, 1000, touching(meter.TriggerSQS, "events", "INK-000001", ref, "INK-000002"), startedAt(clock.Add(time.Second))),
		invocation("reminders", "scheduler", clock, 205, touching(meter.TriggerSchedule, "arrival-reminders", ref, "INK-000003"), startedAt(clock.Add(time.Hour))),
		// Another booking's invocation.
		invocation("unrelated", "api", clock, 9000, viaHTTP(finance.BookRoute, "h", "guest", "INK-000004")),
	})
	if err != nil {
		t.Fatal(err)
	}
	rc, err := f.st.Receipt(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	if rc.Reference != ref || rc.Hotel != "h" || rc.Status != "confirmed" || !rc.CreatedAt.Equal(clock) {
		t.Fatalf("receipt header %+v", rc)
	}
	type line struct {
		id        string
		sharedBy  int
		share     pricing.Nanos
		preceding bool
	}
	var got []line
	for _, l := range rc.Lines {
		got = append(got, line{l.RequestID, l.SharedBy, l.Share(), l.PrecedingSearch})
		var items pricing.Nanos
		for _, it := range l.Items {
			items += it.Amount
		}
		if items != l.Cost || len(l.Items) != 2 {
			t.Errorf("%s: %d items add up to %d, cost %d", l.RequestID, len(l.Items), items, l.Cost)
		}
	}
	// emails: 1,000 / 3 = 333.3 → 333; reminders: 205 / 2 = 102.5 → 103.
	want := []line{
		{"search-29m", 1, 1001, true},
		{"search-1s", 1, 1003, true},
		{"book", 1, 4000, false},
		{"emails", 3, 333, false},
		{"reminders", 2, 103, false},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("lines\n got %v\nwant %v", got, want)
	}
	if total := rc.Total(); total != 1001+1003+4000+333+103 {
		t.Fatalf("total %d, want 6440", total)
	}
	if l := rc.Lines[3]; l.Function != "worker" || l.Trigger != "events" || l.TriggerKind != meter.TriggerSQS || l.BilledMS != 41 || l.MemoryMB != 256 || l.Cost != 1000 {
		t.Errorf("emails line %+v", l)
	}

	// A booking nobody has invoiced yet has an empty receipt; an unknown
	// one none.
	other, _, err := f.book(ctx, "2026-12-20", "2026-12-21", 1)
	if err != nil {
		t.Fatal(err)
	}
	if rc, err := f.st.Receipt(ctx, other.Reference); err != nil || len(rc.Lines) != 0 || rc.Total() != 0 {
		t.Fatalf("receipt without invocations: %+v, %v", rc, err)
	}
	if _, err := f.st.Receipt(ctx, "INK-ZZZZZZ"); !errors.Is(err, booking.ErrNotFound) {
		t.Fatalf("unknown reference: %v, want ErrNotFound", err)
	}
}

// BenchmarkRecordCosts is a large log delivery, new then redelivered.
func BenchmarkRecordCosts(b *testing.B) {
	st := testenv.Store(b)
	ctx := context.Background()
	const size = 2000
	for i := 0; b.Loop(); i++ {
		batch := make([]pricing.Record, size)
		for j := range batch {
			batch[j] = invocation(fmt.Sprintf("bench-%d-%d", i, j), "api", clock, 1000,
				viaHTTP(finance.BookRoute, "h", "c", "INK-AAAAAA"))
		}
		if n, err := st.RecordCosts(ctx, batch); err != nil || n != size {
			b.Fatalf("inserted %d, %v", n, err)
		}
		if n, err := st.RecordCosts(ctx, batch); err != nil || n != 0 {
			b.Fatalf("redelivery inserted %d, %v", n, err)
		}
	}
	b.ReportMetric(float64(size), "records/op")
}

// An earlier REPORT of a request id that arrives after a later one was
// recorded as attempt 1: the later moves to attempt 2 and the earlier
// takes attempt 1, whatever either's attribution; a delivery that still
// sees the later one only, and calls it attempt 1, changes nothing.
func TestRecordCostsRenumbersAttemptsWhenAnEarlierReportArrives(t *testing.T) {
	t.Parallel()
	st := testenv.Store(t)
	ctx := context.Background()
	attempt := func(n int, end time.Time, eventID, attribution string, total pricing.Nanos) pricing.Record {
		return invocation("req-retry", "scheduler", end, total, func(r *pricing.Record) {
			r.Attempt, r.Attribution, r.Report.EventID = n, attribution, eventID
			r.Attributed = attribution != pricing.AttributionNone
		})
	}
	later := clock.Add(time.Minute)
	// The retry's REPORT came first, with its end line.
	if _, err := st.RecordCosts(ctx, []pricing.Record{attempt(1, later, "ev-2", pricing.AttributionEnd, 2000)}); err != nil {
		t.Fatal(err)
	}
	// The first attempt timed out: its REPORT (start line only) comes
	// late; the join now numbers both.
	fresh := []pricing.Record{attempt(1, clock, "ev-1", pricing.AttributionStart, 1000), attempt(2, later, "ev-2", pricing.AttributionEnd, 2000)}
	if _, err := st.RecordCosts(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	// A stale join, from a delivery that saw the retry's lines only.
	if _, err := st.RecordCosts(ctx, []pricing.Record{attempt(1, later, "ev-2", pricing.AttributionEnd, 2000)}); err != nil {
		t.Fatal(err)
	}
	rows, err := st.Pool().Query(ctx, `SELECT attempt, report_event_id, attribution, cost_nanos FROM invocation_costs
		WHERE request_id = 'req-retry' ORDER BY attempt`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var n int
		var ev, attribution string
		var nanos int64
		if err := rows.Scan(&n, &ev, &attribution, &nanos); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%d %s %s %d", n, ev, attribution, nanos))
	}
	if want := []string{"1 ev-1 start 1000", "2 ev-2 end 2000"}; !slices.Equal(got, want) {
		t.Errorf("ledger %v, want %v", got, want)
	}
}
