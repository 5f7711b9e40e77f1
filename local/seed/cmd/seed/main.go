// Command seed loads a catalogue file into a stage through its admin
// API (package innkeeper/local/seed; make seed).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"innkeeper/local/seed"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := seed.Run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "seed:", err)
		os.Exit(1)
	}
}
