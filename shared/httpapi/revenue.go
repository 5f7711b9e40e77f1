package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"innkeeper/shared/booking"
	"innkeeper/shared/finance"
)

// The revenue report (the doc comment of finance.Revenue defines its
// figures). Unlike the cost reports, its range is one of hotel nights,
// as a stay's is: from and to are dates, to excluded, both required.
// Hotel money is in minor units (the "_cents" integers of the rest of
// the API), per currency; the infrastructure cost is nano-dollars in
// both of the cost reports' forms.

// revenueFiguresView are the figures of a row or a total; a figure that
// does not exist (an ADR with nothing sold) is null.
type revenueFiguresView struct {
	Currency              string      `json:"currency"`
	RoomNightsSold        int64       `json:"room_nights_sold"`
	RoomNightsAvailable   int64       `json:"room_nights_available"`
	OccupancyPercent      *string     `json:"occupancy_percent"`
	RoomRevenueCents      int64       `json:"room_revenue_cents"`
	ADRCents              *int64      `json:"adr_cents"`
	RevPARCents           *int64      `json:"revpar_cents"`
	Cancellations         int64       `json:"cancellations"`
	CancellationFeesCents int64       `json:"cancellation_fees_cents"`
	CollectedCents        int64       `json:"collected_cents"`
	InfraCost             maybeAmount `json:"infra_cost"`
	InfraCostPer1000      maybeAmount `json:"infra_cost_per_1000_revenue"`
}

type revenueRowView struct {
	Day      string `json:"day,omitempty"`
	Hotel    string `json:"hotel,omitempty"`
	RoomType string `json:"room_type,omitempty"`
	revenueFiguresView
}

type revenueView struct {
	// Hotel is null for every hotel.
	Hotel   *string              `json:"hotel"`
	From    string               `json:"from"`
	To      string               `json:"to"`
	Nights  int                  `json:"nights"`
	GroupBy string               `json:"group_by"`
	Rows    []revenueRowView     `json:"rows"`
	Totals  []revenueFiguresView `json:"totals"`
}

func optional[T any](v T, ok bool) *T {
	if !ok {
		return nil
	}
	return &v
}

func viewRevenueFigures(r finance.RevenueRow) revenueFiguresView {
	return revenueFiguresView{
		Currency: r.Currency, RoomNightsSold: r.Sold, RoomNightsAvailable: r.Available,
		OccupancyPercent: optional(r.Occupancy()), RoomRevenueCents: r.RevenueCents,
		ADRCents: optional(r.ADR()), RevPARCents: optional(r.RevPAR()),
		Cancellations: r.Cancellations, CancellationFeesCents: r.CancellationFeeCents, CollectedCents: r.CollectedCents,
		InfraCost:        maybeAmountOf(r.Cost, r.HasCost),
		InfraCostPer1000: maybeAmountOf(r.CostPerThousand()),
	}
}

// nights reads from and to as a range of hotel nights.
func (q *query) nights() finance.Nights {
	from, to := q.date("from", true), q.date("to", true)
	if from.IsZero() || to.IsZero() {
		return finance.Nights{}
	}
	n := finance.Nights{From: from.Time(), To: to.Time()}
	switch {
	case !from.Before(to):
		q.v.Add("from", "must be before to (to is the morning after the last night)")
	case n.Count() > finance.MaxRevenueNights:
		q.v.Add("to", fmt.Sprintf("must be at most %d nights after from", finance.MaxRevenueNights))
	}
	return n
}

// financeRevenue is GET /v1/finance/revenue?hotel=&from=&to=&group_by=:
// what the hotels earned on the nights [from, to), by day, hotel or room
// type, beside the infrastructure cost, as JSON or, with Accept:
// text/csv, as CSV. Bad parameters are a 422 naming each.
func (s *Server) financeRevenue(w http.ResponseWriter, r *http.Request) {
	q, err := parseQuery(r, "hotel", "from", "to", "group_by")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	n := q.nights()
	hotel := q.str("hotel")
	if hotel != "" && !booking.ValidSlug(hotel) {
		q.v.Add("hotel", "must be a hotel's slug")
	}
	g := finance.RevenueGroup(q.str("group_by"))
	if g == "" {
		g = finance.RevenueByDay
	}
	if !g.Valid() {
		q.v.Add("group_by", "must be day, hotel or room_type")
	}
	asCSV, ok := s.reportFormat(w, r, q.v.Err())
	if !ok {
		return
	}
	if s.revenue == nil {
		noLedger(w)
		return
	}
	facts, costs, err := s.revenue.RevenueFacts(r.Context(), hotel, n)
	if errors.Is(err, finance.ErrUnknownHotel) {
		s.fail(w, r, &booking.ValidationError{Fields: map[string]string{"hotel": "is no hotel"}})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rep := finance.BuildRevenue(hotel, n, g, facts, costs)
	if asCSV {
		writeRevenueCSV(w, rep)
		return
	}
	out := revenueView{
		From: n.From.Format(time.DateOnly), To: n.To.Format(time.DateOnly), Nights: n.Count(), GroupBy: string(g),
		Rows: make([]revenueRowView, 0, len(rep.Rows)), Totals: make([]revenueFiguresView, 0, len(rep.Totals)),
	}
	if hotel != "" {
		out.Hotel = &hotel
	}
	for _, row := range rep.Rows {
		out.Rows = append(out.Rows, revenueRowView{Day: row.Day, Hotel: row.Hotel, RoomType: row.RoomType, revenueFiguresView: viewRevenueFigures(row)})
	}
	for _, t := range rep.Totals {
		out.Totals = append(out.Totals, viewRevenueFigures(t))
	}
	writeJSON(w, http.StatusOK, out)
}

// revenueColumns are the CSV columns after the grouping's own.
var revenueColumns = []string{
	"currency", "room_nights_sold", "room_nights_available", "occupancy_percent", "room_revenue_cents",
	"adr_cents", "revpar_cents", "cancellations", "cancellation_fees_cents",
	"infra_cost_usd", "infra_cost_nanos", "infra_cost_per_1000_revenue_usd", "infra_cost_per_1000_revenue_nanos",
}

// writeRevenueCSV writes the report with a header row and, last, a TOTAL
// row per currency (no day, slug or room type code can be TOTAL). A
// figure that does not exist is an empty cell.
func writeRevenueCSV(w http.ResponseWriter, rep finance.Revenue) {
	name := fmt.Sprintf("innkeeper-revenue-by-%s-%s-%s.csv", rep.Group,
		rep.Nights.From.Format("20060102"), rep.Nights.To.Format("20060102"))
	cw := csvAttachment(w, name)
	keys := []string{string(rep.Group)}
	if rep.Group == finance.RevenueByRoomType {
		keys = []string{"hotel", "room_type"}
	}
	_ = cw.Write(append(keys, revenueColumns...))
	for _, row := range rep.Rows {
		var k []string
		switch rep.Group {
		case finance.RevenueByDay:
			k = []string{row.Day}
		case finance.RevenueByHotel:
			k = []string{csvCell(row.Hotel)}
		default:
			k = []string{csvCell(row.Hotel), csvCell(row.RoomType)}
		}
		_ = cw.Write(append(k, revenueCells(row)...))
	}
	for _, t := range rep.Totals {
		k := make([]string, len(keys))
		k[0] = "TOTAL"
		_ = cw.Write(append(k, revenueCells(t)...))
	}
	cw.Flush()
}

func revenueCells(r finance.RevenueRow) []string {
	i := func(n int64) string { return strconv.FormatInt(n, 10) }
	maybeInt := func(n int64, ok bool) string {
		if !ok {
			return ""
		}
		return i(n)
	}
	occupancy, _ := r.Occupancy()
	cost, costNanos := "", ""
	if r.HasCost {
		cost, costNanos = r.Cost.Decimal(), i(int64(r.Cost))
	}
	per, perNanos := "", ""
	if n, ok := r.CostPerThousand(); ok {
		per, perNanos = n.Decimal(), i(int64(n))
	}
	return []string{
		r.Currency, i(r.Sold), i(r.Available), occupancy, i(r.RevenueCents),
		maybeInt(r.ADR()), maybeInt(r.RevPAR()), i(r.Cancellations), i(r.CancellationFeeCents),
		cost, costNanos, per, perNanos,
	}
}
