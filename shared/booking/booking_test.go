package booking

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"plain", "2027-03-01", true},
		{"leap day", "2028-02-29", true},
		{"not a leap year", "2027-02-29", false},
		{"thirty-first of april", "2027-04-31", false},
		{"short", "2027-3-1", false},
		{"with time", "2027-03-01T00:00:00Z", false},
		{"empty", "", false},
		{"words", "tomorrow!!", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ParseDate(tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("ParseDate(%q) error = %v, want ok=%v", tt.in, err, tt.ok)
			}
			if tt.ok && d.String() != tt.in {
				t.Fatalf("round trip: got %s, want %s", d, tt.in)
			}
		})
	}
}

func TestStayValidate(t *testing.T) {
	today := MustDate("2026-12-01")
	stay := func(ci, co string, adults, children, rooms int) Stay {
		s := Stay{Adults: adults, Children: children, Rooms: rooms}
		if ci != "" {
			s.CheckIn = MustDate(ci)
		}
		if co != "" {
			s.CheckOut = MustDate(co)
		}
		return s
	}
	tests := []struct {
		name  string
		stay  Stay
		field string // "" when valid
	}{
		{"valid", stay("2026-12-10", "2026-12-12", 2, 0, 1), ""},
		{"today is fine", stay("2026-12-01", "2026-12-02", 1, 0, 1), ""},
		{"yesterday", stay("2026-11-30", "2026-12-02", 1, 0, 1), "check_in"},
		{"check-out on check-in", stay("2026-12-10", "2026-12-10", 1, 0, 1), "check_out"},
		{"check-out before check-in", stay("2026-12-10", "2026-12-09", 1, 0, 1), "check_out"},
		{"thirty nights", stay("2026-12-10", "2027-01-09", 1, 0, 1), ""},
		{"thirty-one nights", stay("2026-12-10", "2027-01-10", 1, 0, 1), "check_out"},
		{"eighteen months ahead", stay("2028-06-01", "2028-06-02", 1, 0, 1), ""},
		{"past eighteen months", stay("2028-06-02", "2028-06-03", 1, 0, 1), "check_in"},
		{"no adults", stay("2026-12-10", "2026-12-11", 0, 1, 1), "adults"},
		{"negative children", stay("2026-12-10", "2026-12-11", 2, -1, 1), "children"},
		{"no rooms", stay("2026-12-10", "2026-12-11", 2, 0, 0), "rooms"},
		{"too many rooms", stay("2026-12-10", "2026-12-11", 20, 0, 10), "rooms"},
		{"room without adult", stay("2026-12-10", "2026-12-11", 1, 0, 2), "adults"},
		{"missing dates", stay("", "", 2, 0, 1), "check_in"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.stay.Validate(today)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			var v *ValidationError
			if !errors.As(err, &v) {
				t.Fatalf("want a ValidationError on %s, got %v", tt.field, err)
			}
			if _, ok := v.Fields[tt.field]; !ok {
				t.Fatalf("want an error on %s, got %v", tt.field, v.Fields)
			}
		})
	}
}

func TestStayFits(t *testing.T) {
	rt := RoomType{Code: "DBL", MaxAdults: 2, MaxChildren: 1}
	tests := []struct {
		name                    string
		adults, children, rooms int
		fits                    bool
	}{
		{"two adults", 2, 0, 1, true},
		{"three adults one room", 3, 0, 1, false},
		{"three adults two rooms", 3, 0, 2, true},
		{"two children one room", 2, 2, 1, false},
		{"two children two rooms", 2, 2, 2, true},
		{"one adult two rooms", 1, 0, 2, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Stay{Adults: tt.adults, Children: tt.children, Rooms: tt.rooms}
			if got := s.Fits(rt); got != tt.fits {
				t.Fatalf("Fits = %v, want %v", got, tt.fits)
			}
			if !tt.fits {
				var v *ValidationError
				if !errors.As(s.occupancyError(rt), &v) || len(v.Fields) == 0 {
					t.Fatalf("occupancyError gave no field")
				}
			}
		})
	}
}

func TestFreeCancellationUntilIsInHotelTime(t *testing.T) {
	h := Hotel{Timezone: "America/New_York", CheckInTime: "16:00"}
	p := RatePlan{Refundable: true, FreeCancellationHours: 48}
	got := FreeCancellationUntil(h, p, MustDate("2027-07-10"))
	// 16:00 EDT (UTC-4) on 10 July, less 48 hours: 20:00 UTC on 8 July.
	want := time.Date(2027, 7, 8, 20, 0, 0, 0, time.UTC)
	if got == nil || !got.Equal(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if FreeCancellationUntil(h, RatePlan{Refundable: false}, MustDate("2027-07-10")) != nil {
		t.Fatal("a non-refundable plan has no free cancellation")
	}
}

func TestCancellationFee(t *testing.T) {
	deadline := time.Date(2027, 1, 8, 15, 0, 0, 0, time.UTC)
	before, after := deadline.Add(-time.Minute), deadline.Add(time.Minute)
	tests := []struct {
		name string
		r    Reservation
		now  time.Time
		want int64
	}{
		{"refundable before deadline", Reservation{Status: StatusConfirmed, TotalCents: 10001, Refundable: true, FreeCancellationUntil: &deadline, PenaltyPercent: 30}, before, 0},
		{"refundable at the deadline", Reservation{Status: StatusConfirmed, TotalCents: 10001, Refundable: true, FreeCancellationUntil: &deadline, PenaltyPercent: 30}, deadline, 3000},
		{"refundable after deadline rounds half up", Reservation{Status: StatusConfirmed, TotalCents: 10005, Refundable: true, FreeCancellationUntil: &deadline, PenaltyPercent: 10}, after, 1001},
		{"non-refundable", Reservation{Status: StatusConfirmed, TotalCents: 24684, Refundable: false, PenaltyPercent: 0}, before, 24684},
		{"a hold costs nothing", Reservation{Status: StatusHeld, TotalCents: 24684, Refundable: false}, after, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.r.CancellationFee(tt.now); got != tt.want {
				t.Fatalf("fee = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestTransitions(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	live, gone := now.Add(time.Minute), now.Add(-time.Minute)
	// A booking whose check-in instant is the given day at the given
	// time in Lisbon, which is UTC in winter, as the clock is.
	stay := func(checkIn, clock string) Reservation {
		return Reservation{Status: StatusConfirmed, Timezone: "Europe/Lisbon", CheckInTime: clock,
			Stay: Stay{CheckIn: MustDate(checkIn), CheckOut: MustDate(checkIn).AddDays(2)}}
	}
	tests := []struct {
		name    string
		rule    func(Reservation, time.Time) (Transition, error)
		r       Reservation
		to      Status
		release bool
		after   error
		refused bool
		// refusal is the error a refused rule gives; ErrConflict if nil.
		refusal error
	}{
		{"confirm a live hold", Confirm, Reservation{Status: StatusHeld, HoldExpiresAt: &live}, StatusConfirmed, false, nil, false, nil},
		{"confirm an expired hold expires it", Confirm, Reservation{Status: StatusHeld, HoldExpiresAt: &gone}, StatusExpired, true, ErrHoldExpired, false, nil},
		{"confirm twice", Confirm, Reservation{Status: StatusConfirmed}, "", false, nil, true, nil},
		{"confirm a cancelled one", Confirm, Reservation{Status: StatusCancelled}, "", false, nil, true, nil},
		{"cancel a booking", Cancel, stay("2026-12-05", "15:00"), StatusCancelled, true, nil, false, nil},
		{"cancel a booking a minute before check-in", Cancel, stay("2026-12-01", "10:01"), StatusCancelled, true, nil, false, nil},
		{"cancel a booking at check-in", Cancel, stay("2026-12-01", "10:00"), "", false, nil, true, ErrCheckedIn},
		{"cancel a booking after check-out", Cancel, stay("2026-11-20", "15:00"), "", false, nil, true, ErrCheckedIn},
		{"cancel a hold after its check-in time", Cancel, Reservation{Status: StatusHeld, HoldExpiresAt: &live, Timezone: "Europe/Lisbon", Stay: Stay{CheckIn: MustDate("2026-11-30")}}, StatusCancelled, true, nil, false, nil},
		{"cancel a hold", Cancel, Reservation{Status: StatusHeld, HoldExpiresAt: &live}, StatusCancelled, true, nil, false, nil},
		{"cancel twice", Cancel, Reservation{Status: StatusCancelled}, "", false, nil, true, nil},
		{"cancel an expired hold", Cancel, Reservation{Status: StatusExpired}, "", false, nil, true, nil},
		{"expire a due hold", Expire, Reservation{Status: StatusHeld, HoldExpiresAt: &gone}, StatusExpired, true, nil, false, nil},
		{"expire a live hold", Expire, Reservation{Status: StatusHeld, HoldExpiresAt: &live}, "", false, nil, true, nil},
		{"expire a booking", Expire, Reservation{Status: StatusConfirmed}, "", false, nil, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, err := tt.rule(tt.r, now)
			if tt.refused {
				want := tt.refusal
				if want == nil {
					want = ErrConflict
				}
				if !errors.Is(err, want) {
					t.Fatalf("want %v, got %v", want, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tr.To != tt.to || tr.ReleaseNights != tt.release || !errors.Is(tr.Err, tt.after) || (tt.after == nil && tr.Err != nil) {
				t.Fatalf("got %+v, want to=%s release=%v err=%v", tr, tt.to, tt.release, tt.after)
			}
			if !tr.At.Equal(now) {
				t.Fatalf("transition at %v, want %v", tr.At, now)
			}
		})
	}
}

func TestNewReference(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 2000; i++ {
		r := NewReference()
		if !ValidReference(r) {
			t.Fatalf("%q is not a valid reference", r)
		}
		if strings.ContainsAny(r[4:], "ILOU") {
			t.Fatalf("%q holds an ambiguous letter", r)
		}
		seen[r] = true
	}
	if len(seen) < 1990 {
		t.Fatalf("only %d distinct references of 2000", len(seen))
	}
	for _, bad := range []string{"INK-7K3Q9", "INK-7K3Q9PP", "ink-7k3q9p", "INK-7K3Q9O", "../etc/passwd"} {
		if ValidReference(bad) {
			t.Errorf("%q should not be valid", bad)
		}
	}
}

func TestPriceNeedsEveryNight(t *testing.T) {
	n := NewReservation{Stay: Stay{CheckIn: MustDate("2027-01-10"), CheckOut: MustDate("2027-01-13"), Rooms: 2},
		Hotel: Hotel{Currency: "EUR", Timezone: "Europe/Lisbon"}, RatePlan: RatePlan{Refundable: true, FreeCancellationHours: 24}}
	nightly := []NightPrice{{MustDate("2027-01-10"), 100}, {MustDate("2027-01-11"), 200}}
	if _, err := n.Price(nightly); !errors.Is(err, ErrNoRate) {
		t.Fatalf("two prices for three nights: want ErrNoRate, got %v", err)
	}
	r, err := n.Price(append(nightly, NightPrice{MustDate("2027-01-12"), 300}))
	if err != nil {
		t.Fatal(err)
	}
	if r.TotalCents != 1200 || r.Currency != "EUR" || r.FreeCancellationUntil == nil {
		t.Fatalf("got total %d %s, until %v", r.TotalCents, r.Currency, r.FreeCancellationUntil)
	}
}

func TestHotelValidate(t *testing.T) {
	good := Hotel{Slug: "porto-ribeira", Name: "Ribeira", City: "Porto", Country: "PT", Timezone: "Europe/Lisbon", Currency: "EUR"}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		edit  func(*Hotel)
		field string
	}{
		{"slug with caps", func(h *Hotel) { h.Slug = "Porto" }, "slug"},
		{"slug with double hyphen", func(h *Hotel) { h.Slug = "porto--x" }, "slug"},
		{"unknown zone", func(h *Hotel) { h.Timezone = "Mars/Olympus" }, "timezone"},
		{"Local zone", func(h *Hotel) { h.Timezone = "Local" }, "timezone"},
		{"currency lower", func(h *Hotel) { h.Currency = "eur" }, "currency"},
		{"country long", func(h *Hotel) { h.Country = "PRT" }, "country"},
		{"name with newline", func(h *Hotel) { h.Name = "a\nb" }, "name"},
		{"check-in time", func(h *Hotel) { h.CheckInTime = "25:00" }, "check_in_time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := good
			tt.edit(&h)
			var v *ValidationError
			if err := h.Validate(); !errors.As(err, &v) || v.Fields[tt.field] == "" {
				t.Fatalf("want an error on %s, got %v", tt.field, err)
			}
		})
	}
}

func TestIdentifierShapes(t *testing.T) {
	tests := []struct {
		name string
		fn   func(string) bool
		in   string
		ok   bool
	}{
		{"slug", ValidSlug, "lisbon-riverside", true},
		{"slug digits", ValidSlug, "h1-2", true},
		{"slug leading hyphen", ValidSlug, "-lisbon", false},
		{"slug trailing hyphen", ValidSlug, "lisbon-", false},
		{"slug double hyphen", ValidSlug, "a--b", false},
		{"slug upper", ValidSlug, "Lisbon", false},
		{"slug empty", ValidSlug, "", false},
		{"slug too long", ValidSlug, strings.Repeat("a", 65), false},
		{"slug unicode", ValidSlug, "lisboa-ç", false},
		{"code", ValidCode, "STD-FLEX", true},
		{"code lower", ValidCode, "std", false},
		{"code space", ValidCode, "STD FLEX", false},
		{"clock", isClock, "15:00", true},
		{"clock midnight", isClock, "00:00", true},
		{"clock late", isClock, "23:59", true},
		{"clock 24", isClock, "24:00", false},
		{"clock 60 minutes", isClock, "12:60", false},
		{"clock short", isClock, "9:00", false},
		{"phone", isPhone, "+351 912 345 678", true},
		{"phone plain", isPhone, "(212) 555-0100", true},
		{"phone letters", isPhone, "call me", false},
		{"phone short", isPhone, "+12345", false},
		{"phone two plus", isPhone, "++351912345678", false},
		{"reference", ValidReference, "INK-7K3Q9P", true},
		{"reference with O", ValidReference, "INK-7K3Q9O", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.fn(tt.in); got != tt.ok {
				t.Fatalf("%q: got %v, want %v", tt.in, got, tt.ok)
			}
		})
	}
}
