package bootstrap_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// linkRules are the import rules of the tree, as `go list -deps` reads
// them: what each package may not link and, as a check that the listing
// works, one package it must.
//
// A function links its own job: the ones that serve no HTTP do not carry
// the API, and the ones that never touch the queue or rate limits do not
// carry their clients (nor pay for their package initialisation at every
// cold start). No function links the SDK's SQS client: its package
// initialisation cost the api about 1.8 ms of every cold start, so the
// three calls the queue needs go through package sqsjson instead. The
// packages whose stores package store implements
// declare what they need and do not link the store: the adapter depends
// on them, never the reverse.
var linkRules = []struct {
	pkg     string
	must    string
	mustNot []string
}{
	{"functions/migrate", "innkeeper/shared/store", []string{httpapi, sqs, redisRate, goRedis, apiProxy}},
	{"functions/costingest", "innkeeper/shared/costingest", []string{httpapi, sqs, redisRate, goRedis, apiProxy}},
	{"functions/ws", "innkeeper/shared/realtime", []string{httpapi, sqs, redisRate, apiProxy}},
	{"functions/worker", "innkeeper/shared/notify", []string{httpapi, sqs, redisRate, apiProxy}},
	{"functions/scheduler", "innkeeper/shared/jobs", []string{httpapi, sqs, redisRate, goRedis, apiProxy}},
	{"functions/metrics", "innkeeper/shared/promtext", []string{httpapi, sqs, redisRate}},
	{"functions/api", httpapi, []string{sqs, "innkeeper/shared/promtext", "github.com/prometheus/client_golang/prometheus"}},
	{"shared/booking", "innkeeper/shared/auth", []string{store}},
	// The queue declares the SQS calls it needs; sqsjson makes them.
	{"shared/queue", "innkeeper/shared/booking", []string{store, sqs, "innkeeper/shared/sqsjson"}},
	{"shared/sqsjson", "github.com/aws/aws-sdk-go-v2/aws/signer/v4", []string{sqs}},
	{"shared/jobs", "innkeeper/shared/queue", []string{store}},
	{"shared/notify", "innkeeper/shared/mail", []string{store}},
	{"shared/promtext", "innkeeper/shared/httpcount", []string{store}},
	// The API declares its rate limiter and reads the request id from
	// the context: neither Redis nor the proxy library comes with it.
	{"shared/httpapi", "innkeeper/shared/requestid", []string{redisRate, goRedis, apiProxy, "innkeeper/shared/ratelimit"}},
}

const (
	httpapi   = "innkeeper/shared/httpapi"
	store     = "innkeeper/shared/store"
	sqs       = "github.com/aws/aws-sdk-go-v2/service/sqs"
	redisRate = "github.com/go-redis/redis_rate/v10"
	goRedis   = "github.com/redis/go-redis/v9"
	apiProxy  = "github.com/awslabs/aws-lambda-go-api-proxy/core"
)

// deps is what `go list -deps` says the package links.
func deps(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", pkg).Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("go list -deps %s: %v\n%s", pkg, err, stderr)
	}
	return strings.Fields(string(out))
}

func TestEachPackageLinksItsJob(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	for _, r := range linkRules {
		t.Run(r.pkg, func(t *testing.T) {
			t.Parallel()
			linked := deps(t, "innkeeper/"+r.pkg)
			if !slices.Contains(linked, r.must) {
				t.Errorf("%s does not link %s: is the listing right?", r.pkg, r.must)
			}
			for _, pkg := range r.mustNot {
				if slices.Contains(linked, pkg) {
					t.Errorf("%s links %s (go list -deps ./%s)", r.pkg, pkg, r.pkg)
				}
			}
		})
	}
}
