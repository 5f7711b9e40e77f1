// Command load runs the load tests of local/load against a running
// devstack (make dev) and prints their tables; it exits non-zero when a
// request failed or a check did not hold.
//
//	go run ./local/load/cmd/load [-url http://127.0.0.1:3000] [-duration 30s] [-flash]
//
// It reads .env as the devstack does (DATABASE_URL for the checks,
// DEV_ADMIN_KEY for the flash sale's set-up, HTTP_ADDR for the default
// URL). It books real reservations in that database. Run the devstack
// with RATE_LIMITS=off, or its rate limiter answers part of the load
// with 429.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/joho/godotenv"

	"innkeeper/local/load"
)

// localDatabaseURL is the local default of DATABASE_URL (.env.example).
const localDatabaseURL = "postgres://postgres@127.0.0.1:5432/innkeeper?sslmode=disable"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	if _, err := os.Stat(".env"); err == nil {
		if err := godotenv.Load(".env"); err != nil {
			return fmt.Errorf("read .env: %w", err)
		}
	}
	addr := os.Getenv("HTTP_ADDR")
	if addr == "" {
		addr = "127.0.0.1:3000"
	}
	cfg := load.Config{DatabaseURL: os.Getenv("DATABASE_URL"), AdminKey: os.Getenv("DEV_ADMIN_KEY")}
	if cfg.DatabaseURL == "" {
		cfg.DatabaseURL = localDatabaseURL
	}
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.StringVar(&cfg.URL, "url", "http://"+addr, "the HTTP API's base URL")
	fs.DurationVar(&cfg.Duration, "duration", 30*time.Second, "length of the mixed run, split evenly over the rates; 0 skips it")
	flash := fs.Bool("flash", false, "run the flash sale after the mixed run")
	rates := fs.String("rates", "50,100,200", "requests per second of each step of the mixed run, rising")
	fs.IntVar(&cfg.MaxWorkers, "workers", 64, "most requests in flight in the mixed run")
	fs.DurationVar(&cfg.Timeout, "timeout", 10*time.Second, "timeout of each request")
	fs.IntVar(&cfg.WindowStart, "window-start", 0, "days ahead of the first night booked (0: random, 60 to 300)")
	fs.IntVar(&cfg.WindowDays, "window-days", 10, "nights the mixed run searches and books")
	fs.IntVar(&cfg.FlashClients, "clients", 500, "flash sale: concurrent bookings")
	fs.IntVar(&cfg.FlashUnits, "units", 10, "flash sale: rooms for sale")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	for _, r := range strings.Split(*rates, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(r))
		if err != nil {
			return fmt.Errorf("-rates: %q is not a number", r)
		}
		cfg.Rates = append(cfg.Rates, n)
	}
	if err := answers(ctx, cfg.URL); err != nil {
		return fmt.Errorf("nothing answers at %s (%v): start make dev first", cfg.URL, err)
	}

	var failed bool
	report := func(r load.Report, err error) error {
		if perr := load.Print(os.Stdout, r); perr != nil {
			return perr
		}
		fmt.Println()
		if err != nil {
			return err
		}
		failed = failed || len(r.Failures()) > 0
		return nil
	}
	if cfg.Duration > 0 {
		if err := report(load.Mixed(ctx, cfg)); err != nil {
			return err
		}
	}
	if *flash {
		if err := report(load.FlashSale(ctx, cfg)); err != nil {
			return err
		}
	}
	if failed {
		return errors.New("a run failed; see above")
	}
	return nil
}

// answers checks the API is up before any load is sent.
func answers(ctx context.Context, base string) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(base, "/")+"/livez", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /livez answered %d", resp.StatusCode)
	}
	return nil
}
