package store_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"innkeeper/shared/booking"
	"innkeeper/shared/finance"
)

// porto's taxes: VAT included in the room price, a tourist tax per guest
// per night paid at the hotel, and a cleaning fee per stay added.
var portoTaxes = []booking.Tax{
	{Code: "vat", Name: "IVA", Kind: booking.TaxPercent, VAT: true, Percent: "6", Included: true},
	{Code: "city-tax", Name: "Taxa turística", Kind: booking.TaxPerPersonNight, AmountCents: 400,
		PayAtHotel: true, ExemptUnderAge: 13, MaxNights: 7},
	{Code: "cleaning", Name: "Cleaning", Kind: booking.TaxPerStay, AmountCents: 2500},
}

func TestBookAndModifyArePricedUnderTheCommittedTaxes(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 3)
	ctx := context.Background()
	// Set in the store directly: the service's cached catalogue (read by
	// newFixture) has no taxes, and the booking must not price with it.
	if err := f.st.SetTaxes(ctx, "h", portoTaxes, bySeed.As(booking.ActionTaxesSet)); err != nil {
		t.Fatal(err)
	}
	r, token, err := f.book(ctx, "2026-12-10", "2026-12-13", 1)
	if err != nil {
		t.Fatal(err)
	}
	// 3 nights at 10000, 1 adult: rooms 30000, VAT inside them (net
	// 3000000 / 106 = 28301.88… → 28302, VAT 1698), the tourist tax 1 ×
	// 3 × 400 = 1200 at the hotel, cleaning 2500 added: total 32500,
	// grand total 33700.
	want := booking.Price{Currency: "EUR", RoomCents: 30000, TotalCents: 32500, PayAtHotelCents: 1200, GrandTotalCents: 33700,
		Lines: []booking.PriceLine{
			{Code: "vat", Name: "IVA", Kind: booking.TaxPercent, VAT: true, Included: true, Percent: "6",
				BaseCents: 28302, AmountCents: 1698, Rounding: booking.RoundNetHalfUp},
			{Code: "city-tax", Name: "Taxa turística", Kind: booking.TaxPerPersonNight, PayAtHotel: true,
				UnitCents: 400, Quantity: 3, AmountCents: 1200, Rounding: booking.RoundExact},
			{Code: "cleaning", Name: "Cleaning", Kind: booking.TaxPerStay, UnitCents: 2500, Quantity: 1,
				AmountCents: 2500, Rounding: booking.RoundExact},
		}}
	if !reflect.DeepEqual(r.Price, want) || r.TotalCents != 32500 {
		t.Fatalf("booked total %d price %+v, want %+v", r.TotalCents, r.Price, want)
	}
	read, err := f.st.Reservation(ctx, r.Reference)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(read.Price, want) || read.TotalCents != 32500 {
		t.Fatalf("read back total %d price %+v", read.TotalCents, read.Price)
	}
	// The nights keep the rooms' prices: they sum to RoomCents, not to
	// the total with its taxes.
	d, err := f.st.DeskRecord(ctx, r.Reference)
	if err != nil {
		t.Fatal(err)
	}
	if d.NightsCents() != read.Price.RoomCents {
		t.Fatalf("nights sum to %d, want the rooms' %d", d.NightsCents(), read.Price.RoomCents)
	}

	// Two nights: rooms 20000, VAT net 2000000 / 106 = 18867.92… →
	// 18868, VAT 1132; tourist tax 2 × 400 = 800; cleaning 2500: total
	// 22500.
	m, err := f.svc.Modify(ctx, r.Reference, token, booking.Change{CheckOut: booking.MustDate("2026-12-12")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m.TotalCents != 22500 || m.Price.RoomCents != 20000 || m.Price.PayAtHotelCents != 800 ||
		m.Price.Lines[0].AmountCents != 1132 || m.Price.Lines[0].BaseCents != 18868 {
		t.Fatalf("modified total %d price %+v", m.TotalCents, m.Price)
	}
	var total int64
	var price json.RawMessage
	if err := f.st.Pool().QueryRow(ctx, `SELECT total_cents, price FROM reservations WHERE reference = $1`, r.Reference).Scan(&total, &price); err != nil {
		t.Fatal(err)
	}
	var stored booking.Price
	if err := json.Unmarshal(price, &stored); err != nil || total != 22500 || !reflect.DeepEqual(stored, m.Price) {
		t.Fatalf("stored total %d price %s (%v)", total, price, err)
	}
}

func TestSetTaxesReplacesTheListWithItsAudit(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 3)
	ctx := context.Background()
	audits := func() int {
		var n int
		if err := f.st.Pool().QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE entity_kind = 'taxes'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if err := f.st.SetTaxes(ctx, "h", portoTaxes, bySeed.As(booking.ActionTaxesSet)); err != nil {
		t.Fatal(err)
	}
	got, err := f.st.Taxes(ctx, "h")
	if err != nil || !reflect.DeepEqual(got, portoTaxes) {
		t.Fatalf("taxes %+v, %v; want %+v", got, err, portoTaxes)
	}
	// The same list again, its percent written otherwise, changes
	// nothing and records nothing.
	same := append([]booking.Tax(nil), portoTaxes...)
	same[0].Percent = "6.00"
	if err := f.st.SetTaxes(ctx, "h", same, bySeed.As(booking.ActionTaxesSet)); err != nil {
		t.Fatal(err)
	}
	if n := audits(); n != 1 {
		t.Fatalf("%d audit rows, want 1", n)
	}
	// A shorter list in another order replaces the whole list.
	next := []booking.Tax{
		{Code: "cleaning", Name: "Cleaning", Kind: booking.TaxPerStay, AmountCents: 3000},
		{Code: "vat", Name: "IVA", Kind: booking.TaxPercent, VAT: true, Percent: "6.5", Included: true,
			ValidFrom: booking.MustDate("2027-01-01"), ValidTo: booking.MustDate("2028-01-01")},
	}
	if err := f.st.SetTaxes(ctx, "h", next, bySeed.As(booking.ActionTaxesSet)); err != nil {
		t.Fatal(err)
	}
	d, err := f.st.HotelDetail(ctx, "h")
	if err != nil || !reflect.DeepEqual(d.Taxes, next) {
		t.Fatalf("hotel detail taxes %+v, %v; want %+v", d.Taxes, err, next)
	}
	var before, after string
	if err := f.st.Pool().QueryRow(ctx, `SELECT before::text, after::text FROM audit_events
		WHERE entity_kind = 'taxes' AND action = 'taxes.set' ORDER BY id DESC LIMIT 1`).Scan(&before, &after); err != nil {
		t.Fatal(err)
	}
	if n := audits(); n != 2 {
		t.Fatalf("%d audit rows, want 2", n)
	}
	var a struct{ Taxes []booking.Tax }
	if err := json.Unmarshal([]byte(after), &a); err != nil || !reflect.DeepEqual(a.Taxes, next) {
		t.Fatalf("audit after %s (%v)", after, err)
	}
	var b struct{ Taxes []booking.Tax }
	if err := json.Unmarshal([]byte(before), &b); err != nil || len(b.Taxes) != 3 {
		t.Fatalf("audit before %s (%v)", before, err)
	}
	// The city search reads them too.
	hc, err := f.st.CityCandidates(ctx, "porto", booking.Stay{CheckIn: booking.MustDate("2026-12-10"),
		CheckOut: booking.MustDate("2026-12-12"), Adults: 1, Rooms: 1})
	if err != nil || len(hc) != 1 || !reflect.DeepEqual(hc[0].Taxes, next) {
		t.Fatalf("city candidates %+v, %v", hc, err)
	}
	// An empty list clears them.
	if err := f.st.SetTaxes(ctx, "h", nil, bySeed.As(booking.ActionTaxesSet)); err != nil {
		t.Fatal(err)
	}
	if got, err := f.st.Taxes(ctx, "h"); err != nil || len(got) != 0 {
		t.Fatalf("taxes after clearing %+v, %v", got, err)
	}
}

func TestTaxesCheckedByTheSchema(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 1)
	ctx := context.Background()
	// The domain refuses these first; the schema refuses them anyway.
	for _, bad := range []booking.Tax{
		{Code: "x", Name: "X", Kind: booking.TaxPercent, Percent: "101"},
		{Code: "x", Name: "X", Kind: booking.TaxPerStay, AmountCents: 100, Included: true},
		{Code: "x", Name: "X", Kind: booking.TaxPercent, Percent: "6", Included: true, PayAtHotel: true},
		{Code: "X", Name: "X", Kind: booking.TaxPerStay, AmountCents: 100},
	} {
		if err := f.st.SetTaxes(ctx, "h", []booking.Tax{bad}, bySeed.As(booking.ActionTaxesSet)); err == nil {
			t.Errorf("%+v stored", bad)
		}
	}
	if got, _ := f.st.Taxes(ctx, "h"); len(got) != 0 {
		t.Fatalf("a refused list left %+v", got)
	}
}

// Room revenue is the rooms' price less the VAT inside it: the tourist
// tax paid at the hotel and the cleaning fee added on top are not room
// revenue.
func TestRevenueIsTheRoomsNetOfIncludedVAT(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 3)
	ctx := context.Background()
	if err := f.st.SetTaxes(ctx, "h", portoTaxes, bySeed.As(booking.ActionTaxesSet)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.book(ctx, "2026-12-10", "2026-12-13", 1); err != nil {
		t.Fatal(err)
	}
	// Rooms 30000, VAT inside 1698: net 28302, 9434 a night.
	facts, _, err := f.st.RevenueFacts(ctx, "h", finance.Nights{From: booking.MustDate("2026-12-10").Time(), To: booking.MustDate("2026-12-13").Time()})
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	for _, n := range facts {
		if n.Sold == 1 && n.RevenueCents != 9434 {
			t.Errorf("%s: revenue %d, want 9434", n.Night.Format("2006-01-02"), n.RevenueCents)
		}
		sum += n.RevenueCents
	}
	if sum != 28302 {
		t.Fatalf("room revenue %d, want 28302", sum)
	}
}

// A booking that meets a change of taxes in flight is priced under the
// list that change commits: the change holds the hotel row, the
// booking's terms wait for it, and the taxes are read after them in the
// booking's own transaction.
func TestBookWaitsForATaxChangeAndPricesUnderIt(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 3)
	ctx := context.Background()
	tx, err := f.st.Pool().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT id FROM hotels WHERE slug = 'h' FOR UPDATE`); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO hotel_taxes (hotel_id, position, code, name, kind, amount_cents)
		SELECT id, 0, 'fee', 'Fee', 'per_stay', 1000 FROM hotels WHERE slug = 'h'`); err != nil {
		t.Fatal(err)
	}
	type booked struct {
		r   booking.Reservation
		err error
	}
	done := make(chan booked, 1)
	go func() {
		r, _, err := f.book(ctx, "2026-12-10", "2026-12-13", 1)
		done <- booked{r, err}
	}()
	select {
	case b := <-done:
		t.Fatalf("the booking did not wait for the tax change: %+v, %v", b.r.Price, b.err)
	case <-time.After(300 * time.Millisecond):
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	b := <-done
	// 3 nights at 10000 and the fee of 1000 committed while it waited.
	if b.err != nil || b.r.TotalCents != 31000 || len(b.r.Price.Lines) != 1 || b.r.Price.Lines[0].Code != "fee" {
		t.Fatalf("booked %d %+v, %v; want 31000 with the fee", b.r.TotalCents, b.r.Price, b.err)
	}
}
