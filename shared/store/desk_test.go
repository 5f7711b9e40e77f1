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
		{"percent is literal", "%", []string{}},
		{"apostrophe", "o'neil", []string{ann.Reference}},
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
	long := strings.Repeat("ã", booking.MaxQueryLength+1)
	_, _, err := f.svc.Reservations(context.Background(), "h", booking.ReservationFilter{Query: long})
	var v *booking.ValidationError
	if !errors.As(err, &v) {
		t.Fatalf("want a validation error, got %v", err)
	}
}
