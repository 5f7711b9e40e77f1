package booking

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Restriction kinds, as the API and the audit trail name them. Their
// meaning follows the channel managers' (apaleo, Mews, SiteMinder):
//   - min/max stay on arrival bound the length of a stay that starts on
//     the date; the other nights' rows do not matter;
//   - min/max stay through bound the length of a stay that includes the
//     date as a night: every night of the stay counts, the strictest wins;
//   - closed to arrival: no stay may start on the date;
//   - closed to departure: no stay may end on the date (the row of the
//     check-out date, which is not a night of the stay);
//   - stop-sell: the date cannot be sold as a night at all.
const (
	MinStayArrival    = "min_stay_arrival"
	MaxStayArrival    = "max_stay_arrival"
	MinStayThrough    = "min_stay_through"
	MaxStayThrough    = "max_stay_through"
	ClosedToArrival   = "closed_to_arrival"
	ClosedToDeparture = "closed_to_departure"
	StopSell          = "stop_sell"
)

// restrictionOrder is the order violations of one date are listed in.
var restrictionOrder = []string{StopSell, ClosedToArrival, MinStayArrival, MaxStayArrival,
	MinStayThrough, MaxStayThrough, ClosedToDeparture}

// NightRestrictions is a rate plan's restrictions on one date. A nil
// length limit is no limit.
type NightRestrictions struct {
	Night                          Date
	MinStayArrival, MaxStayArrival *int
	MinStayThrough, MaxStayThrough *int
	ClosedToArrival                bool
	ClosedToDeparture              bool
	StopSell                       bool
}

// Empty is whether the date restricts nothing, so needs no row.
func (n NightRestrictions) Empty() bool {
	return n.MinStayArrival == nil && n.MaxStayArrival == nil && n.MinStayThrough == nil &&
		n.MaxStayThrough == nil && !n.ClosedToArrival && !n.ClosedToDeparture && !n.StopSell
}

// Same is whether n and o restrict the same way, whatever their dates.
func (n NightRestrictions) Same(o NightRestrictions) bool {
	n.Night, o.Night = Date{}, Date{}
	eq := func(a, b *int) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
	return eq(n.MinStayArrival, o.MinStayArrival) && eq(n.MaxStayArrival, o.MaxStayArrival) &&
		eq(n.MinStayThrough, o.MinStayThrough) && eq(n.MaxStayThrough, o.MaxStayThrough) &&
		n.ClosedToArrival == o.ClosedToArrival && n.ClosedToDeparture == o.ClosedToDeparture && n.StopSell == o.StopSell
}

// Violation is one restriction a stay breaks: which, on which date, and
// the length limit it sets (0 for the closures and stop-sell).
type Violation struct {
	Restriction string
	Date        Date
	Limit       int
}

func (v Violation) String() string {
	if v.Limit > 0 {
		return fmt.Sprintf("%s %d on %s", v.Restriction, v.Limit, v.Date)
	}
	return fmt.Sprintf("%s on %s", v.Restriction, v.Date)
}

// Violations lists the restrictions the stay breaks under rows, a rate
// plan's rows over [check-in, check-out] in any order (dates without a
// row restrict nothing; rows outside the stay are ignored), ordered by
// date. A through limit is reported once, where its strictest value
// first applies: a 5-night minimum through on one night and 3 on
// another is one violation, of 5.
func (s Stay) Violations(rows []NightRestrictions) []Violation {
	byDate := make(map[string]NightRestrictions, len(rows))
	for _, r := range rows {
		byDate[r.Night.String()] = r
	}
	nights := s.Nights()
	var out []Violation
	if a, ok := byDate[s.CheckIn.String()]; ok {
		if a.ClosedToArrival {
			out = append(out, Violation{Restriction: ClosedToArrival, Date: s.CheckIn})
		}
		if a.MinStayArrival != nil && nights < *a.MinStayArrival {
			out = append(out, Violation{Restriction: MinStayArrival, Date: s.CheckIn, Limit: *a.MinStayArrival})
		}
		if a.MaxStayArrival != nil && nights > *a.MaxStayArrival {
			out = append(out, Violation{Restriction: MaxStayArrival, Date: s.CheckIn, Limit: *a.MaxStayArrival})
		}
	}
	var minThrough, maxThrough *Violation
	for _, d := range s.Dates() {
		r, ok := byDate[d.String()]
		if !ok {
			continue
		}
		if r.StopSell {
			out = append(out, Violation{Restriction: StopSell, Date: d})
		}
		if r.MinStayThrough != nil && nights < *r.MinStayThrough && (minThrough == nil || *r.MinStayThrough > minThrough.Limit) {
			minThrough = &Violation{Restriction: MinStayThrough, Date: d, Limit: *r.MinStayThrough}
		}
		if r.MaxStayThrough != nil && nights > *r.MaxStayThrough && (maxThrough == nil || *r.MaxStayThrough < maxThrough.Limit) {
			maxThrough = &Violation{Restriction: MaxStayThrough, Date: d, Limit: *r.MaxStayThrough}
		}
	}
	for _, v := range []*Violation{minThrough, maxThrough} {
		if v != nil {
			out = append(out, *v)
		}
	}
	if d, ok := byDate[s.CheckOut.String()]; ok && d.ClosedToDeparture {
		out = append(out, Violation{Restriction: ClosedToDeparture, Date: s.CheckOut})
	}
	slices.SortStableFunc(out, func(a, b Violation) int {
		if c := a.Date.Time().Compare(b.Date.Time()); c != 0 {
			return c
		}
		return slices.Index(restrictionOrder, a.Restriction) - slices.Index(restrictionOrder, b.Restriction)
	})
	return out
}

// RestrictedError refuses a booking or a modification whose stay breaks
// the rate plan's restrictions; nothing changed.
type RestrictedError struct {
	Violations []Violation
}

func (e *RestrictedError) Error() string {
	parts := make([]string, len(e.Violations))
	for i, v := range e.Violations {
		parts[i] = v.String()
	}
	return "booking: restricted: " + strings.Join(parts, ", ")
}

// Unwrap makes a RestrictedError an ErrConflict: the request is sound,
// the stay is what the hotel does not sell.
func (e *RestrictedError) Unwrap() error { return ErrConflict }

// CheckRestrictions refuses n with a RestrictedError when its stay breaks
// rows (the plan's restrictions over [check-in, check-out] as the Store
// read them in its transaction), unless n is exempt from them.
func (n NewReservation) CheckRestrictions(rows []NightRestrictions) error {
	if n.IgnoreRestrictions {
		return nil
	}
	if v := n.Stay.Violations(rows); len(v) > 0 {
		return &RestrictedError{Violations: v}
	}
	return nil
}

// RestrictionValue is a length limit a staff call sets: unset keeps the
// stored value, set with a nil Value clears it.
type RestrictionValue struct {
	Set   bool
	Value *int
}

// RestrictionFlag is a closure or stop-sell a staff call sets: unset
// keeps the stored value.
type RestrictionFlag struct {
	Set   bool
	Value bool
}

// RestrictionPatch is what a staff call changes on every date of a
// range; what it leaves unset stays as stored.
type RestrictionPatch struct {
	MinStayArrival, MaxStayArrival     RestrictionValue
	MinStayThrough, MaxStayThrough     RestrictionValue
	ClosedToArrival, ClosedToDeparture RestrictionFlag
	StopSell                           RestrictionFlag
}

func (p RestrictionPatch) lengths() []struct {
	name string
	v    RestrictionValue
} {
	return []struct {
		name string
		v    RestrictionValue
	}{{MinStayArrival, p.MinStayArrival}, {MaxStayArrival, p.MaxStayArrival},
		{MinStayThrough, p.MinStayThrough}, {MaxStayThrough, p.MaxStayThrough}}
}

// Validate checks every length is 1..MaxNights (a longer one could never
// be met, or never bind), a minimum is not above the maximum of the same
// kind set alongside, and the patch sets something.
func (p RestrictionPatch) Validate(v *ValidationError) {
	set := p.ClosedToArrival.Set || p.ClosedToDeparture.Set || p.StopSell.Set
	for _, l := range p.lengths() {
		set = set || l.v.Set
		if l.v.Value != nil && (*l.v.Value < 1 || *l.v.Value > MaxNights) {
			v.Add(l.name, fmt.Sprintf("must be between 1 and %d nights, or null to clear", MaxNights))
		}
	}
	for _, pair := range []struct {
		name     string
		min, max RestrictionValue
	}{{MinStayArrival, p.MinStayArrival, p.MaxStayArrival}, {MinStayThrough, p.MinStayThrough, p.MaxStayThrough}} {
		if pair.min.Value != nil && pair.max.Value != nil && *pair.min.Value > *pair.max.Value {
			v.Add(pair.name, "must not be above the maximum set with it")
		}
	}
	if !set {
		v.Add("restrictions", "set at least one of "+strings.Join(restrictionOrder, ", "))
	}
}

// Apply is n with p's changes.
func (p RestrictionPatch) Apply(n NightRestrictions) NightRestrictions {
	for _, f := range []struct {
		v  RestrictionValue
		to **int
	}{{p.MinStayArrival, &n.MinStayArrival}, {p.MaxStayArrival, &n.MaxStayArrival},
		{p.MinStayThrough, &n.MinStayThrough}, {p.MaxStayThrough, &n.MaxStayThrough}} {
		if f.v.Set {
			*f.to = nil
			if f.v.Value != nil {
				x := *f.v.Value
				*f.to = &x
			}
		}
	}
	for _, f := range []struct {
		v  RestrictionFlag
		to *bool
	}{{p.ClosedToArrival, &n.ClosedToArrival}, {p.ClosedToDeparture, &n.ClosedToDeparture}, {p.StopSell, &n.StopSell}} {
		if f.v.Set {
			*f.to = f.v.Value
		}
	}
	return n
}

// SetRestrictions changes a rate plan's restrictions on every date of r
// as p says; dates it leaves restricting nothing lose their row.
func (s *Service) SetRestrictions(ctx context.Context, slug, ratePlan string, r DateRange, p RestrictionPatch, by Audit) error {
	v := &ValidationError{}
	if ratePlan == "" {
		v.Add("rate_plan", "is required")
	}
	r.Validate(v)
	p.Validate(v)
	if err := v.Err(); err != nil {
		return err
	}
	var plan RatePlan
	_, ok, err := s.lookup(ctx, slug, func(h HotelDetail) (ok bool) { plan, ok = h.RatePlan(ratePlan); return ok })
	if err != nil {
		return err
	}
	if !ok {
		return Invalid("rate_plan", fmt.Sprintf("hotel %s has no rate plan %s", slug, ratePlan))
	}
	if err := s.store.SetRestrictions(ctx, plan.ID, r, p, by.As(ActionRestrictionSet)); err != nil {
		return err
	}
	s.changed(ctx)
	return nil
}

// RestrictionRun is a run of consecutive dates [From, To) with the same
// restrictions: how staff read them back and the audit trail keeps them.
type RestrictionRun struct {
	From              Date `json:"from"`
	To                Date `json:"to"`
	MinStayArrival    *int `json:"min_stay_arrival"`
	MaxStayArrival    *int `json:"max_stay_arrival"`
	MinStayThrough    *int `json:"min_stay_through"`
	MaxStayThrough    *int `json:"max_stay_through"`
	ClosedToArrival   bool `json:"closed_to_arrival"`
	ClosedToDeparture bool `json:"closed_to_departure"`
	StopSell          bool `json:"stop_sell"`
}

// RunsOfRestrictions groups rows (in date order, none empty) into runs
// of consecutive dates that restrict alike; a date without a row breaks
// a run.
func RunsOfRestrictions(rows []NightRestrictions) []RestrictionRun {
	out := []RestrictionRun{}
	for i, n := range rows {
		if i > 0 && n.Same(rows[i-1]) && rows[i-1].Night.AddDays(1) == n.Night {
			out[len(out)-1].To = n.Night.AddDays(1)
			continue
		}
		out = append(out, RestrictionRun{From: n.Night, To: n.Night.AddDays(1),
			MinStayArrival: n.MinStayArrival, MaxStayArrival: n.MaxStayArrival,
			MinStayThrough: n.MinStayThrough, MaxStayThrough: n.MaxStayThrough,
			ClosedToArrival: n.ClosedToArrival, ClosedToDeparture: n.ClosedToDeparture, StopSell: n.StopSell})
	}
	return out
}

// Restrictions is what a rate plan of the hotel restricts on the dates
// of r, as runs of dates alike; dates that restrict nothing are left
// out. Staff read it back after setting it; it reads without locking.
func (s *Service) Restrictions(ctx context.Context, slug, ratePlan string, r DateRange) ([]RestrictionRun, error) {
	v := &ValidationError{}
	if ratePlan == "" {
		v.Add("rate_plan", "is required")
	}
	r.Validate(v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	var plan RatePlan
	_, ok, err := s.lookup(ctx, slug, func(h HotelDetail) (ok bool) { plan, ok = h.RatePlan(ratePlan); return ok })
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, Invalid("rate_plan", fmt.Sprintf("hotel %s has no rate plan %s", slug, ratePlan))
	}
	rows, err := s.store.Restrictions(ctx, plan.ID, r)
	if err != nil {
		return nil, fmt.Errorf("booking: restrictions of %s/%s: %w", slug, ratePlan, err)
	}
	return RunsOfRestrictions(rows), nil
}
