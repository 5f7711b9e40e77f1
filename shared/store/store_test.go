package store_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"innkeeper/local/testenv"
	"innkeeper/shared/auth"
	"innkeeper/shared/booking"
	"innkeeper/shared/store"
)

func TestMigrationsApplyFromScratchAndAreIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := store.Open(ctx, testenv.DatabaseURL(), store.Options{SearchPath: testenv.Schema(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ms, err := store.Migrations()
	if err != nil {
		t.Fatal(err)
	}

	// Two runners at once: one applies everything, the other nothing.
	var wg sync.WaitGroup
	results := make([][]int, 2)
	errs := make([]error, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = st.Migrate(ctx)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	applied := append(results[0], results[1]...)
	if len(applied) != len(ms) {
		t.Fatalf("concurrent runs applied %v between them, want each of %d migrations once", applied, len(ms))
	}

	again, err := st.Migrate(ctx)
	if err != nil || len(again) != 0 {
		t.Fatalf("second run applied %v, err %v; want nothing", again, err)
	}
	var n int
	if err := st.Pool().QueryRow(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil || n != len(ms) {
		t.Fatalf("schema_migrations has %d rows (err %v), want %d", n, err, len(ms))
	}
	// The schema is usable: every table the code uses exists.
	for _, table := range []string{"hotels", "room_types", "rate_plans", "inventory", "rates", "reservations", "idempotency_receipts", "api_keys", "outbox"} {
		if _, err := st.Pool().Exec(ctx, "SELECT 1 FROM "+table+" LIMIT 1"); err != nil {
			t.Errorf("table %s: %v", table, err)
		}
	}
}

func TestChangedMigrationIsRefused(t *testing.T) {
	t.Parallel()
	st := testenv.Store(t)
	ctx := context.Background()
	if _, err := st.Pool().Exec(ctx, `UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1`); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Migrate(ctx); err == nil {
		t.Fatal("a migration edited after it was applied must stop the run")
	}
}

func TestMigrationsAreExpandOnly(t *testing.T) {
	ms, err := store.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if bad := store.CheckExpandContract(m); len(bad) > 0 {
			t.Errorf("migration %04d_%s breaks the running release without a '-- contract:' note: %q", m.Version, m.Name, bad)
		}
	}
	// The check itself must catch what it is for.
	for _, sql := range []string{
		"ALTER TABLE hotels DROP COLUMN city;",
		"ALTER TABLE hotels RENAME COLUMN city TO town;",
		"ALTER TABLE hotels ALTER COLUMN city TYPE varchar(10);",
		"DROP TABLE rates;",
	} {
		if len(store.CheckExpandContract(store.Migration{SQL: sql})) == 0 {
			t.Errorf("CheckExpandContract missed %q", sql)
		}
	}
	if len(store.CheckExpandContract(store.Migration{SQL: "-- contract: old column unused since v1.4\nALTER TABLE hotels DROP COLUMN city;"})) != 0 {
		t.Error("a declared contract step must pass")
	}
}

// fixture is a hotel with one room type, one plan, units and prices.
type fixture struct {
	st    *store.Store
	svc   *booking.Service
	hotel booking.HotelDetail
}

var clock = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

// bySeed is the actor of the fixtures' catalogue writes.
var bySeed = booking.BySystem(booking.ActorSeed)

func newFixture(t *testing.T, units int) fixture {
	t.Helper()
	st := testenv.Store(t)
	svc := booking.NewService(st, func() time.Time { return clock })
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := svc.CreateHotel(ctx, booking.Hotel{Slug: "h", Name: "H", City: "Porto", Country: "PT", Timezone: "Europe/Lisbon", Currency: "EUR"}, bySeed)
	must(err)
	_, err = svc.CreateRoomType(ctx, "h", booking.RoomType{Code: "DBL", Name: "Double", MaxAdults: 2, MaxChildren: 1}, bySeed)
	must(err)
	_, err = svc.CreateRatePlan(ctx, "h", booking.RatePlan{RoomTypeCode: "DBL", Code: "DBL-FLEX", Name: "Flex", Refundable: true, FreeCancellationHours: 48, PenaltyPercent: 25}, bySeed)
	must(err)
	rng := booking.DateRange{From: booking.MustDate("2026-12-01"), To: booking.MustDate("2027-02-01")}
	must(svc.SetInventory(ctx, "h", "DBL", rng, units, bySeed))
	must(svc.SetRates(ctx, "h", "DBL-FLEX", rng, 10000, bySeed))
	h, err := svc.Hotel(ctx, "h")
	must(err)
	return fixture{st, svc, h}
}

func (f fixture) book(ctx context.Context, ci, co string, rooms int) (booking.Reservation, string, error) {
	return f.svc.Book(ctx, booking.BookRequest{
		Hotel: "h", RoomType: "DBL", RatePlan: "DBL-FLEX",
		Stay:  booking.Stay{CheckIn: booking.MustDate(ci), CheckOut: booking.MustDate(co), Adults: rooms, Rooms: rooms},
		Guest: booking.Guest{Name: "Guest", Email: "g@example.com"},
	}, nil)
}

func (f fixture) sold(t *testing.T, night string) int {
	t.Helper()
	var n int
	if err := f.st.Pool().QueryRow(context.Background(), `SELECT sold FROM inventory WHERE night = $1`, booking.MustDate(night).Time()).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestBookTakesEveryNightOrNone(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 2)
	ctx := context.Background()
	// Fill the middle night.
	if _, _, err := f.book(ctx, "2026-12-11", "2026-12-12", 2); err != nil {
		t.Fatal(err)
	}
	_, _, err := f.book(ctx, "2026-12-10", "2026-12-13", 1)
	if !errors.Is(err, booking.ErrSoldOut) {
		t.Fatalf("want ErrSoldOut, got %v", err)
	}
	if f.sold(t, "2026-12-10") != 0 || f.sold(t, "2026-12-12") != 0 {
		t.Fatal("a refused booking left nights taken")
	}
	var reservations, events int
	_ = f.st.Pool().QueryRow(ctx, `SELECT (SELECT count(*) FROM reservations), (SELECT count(*) FROM outbox)`).Scan(&reservations, &events)
	if reservations != 1 || events != 1 {
		t.Fatalf("got %d reservations and %d events, want 1 and 1", reservations, events)
	}
}

func TestBookWithoutEveryPriceWritesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 2)
	ctx := context.Background()
	if _, err := f.st.Pool().Exec(ctx, `DELETE FROM rates WHERE night = '2026-12-11'`); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.book(ctx, "2026-12-10", "2026-12-13", 1); !errors.Is(err, booking.ErrNoRate) {
		t.Fatalf("want ErrNoRate, got %v", err)
	}
	if f.sold(t, "2026-12-10") != 0 {
		t.Fatal("a booking without prices took nights")
	}
}

func TestCancelGivesNightsBackAndChargesTheTerms(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 3)
	ctx := context.Background()
	r, token, err := f.book(ctx, "2026-12-02", "2026-12-04", 2)
	if err != nil {
		t.Fatal(err)
	}
	if r.TotalCents != 40000 {
		t.Fatalf("total %d, want 2 nights × 2 rooms × 10000", r.TotalCents)
	}
	if f.sold(t, "2026-12-02") != 2 || f.sold(t, "2026-12-03") != 2 {
		t.Fatal("booking did not take the nights")
	}
	if _, err := f.svc.Cancel(ctx, r.Reference, "rat_wrong", nil); !errors.Is(err, booking.ErrNotFound) {
		t.Fatalf("cancel with a wrong token: want ErrNotFound, got %v", err)
	}
	c, err := f.svc.Cancel(ctx, r.Reference, token, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Check-in 2 December 15:00 Lisbon less 48 h is before the clock: 25%.
	if c.Status != booking.StatusCancelled || c.CancellationFeeCents == nil || *c.CancellationFeeCents != 10000 {
		t.Fatalf("got %s fee %v, want cancelled with 10000", c.Status, c.CancellationFeeCents)
	}
	if f.sold(t, "2026-12-02") != 0 || f.sold(t, "2026-12-03") != 0 {
		t.Fatal("cancel did not give the nights back")
	}
	stored, err := f.st.Reservation(ctx, r.Reference)
	if err != nil || stored.Status != booking.StatusCancelled || *stored.CancellationFeeCents != 10000 {
		t.Fatalf("stored %+v, %v", stored, err)
	}
}

func TestExpireHolds(t *testing.T) {
	t.Parallel()
	st := newFixture(t, 1).st
	now := clock
	svc := booking.NewService(st, func() time.Time { return now })
	ctx := context.Background()
	held, _, err := svc.Book(ctx, booking.BookRequest{Hotel: "h", RoomType: "DBL", RatePlan: "DBL-FLEX",
		Stay:  booking.Stay{CheckIn: booking.MustDate("2026-12-05"), CheckOut: booking.MustDate("2026-12-06"), Adults: 1, Rooms: 1},
		Guest: booking.Guest{Name: "G", Email: "g@example.com"}, Hold: true}, nil)
	if err != nil || held.Status != booking.StatusHeld {
		t.Fatalf("hold: %+v %v", held, err)
	}
	if n, err := svc.ExpireHolds(ctx); err != nil || n != 0 {
		t.Fatalf("a live hold was expired: %d %v", n, err)
	}
	now = now.Add(booking.HoldTTL)
	if n, err := svc.ExpireHolds(ctx); err != nil || n != 1 {
		t.Fatalf("expired %d (err %v), want 1", n, err)
	}
	r, _ := st.Reservation(ctx, held.Reference)
	var sold, events int
	_ = st.Pool().QueryRow(ctx, `SELECT (SELECT sold FROM inventory WHERE night = '2026-12-05'),
		(SELECT count(*) FROM outbox WHERE event_type = 'reservation.expired')`).Scan(&sold, &events)
	if r.Status != booking.StatusExpired || sold != 0 || events != 1 {
		t.Fatalf("status %s, sold %d, expired events %d", r.Status, sold, events)
	}
}

func TestSetInventoryBelowSoldIsRefusedWhole(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 3)
	ctx := context.Background()
	if _, _, err := f.book(ctx, "2026-12-20", "2026-12-21", 2); err != nil {
		t.Fatal(err)
	}
	err := f.svc.SetInventory(ctx, "h", "DBL", booking.DateRange{From: booking.MustDate("2026-12-19"), To: booking.MustDate("2026-12-22")}, 1, bySeed)
	var c *booking.ConflictError
	if !errors.As(err, &c) {
		t.Fatalf("want a ConflictError, got %v", err)
	}
	var units []int
	rows, _ := f.st.Pool().Query(ctx, `SELECT units FROM inventory WHERE night BETWEEN '2026-12-19' AND '2026-12-21' ORDER BY night`)
	for rows.Next() {
		var u int
		_ = rows.Scan(&u)
		units = append(units, u)
	}
	if !slices.Equal(units, []int{3, 3, 3}) {
		t.Fatalf("units %v after a refused change, want all 3", units)
	}
}

func TestReceiptTakenRollsBackTheBooking(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 5)
	ctx := context.Background()
	// Advisory locks are the database's, not the schema's: the key is
	// this run's own, or a parallel test elsewhere claiming the same one
	// would make this booking's claim find it in flight.
	key := "k-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	rc := func() *booking.Receipt {
		return &booking.Receipt{Scope: "public", Key: key, Fingerprint: []byte{1}, Render: func(o booking.Outcome) (booking.StoredResponse, error) {
			return booking.StoredResponse{Status: 201, Body: []byte(o.Reservation.Reference)}, nil
		}}
	}
	req := booking.BookRequest{Hotel: "h", RoomType: "DBL", RatePlan: "DBL-FLEX",
		Stay:  booking.Stay{CheckIn: booking.MustDate("2026-12-05"), CheckOut: booking.MustDate("2026-12-06"), Adults: 1, Rooms: 1},
		Guest: booking.Guest{Name: "G", Email: "g@example.com"}}
	first, _, err := f.svc.Book(ctx, req, rc())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.Book(ctx, req, rc()); !errors.Is(err, booking.ErrReceiptTaken) {
		t.Fatalf("second booking under the same key: want ErrReceiptTaken, got %v", err)
	}
	if f.sold(t, "2026-12-05") != 1 {
		t.Fatal("the refused second booking took a room")
	}
	fp, resp, found, err := f.st.LookupReceipt(ctx, "public", key, clock)
	if err != nil || !found || string(resp.Body) != first.Reference || fp[0] != 1 {
		t.Fatalf("receipt %v %q %v", found, resp.Body, err)
	}
	// Past its TTL the key is free again.
	if _, _, found, _ := f.st.LookupReceipt(ctx, "public", key, clock.Add(booking.ReceiptTTL)); found {
		t.Fatal("an expired receipt was found")
	}
}

func TestAPIKeys(t *testing.T) {
	t.Parallel()
	st := testenv.Store(t)
	ctx := context.Background()
	token, _ := auth.NewToken("ink_staff_")
	k, err := st.CreateAPIKey(ctx, "front desk", auth.RoleStaff, token, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.APIKey(ctx, token)
	if err != nil || got.ID != k.ID || got.Role != auth.RoleStaff {
		t.Fatalf("got %+v %v", got, err)
	}
	var stored []byte
	_ = st.Pool().QueryRow(ctx, `SELECT key_hash FROM api_keys WHERE id = $1`, k.ID).Scan(&stored)
	if string(stored) == token || !auth.Equal(stored, auth.Hash(token)) {
		t.Fatal("the key must be stored hashed")
	}
	if _, err := st.APIKey(ctx, token+"x"); !errors.Is(err, booking.ErrNotFound) {
		t.Fatalf("unknown key: want ErrNotFound, got %v", err)
	}
}

// Two admins revoking each other's keys at once: one wins, so a stage
// keeps a live admin key.
func TestRevokingAdminKeysConcurrently(t *testing.T) {
	t.Parallel()
	st := testenv.Store(t)
	ctx := context.Background()
	var ids []int64 // each round: the admin key left, and two new ones
	for round := 0; round < 5; round++ {
		for range 2 {
			token, _ := auth.NewAPIKey(auth.RoleAdmin)
			k, err := st.CreateAPIKey(ctx, "admin", auth.RoleAdmin, token, nil)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, k.ID)
		}
		var wg sync.WaitGroup
		errs := make([]error, len(ids))
		for i, id := range ids {
			wg.Add(1)
			go func() { defer wg.Done(); errs[i] = st.RevokeAPIKey(ctx, id) }()
		}
		wg.Wait()
		refused := 0
		for _, err := range errs {
			switch {
			case errors.Is(err, auth.ErrLastAdminKey):
				refused++
			case err != nil:
				t.Fatal(err)
			}
		}
		live, err := st.LiveAPIKeys(ctx, ids)
		if err != nil || refused != 1 || len(live) != 1 {
			t.Fatalf("round %d: %d refused, live %v %v; want one of each", round, refused, live, err)
		}
		ids = ids[:0]
		for id := range live {
			ids = append(ids, id)
		}
	}
	if err := st.RevokeAPIKey(ctx, 1<<40); !errors.Is(err, booking.ErrNotFound) {
		t.Fatalf("unknown key: %v, want ErrNotFound", err)
	}
}

// A ticket opens one handshake even when two race for it.
func TestWSTicketIsSpentOnce(t *testing.T) {
	t.Parallel()
	st := testenv.Store(t)
	ctx := context.Background()
	token, _ := auth.NewAPIKey(auth.RoleStaff)
	k, err := st.CreateAPIKey(ctx, "desk", auth.RoleStaff, token, nil)
	if err != nil {
		t.Fatal(err)
	}
	ticket, _ := auth.NewToken("wst_")
	if _, err := st.CreateWSTicket(ctx, k.ID, ticket, time.Minute); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var won atomic.Int32
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := st.RedeemWSTicket(ctx, ticket)
			if err == nil && got.ID == k.ID {
				won.Add(1)
			} else if !errors.Is(err, booking.ErrNotFound) {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if won.Load() != 1 {
		t.Fatalf("%d handshakes spent one ticket, want 1", won.Load())
	}
}

func TestUnreachableDatabaseIsUnavailable(t *testing.T) {
	t.Parallel()
	st, err := store.Open(context.Background(), "postgres://postgres@127.0.0.1:1/none?sslmode=disable", store.Options{ConnectTimeout: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	start := time.Now()
	_, err = st.ListHotels(context.Background())
	if !errors.Is(err, booking.ErrUnavailable) {
		t.Fatalf("want ErrUnavailable, got %v", err)
	}
	if time.Since(start) > 3*time.Second {
		t.Fatalf("took %v to give up", time.Since(start))
	}
}
