package store_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"innkeeper/shared/booking"
)

// bookGuest books one night of the fixture's room for a named guest.
func (f fixture) bookGuest(t *testing.T, ci, co, name, email string) booking.Reservation {
	t.Helper()
	r, _, err := f.svc.Book(context.Background(), booking.BookRequest{
		Hotel: "h", RoomType: "DBL", RatePlan: "DBL-FLEX",
		Stay:  booking.Stay{CheckIn: booking.MustDate(ci), CheckOut: booking.MustDate(co), Adults: 1, Rooms: 1},
		Guest: booking.Guest{Name: name, Email: email},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func refs(rs []booking.Reservation) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, r.Reference)
	}
	return out
}

func TestDeskSearchIgnoresCaseAndAccents(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 10)
	ctx := context.Background()
	joao := f.bookGuest(t, "2026-12-02", "2026-12-03", "João Gonçalves", "joao@example.pt")
	zoe := f.bookGuest(t, "2026-12-03", "2026-12-04", "ZOË Müller", "Zoe.Mueller@Example.COM")
	ann := f.bookGuest(t, "2026-12-04", "2026-12-05", "Ann O'Neil", "ann_b@example.org")

	for _, tc := range []struct {
		name, q string
		want    []string
	}{
		{"unaccented lower finds accented name", "joao", []string{joao.Reference}},
		{"accented upper finds accented name", "GONÇALVES", []string{joao.Reference}},
		{"cedilla folded", "goncalves", []string{joao.Reference}},
		{"diaeresis folded, case ignored", "zoe müller", []string{zoe.Reference}},
		{"email in another case", "zoe.mueller@example.com", []string{zoe.Reference}},
		{"part of an email", "@example.", []string{joao.Reference, zoe.Reference, ann.Reference}},
		{"reference", joao.Reference, []string{joao.Reference}},
		{"reference in lower case", "ink-" + zoe.Reference[4:], []string{zoe.Reference}},
		{"underscore is literal", "_", []string{ann.Reference}},
		{"the name without its apostrophe", "neil", []string{ann.Reference}},
		{"nothing matches", "nobody", []string{}},
		{"empty finds all", "", []string{joao.Reference, zoe.Reference, ann.Reference}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs, _, err := f.svc.Reservations(ctx, "h", booking.ReservationFilter{Query: tc.q})
			if err != nil {
				t.Fatal(err)
			}
			if got := refs(rs); !slices.Equal(got, tc.want) {
				t.Fatalf("q=%q found %v, want %v", tc.q, got, tc.want)
			}
		})
	}
}

func TestDeskSearchKeepsFiltersAndPaging(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 10)
	ctx := context.Background()
	// Five Silvas on different days, with other guests between them.
	var silvas []string
	for i, day := range []string{"2026-12-02", "2026-12-03", "2026-12-05", "2026-12-05", "2026-12-08"} {
		silvas = append(silvas, f.bookGuest(t, day, "2026-12-10", "Inês Silva", "ines"+string(rune('a'+i))+"@example.pt").Reference)
		f.bookGuest(t, day, "2026-12-10", "Other Guest", "other@example.com")
	}

	var got []string
	var after *booking.Cursor
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		rs, next, err := f.svc.Reservations(ctx, "h", booking.ReservationFilter{Query: "SILVA", Limit: 2, After: after})
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) > 2 {
			t.Fatalf("page of %d, want at most 2", len(rs))
		}
		got = append(got, refs(rs)...)
		if next == nil {
			break
		}
		after = next
	}
	if !slices.Equal(got, silvas) {
		t.Fatalf("pages found %v, want every Silva once in check-in order %v", got, silvas)
	}

	// The other filters still apply.
	rs, _, err := f.svc.Reservations(ctx, "h", booking.ReservationFilter{
		Query: "ines", From: booking.MustDate("2026-12-10"), To: booking.MustDate("2026-12-11"),
	})
	if err != nil || len(rs) != 0 {
		t.Fatalf("stays ending on the 10th found %v (err %v) for a range from the 10th", refs(rs), err)
	}
	rs, _, err = f.svc.Reservations(ctx, "h", booking.ReservationFilter{Query: "ines", Status: "confirmed"})
	if err != nil || len(rs) != len(silvas) {
		t.Fatalf("confirmed Silvas: %v (err %v)", refs(rs), err)
	}
	rs, _, err = f.svc.Reservations(ctx, "h", booking.ReservationFilter{Query: "ines", Status: "cancelled"})
	if err != nil || len(rs) != 0 {
		t.Fatalf("cancelled Silvas: %v (err %v), want none", refs(rs), err)
	}
}

func TestDeskSearchRefusesLongText(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 1)
	for _, tc := range []struct{ name, q string }{
		{"too long", strings.Repeat("ã", booking.MaxQueryLength+1)},
		{"NUL", "joao\x00"},
		{"slash", "../etc/passwd"},
		{"backslash", `..\win.ini`},
		{"percent", "100%"},
		{"apostrophe", "o'neil"},
		{"SQL", "x' OR 1=1 --"},
		{"not UTF-8", "jo\xe3o"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := f.svc.Reservations(context.Background(), "h", booking.ReservationFilter{Query: tc.q})
			var v *booking.ValidationError
			if !errors.As(err, &v) {
				t.Fatalf("q=%q: want a validation error, got %v", tc.q, err)
			}
		})
	}
	if _, _, err := f.svc.Reservations(context.Background(), "h", booking.ReservationFilter{Query: strings.Repeat("ã", booking.MaxQueryLength)}); err != nil {
		t.Fatalf("the longest query: %v", err)
	}
}

func TestDeskRecord(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 3)
	ctx := context.Background()
	r, _, err := f.book(ctx, "2026-12-02", "2026-12-05", 2)
	if err != nil {
		t.Fatal(err)
	}
	other, _, err := f.book(ctx, "2026-12-02", "2026-12-03", 1)
	if err != nil {
		t.Fatal(err)
	}
	// After booking, one night's rate changed and another's was removed:
	// the record shows the prices booked.
	if _, err := f.st.Pool().Exec(ctx, `UPDATE rates SET amount_cents = 12500 WHERE night = '2026-12-03'`); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.Pool().Exec(ctx, `DELETE FROM rates WHERE night = '2026-12-04'`); err != nil {
		t.Fatal(err)
	}
	// The confirmation was sent; a reminder was claimed but never sent.
	if _, err := f.st.SendOnce(ctx, r.ID, "confirmation", "<c@innkeeper>", func(context.Context) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.Pool().Exec(ctx, `INSERT INTO notifications (reservation_id, kind, message_id) VALUES ($1, 'reminder', '<r@innkeeper>')`, r.ID); err != nil {
		t.Fatal(err)
	}
	// The audit trail after the booking's own row, written out of order,
	// and a row of another booking.
	if _, err := f.st.Pool().Exec(ctx, `INSERT INTO audit_events
		(at, actor_kind, actor, actor_role, action, hotel, reservation, before, after, reason, request_id) VALUES
		('2026-12-02 16:00Z', 'api_key', 'key_2', 'staff', 'reservation.check_in', 'h', $1, '{"status":"confirmed"}', '{"status":"checked_in"}', NULL, 'req-2'),
		('2026-12-01 11:00Z', 'job', 'night-audit', NULL, 'reservation.no_show', 'h', $2, NULL, NULL, 'did not come', NULL)`,
		r.Reference, other.Reference); err != nil {
		t.Fatal(err)
	}

	d, err := f.st.DeskRecord(ctx, r.Reference)
	if err != nil {
		t.Fatal(err)
	}
	if d.Reservation.Reference != r.Reference || d.Reservation.TotalCents != 60000 {
		t.Fatalf("reservation %s total %d, want %s 60000", d.Reservation.Reference, d.Reservation.TotalCents, r.Reference)
	}
	wantNights := []booking.NightPrice{
		{Date: booking.MustDate("2026-12-02"), AmountCents: 10000},
		{Date: booking.MustDate("2026-12-03"), AmountCents: 10000},
		{Date: booking.MustDate("2026-12-04"), AmountCents: 10000},
	}
	if !slices.Equal(d.Rates, wantNights) {
		t.Fatalf("rates %v, want the prices booked %v", d.Rates, wantNights)
	}
	if d.NightsCents() != d.Reservation.Price.RoomCents {
		t.Fatalf("nights sum to %d, want the rooms' price %d", d.NightsCents(), d.Reservation.Price.RoomCents)
	}
	if len(d.Notices) != 1 || d.Notices[0].Kind != "confirmation" || d.Notices[0].MessageID != "<c@innkeeper>" || d.Notices[0].SentAt.IsZero() {
		t.Fatalf("notices %+v, want the sent confirmation alone", d.Notices)
	}
	if len(d.History) != 2 || d.History[0].Action != "reservation.create" || d.History[0].Before != nil || d.History[1].Action != "reservation.check_in" {
		t.Fatalf("history %+v, want create then check-in", d.History)
	}
	in := d.History[1]
	if in.ActorKind != "api_key" || in.Actor != "key_2" || in.ActorRole != "staff" || in.RequestID != "req-2" ||
		string(in.Before) != `{"status": "confirmed"}` || string(in.After) != `{"status": "checked_in"}` {
		t.Fatalf("check-in event %+v", in)
	}
	if d.History[0].Before != nil || d.History[0].ActorRole != "" {
		t.Fatalf("book event %+v: want no before and no role", d.History[0])
	}

	if _, err := f.st.DeskRecord(ctx, "INK-000000"); !errors.Is(err, booking.ErrNotFound) {
		t.Fatalf("unknown reference: want ErrNotFound, got %v", err)
	}
}
