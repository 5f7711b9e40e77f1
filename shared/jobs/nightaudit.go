package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"innkeeper/shared/booking"
)

// NightAudit closes each hotel's business day once the hotel's cutoff
// has passed (its local time): the guests who did not come are marked
// no-shows and the day's report is kept. Hourly, so each hotel is closed
// within the hour after its own cutoff, whatever its time zone.
const NightAudit = "night-audit"

// NightAuditStore is what the night audit needs beyond booking.Store;
// package store implements it.
type NightAuditStore interface {
	// NightAuditHotels lists every hotel with its cutoff and last audit.
	NightAuditHotels(ctx context.Context) ([]booking.NightAuditHotel, error)
	// ClaimNightAudit takes (hotel, day) for this run; false when another
	// run holds it or has audited it.
	ClaimNightAudit(ctx context.Context, hotelID int64, day booking.Date, at time.Time) (bool, error)
	// DueNoShows lists the hotel's confirmed reservations arriving on day
	// or before.
	DueNoShows(ctx context.Context, hotelID int64, day booking.Date) ([]string, error)
	// FinishNightAudit computes and stores the day's report.
	FinishNightAudit(ctx context.Context, hotelID int64, day booking.Date, at time.Time, marked []string) (booking.NightAuditReport, error)
}

// nightAuditBy is the audit trail's name for the job's no-shows.
var nightAuditBy = booking.Audit{ActorKind: "job", Actor: booking.NightAuditActor}

// nightAudit audits, for each hotel, the business dates due at at
// (booking.NightAuditHotel.DueDates), oldest first. A hotel's days are
// audited in order and its run stops at the first day it cannot finish
// or another run holds, so the days audited are always a prefix and the
// next run resumes there. One hotel's failure does not stop the others;
// the run reports them together.
func (r *Runner) nightAudit(ctx context.Context, at time.Time, count map[string]int) error {
	ns, ok := r.Store.(NightAuditStore)
	if !ok {
		return errors.New("the store keeps no night audit")
	}
	hotels, err := ns.NightAuditHotels(ctx)
	if err != nil {
		return err
	}
	// The no-shows go through the front desk's rule and transition, so
	// the status table, the fee, the nights given back, the event and the
	// audit row are the desk's, in the job's name.
	svc := booking.NewService(r.Store, func() time.Time { return at })
	svc.AfterCommit(r.flush)
	var errs []error
	for _, h := range hotels {
		for _, day := range h.DueDates(at) {
			done, err := r.auditDay(ctx, ns, svc, h, day, at, count)
			if err != nil {
				errs = append(errs, fmt.Errorf("hotel %s, %s: %w", h.Slug, day, err))
			}
			if !done {
				break
			}
		}
	}
	return errors.Join(errs...)
}

// auditDay audits one business date of one hotel; done is false when
// the day was not audited here (held by another run, or failed).
func (r *Runner) auditDay(ctx context.Context, ns NightAuditStore, svc *booking.Service, h booking.NightAuditHotel, day booking.Date, at time.Time, count map[string]int) (done bool, err error) {
	claimed, err := ns.ClaimNightAudit(ctx, h.ID, day, at)
	if err != nil || !claimed {
		if err == nil {
			count["held"]++
		}
		return false, err
	}
	due, err := ns.DueNoShows(ctx, h.ID, day)
	if err != nil {
		return false, err
	}
	var marked []string
	for _, ref := range due {
		_, err := svc.Desk(ctx, ref, booking.DeskCommand{Action: booking.ActionNoShow, By: nightAuditBy})
		switch {
		case errors.Is(err, booking.ErrTransition), errors.Is(err, booking.ErrArrivalNotOver):
			// Checked in or cancelled at the desk since it was listed.
			continue
		case err != nil:
			return false, fmt.Errorf("no-show %s: %w", ref, err)
		}
		marked = append(marked, ref)
	}
	rep, err := ns.FinishNightAudit(ctx, h.ID, day, at, marked)
	if errors.Is(err, booking.ErrAuditTakenOver) {
		// A run whose clock is a lease ahead of ours took the day over
		// (a schedule catching up beside a fired run, say): its report
		// stands. The no-shows marked here stay marked, by the desk's
		// own rule, which a second marking refuses.
		count["held"]++
		return false, nil
	}
	if err != nil {
		return false, err
	}
	count["days"]++
	count["no_shows"] += len(marked)
	r.Log.InfoContext(ctx, "night audit", slog.String("hotel", h.Slug), slog.String("business_date", day.String()),
		slog.Int("arrivals", rep.Arrivals.Count), slog.Int("departures", rep.Departures.Count),
		slog.Int("in_house", rep.InHouse.Count), slog.Int("no_shows", rep.NoShows.Count))
	return true, nil
}
