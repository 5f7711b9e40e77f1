package bootstrap_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// What each function may not link, and, as a check that the listing
// works, one package it must. A function links its own job: the ones
// that serve no HTTP do not carry the API, and the ones that never touch
// the queue or rate limits do not carry their clients (nor pay for their
// package initialisation at every cold start).
var linkRules = []struct {
	function string
	must     string
	mustNot  []string
}{
	{"migrate", "innkeeper/shared/store", []string{httpapi, sqs, redisRate, goRedis, apiProxy}},
	{"costingest", "innkeeper/shared/costingest", []string{httpapi, sqs, redisRate, goRedis, apiProxy}},
	{"ws", "innkeeper/shared/realtime", []string{httpapi, sqs, redisRate, apiProxy}},
	{"worker", "innkeeper/shared/notify", []string{httpapi, sqs, redisRate, apiProxy}},
	{"scheduler", "innkeeper/shared/jobs", []string{httpapi, redisRate, goRedis, apiProxy}},
	{"metrics", "innkeeper/shared/promtext", []string{httpapi, redisRate}},
	{"api", httpapi, []string{"innkeeper/shared/promtext", "github.com/prometheus/client_golang/prometheus"}},
}

const (
	httpapi   = "innkeeper/shared/httpapi"
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

func TestEachFunctionLinksItsJob(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	for _, r := range linkRules {
		t.Run(r.function, func(t *testing.T) {
			t.Parallel()
			linked := deps(t, "innkeeper/functions/"+r.function)
			if !slices.Contains(linked, r.must) {
				t.Errorf("functions/%s does not link %s: is the listing right?", r.function, r.must)
			}
			for _, pkg := range r.mustNot {
				if slices.Contains(linked, pkg) {
					t.Errorf("functions/%s links %s (go list -deps ./functions/%s)", r.function, pkg, r.function)
				}
			}
		})
	}
}
