// Command devstack runs the whole of Innkeeper on one machine with no
// Docker and no AWS account: every function of the manifest is built as
// the same bootstrap binary that is deployed (for this machine's
// architecture) and run as Lambda runs it, behind an emulation of API
// Gateway's HTTP API, against the local PostgreSQL and Redis.
//
//	devstack [-empty]            serve (make dev; -empty: no demo data, no key, as a new stage)
//	devstack admin-key -name N [-force]
//	                             a first admin key through the migrate function (make admin-key STAGE=local)
//	devstack invoke FN EVENT     run one event through a function (make invoke)
//	devstack mail                list the mail Mailpit received (make mail)
//	devstack redrive             move dead letters back to the queue (make redrive)
//	devstack smoke [-url URL] [-ws-url URL] [-mailpit URL] [-staff-key K] [-metrics-token T] [-guest-email A] [-no-booking]
//	                             the smoke test, against the running devstack by default (make smoke);
//	                             -no-booking against production (Stripe live mode)
//	devstack ephemeral -schema S -smtp ADDR [-build-dir D]
//	                             a throwaway stack on free ports and its own schema for tests
//	                             in other packages: one JSON line of URLs when ready; stops when stdin closes
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"time"

	demofile "innkeeper/local/demo"
	"innkeeper/local/smoke"
	"innkeeper/shared/topology"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "devstack:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	root, err := findRoot(".")
	if err != nil {
		return err
	}
	if err := loadDotEnv(".env"); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch {
	case len(args) == 0:
		return serve(ctx, root, false)
	case len(args) == 1 && args[0] == "-empty":
		return serve(ctx, root, true)
	case args[0] == "admin-key":
		return adminKeyCommand(ctx, root, args[1:])
	case args[0] == "invoke" && len(args) == 3:
		return invokeCommand(ctx, root, args[1], args[2])
	case args[0] == "mail":
		return mailCommand()
	case args[0] == "redrive":
		addr, key := os.Getenv("HTTP_ADDR"), os.Getenv("DEV_ADMIN_KEY")
		if addr == "" {
			addr = "127.0.0.1:3000"
		}
		return redriveCommand("http://"+addr, key)
	case args[0] == "smoke":
		return smokeCommand(ctx, args[1:])
	case args[0] == "ephemeral":
		return ephemeralCommand(ctx, root, args[1:])
	default:
		return fmt.Errorf("usage: devstack [-empty] | devstack admin-key -name NAME [-force] | devstack invoke FUNCTION EVENT.json | devstack mail | devstack redrive | devstack smoke [-url URL] …")
	}
}

func serve(ctx context.Context, root string, empty bool) error {
	start := time.Now()
	s, err := Start(ctx, Options{Root: root, Watch: true, Empty: empty})
	if err != nil {
		return err
	}
	defer s.Close()
	var fns []string
	for _, f := range topology.Innkeeper.Functions {
		fns = append(fns, fmt.Sprintf("%s (%d MB, %v)", f.Name, f.MemoryMB, f.Timeout))
	}
	sort.Strings(fns)
	staffKey := s.AdminKey + "   (role admin; DEV_ADMIN_KEY in .env)"
	if empty {
		staffKey = "none, no demo data: make admin-key STAGE=local NAME=you, then ADMIN_KEY=… make seed STAGE=local FILE=" + demofile.Path
	}
	mailURL := s.MailURL
	if mailURL == "" {
		mailURL = "(not running: make tools installs Mailpit)"
	}
	fmt.Printf(`
Innkeeper devstack is up in %v: functions run as Lambda binaries, no Docker.
  Console     %s/   (%s)
  HTTP API    %s   (API Gateway HTTP API, payload 2.0)
  WebSocket   %s   (API Gateway WebSocket API, stage live)
  Try         curl -s %s/v1/hotels
  Health      %s/health
  Mail        %s   (Mailpit REST API: /api/v1/messages; make mail lists them)
  SQS         %s   (events, events-dlq; make redrive moves dead letters back)
  Control     %s/_devstack/status   (POST …/schedules/{name}/fire, POST …/clock/advance?by=16m)
  Payments    %s
  Functions   %s
  Staff key   %s
  Invoke      make invoke FN=api EVENT=events/api/list-hotels.json
  Watching    functions/ and shared/: a change rebuilds and swaps the warm processes
Ctrl-C stops it.

`, time.Since(start).Round(time.Millisecond), s.URL, consoleNote(s), s.URL, s.WSURL, s.URL, s.URL, mailURL, s.SQSURL, s.ControlURL, paymentsLines(s), strings.Join(fns, ", "), staffKey)
	<-ctx.Done()
	fmt.Println("devstack| stopping")
	return nil
}

// consoleNote says who the console is for, or how to build it.
func consoleNote(s *Stack) string {
	if !consoleBuilt(s.ConsoleDir()) {
		return "not built: make web, then reload"
	}
	return "guests book at #/book/lisbon-riverside; staff and finance sign in with a key"
}

// paymentsLines tell how to pay locally: the demo's policies, the
// emulator's test cards, its 3-D Secure step and where its webhooks go.
func paymentsLines(s *Stack) string {
	return fmt.Sprintf(`%s   (Stripe test mode emulator; its webhooks go to %s)
              Pay with  "payment": {"payment_method": "pm_card_visa"} in POST /v1/reservations (a hold: in POST …/confirm)
              Plans     STD-FLEX guarantee (card saved), DLX-FLEX 30%% deposit, STD-NR prepay (lisbon-riverside)
              Cards     pm_card_visa pays, pm_card_chargeDeclined is a 402, pm_card_authenticationRequired
                        is held with payment.pending {id} until 3-D Secure, then the webhook confirms it:
                        POST %s/_emulator/payment_intents/{id}/authenticate?result=succeed|fail`,
		s.PaymentsURL, s.URL+webhookPath, s.PaymentsURL)
}

// smokeCommand runs the smoke test (local/smoke) and fails when a check
// fails. Without -url it tests the running devstack, with its addresses
// and the keys of .env; with -url only what the flags give is used, so no
// local key is ever sent to a deployed stage.
func smokeCommand(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("devstack smoke", flag.ContinueOnError)
	var cfg smoke.Config
	fs.StringVar(&cfg.URL, "url", "", "the HTTP API's base URL (default: the running devstack at HTTP_ADDR)")
	fs.StringVar(&cfg.WSURL, "ws-url", "", "the WebSocket API, ws:// or wss:// (devstack default: ws://"+defaultWSAddr+")")
	fs.StringVar(&cfg.MailpitURL, "mailpit", "", "the REST API of the Mailpit the stage mails to (devstack default: http://"+defaultMailpitAddr+")")
	fs.StringVar(&cfg.StaffKey, "staff-key", "", "an API key with the staff role (devstack default: DEV_ADMIN_KEY)")
	fs.StringVar(&cfg.GuestEmail, "guest-email", "", "the booking's guest address, labelled per run (a stage on SES: success@simulator.amazonses.com)")
	fs.StringVar(&cfg.MetricsToken, "metrics-token", "", "the bearer token of GET /metrics (devstack default: METRICS_TOKEN)")
	fs.BoolVar(&cfg.NoBooking, "no-booking", false, "book nothing: for production, whose Stripe is live (elsewhere the booking pays with the test card "+smoke.TestCard+")")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("smoke: unexpected arguments %q", fs.Args())
	}
	if cfg.URL == "" {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		def := func(name string, v *string, value string) {
			if !set[name] {
				*v = value
			}
		}
		addr := os.Getenv("HTTP_ADDR")
		if addr == "" {
			addr = "127.0.0.1:3000"
		}
		cfg.URL = "http://" + addr
		def("ws-url", &cfg.WSURL, "ws://"+defaultWSAddr)
		def("mailpit", &cfg.MailpitURL, "http://"+defaultMailpitAddr)
		def("staff-key", &cfg.StaffKey, os.Getenv("DEV_ADMIN_KEY"))
		def("metrics-token", &cfg.MetricsToken, os.Getenv("METRICS_TOKEN"))
	}
	if !smoke.Run(ctx, cfg, os.Stdout) {
		return errors.New("smoke: a check failed")
	}
	return nil
}
