package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"innkeeper/local/testenv"
	"innkeeper/shared/auth"
	"innkeeper/shared/booking"
	"innkeeper/shared/jobs"
	"innkeeper/shared/logging"
	"innkeeper/shared/store"
)

// auditFixture is two hotels on the real store, Lisbon (UTC in winter)
// and Tokyo (UTC+9), each with a room type of 5 units and a plan, and a
// service whose clock the test sets.
type auditFixture struct {
	st     *store.Store
	now    time.Time
	svc    *booking.Service
	runner *jobs.Runner
}

func newAuditFixture(t *testing.T) *auditFixture {
	t.Helper()
	f := &auditFixture{st: testenv.Store(t), now: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}
	f.svc = booking.NewService(f.st, func() time.Time { return f.now })
	f.runner = &jobs.Runner{Store: f.st, Log: logging.Discard(), Function: "scheduler"}
	ctx := context.Background()
	for _, h := range []struct{ slug, tz string }{{"lis", "Europe/Lisbon"}, {"tyo", "Asia/Tokyo"}} {
		must(t, func() error {
			_, err := f.svc.CreateHotel(ctx, booking.Hotel{Slug: h.slug, Name: h.slug, City: "C", Country: "PT", Timezone: h.tz, Currency: "EUR"}, bySeed)
			return err
		}())
		must(t, func() error {
			_, err := f.svc.CreateRoomType(ctx, h.slug, booking.RoomType{Code: "DBL", Name: "Double", MaxAdults: 2}, bySeed)
			return err
		}())
		// Refundable with a 25% penalty: the no-show fee is a quarter.
		must(t, func() error {
			_, err := f.svc.CreateRatePlan(ctx, h.slug, booking.RatePlan{RoomTypeCode: "DBL", Code: "FLEX", Name: "Flex",
				Refundable: true, FreeCancellationHours: 48, PenaltyPercent: 25}, bySeed)
			return err
		}())
		rng := booking.DateRange{From: booking.MustDate("2026-12-01"), To: booking.MustDate("2027-01-31")}
		must(t, f.svc.SetInventory(ctx, h.slug, "DBL", rng, 5, bySeed))
		must(t, f.svc.SetRates(ctx, h.slug, "FLEX", rng, 10001, bySeed))
	}
	return f
}

// bySeed is the actor of the fixtures' catalogue writes.
var bySeed = booking.BySystem(booking.ActorSeed)

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (f *auditFixture) book(t *testing.T, hotel, ci, co string) booking.Reservation {
	t.Helper()
	r, _, err := f.svc.Book(context.Background(), booking.BookRequest{
		Hotel: hotel, RoomType: "DBL", RatePlan: "FLEX",
		Stay:  booking.Stay{CheckIn: booking.MustDate(ci), CheckOut: booking.MustDate(co), Adults: 1, Rooms: 1},
		Guest: booking.Guest{Name: "Guest", Email: "g@example.com"},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (f *auditFixture) desk(t *testing.T, at time.Time, ref string, a booking.Action) {
	t.Helper()
	f.now = at
	if _, err := f.svc.Desk(context.Background(), ref, booking.DeskCommand{Action: a, By: clerk}); err != nil {
		t.Fatalf("%s %s: %v", a, ref, err)
	}
}

var clerk = booking.Audit{ActorKind: "api_key", Actor: "k_clerk", ActorRole: "staff"}

func auditAt(at time.Time) events.EventBridgeEvent {
	detail, _ := json.Marshal(map[string]string{"job": jobs.NightAudit})
	return events.EventBridgeEvent{DetailType: "Scheduled Event", Source: "aws.events", Time: at, Detail: detail}
}

func (f *auditFixture) run(t *testing.T, at time.Time) map[string]int {
	t.Helper()
	res, err := f.runner.Handle(context.Background(), auditAt(at))
	if err != nil {
		t.Fatal(err)
	}
	return res.Count
}

func (f *auditFixture) reports(t *testing.T, hotel, from, to string) []booking.NightAuditReport {
	t.Helper()
	reps, err := f.st.NightAudits(context.Background(), booking.NightAuditQuery{Hotel: hotel, From: booking.MustDate(from), To: booking.MustDate(to)})
	if err != nil {
		t.Fatal(err)
	}
	return reps
}

func (f *auditFixture) status(t *testing.T, ref string) booking.Reservation {
	t.Helper()
	r, err := f.st.Reservation(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func refs(rs ...booking.Reservation) booking.Refs {
	out := booking.Refs{Count: len(rs), References: []string{}}
	for _, r := range rs {
		out.References = append(out.References, r.Reference)
	}
	slices.Sort(out.References)
	return out
}

// TestNightAuditMarksNoShowsAtEachHotelsCutoff runs the job on the real
// store: a guest who did not come is marked a no-show with the fee and
// the nights given back, in the job's name, at the hotel's own cutoff
// (Tokyo's falls nine hours before Lisbon's); a guest checked in and a
// future arrival are untouched; the report counts the day; running again
// audits nothing more.
func TestNightAuditMarksNoShowsAtEachHotelsCutoff(t *testing.T) {
	t.Parallel()
	f := newAuditFixture(t)
	ctx := context.Background()
	noShow := f.book(t, "lis", "2026-12-05", "2026-12-07")
	came := f.book(t, "lis", "2026-12-05", "2026-12-07")
	future := f.book(t, "lis", "2026-12-08", "2026-12-09")
	left := f.book(t, "lis", "2026-12-04", "2026-12-05")
	tokyo := f.book(t, "tyo", "2026-12-05", "2026-12-06")
	f.desk(t, time.Date(2026, 12, 4, 16, 0, 0, 0, time.UTC), left.Reference, booking.ActionCheckIn)
	f.desk(t, time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC), left.Reference, booking.ActionCheckOut)
	f.desk(t, time.Date(2026, 12, 5, 16, 0, 0, 0, time.UTC), came.Reference, booking.ActionCheckIn)

	// 02:00 UTC on the 6th: 11:00 in Tokyo, past its cutoff for the 5th;
	// 02:00 in Lisbon, before its cutoff for the 5th, so Lisbon closes
	// the 4th (its first audit) and the guest of the 5th may still come.
	if got := f.run(t, time.Date(2026, 12, 6, 2, 0, 0, 0, time.UTC)); got["days"] != 2 || got["no_shows"] != 1 {
		t.Fatalf("first run counted %v; want 2 days, 1 no-show", got)
	}
	if r := f.status(t, tokyo.Reference); r.Status != booking.StatusNoShow {
		t.Fatalf("Tokyo's guest is %s after its cutoff; want no_show", r.Status)
	}
	if r := f.status(t, noShow.Reference); r.Status != booking.StatusConfirmed {
		t.Fatalf("Lisbon's guest is %s before its cutoff; want confirmed", r.Status)
	}
	lis4 := f.reports(t, "lis", "2026-12-01", "2026-12-31")
	if len(lis4) != 1 || lis4[0].BusinessDate.String() != "2026-12-04" ||
		!reflect.DeepEqual(lis4[0].Arrivals, refs(left)) || !reflect.DeepEqual(lis4[0].InHouse, refs(left)) ||
		lis4[0].NoShows.Count != 0 {
		t.Fatalf("Lisbon's reports after the first run: %+v", lis4)
	}

	// 03:05 in Lisbon: the 5th closes.
	lisCutoff := time.Date(2026, 12, 6, 3, 5, 0, 0, time.UTC)
	if got := f.run(t, lisCutoff); got["days"] != 1 || got["no_shows"] != 1 {
		t.Fatalf("second run counted %v; want 1 day, 1 no-show", got)
	}
	r := f.status(t, noShow.Reference)
	wantFee := int64(5001) // 25% of 2 × 10001, rounded half up
	if r.Status != booking.StatusNoShow || r.NoShowFeeCents == nil || *r.NoShowFeeCents != wantFee {
		t.Fatalf("no-show stored %s fee %v; want no_show, %d", r.Status, r.NoShowFeeCents, wantFee)
	}
	if r := f.status(t, came.Reference); r.Status != booking.StatusCheckedIn || r.NoShowFeeCents != nil {
		t.Fatalf("the guest checked in became %s (fee %v)", r.Status, r.NoShowFeeCents)
	}
	if r := f.status(t, future.Reference); r.Status != booking.StatusConfirmed {
		t.Fatalf("the future arrival became %s", r.Status)
	}
	// The no-show's nights are given back: only the guest who came holds
	// a room on the 5th and 6th.
	var sold5, sold6 int
	must(t, f.st.Pool().QueryRow(ctx, `SELECT
			(SELECT sold FROM inventory i JOIN room_types rt ON rt.id = i.room_type_id JOIN hotels h ON h.id = rt.hotel_id WHERE h.slug = 'lis' AND night = '2026-12-05'),
			(SELECT sold FROM inventory i JOIN room_types rt ON rt.id = i.room_type_id JOIN hotels h ON h.id = rt.hotel_id WHERE h.slug = 'lis' AND night = '2026-12-06')`).
		Scan(&sold5, &sold6))
	if sold5 != 1 || sold6 != 1 {
		t.Fatalf("sold on the 5th and 6th: %d, %d; want 1, 1", sold5, sold6)
	}
	var kind, actor, before, after string
	must(t, f.st.Pool().QueryRow(ctx, `SELECT actor_kind, actor, before->>'status', after->>'status' FROM audit_events
		WHERE reservation = $1 AND action = 'reservation.no_show'`, noShow.Reference).Scan(&kind, &actor, &before, &after))
	if kind != "job" || actor != "night-audit" || before != "confirmed" || after != "no_show" {
		t.Fatalf("audit row %s %s %s→%s; want job night-audit confirmed→no_show", kind, actor, before, after)
	}
	lis5 := f.reports(t, "lis", "2026-12-05", "2026-12-05")
	want := booking.NightAuditReport{Hotel: "lis", BusinessDate: booking.MustDate("2026-12-05"), Currency: "EUR",
		Arrivals: refs(came), Departures: refs(left), InHouse: refs(came), NoShows: refs(noShow), NoShowFeesCents: wantFee}
	if len(lis5) != 1 {
		t.Fatalf("reports of the 5th: %+v", lis5)
	}
	got := lis5[0]
	if !got.RanAt.Equal(lisCutoff) {
		t.Errorf("ran at %s; want %s", got.RanAt, lisCutoff)
	}
	got.RanAt = time.Time{}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("report of the 5th:\n got %+v\nwant %+v", got, want)
	}

	// Again at the same time, and an hour later: nothing more is due.
	for _, at := range []time.Time{lisCutoff, lisCutoff.Add(time.Hour)} {
		if got := f.run(t, at); got["days"] != 0 || got["no_shows"] != 0 {
			t.Fatalf("a rerun at %s counted %v; want nothing", at, got)
		}
	}
	var audits, rows int
	must(t, f.st.Pool().QueryRow(ctx, `SELECT
			(SELECT count(*) FROM audit_events WHERE action = 'reservation.no_show'),
			(SELECT count(*) FROM night_audits)`).Scan(&audits, &rows))
	if audits != 2 || rows != 3 {
		t.Fatalf("%d no-show audit rows, %d night audits; want 2, 3", audits, rows)
	}
}

// TestNightAuditRunsAtOnceAuditADayOnce starts runs together: each day
// is claimed by one of them, and a missed week is caught up to
// NightAuditCatchUp days.
func TestNightAuditRunsAtOnceAuditADayOnce(t *testing.T) {
	t.Parallel()
	f := newAuditFixture(t)
	ctx := context.Background()
	a := f.book(t, "lis", "2026-12-03", "2026-12-04")
	f.run(t, time.Date(2026, 12, 2, 4, 0, 0, 0, time.UTC)) // both hotels' first audit: the 1st

	// Nineteen days later, four runs at once.
	late := time.Date(2026, 12, 21, 4, 0, 0, 0, time.UTC)
	const n = 4
	counts := make([]map[string]int, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			res, err := f.runner.Handle(ctx, auditAt(late))
			counts[i], errs[i] = res.Count, err
		}()
	}
	close(start)
	wg.Wait()
	days, noShows := 0, 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("run %d: %v", i, errs[i])
		}
		days += counts[i]["days"]
		noShows += counts[i]["no_shows"]
	}
	// Each hotel: the 14th to the 20th, seven days, across all runs.
	if days > 2*booking.NightAuditCatchUp || noShows > 1 {
		t.Fatalf("runs at once audited %d days and %d no-shows; want at most %d and 1", days, noShows, 2*booking.NightAuditCatchUp)
	}
	// What the racing runs left (a run stops at a day another holds) the
	// next hour's run finishes, and no day is audited twice.
	f.run(t, late.Add(time.Hour))
	f.run(t, late.Add(2*time.Hour))
	for _, h := range []string{"lis", "tyo"} {
		reps := f.reports(t, h, "2026-12-01", "2026-12-31")
		var dates []string
		for _, r := range reps {
			dates = append(dates, r.BusinessDate.String())
		}
		want := []string{"2026-12-20", "2026-12-19", "2026-12-18", "2026-12-17", "2026-12-16", "2026-12-15", "2026-12-14", "2026-12-01"}
		if !slices.Equal(dates, want) {
			t.Errorf("%s audited %v; want %v", h, dates, want)
		}
	}
	// The guest of the 3rd, whose day was not audited (beyond the
	// catch-up), is still marked: an audit marks every arrival up to its
	// day, once.
	if r := f.status(t, a.Reference); r.Status != booking.StatusNoShow {
		t.Fatalf("the guest of the 3rd is %s; want no_show", r.Status)
	}
	var audits int
	must(t, f.st.Pool().QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE reservation = $1 AND action = 'reservation.no_show'`,
		a.Reference).Scan(&audits))
	if audits != 1 {
		t.Fatalf("%d no-show audit rows; want 1", audits)
	}
}

// Two runs whose clocks are a lease apart (a schedule catching up with
// its own time beside a run fired at the moved clock): the later takes
// the day over, the earlier's report is refused as taken over rather
// than failing the job, and the day has one report, the later run's.
func TestNightAuditTakenOverByALaterClockWritesOneReport(t *testing.T) {
	t.Parallel()
	f := newAuditFixture(t)
	ctx := context.Background()
	var hotelID int64
	must(t, f.st.Pool().QueryRow(ctx, `SELECT id FROM hotels WHERE slug = 'lis'`).Scan(&hotelID))
	day := booking.MustDate("2026-12-05")
	early := time.Date(2026, 12, 6, 3, 0, 0, 0, time.UTC)
	later := early.Add(store.NightAuditLease + time.Minute)

	for _, at := range []time.Time{early, later} {
		ok, err := f.st.ClaimNightAudit(ctx, hotelID, day, at)
		if err != nil || !ok {
			t.Fatalf("claim at %s: %v %v; want the day (the first, then taken over)", at, ok, err)
		}
	}
	if _, err := f.st.FinishNightAudit(ctx, hotelID, day, early, nil); !errors.Is(err, booking.ErrAuditTakenOver) {
		t.Fatalf("the earlier run's finish: %v; want ErrAuditTakenOver", err)
	}
	if _, err := f.st.FinishNightAudit(ctx, hotelID, day, later, nil); err != nil {
		t.Fatalf("the later run's finish: %v", err)
	}
	if _, err := f.st.FinishNightAudit(ctx, hotelID, day, later, nil); !errors.Is(err, booking.ErrAuditTakenOver) {
		t.Fatalf("a second finish of an audited day: %v; want ErrAuditTakenOver", err)
	}
	reps := f.reports(t, "lis", "2026-12-05", "2026-12-05")
	if len(reps) != 1 || !reps[0].RanAt.Equal(later) {
		t.Fatalf("reports %+v; want one, run at %s", reps, later)
	}
}

// TestNightAuditNeedsItsStore: a store without the night audit's
// methods fails the run rather than pass for done.
func TestNightAuditNeedsItsStore(t *testing.T) {
	f := newFixture()
	if _, err := f.runner.Handle(context.Background(), scheduled(jobs.NightAudit)); err == nil {
		t.Fatal("a night audit without its store succeeded")
	}
}

// A hotel that moves its cutoff through the catalogue edit is audited
// at the new one: with 05:00, the 5th is still open at 04:05 hotel time
// and closes at 05:05.
func TestNightAuditFollowsTheHotelsCutoff(t *testing.T) {
	t.Parallel()
	f := newAuditFixture(t)
	ctx := context.Background()
	five := "05:00"
	if _, err := f.svc.UpdateHotel(ctx, "lis", booking.HotelPatch{NightAuditTime: &five},
		booking.CatalogEdit{Key: auth.Key{PublicID: "pub123", Role: auth.RoleAdmin}}); err != nil {
		t.Fatal(err)
	}
	noShow := f.book(t, "lis", "2026-12-05", "2026-12-06")
	f.run(t, time.Date(2026, 12, 6, 4, 5, 0, 0, time.UTC))
	if r := f.status(t, noShow.Reference); r.Status != booking.StatusConfirmed {
		t.Fatalf("the guest is %s before the hotel's 05:00 cutoff; want confirmed", r.Status)
	}
	f.run(t, time.Date(2026, 12, 6, 5, 5, 0, 0, time.UTC))
	if r := f.status(t, noShow.Reference); r.Status != booking.StatusNoShow {
		t.Fatalf("the guest is %s after the hotel's 05:00 cutoff; want no_show", r.Status)
	}
}
