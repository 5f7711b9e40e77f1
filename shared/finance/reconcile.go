package finance

import (
	"context"
	"sort"
	"time"

	"innkeeper/shared/pricing"
)

// The reconciliation of the ledger against the AWS bill, per service and
// UTC day. The ledger's side is what Innkeeper estimated: the variable
// cost of the invocations that ended that day, each line item under the
// service that bills it (pricing.Service), plus the fixed cost accrued
// for the day (fixed_cost_days). The bill's side is the usage the CUR 2.0
// export charged the stage's tagged resources (shared/cur), credits,
// taxes and fees shown apart. The variance is bill usage − ledger: above
// zero, the ledger missed cost (an unmetered dimension, untagged
// resources of the stage tagged after all, prices below the bill's);
// below zero, it estimated more than AWS charged (free tier, credits
// applied as discounted usage, a price above the bill's).

// BillDay is what the bill charged the stage for one service on one UTC
// day, in nano-dollars, by the kind of line item (shared/cur says which
// line item types count as which).
type BillDay struct {
	Day     string // YYYY-MM-DD
	Service string // the bill's line_item_product_code
	// BillingPeriod is the bill's month, YYYY-MM.
	BillingPeriod string
	Usage         pricing.Nanos
	Credits       pricing.Nanos
	Tax           pricing.Nanos
	Fees          pricing.Nanos
	// Files are the export's data files the day's line items came from.
	Files []string
}

// Net is what the day cost after credits, taxes and fees.
func (d BillDay) Net() pricing.Nanos { return d.Usage + d.Credits + d.Tax + d.Fees }

// LineDay is the ledger's cost of one line (pricing.Line) on one UTC day.
type LineDay struct {
	Day    string
	Line   pricing.Line
	Amount pricing.Nanos
}

// ServiceDay is a fixed cost of one service on one UTC day.
type ServiceDay struct {
	Day     string
	Service string
	Amount  pricing.Nanos
}

// ReconciliationFacts are the sums the reconciliation is built from.
type ReconciliationFacts struct {
	Lines []LineDay
	Fixed []ServiceDay
	Bill  []BillDay
}

// ReconciliationSource reads the facts of the whole UTC days of p.
type ReconciliationSource interface {
	ReconciliationFacts(ctx context.Context, p Period) (ReconciliationFacts, error)
}

// Reconciled is the ledger against the bill for one service and day, or
// their totals.
type Reconciled struct {
	Day     string // "" in totals
	Service string // "" in totals
	// Variable and Fixed make up Ledger.
	Variable pricing.Nanos
	Fixed    pricing.Nanos
	Ledger   pricing.Nanos
	// Billed is the bill's usage; Credits, Tax and Fees the rest of the
	// bill, and Net all of it.
	Billed  pricing.Nanos
	Credits pricing.Nanos
	Tax     pricing.Nanos
	Fees    pricing.Nanos
	Net     pricing.Nanos
	// Variance is Billed − Ledger.
	Variance pricing.Nanos
}

// VarianceShare is Variance as a percentage of Billed, one decimal,
// rounded half away from zero, e.g. "-12.5"; false when nothing was
// billed.
func (r Reconciled) VarianceShare() (string, bool) {
	if r.Billed <= 0 {
		return "", false
	}
	v := r.Variance
	sign := ""
	if v < 0 {
		v, sign = -v, "-"
	}
	pct, ok := Percent(v, r.Billed)
	if !ok {
		return "", false
	}
	if pct == "0.0" {
		sign = ""
	}
	return sign + pct, true
}

func (r *Reconciled) add(o Reconciled) {
	r.Variable += o.Variable
	r.Fixed += o.Fixed
	r.Billed += o.Billed
	r.Credits += o.Credits
	r.Tax += o.Tax
	r.Fees += o.Fees
	r.settle()
}

func (r *Reconciled) settle() {
	r.Ledger = r.Variable + r.Fixed
	r.Net = r.Billed + r.Credits + r.Tax + r.Fees
	r.Variance = r.Billed - r.Ledger
}

// Reconciliation is the report: a row per service and day present on
// either side, by day then service, and the totals.
type Reconciliation struct {
	Period Period
	Rows   []Reconciled
	Totals Reconciled
}

// WholeDays widens p to whole UTC days: the reconciliation compares
// days, as the bill counts them.
func (p Period) WholeDays() Period {
	y, m, d := p.From.UTC().Date()
	from := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	y, m, d = p.To.UTC().Date()
	to := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	if to.Before(p.To) {
		to = to.AddDate(0, 0, 1)
	}
	return Period{From: from, To: to}
}

// BuildReconciliation sets the ledger against the bill. A line of the
// ledger without a known service is counted under pricing.Unmapped.
func BuildReconciliation(p Period, f ReconciliationFacts) Reconciliation {
	type key struct{ day, service string }
	rows := map[key]*Reconciled{}
	row := func(day, service string) *Reconciled {
		k := key{day, service}
		if rows[k] == nil {
			rows[k] = &Reconciled{Day: day, Service: service}
		}
		return rows[k]
	}
	for _, l := range f.Lines {
		row(l.Day, pricing.Service(l.Line)).add(Reconciled{Variable: l.Amount})
	}
	for _, x := range f.Fixed {
		row(x.Day, x.Service).add(Reconciled{Fixed: x.Amount})
	}
	for _, b := range f.Bill {
		row(b.Day, b.Service).add(Reconciled{Billed: b.Usage, Credits: b.Credits, Tax: b.Tax, Fees: b.Fees})
	}
	out := Reconciliation{Period: p, Rows: make([]Reconciled, 0, len(rows))}
	for _, r := range rows {
		out.Rows = append(out.Rows, *r)
		out.Totals.add(*r)
	}
	sort.Slice(out.Rows, func(i, j int) bool {
		if out.Rows[i].Day != out.Rows[j].Day {
			return out.Rows[i].Day < out.Rows[j].Day
		}
		return out.Rows[i].Service < out.Rows[j].Service
	})
	return out
}
