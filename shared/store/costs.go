package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"innkeeper/shared/booking"
	"innkeeper/shared/finance"
	"innkeeper/shared/meter"
	"innkeeper/shared/pricing"
)

var _ finance.Ledger = (*Store)(nil)

// recordCosts writes a whole batch in one statement: the columns travel
// as arrays (binary, one Bind) and unnest turns them back into rows. It
// keeps ON CONFLICT, which COPY lacks, without a temporary table and the
// extra round trips a COPY into one needs; for the few thousand records
// of a log delivery it is the fastest of the three. The reservations of
// each record travel as a JSON array, as a text[] of text[] would have
// to be rectangular.
//
// An invocation (request id, attempt) already held is replaced by a
// record of the same REPORT line only when it is attributed better
// (none < start < end): a redelivered batch changes nothing, and a
// delivery that saw one half only never undoes a row joined from both.
// It is replaced by a record of another REPORT line only when that line
// was logged earlier (by time, then event id, as pricing.Pricer.Join
// orders them): attempt n is the n-th REPORT line of its request id, so
// when an earlier REPORT arrives late the attempts after it move up one
// (each row takes the earlier line; the last is inserted), while a
// delivery that saw fewer REPORT lines, and so numbers a later line n,
// never undoes that. Rows from before REPORT lines were kept (no
// report_event_id) take a record attributed as well or better.
const recordCosts = `
	INSERT INTO invocation_costs AS c (request_id, attempt, function, arch, trigger, trigger_kind, hotel,
		reservations, client, started_at, ended_at, billed_ms, memory_mb, init_ms, cost_nanos, breakdown,
		attributed, attribution, report_event_id, max_memory_mb)
	SELECT r.request_id, r.attempt, r.function, r.arch, r.trigger, r.trigger_kind, r.hotel,
		ARRAY(SELECT jsonb_array_elements_text(r.reservations::jsonb)),
		r.client, r.started_at, r.ended_at, r.billed_ms, r.memory_mb, r.init_ms, r.cost_nanos,
		r.breakdown::jsonb, r.attributed, r.attribution, r.report_event_id, r.max_memory_mb
	FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
		$8::text[], $9::text[], $10::timestamptz[], $11::timestamptz[], $12::bigint[], $13::int[],
		$14::bigint[], $15::bigint[], $16::text[], $17::bool[], $18::text[], $19::text[], $20::int[])
		AS r(request_id, attempt, function, arch, trigger, trigger_kind, hotel, reservations,
			client, started_at, ended_at, billed_ms, memory_mb, init_ms, cost_nanos, breakdown,
			attributed, attribution, report_event_id, max_memory_mb)
	ON CONFLICT (request_id, attempt) DO UPDATE SET
		function = excluded.function, arch = excluded.arch, trigger = excluded.trigger,
		trigger_kind = excluded.trigger_kind, hotel = excluded.hotel, reservations = excluded.reservations,
		client = excluded.client, started_at = excluded.started_at, ended_at = excluded.ended_at,
		billed_ms = excluded.billed_ms, memory_mb = excluded.memory_mb, init_ms = excluded.init_ms,
		cost_nanos = excluded.cost_nanos, breakdown = excluded.breakdown, attributed = excluded.attributed,
		attribution = excluded.attribution, report_event_id = excluded.report_event_id,
		max_memory_mb = excluded.max_memory_mb, ingested_at = now()
	WHERE (excluded.report_event_id IS NOT DISTINCT FROM c.report_event_id
			AND array_position(ARRAY['none', 'start', 'end'], excluded.attribution)
				> array_position(ARRAY['none', 'start', 'end'], c.attribution))
		OR (excluded.ended_at, excluded.report_event_id COLLATE "C") < (c.ended_at, c.report_event_id COLLATE "C")
		OR (c.report_event_id IS NULL AND excluded.report_event_id IS NOT NULL
			AND array_position(ARRAY['none', 'start', 'end'], excluded.attribution)
				>= array_position(ARRAY['none', 'start', 'end'], c.attribution))`

// costColumns are a batch of records, column by column.
type costColumns struct {
	ids              []string
	attempts         []int32
	functions, archs []string
	triggers         []*string
	kinds            []string
	hotels           []*string
	reservations     []string
	clients          []*string
	started, ended   []time.Time
	billed           []int64
	memory           []int32
	init, nanos      []int64
	breakdowns       []string
	attributed       []bool
	attributions     []string
	reportEvents     []*string
	maxMemory        []*int32
}

func (c *costColumns) add(r pricing.Record) error {
	refs := dedupe(r.Reservations)
	resJSON, err := json.Marshal(refs)
	if err != nil {
		return fmt.Errorf("encode reservations: %w", err)
	}
	items := r.Breakdown.Items
	if items == nil {
		items = []pricing.LineItem{}
	}
	itemsJSON, err := json.Marshal(items)
	if err != nil {
		return fmt.Errorf("encode breakdown: %w", err)
	}
	c.ids = append(c.ids, r.RequestID)
	c.functions = append(c.functions, r.Function)
	c.archs = append(c.archs, r.Arch)
	c.triggers = append(c.triggers, nullable(r.Trigger))
	c.kinds = append(c.kinds, string(r.TriggerKind))
	c.hotels = append(c.hotels, nullable(r.Hotel))
	c.reservations = append(c.reservations, string(resJSON))
	c.clients = append(c.clients, nullable(r.Client))
	c.started = append(c.started, r.Started)
	c.ended = append(c.ended, r.Ended)
	c.billed = append(c.billed, ceilMillis(r.Report.BilledDuration))
	c.memory = append(c.memory, int32(r.Report.MemorySizeMB))
	c.init = append(c.init, ceilMillis(r.Report.InitDuration))
	c.nanos = append(c.nanos, int64(r.Breakdown.Total))
	c.breakdowns = append(c.breakdowns, string(itemsJSON))
	c.attributed = append(c.attributed, r.Attributed)
	c.attributions = append(c.attributions, attributionOf(r))
	c.reportEvents = append(c.reportEvents, nullable(r.Report.EventID))
	c.attempts = append(c.attempts, int32(max(r.Attempt, 1)))
	// A REPORT without Max Memory Used (the JSON format may leave it
	// out) reads 0: not a peak, so not kept.
	var peak *int32
	if r.Report.MaxMemoryUsedMB > 0 {
		n := int32(r.Report.MaxMemoryUsedMB)
		peak = &n
	}
	c.maxMemory = append(c.maxMemory, peak)
	return nil
}

// attributionOf is the record's Attribution, or, when not set, what
// Attributed says.
func attributionOf(r pricing.Record) string {
	switch {
	case r.Attribution != "":
		return r.Attribution
	case r.Attributed:
		return pricing.AttributionEnd
	}
	return pricing.AttributionNone
}

// RecordCosts adds the invocations (request id and attempt) the ledger
// does not hold yet and corrects those it holds with less attribution
// (see recordCosts), all in one statement, and returns how many rows it
// wrote: a log batch delivered twice, or a request id twice in a batch,
// is counted once.
// Records that cannot be stored (no request id, an unknown trigger kind,
// line items that do not add up to the total, …) are left out and named
// in the error; the others are stored all the same, as pricing.Pricer.Join
// does with what it cannot price.
func (s *Store) RecordCosts(ctx context.Context, records []pricing.Record) (int, error) {
	var cols costColumns
	var bad []error
	// One row per invocation in the statement (ON CONFLICT DO UPDATE
	// cannot touch a row twice): the first of the most attributed.
	rank := map[string]int{pricing.AttributionNone: 0, pricing.AttributionStart: 1, pricing.AttributionEnd: 2}
	best := map[string]int{}
	for n, r := range records {
		k := fmt.Sprintf("%s\x00%d", r.RequestID, max(r.Attempt, 1))
		if b, ok := best[k]; !ok || rank[attributionOf(r)] > rank[attributionOf(records[b])] {
			best[k] = n
		}
	}
	for n, r := range records {
		if best[fmt.Sprintf("%s\x00%d", r.RequestID, max(r.Attempt, 1))] != n {
			continue
		}
		err := checkRecord(r)
		if err == nil {
			err = cols.add(r)
		}
		if err != nil {
			bad = append(bad, fmt.Errorf("record %q: %w", r.RequestID, err))
		}
	}
	var inserted int
	if len(cols.ids) > 0 {
		tag, err := s.pool.Exec(ctx, recordCosts, cols.ids, cols.attempts, cols.functions, cols.archs, cols.triggers,
			cols.kinds, cols.hotels, cols.reservations, cols.clients, cols.started, cols.ended,
			cols.billed, cols.memory, cols.init, cols.nanos, cols.breakdowns, cols.attributed,
			cols.attributions, cols.reportEvents, cols.maxMemory)
		if err != nil {
			return 0, classify("record costs", err)
		}
		inserted = int(tag.RowsAffected())
	}
	if len(bad) > 0 {
		return inserted, fmt.Errorf("store: record costs: %d of %d records left out: %w", len(bad), len(records), errors.Join(bad...))
	}
	return inserted, nil
}

// checkRecord is what the table's constraints would refuse, found before
// the statement so that one bad record does not sink its batch.
func checkRecord(r pricing.Record) error {
	var sum pricing.Nanos
	for _, it := range r.Breakdown.Items {
		sum += it.Amount
	}
	switch {
	case r.RequestID == "" || len(r.RequestID) > 200:
		return errors.New("request id must have 1 to 200 characters")
	case r.Function == "" || len(r.Function) > 140:
		return errors.New("function must have 1 to 140 characters")
	case r.Arch != pricing.ARM64 && r.Arch != pricing.X8664:
		return fmt.Errorf("architecture %q", r.Arch)
	case r.Attempt < 0:
		return fmt.Errorf("attempt %d", r.Attempt)
	case r.Attribution != "" && r.Attribution != pricing.AttributionNone && r.Attribution != pricing.AttributionStart &&
		r.Attribution != pricing.AttributionEnd:
		return fmt.Errorf("attribution %q", r.Attribution)
	case !r.TriggerKind.Valid():
		return fmt.Errorf("trigger kind %q", r.TriggerKind)
	case r.Started.IsZero() || r.Ended.IsZero() || r.Ended.Before(r.Started):
		return errors.New("needs a start and an end, in order")
	case r.Report.MemorySizeMB < 128 || r.Report.MemorySizeMB > 10240:
		return fmt.Errorf("memory %d MB outside 128–10240", r.Report.MemorySizeMB)
	case r.Report.MaxMemoryUsedMB < 0 || r.Report.MaxMemoryUsedMB > 10240:
		return fmt.Errorf("max memory used %d MB outside 0–10240", r.Report.MaxMemoryUsedMB)
	case r.Report.BilledDuration < 0 || r.Report.InitDuration < 0:
		return errors.New("negative duration")
	case r.Breakdown.Total < 0 || sum != r.Breakdown.Total:
		return fmt.Errorf("line items add up to %s, total says %s", sum, r.Breakdown.Total)
	}
	return nil
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// dedupe drops repeated references, keeping the first of each: an
// invocation's cost is shared by the distinct reservations it touched.
func dedupe(refs []string) []string {
	out := make([]string, 0, len(refs))
	for _, r := range refs {
		if r != "" && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

func ceilMillis(d time.Duration) int64 {
	return int64((d + time.Millisecond - 1) / time.Millisecond)
}

// groupKey is the SQL of a grouping's key, chosen from this fixed list,
// never from input. By route and by hotel, invocations without an
// attribution line are their own bucket (finance.Unattributed).
func groupKey(g finance.Group) (string, bool) {
	switch g {
	case finance.ByDay:
		return `to_char(ended_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`, true
	case finance.ByFunction:
		return `function`, true
	case finance.ByRoute:
		return `CASE WHEN attribution = 'none' THEN '` + finance.Unattributed + `' ELSE coalesce(trigger, trigger_kind) END`, true
	case finance.ByHotel:
		return `CASE WHEN attribution = 'none' THEN '` + finance.Unattributed + `' ELSE coalesce(hotel, '') END`, true
	}
	return "", false
}

// Costs sums the invocations that ended in p by g: days in order, with
// a row for every day of p; other groups costliest first.
func (s *Store) Costs(ctx context.Context, p finance.Period, g finance.Group) ([]finance.CostRow, error) {
	key, ok := groupKey(g)
	if !ok {
		return nil, fmt.Errorf("store: costs: unknown grouping %q", g)
	}
	order := `3 DESC, 1`
	if g == finance.ByDay {
		order = `1`
	}
	rows, err := s.pool.Query(ctx, `SELECT `+key+`, count(*), sum(cost_nanos)::bigint
		FROM invocation_costs WHERE ended_at >= $1 AND ended_at < $2
		GROUP BY 1 ORDER BY `+order, p.From, p.To)
	if err != nil {
		return nil, classify("costs", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (finance.CostRow, error) {
		var c finance.CostRow
		err := r.Scan(&c.Key, &c.Invocations, &c.Cost)
		return c, err
	})
	if err != nil {
		return nil, classify("costs", err)
	}
	if g == finance.ByDay {
		out = finance.FillDays(out, p)
	}
	return out, nil
}

// byFunction splits a period's cost by function, with each function's
// availability searches, in one statement so that the split and the
// totals made from it agree.
const byFunction = `
	SELECT function, count(*), sum(cost_nanos)::bigint,
		count(*) FILTER (WHERE trigger = $3), coalesce(sum(cost_nanos) FILTER (WHERE trigger = $3), 0)::bigint
	FROM invocation_costs WHERE ended_at >= $1 AND ended_at < $2
	GROUP BY 1 ORDER BY 3 DESC, 1`

// confirmedBookings counts the bookings confirmed in a period, by
// confirmed_at (when it was made confirmed, or its hold confirmed),
// whatever the front desk did since: a stay checked in, out or a no-show
// still counts. One cancelled since is not counted.
const confirmedBookings = `SELECT count(*) FROM reservations
	WHERE ` + bookedStatus + ` AND confirmed_at >= $1 AND confirmed_at < $2`

// bookedStatus is what a booking that still counts is: confirmed, or on
// from there at the front desk.
const bookedStatus = `status IN ('confirmed', 'checked_in', 'checked_out', 'no_show')`

// Summary is the unit economics of p, read in one round trip.
func (s *Store) Summary(ctx context.Context, p finance.Period) (finance.Summary, error) {
	var sum finance.Summary
	b := &pgx.Batch{}
	queueSummary(b, p, &sum)
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return finance.Summary{}, classify("cost summary", err)
	}
	sum.Invocations, sum.Cost = finance.Totals(sum.Functions)
	return sum, nil
}

// queueSummary queues the statements of p's summary on b, to be read
// into sum; the caller sums the functions into the totals once the batch
// is read.
func queueSummary(b *pgx.Batch, p finance.Period, sum *finance.Summary) {
	*sum = finance.Summary{Period: p, Functions: []finance.CostRow{}}
	b.Queue(byFunction, p.From, p.To, finance.SearchRoute).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var c finance.CostRow
			var searches int64
			var searchCost pricing.Nanos
			if err := rows.Scan(&c.Key, &c.Invocations, &c.Cost, &searches, &searchCost); err != nil {
				return err
			}
			sum.Functions = append(sum.Functions, c)
			sum.Searches += searches
			sum.SearchCost += searchCost
		}
		return rows.Err()
	})
	b.Queue(confirmedBookings, p.From, p.To).QueryRow(func(row pgx.Row) error {
		return row.Scan(&sum.Bookings)
	})
	sum.Unattributed.Key = finance.Unattributed
	b.Queue(`SELECT count(*), coalesce(sum(cost_nanos), 0)::bigint FROM invocation_costs
		WHERE ended_at >= $1 AND ended_at < $2 AND attribution = 'none'`, p.From, p.To).QueryRow(func(row pgx.Row) error {
		return row.Scan(&sum.Unattributed.Invocations, &sum.Unattributed.Cost)
	})
}

// receiptLines are the invocations on a booking's receipt: those whose
// reservations hold the reference, and the availability searches by the
// client that booked it (the caller of its BookRoute invocation), for
// its hotel, that started in the window before it was created.
//
// Each line says how many bookings share it and this booking's place
// among them (finance.ReceiptLine). An invocation is shared by the
// reservations it holds, in their order there. A search is shared by
// the bookings it led to: led is the relation that finds a booking's
// searches (same client and hotel, the search in the window before the
// booking) read from the search's side, so the bookings whose receipts
// show a search are the bookings it is shared by; their order is
// creation time, then reference. A search that worked on reservations (none does today) is
// charged to those, as any invocation, and precedes no booking: so no
// invocation is charged twice over.
const receiptLines = `
	WITH res AS (
		SELECT h.slug, r.created_at FROM reservations r JOIN hotels h ON h.id = r.hotel_id
		WHERE r.reference = $1),
	touched AS (
		SELECT c.*, false AS preceding, cardinality(c.reservations) AS shared_by,
			array_position(c.reservations, $1::text) - 1 AS share_index
		FROM invocation_costs c WHERE c.reservations @> ARRAY[$1::text]),
	bookers AS (
		SELECT DISTINCT client FROM touched WHERE trigger = $2 AND client IS NOT NULL),
	searches AS (
		SELECT c.* FROM invocation_costs c JOIN res ON c.hotel = res.slug
		WHERE c.trigger = $3 AND c.client IN (SELECT client FROM bookers)
			AND c.started_at >= res.created_at - $4::interval AND c.started_at < res.created_at
			AND cardinality(c.reservations) = 0),
	led AS (
		SELECT s.request_id, s.attempt, r.reference, r.created_at
		FROM searches s
		JOIN hotels h ON h.slug = s.hotel
		JOIN reservations r ON r.hotel_id = h.id
			AND r.created_at > s.started_at AND r.created_at - $4::interval <= s.started_at
		WHERE EXISTS (SELECT 1 FROM invocation_costs b
				WHERE b.reservations @> ARRAY[r.reference] AND b.trigger = $2 AND b.client = s.client)),
	shared AS (
		SELECT s.*, true AS preceding,
			(SELECT count(*) FROM led WHERE led.request_id = s.request_id AND led.attempt = s.attempt)::int,
			(SELECT count(*) FROM led, res WHERE led.request_id = s.request_id AND led.attempt = s.attempt
				AND (led.created_at, led.reference) < (res.created_at, $1::text))::int
		FROM searches s)
	SELECT request_id, function, coalesce(trigger, ''), trigger_kind, started_at, billed_ms, memory_mb,
		init_ms, cost_nanos, shared_by, share_index, preceding, breakdown
	FROM (SELECT * FROM touched UNION ALL SELECT * FROM shared) lines
	ORDER BY started_at, request_id`

// Receipt is the cost receipt of the reservation reference, read in one
// round trip; an unknown reference is booking.ErrNotFound.
func (s *Store) Receipt(ctx context.Context, reference string) (finance.Receipt, error) {
	var rc finance.Receipt
	found := false
	b := &pgx.Batch{}
	b.Queue(`SELECT r.reference, h.slug, r.status, r.created_at FROM reservations r
		JOIN hotels h ON h.id = r.hotel_id WHERE r.reference = $1`, reference).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			found = true
			if err := rows.Scan(&rc.Reference, &rc.Hotel, &rc.Status, &rc.CreatedAt); err != nil {
				return err
			}
		}
		return rows.Err()
	})
	b.Queue(receiptLines, reference, finance.BookRoute, finance.SearchRoute, finance.SearchWindow).Query(func(rows pgx.Rows) error {
		var err error
		rc.Lines, err = pgx.CollectRows(rows, scanReceiptLine)
		return err
	})
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return finance.Receipt{}, classify("cost receipt", err)
	}
	if !found {
		return finance.Receipt{}, fmt.Errorf("store: cost receipt: reservation %s: %w", reference, booking.ErrNotFound)
	}
	if rc.Lines == nil {
		rc.Lines = []finance.ReceiptLine{}
	}
	return rc, nil
}

func scanReceiptLine(row pgx.CollectableRow) (finance.ReceiptLine, error) {
	var l finance.ReceiptLine
	var kind string
	var items []byte
	err := row.Scan(&l.RequestID, &l.Function, &l.Trigger, &kind, &l.Started, &l.BilledMS, &l.MemoryMB,
		&l.InitMS, &l.Cost, &l.SharedBy, &l.ShareIndex, &l.PrecedingSearch, &items)
	if err != nil {
		return l, err
	}
	l.TriggerKind = meter.TriggerKind(kind)
	if l.SharedBy < 1 || l.ShareIndex < 0 || l.ShareIndex >= l.SharedBy {
		l.SharedBy, l.ShareIndex = 1, 0
	}
	if err := json.Unmarshal(items, &l.Items); err != nil {
		return l, fmt.Errorf("breakdown of %s: %w", l.RequestID, err)
	}
	return l, nil
}
