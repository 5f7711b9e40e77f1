package cur

import (
	"bufio"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"regexp"
	"sort"
	"strings"
	"time"

	"innkeeper/shared/decimal"
	"innkeeper/shared/finance"
	"innkeeper/shared/pricing"
)

// The CUR 2.0 columns the reader needs (the published schema's names).
const (
	ColBillingPeriodStart = "bill_billing_period_start_date"
	ColUsageStart         = "line_item_usage_start_date"
	ColProductCode        = "line_item_product_code"
	ColLineItemType       = "line_item_line_item_type"
	ColUnblendedCost      = "line_item_unblended_cost"
	ColCurrency           = "line_item_currency_code"
	ColResourceTags       = "resource_tags"
)

var required = []string{ColBillingPeriodStart, ColUsageStart, ColProductCode, ColLineItemType, ColUnblendedCost, ColCurrency, ColResourceTags}

// Currency is the only currency the ledger, and so the reader, knows.
const Currency = "USD"

// Kind is which of a day's sums a line item adds to (the package
// comment lists the line item types of each).
type Kind int

// The kinds.
const (
	Usage Kind = iota
	Credits
	Tax
	Fees
)

// KindOf sorts a line_item_line_item_type.
func KindOf(lineItemType string) Kind {
	switch lineItemType {
	case "Usage", "DiscountedUsage", "SavingsPlanCoveredUsage":
		return Usage
	case "Credit", "Refund", "SavingsPlanNegation", "BundledDiscount", "EdpDiscount",
		"PrivateRateDiscount", "DistributorDiscount", "Discount":
		return Credits
	case "Tax":
		return Tax
	}
	return Fees
}

// Filter is the stage's cost-allocation tags: a line item is the
// stage's when its resource_tags has user_app = App and user_stage =
// Stage.
type Filter struct {
	App, Stage string
}

// The keys of the stack's tags in resource_tags: a user-defined
// cost-allocation tag "app" appears as "user_app".
const (
	TagApp   = "user_app"
	TagStage = "user_stage"
)

func (f Filter) match(tags map[string]string) bool {
	return tags[TagApp] == f.App && tags[TagStage] == f.Stage
}

// Day is what the bill charged the stage for one service on one UTC
// day, by kind, in nano-dollars: finance's BillDay, which the store keeps.
type Day = finance.BillDay

// Counts say what a read did with the line items.
type Counts struct {
	Files int `json:"files"`
	// Rows are every line item read; Kept those of the stage.
	Rows int `json:"rows"`
	Kept int `json:"kept"`
}

type key struct{ period, day, service string }

type sums struct {
	kinds [4]*big.Rat
	files map[string]bool
}

// Bill accumulates the stage's line items from any number of files; its
// zero value is empty and ready.
type Bill struct {
	Filter Filter
	// Periods are the billing periods (YYYY-MM) read, whether or not a
	// line item of the stage was in them.
	Periods map[string]bool
	Counts  Counts
	sums    map[key]*sums
}

// NewBill is an empty bill of the stage f names.
func NewBill(f Filter) *Bill {
	return &Bill{Filter: f, Periods: map[string]bool{}, sums: map[key]*sums{}}
}

// ReadError is a line item the reader cannot take, with where it is.
type ReadError struct {
	File string
	Line int // the CSV record, the header being 1
	Err  error
}

func (e *ReadError) Error() string { return fmt.Sprintf("cur: %s:%d: %v", e.File, e.Line, e.Err) }
func (e *ReadError) Unwrap() error { return e.Err }

// ReadCSV adds the line items of one CUR 2.0 CSV file, plain or gzip
// (told apart by its first bytes), named file in errors and in Day.Files.
// A file that is not CUR 2.0 (a required column missing), or a line item
// of the stage that cannot be read, is an error and adds nothing.
func (b *Bill) ReadCSV(r io.Reader, file string) error {
	br := bufio.NewReader(r)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return &ReadError{file, 0, err}
		}
		defer zr.Close()
		br = bufio.NewReader(zr)
	}
	cr := csv.NewReader(br)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		b.Counts.Files++
		return nil // an empty file: a period without usage yet
	}
	if err != nil {
		return &ReadError{file, 1, err}
	}
	col := map[string]int{}
	for i, name := range header {
		col[strings.TrimPrefix(strings.TrimSpace(name), "\ufeff")] = i
	}
	var missing []string
	for _, name := range required {
		if _, ok := col[name]; !ok {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return &ReadError{file, 1, fmt.Errorf("not a CUR 2.0 export: no column %s", strings.Join(missing, ", "))}
	}
	// The file's line items are added only once all are read.
	local := NewBill(b.Filter)
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return &ReadError{file, line, err}
		}
		if err := local.add(rec, col, file); err != nil {
			return &ReadError{file, line, err}
		}
	}
	local.Counts.Files = 1
	b.merge(local)
	return nil
}

func (b *Bill) add(rec []string, col map[string]int, file string) error {
	get := func(name string) string { return strings.TrimSpace(rec[col[name]]) }
	b.Counts.Rows++
	period, err := timestamp(get(ColBillingPeriodStart))
	if err != nil {
		return fmt.Errorf("%s: %w", ColBillingPeriodStart, err)
	}
	b.Periods[period.Format("2006-01")] = true
	var tags map[string]string
	if s := get(ColResourceTags); s != "" {
		if err := json.Unmarshal([]byte(s), &tags); err != nil {
			return fmt.Errorf("%s: not a JSON object of strings: %w", ColResourceTags, err)
		}
	}
	if !b.Filter.match(tags) {
		return nil
	}
	b.Counts.Kept++
	start, err := timestamp(get(ColUsageStart))
	if err != nil {
		return fmt.Errorf("%s: %w", ColUsageStart, err)
	}
	service := get(ColProductCode)
	if service == "" {
		return fmt.Errorf("%s: empty", ColProductCode)
	}
	if c := get(ColCurrency); c != Currency {
		return fmt.Errorf("%s: %q, the ledger is in %s", ColCurrency, c, Currency)
	}
	cost, err := ParseCost(get(ColUnblendedCost))
	if err != nil {
		return fmt.Errorf("%s: %w", ColUnblendedCost, err)
	}
	k := key{period.Format("2006-01"), start.Format(time.DateOnly), service}
	s := b.sums[k]
	if s == nil {
		s = &sums{files: map[string]bool{}}
		b.sums[k] = s
	}
	kind := KindOf(get(ColLineItemType))
	if s.kinds[kind] == nil {
		s.kinds[kind] = new(big.Rat)
	}
	s.kinds[kind].Add(s.kinds[kind], cost)
	s.files[file] = true
	return nil
}

func (b *Bill) merge(o *Bill) {
	for p := range o.Periods {
		b.Periods[p] = true
	}
	b.Counts.Files += o.Counts.Files
	b.Counts.Rows += o.Counts.Rows
	b.Counts.Kept += o.Counts.Kept
	for k, os := range o.sums {
		s := b.sums[k]
		if s == nil {
			b.sums[k] = os
			continue
		}
		for i, v := range os.kinds {
			if v == nil {
				continue
			}
			if s.kinds[i] == nil {
				s.kinds[i] = new(big.Rat)
			}
			s.kinds[i].Add(s.kinds[i], v)
		}
		for f := range os.files {
			s.files[f] = true
		}
	}
}

// Days are the bill's sums by day and service, in order, each rounded
// once to whole nano-dollars, halves away from zero.
func (b *Bill) Days() ([]Day, error) {
	out := make([]Day, 0, len(b.sums))
	for k, s := range b.sums {
		d := Day{Day: k.day, Service: k.service, BillingPeriod: k.period}
		for i, dst := range []*pricing.Nanos{&d.Usage, &d.Credits, &d.Tax, &d.Fees} {
			if s.kinds[i] == nil {
				continue
			}
			n, err := decimal.Round(new(big.Rat).Mul(s.kinds[i], big.NewRat(int64(pricing.Dollar), 1)))
			if err != nil {
				return nil, fmt.Errorf("cur: %s %s: %w", k.day, k.service, err)
			}
			*dst = pricing.Nanos(n)
		}
		for f := range s.files {
			d.Files = append(d.Files, f)
		}
		sort.Strings(d.Files)
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Day != out[j].Day {
			return out[i].Day < out[j].Day
		}
		if out[i].Service != out[j].Service {
			return out[i].Service < out[j].Service
		}
		return out[i].BillingPeriod < out[j].BillingPeriod
	})
	return out, nil
}

// PeriodList is Periods in order.
func (b *Bill) PeriodList() []string {
	out := make([]string, 0, len(b.Periods))
	for p := range b.Periods {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// costPattern is a decimal number as the bill writes one: an optional
// sign, digits with an optional fraction, an optional exponent.
var costPattern = regexp.MustCompile(`^[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]{1,3})?$`)

// ParseCost reads a cost in dollars, such as "0.0000002083333",
// "-1.25" or "2.1E-7", exactly.
func ParseCost(s string) (*big.Rat, error) {
	if len(s) > 64 || !costPattern.MatchString(s) {
		return nil, fmt.Errorf("%q is not a decimal number", s)
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return nil, fmt.Errorf("%q is not a decimal number", s)
	}
	return r, nil
}

// timestamp reads the bill's times: RFC 3339 ("2026-12-01T00:00:00Z",
// "2026-12-01T00:00:00.000Z") or "2026-12-01 00:00:00", taken as UTC.
func timestamp(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05", "2006-01-02 15:04:05.000", "2006-01-02T15:04:05", time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time", s)
}
