package booking

import (
	"errors"
	"testing"
	"time"
)

// allowed is the status table as the issue states it, written out again
// so that a change to the table has to be made twice, on purpose.
var allowed = map[[2]string]Status{
	{"held", "confirm"}:         StatusConfirmed,
	{"held", "cancel"}:          StatusCancelled,
	{"held", "expire"}:          StatusExpired,
	{"held", "modify"}:          StatusHeld,
	{"confirmed", "cancel"}:     StatusCancelled,
	{"confirmed", "check_in"}:   StatusCheckedIn,
	{"confirmed", "no_show"}:    StatusNoShow,
	{"confirmed", "modify"}:     StatusConfirmed,
	{"checked_in", "check_out"}: StatusCheckedOut,
}

func TestStatusTableEveryPair(t *testing.T) {
	if len(Statuses) != 7 || len(Actions) != 7 {
		t.Fatalf("%d statuses and %d actions; the test lists 7 of each", len(Statuses), len(Actions))
	}
	seen := 0
	for _, s := range Statuses {
		for _, a := range Actions {
			t.Run(string(s)+"/"+string(a), func(t *testing.T) {
				to, err := Next(s, a)
				want, ok := allowed[[2]string{string(s), string(a)}]
				if ok {
					seen++
					if err != nil || to != want {
						t.Fatalf("Next(%s, %s) = %q, %v; want %s", s, a, to, err, want)
					}
					return
				}
				var te *TransitionError
				if !errors.As(err, &te) || te.From != s || te.Action != a || !errors.Is(err, ErrConflict) || !errors.Is(err, ErrTransition) {
					t.Fatalf("Next(%s, %s) = %q, %v; want a TransitionError", s, a, to, err)
				}
			})
		}
	}
	if seen != len(allowed) {
		t.Fatalf("%d allowed pairs met, %d listed", seen, len(allowed))
	}
}

// TestRulesObeyTheTable runs every rule on a reservation in every status,
// on a day the rule's own conditions of time allow: it must act exactly
// when the table allows, to the table's status, and refuse otherwise with
// a TransitionError.
func TestRulesObeyTheTable(t *testing.T) {
	// The hotel is in Lisbon (UTC in winter). The stay is 1–4 December;
	// check-in time 15:00.
	ci, co := MustDate("2026-12-01"), MustDate("2026-12-04")
	rules := map[Action]struct {
		rule func(Reservation, time.Time) (Transition, error)
		now  time.Time
	}{
		ActionConfirm:  {Confirm, time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)},
		ActionCancel:   {DeskCancel(false), time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)},
		ActionExpire:   {Expire, time.Date(2026, 11, 20, 11, 0, 0, 0, time.UTC)},
		ActionCheckIn:  {CheckIn, time.Date(2026, 12, 1, 16, 0, 0, 0, time.UTC)},
		ActionCheckOut: {CheckOut, time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)},
		ActionNoShow:   {NoShow, time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC)},
	}
	expiry := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	for _, s := range Statuses {
		for a, rc := range rules {
			t.Run(string(s)+"/"+string(a), func(t *testing.T) {
				r := Reservation{Status: s, Timezone: "Europe/Lisbon", CheckInTime: "15:00",
					Stay: Stay{CheckIn: ci, CheckOut: co, Rooms: 1}, TotalCents: 30000, Refundable: true, PenaltyPercent: 50}
				if s == StatusHeld && a != ActionConfirm {
					r.HoldExpiresAt = &expiry
				}
				tr, err := rc.rule(r, rc.now)
				want, ok := allowed[[2]string{string(s), string(a)}]
				if !ok {
					if !errors.Is(err, ErrTransition) {
						t.Fatalf("want a refusal by the table, got %+v, %v", tr, err)
					}
					return
				}
				if err != nil || tr.To != want || tr.Err != nil {
					t.Fatalf("got %+v, %v; want to %s", tr, err, want)
				}
			})
		}
	}
	if len(rules) != len(Actions)-1 { // modify belongs to the guest's change of booking
		t.Fatalf("rules cover %d actions", len(rules))
	}
}

func TestDeskRulesByDay(t *testing.T) {
	// Lisbon is UTC in winter; Tokyo is UTC+9, so its day starts earlier.
	booking := func(status Status, tz string) Reservation {
		return Reservation{Status: status, Timezone: tz, CheckInTime: "15:00",
			Stay:       Stay{CheckIn: MustDate("2026-12-10"), CheckOut: MustDate("2026-12-13"), Rooms: 1},
			TotalCents: 30001, Refundable: true, PenaltyPercent: 50}
	}
	at := func(day string, hour int) time.Time {
		d := MustDate(day)
		return time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, time.UTC)
	}
	tests := []struct {
		name    string
		rule    func(Reservation, time.Time) (Transition, error)
		r       Reservation
		now     time.Time
		refusal error  // nil when allowed
		from    string // the first night given back, "" for none; "all" for the whole stay
		fee     int64  // the fee set (cancellation or no-show), -1 for none
	}{
		{"check in the day before arrival", CheckIn, booking(StatusConfirmed, "Europe/Lisbon"), at("2026-12-09", 23), ErrBeforeArrival, "", -1},
		{"check in early on the arrival day", CheckIn, booking(StatusConfirmed, "Europe/Lisbon"), at("2026-12-10", 0), nil, "", -1},
		{"check in on the arrival day in Tokyo while UTC is still the day before", CheckIn, booking(StatusConfirmed, "Asia/Tokyo"), at("2026-12-09", 16), nil, "", -1},
		{"check in on the departure day", CheckIn, booking(StatusConfirmed, "Europe/Lisbon"), at("2026-12-13", 9), ErrStayOver, "", -1},
		{"check out on the departure day gives nothing back", CheckOut, booking(StatusCheckedIn, "Europe/Lisbon"), at("2026-12-13", 10), nil, "", -1},
		{"check out late gives nothing back", CheckOut, booking(StatusCheckedIn, "Europe/Lisbon"), at("2026-12-14", 10), nil, "", -1},
		{"check out a day early gives the last night back", CheckOut, booking(StatusCheckedIn, "Europe/Lisbon"), at("2026-12-12", 10), nil, "2026-12-12", -1},
		{"check out on the arrival day keeps the first night", CheckOut, booking(StatusCheckedIn, "Europe/Lisbon"), at("2026-12-10", 18), nil, "2026-12-11", -1},
		{"no-show on the arrival day", NoShow, booking(StatusConfirmed, "Europe/Lisbon"), at("2026-12-10", 23), ErrArrivalNotOver, "", -1},
		{"no-show the day after arrival, half of 300.01 rounded half up", NoShow, booking(StatusConfirmed, "Europe/Lisbon"), at("2026-12-11", 0), nil, "all", 15001},
		{"desk cancel after the check-in instant", DeskCancel(false), booking(StatusConfirmed, "Europe/Lisbon"), at("2026-12-10", 16), nil, "all", 15001},
		{"desk cancel with the fee waived", DeskCancel(true), booking(StatusConfirmed, "Europe/Lisbon"), at("2026-12-10", 16), nil, "all", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, err := tt.rule(tt.r, tt.now)
			if tt.refusal != nil {
				if !errors.Is(err, tt.refusal) {
					t.Fatalf("want %v, got %+v, %v", tt.refusal, tr, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			switch tt.from {
			case "":
				if tr.ReleaseNights {
					t.Fatalf("gives nights back: %+v", tr)
				}
			case "all":
				if !tr.ReleaseNights || !tr.ReleaseFrom.IsZero() {
					t.Fatalf("want every night back: %+v", tr)
				}
			default:
				if !tr.ReleaseNights || tr.ReleaseFrom.String() != tt.from {
					t.Fatalf("want nights back from %s: %+v", tt.from, tr)
				}
			}
			fee := int64(-1)
			switch {
			case tr.FeeCents != nil:
				fee = *tr.FeeCents
			case tr.NoShowFeeCents != nil:
				fee = *tr.NoShowFeeCents
			}
			if fee != tt.fee {
				t.Fatalf("fee %d, want %d", fee, tt.fee)
			}
		})
	}
}

func TestNoShowFeeOfANonRefundablePlanIsTheTotal(t *testing.T) {
	r := Reservation{TotalCents: 12345, Refundable: false, PenaltyPercent: 10}
	if got := r.NoShowFee(); got != 12345 {
		t.Fatalf("NoShowFee = %d, want 12345", got)
	}
}
