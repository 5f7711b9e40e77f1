// Command release points a deployed stage's functions at a release:
// every function's "live" alias moves to the published version whose
// description is that release, all or nothing. It is the rollback of
// docs/runbook.md and `make rollback STAGE=… VERSION=…`:
//
//	go run ./local/release versions -stage prod
//	go run ./local/release rollback -stage prod -version v1.4.1+3f2c9e1
//
// Every deployment publishes a version of every function with the
// release as its description, and the stack retains old versions, so any
// earlier release stays deployable. Credentials and region come from the
// usual AWS sources (environment, profile, SSO, the CI's OIDC role).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"innkeeper/shared/topology"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "release:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: release versions|rollback -stage <stage> [-version <release>]")
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	stage := fs.String("stage", "", "the stage: staging or prod")
	version := fs.String("version", "", "the release to point the aliases at (rollback)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *stage == "" {
		return fmt.Errorf("-stage is required")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return fmt.Errorf("AWS configuration: %w", err)
	}
	r := Releaser{Lambda: lambda.NewFromConfig(cfg), Stage: *stage, Functions: names(topology.Innkeeper), Out: out}
	switch args[0] {
	case "versions":
		return r.Versions(ctx)
	case "rollback":
		if *version == "" {
			return fmt.Errorf("-version is required: the release to go back to (see: release versions -stage %s)", *stage)
		}
		return r.Rollback(ctx, *version)
	}
	return fmt.Errorf("unknown command %q", args[0])
}

func names(m topology.Manifest) []string {
	var out []string
	for _, f := range m.Functions {
		out = append(out, f.Name)
	}
	return out
}
