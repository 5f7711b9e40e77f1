package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"innkeeper/shared/lambdalog"
	"innkeeper/shared/meter"
)

// saveReportLines keeps REPORT lines, each log event once.
const saveReportLines = `
	INSERT INTO cost_report_lines (event_id, request_id, logged_at, report)
	SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::jsonb[])
	ON CONFLICT (event_id) DO NOTHING`

// saveAttributionLines keeps attribution lines, each log event once.
const saveAttributionLines = `
	INSERT INTO cost_attribution_lines (event_id, request_id, phase, logged_at, line, bytes)
	SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::jsonb[], $6::int[])
	ON CONFLICT (event_id) DO NOTHING`

// SaveCostLines keeps the REPORT and attribution lines of a delivery as
// they come, each log event once, so that an invocation whose halves
// come in different deliveries is joined when the second arrives. Lines
// without an event id or request id are left out and named in the
// error; the others are kept all the same. Both kinds are written in one
// transaction.
func (s *Store) SaveCostLines(ctx context.Context, reports []lambdalog.Report, attributions []meter.Attribution) error {
	var bad []error
	var rIDs, rReqs []string
	var rAt []time.Time
	var rDocs [][]byte
	for _, r := range reports {
		if err := checkLine(r.EventID, r.RequestID); err != nil {
			bad = append(bad, fmt.Errorf("REPORT %q: %w", r.RequestID, err))
			continue
		}
		doc, err := json.Marshal(r)
		if err != nil {
			bad = append(bad, fmt.Errorf("REPORT %q: %w", r.RequestID, err))
			continue
		}
		rIDs, rReqs, rAt, rDocs = append(rIDs, r.EventID), append(rReqs, r.RequestID), append(rAt, r.Time), append(rDocs, doc)
	}
	var aIDs, aReqs, aPhases []string
	var aAt []time.Time
	var aDocs [][]byte
	var aBytes []*int32
	for _, a := range attributions {
		if err := checkLine(a.EventID, a.RequestID); err != nil {
			bad = append(bad, fmt.Errorf("attribution %q: %w", a.RequestID, err))
			continue
		}
		phase := a.Phase
		if phase == "" {
			phase = meter.PhaseEnd
		}
		doc, err := json.Marshal(a)
		if err != nil {
			bad = append(bad, fmt.Errorf("attribution %q: %w", a.RequestID, err))
			continue
		}
		at := a.Logged
		if at.IsZero() {
			at = a.Time
		}
		aIDs, aReqs, aPhases = append(aIDs, a.EventID), append(aReqs, a.RequestID), append(aPhases, string(phase))
		aAt, aDocs = append(aAt, at), append(aDocs, doc)
		var size *int32
		if a.Size > 0 && a.Size <= 1<<30 {
			n := int32(a.Size)
			size = &n
		}
		aBytes = append(aBytes, size)
	}
	if len(rIDs)+len(aIDs) > 0 {
		tx, err := s.pool.Begin(ctx)
		if err != nil {
			return classify("save cost lines", err)
		}
		defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
		if _, err := tx.Exec(ctx, saveReportLines, rIDs, rReqs, rAt, rDocs); err != nil {
			return classify("save cost lines", err)
		}
		if _, err := tx.Exec(ctx, saveAttributionLines, aIDs, aReqs, aPhases, aAt, aDocs, aBytes); err != nil {
			return classify("save cost lines", err)
		}
		if err := tx.Commit(ctx); err != nil {
			return classify("save cost lines", err)
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("store: save cost lines: %d left out: %w", len(bad), errors.Join(bad...))
	}
	return nil
}

func checkLine(eventID, requestID string) error {
	switch {
	case eventID == "" || len(eventID) > 200:
		return errors.New("event id must have 1 to 200 characters")
	case requestID == "" || len(requestID) > 200:
		return errors.New("request id must have 1 to 200 characters")
	}
	return nil
}

// CostLines are every REPORT and attribution line kept for the request
// ids, in the order they were logged, as SaveCostLines kept them (an
// attribution's Size too): what
// pricing.Pricer.Join needs to price those invocations again.
func (s *Store) CostLines(ctx context.Context, requestIDs []string) ([]lambdalog.Report, []meter.Attribution, error) {
	var reports []lambdalog.Report
	var attributions []meter.Attribution
	rows, err := s.pool.Query(ctx, `
		SELECT event_id, logged_at, report, NULL::jsonb, NULL::int FROM cost_report_lines WHERE request_id = ANY($1)
		UNION ALL
		SELECT event_id, logged_at, NULL, line, bytes FROM cost_attribution_lines WHERE request_id = ANY($1)
		ORDER BY 2, 1`, requestIDs)
	if err != nil {
		return nil, nil, classify("cost lines", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var at time.Time
		var report, line []byte
		var size *int32
		if err := rows.Scan(&id, &at, &report, &line, &size); err != nil {
			return nil, nil, classify("cost lines", err)
		}
		if report != nil {
			var r lambdalog.Report
			if err := json.Unmarshal(report, &r); err != nil {
				return nil, nil, fmt.Errorf("store: cost lines: REPORT %s: %w", id, err)
			}
			r.EventID, r.Time = id, at.UTC()
			reports = append(reports, r)
			continue
		}
		var a meter.Attribution
		if err := json.Unmarshal(line, &a); err != nil {
			return nil, nil, fmt.Errorf("store: cost lines: attribution %s: %w", id, err)
		}
		a.EventID, a.Logged = id, at.UTC()
		if size != nil {
			a.Size = int64(*size)
		}
		attributions = append(attributions, a)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, classify("cost lines", err)
	}
	return reports, attributions, nil
}
