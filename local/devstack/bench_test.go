package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"innkeeper/local/sandbox"
	"innkeeper/local/testenv"
	"innkeeper/shared/topology"
)

// figures collects what the benchmarks measured, printed with the
// targets by TestMain once they have all run.
var figures struct {
	sync.Mutex
	warm map[string][]time.Duration // "devstack" / "handler" → latencies
	cold map[string][]time.Duration // "api" / "hello" → spawn to first response
}

func record(m *map[string][]time.Duration, key string, ds ...time.Duration) {
	figures.Lock()
	defer figures.Unlock()
	if *m == nil {
		*m = map[string][]time.Duration{}
	}
	(*m)[key] = append((*m)[key], ds...)
}

func percentile(ds []time.Duration, p float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[int(float64(len(s)-1)*p)]
}

// latencies sends b.N sequential GETs to url and reports p50 and p99.
func latencies(b *testing.B, url string) []time.Duration {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	get := func() time.Duration {
		start := time.Now()
		resp, err := client.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("%s: %d", url, resp.StatusCode)
		}
		return time.Since(start)
	}
	for range 200 { // warm processes, connections and caches first
		get()
	}
	ds := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		ds = append(ds, get())
	}
	b.StopTimer()
	b.ReportMetric(float64(percentile(ds, 0.50).Microseconds()), "p50-µs")
	b.ReportMetric(float64(percentile(ds, 0.99).Microseconds()), "p99-µs")
	return ds
}

// BenchmarkWarmRequest is a warm GET /v1/hotels through the devstack
// (gateway, Runtime API, the api process) next to the same request served
// by the bare http.Handler over HTTP: the floor. Target: the devstack adds
// under 1 ms at p50.
func BenchmarkWarmRequest(b *testing.B) {
	b.Run("devstack", func(b *testing.B) {
		s, _ := startStack(b)
		record(&figures.warm, "devstack", latencies(b, s.URL+"/v1/hotels")...)
	})
	b.Run("handler", func(b *testing.B) {
		api := testenv.NewAPI(b, testenv.APIOptions{})
		record(&figures.warm, "handler", latencies(b, api.URL+"/v1/hotels")...)
	})
}

// BenchmarkColdStart is process start to first response of functions/api
// (a GET /livez event) next to a hello-world aws-lambda-go binary built
// the same way: the floor. Target: within 1.5× the floor.
//
// With COLDSTART_BASE set to a git revision, functions/api as built at
// that revision joins the alternation, so a change's before and after
// are measured side by side in one run:
//
//	COLDSTART_BASE=HEAD~3 go test -run '^$' -bench ColdStart -benchtime 200x ./local/devstack/
func BenchmarkColdStart(b *testing.B) {
	dir := b.TempDir()
	env := testEnv(b)
	// As deployed: a queue configured, so the cold start includes the
	// AWS SDK's configuration (/livez itself calls nothing).
	env["EVENTS_QUEUE_URL"] = "http://127.0.0.1:9324/000000000000/events"
	env["AWS_ENDPOINT_URL_SQS"] = "http://127.0.0.1:9324"
	var apiEnv []string
	api, _ := topology.Innkeeper.Function("api")
	for _, k := range api.Env {
		if v := env[k]; v != "" {
			apiEnv = append(apiEnv, k+"="+v)
		}
	}
	livez, err := os.ReadFile(filepath.Join(root, "events/api/livez.json"))
	if err != nil {
		b.Fatal(err)
	}
	cases := []struct {
		name, dir, pkg string
		env            []string
		event          []byte
	}{
		{"api", root, "./functions/api", apiEnv, livez},
		{"hello", "../sandbox", "./testdata/hello", nil, []byte(`{}`)},
	}
	if rev := os.Getenv("COLDSTART_BASE"); rev != "" {
		cases = append(cases, struct {
			name, dir, pkg string
			env            []string
			event          []byte
		}{"api@" + rev, checkout(b, rev), "./functions/api", apiEnv, livez})
	}
	bins := make([]string, len(cases))
	for i, c := range cases {
		bin, err := sandbox.Build(context.Background(), c.dir, c.pkg, filepath.Join(dir, c.name, "bootstrap"))
		if err != nil {
			b.Fatal(err)
		}
		bins[i] = bin
	}
	// They alternate, so whatever else the machine does weighs on all, and
	// the order turns each round, so none always follows the same one
	// (the previous process is still being torn down when the next starts).
	ds := make([][]time.Duration, len(cases))
	inits := make([][]time.Duration, len(cases))
	b.ResetTimer()
	for round := range b.N {
		for j := range cases {
			i := (round + j) % len(cases)
			c := cases[i]
			fn := topology.Function{Name: c.name, MemoryMB: 512, Timeout: 10 * time.Second}
			p := sandbox.NewPool(sandbox.Config{Function: fn, Binary: bins[i], Env: c.env, Log: io.Discard})
			start := time.Now()
			res, err := p.Invoke(context.Background(), c.event)
			took := time.Since(start)
			p.Close()
			if err != nil || res.FunctionError != "" {
				b.Fatalf("%s: %v %s", c.name, err, res.Payload)
			}
			ds[i] = append(ds[i], took)
			inits[i] = append(inits[i], res.Report.InitDuration)
		}
	}
	b.StopTimer()
	for i, c := range cases {
		b.ReportMetric(float64(percentile(ds[i], 0.5).Microseconds())/1000, c.name+"-p50-ms")
		b.ReportMetric(float64(percentile(inits[i], 0.5).Microseconds())/1000, c.name+"-init-p50-ms")
		record(&figures.cold, c.name, ds[i]...)
	}
}

// checkout is a work tree of the repository at rev, removed when b ends.
func checkout(b *testing.B, rev string) string {
	b.Helper()
	dir := filepath.Join(b.TempDir(), "base")
	if out, err := exec.Command("git", "-C", root, "worktree", "add", "--detach", dir, rev).CombinedOutput(); err != nil {
		b.Fatalf("git worktree add %s: %v\n%s", rev, err, out)
	}
	b.Cleanup(func() { _ = exec.Command("git", "-C", root, "worktree", "remove", "--force", dir).Run() })
	return dir
}

func TestMain(m *testing.M) {
	// One stripe-mock checks the Stripe requests of every stack the
	// tests start (startStack).
	url, stop, err := testenv.SharedStripeMock()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	stripeMock = url
	code := m.Run()
	stop()
	figures.Lock()
	defer figures.Unlock()
	if d, h := figures.warm["devstack"], figures.warm["handler"]; len(d) > 0 && len(h) > 0 {
		over := percentile(d, 0.5) - percentile(h, 0.5)
		fmt.Printf("WARM GET /v1/hotels: devstack p50 %v p99 %v; bare handler p50 %v p99 %v; devstack adds %v at p50 (target < 1ms: %s)\n",
			percentile(d, 0.5), percentile(d, 0.99), percentile(h, 0.5), percentile(h, 0.99), over, verdict(over < time.Millisecond))
	}
	if a, h := figures.cold["api"], figures.cold["hello"]; len(a) > 0 && len(h) > 0 {
		ratio := float64(percentile(a, 0.5)) / float64(percentile(h, 0.5))
		fmt.Printf("COLD START to first response: functions/api p50 %v; hello world p50 %v; ratio %.2f (target <= 1.5: %s)\n",
			percentile(a, 0.5), percentile(h, 0.5), ratio, verdict(ratio <= 1.5))
		for name, base := range figures.cold {
			if strings.HasPrefix(name, "api@") {
				fmt.Printf("COLD START of functions/api at %s, in the same run: p50 %v; ratio to hello world %.2f\n",
					strings.TrimPrefix(name, "api@"), percentile(base, 0.5), float64(percentile(base, 0.5))/float64(percentile(h, 0.5)))
			}
		}
	}
	os.Exit(code)
}

// stripeMock is the test binary's stripe-mock (TestMain).
var stripeMock string

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}
