package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"innkeeper/shared/auth"
	"innkeeper/shared/booking"
)

var byStaff = booking.ByKey(auth.Key{PublicID: "staff1", Role: auth.RoleStaff}, "req-r")

// restrict sets p on the fixture's plan over [from, to).
func (f fixture) restrict(t *testing.T, from, to string, p booking.RestrictionPatch) {
	t.Helper()
	rng := booking.DateRange{From: booking.MustDate(from), To: booking.MustDate(to)}
	if err := f.svc.SetRestrictions(context.Background(), "h", "DBL-FLEX", rng, p, byStaff); err != nil {
		t.Fatal(err)
	}
}

// stored is the plan's rows over [from, to) as "date:fields" strings.
func (f fixture) restrictions(t *testing.T, from, to string) []booking.NightRestrictions {
	t.Helper()
	plan, _ := f.hotel.RatePlan("DBL-FLEX")
	rows, err := f.st.Restrictions(context.Background(), plan.ID,
		booking.DateRange{From: booking.MustDate(from), To: booking.MustDate(to)})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func (f fixture) restrictionAudits(t *testing.T) int {
	t.Helper()
	var n int
	if err := f.st.Pool().QueryRow(context.Background(),
		`SELECT count(*) FROM audit_events WHERE action = 'restriction.set'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func set(n int) booking.RestrictionValue  { return booking.RestrictionValue{Set: true, Value: &n} }
func flag(b bool) booking.RestrictionFlag { return booking.RestrictionFlag{Set: true, Value: b} }
func cleared() booking.RestrictionValue   { return booking.RestrictionValue{Set: true} }

// A range sets every date; a later partial patch changes only what it
// names on its dates; null clears; a date left restricting nothing loses
// its row; a patch that changes nothing writes no audit row.
func TestSetRestrictionsRangesAndPatches(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 2)
	f.restrict(t, "2026-12-10", "2026-12-13", booking.RestrictionPatch{MinStayArrival: set(2), StopSell: flag(true)})
	rows := f.restrictions(t, "2026-12-01", "2027-01-01")
	if len(rows) != 3 || rows[0].Night.String() != "2026-12-10" || rows[2].Night.String() != "2026-12-12" {
		t.Fatalf("rows after the range: %+v", rows)
	}
	for _, r := range rows {
		if r.MinStayArrival == nil || *r.MinStayArrival != 2 || !r.StopSell || r.ClosedToArrival || r.MaxStayArrival != nil {
			t.Fatalf("row %+v", r)
		}
	}
	// Partial: the 11th gets closed to arrival and loses stop-sell, and
	// keeps its minimum.
	f.restrict(t, "2026-12-11", "2026-12-12", booking.RestrictionPatch{ClosedToArrival: flag(true), StopSell: flag(false)})
	rows = f.restrictions(t, "2026-12-01", "2027-01-01")
	if mid := rows[1]; !mid.ClosedToArrival || mid.StopSell || mid.MinStayArrival == nil || *mid.MinStayArrival != 2 {
		t.Fatalf("partial update: %+v", mid)
	}
	if !rows[0].StopSell || rows[0].ClosedToArrival || !rows[2].StopSell {
		t.Fatalf("partial update reached other dates: %+v", rows)
	}
	// Clearing: the 12th loses both its restrictions, so its row.
	f.restrict(t, "2026-12-12", "2026-12-13", booking.RestrictionPatch{MinStayArrival: cleared(), StopSell: flag(false)})
	rows = f.restrictions(t, "2026-12-01", "2027-01-01")
	if len(rows) != 2 || rows[1].Night.String() != "2026-12-11" {
		t.Fatalf("after clearing: %+v", rows)
	}
	if got := f.restrictionAudits(t); got != 3 {
		t.Fatalf("%d restriction.set audit rows, want 3", got)
	}
	// The same patch again changes nothing: no audit row.
	f.restrict(t, "2026-12-12", "2026-12-13", booking.RestrictionPatch{MinStayArrival: cleared(), StopSell: flag(false)})
	f.restrict(t, "2026-12-10", "2026-12-11", booking.RestrictionPatch{MinStayArrival: set(2)})
	if got := f.restrictionAudits(t); got != 3 {
		t.Fatalf("a no-op wrote an audit row: %d", got)
	}
	// The first audit row: nothing before, one run of three dates after.
	var before, after, actor, key string
	if err := f.st.Pool().QueryRow(context.Background(), `SELECT before::text, after::text, actor, entity_key FROM audit_events
		WHERE action = 'restriction.set' ORDER BY id LIMIT 1`).Scan(&before, &after, &actor, &key); err != nil {
		t.Fatal(err)
	}
	var was, is struct {
		Runs []struct {
			From, To       string
			MinStayArrival *int `json:"min_stay_arrival"`
			StopSell       bool `json:"stop_sell"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(before), &was); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(after), &is); err != nil {
		t.Fatal(err)
	}
	if len(was.Runs) != 0 || len(is.Runs) != 1 || is.Runs[0].From != "2026-12-10" || is.Runs[0].To != "2026-12-13" ||
		*is.Runs[0].MinStayArrival != 2 || !is.Runs[0].StopSell || actor != "staff1" || key != "DBL-FLEX" {
		t.Fatalf("audit before %s after %s by %s on %s", before, after, actor, key)
	}
}

// A booking the restrictions forbid is refused with the restriction and
// date named, and takes nothing; the same stay books once the
// restriction is cleared.
func TestBookRefusedByRestriction(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 2)
	ctx := context.Background()
	f.restrict(t, "2026-12-10", "2026-12-11", booking.RestrictionPatch{MinStayArrival: set(2)})
	f.restrict(t, "2026-12-14", "2026-12-15", booking.RestrictionPatch{StopSell: flag(true)})
	tests := []struct {
		name, in, out string
		want          booking.Violation
	}{
		{"min stay on arrival", "2026-12-10", "2026-12-11", booking.Violation{Restriction: booking.MinStayArrival, Date: booking.MustDate("2026-12-10"), Limit: 2}},
		{"stop-sell in the middle", "2026-12-13", "2026-12-16", booking.Violation{Restriction: booking.StopSell, Date: booking.MustDate("2026-12-14")}},
	}
	for _, tt := range tests {
		_, _, err := f.book(ctx, tt.in, tt.out, 1)
		var re *booking.RestrictedError
		if !errors.As(err, &re) || len(re.Violations) != 1 || re.Violations[0] != tt.want {
			t.Fatalf("%s: book = %v, want %v", tt.name, err, tt.want)
		}
	}
	var n int
	if err := f.st.Pool().QueryRow(ctx, `SELECT (SELECT count(*) FROM reservations) + (SELECT coalesce(sum(sold), 0) FROM inventory)
		+ (SELECT count(*) FROM outbox)`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("a refused booking wrote %d rows or sold nights", n)
	}
	// Two nights from the 10th meet the minimum.
	if _, _, err := f.book(ctx, "2026-12-10", "2026-12-12", 1); err != nil {
		t.Fatalf("a stay meeting the minimum: %v", err)
	}
	f.restrict(t, "2026-12-14", "2026-12-15", booking.RestrictionPatch{StopSell: flag(false)})
	if _, _, err := f.book(ctx, "2026-12-13", "2026-12-16", 1); err != nil {
		t.Fatalf("after the stop-sell was lifted: %v", err)
	}
}

// The guest's modification onto restricted dates is refused (its quote
// too) and keeps the booking as it was; a change that keeps the dates is not bound; the
// desk may move the stay there.
func TestModifyRefusedByRestriction(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 2)
	ctx := context.Background()
	r, token, err := f.book(ctx, "2026-12-10", "2026-12-12", 1)
	if err != nil {
		t.Fatal(err)
	}
	f.restrict(t, "2026-12-10", "2026-12-11", booking.RestrictionPatch{ClosedToArrival: flag(true)})
	f.restrict(t, "2026-12-15", "2026-12-16", booking.RestrictionPatch{ClosedToArrival: flag(true)})
	move := booking.Change{CheckIn: booking.MustDate("2026-12-15"), CheckOut: booking.MustDate("2026-12-17")}
	var re *booking.RestrictedError
	if _, err := f.svc.ModificationQuote(ctx, r.Reference, token, move); !errors.As(err, &re) ||
		re.Violations[0].Restriction != booking.ClosedToArrival {
		t.Fatalf("quote onto a closed arrival = %v", err)
	}
	if _, err := f.svc.ModificationQuote(ctx, r.Reference, token, booking.Change{CheckIn: booking.MustDate("2026-12-16"),
		CheckOut: booking.MustDate("2026-12-18")}); err != nil {
		t.Fatalf("quote onto an open arrival = %v", err)
	}
	_, err = f.svc.Modify(ctx, r.Reference, token, move, nil)
	if !errors.As(err, &re) || re.Violations[0].Restriction != booking.ClosedToArrival || re.Violations[0].Date.String() != "2026-12-15" {
		t.Fatalf("modify onto a closed arrival = %v", err)
	}
	if f.sold(t, "2026-12-10") != 1 || f.sold(t, "2026-12-15") != 0 {
		t.Fatal("a refused modification moved the nights")
	}
	if events, audits := f.written(t, r.Reference); events != 0 || audits != 0 {
		t.Fatalf("a refused modification wrote %d events, %d audits", events, audits)
	}
	// A second adult on the same dates: the arrival closed since does not
	// hold the booking hostage.
	if _, err := f.svc.Modify(ctx, r.Reference, token, booking.Change{Adults: intp(2)}, nil); err != nil {
		t.Fatalf("same dates, more guests: %v", err)
	}
	// The desk overrides.
	m, err := f.svc.DeskModify(ctx, r.Reference, booking.DeskModification{Change: booking.Change{
		CheckIn: booking.MustDate("2026-12-15"), CheckOut: booking.MustDate("2026-12-17")}, Reason: "guest called", By: byStaff}, nil)
	if err != nil || m.CheckIn.String() != "2026-12-15" {
		t.Fatalf("desk modify onto a closed arrival = %+v, %v", m, err)
	}
}
