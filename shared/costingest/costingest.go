// Package costingest feeds the cost ledger: it takes a CloudWatch Logs
// subscription delivery (read by shared/lambdalog: the platform's REPORT
// lines and the functions' attribution lines, shared/meter), keeps each
// line as it comes (once per log event id), prices every invocation the
// delivery touched from all the lines held for its request id with
// shared/pricing, records it once in the ledger (finance.Ledger, kept by
// shared/store), and writes a CloudWatch EMF line per REPORT line for
// dashboards. The two halves of an invocation may come in different
// deliveries, in either order, hours apart: the row is written from the
// half that comes first and corrected when the other comes. The ledger
// is the source of truth; EMF may count twice when Lambda retries a
// delivery, the ledger never does (one row per request id and attempt).
package costingest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"

	"github.com/aws/aws-lambda-go/events"

	"innkeeper/shared/booking"
	"innkeeper/shared/lambdalog"
	"innkeeper/shared/meter"
	"innkeeper/shared/pricing"
	"innkeeper/shared/topology"
)

// Store keeps the lines as they come and the priced invocations, each
// request id and attempt once.
type Store interface {
	SaveCostLines(ctx context.Context, reports []lambdalog.Report, attributions []meter.Attribution) error
	CostLines(ctx context.Context, requestIDs []string) ([]lambdalog.Report, []meter.Attribution, error)
	RecordCosts(ctx context.Context, records []pricing.Record) (written int, err error)
}

// Ingester prices deliveries into the ledger.
type Ingester struct {
	Pricer *pricing.Pricer
	Store  Store
	// Functions are the manifest's names, to tell a function from its
	// log group's name.
	Functions []string
	// EMF receives one metric line per invocation (stdout in Lambda).
	EMF io.Writer
	Log *slog.Logger

	emfMu sync.Mutex
}

// Result is what one delivery did: the REPORT lines it carried, the
// invocations priced (those of its lines' request ids), and the ledger
// rows written (new, or corrected by a line that came late).
type Result struct {
	Reports  int `json:"reports"`
	Priced   int `json:"priced"`
	Inserted int `json:"inserted"`
}

// New is the ingester for the manifest's functions, pricing in region
// with the overrides (negotiated discounts) given.
func New(m topology.Manifest, region string, overrides pricing.Overrides, st Store, emf io.Writer, log *slog.Logger) (*Ingester, error) {
	arch := map[string]string{}
	var names []string
	for _, f := range m.Functions {
		arch[f.Name] = f.Arch
		names = append(names, f.Name)
	}
	p, err := pricing.NewPricer(pricing.PricerConfig{Table: pricing.AWSPrices(), Region: region, Overrides: overrides, Arch: arch, DefaultArch: pricing.ARM64})
	if err != nil {
		return nil, fmt.Errorf("costingest: %w", err)
	}
	return &Ingester{Pricer: p, Store: st, Functions: names, EMF: emf, Log: log}, nil
}

// Handle ingests one subscription delivery. It fails (and Lambda
// retries the delivery) only when the ledger cannot be written; lines it
// cannot price are logged and skipped, since a retry would not price
// them either.
func (i *Ingester) Handle(ctx context.Context, ev events.CloudwatchLogsEvent) (Result, error) {
	data, err := lambdalog.DecodeSubscription(ev)
	if err != nil {
		return Result{}, fmt.Errorf("costingest: decode delivery: %w", err)
	}
	if data.MessageType == "CONTROL_MESSAGE" {
		return Result{}, nil
	}
	reports, attributions := lambdalog.Scan(data, i.Functions)
	res := Result{Reports: len(reports)}
	if len(reports)+len(attributions) == 0 {
		return res, nil
	}
	if err := i.Store.SaveCostLines(ctx, reports, attributions); err != nil {
		return res, fmt.Errorf("costingest: keep the lines of %s: %w", data.LogGroup, err)
	}
	// Every line held for the request ids of this delivery, whichever
	// delivery brought it: the other half of an invocation may have come
	// before.
	var ids []string
	delivered := map[string]bool{}
	for _, r := range reports {
		ids = append(ids, r.RequestID)
		delivered[r.EventID] = true
	}
	for _, a := range attributions {
		ids = append(ids, a.RequestID)
	}
	slices.Sort(ids)
	allReports, allAttributions, err := i.Store.CostLines(ctx, slices.Compact(ids))
	if err != nil {
		return res, fmt.Errorf("costingest: read the lines of %s: %w", data.LogGroup, err)
	}
	records, err := i.Pricer.Join(allReports, allAttributions)
	for n := range records {
		// Attribution lines are written by the functions, from what
		// callers sent; a hotel that cannot be a slug is not kept.
		if h := records[n].Hotel; h != "" && !booking.ValidSlug(h) {
			records[n].Hotel = ""
		}
	}
	if err != nil && i.Log != nil {
		i.Log.WarnContext(ctx, "invocations not priced", slog.String("log_group", data.LogGroup), slog.String("error", err.Error()))
	}
	res.Priced = len(records)
	if len(records) == 0 {
		return res, nil
	}
	if res.Inserted, err = i.Store.RecordCosts(ctx, records); err != nil {
		return res, fmt.Errorf("costingest: record %d invocations of %s: %w", len(records), data.LogGroup, err)
	}
	if i.EMF != nil {
		i.emfMu.Lock()
		for _, r := range records {
			if delivered[r.Report.EventID] {
				i.EMF.Write(append(EMF(r), '\n'))
			}
		}
		i.emfMu.Unlock()
	}
	if i.Log != nil {
		i.Log.InfoContext(ctx, "costs ingested", slog.String("log_group", data.LogGroup),
			slog.Int("reports", res.Reports), slog.Int("priced", res.Priced), slog.Int("inserted", res.Inserted))
	}
	return res, nil
}
