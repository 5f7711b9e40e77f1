package load

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// soldOutType is the problem type of a booking that found no room free;
// holdCapacityType that of a hold on nights where unpaid holds already
// take their share of the units. Both are the hotel being full for it.
const (
	soldOutType      = "https://innkeeper.dev/problems/sold-out"
	holdCapacityType = "https://innkeeper.dev/problems/hold-capacity"
)

// Report is what a run measured and what its checks found.
type Report struct {
	// Name is "mixed" or "flash sale".
	Name string
	URL  string
	// Steps are the mixed run's steps, in order of rising rate.
	Steps []Stats
	// Searches and Bookings are the whole mixed run by kind of request.
	Searches, Bookings Stats
	// Total is every request of the run.
	Total Stats
	// Histogram counts every request's latency into buckets.
	Histogram []Bucket
	// Check is the mixed run's overbooking check.
	Check *InventoryCheck
	// Flash is the flash sale's outcome.
	Flash *Flash
}

// Bucket counts the latencies from From up to (not including) To; To is
// zero for the last, open bucket.
type Bucket struct {
	From, To time.Duration
	Count    uint64
}

// Stats summarise a set of requests.
type Stats struct {
	Name string
	// TargetRate is the rate asked for, requests per second; 0 if none.
	TargetRate int
	// MaxWorkers bounds the requests in flight.
	MaxWorkers int
	// Wall is the time from the first request sent to the last answer.
	Wall     time.Duration
	Requests int
	// Rate is the requests sent per second.
	Rate float64
	// Throughput is the requests answered as intended (2xx, a sold-out
	// 409 or a 422) per second of Wall.
	Throughput         float64
	P50, P95, P99, Max time.Duration

	// Outcomes by class. SoldOut and Unprocessable are expected answers;
	// RateLimited, ServerErrors, TransportErrors (no HTTP answer at all)
	// and Unexpected (any other status) are errors.
	OK, SoldOut, Unprocessable                             int
	RateLimited, ServerErrors, TransportErrors, Unexpected int
	// Codes counts every status; 0 is no answer.
	Codes map[int]int
	// Errors are up to five distinct error messages, for a first look.
	Errors []string
}

// ErrorCount is the number of requests that failed: anything but OK,
// SoldOut and Unprocessable.
func (s Stats) ErrorCount() int {
	return s.RateLimited + s.ServerErrors + s.TransportErrors + s.Unexpected
}

// class is how one answer counts.
type class int

const (
	classOK class = iota
	classSoldOut
	classUnprocessable
	classRateLimited
	classServer
	classTransport
	classUnexpected
)

// classify sorts a result into its class.
func classify(r *vegeta.Result) class {
	switch c := int(r.Code); {
	case c == 0:
		return classTransport
	case c >= 200 && c < 300:
		return classOK
	case c == http.StatusConflict && (problemType(r.Body) == soldOutType || problemType(r.Body) == holdCapacityType):
		return classSoldOut
	case c == http.StatusUnprocessableEntity:
		return classUnprocessable
	case c == http.StatusTooManyRequests:
		return classRateLimited
	case c >= 500:
		return classServer
	}
	return classUnexpected
}

func problemType(body []byte) string {
	var p struct {
		Type string `json:"type"`
	}
	_ = json.Unmarshal(body, &p)
	return p.Type
}

// tally accumulates results into Stats.
type tally struct {
	stats   Stats
	metrics vegeta.Metrics
}

func newTally(name string, rate, workers int) *tally {
	return &tally{stats: Stats{Name: name, TargetRate: rate, MaxWorkers: workers, Codes: map[int]int{}}}
}

func (t *tally) add(r *vegeta.Result, c class) {
	t.metrics.Add(r)
	s := &t.stats
	s.Codes[int(r.Code)]++
	switch c {
	case classOK:
		s.OK++
	case classSoldOut:
		s.SoldOut++
	case classUnprocessable:
		s.Unprocessable++
	case classRateLimited:
		s.RateLimited++
	case classServer:
		s.ServerErrors++
	case classTransport:
		s.TransportErrors++
	case classUnexpected:
		s.Unexpected++
	}
	if c >= classRateLimited && len(s.Errors) < 5 {
		msg := r.Error
		if r.Code != 0 {
			msg = fmt.Sprintf("%s %s: %d %s", r.Method, pathOf(r.URL), r.Code, firstLine(r.Body))
		}
		if !slices.Contains(s.Errors, msg) {
			s.Errors = append(s.Errors, msg)
		}
	}
}

func (t *tally) finish() Stats {
	t.metrics.Close()
	m, s := &t.metrics, t.stats
	s.Requests = int(m.Requests)
	if s.Requests == 0 {
		return s
	}
	s.Wall = m.Duration + m.Wait
	s.Rate = m.Rate
	if secs := s.Wall.Seconds(); secs > 0 {
		s.Throughput = float64(s.OK+s.SoldOut+s.Unprocessable) / secs
	}
	s.P50, s.P95, s.P99, s.Max = m.Latencies.P50, m.Latencies.P95, m.Latencies.P99, m.Latencies.Max
	return s
}

func pathOf(url string) string {
	if i := strings.Index(url, "://"); i >= 0 {
		if j := strings.IndexByte(url[i+3:], '/'); j >= 0 {
			url = url[i+3+j:]
		}
	}
	if i := strings.IndexByte(url, '?'); i >= 0 {
		url = url[:i]
	}
	return url
}

func firstLine(b []byte) string {
	s := strings.TrimSpace(string(b))
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return s
}

// histogramBuckets are the latency buckets of Report.Histogram.
var histogramBuckets = vegeta.Buckets{0, time.Millisecond, 2 * time.Millisecond, 5 * time.Millisecond,
	10 * time.Millisecond, 20 * time.Millisecond, 50 * time.Millisecond, 100 * time.Millisecond,
	200 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second}

func buckets(h *vegeta.Histogram) []Bucket {
	out := make([]Bucket, len(h.Buckets))
	for i, from := range h.Buckets {
		out[i] = Bucket{From: from, Count: h.Counts[i]}
		if i+1 < len(h.Buckets) {
			out[i].To = h.Buckets[i+1]
		}
	}
	return out
}

// Failures lists what went wrong: errors of any class, a failed check, a
// flash sale that sold other than its units. Empty means the run passed.
func (r Report) Failures() []string {
	var out []string
	t := r.Total
	if t.ServerErrors > 0 {
		out = append(out, fmt.Sprintf("%d answers were 5xx", t.ServerErrors))
	}
	if t.TransportErrors > 0 {
		out = append(out, fmt.Sprintf("%d requests got no answer (transport errors)", t.TransportErrors))
	}
	if t.RateLimited > 0 {
		out = append(out, fmt.Sprintf("%d answers were 429 (run the stack with RATE_LIMITS=off)", t.RateLimited))
	}
	if t.Unexpected > 0 {
		out = append(out, fmt.Sprintf("%d answers had an unexpected status", t.Unexpected))
	}
	if r.Check != nil {
		out = append(out, r.Check.Failures()...)
	}
	if r.Flash != nil {
		out = append(out, r.Flash.Failures()...)
	}
	return out
}

// Print writes the report as a table, then the checks and the verdict.
func Print(w io.Writer, r Report) error {
	pw := &printer{w: w}
	pw.printf("%s against %s\n", r.Name, r.URL)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\ttarget\tworkers≤\twall\trequests\tsent/s\tgood/s\tp50\tp95\tp99\tmax\t2xx\t409 sold-out\t422\t429\t5xx\ttransport\tother\t")
	row := func(s Stats) {
		target := ""
		if s.TargetRate > 0 {
			target = fmt.Sprintf("%d/s", s.TargetRate)
		}
		workers := ""
		if s.MaxWorkers > 0 {
			workers = strconv.Itoa(s.MaxWorkers)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%.1f\t%.1f\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t\n",
			s.Name, target, workers, s.Wall.Round(10*time.Millisecond), s.Requests, s.Rate, s.Throughput,
			ms(s.P50), ms(s.P95), ms(s.P99), ms(s.Max),
			s.OK, s.SoldOut, s.Unprocessable, s.RateLimited, s.ServerErrors, s.TransportErrors, s.Unexpected)
	}
	for _, s := range r.Steps {
		row(s)
	}
	if r.Searches.Requests > 0 || r.Bookings.Requests > 0 {
		row(r.Searches)
		row(r.Bookings)
	}
	row(r.Total)
	pw.err = tw.Flush()

	if len(r.Histogram) > 0 {
		pw.printf("latency of all requests:")
		for _, b := range r.Histogram {
			if b.Count == 0 {
				continue
			}
			if b.To == 0 {
				pw.printf("  ≥%v: %d", b.From, b.Count)
			} else {
				pw.printf("  <%v: %d", b.To, b.Count)
			}
		}
		pw.printf("\n")
	}
	codes := maps.Keys(r.Total.Codes)
	pw.printf("statuses:")
	for _, c := range slices.Sorted(codes) {
		name := strconv.Itoa(c)
		if c == 0 {
			name = "no answer"
		}
		pw.printf(" %s×%d", name, r.Total.Codes[c])
	}
	pw.printf("\n")
	for _, e := range r.Total.Errors {
		pw.printf("  error: %s\n", e)
	}
	if c := r.Check; c != nil {
		pw.printf("overbooking check: %d room-type nights; sold %d, held or confirmed rooms on them %d; %d differ, %d sold beyond units; "+
			"%d of this run's %d bookings found held or confirmed (%d room-nights)\n",
			c.Nights, c.Sold, c.Booked, c.Mismatches, c.Oversold, c.RunFound, c.RunBooked, c.RunRoomNights)
		for _, d := range c.Details {
			pw.printf("  %s\n", d)
		}
	}
	if f := r.Flash; f != nil {
		pw.printf("flash sale: %d clients for %d units of %s/%s on %s: %d×201, %d×409 sold-out, %d other",
			f.Clients, f.Units, f.Hotel, f.RoomType, f.Night, f.Created, f.SoldOut, f.Other)
		pw.printf("; PostgreSQL: units %d, sold %d, booked %d\n", f.UnitsInDB, f.SoldInDB, f.BookedInDB)
	}
	if fails := r.Failures(); len(fails) > 0 {
		pw.printf("FAIL: %s\n", strings.Join(fails, "; "))
	} else {
		pw.printf("PASS\n")
	}
	return pw.err
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64) + "ms"
}

// printer keeps the first write error.
type printer struct {
	w   io.Writer
	err error
}

func (p *printer) printf(format string, a ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, a...)
	}
}
