package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"innkeeper/shared/booking"
)

const restrictionColumns = `night, min_stay_arrival, max_stay_arrival, min_stay_through, max_stay_through,
	closed_to_arrival, closed_to_departure, stop_sell`

// stayRestrictions reads a rate plan's restriction rows over [$2, $3]:
// the check-out date is included, for closed to departure. It takes no
// lock: Book and Modify run it after bookableTerms and before the
// nights, and a row committed before the statement is seen (READ
// COMMITTED takes a snapshot per statement), so a restriction set just
// before a booking binds it. One set concurrently with the booking is
// ordered after it, as a rate change is.
const stayRestrictions = `SELECT ` + restrictionColumns + ` FROM stay_restrictions
	WHERE rate_plan_id = $1 AND night >= $2 AND night <= $3 ORDER BY night`

func scanRestrictions(row pgx.Row) (booking.NightRestrictions, error) {
	var n booking.NightRestrictions
	var night time.Time
	err := row.Scan(&night, &n.MinStayArrival, &n.MaxStayArrival, &n.MinStayThrough, &n.MaxStayThrough,
		&n.ClosedToArrival, &n.ClosedToDeparture, &n.StopSell)
	n.Night = booking.DateOf(night)
	return n, err
}

func collectRestrictions(rows pgx.Rows) ([]booking.NightRestrictions, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (booking.NightRestrictions, error) { return scanRestrictions(r) })
}

// readRestrictions reads stayRestrictions for stay in tx.
func readRestrictions(ctx context.Context, tx pgx.Tx, ratePlanID int64, stay booking.Stay) ([]booking.NightRestrictions, error) {
	rows, err := tx.Query(ctx, stayRestrictions, ratePlanID, stay.CheckIn.Time(), stay.CheckOut.Time())
	if err != nil {
		return nil, fmt.Errorf("restrictions of rate plan %d: %w", ratePlanID, err)
	}
	return collectRestrictions(rows)
}

// Restrictions lists a rate plan's restriction rows over the dates of
// r, in date order, without a lock: for a modification's quote, and for
// staff and tests to see what is stored.
func (s *Store) Restrictions(ctx context.Context, ratePlanID int64, r booking.DateRange) ([]booking.NightRestrictions, error) {
	rows, err := s.pool.Query(ctx, stayRestrictions, ratePlanID, r.From.Time(), r.To.AddDays(-1).Time())
	if err != nil {
		return nil, classify("restrictions", err)
	}
	out, err := collectRestrictions(rows)
	return out, classify("restrictions", err)
}

// plansRestrictions reads the restriction rows of the rate plans $1 over
// [$2, $3], for a search: one hotel's plans or a whole city's.
const plansRestrictions = `SELECT sr.rate_plan_id, ` + restrictionColumns + `
	FROM stay_restrictions sr
	WHERE sr.rate_plan_id = ANY($1) AND sr.night >= $2 AND sr.night <= $3 ORDER BY sr.rate_plan_id, sr.night`

// withRestrictions fills each candidate's restriction rows over the
// stay's nights and its check-out date, in one query for all of them.
func (s *Store) withRestrictions(ctx context.Context, cands []*booking.Candidate, stay booking.Stay) error {
	if len(cands) == 0 {
		return nil
	}
	ids := make([]int64, len(cands))
	for i, c := range cands {
		ids[i] = c.RatePlan.ID
	}
	rows, err := s.pool.Query(ctx, plansRestrictions, ids, stay.CheckIn.Time(), stay.CheckOut.Time())
	if err != nil {
		return err
	}
	byPlan := map[int64][]booking.NightRestrictions{}
	_, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (struct{}, error) {
		var id int64
		var n booking.NightRestrictions
		var night time.Time
		err := r.Scan(&id, &night, &n.MinStayArrival, &n.MaxStayArrival, &n.MinStayThrough, &n.MaxStayThrough,
			&n.ClosedToArrival, &n.ClosedToDeparture, &n.StopSell)
		n.Night = booking.DateOf(night)
		byPlan[id] = append(byPlan[id], n)
		return struct{}{}, err
	})
	if err != nil {
		return err
	}
	for _, c := range cands {
		c.Restrictions = byPlan[c.RatePlan.ID]
	}
	return nil
}

// restrictionsAudit is the before or after of restrictions set over a
// range: the range and the runs of rows in it (none where no date had
// any).
type restrictionsAudit struct {
	From booking.Date             `json:"from"`
	To   booking.Date             `json:"to"`
	Runs []booking.RestrictionRun `json:"runs"`
}

// SetRestrictions locks the rate plan's rows over r in date order, works
// out each date's restrictions after p, writes the dates that changed
// (deleting those left restricting nothing) and records the runs before
// and after in the audit trail, in one transaction. A patch that changes
// nothing writes nothing, audit row included.
func (s *Store) SetRestrictions(ctx context.Context, ratePlanID int64, r booking.DateRange, p booking.RestrictionPatch, by booking.Audit) error {
	return s.editTx(ctx, "set restrictions", func(tx pgx.Tx) error {
		var slug, code string
		if err := tx.QueryRow(ctx, `SELECT h.slug, rp.code FROM rate_plans rp JOIN hotels h ON h.id = rp.hotel_id
			WHERE rp.id = $1`, ratePlanID).Scan(&slug, &code); err != nil {
			return fmt.Errorf("rate plan %d: %w", ratePlanID, err)
		}
		rows, err := tx.Query(ctx, `SELECT `+restrictionColumns+` FROM stay_restrictions
			WHERE rate_plan_id = $1 AND night >= $2 AND night < $3 ORDER BY night FOR UPDATE`,
			ratePlanID, r.From.Time(), r.To.Time())
		if err != nil {
			return err
		}
		before, err := collectRestrictions(rows)
		if err != nil {
			return err
		}
		stored := make(map[string]booking.NightRestrictions, len(before))
		for _, n := range before {
			stored[n.Night.String()] = n
		}
		var after []booking.NightRestrictions
		b := &pgx.Batch{}
		for d := r.From; d.Before(r.To); d = d.AddDays(1) {
			was := stored[d.String()]
			was.Night = d
			is := p.Apply(was)
			if !is.Empty() {
				after = append(after, is)
			}
			if is.Same(was) {
				continue
			}
			if is.Empty() {
				b.Queue(`DELETE FROM stay_restrictions WHERE rate_plan_id = $1 AND night = $2`, ratePlanID, d.Time())
				continue
			}
			b.Queue(`INSERT INTO stay_restrictions (rate_plan_id, night, min_stay_arrival, max_stay_arrival,
					min_stay_through, max_stay_through, closed_to_arrival, closed_to_departure, stop_sell)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
				ON CONFLICT (rate_plan_id, night) DO UPDATE SET min_stay_arrival = EXCLUDED.min_stay_arrival,
					max_stay_arrival = EXCLUDED.max_stay_arrival, min_stay_through = EXCLUDED.min_stay_through,
					max_stay_through = EXCLUDED.max_stay_through, closed_to_arrival = EXCLUDED.closed_to_arrival,
					closed_to_departure = EXCLUDED.closed_to_departure, stop_sell = EXCLUDED.stop_sell`,
				ratePlanID, d.Time(), is.MinStayArrival, is.MaxStayArrival, is.MinStayThrough, is.MaxStayThrough,
				is.ClosedToArrival, is.ClosedToDeparture, is.StopSell)
		}
		if b.Len() == 0 {
			return nil // nothing changed, nothing to record
		}
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		return auditEntity(ctx, tx, by, slug, "restriction", code,
			restrictionsAudit{r.From, r.To, booking.RunsOfRestrictions(before)},
			restrictionsAudit{r.From, r.To, booking.RunsOfRestrictions(after)})
	})
}
