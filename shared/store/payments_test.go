package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"innkeeper/local/testenv"
	"innkeeper/shared/booking"
)

// charge is a ledger row of reservation id under key.
func charge(id int64, kind string, cents int64, key string) booking.PaymentRecord {
	return booking.PaymentRecord{ReservationID: id, Kind: kind, AmountCents: cents, Currency: "EUR",
		ProviderRef: "pi_" + key, Status: "succeeded", IdempotencyKey: key}
}

func TestRecordPaymentOncePerKeyUnderRace(t *testing.T) {
	f := newFixture(t, 3)
	ctx := context.Background()
	r, _, err := f.book(ctx, "2026-12-10", "2026-12-12", 1)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	created, ids := 0, map[int64]bool{}
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, isNew, err := f.st.RecordPayment(ctx, charge(r.ID, booking.PaymentCharge, 6000, "res-"+r.Reference+"-charge"))
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				t.Error(err)
				return
			}
			if isNew {
				created++
			}
			ids[p.ID] = true
		}()
	}
	wg.Wait()
	if created != 1 || len(ids) != 1 {
		t.Fatalf("20 records of one key: %d created, %d distinct rows; want 1 and 1", created, len(ids))
	}
	var rows int
	if err := f.st.Pool().QueryRow(ctx, `SELECT count(*) FROM payments WHERE reservation_id = $1`, r.ID).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != 1 {
		t.Fatalf("ledger rows = %d, want 1", rows)
	}
}

func TestPaidCentsIsChargesAndFeesMinusRefunds(t *testing.T) {
	f := newFixture(t, 3)
	ctx := context.Background()
	r, _, err := f.book(ctx, "2026-12-10", "2026-12-12", 1)
	if err != nil {
		t.Fatal(err)
	}
	other, _, err := f.book(ctx, "2026-12-10", "2026-12-11", 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []booking.PaymentRecord{
		charge(r.ID, booking.PaymentCharge, 6000, "a"),
		charge(r.ID, booking.PaymentRefund, 1500, "b"),
		charge(r.ID, booking.PaymentFee, 700, "c"),
		{ReservationID: r.ID, Kind: booking.PaymentFailure, AmountCents: 9999, Currency: "EUR", Status: "failed",
			IdempotencyKey: "d", FailureCode: "card_declined", FailureMessage: "Your card was declined."},
		{ReservationID: r.ID, Kind: booking.PaymentSetup, Currency: "EUR", Status: "succeeded", ProviderRef: "seti_1", IdempotencyKey: "e"},
		charge(r.ID, booking.PaymentAuthorization, 4000, "f"),
		charge(other.ID, booking.PaymentCharge, 100000, "g"),
	} {
		if _, isNew, err := f.st.RecordPayment(ctx, p); err != nil || !isNew {
			t.Fatalf("record %s: new %v, %v", p.IdempotencyKey, isNew, err)
		}
	}
	// 6000 − 1500 + 700; the failure, the setup and the authorization
	// move nothing, and the other reservation's charge is its own.
	paid, err := f.st.PaidCents(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if paid != 5200 {
		t.Fatalf("paid = %d, want 5200", paid)
	}
	ps, err := f.st.PaymentsOf(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 6 || booking.Paid(ps) != 5200 {
		t.Fatalf("payments = %d rows paying %d, want 6 paying 5200", len(ps), booking.Paid(ps))
	}
	if ps[3].FailureCode != "card_declined" || ps[3].Provider != "stripe" || ps[0].ProviderRef != "pi_a" {
		t.Fatalf("rows not kept as recorded: %+v", ps)
	}
	// A second record of a key returns the first row, unchanged.
	p, isNew, err := f.st.RecordPayment(ctx, charge(r.ID, booking.PaymentCharge, 1, "a"))
	if err != nil || isNew || p.AmountCents != 6000 {
		t.Fatalf("retry of key a: %+v new %v %v; want the 6000 row, not new", p, isNew, err)
	}
	none, err := f.st.PaymentsOf(ctx, r.ID+other.ID+100)
	if err != nil || none == nil || len(none) != 0 {
		t.Fatalf("payments of an unknown reservation = %v, %v; want an empty list", none, err)
	}
	var v *booking.ValidationError
	if _, _, err := f.st.RecordPayment(ctx, charge(r.ID, "gift", 1, "h")); !errors.As(err, &v) {
		t.Fatalf("unknown kind: %v, want a validation error", err)
	}
}

func TestRatePlanPaymentPolicyIsKeptAndCopiedToItsReservations(t *testing.T) {
	f := newFixture(t, 3)
	ctx := context.Background()
	if f.hotel.RatePlans[0].Payment != (booking.PaymentPolicy{Policy: booking.PolicyGuarantee}) {
		t.Fatalf("a refundable plan made without a policy: %+v, want guarantee", f.hotel.RatePlans[0].Payment)
	}
	dep, pct := booking.PolicyDeposit, 30
	edit := editor
	rp, err := f.svc.UpdateRatePlan(ctx, "h", "DBL-FLEX", booking.RatePlanPatch{PaymentPolicy: &dep, DepositPercent: &pct}, edit)
	if err != nil {
		t.Fatal(err)
	}
	if rp.Payment != (booking.PaymentPolicy{Policy: dep, DepositPercent: 30}) {
		t.Fatalf("patched plan: %+v", rp.Payment)
	}
	// The edit is audited like the plan's other fields.
	audit := auditRows(t, f, "rate_plan", "DBL-FLEX")
	before, after := audit[0]["before"].(map[string]any), audit[0]["after"].(map[string]any)
	if before["payment_policy"] != "guarantee" || before["deposit_percent"] != 0.0 ||
		after["payment_policy"] != "deposit" || after["deposit_percent"] != 30.0 {
		t.Fatalf("audit before %v after %v", before, after)
	}
	r, _, err := f.book(ctx, "2026-12-10", "2026-12-12", 1)
	if err != nil {
		t.Fatal(err)
	}
	read, err := f.st.Reservation(ctx, r.Reference)
	if err != nil {
		t.Fatal(err)
	}
	// 2 nights at 10000: 30% of 20000 now.
	if read.Payment != rp.Payment || read.PaymentTerms().DueNowCents != 6000 || read.PaymentTerms().DueLaterCents != 14000 {
		t.Fatalf("reservation's policy %+v terms %+v", read.Payment, read.PaymentTerms())
	}
	// The plan changes; the reservation keeps what it was booked under.
	pre := booking.PolicyPrepay
	if _, err := f.svc.UpdateRatePlan(ctx, "h", "DBL-FLEX", booking.RatePlanPatch{PaymentPolicy: &pre}, edit); err != nil {
		t.Fatal(err)
	}
	if again, _ := f.st.Reservation(ctx, r.Reference); again.Payment != rp.Payment {
		t.Fatalf("after the plan's edit the reservation reads %+v", again.Payment)
	}
	bad := 100
	var v *booking.ValidationError
	if _, err := f.svc.UpdateRatePlan(ctx, "h", "DBL-FLEX", booking.RatePlanPatch{PaymentPolicy: &dep, DepositPercent: &bad}, edit); !errors.As(err, &v) {
		t.Fatalf("deposit 100%%: %v, want a validation error", err)
	}
}

// Runs of Serially for one key never overlap, across connections.
func TestSeriallyNeverOverlapsForOneKey(t *testing.T) {
	st := testenv.Store(t)
	ctx := context.Background()
	var inside, most atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := st.Serially(ctx, "settle:INK-SAME01", func(context.Context) error {
				n := inside.Add(1)
				for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
				}
				time.Sleep(20 * time.Millisecond)
				inside.Add(-1)
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if most.Load() != 1 {
		t.Errorf("%d runs at once for one key, want 1", most.Load())
	}
	// An error in fn is fn's, and the lock is free after it.
	boom := errors.New("boom")
	if err := st.Serially(ctx, "settle:INK-SAME01", func(context.Context) error { return boom }); !errors.Is(err, boom) {
		t.Errorf("error %v, want fn's", err)
	}
	done := make(chan error, 1)
	go func() { done <- st.Serially(ctx, "settle:INK-SAME01", func(context.Context) error { return nil }) }()
	select {
	case err := <-done:
		if err != nil {
			t.Error(err)
		}
	case <-time.After(5 * time.Second):
		t.Error("the lock was kept after fn failed")
	}
}

// Locked runs of Serially as many as the store's pool has connections,
// each doing its work on the store, all finish: the locks are held on a
// pool of their own.
func TestSeriallyLeavesTheStoresConnectionsToTheWork(t *testing.T) {
	st := testenv.Store(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	max := int(st.Pool().Config().MaxConns)
	var wg sync.WaitGroup
	errs := make(chan error, max)
	for i := range max {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- st.Serially(ctx, fmt.Sprintf("settle:INK-POOL%02d", i), func(ctx context.Context) error {
				time.Sleep(50 * time.Millisecond) // all hold their lock at once
				return st.Ping(ctx)
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("locked work: %v", err)
		}
	}
}
