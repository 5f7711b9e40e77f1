package booking

import (
	"context"
	"time"
)

// NightAuditActor is the name the night audit writes in the audit trail
// (actor_kind job), so a no-show it marked reads apart from the desk's.
const NightAuditActor = "night-audit"

// NightAuditCatchUp bounds how many business days one run audits for a
// hotel: a scheduler down for a weekend is caught up, a hotel forgotten
// for a year is not replayed day by day.
const NightAuditCatchUp = 7

// DefaultNightAuditTime is the cutoff of a hotel that sets none: three in
// the morning after the business day, hotel time, when the last late
// arrival has come or will not.
const DefaultNightAuditTime = "03:00"

// NightAuditHotel is what the night audit needs of a hotel: its clock,
// its cutoff and the last business date it closed.
type NightAuditHotel struct {
	Hotel
	// Last is the latest business date audited; zero if none.
	Last Date
}

// DueDates lists, oldest first, the business dates the audit owes the
// hotel at instant now: those whose cutoff has passed, after Last, at
// most NightAuditCatchUp of them. A hotel never audited starts with the
// date that just ended, not with a past it was not audited in.
func (h NightAuditHotel) DueDates(now time.Time) []Date {
	hh, mm := 3, 0
	if t, err := time.Parse("15:04", h.NightAuditTime); err == nil {
		hh, mm = t.Hour(), t.Minute()
	}
	// The day that ended is the local date of now less the cutoff, less
	// one: at 02:59 on the 10th with a 03:00 cutoff, the 8th; at 03:00,
	// the 9th.
	shifted := now.In(h.Location()).Add(-time.Duration(hh)*time.Hour - time.Duration(mm)*time.Minute)
	latest := DateOf(shifted).AddDays(-1)
	first := latest
	if !h.Last.IsZero() {
		first = h.Last.AddDays(1)
		if earliest := latest.AddDays(1 - NightAuditCatchUp); first.Before(earliest) {
			first = earliest
		}
	}
	var out []Date
	for d := first; !d.After(latest); d = d.AddDays(1) {
		out = append(out, d)
	}
	return out
}

// Refs is a count of reservations with their references.
type Refs struct {
	Count      int      `json:"count"`
	References []string `json:"references"`
}

// NightAuditReport is a hotel's business day as the night audit closed
// it. Arrivals are the stays starting that day that checked in;
// departures the stays that ended that day checked out; in-house the
// stays checked in over that night; no-shows those marked by this audit
// (of that day or, caught up, an earlier one) and those of the day the
// desk marked before.
type NightAuditReport struct {
	Hotel        string    `json:"hotel"`
	BusinessDate Date      `json:"business_date"`
	RanAt        time.Time `json:"ran_at"`
	Currency     string    `json:"currency"`
	Arrivals     Refs      `json:"arrivals"`
	Departures   Refs      `json:"departures"`
	InHouse      Refs      `json:"in_house"`
	NoShows      Refs      `json:"no_shows"`
	// NoShowFeesCents sums the no-shows' NoShowFee, in minor units.
	NoShowFeesCents int64 `json:"no_show_fees_cents"`
}

// NightAuditQuery selects a hotel's reports over business dates
// [From, To], newest first.
type NightAuditQuery struct {
	Hotel    string
	From, To Date
}

// MaxNightAuditSpan is the most business dates one read of the reports
// covers; a longer span is refused rather than cut short unseen.
const MaxNightAuditSpan = 92

// NightAuditReader reads the night audit's reports; package store
// implements it.
type NightAuditReader interface {
	// NightAudits reads the reports of q, newest first; ErrNotFound if
	// the hotel is unknown.
	NightAudits(ctx context.Context, q NightAuditQuery) ([]NightAuditReport, error)
}

// CheckNightAuditQuery validates q, defaulting the span to the 30 days
// ending yesterday at the hotel's clock when neither end is given.
func CheckNightAuditQuery(q NightAuditQuery, today Date) (NightAuditQuery, error) {
	if q.To.IsZero() {
		q.To = today.AddDays(-1)
		if !q.From.IsZero() && q.From.After(q.To) {
			q.To = q.From
		}
	}
	if q.From.IsZero() {
		q.From = q.To.AddDays(-29)
	}
	switch {
	case q.From.After(q.To):
		return q, Invalid("from", "must not be after to")
	case q.From.DaysUntil(q.To) >= MaxNightAuditSpan:
		return q, Invalid("to", "must be at most 92 days after from")
	}
	return q, nil
}
