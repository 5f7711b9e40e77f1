package httpapi

import (
	"fmt"
	"net/http"
	"strconv"

	"innkeeper/shared/finance"
	"innkeeper/shared/pricing"
)

// The reconciliation against the bill (finance/reconcile.go defines its
// figures): per service and UTC day, what the ledger estimated against
// what the AWS bill charged, and the variance (bill − ledger) with its
// share of the bill. The period is read as the other cost reports read
// it, then widened to whole UTC days, as the bill counts them.

type reconciledView struct {
	Day      string `json:"day,omitempty"`
	Service  string `json:"service,omitempty"`
	Variable amount `json:"ledger_variable"`
	Fixed    amount `json:"ledger_fixed"`
	Ledger   amount `json:"ledger"`
	Billed   amount `json:"billed"`
	Variance amount `json:"variance"`
	// VarianceShare is the variance as a percentage of billed, one
	// decimal, rounded half away from zero; null when nothing was billed.
	VarianceShare *string `json:"variance_share_percent"`
	Credits       amount  `json:"credits"`
	Tax           amount  `json:"tax"`
	Fees          amount  `json:"fees"`
	Net           amount  `json:"billed_net"`
}

type reconciliationView struct {
	periodView
	Rows   []reconciledView `json:"rows"`
	Totals reconciledView   `json:"totals"`
}

func viewReconciled(r finance.Reconciled) reconciledView {
	return reconciledView{
		Day: r.Day, Service: r.Service,
		Variable: amountOf(r.Variable), Fixed: amountOf(r.Fixed), Ledger: amountOf(r.Ledger),
		Billed: amountOf(r.Billed), Variance: amountOf(r.Variance), VarianceShare: optional(r.VarianceShare()),
		Credits: amountOf(r.Credits), Tax: amountOf(r.Tax), Fees: amountOf(r.Fees), Net: amountOf(r.Net),
	}
}

// financeReconciliation is GET /v1/finance/reconciliation?from=&to=: the
// ledger against the bill per service and day, as JSON or, with Accept:
// text/csv, as CSV.
func (s *Server) financeReconciliation(w http.ResponseWriter, r *http.Request) {
	p, asCSV, ok := s.periodReport(w, r, s.reconciliation != nil)
	if !ok {
		return
	}
	p = p.WholeDays()
	facts, err := s.reconciliation.ReconciliationFacts(r.Context(), p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rep := finance.BuildReconciliation(p, facts)
	if asCSV {
		writeReconciliationCSV(w, rep)
		return
	}
	out := reconciliationView{periodView: viewPeriod(p), Rows: make([]reconciledView, 0, len(rep.Rows)), Totals: viewReconciled(rep.Totals)}
	for _, row := range rep.Rows {
		out.Rows = append(out.Rows, viewReconciled(row))
	}
	writeJSON(w, http.StatusOK, out)
}

// reconciliationColumns are the CSV columns after day and service: each
// amount as dollars and as nano-dollars.
var reconciliationColumns = []string{
	"ledger_variable_usd", "ledger_variable_nanos", "ledger_fixed_usd", "ledger_fixed_nanos",
	"ledger_usd", "ledger_nanos", "billed_usd", "billed_nanos", "variance_usd", "variance_nanos",
	"variance_share_percent", "credits_usd", "credits_nanos", "tax_usd", "tax_nanos",
	"fees_usd", "fees_nanos", "billed_net_usd", "billed_net_nanos",
}

// writeReconciliationCSV writes the report with a header row and, last,
// a TOTAL row (no date is TOTAL). A share that does not exist is an
// empty cell.
func writeReconciliationCSV(w http.ResponseWriter, rep finance.Reconciliation) {
	name := fmt.Sprintf("innkeeper-reconciliation-%s-%s.csv",
		rep.Period.From.UTC().Format("20060102"), rep.Period.To.UTC().Format("20060102"))
	cw := csvAttachment(w, name)
	_ = cw.Write(append([]string{"day", "service"}, reconciliationColumns...))
	for _, row := range rep.Rows {
		_ = cw.Write(append([]string{row.Day, csvCell(row.Service)}, reconciledCells(row)...))
	}
	_ = cw.Write(append([]string{"TOTAL", ""}, reconciledCells(rep.Totals)...))
	cw.Flush()
}

func reconciledCells(r finance.Reconciled) []string {
	money := func(n pricing.Nanos) []string { return []string{n.Decimal(), strconv.FormatInt(int64(n), 10)} }
	share, _ := r.VarianceShare()
	var out []string
	for _, n := range []pricing.Nanos{r.Variable, r.Fixed, r.Ledger, r.Billed, r.Variance} {
		out = append(out, money(n)...)
	}
	out = append(out, share)
	for _, n := range []pricing.Nanos{r.Credits, r.Tax, r.Fees, r.Net} {
		out = append(out, money(n)...)
	}
	return out
}
