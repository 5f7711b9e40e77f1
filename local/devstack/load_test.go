package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"innkeeper/local/load"
	"innkeeper/local/testenv"
)

// rateLimitsOff turns the API's rate limiter off: the load tests measure
// the stack, not its limits.
func rateLimitsOff(o *Options) {
	getenv := o.Getenv
	o.Getenv = func(k string) string {
		if k == "RATE_LIMITS" {
			return "off"
		}
		return getenv(k)
	}
}

// The fast variant of make load: a short mixed run with rising rates and
// a flash sale, through the whole devstack, then the inventory checked in
// PostgreSQL.
func TestLoadThroughTheDevstack(t *testing.T) {
	began := time.Now()
	s, log := startStack(t, rateLimitsOff)
	t.Logf("devstack started in %v", time.Since(began).Round(time.Millisecond))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cfg := load.Config{
		URL: s.URL, DatabaseURL: withSearchPath(testenv.DatabaseURL(), s.opts.SearchPath), AdminKey: s.AdminKey,
		Duration: 6 * time.Second, Rates: []int{10, 20, 40}, MaxWorkers: 16,
		// Three nights 60 days ahead, inside the stack's 120 days of
		// inventory; short enough that the small room types sell out.
		WindowStart: 60, WindowDays: 3,
		FlashClients: 500, FlashUnits: 10,
	}
	show := func(r load.Report) string {
		var b strings.Builder
		_ = load.Print(&b, r)
		return b.String()
	}

	mixed, err := load.Mixed(ctx, cfg)
	if err != nil {
		t.Fatalf("mixed: %v\n%s\n%s", err, show(mixed), log.String())
	}
	t.Logf("\n%s%s", show(mixed), pool(s))
	if f := mixed.Failures(); len(f) > 0 {
		t.Errorf("mixed: %s", strings.Join(f, "; "))
	}
	if len(mixed.Steps) != 3 || mixed.Searches.OK == 0 || mixed.Bookings.OK == 0 {
		t.Errorf("mixed: %d steps, %d searches answered, %d bookings made", len(mixed.Steps), mixed.Searches.OK, mixed.Bookings.OK)
	}
	if c := mixed.Check; c == nil || c.RunBooked != mixed.Bookings.OK || c.RunRoomNights == 0 || c.Sold != c.Booked {
		t.Errorf("overbooking check: %+v", c)
	}

	flash, err := load.FlashSale(ctx, cfg)
	if err != nil {
		t.Fatalf("flash sale: %v\n%s", err, show(flash))
	}
	t.Logf("\n%s%s", show(flash), pool(s))
	if f := flash.Failures(); len(f) > 0 {
		t.Errorf("flash sale: %s", strings.Join(f, "; "))
	}
	if f := flash.Flash; f.Created != cfg.FlashUnits || f.SoldOut != cfg.FlashClients-cfg.FlashUnits || f.SoldInDB != cfg.FlashUnits {
		t.Errorf("flash sale: %+v", f)
	}
	if t.Failed() {
		t.Logf("the devstack's warnings and errors:\n%s", problems(log.String(), 40))
	}
}

// pool describes the api function's environments, for reading latencies.
func pool(s *Stack) string {
	p, ok := s.Runtime().Pool("api")
	if !ok {
		return ""
	}
	st := p.Stats()
	return fmt.Sprintf("api environments: %d started so far, %d live, %d idle\n", st.Started, st.Live, st.Idle)
}

// problems are the first n lines of a devstack log at level WARN or
// ERROR, or that report a failed invocation.
func problems(log string, n int) string {
	var out []string
	for _, line := range strings.Split(log, "\n") {
		if len(out) < n && (strings.Contains(line, `"level":"WARN"`) || strings.Contains(line, `"level":"ERROR"`) ||
			strings.Contains(line, "Task timed out") || strings.Contains(line, "Runtime.")) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}
