package store_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"innkeeper/shared/booking"
	"innkeeper/shared/store"
)

// checkedIn books n stays of f's hotel from ci to co, one room each, and
// checks them all in on the arrival day.
func (f fixture) checkedIn(t *testing.T, n int, ci, co string) []string {
	t.Helper()
	ctx := context.Background()
	refs := make([]string, n)
	in := f.deskAt(booking.MustDate(ci).Time().Add(16 * time.Hour))
	for i := range refs {
		r, _, err := f.book(ctx, ci, co, 1)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := in.Desk(ctx, r.Reference, booking.DeskCommand{Action: booking.ActionCheckIn, By: clerk}); err != nil {
			t.Fatal(err)
		}
		refs[i] = r.Reference
	}
	return refs
}

// checkOut checks ref out at instant at, paid by method.
func (f fixture) checkOut(ctx context.Context, ref string, at time.Time, method string) error {
	_, err := f.deskAt(at).Desk(ctx, ref, booking.DeskCommand{Action: booking.ActionCheckOut, PaymentMethod: method, By: clerk})
	return err
}

// numbers lists the numbers of a hotel's documents of one kind, in the
// order of their sequence.
func numbers(t *testing.T, st *store.Store, slug, kind string) []string {
	t.Helper()
	rows, err := st.Pool().Query(context.Background(), `SELECT i.number FROM invoices i JOIN hotels h ON h.id = i.hotel_id
		WHERE h.slug = $1 AND i.kind = $2 ORDER BY i.year, i.sequence`, slug, kind)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}

func series(prefix string, year, n int) []string {
	var out []string
	for i := 1; i <= n; i++ {
		out = append(out, booking.InvoiceNumber(prefix, booking.KindInvoice, year, i))
	}
	return out
}

// Fifty guests check out at once: each check-out takes its number in its
// own transaction, and the fifty numbers are 1 to 50, none twice, none
// skipped.
func TestFiftyConcurrentCheckOutsAreNumberedOneToFifty(t *testing.T) {
	t.Parallel()
	const n = 50
	f := newFixture(t, n)
	ctx := context.Background()
	refs := f.checkedIn(t, n, "2026-12-02", "2026-12-04")
	out := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, ref := range refs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = f.checkOut(ctx, ref, out, "card")
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("check-out %s: %v", refs[i], err)
		}
	}
	got := numbers(t, f.st, "h", booking.KindInvoice)
	if want := series("H", 2026, n); !reflect.DeepEqual(got, want) {
		t.Fatalf("numbers %v\nwant %v", got, want)
	}
	var distinct, last int
	if err := f.st.Pool().QueryRow(ctx, `SELECT (SELECT count(DISTINCT reservation_id) FROM invoices),
			(SELECT last_number FROM invoice_series WHERE kind = 'invoice' AND year = 2026)`).Scan(&distinct, &last); err != nil {
		t.Fatal(err)
	}
	if distinct != n || last != n {
		t.Fatalf("%d reservations invoiced, series at %d; want %d and %d", distinct, last, n, n)
	}
	// Each invoice is its stay's: two nights at 100.00, paid by card.
	docs, err := f.st.ReservationInvoices(ctx, mustReservation(t, f, refs[0]).ID)
	if err != nil || len(docs) != 1 {
		t.Fatalf("invoices of %s: %v, %v", refs[0], docs, err)
	}
	if d := docs[0]; d.TotalCents != 20000 || d.Purpose != booking.PurposeStay || d.Reference != refs[0] ||
		!reflect.DeepEqual(d.Payments, []booking.Payment{{AmountCents: 20000, Method: "card", At: out}}) ||
		d.Seller.Name != "H" || d.Buyer.Email != "g@example.com" {
		t.Fatalf("invoice %+v", d)
	}
}

func mustReservation(t *testing.T, f fixture, ref string) booking.Reservation {
	t.Helper()
	r, err := f.st.Reservation(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// A check-out that fails after taking its number rolls the number back
// with everything else: the next check-out takes it, and the series has
// no gap.
func TestFailedCheckOutGivesItsNumberBack(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 3)
	ctx := context.Background()
	refs := f.checkedIn(t, 3, "2026-12-02", "2026-12-04")
	out := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	if err := f.checkOut(ctx, refs[0], out, ""); err != nil {
		t.Fatal(err)
	}
	// The second reservation's invoice fails as it is written, after the
	// series gave it number 2.
	if _, err := f.st.Pool().Exec(ctx, fmt.Sprintf(`
		CREATE FUNCTION refuse_invoice() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF (SELECT reference FROM reservations WHERE id = NEW.reservation_id) = '%s' THEN
				RAISE EXCEPTION 'refused for the test';
			END IF;
			RETURN NEW;
		END $$;
		CREATE TRIGGER refuse_invoice BEFORE INSERT ON invoices FOR EACH ROW EXECUTE FUNCTION refuse_invoice();`, refs[1])); err != nil {
		t.Fatal(err)
	}
	if err := f.checkOut(ctx, refs[1], out, "cash"); err == nil {
		t.Fatal("the refused check-out succeeded")
	}
	if r := mustReservation(t, f, refs[1]); r.Status != booking.StatusCheckedIn {
		t.Fatalf("the refused check-out left %s %s", r.Reference, r.Status)
	}
	if err := f.checkOut(ctx, refs[2], out, "cash"); err != nil {
		t.Fatal(err)
	}
	if got, want := numbers(t, f.st, "h", booking.KindInvoice), series("H", 2026, 2); !reflect.DeepEqual(got, want) {
		t.Fatalf("numbers %v, want %v", got, want)
	}
	docs, err := f.st.ReservationInvoices(ctx, mustReservation(t, f, refs[2]).ID)
	if err != nil || len(docs) != 1 || docs[0].Number != "H-2026-000002" || docs[0].Payments[0].Method != "cash" {
		t.Fatalf("the next check-out's invoice: %+v, %v", docs, err)
	}
}

// Each hotel numbers its own documents, and a new year (at the hotel)
// starts again at 1.
func TestSeriesPerHotelAndYear(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 2)
	ctx := context.Background()
	other, err := f.svc.CreateHotel(ctx, booking.Hotel{Slug: "other-inn", Name: "Other Inn", City: "Porto", Country: "PT",
		Timezone: "Europe/Lisbon", Currency: "EUR", InvoicePrefix: "OTH", LegalName: "Outra Estalagem, Lda.",
		LegalAddress: "Rua das Flores 1, 4050-262 Porto", TaxID: "PT509999990"}, bySeed)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CreateRoomType(ctx, "other-inn", booking.RoomType{Code: "DBL", Name: "Double", MaxAdults: 2}, bySeed); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CreateRatePlan(ctx, "other-inn", booking.RatePlan{RoomTypeCode: "DBL", Code: "DBL-FLEX", Name: "Flex", Refundable: true, FreeCancellationHours: 48, PenaltyPercent: 25}, bySeed); err != nil {
		t.Fatal(err)
	}
	rng := booking.DateRange{From: booking.MustDate("2026-12-01"), To: booking.MustDate("2027-02-01")}
	if err := f.svc.SetInventory(ctx, "other-inn", "DBL", rng, 2, bySeed); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SetRates(ctx, "other-inn", "DBL-FLEX", rng, 8000, bySeed); err != nil {
		t.Fatal(err)
	}
	o, _, err := f.svc.Book(ctx, booking.BookRequest{Hotel: "other-inn", RoomType: "DBL", RatePlan: "DBL-FLEX",
		Stay:  booking.Stay{CheckIn: booking.MustDate("2026-12-02"), CheckOut: booking.MustDate("2026-12-03"), Adults: 1, Rooms: 1},
		Guest: booking.Guest{Name: "Rui", Email: "rui@example.com"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.deskAt(time.Date(2026, 12, 2, 16, 0, 0, 0, time.UTC)).Desk(ctx, o.Reference, booking.DeskCommand{Action: booking.ActionCheckIn, By: clerk}); err != nil {
		t.Fatal(err)
	}
	old := f.checkedIn(t, 1, "2026-12-02", "2026-12-03")
	late := f.checkedIn(t, 1, "2026-12-30", "2027-01-02")
	if err := f.checkOut(ctx, old[0], time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC), "card"); err != nil {
		t.Fatal(err)
	}
	if err := f.checkOut(ctx, o.Reference, time.Date(2026, 12, 3, 11, 0, 0, 0, time.UTC), "card"); err != nil {
		t.Fatal(err)
	}
	if err := f.checkOut(ctx, late[0], time.Date(2027, 1, 2, 10, 0, 0, 0, time.UTC), "card"); err != nil {
		t.Fatal(err)
	}
	if got, want := numbers(t, f.st, "h", booking.KindInvoice), []string{"H-2026-000001", "H-2027-000001"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("h's numbers %v, want %v", got, want)
	}
	if got, want := numbers(t, f.st, "other-inn", booking.KindInvoice), []string{"OTH-2026-000001"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("other-inn's numbers %v, want %v", got, want)
	}
	inv, err := f.st.Invoice(ctx, "OTH-2026-000001")
	if err != nil {
		t.Fatal(err)
	}
	want := booking.Seller{Name: "Outra Estalagem, Lda.", Address: "Rua das Flores 1, 4050-262 Porto", TaxID: "PT509999990", Country: "PT"}
	if inv.Seller != want || inv.HotelID != other.ID || inv.TotalCents != 8000 || inv.Year != 2026 || inv.Sequence != 1 {
		t.Fatalf("invoice %+v", inv)
	}
	if _, err := f.st.Invoice(ctx, "OTH-2026-000002"); !errors.Is(err, booking.ErrNotFound) {
		t.Fatalf("an unknown number: %v, want ErrNotFound", err)
	}
	// Issued is final, whoever asks.
	for _, sql := range []string{`UPDATE invoices SET total_cents = 1 WHERE number = 'OTH-2026-000001'`,
		`DELETE FROM invoices WHERE number = 'OTH-2026-000001'`} {
		if _, err := f.st.Pool().Exec(ctx, sql); err == nil || !strings.Contains(err.Error(), "never changes") {
			t.Errorf("%s: %v, want it refused", sql, err)
		}
	}
}

// prepaidPlan adds a non-refundable plan to f's hotel at 120.00 a night.
func (f fixture) prepaidPlan(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	if _, err := f.svc.CreateRatePlan(ctx, "h", booking.RatePlan{RoomTypeCode: "DBL", Code: "DBL-NR", Name: "Non-refundable"}, bySeed); err != nil {
		t.Fatal(err)
	}
	rng := booking.DateRange{From: booking.MustDate("2026-12-01"), To: booking.MustDate("2027-02-01")}
	if err := f.svc.SetRates(ctx, "h", "DBL-NR", rng, 12000, bySeed); err != nil {
		t.Fatal(err)
	}
}

func (f fixture) bookPrepaid(ctx context.Context, hold bool) (booking.Reservation, string, error) {
	return f.svc.Book(ctx, booking.BookRequest{
		Hotel: "h", RoomType: "DBL", RatePlan: "DBL-NR",
		Stay:  booking.Stay{CheckIn: booking.MustDate("2026-12-10"), CheckOut: booking.MustDate("2026-12-12"), Adults: 2, Rooms: 1},
		Guest: booking.Guest{Name: "Ana Sousa", Email: "ana@example.com"}, Hold: hold,
	}, nil)
}

// A prepaid (non-refundable) booking is invoiced as it is confirmed,
// booked so or a hold confirmed; its check-out issues nothing more when
// nothing is paid at the hotel; cancelling one at the desk with the fee
// waived issues a credit note of the whole invoice.
func TestPrepaidBookingsAreInvoicedWhenConfirmedAndCreditedWhenCancelled(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 3)
	f.prepaidPlan(t)
	ctx := context.Background()
	r, _, err := f.bookPrepaid(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	docs, err := f.st.ReservationInvoices(ctx, r.ID)
	if err != nil || len(docs) != 1 {
		t.Fatalf("invoices at booking: %+v, %v", docs, err)
	}
	if d := docs[0]; d.Number != "H-2026-000001" || d.Purpose != booking.PurposePrepaid || d.TotalCents != 24000 ||
		d.PaidCents() != 24000 || d.Payments[0].Method != booking.PaidPrepaid || !d.IssuedAt.Equal(clock) {
		t.Fatalf("prepaid invoice %+v", d)
	}

	hold, token, err := f.bookPrepaid(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if docs, _ := f.st.ReservationInvoices(ctx, hold.ID); len(docs) != 0 {
		t.Fatalf("a hold was invoiced: %+v", docs)
	}
	if _, err := f.svc.Confirm(ctx, hold.Reference, token, nil); err != nil {
		t.Fatal(err)
	}
	if docs, _ := f.st.ReservationInvoices(ctx, hold.ID); len(docs) != 1 || docs[0].Number != "H-2026-000002" {
		t.Fatalf("the confirmed hold's invoices: %+v", docs)
	}

	// The first is stayed in and checked out: its invoice stands alone.
	if _, err := f.deskAt(time.Date(2026, 12, 10, 16, 0, 0, 0, time.UTC)).Desk(ctx, r.Reference, booking.DeskCommand{Action: booking.ActionCheckIn, By: clerk}); err != nil {
		t.Fatal(err)
	}
	if err := f.checkOut(ctx, r.Reference, time.Date(2026, 12, 12, 10, 0, 0, 0, time.UTC), "card"); err != nil {
		t.Fatal(err)
	}
	if docs, _ := f.st.ReservationInvoices(ctx, r.ID); len(docs) != 1 {
		t.Fatalf("a prepaid stay with nothing at the hotel was invoiced again: %+v", docs)
	}

	// The second is cancelled at the desk, the fee waived: all of it
	// comes back.
	cancel := booking.DeskCommand{Action: booking.ActionCancel, Reason: "flight cancelled", WaiveFee: true, By: clerk}
	if _, err := f.deskAt(clock).Desk(ctx, hold.Reference, cancel); err != nil {
		t.Fatal(err)
	}
	docs, err = f.st.ReservationInvoices(ctx, hold.ID)
	if err != nil || len(docs) != 2 {
		t.Fatalf("invoices after the cancellation: %+v, %v", docs, err)
	}
	cn := docs[1]
	if cn.Number != "H-CN-2026-000001" || cn.Kind != booking.KindCreditNote || cn.RefersTo == nil || *cn.RefersTo != docs[0].ID ||
		cn.RefersToNumber != "H-2026-000002" || cn.TotalCents != -24000 || cn.PaidCents() != -24000 {
		t.Fatalf("credit note %+v", cn)
	}
	// And the invoice numbers go on from where they were.
	if got := numbers(t, f.st, "h", booking.KindInvoice); !reflect.DeepEqual(got, series("H", 2026, 2)) {
		t.Fatalf("numbers %v", got)
	}
}

// A prepaid booking cancelled under its terms (100% kept): the credit
// note reverses the invoice and keeps the fee, refunding nothing.
func TestPrepaidCancelledUnderItsTermsKeepsTheFee(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 1)
	f.prepaidPlan(t)
	ctx := context.Background()
	r, token, err := f.bookPrepaid(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Cancel(ctx, r.Reference, token, nil); err != nil {
		t.Fatal(err)
	}
	docs, err := f.st.ReservationInvoices(ctx, r.ID)
	if err != nil || len(docs) != 2 {
		t.Fatalf("%+v, %v", docs, err)
	}
	cn := docs[1]
	var amounts []int64
	for _, l := range cn.Lines {
		amounts = append(amounts, l.AmountCents)
	}
	if !reflect.DeepEqual(amounts, []int64{-24000, 24000}) || cn.TotalCents != 0 || len(cn.Payments) != 0 || cn.Lines[1].Code != "cancellation-fee" {
		t.Fatalf("credit note %+v", cn)
	}
}

// A flexible booking cancelled late, or not turned up to, is invoiced
// its fee alone; cancelled in time, nothing.
func TestFeesOfBookingsNotInvoicedAreInvoiced(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 3)
	ctx := context.Background()
	late, token, err := f.book(ctx, "2026-12-02", "2026-12-04", 1) // inside the 48 hours: 25% of 200.00
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Cancel(ctx, late.Reference, token, nil); err != nil {
		t.Fatal(err)
	}
	early, token, err := f.book(ctx, "2026-12-20", "2026-12-22", 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Cancel(ctx, early.Reference, token, nil); err != nil {
		t.Fatal(err)
	}
	gone, _, err := f.book(ctx, "2026-12-02", "2026-12-03", 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.deskAt(time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)).Desk(ctx, gone.Reference, booking.DeskCommand{Action: booking.ActionNoShow, By: clerk}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		ref   booking.Reservation
		code  string
		cents int64
	}{{late, "cancellation-fee", 5000}, {early, "", 0}, {gone, "no-show-fee", 2500}} {
		docs, err := f.st.ReservationInvoices(ctx, tt.ref.ID)
		if err != nil {
			t.Fatal(err)
		}
		if tt.cents == 0 {
			if len(docs) != 0 {
				t.Errorf("%s: a free cancellation was invoiced: %+v", tt.ref.Reference, docs)
			}
			continue
		}
		if len(docs) != 1 || docs[0].Purpose != booking.PurposeFee || docs[0].TotalCents != tt.cents || docs[0].VATCents != 0 ||
			len(docs[0].Lines) != 1 || docs[0].Lines[0].Code != tt.code {
			t.Errorf("%s: invoices %+v, want one of %d for %s", tt.ref.Reference, docs, tt.cents, tt.code)
		}
	}
}

// A hotel's legal entity is set on create and by a patch, audited; its
// invoice prefix, derived from the slug when not given, is unique and
// cannot change once it has numbered an invoice.
func TestLegalEntityAndInvoicePrefix(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 1)
	ctx := context.Background()
	if f.hotel.InvoicePrefix != "H" {
		t.Fatalf("h's derived prefix %q, want H", f.hotel.InvoicePrefix)
	}
	a, err := f.svc.CreateHotel(ctx, booking.Hotel{Slug: "lisbon-riverside", Name: "A", City: "Lisboa", Country: "PT", Timezone: "Europe/Lisbon", Currency: "EUR"}, bySeed)
	if err != nil || a.InvoicePrefix != "LR" {
		t.Fatalf("derived prefix %q, %v; want LR", a.InvoicePrefix, err)
	}
	b, err := f.svc.CreateHotel(ctx, booking.Hotel{Slug: "lagos-reef", Name: "B", City: "Lagos", Country: "PT", Timezone: "Europe/Lisbon", Currency: "EUR"}, bySeed)
	if err != nil || b.InvoicePrefix != fmt.Sprintf("LR%d", b.ID) {
		t.Fatalf("a taken derived prefix became %q, %v; want LR%d", b.InvoicePrefix, err, b.ID)
	}
	if _, err := f.svc.CreateHotel(ctx, booking.Hotel{Slug: "c", Name: "C", City: "Faro", Country: "PT", Timezone: "Europe/Lisbon", Currency: "EUR", InvoicePrefix: "LR"}, bySeed); !errors.Is(err, booking.ErrConflict) {
		t.Fatalf("a taken prefix: %v, want a conflict", err)
	}
	if _, err := f.svc.CreateHotel(ctx, booking.Hotel{Slug: "d", Name: "D", City: "Faro", Country: "PT", Timezone: "Europe/Lisbon", Currency: "EUR", InvoicePrefix: "lr-1", TaxID: "pt 1"}, bySeed); err == nil {
		t.Fatal("a bad prefix and tax id were accepted")
	}
	edit := editor
	edit.RequestID = "req-legal"
	name, addr, tax, prefix := "Riverside Hotéis, S.A.", "Av. Infante D. Henrique 1, 1100-000 Lisboa", "PT500000000", "LRS"
	h, err := f.svc.UpdateHotel(ctx, "lisbon-riverside", booking.HotelPatch{LegalName: &name, LegalAddress: &addr, TaxID: &tax, InvoicePrefix: &prefix}, edit)
	if err != nil || h.LegalName != name || h.InvoicePrefix != "LRS" {
		t.Fatalf("patched %+v, %v", h, err)
	}
	d, err := f.svc.Hotel(ctx, "lisbon-riverside")
	if err != nil || d.LegalName != name || d.LegalAddress != addr || d.TaxID != tax || d.InvoicePrefix != "LRS" {
		t.Fatalf("read back %+v, %v", d.Hotel, err)
	}
	var after string
	if err := f.st.Pool().QueryRow(ctx, `SELECT after->>'tax_id' || ' ' || (after->>'invoice_prefix') FROM audit_events
		WHERE action = 'hotel.update' AND request_id = 'req-legal'`).Scan(&after); err != nil || after != "PT500000000 LRS" {
		t.Fatalf("audit row %q, %v", after, err)
	}
	empty := ""
	if _, err := f.svc.UpdateHotel(ctx, "lisbon-riverside", booking.HotelPatch{InvoicePrefix: &empty}, edit); err == nil {
		t.Fatal("the prefix was emptied")
	}
	// Once h has invoiced, its prefix stays.
	refs := f.checkedIn(t, 1, "2026-12-02", "2026-12-03")
	if err := f.checkOut(ctx, refs[0], time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC), ""); err != nil {
		t.Fatal(err)
	}
	other := "HX"
	if _, err := f.svc.UpdateHotel(ctx, "h", booking.HotelPatch{InvoicePrefix: &other}, edit); !errors.Is(err, booking.ErrConflict) {
		t.Fatalf("a new prefix after invoicing: %v, want a conflict", err)
	}
	if _, err := f.svc.UpdateHotel(ctx, "h", booking.HotelPatch{TaxID: &tax}, edit); err != nil {
		t.Fatalf("the tax id after invoicing: %v", err)
	}
}

// The desk moves a prepaid stay to three nights: its invoice (240.00) is
// credited in full and the stay invoiced again as modified (360.00); a
// move onto the flexible plan credits it and invoices nothing until the
// check-out.
func TestModifyingAPrepaidBookingReissuesItsInvoice(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 2)
	f.prepaidPlan(t)
	ctx := context.Background()
	r, _, err := f.bookPrepaid(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	longer := booking.DeskModification{Change: booking.Change{CheckIn: r.CheckIn, CheckOut: booking.MustDate("2026-12-13")}, Reason: "one more night", By: clerk}
	if _, err := f.deskAt(clock).DeskModify(ctx, r.Reference, longer, nil); err != nil {
		t.Fatal(err)
	}
	docs, err := f.st.ReservationInvoices(ctx, r.ID)
	if err != nil || len(docs) != 3 {
		t.Fatalf("%+v, %v", docs, err)
	}
	got := fmt.Sprintf("%s %d %s %d %s %d", docs[0].Number, docs[0].TotalCents, docs[1].Number, docs[1].TotalCents, docs[2].Number, docs[2].TotalCents)
	if want := "H-2026-000001 24000 H-CN-2026-000001 -24000 H-2026-000002 36000"; got != want || docs[1].Purpose != booking.PurposeModification ||
		docs[1].RefersToNumber != "H-2026-000001" {
		t.Fatalf("documents %s, want %s", got, want)
	}
	flex := booking.DeskModification{Change: booking.Change{CheckIn: r.CheckIn, CheckOut: booking.MustDate("2026-12-13"), RatePlan: "DBL-FLEX"}, Reason: "changed plan", By: clerk}
	if _, err := f.deskAt(clock).DeskModify(ctx, r.Reference, flex, nil); err != nil {
		t.Fatal(err)
	}
	docs, _ = f.st.ReservationInvoices(ctx, r.ID)
	if len(docs) != 4 || docs[3].Number != "H-CN-2026-000002" || docs[3].TotalCents != -36000 || docs[3].RefersToNumber != "H-2026-000002" {
		t.Fatalf("after the move to the flexible plan: %+v", docs)
	}
}
