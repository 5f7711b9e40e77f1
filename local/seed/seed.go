// Package seed loads a catalogue file (YAML or JSON, shared/catalog)
// into a stage through its admin API, idempotently: what exists is left
// as it is, inventory and prices are set to the file's. Its command,
// local/seed/cmd/seed, is make seed:
//
//	ADMIN_KEY=ink_admin_… go run ./local/seed/cmd/seed -stage staging -file local/demo/catalogue.yaml
//	go run ./local/seed/cmd/seed -stage local -file local/demo/catalogue.yaml    (the running devstack)
//	ADMIN_KEY=… go run ./local/seed/cmd/seed -url https://api.example.com -file hotels.json
//
// The API's URL is -url, or the stack output of the stage that make
// deploy wrote to dist/outputs-<stage>.json (EdgeUrl where the stage has
// an edge, else ApiUrl). The key is ADMIN_KEY from the environment (make
// admin-key prints one); with -stage local, the devstack's HTTP_ADDR and
// DEV_ADMIN_KEY from .env stand in for both.
package seed

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/joho/godotenv"

	"innkeeper/shared/catalog"
)

// Run is the command: args are its flags, getenv its environment; it
// prints what it did to out.
func Run(ctx context.Context, args []string, getenv func(string) string, out io.Writer) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	file := fs.String("file", "", "the catalogue, YAML or JSON (e.g. local/demo/catalogue.yaml)")
	stage := fs.String("stage", "", "the stage: local (the running devstack), staging, prod, …")
	apiURL := fs.String("url", "", "the API's base URL (default: the stage's stack output)")
	outputs := fs.String("outputs", "dist", "the folder of make deploy's outputs-<stage>.json")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *file == "" || fs.NArg() > 0 {
		return errors.New("usage: seed -file CATALOGUE [-stage STAGE | -url URL] (ADMIN_KEY in the environment)")
	}
	f, err := os.Open(*file)
	if err != nil {
		return err
	}
	cat, err := catalog.Decode(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", *file, err)
	}
	key := getenv("ADMIN_KEY")
	if *stage == "local" {
		// The devstack's own settings, as make dev reads them; the
		// environment wins.
		env, _ := godotenv.Read(".env")
		get := func(k string) string {
			if v := getenv(k); v != "" {
				return v
			}
			return env[k]
		}
		if *apiURL == "" {
			addr := get("HTTP_ADDR")
			if addr == "" {
				addr = "127.0.0.1:3000"
			}
			*apiURL = "http://" + addr
		}
		if key == "" {
			key = get("DEV_ADMIN_KEY")
		}
	}
	if *apiURL == "" {
		if *stage == "" {
			return errors.New("-url or -stage is required")
		}
		if *apiURL, err = stackURL(filepath.Join(*outputs, "outputs-"+*stage+".json"), *stage); err != nil {
			return err
		}
	}
	if key == "" {
		return errors.New("ADMIN_KEY is not set: an admin key of the stage (make admin-key prints the first one)")
	}
	admin := Admin{URL: *apiURL, Key: key, Client: &http.Client{Timeout: 30 * time.Second}, Retries: 5, MaxWait: 30 * time.Second}
	start := time.Now()
	res, err := catalog.Apply(ctx, admin, cat, time.Now())
	for _, c := range res.Created {
		fmt.Fprintln(out, "created", c)
	}
	for _, b := range res.AgeBands {
		fmt.Fprintln(out, "age bands set for", b)
	}
	for _, k := range res.Kept {
		fmt.Fprintln(out, "kept", k)
	}
	for _, d := range res.Differ {
		fmt.Fprintln(out, "differs", d, "(left as it is)")
	}
	if err != nil {
		return fmt.Errorf("%s: %w", *file, err)
	}
	fmt.Fprintf(out, "seed: %s into %s in %v: %d created, %d existed (left as they are), %d nights of inventory and %d of rates set, %d taxes and fees\n",
		*file, *apiURL, time.Since(start).Round(time.Millisecond), len(res.Created), len(res.Existing), res.InventoryNights, res.RateNights, res.Taxes)
	return nil
}

// stackURL reads the public API's URL from the outputs make deploy
// wrote: EdgeUrl where the stage has an edge (its ApiUrl refuses
// requests that did not come through it), else ApiUrl.
func stackURL(path, stage string) (string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("no URL for stage %s: %w; pass URL=… (aws cloudformation describe-stacks --stack-name innkeeper-%s "+
			"--query \"Stacks[0].Outputs[?OutputKey=='ApiUrl'].OutputValue\" --output text)", stage, err, stage)
	}
	var outputs map[string]map[string]string
	if err := json.Unmarshal(raw, &outputs); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	o := outputs["innkeeper-"+stage]
	for _, k := range []string{"EdgeUrl", "ApiUrl"} {
		if o[k] != "" {
			return o[k], nil
		}
	}
	return "", fmt.Errorf("%s has no ApiUrl for innkeeper-%s", path, stage)
}
