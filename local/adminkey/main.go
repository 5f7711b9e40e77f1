// Command adminkey makes the first admin API key of a deployed stage:
// it invokes the stage's migrate function (its live alias) with the
// admin-key event, using the caller's AWS credentials, and prints the
// key's secret once. It is make admin-key STAGE=staging NAME=…; with
// STAGE=local the devstack does the same (devstack admin-key).
//
//	go run ./local/adminkey -stage staging -name "ops on call" [-force]
//
// The secret is the only thing written to stdout (KEY=$(make -s
// admin-key …) keeps it); what it is goes to stderr. The function logs
// the key's public id, never its secret (shared/provision). A stage
// with a live admin key refuses unless -force: an admin makes more keys
// through POST /v1/admin/api-keys.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"innkeeper/shared/provision"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr, nil); err != nil {
		fmt.Fprintln(os.Stderr, "admin-key:", err)
		os.Exit(1)
	}
}

// Invoker is the one Lambda call the command makes.
type Invoker interface {
	Invoke(context.Context, *lambda.InvokeInput, ...func(*lambda.Options)) (*lambda.InvokeOutput, error)
}

// alias is the alias every function is invoked through (infra.AliasName).
const alias = "live"

func run(args []string, out, info io.Writer, fn Invoker) error {
	fs := flag.NewFlagSet("adminkey", flag.ContinueOnError)
	stage := fs.String("stage", "", "the deployed stage: staging, prod, …")
	name := fs.String("name", "", "the key's name, e.g. who holds it")
	force := fs.Bool("force", false, "make one even where a live admin key exists")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *stage == "" || *name == "" || fs.NArg() > 0 {
		return errors.New("usage: adminkey -stage STAGE -name NAME [-force]")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if fn == nil {
		cfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return fmt.Errorf("AWS configuration: %w", err)
		}
		fn = lambda.NewFromConfig(cfg)
	}
	function := "innkeeper-" + *stage + "-migrate"
	res, err := fn.Invoke(ctx, &lambda.InvokeInput{
		FunctionName: aws.String(function), Qualifier: aws.String(alias),
		Payload: provision.AdminKeyEvent(*name, *force),
	})
	if err != nil {
		return fmt.Errorf("invoke %s:%s: %w", function, alias, err)
	}
	if res.FunctionError != nil {
		var doc struct {
			Message string `json:"errorMessage"`
		}
		_ = json.Unmarshal(res.Payload, &doc)
		return fmt.Errorf("%s refused: %s", function, doc.Message)
	}
	var key provision.AdminKeyResult
	if err := json.Unmarshal(res.Payload, &key); err != nil || key.Secret == "" {
		return fmt.Errorf("%s answered no key (%v)", function, err)
	}
	key.Print(out, info, *stage)
	return nil
}
