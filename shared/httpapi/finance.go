package httpapi

import (
	"encoding/csv"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"innkeeper/shared/booking"
	"innkeeper/shared/finance"
	"innkeeper/shared/pricing"
)

// The finance reports. Every amount is exact: nano-dollars summed as
// integers in SQL, shown both as a decimal dollar string ("cost", nine
// decimals, for people and spreadsheets) and as an integer ("cost_nanos",
// for programs). Periods are UTC: a date means its UTC day, and "to" as
// a date is included; "to" as an RFC 3339 instant is excluded, so that
// consecutive ranges never count an invocation twice.

// invalidQuery is a 400 naming every bad parameter.
func invalidQuery(fields map[string]string) *Problem {
	return fieldErrors(http.StatusBadRequest, "The query has invalid parameters; see errors.", fields)
}

// badRequest returns the query's problems as a 400 naming every field:
// a report's parameters are not a resource's fields, and a bad one is a
// malformed request.
func (q *query) badRequest() error {
	if q.v.Err() == nil {
		return nil
	}
	return invalidQuery(q.v.Fields)
}

// instant reads a date (the start of its UTC day, or of the next one
// when end is set, which makes a "to" date inclusive) or an RFC 3339
// instant; ok is false when s is neither.
func instant(s string, end bool) (time.Time, bool) {
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		if end {
			d = d.AddDate(0, 0, 1)
		}
		return d, true
	}
	// An unencoded "+01:00" arrives as " 01:00".
	if t, err := time.Parse(time.RFC3339Nano, strings.Replace(s, " ", "+", 1)); err == nil {
		return t.UTC(), true
	}
	return time.Time{}, false
}

// period reads from and to. By default the range is the DefaultDays UTC
// days ending today; with only from, it runs to the end of today; with
// only to, it is the DefaultDays days before it.
func (q *query) period(now time.Time) finance.Period {
	p := finance.LastDays(now, finance.DefaultDays)
	span := time.Duration(finance.DefaultDays) * 24 * time.Hour
	from, to := q.str("from"), q.str("to")
	var fromOK, toOK bool
	if to != "" {
		if p.To, toOK = instant(to, true); !toOK {
			q.v.Add("to", "must be a date (YYYY-MM-DD, included) or an RFC 3339 time (excluded)")
		}
	}
	if from != "" {
		if p.From, fromOK = instant(from, false); !fromOK {
			q.v.Add("from", "must be a date (YYYY-MM-DD) or an RFC 3339 time")
		}
	}
	if to != "" && from == "" && toOK {
		p.From = p.To.Add(-span)
	}
	if q.v.Err() != nil {
		return p
	}
	if !p.From.Before(p.To) {
		q.v.Add("from", "must be before to")
	} else if p.To.Sub(p.From) > finance.MaxPeriod {
		q.v.Add("to", "must be at most 366 days after from")
	}
	return p
}

// ledgerOr501 answers 501 when the API was built without a ledger.
func (s *Server) ledgerOr501(w http.ResponseWriter) bool {
	if s.ledger != nil {
		return true
	}
	noLedger(w)
	return false
}

// amount is a sum of money in both of its forms.
type amount struct {
	Cost  string `json:"cost"`
	Nanos int64  `json:"cost_nanos"`
}

func amountOf(n pricing.Nanos) amount { return amount{n.Decimal(), int64(n)} }

// maybeAmount is an amount that may not exist (a cost per booking
// without bookings): both forms are null.
type maybeAmount struct {
	Cost  *string `json:"cost"`
	Nanos *int64  `json:"cost_nanos"`
}

func maybeAmountOf(n pricing.Nanos, ok bool) maybeAmount {
	if !ok {
		return maybeAmount{}
	}
	d, v := n.Decimal(), int64(n)
	return maybeAmount{&d, &v}
}

type periodView struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

func viewPeriod(p finance.Period) periodView { return periodView{p.From.UTC(), p.To.UTC()} }

type costRowView struct {
	// Key is null for invocations without a value for the group (no hotel).
	Key         *string `json:"key"`
	Invocations int64   `json:"invocations"`
	amount
}

type costsView struct {
	periodView
	GroupBy string        `json:"group_by"`
	Rows    []costRowView `json:"rows"`
	Totals  struct {
		Invocations int64 `json:"invocations"`
		amount
	} `json:"totals"`
}

// financeCosts is GET /v1/finance/costs?from=&to=&group_by=: the cost of
// the invocations that ended in the range, by day, function, route or
// hotel, as JSON or, with Accept: text/csv, as CSV.
func (s *Server) financeCosts(w http.ResponseWriter, r *http.Request) {
	q, err := parseQuery(r, "from", "to", "group_by")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := q.period(s.svc.Now())
	g := finance.Group(q.str("group_by"))
	if g == "" {
		g = finance.ByDay
	}
	if !g.Valid() {
		q.v.Add("group_by", "must be day, function, route or hotel")
	}
	asCSV, ok := s.reportFormat(w, r, q.badRequest())
	if !ok {
		return
	}
	if !s.ledgerOr501(w) {
		return
	}
	rows, err := s.ledger.Costs(r.Context(), p, g)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if asCSV {
		writeCostsCSV(w, p, g, rows)
		return
	}
	out := costsView{periodView: viewPeriod(p), GroupBy: string(g), Rows: make([]costRowView, 0, len(rows))}
	for _, row := range rows {
		v := costRowView{Invocations: row.Invocations, amount: amountOf(row.Cost)}
		if row.Key != "" {
			v.Key = &row.Key
		}
		out.Rows = append(out.Rows, v)
	}
	var total pricing.Nanos
	out.Totals.Invocations, total = finance.Totals(rows)
	out.Totals.amount = amountOf(total)
	writeJSON(w, http.StatusOK, out)
}

// reportFormat answers a report's invalid query (invalid, if not nil),
// then negotiates its format: ok is false when a problem was written.
// Validation goes first, so a bad query is reported whatever the Accept.
// A report that takes the format parameter (query.format) is given the
// format it names, whatever the Accept: a link in a browser or a
// spreadsheet can ask for CSV.
func (s *Server) reportFormat(w http.ResponseWriter, r *http.Request, invalid error) (asCSV, ok bool) {
	asCSV, acceptable := wantsCSV(r)
	switch r.URL.Query().Get("format") {
	case "csv":
		asCSV, acceptable = true, true
	case "json":
		asCSV, acceptable = false, true
	}
	if invalid != nil {
		s.fail(w, r, invalid)
		return false, false
	}
	w.Header().Add("Vary", "Accept") // Add: the CORS middleware has put Origin there
	if !acceptable {
		writeProblem(w, problem(http.StatusNotAcceptable, "not-acceptable", "Not acceptable",
			"This report is available as application/json or text/csv."))
		return false, false
	}
	return asCSV, true
}

// format checks the format parameter of a report that takes one: json
// or csv, for reportFormat.
func (q *query) format() {
	if f := q.str("format"); f != "" && f != "json" && f != "csv" {
		q.v.Add("format", "must be json or csv")
	}
}

// wantsCSV negotiates the costs report's format: CSV when the client
// prefers text/csv to JSON; acceptable is false when it takes neither.
func wantsCSV(r *http.Request) (asCSV, acceptable bool) {
	accept := r.Header.Get("Accept")
	if strings.TrimSpace(accept) == "" {
		return false, true
	}
	qCSV, qJSON := -1.0, -1.0
	// The most specific range that matches a type sets its quality.
	specificity := map[string]int{}
	consider := func(typ string, spec int, qv float64) {
		best := &qJSON
		if typ == "text/csv" {
			best = &qCSV
		}
		if spec > specificity[typ] || *best < 0 {
			*best, specificity[typ] = qv, spec
		}
	}
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		qv := 1.0
		if s, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(s, 64); err == nil && f >= 0 && f <= 1 {
				qv = f
			}
		}
		for _, typ := range []string{"text/csv", "application/json"} {
			major, _, _ := strings.Cut(typ, "/")
			switch mt {
			case typ:
				consider(typ, 3, qv)
			case major + "/*":
				consider(typ, 2, qv)
			case "*/*":
				consider(typ, 1, qv)
			}
		}
	}
	switch {
	case qCSV > 0 && qCSV > qJSON:
		return true, true
	case qJSON > 0:
		return false, true
	case qCSV > 0:
		return true, true
	}
	return false, false
}

// csvAttachment starts a 200 CSV download named name and returns its
// writer: every CSV report starts so.
func csvAttachment(w http.ResponseWriter, name string) *csv.Writer {
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.WriteHeader(http.StatusOK)
	return csv.NewWriter(w)
}

// periodReport starts a report that takes only from and to: it reads
// the period, answers a bad query (400), an unacceptable format (406)
// or a missing source (501, when has is false), and says whether to
// write CSV; ok is false when it has answered.
func (s *Server) periodReport(w http.ResponseWriter, r *http.Request, has bool) (p finance.Period, asCSV, ok bool) {
	q, err := parseQuery(r, "from", "to")
	if err != nil {
		s.fail(w, r, err)
		return p, false, false
	}
	p = q.period(s.svc.Now())
	if asCSV, ok = s.reportFormat(w, r, q.badRequest()); !ok {
		return p, false, false
	}
	if !has {
		noLedger(w)
		return p, false, false
	}
	return p, asCSV, true
}

// noLedger answers 501: the API was built without the cost ledger the
// finance reports read.
func noLedger(w http.ResponseWriter) {
	writeProblem(w, problem(http.StatusNotImplemented, "no-ledger", "No cost ledger", "This API has no cost ledger configured."))
}

// csvCell keeps a spreadsheet from reading a cell as a formula: keys
// come from attribution lines, which carry what callers sent (a hotel
// slug from a path).
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// writeCostsCSV writes the report with a header row and, last, a TOTAL
// row (no key of any group can be TOTAL: days, slugs, function names
// and route keys never are).
func writeCostsCSV(w http.ResponseWriter, p finance.Period, g finance.Group, rows []finance.CostRow) {
	name := fmt.Sprintf("innkeeper-costs-by-%s-%s-%s.csv", g,
		p.From.UTC().Format("20060102T150405Z"), p.To.UTC().Format("20060102T150405Z"))
	cw := csvAttachment(w, name)
	_ = cw.Write([]string{string(g), "invocations", "cost_usd", "cost_nanos"})
	for _, row := range rows {
		_ = cw.Write([]string{csvCell(row.Key), strconv.FormatInt(row.Invocations, 10), row.Cost.Decimal(), strconv.FormatInt(int64(row.Cost), 10)})
	}
	n, total := finance.Totals(rows)
	_ = cw.Write([]string{"TOTAL", strconv.FormatInt(n, 10), total.Decimal(), strconv.FormatInt(int64(total), 10)})
	cw.Flush()
}

type functionShareView struct {
	Function    string `json:"function"`
	Invocations int64  `json:"invocations"`
	amount
	// SharePercent is the function's part of the total cost, one
	// decimal, rounded half up; null when the total is zero.
	SharePercent *string `json:"share_percent"`
}

type unitEconomicsView struct {
	periodView
	Invocations int64 `json:"invocations"`
	amount
	// Bookings are the reservations confirmed in the range that are
	// still confirmed.
	Bookings       int64       `json:"bookings"`
	CostPerBooking maybeAmount `json:"cost_per_booking"`
	Searches       struct {
		Route       string `json:"route"`
		Invocations int64  `json:"invocations"`
		amount
		CostPerSearch maybeAmount `json:"cost_per_search"`
	} `json:"availability_searches"`
	Functions []functionShareView `json:"functions"`
	// Unattributed is the cost of the invocations no attribution line
	// was found for, and its share of the total: part of the total,
	// never of a route.
	Unattributed struct {
		Invocations int64 `json:"invocations"`
		amount
		SharePercent *string `json:"share_percent"`
	} `json:"unattributed"`
	// The marginal and fully loaded figures, the allocation and the
	// daily series (unitcosts.go).
	loadedView
}

// unitEconomics is GET /v1/finance/unit-economics?from=&to=&format=:
// the marginal and the fully loaded cost per booking and per search,
// the fixed cost allocated to hotels (finance.AllocationDescription) and
// the daily series, as JSON or, with Accept: text/csv or format=csv, the
// daily series as CSV.
func (s *Server) unitEconomics(w http.ResponseWriter, r *http.Request) {
	q, err := parseQuery(r, "from", "to", "format")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := q.period(s.svc.Now())
	q.format()
	asCSV, ok := s.reportFormat(w, r, q.badRequest())
	if !ok {
		return
	}
	if !s.ledgerOr501(w) {
		return
	}
	facts, err := s.ledger.UnitFacts(r.Context(), p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	u := finance.BuildUnitEconomics(facts)
	if asCSV {
		writeUnitEconomicsCSV(w, u)
		return
	}
	writeJSON(w, http.StatusOK, viewUnitEconomics(u))
}

func viewUnitEconomics(u finance.UnitEconomics) unitEconomicsView {
	sum := u.Summary
	out := unitEconomicsView{
		periodView: viewPeriod(sum.Period), Invocations: sum.Invocations, amount: amountOf(sum.Cost),
		Bookings: sum.Bookings, CostPerBooking: maybeAmountOf(sum.CostPerBooking()),
		Functions: make([]functionShareView, 0, len(sum.Functions)),
	}
	out.Searches.Route = finance.SearchRoute
	out.Searches.Invocations = sum.Searches
	out.Searches.amount = amountOf(sum.SearchCost)
	out.Searches.CostPerSearch = maybeAmountOf(sum.CostPerSearch())
	out.Unattributed.Invocations = sum.Unattributed.Invocations
	out.Unattributed.amount = amountOf(sum.Unattributed.Cost)
	if pct, ok := finance.Percent(sum.Unattributed.Cost, sum.Cost); ok {
		out.Unattributed.SharePercent = &pct
	}
	for _, f := range sum.Functions {
		v := functionShareView{Function: f.Key, Invocations: f.Invocations, amount: amountOf(f.Cost)}
		if pct, ok := finance.Percent(f.Cost, sum.Cost); ok {
			v.SharePercent = &pct
		}
		out.Functions = append(out.Functions, v)
	}
	viewLoaded(&out, u)
	return out
}

type receiptLineView struct {
	RequestID   string    `json:"request_id"`
	Function    string    `json:"function"`
	Trigger     *string   `json:"trigger"`
	TriggerKind string    `json:"trigger_kind"`
	Started     time.Time `json:"started"`
	BilledMS    int64     `json:"billed_ms"`
	MemoryMB    int       `json:"memory_mb"`
	InitMS      int64     `json:"init_ms"`
	amount
	// SharedBy reservations split the cost; Share is this booking's part,
	// exact: the cost over SharedBy rounded down, plus a nano for the
	// first (cost mod shared_by) places; ShareIndex is this booking's
	// place, from 0 (finance.ReceiptLine).
	SharedBy        int                `json:"shared_by"`
	ShareIndex      int                `json:"share_index"`
	Share           string             `json:"share"`
	ShareNanos      int64              `json:"share_nanos"`
	PrecedingSearch bool               `json:"preceding_search"`
	Items           []pricing.LineItem `json:"items"`
}

type receiptView struct {
	Reference string            `json:"reference"`
	Hotel     string            `json:"hotel"`
	Status    string            `json:"status"`
	CreatedAt time.Time         `json:"created_at"`
	Lines     []receiptLineView `json:"lines"`
	// Total is the sum of the shares.
	Total      string `json:"total"`
	TotalNanos int64  `json:"total_nanos"`
}

// reservationCost is GET /v1/finance/reservations/{reference}/cost: the
// booking's cost receipt.
func (s *Server) reservationCost(w http.ResponseWriter, r *http.Request) {
	q, err := parseQuery(r)
	if err == nil {
		err = q.badRequest()
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ref := r.PathValue("reference")
	if !booking.ValidReference(ref) {
		s.fail(w, r, fmt.Errorf("reference %q: %w", ref, booking.ErrNotFound))
		return
	}
	if !s.ledgerOr501(w) {
		return
	}
	rc, err := s.ledger.Receipt(r.Context(), ref)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := receiptView{Reference: rc.Reference, Hotel: rc.Hotel, Status: rc.Status, CreatedAt: rc.CreatedAt.UTC(),
		Lines: make([]receiptLineView, 0, len(rc.Lines))}
	for _, l := range rc.Lines {
		v := receiptLineView{
			RequestID: l.RequestID, Function: l.Function, TriggerKind: string(l.TriggerKind), Started: l.Started.UTC(),
			BilledMS: l.BilledMS, MemoryMB: l.MemoryMB, InitMS: l.InitMS, amount: amountOf(l.Cost),
			SharedBy: l.SharedBy, ShareIndex: l.ShareIndex, Share: l.Share().Decimal(), ShareNanos: int64(l.Share()),
			PrecedingSearch: l.PrecedingSearch, Items: l.Items,
		}
		if l.Trigger != "" {
			v.Trigger = &l.Trigger
		}
		if v.Items == nil {
			v.Items = []pricing.LineItem{}
		}
		out.Lines = append(out.Lines, v)
	}
	total := rc.Total()
	out.Total, out.TotalNanos = total.Decimal(), int64(total)
	writeJSON(w, http.StatusOK, out)
}

type fixedItemView struct {
	pricing.FixedItem
	Amount      string `json:"amount"`
	AmountNanos int64  `json:"amount_nanos"`
}

type forecastView struct {
	Stage          string `json:"stage"`
	Region         string `json:"region"`
	BookingsPerDay int64  `json:"bookings_per_day"`
	Days           int    `json:"days"`
	Bookings       int64  `json:"bookings"`
	// Measured is the unit economics the variable cost comes from.
	Measured struct {
		periodView
		Invocations int64 `json:"invocations"`
		amount
		Bookings       int64       `json:"bookings"`
		CostPerBooking maybeAmount `json:"cost_per_booking"`
	} `json:"measured"`
	Fixed struct {
		Items         []fixedItemView `json:"items"`
		HoursPerMonth int             `json:"hours_per_month"`
		PricesRead    string          `json:"prices_read"`
		Total         string          `json:"total"`
		TotalNanos    int64           `json:"total_nanos"`
		PerBooking    string          `json:"per_booking"`
	} `json:"fixed"`
	// Variable is null without measured bookings; Note then says so.
	Variable *struct {
		Total      string `json:"total"`
		TotalNanos int64  `json:"total_nanos"`
		PerBooking string `json:"per_booking"`
	} `json:"variable"`
	Note                string `json:"note,omitempty"`
	Total               string `json:"total"`
	TotalNanos          int64  `json:"total_nanos"`
	CostPerBooking      string `json:"cost_per_booking"`
	CostPerBookingNanos int64  `json:"cost_per_booking_nanos"`
}

// forecast is GET /v1/finance/forecast?bookings_per_day=N&stage=: a
// month at N bookings a day, the stage's fixed cost plus the cost per
// booking measured over the last DefaultDays days.
func (s *Server) forecast(w http.ResponseWriter, r *http.Request) {
	q, err := parseQuery(r, "bookings_per_day", "stage")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var perDay int64
	raw := q.str("bookings_per_day")
	if n, err := strconv.ParseInt(raw, 10, 64); err != nil || n < 1 || n > finance.MaxBookingsPerDay || strings.TrimLeft(raw, "0123456789") != "" {
		q.v.Add("bookings_per_day", fmt.Sprintf("is required, a whole number from 1 to %d", finance.MaxBookingsPerDay))
	} else {
		perDay = n
	}
	stage := q.str("stage")
	if stage == "" {
		stage = pricing.StageProd
	}
	fixed, err := pricing.Fixed(stage)
	if err != nil {
		q.v.Add("stage", "must be "+strings.Join(pricing.Stages(), " or "))
	}
	if err := q.badRequest(); err != nil {
		s.fail(w, r, err)
		return
	}
	if !s.ledgerOr501(w) {
		return
	}
	measured, err := s.ledger.Summary(r.Context(), finance.LastDays(s.svc.Now(), finance.DefaultDays))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f, err := finance.Project(measured, fixed, perDay)
	if errors.Is(err, finance.ErrOutOfRange) {
		writeProblem(w, problem(http.StatusUnprocessableEntity, "forecast-out-of-range", "Forecast out of range",
			"At this volume the projected month exceeds what the ledger can count (about $9.2 billion)."))
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, viewForecast(f))
}

func viewForecast(f finance.Forecast) forecastView {
	out := forecastView{
		Stage: f.Stage, Region: f.Fixed.Region, BookingsPerDay: f.BookingsPerDay, Days: finance.ForecastDays, Bookings: f.Bookings,
		Total: f.Total.Decimal(), TotalNanos: int64(f.Total),
		CostPerBooking: f.TotalPerBooking.Decimal(), CostPerBookingNanos: int64(f.TotalPerBooking),
	}
	m := f.Measured
	out.Measured.periodView = viewPeriod(m.Period)
	out.Measured.Invocations, out.Measured.amount, out.Measured.Bookings = m.Invocations, amountOf(m.Cost), m.Bookings
	out.Measured.CostPerBooking = maybeAmountOf(m.CostPerBooking())
	out.Fixed.HoursPerMonth = pricing.HoursPerMonth
	out.Fixed.PricesRead = f.Fixed.PricesRead.Format(time.DateOnly)
	out.Fixed.Total, out.Fixed.TotalNanos = f.FixedTotal.Decimal(), int64(f.FixedTotal)
	out.Fixed.PerBooking = f.FixedPerBooking.Decimal()
	out.Fixed.Items = make([]fixedItemView, 0, len(f.Fixed.Items))
	for _, it := range f.Fixed.Items {
		n, _ := it.Amount() // Project has summed them without error
		out.Fixed.Items = append(out.Fixed.Items, fixedItemView{FixedItem: it, Amount: n.Decimal(), AmountNanos: int64(n)})
	}
	if f.HasVariable {
		out.Variable = &struct {
			Total      string `json:"total"`
			TotalNanos int64  `json:"total_nanos"`
			PerBooking string `json:"per_booking"`
		}{f.Variable.Decimal(), int64(f.Variable), f.VariablePerBooking.Decimal()}
	} else {
		out.Note = fmt.Sprintf("No booking was confirmed in the last %d days, so there is no measured cost per booking: the total is the fixed cost only.", finance.DefaultDays)
	}
	return out
}
