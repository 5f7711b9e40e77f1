package pricing

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"innkeeper/shared/lambdalog"
	"innkeeper/shared/meter"
)

// Record is one priced invocation: its REPORT line, what its attribution
// line says it was for, and its cost.
type Record struct {
	RequestID   string            `json:"request_id"`
	Function    string            `json:"function"`
	Arch        string            `json:"arch"`
	Trigger     string            `json:"trigger,omitempty"`
	TriggerKind meter.TriggerKind `json:"trigger_kind"`
	Hotel       string            `json:"hotel,omitempty"`
	// Reservations are the bookings the invocation worked on: one for
	// a booking request, several for a worker batch or a scheduled job.
	Reservations []string `json:"reservations,omitempty"`
	// Client is an opaque key of the caller (a hash of the source address
	// or the API key's id), which links a booking to the searches before it.
	Client string `json:"client,omitempty"`
	// Attempt counts the invocations of the request id, from 1: an
	// asynchronous retry keeps its request id.
	Attempt int `json:"attempt"`
	// Attributed is false when no attribution line was found for the
	// invocation: it is then priced as a direct one. Attribution says
	// which line it was (AttributionNone, AttributionStart,
	// AttributionEnd).
	Attributed  bool   `json:"attributed"`
	Attribution string `json:"attribution"`
	// Ended is when the REPORT line was logged; Started is Ended less the
	// invoke phase (a cold start's INIT ran before it).
	Started   time.Time        `json:"started"`
	Ended     time.Time        `json:"ended"`
	Report    lambdalog.Report `json:"report"`
	Breakdown Breakdown        `json:"breakdown"`
}

// Route is the record's EMF Route dimension: the trigger, or the trigger
// kind when there is none.
func (r Record) Route() string {
	if r.Trigger != "" {
		return r.Trigger
	}
	return string(r.TriggerKind)
}

// PricerConfig is what a Pricer prices with; all of it from the caller.
type PricerConfig struct {
	Table     PriceTable
	Region    string
	Overrides Overrides
	// Used is the month's usage already consumed in Month (its UTC
	// calendar month), where the tiers start. A zero Month means the
	// month of the first invocation priced.
	Used  Usage
	Month time.Time
	// Arch is each function's architecture; DefaultArch that of the
	// others, or an error when empty.
	Arch        map[string]string
	DefaultArch string
}

// Pricer prices invocations one after another, keeping the month's usage
// so that tiers advance, and starting again from zero when a new UTC
// month begins. It is safe for concurrent use.
type Pricer struct {
	cfg   PricerConfig
	mu    sync.Mutex
	used  Usage
	month time.Time
	// counted is what each invocation priced this month (by its REPORT
	// line's event id) added to used, so that pricing it again, when
	// the other half of its lines arrives, replaces its part rather
	// than adding it twice; order keeps the keys oldest first, at most
	// maxCounted of them.
	counted map[string]Usage
	order   []string
}

// maxCounted is how many invocations a Pricer remembers the usage of.
// The other half of an invocation's lines comes within minutes, not
// after this many others; one re-priced after it has been forgotten
// counts its tier usage twice (the price of that one invocation may
// then sit a tier too far, never more).
const maxCounted = 1 << 16

// NewPricer checks the configuration: the region is in the table, the
// overrides apply to its prices, the architectures are known.
func NewPricer(c PricerConfig) (*Pricer, error) {
	var errs []error
	known := false
	for _, p := range c.Table {
		if p.Region != c.Region {
			continue
		}
		known = true
		if _, err := p.Apply(c.Overrides); err != nil {
			errs = append(errs, err)
		}
	}
	if !known {
		errs = append(errs, fmt.Errorf("%w %q", ErrUnknownRegion, c.Region))
	}
	for fn, arch := range c.Arch {
		if arch != ARM64 && arch != X8664 {
			errs = append(errs, fmt.Errorf("function %s: architecture %q", fn, arch))
		}
	}
	if c.DefaultArch != "" && c.DefaultArch != ARM64 && c.DefaultArch != X8664 {
		errs = append(errs, fmt.Errorf("default architecture %q", c.DefaultArch))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("pricing: pricer: %w", err)
	}
	p := &Pricer{cfg: c, used: c.Used}
	if !c.Month.IsZero() {
		p.month = monthOf(c.Month)
	}
	return p, nil
}

// Arch is the architecture the function is priced as.
func (p *Pricer) Arch(function string) (string, error) {
	if a, ok := p.cfg.Arch[function]; ok {
		return a, nil
	}
	if p.cfg.DefaultArch != "" {
		return p.cfg.DefaultArch, nil
	}
	return "", fmt.Errorf("pricing: function %q: architecture not known", function)
}

// Used is the month's usage so far and the month it counts.
func (p *Pricer) Used() (Usage, time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.used, p.month
}

// Price prices an invocation that ended at at, with the prices in effect
// then, and adds it to the month's usage. An invocation from a month
// before the current one (a late delivery) is priced from the first tier
// and not counted.
func (p *Pricer) Price(inv Invocation, at time.Time) (Breakdown, error) {
	return p.price("", inv, at)
}

// price is Price for the invocation key (its REPORT line's event id):
// an invocation priced again replaces its share of the month's usage
// instead of adding to it, so tiers advance once per invocation however
// many deliveries price it. An empty key is always new.
func (p *Pricer) price(key string, inv Invocation, at time.Time) (Breakdown, error) {
	prices, err := p.cfg.Table.Lookup(p.cfg.Region, at)
	if err != nil {
		return Breakdown{}, err
	}
	month := monthOf(at)
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.month.IsZero():
		p.month = month
	case month.After(p.month):
		p.month, p.used, p.counted, p.order = month, Usage{}, nil, nil
	}
	used := p.used
	prev, again := p.counted[key]
	if again {
		used = used.minus(prev)
	}
	if month.Before(p.month) {
		used = Usage{}
	}
	b, err := Price(prices, inv, Options{Used: used, Overrides: p.cfg.Overrides})
	if err != nil {
		return Breakdown{}, err
	}
	if month.Equal(p.month) {
		p.used = used.Plus(inv.Arch, b)
		if key != "" {
			p.remember(key, again, Usage{}.Plus(inv.Arch, b))
		}
	}
	return b, nil
}

// remember keeps what the invocation key added to the month's usage.
func (p *Pricer) remember(key string, known bool, u Usage) {
	if p.counted == nil {
		p.counted = map[string]Usage{}
	}
	if !known {
		if len(p.order) >= maxCounted {
			delete(p.counted, p.order[0])
			p.order = p.order[1:]
		}
		p.order = append(p.order, key)
	}
	p.counted[key] = u
}

func monthOf(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// The attribution a Record has, from least to most: none, the start
// line only (a timeout or an out-of-memory kill: counts unknown), or the
// end line.
const (
	AttributionNone  = "none"
	AttributionStart = "start"
	AttributionEnd   = "end"
)

// Join pairs REPORT lines with attribution lines and prices each
// invocation, in the order the REPORT lines were logged. The lines may
// come from any number of deliveries, in any order: the caller passes
// every line it holds for the request ids concerned.
//
// An invocation is a request id and an attempt: an asynchronous retry
// keeps its request id, so the REPORT lines of one request id, in the
// order they were logged, are attempts 1, 2, …; REPORT lines are told
// apart by their log event id (a line delivered twice is one). An
// attribution line belongs to the first REPORT of its request id logged
// at or after it (to the millisecond, less lineSlack) that has no line
// of its phase yet, as a function writes both its lines before the
// platform writes the REPORT. Of an attempt's lines,
// the end line gives everything; the start line alone (the invocation
// timed out or was killed) gives the function, trigger and payload, and
// the record says so (Attribution "start").
//
// A REPORT line without an attribution is still priced, as a direct
// invocation (Attribution "none"); an attribution line without its
// REPORT line is left out (its REPORT may come in a later delivery). The
// function is the REPORT's (from its log group), else the attribution's.
// Invocations that cannot be priced are left out and named in the
// error; the others are returned all the same.
func (p *Pricer) Join(reports []lambdalog.Report, attributions []meter.Attribution) ([]Record, error) {
	type attempt struct {
		report     lambdalog.Report
		n          int
		start, end *meter.Attribution
	}
	byID := map[string][]*attempt{}
	seen := map[string]bool{}
	for _, r := range reports {
		if r.EventID != "" {
			if seen[r.EventID] {
				continue
			}
			seen[r.EventID] = true
		}
		byID[r.RequestID] = append(byID[r.RequestID], &attempt{report: r})
	}
	var all []*attempt
	for _, as := range byID {
		slices.SortStableFunc(as, func(a, b *attempt) int {
			if c := a.report.Time.Compare(b.report.Time); c != 0 {
				return c
			}
			return strings.Compare(a.report.EventID, b.report.EventID)
		})
		for n, a := range as {
			a.n = n + 1
			all = append(all, a)
		}
	}

	lines := slices.Clone(attributions)
	slices.SortStableFunc(lines, func(a, b meter.Attribution) int { return loggedAt(a).Compare(loggedAt(b)) })
	seen = map[string]bool{}
	for n := range lines {
		a := &lines[n]
		if a.EventID != "" {
			if seen[a.EventID] {
				continue
			}
			seen[a.EventID] = true
		}
		from := loggedAt(*a).Add(-lineSlack)
		i := slices.IndexFunc(byID[a.RequestID], func(x *attempt) bool {
			if x.report.Time.Truncate(time.Millisecond).Before(from) {
				return false
			}
			if a.Phase == meter.PhaseStart {
				return x.start == nil
			}
			return x.end == nil
		})
		if i < 0 {
			continue // its REPORT has not come yet
		}
		if x := byID[a.RequestID][i]; a.Phase == meter.PhaseStart {
			x.start = a
		} else {
			x.end = a
		}
	}

	slices.SortStableFunc(all, func(a, b *attempt) int { return a.report.Time.Compare(b.report.Time) })
	var records []Record
	var errs []error
	for _, x := range all {
		r := x.report
		rec := Record{
			RequestID: r.RequestID, Attempt: x.n, Function: r.Function, TriggerKind: meter.TriggerDirect,
			Attribution: AttributionNone, Started: r.Time.Add(-r.Duration), Ended: r.Time, Report: r,
		}
		inv := Invocation{
			MemoryMB: r.MemorySizeMB, Duration: r.Duration, InitDuration: r.InitDuration,
			BilledDuration: r.BilledDuration, Trigger: meter.TriggerDirect, LogBytes: r.LogBytes,
		}
		a := x.end
		rec.Attribution = AttributionEnd
		if a == nil {
			a, rec.Attribution = x.start, AttributionStart
		}
		if a == nil {
			rec.Attribution = AttributionNone
		} else {
			rec.Attributed = true
			if rec.Function == "" {
				rec.Function = a.Function
			}
			rec.Trigger, rec.TriggerKind, rec.Hotel = a.Trigger, a.TriggerKind, a.Hotel
			rec.Reservations, rec.Client = a.Reservations, a.Client
			inv.Trigger, inv.TriggerBytes, inv.Emails = a.TriggerKind, a.BytesIn, a.Emails
			inv.SQSMessages, inv.EventsPut = a.SQSMessages, a.EventsPut
			inv.Connected = time.Duration(a.ConnectedMs) * time.Millisecond
			inv.SQSSendRequests, inv.WSPushes, inv.WSPushMessages = a.SQSSendRequests, a.WSPushes, a.WSPushMessages
			inv.XRaySampled = a.XRaySampled
		}
		inv.LogBytes, inv.LogNote = loggedBytes(r, x.end)
		inv.Function = rec.Function
		arch, err := p.Arch(rec.Function)
		if err != nil {
			errs = append(errs, fmt.Errorf("pricing: join %s: %w", r.RequestID, err))
			continue
		}
		rec.Arch, inv.Arch = arch, arch
		key := r.EventID
		if key == "" {
			key = fmt.Sprintf("%s\x00%d", r.RequestID, x.n)
		}
		if rec.Breakdown, err = p.price(key, inv, r.Time); err != nil {
			errs = append(errs, fmt.Errorf("pricing: join %s: %w", r.RequestID, err))
			continue
		}
		records = append(records, rec)
	}
	return records, errors.Join(errs...)
}

// loggedBytes is what an invocation ingested into CloudWatch Logs, as
// CloudWatch bills it (uncompressed bytes), and how it was measured.
//
// With the end line, and a count on it: the bytes the function's logger
// wrote from its start line to its end line (meter.Attribution.LogBytes;
// lines written to stdout around the logger, or after the end line, are
// not in it), plus the end line's own (its log event's message), plus
// the platform's START, END and REPORT lines, sized from their formats
// (lambdalog.PlatformBytes: estimated to a few bytes). Without it (a
// timeout, an out-of-memory kill, a function that does not count): the
// bytes of the lines that named the request id in the REPORT's delivery
// (lambdalog.Scan), a lower bound. Either way CloudWatch's per-event
// metadata (26 bytes an event in PutLogEvents' size accounting) is not
// counted, as ingestion is billed on the events' data.
func loggedBytes(r lambdalog.Report, end *meter.Attribution) (int64, string) {
	if end == nil || end.LogBytes <= 0 {
		return r.LogBytes, "lines naming the request id in the REPORT's delivery (a lower bound)"
	}
	platform := lambdalog.PlatformBytes(r)
	return end.LogBytes + end.Size + platform, fmt.Sprintf(
		"function %d bytes (counted) + end line %d + START/END/REPORT %d (from their formats)",
		end.LogBytes, end.Size, platform)
}

// lineSlack is how much later than its REPORT line an attribution line
// may be stamped and still belong to it: a function's output reaches its
// log through a pipe, the platform's lines do not, so the end line can
// be stamped a moment after the REPORT (the devstack shows it). It is
// far below the pause before an asynchronous retry (a minute in Lambda,
// a second in the devstack).
const lineSlack = 250 * time.Millisecond

// loggedAt is when an attribution line was logged: its log event's
// timestamp, else its own time.
func loggedAt(a meter.Attribution) time.Time {
	if !a.Logged.IsZero() {
		return a.Logged
	}
	return a.Time
}
