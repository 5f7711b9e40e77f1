package notify

import (
	"strings"
	"testing"
	"time"

	"innkeeper/shared/auth"
	"innkeeper/shared/booking"
	"innkeeper/shared/logging"
)

func TestMoney(t *testing.T) {
	tests := []struct {
		name  string
		minor int64
		code  string
		want  string
	}{
		{"euros", 16150, "EUR", "€ 161.50"},
		{"dollars with grouping", 123456789, "USD", "$ 1,234,567.89"},
		{"yen have no minor unit", 57800, "JPY", "¥ 57,800"},
		{"dinars have three", 1500, "KWD", "KWD 1.500"},
		{"zero", 0, "EUR", "€ 0.00"},
		{"unknown code", 100, "XXY", "100 XXY (minor units)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Money(tt.minor, tt.code); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func fixture() (booking.Reservation, booking.HotelDetail) {
	until := time.Date(2027, 7, 8, 20, 0, 0, 0, time.UTC)
	hold := time.Date(2026, 12, 1, 10, 15, 0, 0, time.UTC)
	fee := int64(17340)
	r := booking.Reservation{
		ID: 7, Reference: "INK-7K3Q9P", Status: booking.StatusConfirmed, HotelSlug: "nyc-midtown",
		RoomTypeCode: "KING", RatePlanCode: "KING-FLEX",
		Stay:       booking.Stay{CheckIn: booking.MustDate("2027-07-10"), CheckOut: booking.MustDate("2027-07-12"), Adults: 2, Children: 1, Rooms: 1},
		Guest:      booking.Guest{Name: "Ana Silva", Email: "ana@example.com", Phone: "+351 912 345 678"},
		TotalCents: 58076, Currency: "USD", Refundable: true, FreeCancellationUntil: &until,
		HoldExpiresAt: &hold, CancellationFeeCents: &fee,
	}
	// Two nights at $250: 50000. Sales tax 8.875%: 4437.5 → 4438;
	// occupancy tax 5.875%: 2937.5 → 2938; fees 2 × 200 and 2 × 150:
	// 50000 + 4438 + 2938 + 400 + 300 = 58076.
	r.Price = booking.Price{Currency: "USD", RoomCents: 50000, TotalCents: 58076, GrandTotalCents: 58076,
		Lines: []booking.PriceLine{
			{Code: "sales-tax", Name: "Sales tax", Kind: booking.TaxPercent, Percent: "8.875", BaseCents: 50000, AmountCents: 4438},
			{Code: "occupancy-tax", Name: "Hotel room occupancy tax", Kind: booking.TaxPercent, Percent: "5.875", BaseCents: 50000, AmountCents: 2938},
			{Code: "unit-fee", Name: "Hotel unit fee", Kind: booking.TaxPerRoomNight, UnitCents: 200, Quantity: 2, AmountCents: 400},
			{Code: "javits-fee", Name: "Javits fee", Kind: booking.TaxPerRoomNight, UnitCents: 150, Quantity: 2, AmountCents: 300},
		}}
	h := booking.HotelDetail{
		Hotel:     booking.Hotel{Slug: "nyc-midtown", Name: "Midtown Loft New York", City: "New York", Timezone: "America/New_York", Currency: "USD", CheckInTime: "16:00"},
		RoomTypes: []booking.RoomType{{Code: "KING", Name: "King Studio"}},
		RatePlans: []booking.RatePlan{{Code: "KING-FLEX", Name: "Flexible"}},
	}
	return r, h
}

func TestComposeEveryKind(t *testing.T) {
	n, err := New(nil, nil, Config{From: "Innkeeper <bookings@innkeeper.local>", StaffTo: "desk@innkeeper.local",
		AppURL: "https://book.example.com", AppKey: strings.Repeat("k", 32)}, logging.Discard())
	if err != nil {
		t.Fatal(err)
	}
	r, h := fixture()
	tests := []struct {
		kind    Kind
		subject string
		to      string
		body    []string // in both text and HTML
	}{
		{Confirmation, "Booking confirmed: INK-7K3Q9P at Midtown Loft New York", "ana@example.com",
			[]string{"INK-7K3Q9P", "$ 580.76", "$ 500.00", "Sales tax (8.875%)", "$ 44.38", "Hotel room occupancy tax (5.875%)", "$ 29.38",
				"Hotel unit fee (2 × $ 2.00)", "$ 4.00", "Javits fee (2 × $ 1.50)", "$ 3.00", "Sat 10 Jul 2027", "16:00", "Thu 8 Jul 2027, 16:00 EDT", "King Studio", "Flexible", "America/New_York"}},
		{Hold, "Room held until Tue 1 Dec 2026, 05:15 EST", "ana@example.com", []string{"05:15 EST"}},
		{Cancellation, "Booking cancelled", "ana@example.com", []string{"$ 173.40"}},
		{Expired, "Hold ended", "ana@example.com", []string{"released"}},
		{Reminder, "See you soon", "ana@example.com", []string{"Sat 10 Jul 2027"}},
		{StaffBooking, "New booking INK-7K3Q9P", "desk@innkeeper.local", []string{"ana@example.com", "912 345 678"}},
		{AccessLink, "The link to your booking: INK-7K3Q9P at Midtown Loft New York", "ana@example.com",
			[]string{"asked for the link", "cancel", "Sat 10 Jul 2027"}},
		{Modification, "Booking changed: INK-7K3Q9P at Midtown Loft New York", "ana@example.com",
			[]string{"has been changed", "Sat 10 Jul 2027", "$ 580.76", "Sales tax (8.875%)", "Thu 8 Jul 2027, 16:00 EDT"}},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			m, err := n.Compose(tt.kind, r, h)
			if err != nil {
				t.Fatal(err)
			}
			if err := m.Validate(); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(m.Subject, tt.subject) {
				t.Errorf("subject %q, want it to start %q", m.Subject, tt.subject)
			}
			if len(m.To) != 1 || !strings.Contains(m.To[0], tt.to) {
				t.Errorf("to %v", m.To)
			}
			for _, want := range tt.body {
				if !strings.Contains(m.Text, want) || !strings.Contains(m.HTML, want) {
					t.Errorf("%s: body lacks %q\ntext:\n%s", tt.kind, want, m.Text)
				}
			}
			if m.ID != "ink-7k3q9p."+string(tt.kind)+"@innkeeper" {
				t.Errorf("message id %q", m.ID)
			}
			hasLink := strings.Contains(m.Text, "https://book.example.com/v1/reservations/INK-7K3Q9P/manage?expires=")
			if hasLink == (tt.kind == StaffBooking) {
				t.Errorf("manage link in %s: %v", tt.kind, hasLink)
			}
		})
	}
}

// A Lisbon booking: the VAT is inside the rooms' price, shown and not
// added, and the tourist tax is paid at the hotel, shown apart from the
// total.
func TestComposeShowsIncludedTaxesAndWhatIsPaidAtTheHotel(t *testing.T) {
	n, err := New(nil, nil, Config{From: "a@b.c", StaffTo: "d@e.f"}, logging.Discard())
	if err != nil {
		t.Fatal(err)
	}
	r, h := fixture()
	h.Currency, r.Currency, r.TotalCents = "EUR", "EUR", 16150
	// 2 nights at €80.75: 16150; VAT net 1615000 / 106 → 15236, VAT
	// 914; tourist tax 2 guests × 2 nights × 400 = 1600 at the hotel.
	r.Price = booking.Price{Currency: "EUR", RoomCents: 16150, TotalCents: 16150, PayAtHotelCents: 1600, GrandTotalCents: 17750,
		Lines: []booking.PriceLine{
			{Code: "vat", Name: "IVA", Kind: booking.TaxPercent, VAT: true, Included: true, Percent: "6", BaseCents: 15236, AmountCents: 914},
			{Code: "city-tax", Name: "Taxa turística", Kind: booking.TaxPerPersonNight, PayAtHotel: true, UnitCents: 400, Quantity: 4, AmountCents: 1600},
		}}
	m, err := n.Compose(Confirmation, r, h)
	if err != nil {
		t.Fatal(err)
	}
	want := "Rooms:     € 161.50\nTotal:     € 161.50\n  includes IVA (6%): € 9.14\n" +
		"To pay at the hotel: € 16.00\n  Taxa turística (4 × € 4.00): € 16.00\n"
	if !strings.Contains(m.Text, want) {
		t.Fatalf("text lacks\n%s\ntext:\n%s", want, m.Text)
	}
	for _, s := range []string{"includes IVA (6%)", "€ 9.14", "To pay at the hotel", "Taxa turística (4 × € 4.00)", "€ 16.00"} {
		if !strings.Contains(m.HTML, s) {
			t.Errorf("HTML lacks %q", s)
		}
	}
	// A reservation read without its price shows the total as the rooms.
	r.Price = booking.Price{}
	m, err = n.Compose(Confirmation, r, h)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.Text, "Rooms:     € 161.50\nTotal:     € 161.50\n") || strings.Contains(m.Text, "hotel:") {
		t.Fatalf("text without a price:\n%s", m.Text)
	}
}

func TestManageURLVerifies(t *testing.T) {
	key := strings.Repeat("k", 32)
	exp := time.Date(2027, 7, 19, 0, 0, 0, 0, time.UTC)
	u := ManageURL("https://book.example.com", key, "INK-7K3Q9P", exp)
	sig := u[strings.Index(u, "signature=")+len("signature="):]
	if err := auth.VerifyLink([]string{key}, "INK-7K3Q9P", exp.Unix(), sig, exp.Add(-time.Hour)); err != nil {
		t.Fatalf("%s: %v", u, err)
	}
}

func TestHTMLEscapesGuestInput(t *testing.T) {
	n, _ := New(nil, nil, Config{From: "a@b.c", StaffTo: "d@e.f"}, logging.Discard())
	r, h := fixture()
	r.Guest.Name = `<script>alert("x")</script>`
	m, err := n.Compose(StaffBooking, r, h)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.HTML, "<script>") {
		t.Fatal("guest input reached the HTML unescaped")
	}
}

func TestKindsFor(t *testing.T) {
	if k, _ := KindsFor("reservation.confirmed"); len(k) != 2 {
		t.Fatalf("confirmed: %v", k)
	}
	for _, st := range []booking.Status{booking.StatusCheckedIn, booking.StatusCheckedOut, booking.StatusNoShow} {
		if k, err := KindsFor("reservation." + string(st)); err != nil || len(k) != 0 {
			t.Fatalf("%s: %v, %v; want no email and no error", st, k, err)
		}
	}
	if k, _ := KindsFor(booking.EventAccessRequested); len(k) != 1 || k[0] != AccessLink {
		t.Fatalf("access requested: %v", k)
	}
	if k, _ := KindsFor(booking.EventModified); len(k) != 1 || k[0] != Modification {
		t.Fatalf("modified: %v", k)
	}
	if _, err := KindsFor("reservation.teleported"); err == nil {
		t.Fatal("an unknown event must be refused")
	}
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	live, gone := now.Add(time.Minute), now.Add(-time.Minute)
	held := booking.Event{Type: "reservation.held", Status: booking.StatusHeld}
	tests := []struct {
		name string
		r    booking.Reservation
		want bool
	}{
		{"a live hold", booking.Reservation{Status: booking.StatusHeld, HoldExpiresAt: &live}, true},
		{"a hold confirmed since", booking.Reservation{Status: booking.StatusConfirmed}, false},
		{"a hold whose time is up", booking.Reservation{Status: booking.StatusHeld, HoldExpiresAt: &gone}, false},
	}
	for _, tt := range tests {
		if got := current(held, tt.r, now); got != tt.want {
			t.Errorf("%s: current = %v", tt.name, got)
		}
		// A lost link is sent whatever the booking's state.
		if !current(booking.Event{Type: booking.EventAccessRequested}, tt.r, now) {
			t.Errorf("%s: an access request is not current", tt.name)
		}
	}
}
