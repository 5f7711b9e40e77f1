// Package smoke is the post-deployment smoke test: a short run of real
// requests against a deployed (or local) Innkeeper that says, one line per
// check, whether the stage serves guests. It probes health, lists the
// hotels, books a stay 45 days ahead under a throw-away guest address,
// reads the booking back and cancels it, and, when it is given the means,
// waits for its confirmation and cancellation emails (in a Mailpit) and
// for the worker's record of the confirmation (staff key), compares the
// Prometheus counters before and after, and pings the WebSocket API with
// the booking's token.
//
// A check that cannot run for lack of a setting, or because one it needs
// failed, is skipped with the reason; every request and every wait has a
// deadline, so a stage that does not answer fails the run instead of
// hanging it. The booking it makes is refundable when the hotel offers
// such a rate (one that only saves the card, a guarantee, first), is paid
// with Stripe's test card pm_card_visa (the devstack's emulator and any
// Stripe test-mode account take it), and is cancelled even when reading
// it back failed. Against production (Stripe live mode) it must not
// book: Config.NoBooking skips the booking and what depends on it.
package smoke

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"innkeeper/local/apiclient"
)

// Config says where the stage is and what the run may use.
type Config struct {
	// URL is the HTTP API's base, e.g. http://127.0.0.1:3000 or an API
	// Gateway invoke URL.
	URL string
	// WSURL is the WebSocket API (ws:// or wss://); the websocket check
	// is skipped without it.
	WSURL string
	// MailpitURL is a Mailpit's REST API base, where the stage's mail
	// lands (locally); the email checks are skipped without it.
	MailpitURL string
	// StaffKey is an API key with the staff role: the websocket-staff
	// check buys a WebSocket ticket with it, and notice-confirmation
	// reads the booking's desk record, where the worker's record of the
	// confirmation email shows (skipped without it).
	StaffKey string
	// GuestEmail is the address the booking is made for, with a label
	// of the run added (success@simulator.amazonses.com becomes
	// success+smoke-<hex>@simulator.amazonses.com); smoke+<hex>@example.com
	// when empty. A stage that mails through SES takes the mailbox
	// simulator's success address: SES accepts the mail and delivers it
	// nowhere, and a sandboxed account may send to it.
	GuestEmail string
	// MetricsToken is the bearer token of GET /metrics; the metrics
	// checks are skipped without it.
	MetricsToken string
	// Client sends every HTTP request; nil means a client with a 10 s
	// timeout.
	Client *http.Client
	// Timeout bounds each HTTP request and the WebSocket handshake,
	// whatever the client's own timeout; 10 s when 0.
	Timeout time.Duration
	// NoBooking skips booking (create-reservation and the checks after
	// it that need the booking): set it for a stage that takes real
	// money, production on Stripe's live mode, where the test card the
	// smoke test pays with is refused and no real card may be charged by
	// a test. Every other stage (the devstack's emulator, a stage on a
	// Stripe test-mode account) is booked, paid with TestCard and
	// cancelled.
	NoBooking bool
	// NoticeWait bounds how long notice-confirmation waits for the
	// worker's record of the email; 20 s (as for the mail) when 0.
	NoticeWait time.Duration
}

// How long the checks that wait for something asynchronous keep trying.
const (
	mailWait    = 20 * time.Second
	metricsWait = 5 * time.Second
	pongWait    = 5 * time.Second
	pollEvery   = 250 * time.Millisecond
)

// verdict is how a check ended.
type verdict int

const (
	passed verdict = iota
	failed
	skipped
)

// outcome is a check's verdict and what to print beside it.
type outcome struct {
	verdict verdict
	msg     string
}

func pass(format string, a ...any) outcome { return outcome{passed, fmt.Sprintf(format, a...)} }
func fail(format string, a ...any) outcome { return outcome{failed, fmt.Sprintf(format, a...)} }
func skip(format string, a ...any) outcome { return outcome{skipped, fmt.Sprintf(format, a...)} }

// run is one smoke run: the configuration, what earlier checks learnt
// for later ones, and the tally.
type run struct {
	cfg    Config
	base   string
	client *http.Client
	out    io.Writer

	// apiRequests counts the API's answers this run received, to know how
	// much hotel_http_requests_total must have grown.
	apiRequests int
	// gen is the generated API client (generated).
	gen *apiclient.ClientWithResponses

	hotel     string
	offer     *offer
	email     string // the guest address of this run's booking
	ref       string // the booking, once create-reservation passed
	token     string
	cancelled bool
	before    *counters // the first scrape, once metrics-before passed
	sinceThen int       // apiRequests at the first scrape

	passed, failed, skipped int
}

// Run runs every check against cfg.URL in order, prints one line per
// check and a summary to out, and reports whether no check failed.
func Run(ctx context.Context, cfg Config, out io.Writer) (ok bool) {
	r := &run{cfg: cfg, out: out, client: cfg.Client}
	if r.client == nil {
		r.client = &http.Client{Timeout: 10 * time.Second}
	}
	if r.cfg.Timeout <= 0 {
		r.cfg.Timeout = 10 * time.Second
	}
	r.base = strings.TrimRight(cfg.URL, "/")
	if u, err := url.Parse(r.base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		r.report("config", time.Now(), fail("URL %q is not an http(s) URL", cfg.URL))
	} else {
		r.checks(ctx)
	}
	fmt.Fprintf(out, "smoke: %d passed, %d failed, %d skipped against %s\n", r.passed, r.failed, r.skipped, cfg.URL)
	return r.failed == 0
}

// checks runs the checks in order; each decides from what the earlier
// ones left whether it can run.
func (r *run) checks(ctx context.Context) {
	r.check(ctx, "livez", r.livez)
	r.check(ctx, "readyz", r.readyz)
	r.check(ctx, "health", r.health)
	r.check(ctx, "hotels", r.hotels)
	r.check(ctx, "metrics-before", r.metricsBefore)
	r.check(ctx, "availability", r.availability)
	r.check(ctx, "create-reservation", r.createReservation)
	r.check(ctx, "read-reservation", r.readReservation)
	r.check(ctx, "email-confirmation", r.emailConfirmation)
	r.check(ctx, "notice-confirmation", r.noticeConfirmation)
	r.check(ctx, "cancel-reservation", r.cancelReservation)
	r.check(ctx, "email-cancellation", r.emailCancellation)
	r.check(ctx, "metrics-after", r.metricsAfter)
	r.check(ctx, "websocket", r.wsPing)
	r.check(ctx, "websocket-staff", r.wsStaff)
}

// check runs one check and prints its line.
func (r *run) check(ctx context.Context, name string, fn func(context.Context) outcome) {
	start := time.Now()
	var o outcome
	if err := ctx.Err(); err != nil {
		o = fail("not run: %v", err)
	} else {
		o = fn(ctx)
	}
	r.report(name, start, o)
}

func (r *run) report(name string, start time.Time, o outcome) {
	switch o.verdict {
	case passed:
		r.passed++
		fmt.Fprintf(r.out, "PASS %s %s (%d ms)\n", name, o.msg, time.Since(start).Milliseconds())
	case failed:
		r.failed++
		fmt.Fprintf(r.out, "FAIL %s: %s\n", name, o.msg)
	default:
		r.skipped++
		fmt.Fprintf(r.out, "SKIP %s: %s\n", name, o.msg)
	}
}
