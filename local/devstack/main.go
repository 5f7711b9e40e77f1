// Command devstack runs Innkeeper on one machine against the local
// PostgreSQL and Redis: it creates the database if missing, migrates it,
// loads the demo data and serves the API handler on HTTP_ADDR.
package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"innkeeper/shared/auth"
	"innkeeper/shared/bootstrap"
	"innkeeper/shared/config"
	"innkeeper/shared/demo"
	"innkeeper/shared/logging"
	"innkeeper/shared/store"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "devstack:", err)
		os.Exit(1)
	}
}

func run() error {
	if err := config.LoadDotEnv(".env"); err != nil {
		return err
	}
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	if cfg.Env != "local" {
		return fmt.Errorf("APP_ENV is %q: the devstack runs only with APP_ENV=local", cfg.Env)
	}
	log := logging.New(os.Stdout, cfg.LogLevel)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	setup, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if created, err := store.EnsureDatabase(setup, cfg.DatabaseURL); err != nil {
		return fmt.Errorf("database: %w (is PostgreSQL running? try: make services)", err)
	} else if created {
		log.Info("created database")
	}
	api, err := bootstrap.NewAPI(setup, cfg, log, bootstrap.APIOptions{})
	if err != nil {
		return err
	}
	defer api.Close()
	if _, err := api.Store.Migrate(setup); err != nil {
		return err
	}
	adminKey := cfg.DevAdminKey
	if adminKey == "" {
		adminKey, _ = auth.NewToken("ink_admin_")
	}
	sum, err := demo.Seed(setup, api.Service, api.Store, demo.Options{AdminKey: adminKey})
	if err != nil {
		return err
	}

	srv := &http.Server{Addr: cfg.HTTPAddr, Handler: api, ReadHeaderTimeout: 5 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	base := "http://" + cfg.HTTPAddr
	fmt.Printf(`
Innkeeper devstack is up.
  API        %s
  Hotels     %s/v1/hotels  (%v)
  Health     %s/health
  Staff key  %s   (role admin; set DEV_ADMIN_KEY to fix it)
  Try        curl -s %s/v1/hotels/lisbon-riverside
Ctrl-C stops it.
`, base, base, sum.Hotels, base, sum.AdminKey, base)

	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("serve %s: %w", cfg.HTTPAddr, err)
		}
	case <-ctx.Done():
		log.Info("shutting down")
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}
	return nil
}
