package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"time"

	"github.com/jackc/pgx/v5"

	"innkeeper/shared/store"
)

// Ephemeral is what `devstack ephemeral` prints, as one JSON line on
// stdout, once its stack serves: where each part listens.
type Ephemeral struct {
	URL         string `json:"url"`
	WSURL       string `json:"ws_url"`
	PaymentsURL string `json:"payments_url"`
	ControlURL  string `json:"control_url"`
	AdminKey    string `json:"admin_key"`
}

var schemaName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// ephemeralCommand runs a throwaway stack for a test in another
// package (the browser tests): every listener on a free port, the
// database confined to a schema of its own (created, and dropped at the
// end), demo data. It prints an Ephemeral line when ready and stops when
// its stdin closes (the test binary that started it ended) or on a
// signal.
func ephemeralCommand(ctx context.Context, root string, args []string) error {
	fs := flag.NewFlagSet("ephemeral", flag.ContinueOnError)
	schema := fs.String("schema", "", "the PostgreSQL schema to create and use (dropped at the end)")
	buildDir := fs.String("build-dir", "", "where the functions' binaries are built")
	smtp := fs.String("smtp", "", "the SMTP server mail goes to (host:port)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !schemaName.MatchString(*schema) {
		return fmt.Errorf("ephemeral: -schema must be a lower-case identifier, got %q", *schema)
	}
	if *smtp == "" {
		return errors.New("ephemeral: -smtp host:port is required (a Mailpit of the test's own)")
	}
	url := os.Getenv("DATABASE_URL")
	drop, err := createSchema(ctx, url, *schema)
	if err != nil {
		return err
	}
	defer drop()
	startCtx, cancel := context.WithTimeout(ctx, 15*time.Minute)
	defer cancel()
	s, err := Start(startCtx, Options{
		Root: root, BuildDir: *buildDir, HTTPAddr: "127.0.0.1:0", SQSAddr: "127.0.0.1:0", ControlAddr: "127.0.0.1:0",
		WSAddr: "127.0.0.1:0", PaymentsAddr: "127.0.0.1:0", SMTPAddr: *smtp, SearchPath: *schema, DemoDays: 120, Log: os.Stderr,
	})
	if err != nil {
		return err
	}
	defer s.Close()
	line, _ := json.Marshal(Ephemeral{URL: s.URL, WSURL: s.WSURL, PaymentsURL: s.PaymentsURL, ControlURL: s.ControlURL, AdminKey: s.AdminKey})
	fmt.Println(string(line))
	stdin := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		close(stdin)
	}()
	select {
	case <-ctx.Done():
	case <-stdin:
	}
	return nil
}

// createSchema makes schema in the database at url (creating the
// database if missing) and returns what drops it.
func createSchema(ctx context.Context, url, schema string) (func(), error) {
	if _, err := store.EnsureDatabase(ctx, url); err != nil {
		return nil, fmt.Errorf("ephemeral: database: %w", err)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("ephemeral: connect: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+schema); err != nil {
		return nil, fmt.Errorf("ephemeral: create schema %s: %w", schema, err)
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			fmt.Fprintf(os.Stderr, "ephemeral: drop schema %s: %v\n", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			fmt.Fprintf(os.Stderr, "ephemeral: drop schema %s: %v\n", schema, err)
		}
	}, nil
}
