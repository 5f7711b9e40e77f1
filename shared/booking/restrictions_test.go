package booking

import (
	"errors"
	"reflect"
	"testing"
)

func nightsOf(n int) *int { return &n }

// Every kind of restriction, at its boundary: the arrival limits bind the
// arrival date only, the through limits every night of the stay (the
// strictest once), closed to departure the check-out date only, stop-sell
// any night but not the check-out date.
func TestViolations(t *testing.T) {
	d := MustDate
	stay := func(in, out string) Stay { return Stay{CheckIn: d(in), CheckOut: d(out), Adults: 1, Rooms: 1} }
	row := func(night string, f func(*NightRestrictions)) NightRestrictions {
		n := NightRestrictions{Night: d(night)}
		f(&n)
		return n
	}
	tests := []struct {
		name string
		stay Stay
		rows []NightRestrictions
		want []Violation
	}{
		{"no rows", stay("2027-03-12", "2027-03-13"), nil, nil},
		{"min on arrival 2 vs 1 night", stay("2027-03-12", "2027-03-13"),
			[]NightRestrictions{row("2027-03-12", func(n *NightRestrictions) { n.MinStayArrival = nightsOf(2) })},
			[]Violation{{MinStayArrival, d("2027-03-12"), 2}}},
		{"min on arrival 2 vs 2 nights", stay("2027-03-12", "2027-03-14"),
			[]NightRestrictions{row("2027-03-12", func(n *NightRestrictions) { n.MinStayArrival = nightsOf(2) })}, nil},
		{"min on arrival on a later night does not bind", stay("2027-03-11", "2027-03-13"),
			[]NightRestrictions{row("2027-03-12", func(n *NightRestrictions) { n.MinStayArrival = nightsOf(5) })}, nil},
		{"min through on a later night binds", stay("2027-03-11", "2027-03-13"),
			[]NightRestrictions{row("2027-03-12", func(n *NightRestrictions) { n.MinStayThrough = nightsOf(3) })},
			[]Violation{{MinStayThrough, d("2027-03-12"), 3}}},
		{"min through on the check-out date does not bind", stay("2027-03-11", "2027-03-13"),
			[]NightRestrictions{row("2027-03-13", func(n *NightRestrictions) { n.MinStayThrough = nightsOf(3) })}, nil},
		{"the strictest min through, once", stay("2027-03-11", "2027-03-14"), []NightRestrictions{
			row("2027-03-11", func(n *NightRestrictions) { n.MinStayThrough = nightsOf(4) }),
			row("2027-03-12", func(n *NightRestrictions) { n.MinStayThrough = nightsOf(6) }),
			row("2027-03-13", func(n *NightRestrictions) { n.MinStayThrough = nightsOf(5) })},
			[]Violation{{MinStayThrough, d("2027-03-12"), 6}}},
		{"max on arrival 3 vs 4 nights", stay("2027-03-12", "2027-03-16"),
			[]NightRestrictions{row("2027-03-12", func(n *NightRestrictions) { n.MaxStayArrival = nightsOf(3) })},
			[]Violation{{MaxStayArrival, d("2027-03-12"), 3}}},
		{"max on arrival 3 vs 3 nights", stay("2027-03-12", "2027-03-15"),
			[]NightRestrictions{row("2027-03-12", func(n *NightRestrictions) { n.MaxStayArrival = nightsOf(3) })}, nil},
		{"the strictest max through", stay("2027-03-12", "2027-03-16"), []NightRestrictions{
			row("2027-03-13", func(n *NightRestrictions) { n.MaxStayThrough = nightsOf(3) }),
			row("2027-03-14", func(n *NightRestrictions) { n.MaxStayThrough = nightsOf(2) })},
			[]Violation{{MaxStayThrough, d("2027-03-14"), 2}}},
		{"closed to arrival", stay("2027-03-12", "2027-03-14"),
			[]NightRestrictions{row("2027-03-12", func(n *NightRestrictions) { n.ClosedToArrival = true })},
			[]Violation{{ClosedToArrival, d("2027-03-12"), 0}}},
		{"closed to arrival on a later night does not bind", stay("2027-03-11", "2027-03-14"),
			[]NightRestrictions{row("2027-03-12", func(n *NightRestrictions) { n.ClosedToArrival = true })}, nil},
		{"closed to departure on the check-out date", stay("2027-03-12", "2027-03-14"),
			[]NightRestrictions{row("2027-03-14", func(n *NightRestrictions) { n.ClosedToDeparture = true })},
			[]Violation{{ClosedToDeparture, d("2027-03-14"), 0}}},
		{"closed to departure on a night of the stay does not bind", stay("2027-03-12", "2027-03-15"), []NightRestrictions{
			row("2027-03-12", func(n *NightRestrictions) { n.ClosedToDeparture = true }),
			row("2027-03-14", func(n *NightRestrictions) { n.ClosedToDeparture = true })}, nil},
		{"stop-sell in the middle", stay("2027-03-11", "2027-03-14"),
			[]NightRestrictions{row("2027-03-12", func(n *NightRestrictions) { n.StopSell = true })},
			[]Violation{{StopSell, d("2027-03-12"), 0}}},
		{"stop-sell on the check-out date does not bind", stay("2027-03-11", "2027-03-14"),
			[]NightRestrictions{row("2027-03-14", func(n *NightRestrictions) { n.StopSell = true })}, nil},
		{"several, in date order", stay("2027-03-12", "2027-03-13"), []NightRestrictions{
			row("2027-03-13", func(n *NightRestrictions) { n.ClosedToDeparture = true }),
			row("2027-03-12", func(n *NightRestrictions) {
				n.StopSell, n.ClosedToArrival, n.MinStayArrival = true, true, nightsOf(2)
			})},
			[]Violation{{StopSell, d("2027-03-12"), 0}, {ClosedToArrival, d("2027-03-12"), 0},
				{MinStayArrival, d("2027-03-12"), 2}, {ClosedToDeparture, d("2027-03-13"), 0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.stay.Violations(tt.rows); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Violations = %v, want %v", got, tt.want)
			}
		})
	}
}

// A new reservation breaking a restriction is refused with every
// violation; an exempt one (the desk's) is not.
func TestCheckRestrictions(t *testing.T) {
	rows := []NightRestrictions{{Night: MustDate("2027-03-12"), ClosedToArrival: true}}
	n := NewReservation{Stay: Stay{CheckIn: MustDate("2027-03-12"), CheckOut: MustDate("2027-03-14"), Adults: 1, Rooms: 1}}
	err := n.CheckRestrictions(rows)
	var re *RestrictedError
	if !errors.As(err, &re) || len(re.Violations) != 1 || re.Violations[0].Restriction != ClosedToArrival {
		t.Fatalf("CheckRestrictions = %v, want closed_to_arrival", err)
	}
	if !errors.Is(err, ErrConflict) {
		t.Errorf("a restricted stay is not a conflict: %v", err)
	}
	n.IgnoreRestrictions = true
	if err := n.CheckRestrictions(rows); err != nil {
		t.Errorf("exempt CheckRestrictions = %v", err)
	}
}

// A patch sets, clears or keeps each field; one that sets nothing, a
// length out of 1..MaxNights or a minimum above its maximum is refused
// with the field named.
func TestRestrictionPatch(t *testing.T) {
	stored := NightRestrictions{Night: MustDate("2027-03-12"), MinStayArrival: nightsOf(3), MaxStayThrough: nightsOf(7), StopSell: true}
	p := RestrictionPatch{MinStayArrival: RestrictionValue{Set: true}, ClosedToArrival: RestrictionFlag{Set: true, Value: true},
		StopSell: RestrictionFlag{Set: true}}
	got := p.Apply(stored)
	want := NightRestrictions{Night: stored.Night, MaxStayThrough: nightsOf(7), ClosedToArrival: true}
	if !got.Same(want) || got.Night != want.Night {
		t.Errorf("Apply = %+v, want %+v", got, want)
	}
	if *stored.MinStayArrival != 3 {
		t.Error("Apply changed the stored row")
	}
	if !(RestrictionPatch{StopSell: RestrictionFlag{Set: true}}).Apply(NightRestrictions{StopSell: true}).Empty() {
		t.Error("clearing the only restriction leaves a row")
	}

	tests := []struct {
		name  string
		p     RestrictionPatch
		field string // "" when valid
	}{
		{"one flag", RestrictionPatch{StopSell: RestrictionFlag{Set: true, Value: true}}, ""},
		{"a clear", RestrictionPatch{MinStayThrough: RestrictionValue{Set: true}}, ""},
		{"nothing", RestrictionPatch{}, "restrictions"},
		{"zero nights", RestrictionPatch{MinStayArrival: RestrictionValue{Set: true, Value: nightsOf(0)}}, MinStayArrival},
		{"too many nights", RestrictionPatch{MaxStayThrough: RestrictionValue{Set: true, Value: nightsOf(MaxNights + 1)}}, MaxStayThrough},
		{"the most nights", RestrictionPatch{MaxStayThrough: RestrictionValue{Set: true, Value: nightsOf(MaxNights)}}, ""},
		{"min above max on arrival", RestrictionPatch{MinStayArrival: RestrictionValue{Set: true, Value: nightsOf(4)},
			MaxStayArrival: RestrictionValue{Set: true, Value: nightsOf(3)}}, MinStayArrival},
		{"min above max through", RestrictionPatch{MinStayThrough: RestrictionValue{Set: true, Value: nightsOf(4)},
			MaxStayThrough: RestrictionValue{Set: true, Value: nightsOf(3)}}, MinStayThrough},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := &ValidationError{}
			tt.p.Validate(v)
			if tt.field == "" {
				if v.Err() != nil {
					t.Errorf("Validate = %v, want valid", v.Fields)
				}
				return
			}
			if _, ok := v.Fields[tt.field]; !ok || len(v.Fields) != 1 {
				t.Errorf("Validate = %v, want only %s", v.Fields, tt.field)
			}
		})
	}
}

// A change keeping the dates, plan and room type is exempt from the
// restrictions; one moving the dates is not.
func TestModificationExemption(t *testing.T) {
	rt := RoomType{ID: 1, Code: "STD", MaxAdults: 3}
	plan := RatePlan{ID: 2, RoomTypeID: 1, Code: "STD-FLEX", Refundable: true}
	h := HotelDetail{Hotel: Hotel{Slug: "h", Timezone: "UTC"}, RoomTypes: []RoomType{rt}, RatePlans: []RatePlan{plan}}
	now := MustDate("2027-03-01").Time()
	r := Reservation{RoomTypeCode: "STD", RatePlanCode: "STD-FLEX",
		Stay: Stay{CheckIn: MustDate("2027-03-12"), CheckOut: MustDate("2027-03-14"), Adults: 1, Rooms: 1}}
	two := 2
	n, err := Change{Adults: &two}.apply(r, h, now)
	if err != nil || !n.IgnoreRestrictions {
		t.Errorf("more guests: IgnoreRestrictions = %v, %v; want exempt", n.IgnoreRestrictions, err)
	}
	n, err = Change{CheckOut: MustDate("2027-03-15")}.apply(r, h, now)
	if err != nil || n.IgnoreRestrictions {
		t.Errorf("new dates: IgnoreRestrictions = %v, %v; want bound", n.IgnoreRestrictions, err)
	}
}
